"""Reading cases: the case view, lists, SLA clocks in a viewer's zone, and breach warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select

from premia.accounts.service import get_account_row
from premia.accounts.tables import BillingAccount, Person
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.errors import ValidationError
from premia.servicing import case_clock
from premia.servicing.case_clock import BreachWarning, ClockReport, read_case_clocks
from premia.servicing.cases import RECORD_TYPE, find_case
from premia.servicing.config import ServicingConfig, default_config
from premia.servicing.model import CaseStatus
from premia.servicing.parties import surviving_person
from premia.servicing.tables import CaseEvent, ServiceCase
from premia.staff.permissions import Permission


@dataclass(frozen=True)
class CaseView:
    case_number: str
    case_type: str
    queue: str
    owner: str | None
    priority: str
    status: str
    subject: str
    member_id: str | None
    account_number: str | None
    opened_at: str
    first_response_at: str | None
    first_response_due_at: str | None
    resolution_due_at: str | None
    resolved_at: str | None
    resolution_code: str | None
    reopen_count: int
    version: int

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def get_case(ctx: ServiceContext, case_number: str) -> CaseView:
    ctx.require(Permission.CASES_WORK)
    case = find_case(ctx, case_number)
    audit.record(ctx, action="read", record_type=RECORD_TYPE, record_id=case.case_number)
    return case_view(ctx, case)


def list_cases(
    ctx: ServiceContext,
    *,
    status: CaseStatus | None = None,
    queue: str | None = None,
    owner: str | None = None,
    member_id: str | None = None,
    account_number: str | None = None,
    open_only: bool = False,
    limit: int = 100,
) -> list[CaseView]:
    """List the cases that match every filter given, oldest first."""
    ctx.require(Permission.CASES_WORK)
    query = select(ServiceCase).order_by(ServiceCase.opened_at, ServiceCase.id).limit(limit)
    if status is not None:
        query = query.where(ServiceCase.status == CaseStatus(status).value)
    if open_only:
        query = query.where(ServiceCase.status.not_in([CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value]))
    if queue:
        query = query.where(ServiceCase.queue == queue)
    if owner:
        query = query.where(ServiceCase.owner == owner)
    if member_id:
        query = query.where(ServiceCase.person_id == surviving_person(ctx, member_id).id)
    if account_number:
        query = query.where(ServiceCase.billing_account_id == get_account_row(ctx, account_number).id)
    cases = list(ctx.session.scalars(query))
    # A case list shows members' names and what they called about, so each row is an audited read.
    for case in cases:
        audit.record(ctx, action="search", record_type="case", record_id=case.case_number)
    return [case_view(ctx, case) for case in cases]


@dataclass(frozen=True)
class CaseEventView:
    """One step of a case's history: who did what, the status before and after, and the note."""

    occurred_at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "occurred_at": self.occurred_at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "note": self.note,
        }


def case_history(ctx: ServiceContext, case_number: str) -> list[CaseEventView]:
    """List the case's steps, oldest first: opening, assignments, notes, pauses, resolution, reopening."""
    ctx.require(Permission.CASES_WORK)
    case = find_case(ctx, case_number)
    events = ctx.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()
    audit.record(ctx, action="read", record_type=RECORD_TYPE, record_id=case.case_number, fields=["history"])
    return [
        CaseEventView(event.occurred_at, event.actor, event.action, event.from_status, event.to_status, event.note)
        for event in events
    ]


def case_clocks(
    ctx: ServiceContext,
    case_number: str,
    *,
    at: datetime | None = None,
    viewer_zone: str | None = None,
    config: ServicingConfig | None = None,
) -> list[ClockReport]:
    """Read the case's SLA clocks at ``at`` (default now), with deadlines shown in ``viewer_zone``."""
    ctx.require(Permission.CASES_WORK)
    config = config or default_config(ctx.settings.time_zone)
    zone = _known_zone(viewer_zone or config.time_zone)
    case = find_case(ctx, case_number)
    return read_case_clocks(ctx, case, config=config, at=at or ctx.now(), viewer_zone=zone)


def breach_warnings(
    ctx: ServiceContext,
    *,
    at: datetime | None = None,
    within: timedelta | None = None,
    queue: str | None = None,
    config: ServicingConfig | None = None,
) -> list[BreachWarning]:
    """List running clocks already breached or due within the warning window, soonest first."""
    config = config or default_config(ctx.settings.time_zone)
    return case_clock.breach_warnings(ctx, config=config, at=at or ctx.now(), within=within, queue=queue)


def case_view(ctx: ServiceContext, case: ServiceCase) -> CaseView:
    member_id = (
        ctx.session.scalar(select(Person.member_id).where(Person.id == case.person_id))
        if case.person_id
        else None
    )
    account_number = (
        ctx.session.scalar(
            select(BillingAccount.account_number).where(BillingAccount.id == case.billing_account_id)
        )
        if case.billing_account_id
        else None
    )
    return CaseView(
        case_number=case.case_number,
        case_type=case.case_type,
        queue=case.queue,
        owner=case.owner,
        priority=case.priority,
        status=case.status,
        subject=case.subject,
        member_id=member_id,
        account_number=account_number,
        opened_at=case.opened_at.isoformat(),
        first_response_at=_iso(case.first_response_at),
        first_response_due_at=_iso(case.first_response_due_at),
        resolution_due_at=_iso(case.resolution_due_at),
        resolved_at=_iso(case.resolved_at),
        resolution_code=case.resolution_code,
        reopen_count=case.reopen_count,
        version=case.version,
    )


def _known_zone(zone: str) -> str:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            code="case.viewer_zone_unknown",
            message=f"Time zone {zone!r} is not known.",
            field="viewer_zone",
            value=zone,
            hint="Use an IANA name such as America/New_York or America/Los_Angeles.",
        ) from None
    return zone


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def open_case_count(ctx: ServiceContext, billing_account_id: int) -> int:
    """Return how many of the account's cases are new, open or waiting on the member."""
    unresolved = [CaseStatus.NEW.value, CaseStatus.OPEN.value, CaseStatus.WAITING_ON_MEMBER.value]
    query = select(func.count(ServiceCase.id)).where(ServiceCase.billing_account_id == billing_account_id, ServiceCase.status.in_(unresolved))
    return int(ctx.session.scalar(query) or 0)
