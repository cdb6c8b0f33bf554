"""Text forms of amounts, dates, periods and statuses for the console's templates (pure Jinja2 filters)."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from premia.kernel.money import format_cents

# A true minus sign lines up with digits in tabular figures; a hyphen is narrower.
MINUS = "\u2212"


class Tone(StrEnum):
    """The colour family of a status badge; each has text and fill colours with at least 4.5:1 contrast."""

    GOOD = "good"
    WARN = "warn"
    BAD = "bad"
    INFO = "info"
    QUIET = "quiet"


# Status values of policies, invoices, payments, cases, disputes, refunds, suspense and imports.
_TONES: dict[str, Tone] = {
    "active": Tone.GOOD,
    "settled": Tone.GOOD,
    "resolved": Tone.GOOD,
    "closed": Tone.QUIET,
    "credited": Tone.GOOD,
    "approved": Tone.GOOD,
    "paid": Tone.GOOD,
    "applied": Tone.GOOD,
    "sent": Tone.GOOD,
    "passed": Tone.GOOD,
    "accepted": Tone.GOOD,
    "finished": Tone.GOOD,
    "open": Tone.INFO,
    "past_due": Tone.BAD,
    "payment_pending": Tone.INFO,
    "queued": Tone.INFO,
    "written": Tone.GOOD,
    "new": Tone.INFO,
    "pending": Tone.INFO,
    "pending_approval": Tone.WARN,
    "waiting_on_member": Tone.WARN,
    "refund_requested": Tone.INFO,
    "grace": Tone.WARN,
    "partially_accepted": Tone.WARN,
    "with_errors": Tone.WARN,
    "held": Tone.WARN,
    "terminated": Tone.BAD,
    "cancelled": Tone.QUIET,
    "returned": Tone.BAD,
    "reversed": Tone.QUIET,
    "failed": Tone.BAD,
    "rejected": Tone.BAD,
    "denied": Tone.BAD,
    "breached": Tone.BAD,
    "refunded": Tone.QUIET,
    "urgent": Tone.BAD,
    "high": Tone.WARN,
    "normal": Tone.QUIET,
    "low": Tone.QUIET,
}


def money(cents: int | None, *, blank: str = "\u2014") -> str:
    """Write cents as dollars, for example ``$1,234.50`` or ``−$12.00``."""
    if cents is None:
        return blank
    text = format_cents(abs(cents))
    return f"{MINUS}${text}" if cents < 0 else f"${text}"


def money_text(amount: str | None) -> str:
    """Write a decimal amount string from a service (``"-12.50"``) the way :func:`money` does."""
    if amount is None or amount == "":
        return "\u2014"
    value = Decimal(amount)
    cents = int((value * 100).to_integral_value())
    return money(cents)


def day(value: date | datetime | str | None, *, blank: str = "\u2014") -> str:
    """Write a date as ``Mar 2, 2026``; ISO strings from services are accepted."""
    if value is None or value == "":
        return blank
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return f"{value:%b} {value.day}, {value.year}"


def moment(value: datetime | str | None, time_zone: str, *, blank: str = "\u2014") -> str:
    """Write an instant in the carrier's time zone, for example ``Mar 2, 2026 10:05 AM EST``."""
    if value is None or value == "":
        return blank
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(ZoneInfo(time_zone))
    hour = local.hour % 12 or 12
    suffix = "AM" if local.hour < 12 else "PM"
    return f"{day(local.date())} {hour}:{local.minute:02d} {suffix} {local.tzname()}"


def month_label(value: date | str | None) -> str:
    """Write a coverage month as ``Mar 2026``."""
    if value is None or value == "":
        return "\u2014"
    if isinstance(value, str):
        value = date.fromisoformat(value[:7] + "-01")
    return f"{value:%b} {value.year}"


# Stored codes whose words are not the code with spaces: acronyms, and names the business
# uses. The templates and select lists write codes through :func:`label`, so a code's words
# belong here rather than in a template.
LABELS: dict[str, str] = {
    "ach_autodraft": "ACH auto-draft",
    "ach": "ACH",
    "employer_820": "Employer 820",
    "aptc_remittance": "APTC remittance",
    "card_on_file": "Card on file",
    "transfer": "Bank transfer",
    "money_order": "Money order",
    "id_card": "ID card",
    # ACH entry purposes: a retry presents a returned draft again, and a fee file collects
    # the returned-payment fee.
    "draft": "Draft",
    "retry": "Re-presentment",
    "return_fee": "Fee",
    "refund": "Refund",
}
# Words that stay in capitals wherever they appear inside a code, such as ``csr`` or ``with_aptc``.
ACRONYMS: dict[str, str] = {
    "ach": "ACH",
    "api": "API",
    "aptc": "APTC",
    "cli": "CLI",
    "csat": "CSAT",
    "csr": "CSR",
    "dso": "DSO",
    "fcr": "FCR",
    "id": "ID",
    "sla": "SLA",
}
FULL_MONTH = "%B"
_PAYMENT_MEMO = re.compile(r"(?P<channel>[a-z0-9_]+) payment (?P<number>\d+)")
_INVOICE_MEMO = re.compile(r"invoice for (?P<first>\d{4}-\d{2}) to (?P<last>\d{4}-\d{2})")


def label(value: str | None) -> str:
    """Turn a stored code such as ``waiting_on_member`` into words: ``Waiting on member``.

    Codes in ``LABELS`` get their words from there, and acronyms stay in capitals (``csr``
    is ``CSR``).
    """
    if not value:
        return "\u2014"
    if value in LABELS:
        return LABELS[value]
    words = [ACRONYMS.get(word.lower(), word) for word in value.replace("_", " ").replace("-", " ").split(" ")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def payment_method_note(channel: str | None, method: str | None) -> str:
    """Return the payment method's words when the channel's words do not already say it, else ""."""
    if not method:
        return ""
    method_words = label(method)
    return "" if method_words.lower() in label(channel).lower() else method_words


def memo(description: str | None) -> str:
    """Write a journal entry's stored description for people.

    ``ach_autodraft payment 2365`` becomes ``ACH auto-draft payment 2365`` and ``invoice for
    2026-07 to 2026-07`` becomes ``Invoice for July 2026``. Other descriptions are shown as
    stored, with a capital first letter.
    """
    if not description:
        return ""
    payment = _PAYMENT_MEMO.fullmatch(description)
    if payment:
        return f"{label(payment['channel'])} payment {payment['number']}"
    invoice = _INVOICE_MEMO.fullmatch(description)
    if invoice:
        return f"Invoice for {_month_span(invoice['first'], invoice['last'])}"
    return description[:1].upper() + description[1:]


def _month_span(first: str, last: str) -> str:
    """Write ``2026-07``..``2026-09`` as ``July – September 2026`` (one month: ``July 2026``)."""
    start = date.fromisoformat(first + "-01")
    end = date.fromisoformat(last + "-01")
    if start == end:
        return f"{start:{FULL_MONTH}} {start.year}"
    if start.year == end.year:
        return f"{start:{FULL_MONTH}} \u2013 {end:{FULL_MONTH}} {end.year}"
    return f"{start:{FULL_MONTH}} {start.year} \u2013 {end:{FULL_MONTH}} {end.year}"


def tone(status: str | None) -> str:
    return _TONES.get((status or "").lower(), Tone.QUIET).value


def percent(value: Decimal | float | str | None, *, places: int = 1) -> str:
    if value is None or value == "":
        return "\u2014"
    number = Decimal(str(value))
    return f"{number:.{places}f}%"


def phone_number(phone: str | None) -> str:
    """Write a stored ten-digit phone number as ``(804) 555-0142``."""
    if not phone:
        return "\u2014"
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) != 10:
        return phone
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def duration(minutes: int | None) -> str:
    """Write a number of minutes as days, hours and minutes, such as ``2 d 3 h`` or ``45 min``."""
    if minutes is None:
        return "\u2014"
    left = abs(int(minutes))
    days, left = divmod(left, 24 * 60)
    hours, mins = divmod(left, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def period_label(period: str | None) -> str:
    """Write a billing period ``2026-04..2026-06`` as ``Apr – Jun 2026`` (one month: ``Apr 2026``)."""
    if not period:
        return "\u2014"
    first, _, last = period.partition("..")
    start = month_label(first)
    if not last or last == first:
        return start
    end = month_label(last)
    if first[:4] == last[:4]:
        return f"{start[:3]} \u2013 {end}"
    return f"{start} \u2013 {end}"
