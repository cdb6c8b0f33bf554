"""How the console writes amounts, dates, periods and statuses (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from premia.interfaces.console.formatting import (
    day,
    duration,
    label,
    memo,
    moment,
    money,
    money_text,
    month_label,
    payment_method_note,
    percent,
    period_label,
    phone_number,
    tone,
)


def test_money() -> None:
    assert money(123450) == "$1,234.50"
    assert money(-1200) == "\u2212$12.00"
    assert money(0) == "$0.00"
    assert money(None) == "\u2014"


def test_money_text_from_service_strings() -> None:
    assert money_text("-12.50") == "\u2212$12.50"
    assert money_text("693.12") == "$693.12"


def test_day_and_month() -> None:
    assert day(date(2026, 3, 2)) == "Mar 2, 2026"
    assert day("2026-03-02T15:00:00+00:00") == "Mar 2, 2026"
    assert month_label("2026-03") == "Mar 2026"
    assert month_label(date(2026, 3, 1)) == "Mar 2026"


def test_moment_in_carrier_zone() -> None:
    # 15:00 UTC on March 2 is 10:00 in New York (EST, UTC-5).
    assert moment(datetime(2026, 3, 2, 15, 0, tzinfo=UTC), "America/New_York") == "Mar 2, 2026 10:00 AM EST"


def test_period_label() -> None:
    assert period_label("2026-04..2026-04") == "Apr 2026"
    assert period_label("2026-04..2026-06") == "Apr \u2013 Jun 2026"
    assert period_label("2025-12..2026-02") == "Dec 2025 \u2013 Feb 2026"


def test_duration() -> None:
    assert duration(45) == "45 min"
    assert duration(125) == "2 h 5 min"
    # 14,040 minutes = 9 days (12,960) + 18 hours (1,080).
    assert duration(14040) == "9 d 18 h"
    assert duration(-90) == "1 h 30 min"


def test_label_and_tone() -> None:
    assert label("waiting_on_member") == "Waiting on member"
    assert tone("grace") == "warn"
    assert tone("terminated") == "bad"
    assert tone("something_new") == "quiet"


def test_percent_and_phone() -> None:
    assert percent(Decimal("72.04")) == "72.0%"
    assert percent(None) == "\u2014"
    assert phone_number("8045550142") == "(804) 555-0142"


def test_label_uses_business_words() -> None:
    assert label("ach_autodraft") == "ACH auto-draft"
    assert label("csr") == "CSR"
    assert label("retry") == "Re-presentment"
    assert label("return_fee") == "Fee"
    assert label("with_aptc") == "With APTC"
    assert label("waiting_on_member") == "Waiting on member"


def test_payment_method_note_skips_repeat() -> None:
    assert payment_method_note("ach_autodraft", "ach") == ""
    assert payment_method_note("employer_820", "ach") == "ACH"
    assert payment_method_note("lockbox", "check") == "Check"


def test_memo_words() -> None:
    assert memo("ach_autodraft payment 2365") == "ACH auto-draft payment 2365"
    assert memo("invoice for 2026-07 to 2026-07") == "Invoice for July 2026"
    assert memo("invoice for 2026-07 to 2026-09") == "Invoice for July \u2013 September 2026"
    assert memo("invoice for 2026-12 to 2027-01") == "Invoice for December 2026 \u2013 January 2027"
    assert memo("unapplied credit applied to the invoice") == "Unapplied credit applied to the invoice"
    assert memo(None) == ""
