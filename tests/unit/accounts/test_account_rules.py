"""Pure checks on demographic, address, bank and preference values: each error names field and value."""

from __future__ import annotations

from datetime import date

import pytest

from premia.accounts import rules
from premia.accounts.model import AuthorizationMethod, PaymentMode
from premia.kernel.errors import ValidationError

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("routing", ["051000017", "021000021", "011000015", "026009593", "111000025"])
def test_routing_number_valid(routing: str) -> None:
    assert rules.routing_number_is_valid(routing)
    assert rules.check_routing_number(f" {routing} ") == routing


@pytest.mark.parametrize(
    "routing",
    [
        "051000018",  # 3*0 + 7*5 + 1 + 0 + 0 + 0 + 0 + 7*1 + 8 = 51, not a multiple of 10
        "05100001",
        "0510000170",
        "05100001A",
        "",
        "051-000-017",
    ],
)
def test_routing_number_invalid(routing: str) -> None:
    assert not rules.routing_number_is_valid(routing)
    with pytest.raises(ValidationError) as caught:
        rules.check_routing_number(routing, record="billing_account BA-000001")

    assert caught.value.code == "bank_account.routing_number_invalid"
    assert caught.value.field == "routing_number"
    assert caught.value.value == routing
    assert caught.value.record == "billing_account BA-000001"


def test_bank_account_number_normalised() -> None:
    assert rules.check_bank_account_number(" 0001-2345 6789 ") == "000123456789"
    assert rules.check_bank_account_number("1234") == "1234"
    assert rules.check_bank_account_number("12345678901234567") == "12345678901234567"


@pytest.mark.parametrize("number", ["123", "123456789012345678", "1234*5678", ""])
def test_bank_number_invalid_hidden(number: str) -> None:
    with pytest.raises(ValidationError) as caught:
        rules.check_bank_account_number(number)

    assert caught.value.field == "account_number"
    assert caught.value.value is None
    assert not number or number not in str(caught.value)


@pytest.mark.parametrize("ssn", ["123-45-6789", "123456789", " 123 45 6789 "])
def test_ssn_normalised(ssn: str) -> None:
    assert rules.normalize_ssn(ssn) == "123456789"


@pytest.mark.parametrize(
    "ssn",
    ["000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000", "12345678", "12345678a", ""],
)
def test_ssn_invalid_hides_value(ssn: str) -> None:
    with pytest.raises(ValidationError) as caught:
        rules.normalize_ssn(ssn)

    assert caught.value.code == "person.invalid_ssn"
    assert caught.value.field == "ssn"
    assert caught.value.value is None
    assert "value" not in caught.value.as_dict()


def test_birth_date_today_allowed() -> None:
    assert rules.check_birth_date(TODAY, today=TODAY) == TODAY


def test_birth_date_in_future() -> None:
    with pytest.raises(ValidationError) as caught:
        rules.check_birth_date(date(2026, 3, 3), today=TODAY, record="person (new)")

    assert caught.value.code == "person.birth_date_in_future"
    assert caught.value.field == "birth_date"
    assert caught.value.value == "2026-03-03"
    assert "2026-03-03" in caught.value.message


def test_birth_date_too_early() -> None:
    with pytest.raises(ValidationError) as caught:
        rules.check_birth_date(date(1899, 12, 31), today=TODAY)

    assert caught.value.code == "person.birth_date_too_early"


@pytest.mark.parametrize(("state", "code"), [("va", "VA"), (" PR ", "PR"), ("DC", "DC"), ("gu", "GU")])
def test_state_normalised(state: str, code: str) -> None:
    assert rules.normalize_state(state) == code


@pytest.mark.parametrize("state", ["XX", "Virginia", "", "V"])
def test_state_unknown(state: str) -> None:
    with pytest.raises(ValidationError) as caught:
        rules.normalize_state(state, field="address.state")

    assert caught.value.code == "address.unknown_state"
    assert caught.value.field == "address.state"
    assert caught.value.value == state


@pytest.mark.parametrize(("zip_code", "normal"), [("23220", "23220"), ("23220-1234", "232201234"), (" 23220 ", "23220")])
def test_zip_normalised(zip_code: str, normal: str) -> None:
    assert rules.normalize_zip(zip_code) == normal


@pytest.mark.parametrize("zip_code", ["2322", "232201", "ABCDE", "23220-12", "00000", "00000-1234"])
def test_zip_invalid(zip_code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        rules.normalize_zip(zip_code)

    assert caught.value.field == "zip_code"
    assert caught.value.value == zip_code


@pytest.mark.parametrize(("phone", "digits"), [("804-555-0142", "8045550142"), ("1 (804) 555-0142", "8045550142")])
def test_phone_normalised(phone: str, digits: str) -> None:
    assert rules.normalize_phone(phone) == digits


@pytest.mark.parametrize("phone", ["555-0142", "2-804-555-0142", "804555014299", "123-456-7890", "000-555-0142", "804-155-0142"])
def test_phone_invalid(phone: str) -> None:
    with pytest.raises(ValidationError) as caught:
        rules.normalize_phone(phone, field="payer_phone")

    assert caught.value.field == "payer_phone"
    assert caught.value.value == phone


def test_email() -> None:
    assert rules.normalize_email(" maria@example.org ") == "maria@example.org"
    with pytest.raises(ValidationError) as caught:
        rules.normalize_email("maria@example", field="payer_email")

    assert caught.value.field == "payer_email"
    assert caught.value.value == "maria@example"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_require_text_missing(value: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        rules.require_text(value, field="last_name", record="person (new)")

    assert caught.value.code == "field.missing"
    assert caught.value.field == "last_name"
    assert caught.value.record == "person (new)"


def test_require_text_too_long() -> None:
    with pytest.raises(ValidationError) as caught:
        rules.require_text("x" * 65, field="first_name", max_length=64)

    assert caught.value.code == "field.too_long"
    assert "64" in caught.value.message


def test_require_text_trims() -> None:
    assert rules.require_text("  Lopez ", field="last_name") == "Lopez"


@pytest.mark.parametrize("day", [0, 29, 31, -1])
def test_day_of_month_outside_1_28(day: int) -> None:
    with pytest.raises(ValidationError) as caught:
        rules.check_day_of_month(day, field="due_day")

    assert caught.value.field == "due_day"
    assert caught.value.value == day


def test_day_of_month_bounds() -> None:
    assert rules.check_day_of_month(1, field="due_day") == 1
    assert rules.check_day_of_month(28, field="due_day") == 28


def test_month_number() -> None:
    assert rules.check_month_number(12, field="anniversary_month") == 12
    with pytest.raises(ValidationError) as caught:
        rules.check_month_number(13, field="anniversary_month")

    assert caught.value.field == "anniversary_month"


def test_payment_mode_months() -> None:
    assert [mode.months for mode in PaymentMode] == [1, 3, 6, 12]


def test_authorization_sec_codes() -> None:
    assert AuthorizationMethod.PAPER.sec_code == "PPD"
    assert AuthorizationMethod.ONLINE.sec_code == "WEB"
    assert AuthorizationMethod.TELEPHONE.sec_code == "TEL"
