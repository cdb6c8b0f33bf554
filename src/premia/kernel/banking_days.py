"""Federal Reserve banking days: the calendar that ACH settlement and due dates roll on.

The Reserve Banks close on the eleven federal legal public holidays (5 U.S.C. 6103). A holiday
that falls on a Sunday closes the following Monday; a holiday that falls on a Saturday is not
moved, so the Friday before stays a banking day. Federal offices, by contrast, observe a
Saturday holiday on the Friday (OPM rule); :func:`federal_holiday_observances` gives that
calendar for business-hour clocks.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

SATURDAY = 5
SUNDAY = 6


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (nth - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def federal_holidays(year: int) -> dict[date, str]:
    """The eleven federal legal public holidays of ``year`` on their actual dates."""
    monday, thursday = 0, 3
    holidays = {
        date(year, 1, 1): "New Year's Day",
        _nth_weekday(year, 1, monday, 3): "Birthday of Martin Luther King, Jr.",
        _nth_weekday(year, 2, monday, 3): "Washington's Birthday",
        _last_weekday(year, 5, monday): "Memorial Day",
        date(year, 6, 19): "Juneteenth National Independence Day",
        date(year, 7, 4): "Independence Day",
        _nth_weekday(year, 9, monday, 1): "Labor Day",
        _nth_weekday(year, 10, monday, 2): "Columbus Day",
        date(year, 11, 11): "Veterans Day",
        _nth_weekday(year, 11, thursday, 4): "Thanksgiving Day",
        date(year, 12, 25): "Christmas Day",
    }
    return dict(sorted(holidays.items()))


@lru_cache(maxsize=64)
def federal_reserve_closures(year: int) -> frozenset[date]:
    """Days in ``year`` when the Reserve Banks are closed for a holiday (weekends excluded)."""
    closures: set[date] = set()
    for holiday in federal_holidays(year):
        if holiday.weekday() == SUNDAY:
            closures.add(holiday + timedelta(days=1))
        elif holiday.weekday() != SATURDAY:
            closures.add(holiday)
    return frozenset(closures)


@lru_cache(maxsize=64)
def federal_holiday_observances(year: int) -> frozenset[date]:
    """Days federal offices close: Saturday holidays move to Friday, Sunday ones to Monday.

    New Year's Day on a Saturday is observed on December 31 of the year before, so that
    date appears in the calendar of the earlier year.
    """
    observed: set[date] = set()
    for candidate_year in (year, year + 1):
        for holiday in federal_holidays(candidate_year):
            if holiday.weekday() == SATURDAY:
                holiday -= timedelta(days=1)
            elif holiday.weekday() == SUNDAY:
                holiday += timedelta(days=1)
            if holiday.year == year:
                observed.add(holiday)
    return frozenset(observed)


def is_banking_day(day: date) -> bool:
    return day.weekday() < SATURDAY and day not in federal_reserve_closures(day.year)


def next_banking_day(day: date) -> date:
    """Return ``day`` if it is a banking day, else the next one (the roll for due and ACH dates)."""
    while not is_banking_day(day):
        day += timedelta(days=1)
    return day


def add_banking_days(day: date, count: int) -> date:
    """Return the banking day ``count`` banking days after ``day`` (``count`` >= 0)."""
    if count < 0:
        raise ValueError("count must not be negative")
    current = day
    remaining = count
    while remaining:
        current += timedelta(days=1)
        if is_banking_day(current):
            remaining -= 1
    return current
