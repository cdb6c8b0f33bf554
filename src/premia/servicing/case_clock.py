"""SLA clocks of stored cases: segments from case events, readings, deadlines and breach warnings.

The status events of a case are its clock: ``new`` and ``open`` run, ``waiting_on_member``
pauses, ``resolved`` and ``closed`` stop. The first-response clock stops at the first
response; the resolution clock runs until the case is resolved and resumes on a reopen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from premia.infra.context import ServiceContext
from premia.servicing.config import ServicingConfig
from premia.servicing.model import CaseStatus
from premia.servicing.sla import (
    ClockPhase,
    ClockReading,
    ClockSegment,
    DeadlineView,
    deadline,
    read_clock,
    view_deadline,
)
from premia.servicing.tables import CaseEvent, ServiceCase
from premia.staff.permissions import Permission

CLOCK_PHASES: dict[CaseStatus, ClockPhase] = {
    CaseStatus.NEW: ClockPhase.RUNNING,
    CaseStatus.OPEN: ClockPhase.RUNNING,
    CaseStatus.WAITING_ON_MEMBER: ClockPhase.PAUSED,
    CaseStatus.RESOLVED: ClockPhase.STOPPED,
    CaseStatus.CLOSED: ClockPhase.STOPPED,
}
RUNNING_STATUSES = [status.value for status, phase in CLOCK_PHASES.items() if phase is ClockPhase.RUNNING]


def segments_of(status_changes: Sequence[tuple[datetime, CaseStatus]]) -> list[ClockSegment]:
    """Turn status changes, oldest first, into clock segments; changes within one phase merge."""
    segments: list[ClockSegment] = []
    for at, status in status_changes:
        phase = CLOCK_PHASES[CaseStatus(status)]
        if segments and segments[-1].phase is phase:
            continue
        if segments:
            segments[-1] = ClockSegment(segments[-1].phase, segments[-1].start, at)
        segments.append(ClockSegment(phase, at))
    return segments


def until_first_response(
    segments: Sequence[ClockSegment], responded_at: datetime | None
) -> list[ClockSegment]:
    """Cut the segments at the first response, which stops the first-response clock.

    The segment the response fell in is left open-ended, so the deadline computed from the
    result is the one that was in force when the response came.
    """
    if responded_at is None:
        return list(segments)
    kept = [segment for segment in segments if segment.start < responded_at]
    if kept:
        kept[-1] = ClockSegment(kept[-1].phase, kept[-1].start)
    return kept


def load_segments(ctx: ServiceContext, case: ServiceCase) -> list[ClockSegment]:
    rows = ctx.session.execute(
        select(CaseEvent.occurred_at, CaseEvent.to_status)
        .where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.occurred_at, CaseEvent.id)
    ).all()
    return segments_of([(at, CaseStatus(status)) for at, status in rows])


def refresh_due_dates(ctx: ServiceContext, case: ServiceCase, config: ServicingConfig) -> None:
    """Store the current deadlines on the case for sorting; None where the clock is not running."""
    hours = config.hours_of(case.queue)
    segments = load_segments(ctx, case)
    first_segments = until_first_response(segments, case.first_response_at)
    case.first_response_due_at = deadline(
        hours, first_segments, target=timedelta(minutes=case.first_response_minutes)
    )
    resolution_due = deadline(hours, segments, target=timedelta(minutes=case.resolution_minutes))
    running = CLOCK_PHASES[CaseStatus(case.status)] is ClockPhase.RUNNING
    case.resolution_due_at = resolution_due if running else None


@dataclass(frozen=True)
class ClockReport:
    """One clock of a case as a viewer sees it."""

    name: str
    reading: ClockReading
    deadline_view: DeadlineView | None
    met: bool | None

    def to_dict(self) -> dict[str, Any]:
        reading = self.reading
        view = self.deadline_view
        return {
            "clock": self.name,
            "phase": reading.phase.value,
            "target_minutes": _minutes(reading.target),
            "sla_minutes": _minutes(reading.sla_time),
            "paused_minutes": _minutes(reading.paused_time),
            "total_minutes": _minutes(reading.total_time),
            "deadline": reading.deadline.isoformat() if reading.deadline else None,
            "deadline_local": view.label if view else None,
            "due": view.text if view and reading.phase is ClockPhase.RUNNING else None,
            "breached": reading.breached
            or (view.breached if view and reading.phase is ClockPhase.RUNNING else False),
            "met": self.met,
        }


def read_case_clocks(
    ctx: ServiceContext,
    case: ServiceCase,
    *,
    config: ServicingConfig,
    at: datetime,
    viewer_zone: str,
) -> list[ClockReport]:
    """Read the first-response and resolution clocks of a case at ``at``.

    Deadlines are shown in ``viewer_zone``.
    """
    hours = config.hours_of(case.queue)
    segments = load_segments(ctx, case)

    first_target = timedelta(minutes=case.first_response_minutes)
    responded_at = case.first_response_at
    first_segments = until_first_response(segments, responded_at)
    if responded_at is None or responded_at > at:
        first = read_clock(hours, first_segments, target=first_target, at=at)
        first_met = None
    else:
        first = replace(
            read_clock(hours, first_segments, target=first_target, at=responded_at),
            at=at,
            phase=ClockPhase.STOPPED,
        )
        first_met = not first.breached

    resolution_target = timedelta(minutes=case.resolution_minutes)
    resolution = read_clock(hours, segments, target=resolution_target, at=at)
    resolved = CaseStatus(case.status) in {CaseStatus.RESOLVED, CaseStatus.CLOSED}
    resolution_met = not resolution.breached if resolved else None

    return [
        ClockReport("first_response", first, _view(first, at, viewer_zone), first_met),
        ClockReport("resolution", resolution, _view(resolution, at, viewer_zone), resolution_met),
    ]


@dataclass(frozen=True)
class BreachWarning:
    """A running clock that has breached or will breach within the warning window."""

    case_number: str
    clock: str
    queue: str
    owner: str | None
    priority: str
    deadline: datetime
    minutes_left: int

    @property
    def breached(self) -> bool:
        return self.minutes_left < 0

    def to_dict(self) -> dict[str, Any]:
        data = dict(vars(self))
        data["deadline"] = self.deadline.isoformat()
        data["breached"] = self.breached
        return data


def breach_warnings(
    ctx: ServiceContext,
    *,
    config: ServicingConfig,
    at: datetime,
    within: timedelta | None = None,
    queue: str | None = None,
) -> list[BreachWarning]:
    """Running clocks due within ``within`` of ``at`` or already past due, soonest first."""
    ctx.require(Permission.CASES_SUPERVISE)
    window = config.breach_warning_window if within is None else within
    query = select(ServiceCase).where(ServiceCase.status.in_(RUNNING_STATUSES)).order_by(ServiceCase.id)
    if queue:
        query = query.where(ServiceCase.queue == queue)
    warnings: list[BreachWarning] = []
    for case in ctx.session.scalars(query):
        hours = config.hours_of(case.queue)
        segments = load_segments(ctx, case)
        due_dates = {
            "resolution": deadline(hours, segments, target=timedelta(minutes=case.resolution_minutes))
        }
        if case.first_response_at is None:
            due_dates["first_response"] = deadline(
                hours, segments, target=timedelta(minutes=case.first_response_minutes)
            )
        for clock, due in due_dates.items():
            if due is None or due - at > window:
                continue
            minutes_left = int((due - at).total_seconds() // 60)
            warnings.append(
                BreachWarning(
                    case.case_number, clock, case.queue, case.owner, case.priority, due, minutes_left
                )
            )
    warnings.sort(key=lambda warning: (warning.deadline, warning.case_number, warning.clock))
    return warnings


def _view(reading: ClockReading, at: datetime, viewer_zone: str) -> DeadlineView | None:
    if reading.deadline is None:
        return None
    return view_deadline(reading.deadline, now=at, viewer_zone=viewer_zone)


def _minutes(duration: timedelta) -> int:
    return int(duration.total_seconds() // 60)
