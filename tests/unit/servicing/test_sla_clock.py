"""The business-hours clock across weekends, holidays, daylight-saving changes, pauses and reopens."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from premia.servicing.sla import (
    BusinessHours,
    ClockPhase,
    ClockSegment,
    add_business_time,
    business_time,
    deadline,
    read_clock,
    view_deadline,
)

CHICAGO = "America/Chicago"
BILLING_QUEUE = BusinessHours(CHICAGO, time(9, 0), time(17, 0))
DISPUTE_QUEUE = BusinessHours(CHICAGO, time(8, 0), time(17, 0))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_deadline_crosses_weekend_and_dst() -> None:
    # Friday 2026-03-06 16:30 CST = 22:30Z; 30 minutes Friday, 30 minutes from Monday 09:00 CDT
    due = add_business_time(BILLING_QUEUE, utc(2026, 3, 6, 22, 30), timedelta(hours=1))

    assert due == utc(2026, 3, 9, 14, 30)
    assert due != utc(2026, 3, 6, 23, 30)  # wall clock without business hours
    assert due != utc(2026, 3, 9, 15, 30)  # Monday opening read with Friday's UTC-6 offset


def test_reply_before_deadline_meets_target() -> None:
    segments = [
        ClockSegment(ClockPhase.RUNNING, utc(2026, 3, 6, 22, 30), utc(2026, 3, 9, 14, 20)),
        ClockSegment(ClockPhase.STOPPED, utc(2026, 3, 9, 14, 20)),
    ]

    reading = read_clock(BILLING_QUEUE, segments, target=timedelta(hours=1), at=utc(2026, 3, 9, 16, 0))

    # Friday 16:30-17:00 CST (30 min) + Monday 09:00-09:20 CDT (20 min) = 50 min
    assert reading.sla_time == timedelta(minutes=50)
    assert not reading.breached
    assert reading.phase is ClockPhase.STOPPED


def test_deadline_skips_mlk_day() -> None:
    # Friday 2026-01-16 15:00 CST = 21:00Z; 2 h Friday, Monday 01-19 is MLK Day, 2 h Tuesday
    due = add_business_time(BILLING_QUEUE, utc(2026, 1, 16, 21, 0), timedelta(hours=4))

    assert due == utc(2026, 1, 20, 17, 0)
    assert due != utc(2026, 1, 19, 17, 0)


def test_deadline_crosses_dst_end() -> None:
    # Friday 2026-10-30 16:30 CDT = 21:30Z; DST ends Sunday 11-01; Monday 09:30 CST = 15:30Z
    due = add_business_time(BILLING_QUEUE, utc(2026, 10, 30, 21, 30), timedelta(hours=1))

    assert due == utc(2026, 11, 2, 15, 30)


def test_saturday_holiday_closes_friday() -> None:
    # 2026-07-04 is a Saturday, observed Friday 07-03; Thursday 16:00 CDT + 2 h = 1 h Thursday + 1 h Monday
    due = add_business_time(BILLING_QUEUE, utc(2026, 7, 2, 21, 0), timedelta(hours=2))

    assert due == utc(2026, 7, 6, 15, 0)


def test_business_time_over_weekend() -> None:
    # Friday 2026-03-13 16:00 CDT to Monday 03-16 10:00 CDT: 1 h + 1 h
    assert business_time(BILLING_QUEUE, utc(2026, 3, 13, 21, 0), utc(2026, 3, 16, 15, 0)) == timedelta(
        hours=2
    )


def test_duration_ending_at_close_returns_close() -> None:
    # Monday 2026-03-16 09:00 CDT + 8 h ends at 17:00 CDT the same day, not the next opening
    assert add_business_time(BILLING_QUEUE, utc(2026, 3, 16, 14, 0), timedelta(hours=8)) == utc(
        2026, 3, 16, 22, 0
    )


def test_start_outside_hours_begins_at_opening() -> None:
    # Saturday 2026-03-14 noon; the clock starts Monday 09:00 CDT = 14:00Z
    assert add_business_time(BILLING_QUEUE, utc(2026, 3, 14, 17, 0), timedelta(minutes=15)) == utc(
        2026, 3, 16, 14, 15
    )


def test_deadline_in_viewer_zones() -> None:
    # Wednesday 2026-04-01 13:30 CDT = 18:30Z + 30 business minutes = 14:00 CDT = 19:00Z
    due = add_business_time(DISPUTE_QUEUE, utc(2026, 4, 1, 18, 30), timedelta(minutes=30))
    new_york = view_deadline(due, now=utc(2026, 4, 1, 18, 40), viewer_zone="America/New_York")
    los_angeles = view_deadline(due, now=utc(2026, 4, 1, 18, 40), viewer_zone="America/Los_Angeles")

    assert due == utc(2026, 4, 1, 19, 0)
    assert new_york.label == "2026-04-01 15:00 EDT"
    assert los_angeles.label == "2026-04-01 12:00 PDT"
    assert new_york.minutes_left == 20
    assert los_angeles.minutes_left == 20
    assert new_york.text == "due in 20 minutes"
    assert not new_york.breached
    assert not los_angeles.breached


def test_deadline_breached_in_every_zone() -> None:
    after = view_deadline(
        utc(2026, 4, 1, 19, 0), now=utc(2026, 4, 1, 19, 10), viewer_zone="America/Los_Angeles"
    )

    assert after.breached
    assert after.text == "overdue by 10 minutes"


def test_half_minute_late_is_overdue() -> None:
    late = view_deadline(utc(2026, 4, 1, 19, 0), now=utc(2026, 4, 1, 19, 0, 30), viewer_zone=CHICAGO)

    assert late.breached


def test_paused_time_excluded_from_sla() -> None:
    # Created Wed 2026-04-01 10:00 CDT, waiting on member from 12:00, resolved Mon 04-06 12:00 CDT
    segments = [
        ClockSegment(ClockPhase.RUNNING, utc(2026, 4, 1, 15, 0), utc(2026, 4, 1, 17, 0)),
        ClockSegment(ClockPhase.PAUSED, utc(2026, 4, 1, 17, 0), utc(2026, 4, 6, 17, 0)),
        ClockSegment(ClockPhase.STOPPED, utc(2026, 4, 6, 17, 0)),
    ]

    reading = read_clock(DISPUTE_QUEUE, segments, target=timedelta(hours=16), at=utc(2026, 4, 6, 17, 0))

    assert reading.sla_time == timedelta(hours=2)
    # Wed 12:00-17:00 (5) + Thu (9) + Fri (9) + Mon 08:00-12:00 (4) = 27
    assert reading.paused_time == timedelta(hours=27)
    # 2 + 27 = 29
    assert reading.total_time == timedelta(hours=29)
    assert not reading.breached
    assert reading.deadline is None


def test_reopened_case_skips_closed_time() -> None:
    # Mon 2026-03-02 09:00-12:00 CST worked, resolved until Wed 03-04 10:00 CST, then 2 h more
    segments = [
        ClockSegment(ClockPhase.RUNNING, utc(2026, 3, 2, 15, 0), utc(2026, 3, 2, 18, 0)),
        ClockSegment(ClockPhase.STOPPED, utc(2026, 3, 2, 18, 0), utc(2026, 3, 4, 16, 0)),
        ClockSegment(ClockPhase.RUNNING, utc(2026, 3, 4, 16, 0), utc(2026, 3, 4, 18, 0)),
        ClockSegment(ClockPhase.STOPPED, utc(2026, 3, 4, 18, 0)),
    ]

    reading = read_clock(BILLING_QUEUE, segments, target=timedelta(hours=8), at=utc(2026, 3, 5, 15, 0))

    # 3 h + 2 h = 5 h; the day and a half resolved counts nowhere
    assert reading.sla_time == timedelta(hours=5)
    assert reading.total_time == timedelta(hours=5)


def test_deadline_after_reopen_resumes_remaining() -> None:
    # 3 h used before resolution; reopened Wed 2026-03-04 10:00 CST with 5 h left -> 15:00 CST = 21:00Z
    segments = [
        ClockSegment(ClockPhase.RUNNING, utc(2026, 3, 2, 15, 0), utc(2026, 3, 2, 18, 0)),
        ClockSegment(ClockPhase.STOPPED, utc(2026, 3, 2, 18, 0), utc(2026, 3, 4, 16, 0)),
        ClockSegment(ClockPhase.RUNNING, utc(2026, 3, 4, 16, 0)),
    ]

    assert deadline(BILLING_QUEUE, segments, target=timedelta(hours=8)) == utc(2026, 3, 4, 21, 0)


def test_running_past_target_is_breached() -> None:
    segments = [ClockSegment(ClockPhase.RUNNING, utc(2026, 3, 2, 15, 0))]

    reading = read_clock(BILLING_QUEUE, segments, target=timedelta(hours=1), at=utc(2026, 3, 2, 17, 0))

    # Monday 09:00-11:00 CST = 2 h against a 1 h target
    assert reading.breached
    assert reading.deadline == utc(2026, 3, 2, 16, 0)


@pytest.mark.parametrize(
    ("opens", "closes", "weekdays", "zone"),
    [
        (time(17), time(9), frozenset(range(5)), CHICAGO),
        (time(9), time(17), frozenset(), CHICAGO),
        (time(9), time(17), frozenset({7}), CHICAGO),
        (time(9), time(17), frozenset(range(5)), "Mars/Olympus"),
    ],
)
def test_invalid_hours_rejected(opens: time, closes: time, weekdays: frozenset[int], zone: str) -> None:
    with pytest.raises(ValueError):
        BusinessHours(zone, opens, closes, weekdays=weekdays)


def test_naive_datetime_rejected() -> None:
    with pytest.raises(ValueError, match="naive"):
        add_business_time(BILLING_QUEUE, datetime(2026, 3, 2, 9, 0), timedelta(hours=1))


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(min_value=0, max_value=60 * 80),
)
def test_adding_then_measuring_round_trips(start: datetime, minutes: int) -> None:
    duration = timedelta(minutes=minutes)

    due = add_business_time(BILLING_QUEUE, start, duration)

    assert due >= start
    assert business_time(BILLING_QUEUE, start, due) == duration
