"""Clocks are passed in, never read deep inside a rule.

Services receive a :class:`Clock` for audit timestamps; batch jobs receive an as-of date.
Tests use :class:`FixedClock` to run the same story on any day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """Current instant, time-zone aware, in UTC."""
        ...


class FixedClock:
    """A clock that always returns the instant it was built with."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.instant = instant.astimezone(UTC)

    def now(self) -> datetime:
        return self.instant


def today_in(clock: Clock, time_zone: str) -> date:
    """The carrier-local calendar date at the clock's instant."""
    return clock.now().astimezone(ZoneInfo(time_zone)).date()
