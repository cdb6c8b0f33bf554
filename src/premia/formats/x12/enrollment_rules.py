"""Decisions an importer takes from an 834 member: cancellation or termination.

A cancellation means coverage never took effect, so no premium is owed and everything paid
is refunded. A termination ends coverage that did take effect, and premium is owed through
the end date. An 834 sends both as maintenance type 024 and signals a cancellation with an
end date on or before the start date. Premia records a cancellation as a status, never as
a span whose end equals its start, because spans include both ends and such a span would
be one covered day.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import NamedTuple

from premia.formats.x12.codes import MaintenanceType
from premia.formats.x12.enrollment_records import Member834


class CoverageEndKind(StrEnum):
    CANCELLATION = "cancellation"
    TERMINATION = "termination"


class CoverageEnd(NamedTuple):
    """The end of an 834 member's coverage: a cancellation or a termination.

    ``last_covered_day`` is the end date sent for a termination and None for a
    cancellation, which voids coverage from its start. ``start`` is the start date the
    decision compared against, when one was known.
    """

    kind: CoverageEndKind
    last_covered_day: date | None
    start: date | None


def coverage_end(member: Member834, *, coverage_start: date | None = None) -> CoverageEnd | None:
    """Return how ``member``'s coverage ends, or None when the member is not a 024 change.

    The end date is DTP*357 (eligibility end), else the latest DTP*349 (benefit end) of the
    coverage lines. ``coverage_start`` is the start date Premia stores for the coverage; without
    it the earliest DTP*348 (benefit begin) or DTP*356 (eligibility begin) of the file is
    used. With no start date at all, nothing shows a cancellation, so the result is a
    termination.
    """
    if member.maintenance_type is not MaintenanceType.CANCELLATION_OR_TERMINATION:
        return None
    end = member.eligibility_end or _latest([coverage.end for coverage in member.coverages])
    start = (
        coverage_start
        or _earliest([coverage.begin for coverage in member.coverages])
        or member.eligibility_begin
    )
    if end is None:
        # The reader rejects a 024 member without an end date, so only a record built by
        # hand gets here.
        raise ValueError(f"member at segment {member.position} ends coverage (INS03 024) without an end date")
    if start is not None and end <= start:
        return CoverageEnd(CoverageEndKind.CANCELLATION, None, start)
    return CoverageEnd(CoverageEndKind.TERMINATION, end, start)


def _latest(days: list[date | None]) -> date | None:
    known = [day for day in days if day is not None]
    return max(known) if known else None


def _earliest(days: list[date | None]) -> date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None
