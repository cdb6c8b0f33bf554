"""Pure checks on account and demographic values. Each failure names the field and value."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import TypeVar

from premia.kernel.errors import ValidationError

Choice = TypeVar("Choice", bound=StrEnum)

US_STATE_CODES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY "
    "NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI".split()
)
ZIP_PATTERN = re.compile(r"^\d{5}(\d{4})?$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def _invalid(code: str, field: str, value: object, message: str, hint: str, record: str | None) -> ValidationError:
    return ValidationError(code=code, message=message, field=field, value=value, hint=hint, record=record)


def require_text(value: str | None, *, field: str, record: str | None = None, max_length: int = 128) -> str:
    """Return the trimmed value, rejecting a missing or blank one."""
    text = (value or "").strip()
    if not text:
        raise _invalid("field.missing", field, value, f"{field} is missing.", f"Provide a value for {field}.", record)
    if len(text) > max_length:
        raise _invalid(
            "field.too_long",
            field,
            text[:20] + "…",
            f"{field} is longer than {max_length} characters.",
            f"Shorten {field} to at most {max_length} characters.",
            record,
        )
    return text


def parse_choice(choices: type[Choice], value: object, *, field: str, record: str | None = None) -> Choice:
    """Return the enum member for ``value``.

    An unknown value raises ValidationError naming the field, the value and the allowed choices.
    """
    try:
        return choices(value)
    except ValueError as exc:
        allowed = ", ".join(member.value for member in choices)
        raise _invalid(
            "field.invalid_choice",
            field,
            value,
            f"{field} {value!r} is not one of the allowed values.",
            f"Choose one of: {allowed}.",
            record,
        ) from exc


def normalize_state(value: str, *, field: str = "state", record: str | None = None) -> str:
    code = (value or "").strip().upper()
    if code not in US_STATE_CODES:
        raise _invalid(
            "address.unknown_state",
            field,
            value,
            f"{field} {value!r} is not a US state or territory code.",
            "Use the two-letter USPS code, for example VA or PR.",
            record,
        )
    return code


def normalize_zip(value: str, *, field: str = "zip_code", record: str | None = None) -> str:
    digits = (value or "").strip().replace("-", "")
    # 00000 matches the pattern but is not an assigned ZIP code.
    if not ZIP_PATTERN.match(digits) or digits[:5] == "00000":
        raise _invalid(
            "address.invalid_zip",
            field,
            value,
            f"{field} {value!r} is not a ZIP code.",
            "Use five digits or ZIP+4, for example 23220 or 23220-1234.",
            record,
        )
    return digits


def check_birth_date(value: date, *, today: date, field: str = "birth_date", record: str | None = None) -> date:
    if value > today:
        raise _invalid(
            "person.birth_date_in_future",
            field,
            value.isoformat(),
            f"{field} {value.isoformat()} is in the future (today is {today.isoformat()}).",
            "Check the date of birth; it must be on or before today.",
            record,
        )
    if value < EARLIEST_BIRTH_DATE:
        raise _invalid(
            "person.birth_date_too_early",
            field,
            value.isoformat(),
            f"{field} {value.isoformat()} is before {EARLIEST_BIRTH_DATE.isoformat()}.",
            "Check the year of birth.",
            record,
        )
    return value


def normalize_ssn(value: str, *, field: str = "ssn", record: str | None = None) -> str:
    """Return the nine SSN digits; the error never repeats the value, only its shape."""
    digits = re.sub(r"[\s-]", "", value or "")
    valid = (
        len(digits) == 9
        and digits.isdigit()
        and digits[:3] not in {"000", "666"}
        and not digits.startswith("9")
        and digits[3:5] != "00"
        and digits[5:] != "0000"
    )
    if not valid:
        raise _invalid(
            "person.invalid_ssn",
            field,
            None,
            f"{field} is not a valid Social Security number.",
            "Use nine digits (area not 000, 666 or 9xx; group not 00; serial not 0000).",
            record,
        )
    return digits


def normalize_phone(value: str, *, field: str = "phone", record: str | None = None) -> str:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        raise _invalid(
            "contact.invalid_phone",
            field,
            value,
            f"{field} {value!r} is not a 10-digit US phone number.",
            "Write the number with its area code, for example 804-555-0142.",
            record,
        )
    # In the North American Numbering Plan neither the area code nor the exchange starts
    # with 0 or 1, so 123-456-7890 or 000-555-0142 is a placeholder, not a number.
    if digits[0] in "01" or digits[3] in "01":
        raise _invalid(
            "contact.invalid_phone",
            field,
            value,
            f"{field} {value!r} is not a US phone number: the area code and the exchange start with 2 to 9.",
            "Check the number with the member, for example 804-555-0142.",
            record,
        )
    return digits


def normalize_email(value: str, *, field: str = "email", record: str | None = None) -> str:
    text = (value or "").strip()
    if not EMAIL_PATTERN.match(text):
        raise _invalid(
            "contact.invalid_email",
            field,
            value,
            f"{field} {value!r} is not an email address.",
            "Write the address as name@example.com.",
            record,
        )
    return text


def routing_number_is_valid(routing_number: str) -> bool:
    """ABA check: 3·d1 + 7·d2 + d3 + 3·d4 + 7·d5 + d6 + 3·d7 + 7·d8 + d9 is a multiple of 10."""
    if len(routing_number) != 9 or not routing_number.isdigit():
        return False
    weights = (3, 7, 1) * 3
    return sum(int(digit) * weight for digit, weight in zip(routing_number, weights, strict=True)) % 10 == 0


def check_routing_number(value: str, *, field: str = "routing_number", record: str | None = None) -> str:
    routing = (value or "").strip()
    if not routing_number_is_valid(routing):
        raise _invalid(
            "bank_account.routing_number_invalid",
            field,
            value,
            f"{field} {value!r} fails the ABA check-digit test.",
            "Copy the nine-digit routing number from the bottom left of a check and try again.",
            record,
        )
    return routing


def check_bank_account_number(value: str, *, field: str = "account_number", record: str | None = None) -> str:
    digits = (value or "").strip().replace("-", "").replace(" ", "")
    if not (4 <= len(digits) <= 17 and digits.isalnum()):
        raise _invalid(
            "bank_account.account_number_invalid",
            field,
            None,
            f"{field} must be 4 to 17 letters or digits.",
            "Copy the account number exactly as printed on the check.",
            record,
        )
    return digits


def check_day_of_month(value: int, *, field: str, record: str | None = None) -> int:
    # Days 29-31 do not exist in every month, so schedules are limited to 1-28.
    if not 1 <= value <= 28:
        raise _invalid(
            "preferences.invalid_day",
            field,
            value,
            f"{field} {value} is outside 1-28.",
            "Choose a day from 1 to 28 so that it exists in every month.",
            record,
        )
    return value


def check_month_number(value: int, *, field: str, record: str | None = None) -> int:
    if not 1 <= value <= 12:
        raise _invalid(
            "field.invalid_month", field, value, f"{field} {value} is not a month number.", "Use 1 to 12.", record
        )
    return value
