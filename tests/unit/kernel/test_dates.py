"""Coverage months, inclusive spans, month arithmetic from an anchor, terms, ages and local dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from premia.kernel.dates import DateSpan, Month, add_months, age_on, local_date, one_year_term, parse_date, utc
from premia.kernel.errors import ValidationError


def test_month_days_and_ends() -> None:
    february = Month(2028, 2)

    assert february.days == 29  # 2028 is a leap year
    assert february.first_day == date(2028, 2, 1)
    assert february.last_day == date(2028, 2, 29)
    assert Month(2026, 2).days == 28
    assert Month(2026, 4).last_day == date(2026, 4, 30)


def test_month_plus_crosses_years() -> None:
    assert Month(2026, 12).plus(1) == Month(2027, 1)
    assert Month(2026, 1).plus(-1) == Month(2025, 12)
    assert Month(2025, 9).plus(12) == Month(2026, 9)
    assert Month(2025, 9).plus(-21) == Month(2023, 12)


def test_month_order_and_index() -> None:
    assert Month(2025, 12) < Month(2026, 1)
    assert Month(2026, 3).index - Month(2025, 9).index == 6  # September to March
    assert Month.from_index(Month(2026, 3).index) == Month(2026, 3)


def test_month_of_and_str() -> None:
    assert Month.of(date(2026, 3, 31)) == Month(2026, 3)
    assert str(Month(2026, 3)) == "2026-03"


def test_month_span() -> None:
    span = Month(2025, 2).span

    assert span == DateSpan(date(2025, 2, 1), date(2025, 2, 28))
    assert span.days == 28


def test_month_parse() -> None:
    assert Month.parse("2026-03") == Month(2026, 3)
    assert Month.parse(" 2026-11 ") == Month(2026, 11)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026", "March 2026", "2026-03-01"])
def test_month_parse_invalid(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Month.parse(text, field="coverage_month")

    assert caught.value.field == "coverage_month"
    assert caught.value.value == text
    assert caught.value.code == "date.invalid_month"


def test_month_rejects_13() -> None:
    with pytest.raises(ValueError, match="1-12"):
        Month(2026, 13)


def test_span_one_day_is_one_day() -> None:
    # 2025-01-31..2025-01-31 covers January 31 itself, not zero days.
    assert DateSpan(date(2025, 1, 31), date(2025, 1, 31)).days == 1


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2025, 1, 1), date(2025, 1, 31), 31),
        (date(2025, 2, 1), date(2025, 2, 28), 28),
        (date(2025, 9, 1), date(2026, 8, 31), 365),  # no February 29 inside
        (date(2027, 3, 1), date(2028, 2, 29), 366),  # includes 2028-02-29
        (date(2025, 1, 31), date(2025, 2, 1), 2),
    ],
)
def test_span_days_inclusive(start: date, end: date, days: int) -> None:
    assert DateSpan(start, end).days == days


def test_span_end_before_start() -> None:
    with pytest.raises(ValueError, match="before its start"):
        DateSpan(date(2026, 3, 2), date(2026, 3, 1))


def test_open_span_has_no_day_count() -> None:
    span = DateSpan(date(2026, 3, 1))

    assert span.contains(date(2099, 1, 1))
    with pytest.raises(ValueError, match="open-ended"):
        _ = span.days


def test_span_contains_both_ends() -> None:
    span = DateSpan(date(2026, 3, 1), date(2026, 3, 31))

    assert span.contains(date(2026, 3, 1))
    assert span.contains(date(2026, 3, 31))
    assert not span.contains(date(2026, 2, 28))
    assert not span.contains(date(2026, 4, 1))


def test_span_intersect() -> None:
    coverage = DateSpan(date(2025, 1, 31), date(2025, 6, 30))

    assert coverage.intersect(Month(2025, 1).span) == DateSpan(date(2025, 1, 31), date(2025, 1, 31))
    assert coverage.intersect(Month(2025, 7).span) is None
    assert DateSpan(date(2025, 3, 15)).intersect(Month(2025, 3).span) == DateSpan(date(2025, 3, 15), date(2025, 3, 31))
    assert DateSpan(date(2025, 3, 15)).intersect(DateSpan(date(2025, 1, 1))) == DateSpan(date(2025, 3, 15))


def test_span_months() -> None:
    span = DateSpan(date(2025, 1, 31), date(2025, 3, 1))

    assert list(span.months()) == [Month(2025, 1), Month(2025, 2), Month(2025, 3)]


def test_add_months_from_31st_returns_to_31st() -> None:
    anchor = date(2025, 1, 31)

    ends = [add_months(anchor, months) for months in range(6)]

    # January 31, then February's last day, then back to the 31st (or the 30th in 30-day months).
    assert ends == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
        date(2025, 5, 31),
        date(2025, 6, 30),
    ]


def test_add_months_leap_and_backwards() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 31), -13) == date(2024, 2, 29)


def test_paid_through_steps_stay_on_month_end() -> None:
    # Month ends from a 2025-01-31 anchor after February go back to the 31st, not 28 -> 28 -> 28.
    anchor = date(2025, 1, 31)

    paid_through = [add_months(anchor, months) for months in (2, 3, 4)]

    assert paid_through == [date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31)]
    assert date(2025, 3, 28) not in paid_through


def test_one_year_term_ends_day_before_anniversary() -> None:
    term = one_year_term(date(2025, 9, 1))

    assert term.end == date(2026, 8, 31)
    assert term.days == 365
    assert not term.contains(date(2026, 9, 1))


def test_one_year_term_leap_variant() -> None:
    term = one_year_term(date(2027, 3, 1))

    assert term.end == date(2028, 2, 29)
    assert term.days == 366


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)))
def test_one_year_terms_chain(start: date) -> None:
    term = one_year_term(start)
    anniversary = add_months(start, 12)

    # The next term starts the day after this one ends: no gap, no shared day.
    assert term.end + timedelta(days=1) == anniversary
    assert term.days in (365, 366)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)), st.integers(-240, 240))
def test_add_months_keeps_anchor_day(anchor: date, months: int) -> None:
    result = add_months(anchor, months)
    target = Month.of(anchor).plus(months)

    assert Month.of(result) == target
    assert result.day == min(anchor.day, target.days)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1990, 4, 12), date(2025, 1, 1), 34),
        (date(1988, 3, 14), date(2025, 9, 1), 37),
        (date(1988, 3, 14), date(2026, 9, 1), 38),
        (date(1990, 4, 12), date(2026, 4, 12), 36),  # the birthday itself counts
        (date(1990, 4, 12), date(2026, 4, 11), 35),
        (date(2025, 1, 31), date(2025, 1, 31), 0),
    ],
)
def test_age_on(birth: date, on: date, age: int) -> None:
    assert age_on(birth, on) == age


def test_age_on_leap_birthday_in_common_year() -> None:
    birth = date(2008, 2, 29)

    # 2026 has no February 29, so the birthday counts from March 1.
    assert age_on(birth, date(2026, 2, 28)) == 17
    assert age_on(birth, date(2026, 3, 1)) == 18
    assert age_on(birth, date(2028, 2, 29)) == 20
    assert age_on(birth, date(2028, 2, 28)) == 19


def test_local_date_chicago_plan_year_edge() -> None:
    # 2026-09-01T04:30Z is 2026-08-31 23:30 CDT: still the 2025 plan year.
    assert local_date(datetime(2026, 9, 1, 4, 30, tzinfo=UTC), "America/Chicago") == date(2026, 8, 31)
    # 2026-09-01T05:30Z is 2026-09-01 00:30 CDT: the renewal plan year.
    assert local_date(datetime(2026, 9, 1, 5, 30, tzinfo=UTC), "America/Chicago") == date(2026, 9, 1)


def test_local_date_in_winter() -> None:
    # CST is UTC-6: 2026-01-01T05:59Z is still 2025-12-31 23:59 in Chicago.
    assert local_date(datetime(2026, 1, 1, 5, 59, tzinfo=UTC), "America/Chicago") == date(2025, 12, 31)
    assert local_date(datetime(2026, 1, 1, 6, 0, tzinfo=UTC), "America/Chicago") == date(2026, 1, 1)


def test_local_date_rejects_naive() -> None:
    with pytest.raises(ValueError, match="time zone"):
        local_date(datetime(2026, 9, 1, 4, 30), "America/Chicago")


def test_utc_normalises_offset() -> None:
    eastern = timezone(timedelta(hours=-4))

    assert utc(datetime(2026, 9, 1, 0, 30, tzinfo=eastern)) == datetime(2026, 9, 1, 4, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        utc(datetime(2026, 9, 1))


def test_parse_date() -> None:
    assert parse_date("2026-03-01") == date(2026, 3, 1)
    assert parse_date(" 2026-03-01 ") == date(2026, 3, 1)


@pytest.mark.parametrize("text", ["2026-02-30", "03/01/2026", "", "2026-3-1x"])
def test_parse_date_invalid(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_date(text, field="birth_date", record="person M1")

    assert caught.value.field == "birth_date"
    assert caught.value.value == text
    assert caught.value.record == "person M1"
    assert "birth_date" in caught.value.message
