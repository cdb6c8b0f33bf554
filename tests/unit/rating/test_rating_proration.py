"""Proration: actual days and the other methods, earned premium and credits."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from premia.kernel.dates import DateSpan, Month
from premia.kernel.errors import ValidationError
from premia.rating.model import ProrationMethod
from premia.rating.proration import earned_and_credit, prorate

MARCH_2026 = Month(2026, 3)


def march(first: int, last: int = 31) -> DateSpan:
    return DateSpan(date(2026, 3, first), date(2026, 3, last))


def test_r51_gross() -> None:
    # 600.00 x 14 / 31 = 270.967... -> 270.97
    assert prorate(60000, march(18)) == 27097


def test_r51_aptc() -> None:
    # 450.00 x 14 / 31 = 203.225... -> 203.23 (half-up)
    assert prorate(45000, march(18)) == 20323


def test_r51_net_due() -> None:
    # 270.97 - 203.23 = 67.74
    assert prorate(60000, march(18)) - prorate(45000, march(18)) == 6774


def test_r53_newborn_retro_month() -> None:
    # Newborn covered from 2026-03-10 at 306.00 a month: 306.00 x 22 / 31 = 217.161... -> 217.16
    assert prorate(30600, march(10)) == 21716


def test_leap_february() -> None:
    # 600.00 x 15 / 29 = 310.344... -> 310.34 (2028 is a leap year)
    assert prorate(60000, DateSpan(date(2028, 2, 15), date(2028, 2, 29))) == 31034


@pytest.mark.parametrize(
    ("method", "span", "expected"),
    [
        # start 3/18: 600.00 x 14 / 31 = 270.97
        (ProrationMethod.ACTUAL_DAYS, march(18), 27097),
        # start 3/18: 600.00 / 30 x 14 = 280.00
        (ProrationMethod.THIRTY_DAY, march(18), 28000),
        # start 3/18 is 14 days, under 15: 0.00
        (ProrationMethod.FIFTEENTH_RULE_ADD, march(18), 0),
        # start 3/17 is 15 days: the whole 600.00
        (ProrationMethod.FIFTEENTH_RULE_ADD, march(17), 60000),
        # term 3/20, on or after the 16th: the whole 600.00
        (ProrationMethod.SIXTEENTH_RULE_TERM, march(1, 20), 60000),
        # term 3/15, before the 16th: 0.00
        (ProrationMethod.SIXTEENTH_RULE_TERM, march(1, 15), 0),
        # any covered day: the whole 600.00
        (ProrationMethod.FULL_MONTH, march(31), 60000),
        # start 3/18, the 16th or later: half, 300.00
        (ProrationMethod.HALF_MONTH, march(18), 30000),
        # start 3/10, by the 15th: the whole 600.00
        (ProrationMethod.HALF_MONTH, march(10), 60000),
        # term 3/10, before the 16th: half, 300.00
        (ProrationMethod.HALF_MONTH, march(1, 10), 30000),
    ],
)
def test_r52_methods(method: ProrationMethod, span: DateSpan, expected: int) -> None:
    assert prorate(60000, span, method) == expected


def test_thirty_day_caps_at_thirty_days() -> None:
    # 30 covered days of a 31-day month: 600.00 x 30 / 30 = 600.00, never more
    assert prorate(60000, march(2), ProrationMethod.THIRTY_DAY) == 60000


def test_whole_month_any_method() -> None:
    for method in ProrationMethod:
        assert prorate(60000, march(1), method) == 60000, method


def test_r67_earned_and_refund() -> None:
    earned, credit = earned_and_credit(60000, date(2026, 3, 20))

    # 600.00 x 20 / 31 = 387.096... -> 387.10; refund 600.00 - 387.10 = 212.90
    assert earned == 38710
    assert credit == 21290


def test_r67_aptc_variant() -> None:
    gross = earned_and_credit(60000, date(2026, 3, 20))
    aptc = earned_and_credit(45000, date(2026, 3, 20))

    # APTC 450.00 x 20 / 31 = 290.322... -> 290.32
    assert aptc.earned_cents == 29032
    # earned net 387.10 - 290.32 = 96.78
    assert gross.earned_cents - aptc.earned_cents == 9678
    # member paid 150.00 net: refund 150.00 - 96.78 = 53.22
    assert 15000 - (gross.earned_cents - aptc.earned_cents) == 5322


def test_r67_net_proration_drifts() -> None:
    # Prorating the net directly, 150.00 x 20 / 31 = 96.774... -> 96.77, is one cent off
    assert prorate(15000, march(1, 20)) == 9677


def test_bc05_august_termination() -> None:
    subscriber = earned_and_credit(62520, date(2027, 8, 2))
    spouse = earned_and_credit(57760, date(2027, 8, 2))

    # A: 625.20 x 2 / 31 = 40.335... -> 40.34; credit 625.20 - 40.34 = 584.86
    assert subscriber == (4034, 58486)
    # B: 577.60 x 2 / 31 = 37.264... -> 37.26; credit 577.60 - 37.26 = 540.34
    assert spouse == (3726, 54034)


def test_bc05_year_totals() -> None:
    monthly = 62520 + 57760
    august = [earned_and_credit(amount, date(2027, 8, 2)) for amount in (62520, 57760)]

    earned = 7 * monthly + sum(part.earned_cents for part in august)
    credit = sum(part.credit_cents for part in august) + 4 * monthly

    # 7 x 1,202.80 + 40.34 + 37.26 = 8,497.20
    assert earned == 849720
    # 584.86 + 540.34 + 4 x 1,202.80 = 5,936.40
    assert credit == 593640
    # 8,497.20 + 5,936.40 = 14,433.60 = 12 x 1,202.80
    assert earned + credit == 12 * monthly


def test_bc19_june_termination() -> None:
    subscriber = earned_and_credit(48560, date(2025, 6, 15))
    spouse = earned_and_credit(47320, date(2025, 6, 15))

    # A: 485.60 x 15 / 30 = 242.80; B: 473.20 x 15 / 30 = 236.60
    assert subscriber.earned_cents == 24280
    assert spouse.earned_cents == 23660
    # credit 242.80 + 236.60 = 479.40
    assert subscriber.credit_cents + spouse.credit_cents == 47940


def test_bc19_month_end_no_credit() -> None:
    assert earned_and_credit(48560, date(2025, 6, 30)) == (48560, 0)


def test_earned_from_midmonth_start() -> None:
    # Covered 3/18..3/20: 600.00 x 3 / 31 = 58.064... -> 58.06
    assert earned_and_credit(60000, date(2026, 3, 20), first_day=date(2026, 3, 18)) == (5806, 54194)


def test_span_across_months_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        prorate(60000, DateSpan(date(2026, 3, 18), date(2026, 4, 2)))

    assert raised.value.code == "proration.span_crosses_month"


def test_open_span_rejected() -> None:
    with pytest.raises(ValidationError):
        prorate(60000, DateSpan(date(2026, 3, 18)))


@st.composite
def spans_in_a_month(draw: st.DrawFn) -> DateSpan:
    month = Month(draw(st.integers(2024, 2030)), draw(st.integers(1, 12)))
    first = draw(st.integers(1, month.days))
    last = draw(st.integers(first, month.days))
    return DateSpan(month.first_day + timedelta(days=first - 1), month.first_day + timedelta(days=last - 1))


@settings(max_examples=200, deadline=None)
@given(
    monthly=st.integers(0, 1_000_000), span=spans_in_a_month(), method=st.sampled_from(list(ProrationMethod))
)
def test_prorated_within_monthly(monthly: int, span: DateSpan, method: ProrationMethod) -> None:
    amount = prorate(monthly, span, method)

    assert 0 <= amount <= monthly


@settings(max_examples=200, deadline=None)
@given(
    monthly=st.integers(-1_000_000, 1_000_000),
    span=spans_in_a_month(),
    method=st.sampled_from(list(ProrationMethod)),
)
def test_earned_and_credit_add_back(monthly: int, span: DateSpan, method: ProrationMethod) -> None:
    assert span.end is not None
    earned, credit = earned_and_credit(monthly, span.end, method=method, first_day=span.start)

    assert earned + credit == monthly


@settings(max_examples=200, deadline=None)
@given(monthly=st.integers(0, 1_000_000), span=spans_in_a_month())
def test_actual_days_monotonic(monthly: int, span: DateSpan) -> None:
    assume(span.days > 1)
    assert span.end is not None
    shorter = DateSpan(span.start, span.end - timedelta(days=1))

    assert prorate(monthly, shorter) <= prorate(monthly, span)
