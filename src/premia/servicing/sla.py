"""The business-hours SLA clock (pure: no database, no wall clock).

A queue works fixed local hours on its working days in the carrier's time zone and closes
on federal holidays as federal offices observe them (a Saturday holiday on the Friday
before, a Sunday one on the Monday after). Each working day's opening and closing times
are built as local times and converted to UTC one day at a time, so a daylight-saving
change between two days moves the UTC instants as it should.

A case's clock is a list of segments, each running, paused or stopped. Running time counts
towards the SLA target. Paused time (waiting on the member) is reported but not counted.
Stopped time (resolved or closed, until a reopen) is counted nowhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from premia.kernel.banking_days import federal_holiday_observances

MONDAY_TO_FRIDAY = frozenset(range(5))
ZERO = timedelta(0)
# No queue is closed for ten years in a row; the limit turns a calendar mistake into an error.
MAX_DAYS_SEARCHED = 3660


@dataclass(frozen=True)
class BusinessHours:
    """When one queue works: local opening and closing times on its working days.

    ``weekdays`` uses Python's numbering (Monday 0 to Sunday 6). ``closed_days`` adds
    carrier-specific closures to the federal holidays.
    """

    time_zone: str
    opens: time
    closes: time
    weekdays: frozenset[int] = MONDAY_TO_FRIDAY
    federal_holidays: bool = True
    closed_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {self.time_zone!r}; use an IANA name such as America/Chicago"
            ) from exc
        if self.opens >= self.closes:
            raise ValueError(
                f"business hours must open before they close (got {self.opens} to {self.closes})"
            )
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError(
                f"weekdays must be a non-empty set of 0 (Monday) to 6 (Sunday), got {sorted(self.weekdays)}"
            )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_working_day(self, day: date) -> bool:
        if day.weekday() not in self.weekdays or day in self.closed_days:
            return False
        return not (self.federal_holidays and day in federal_holiday_observances(day.year))

    def window(self, day: date) -> tuple[datetime, datetime]:
        """Return the day's opening and closing instants in UTC."""
        zone = self.zone
        opening = datetime.combine(day, self.opens, tzinfo=zone).astimezone(UTC)
        closing = datetime.combine(day, self.closes, tzinfo=zone).astimezone(UTC)
        return opening, closing

    def local_date(self, moment: datetime) -> date:
        return _aware(moment).astimezone(self.zone).date()


def business_time(hours: BusinessHours, start: datetime, end: datetime) -> timedelta:
    """Working time between two instants; zero when ``end`` is not after ``start``."""
    start, end = _aware(start), _aware(end)
    if end <= start:
        return ZERO
    total = ZERO
    for opening, closing in _windows(hours, start):
        if opening >= end:
            break
        total += max(ZERO, min(closing, end) - max(opening, start))
    return total


def add_business_time(hours: BusinessHours, start: datetime, duration: timedelta) -> datetime:
    """Return the earliest instant at which ``duration`` of working time has passed since ``start``.

    A duration that ends exactly at closing time returns the closing time, not the next
    opening. A zero duration returns ``start`` itself.
    """
    start = _aware(start)
    if duration < ZERO:
        raise ValueError(f"duration must not be negative, got {duration}")
    if duration == ZERO:
        return start
    remaining = duration
    for opening, closing in _windows(hours, start):
        begin = max(opening, start)
        available = closing - begin
        if available <= ZERO:
            continue
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("unreachable: _windows raises before running out")


def _windows(hours: BusinessHours, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working windows in UTC from the local day of ``start`` onwards, in order."""
    day = hours.local_date(start)
    for _ in range(MAX_DAYS_SEARCHED):
        if hours.is_working_day(day):
            yield hours.window(day)
        day += timedelta(days=1)
    raise ValueError(
        f"no working day within {MAX_DAYS_SEARCHED} days of {start.isoformat()}; check the queue's calendar"
    )


class ClockPhase(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


@dataclass(frozen=True)
class ClockSegment:
    """One stretch of a case's life in one phase; ``end`` is None for the current segment."""

    phase: ClockPhase
    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class ClockReading:
    """A case's clock at one instant, in business time.

    ``sla_time`` counts towards the target, and ``paused_time`` is time waiting on the member.
    ``deadline`` is when the target is (or was) reached while running. It is None while the
    clock is paused or stopped short of the target, because no instant can be named then.
    """

    at: datetime
    phase: ClockPhase
    target: timedelta
    sla_time: timedelta
    paused_time: timedelta
    deadline: datetime | None

    @property
    def total_time(self) -> timedelta:
        return self.sla_time + self.paused_time

    @property
    def remaining(self) -> timedelta:
        return self.target - self.sla_time

    @property
    def breached(self) -> bool:
        return self.sla_time > self.target


def read_clock(
    hours: BusinessHours, segments: Sequence[ClockSegment], *, target: timedelta, at: datetime
) -> ClockReading:
    """Measure the segments up to ``at`` and find the instant the target is reached."""
    at = _aware(at)
    sla_time = ZERO
    paused_time = ZERO
    phase = ClockPhase.STOPPED
    for segment in segments:
        if segment.start > at:
            break
        end = at if segment.end is None else min(segment.end, at)
        worked = business_time(hours, segment.start, end)
        if segment.phase is ClockPhase.RUNNING:
            sla_time += worked
        elif segment.phase is ClockPhase.PAUSED:
            paused_time += worked
        phase = segment.phase
    return ClockReading(
        at=at,
        phase=phase,
        target=target,
        sla_time=sla_time,
        paused_time=paused_time,
        deadline=deadline(hours, segments, target=target),
    )


def deadline(hours: BusinessHours, segments: Sequence[ClockSegment], *, target: timedelta) -> datetime | None:
    """Find the instant the running segments reach ``target``, or None if they never do.

    An open-ended running segment always reaches it, so a running case always has one.
    """
    spent = ZERO
    for segment in segments:
        if segment.phase is not ClockPhase.RUNNING:
            continue
        # An earlier segment that reached the target returned already, so spent < target here.
        reached = add_business_time(hours, segment.start, target - spent)
        if segment.end is None or reached <= segment.end:
            return reached
        spent += business_time(hours, segment.start, segment.end)
    return None


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as one viewer sees it: in their own time zone, with the wall-clock time left."""

    deadline: datetime
    viewer_zone: str
    local_time: datetime
    minutes_left: int

    @property
    def breached(self) -> bool:
        return self.minutes_left < 0

    @property
    def label(self) -> str:
        return self.local_time.strftime("%Y-%m-%d %H:%M %Z")

    @property
    def text(self) -> str:
        if self.breached:
            return f"overdue by {_duration_text(-self.minutes_left)}"
        return f"due in {_duration_text(self.minutes_left)}"


def view_deadline(deadline_at: datetime, *, now: datetime, viewer_zone: str) -> DeadlineView:
    """Show a stored UTC deadline in a viewer's zone; the time left does not depend on the zone."""
    deadline_at = _aware(deadline_at)
    seconds_left = (deadline_at - _aware(now)).total_seconds()
    # Whole minutes towards minus infinity, so 30 seconds late already shows as overdue.
    minutes_left = int(seconds_left // 60)
    return DeadlineView(
        deadline=deadline_at,
        viewer_zone=viewer_zone,
        local_time=deadline_at.astimezone(ZoneInfo(viewer_zone)),
        minutes_left=minutes_left,
    )


def _duration_text(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{minutes // 60} h {minutes % 60} min"


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(
            f"naive datetime {moment.isoformat()} given to the SLA clock; pass an aware UTC instant"
        )
    return moment.astimezone(UTC)
