"""Billing periods: whole months from the first unbilled month, issue and due dates."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from premia.billing.model import BillingSettings
from premia.billing.periods import make_period, periods_due
from premia.kernel.dates import Month

SETTINGS = BillingSettings()


def test_quarter_spans_leap_february():
    period = make_period(Month(2027, 12), months_per_period=3, settings=SETTINGS, due_day=1)
    assert period.start == date(2027, 12, 1)
    # 31 + 31 + 29 = 91 days, ending on February 29
    assert period.end == date(2028, 2, 29)
    assert (period.end - period.start).days + 1 == 91


def test_quarters_follow_without_drift():
    periods = periods_due(first_month=Month(2027, 12), months_per_period=3, as_of=date(2028, 11, 14), settings=SETTINGS, due_day=1)
    starts = [period.start for period in periods]
    assert starts == [date(2027, 12, 1), date(2028, 3, 1), date(2028, 6, 1), date(2028, 9, 1)]


def test_issue_date_15th_of_prior_month():
    period = make_period(Month(2028, 3), months_per_period=3, settings=SETTINGS, due_day=1)
    assert period.issue_date == date(2028, 2, 15)


def test_due_date_rolls_past_holiday():
    # Saturday 2028-01-01 is New Year's Day: the due date moves to Monday 2028-01-03.
    period = make_period(Month(2028, 1), months_per_period=12, settings=SETTINGS, due_day=1)
    assert period.due_date == date(2028, 1, 3)


def test_due_day_clamped_to_month_end():
    period = make_period(Month(2026, 2), months_per_period=1, settings=SETTINGS, due_day=31)
    # February 28, 2026 is a Saturday, so the clamped due date rolls to Monday March 2.
    assert period.due_date == date(2026, 3, 2)


def test_no_period_before_issue_date():
    periods = periods_due(first_month=Month(2026, 5), months_per_period=1, as_of=date(2026, 4, 14), settings=SETTINGS, due_day=1)
    assert periods == []


def test_catch_up_lists_every_period():
    periods = periods_due(first_month=Month(2026, 1), months_per_period=1, as_of=date(2026, 3, 15), settings=SETTINGS, due_day=1)
    assert [str(period.first_month) for period in periods] == ["2026-01", "2026-02", "2026-03", "2026-04"]


def test_annual_period_is_twelve_months():
    period = make_period(Month(2027, 1), months_per_period=12, settings=SETTINGS, due_day=1)
    assert period.last_month == Month(2027, 12)
    assert len(period.month_list()) == 12


# Any start month and payment mode: periods tile the calendar in whole months, with no day
# billed twice or skipped, including across February 29.
@settings(max_examples=200, deadline=None)
@given(
    first_day=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 1)),
    months_per_period=st.sampled_from([1, 3, 6, 12]),
)
def test_periods_tile_whole_months(first_day: date, months_per_period: int):
    first_month = Month.of(first_day)
    periods = periods_due(
        first_month=first_month, months_per_period=months_per_period, as_of=date(2037, 12, 31), settings=SETTINGS, due_day=1
    )

    assert periods[0].start == first_month.first_day
    for period in periods:
        assert period.start.day == 1
        assert period.end == period.first_month.plus(months_per_period - 1).last_day
        assert len(period.month_list()) == months_per_period
        assert (period.end - period.start).days + 1 == sum(month.days for month in period.month_list())
    for earlier, later in zip(periods, periods[1:]):
        assert later.start == earlier.end + timedelta(days=1)
