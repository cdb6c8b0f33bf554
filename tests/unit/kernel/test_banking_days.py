"""Federal Reserve banking days for 2025-2030, written out by hand from the Reserve Banks' schedule.

Rule: the Reserve Banks close on the eleven federal holidays. A holiday on a Sunday closes the
Monday after. A holiday on a Saturday closes nothing, so the Friday before stays open.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from premia.kernel.banking_days import (
    add_banking_days,
    federal_holiday_observances,
    federal_holidays,
    federal_reserve_closures,
    is_banking_day,
    next_banking_day,
)

# (holiday, date it falls on, day the Reserve Banks close or None when it falls on a Saturday)
FED_HOLIDAYS: dict[int, list[tuple[str, date, date | None]]] = {
    2025: [
        ("New Year's Day", date(2025, 1, 1), date(2025, 1, 1)),  # Wed
        ("Martin Luther King, Jr.", date(2025, 1, 20), date(2025, 1, 20)),
        ("Washington's Birthday", date(2025, 2, 17), date(2025, 2, 17)),
        ("Memorial Day", date(2025, 5, 26), date(2025, 5, 26)),
        ("Juneteenth", date(2025, 6, 19), date(2025, 6, 19)),  # Thu
        ("Independence Day", date(2025, 7, 4), date(2025, 7, 4)),  # Fri
        ("Labor Day", date(2025, 9, 1), date(2025, 9, 1)),
        ("Columbus Day", date(2025, 10, 13), date(2025, 10, 13)),
        ("Veterans Day", date(2025, 11, 11), date(2025, 11, 11)),  # Tue
        ("Thanksgiving Day", date(2025, 11, 27), date(2025, 11, 27)),
        ("Christmas Day", date(2025, 12, 25), date(2025, 12, 25)),  # Thu
    ],
    2026: [
        ("New Year's Day", date(2026, 1, 1), date(2026, 1, 1)),  # Thu
        ("Martin Luther King, Jr.", date(2026, 1, 19), date(2026, 1, 19)),
        ("Washington's Birthday", date(2026, 2, 16), date(2026, 2, 16)),
        ("Memorial Day", date(2026, 5, 25), date(2026, 5, 25)),
        ("Juneteenth", date(2026, 6, 19), date(2026, 6, 19)),  # Fri
        ("Independence Day", date(2026, 7, 4), None),  # Sat: open Fri 7/3
        ("Labor Day", date(2026, 9, 7), date(2026, 9, 7)),
        ("Columbus Day", date(2026, 10, 12), date(2026, 10, 12)),
        ("Veterans Day", date(2026, 11, 11), date(2026, 11, 11)),  # Wed
        ("Thanksgiving Day", date(2026, 11, 26), date(2026, 11, 26)),
        ("Christmas Day", date(2026, 12, 25), date(2026, 12, 25)),  # Fri
    ],
    2027: [
        ("New Year's Day", date(2027, 1, 1), date(2027, 1, 1)),  # Fri
        ("Martin Luther King, Jr.", date(2027, 1, 18), date(2027, 1, 18)),
        ("Washington's Birthday", date(2027, 2, 15), date(2027, 2, 15)),
        ("Memorial Day", date(2027, 5, 31), date(2027, 5, 31)),
        ("Juneteenth", date(2027, 6, 19), None),  # Sat: open Fri 6/18
        ("Independence Day", date(2027, 7, 4), date(2027, 7, 5)),  # Sun: closed Mon 7/5
        ("Labor Day", date(2027, 9, 6), date(2027, 9, 6)),
        ("Columbus Day", date(2027, 10, 11), date(2027, 10, 11)),
        ("Veterans Day", date(2027, 11, 11), date(2027, 11, 11)),  # Thu
        ("Thanksgiving Day", date(2027, 11, 25), date(2027, 11, 25)),
        ("Christmas Day", date(2027, 12, 25), None),  # Sat: open Fri 12/24
    ],
    2028: [
        ("New Year's Day", date(2028, 1, 1), None),  # Sat: open Fri 2027-12-31
        ("Martin Luther King, Jr.", date(2028, 1, 17), date(2028, 1, 17)),
        ("Washington's Birthday", date(2028, 2, 21), date(2028, 2, 21)),
        ("Memorial Day", date(2028, 5, 29), date(2028, 5, 29)),
        ("Juneteenth", date(2028, 6, 19), date(2028, 6, 19)),  # Mon
        ("Independence Day", date(2028, 7, 4), date(2028, 7, 4)),  # Tue
        ("Labor Day", date(2028, 9, 4), date(2028, 9, 4)),
        ("Columbus Day", date(2028, 10, 9), date(2028, 10, 9)),
        ("Veterans Day", date(2028, 11, 11), None),  # Sat: open Fri 11/10
        ("Thanksgiving Day", date(2028, 11, 23), date(2028, 11, 23)),
        ("Christmas Day", date(2028, 12, 25), date(2028, 12, 25)),  # Mon
    ],
    2029: [
        ("New Year's Day", date(2029, 1, 1), date(2029, 1, 1)),  # Mon
        ("Martin Luther King, Jr.", date(2029, 1, 15), date(2029, 1, 15)),
        ("Washington's Birthday", date(2029, 2, 19), date(2029, 2, 19)),
        ("Memorial Day", date(2029, 5, 28), date(2029, 5, 28)),
        ("Juneteenth", date(2029, 6, 19), date(2029, 6, 19)),  # Tue
        ("Independence Day", date(2029, 7, 4), date(2029, 7, 4)),  # Wed
        ("Labor Day", date(2029, 9, 3), date(2029, 9, 3)),
        ("Columbus Day", date(2029, 10, 8), date(2029, 10, 8)),
        ("Veterans Day", date(2029, 11, 11), date(2029, 11, 12)),  # Sun: closed Mon 11/12
        ("Thanksgiving Day", date(2029, 11, 22), date(2029, 11, 22)),
        ("Christmas Day", date(2029, 12, 25), date(2029, 12, 25)),  # Tue
    ],
    2030: [
        ("New Year's Day", date(2030, 1, 1), date(2030, 1, 1)),  # Tue
        ("Martin Luther King, Jr.", date(2030, 1, 21), date(2030, 1, 21)),
        ("Washington's Birthday", date(2030, 2, 18), date(2030, 2, 18)),
        ("Memorial Day", date(2030, 5, 27), date(2030, 5, 27)),
        ("Juneteenth", date(2030, 6, 19), date(2030, 6, 19)),  # Wed
        ("Independence Day", date(2030, 7, 4), date(2030, 7, 4)),  # Thu
        ("Labor Day", date(2030, 9, 2), date(2030, 9, 2)),
        ("Columbus Day", date(2030, 10, 14), date(2030, 10, 14)),
        ("Veterans Day", date(2030, 11, 11), date(2030, 11, 11)),  # Mon
        ("Thanksgiving Day", date(2030, 11, 28), date(2030, 11, 28)),
        ("Christmas Day", date(2030, 12, 25), date(2030, 12, 25)),  # Wed
    ],
}
CLOSURES = frozenset(
    closed for holidays in FED_HOLIDAYS.values() for _, _, closed in holidays if closed is not None
)
SATURDAY_HOLIDAYS = [day for holidays in FED_HOLIDAYS.values() for _, day, closed in holidays if closed is None]
YEARS = sorted(FED_HOLIDAYS)


def _table_says_open(day: date) -> bool:
    return day.weekday() < 5 and day not in CLOSURES


def test_table_is_complete() -> None:
    for year in YEARS:
        assert len(FED_HOLIDAYS[year]) == 11
    assert len(SATURDAY_HOLIDAYS) == 5  # 2026-07-04, 2027-06-19, 2027-12-25, 2028-01-01, 2028-11-11


@pytest.mark.parametrize("year", YEARS)
def test_holiday_dates(year: int) -> None:
    expected = sorted(day for _, day, _ in FED_HOLIDAYS[year])

    assert sorted(federal_holidays(year)) == expected


@pytest.mark.parametrize("year", YEARS)
def test_reserve_closures(year: int) -> None:
    expected = {closed for _, _, closed in FED_HOLIDAYS[year] if closed is not None}

    assert set(federal_reserve_closures(year)) == expected


@pytest.mark.parametrize("holiday", SATURDAY_HOLIDAYS, ids=str)
def test_friday_before_saturday_holiday_open(holiday: date) -> None:
    friday = holiday - timedelta(days=1)

    assert is_banking_day(friday)
    assert not is_banking_day(holiday)


def test_monday_after_sunday_holiday_closed() -> None:
    assert not is_banking_day(date(2027, 7, 5))
    assert not is_banking_day(date(2029, 11, 12))
    assert is_banking_day(date(2027, 7, 6))
    assert is_banking_day(date(2029, 11, 13))


@pytest.mark.parametrize(
    ("scheduled", "rolled"),
    [
        (date(2026, 7, 4), date(2026, 7, 6)),  # Sat holiday: next banking day is Monday
        (date(2026, 11, 11), date(2026, 11, 12)),  # Wed Veterans Day -> Thursday
        (date(2027, 7, 4), date(2027, 7, 6)),  # Sun holiday, Monday closure -> Tuesday
        (date(2026, 7, 3), date(2026, 7, 3)),  # Friday before a Saturday holiday is a banking day
        (date(2028, 1, 1), date(2028, 1, 3)),  # Sat New Year's Day -> Monday
        (date(2029, 1, 1), date(2029, 1, 2)),  # Mon New Year's Day -> Tuesday
        (date(2025, 3, 1), date(2025, 3, 3)),  # Saturday due date -> Monday
        (date(2025, 6, 1), date(2025, 6, 2)),  # Sunday due date -> Monday
        (date(2025, 11, 27), date(2025, 11, 28)),  # Thanksgiving -> Friday
        (date(2026, 1, 14), date(2026, 1, 14)),  # an ordinary Wednesday stays
    ],
)
def test_next_banking_day_rolls(scheduled: date, rolled: date) -> None:
    assert next_banking_day(scheduled) == rolled


def test_add_banking_days() -> None:
    # Thu 2026-12-24 + 1 banking day skips Christmas (Fri) and the weekend: Mon 12-28.
    assert add_banking_days(date(2026, 12, 24), 1) == date(2026, 12, 28)
    # Fri 2027-07-02 + 2 skips the weekend and the Monday 07-05 closure: Tue 07-06, Wed 07-07.
    assert add_banking_days(date(2027, 7, 2), 2) == date(2027, 7, 7)
    assert add_banking_days(date(2026, 3, 2), 0) == date(2026, 3, 2)


def test_add_banking_days_rejects_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_banking_days(date(2026, 3, 2), -1)


def test_federal_observances_move_saturday_to_friday() -> None:
    # Federal offices, unlike the Reserve Banks, observe a Saturday holiday on the Friday before.
    assert date(2026, 7, 3) in federal_holiday_observances(2026)
    assert date(2027, 7, 5) in federal_holiday_observances(2027)
    # New Year's Day 2028 (a Saturday) is observed on Friday 2027-12-31.
    assert date(2027, 12, 31) in federal_holiday_observances(2027)
    assert date(2028, 1, 1) not in federal_holiday_observances(2028)
    assert len(federal_holiday_observances(2027)) == 12  # 11 holidays plus 2028's New Year's Day


banking_window = st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 30))


@settings(max_examples=300, deadline=None)
@given(banking_window)
def test_is_banking_day_matches_table(day: date) -> None:
    assert is_banking_day(day) == _table_says_open(day)


@settings(max_examples=300, deadline=None)
@given(banking_window)
def test_next_banking_day_matches_table(day: date) -> None:
    rolled = next_banking_day(day)

    assert rolled >= day
    assert rolled.weekday() < 5
    assert rolled not in CLOSURES
    skipped = day
    while skipped < rolled:
        assert not _table_says_open(skipped)
        skipped += timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 11, 30)), st.integers(min_value=0, max_value=15))
def test_add_banking_days_counts_open_days(day: date, count: int) -> None:
    result = add_banking_days(day, count)

    open_days = 0
    current = day
    while current < result:
        current += timedelta(days=1)
        if _table_says_open(current):
            open_days += 1
    assert open_days == count
    assert count == 0 or _table_says_open(result)
