"""Carrier-local calendar dates, inclusive date spans and coverage months.

Coverage and billing work in calendar dates in the carrier's time zone. A span includes both
its start and its end, so a span whose start equals its end is one covered day. Month
arithmetic counts whole months from an anchor instead of chaining date additions, so a
schedule anchored on the 31st returns to the 31st after February.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from premia.kernel.errors import ValidationError


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, such as a coverage month or a billing month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1-12, got {self.month}")

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str, *, field: str = "month") -> Month:
        """Parse ``YYYY-MM``."""
        try:
            year_text, month_text = text.strip().split("-")
            return cls(int(year_text), int(month_text))
        except ValueError as exc:
            raise ValidationError(
                code="date.invalid_month",
                message=f"{field} {text!r} is not a month.",
                field=field,
                value=text,
                hint="Write the month as YYYY-MM, for example 2026-03.",
            ) from exc

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, self.days)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def span(self) -> DateSpan:
        return DateSpan(self.first_day, self.last_day)

    @property
    def index(self) -> int:
        """Months since year 0, so that month differences are plain subtraction."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    def plus(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class DateSpan:
    """An inclusive range of calendar dates; ``end`` None means open-ended."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"span end {self.end} is before its start {self.start}")

    @property
    def days(self) -> int:
        """Number of days in the span, counting both ends."""
        if self.end is None:
            raise ValueError("an open-ended span has no day count")
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def intersect(self, other: DateSpan) -> DateSpan | None:
        start = max(self.start, other.start)
        ends = [end for end in (self.end, other.end) if end is not None]
        end = min(ends) if ends else None
        if end is not None and end < start:
            return None
        return DateSpan(start, end)

    def months(self) -> Iterator[Month]:
        """Yield each calendar month the span touches, in order."""
        if self.end is None:
            raise ValueError("cannot list the months of an open-ended span")
        current = Month.of(self.start)
        last = Month.of(self.end)
        while current <= last:
            yield current
            current = current.plus(1)


def add_months(anchor: date, months: int) -> date:
    """Return the date ``months`` after ``anchor`` on the anchor's day, clamped to month end.

    Always compute from the original anchor: ``add_months(jan31, 2)`` is March 31, whereas
    chaining ``add_months(add_months(jan31, 1), 1)`` would drift to March 28.
    """
    target = Month.of(anchor).plus(months)
    return date(target.year, target.month, min(anchor.day, target.days))


def one_year_term(start: date) -> DateSpan:
    """Return the inclusive one-year term from ``start``: it ends the day before the anniversary."""
    return DateSpan(start, add_months(start, 12) - timedelta(days=1))


def age_on(birth_date: date, on: date) -> int:
    """Age in whole years on ``on``. A February 29 birthday counts from March 1 in common years."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def local_date(moment: datetime, time_zone: str | ZoneInfo) -> date:
    """Return the carrier-local calendar date of a timestamp; naive timestamps are rejected."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must carry a time zone; Premia stores UTC")
    zone = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(time_zone)
    return moment.astimezone(zone).date()


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("timestamps must carry a time zone; Premia stores UTC")
    return moment.astimezone(UTC)


def parse_date(text: str, *, field: str = "date", record: str | None = None) -> date:
    """Parse an ISO ``YYYY-MM-DD`` date with an error that names the field."""
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError) as exc:
        raise ValidationError(
            code="date.invalid",
            message=f"{field} {text!r} is not a valid date.",
            record=record,
            field=field,
            value=text,
            hint="Write dates as YYYY-MM-DD, for example 2026-03-01.",
        ) from exc
