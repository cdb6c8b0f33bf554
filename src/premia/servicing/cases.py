"""Service cases: open, assign, update, wait on the member, resolve, close and reopen.

Every status change goes through one table, :data:`TRANSITIONS`, keyed by the current
status and the action. A pair not in the table is rejected with the actions allowed. Each
change writes a case event (the SLA clock's input), refreshes the stored deadlines, writes
an audit row and logs the case number with both statuses.

A case carries a ``version``. Callers pass the version they last read as
``expected_version``; a stale one is a conflict, never an overwrite.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from premia.accounts.service import get_account_row
from premia.accounts.tables import Person
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError, version_conflict
from premia.servicing import surveys
from premia.servicing.case_clock import refresh_due_dates
from premia.servicing.config import ServicingConfig, default_config
from premia.servicing.model import CaseAction, CaseInput, CasePriority, CaseStatus, CaseType, ResolutionCode
from premia.servicing.parties import account_for_person, surviving_person
from premia.servicing.tables import CaseEvent, ServiceCase
from premia.servicing.verification import get_contact
from premia.staff.permissions import Permission, Role, allows
from premia.staff.tables import StaffUser

log = logging.getLogger("premia.servicing")
RECORD_TYPE = "case"

TRANSITIONS: dict[tuple[CaseStatus, CaseAction], CaseStatus] = {
    (CaseStatus.NEW, CaseAction.ASSIGN): CaseStatus.OPEN,
    (CaseStatus.OPEN, CaseAction.ASSIGN): CaseStatus.OPEN,
    (CaseStatus.WAITING_ON_MEMBER, CaseAction.ASSIGN): CaseStatus.WAITING_ON_MEMBER,
    (CaseStatus.NEW, CaseAction.WAIT_ON_MEMBER): CaseStatus.WAITING_ON_MEMBER,
    (CaseStatus.OPEN, CaseAction.WAIT_ON_MEMBER): CaseStatus.WAITING_ON_MEMBER,
    (CaseStatus.WAITING_ON_MEMBER, CaseAction.RESUME): CaseStatus.OPEN,
    (CaseStatus.NEW, CaseAction.RESOLVE): CaseStatus.RESOLVED,
    (CaseStatus.OPEN, CaseAction.RESOLVE): CaseStatus.RESOLVED,
    (CaseStatus.WAITING_ON_MEMBER, CaseAction.RESOLVE): CaseStatus.RESOLVED,
    (CaseStatus.RESOLVED, CaseAction.CLOSE): CaseStatus.CLOSED,
    (CaseStatus.RESOLVED, CaseAction.REOPEN): CaseStatus.OPEN,
    (CaseStatus.CLOSED, CaseAction.REOPEN): CaseStatus.OPEN,
}
# Asking the member for information and resolving the case both count as the first response.
RESPONDING_ACTIONS = frozenset({CaseAction.WAIT_ON_MEMBER, CaseAction.RESOLVE})


def next_status(current: CaseStatus, action: CaseAction, *, record: str) -> CaseStatus:
    """Look the move up in :data:`TRANSITIONS`, or raise naming the actions allowed now."""
    try:
        return TRANSITIONS[(CaseStatus(current), CaseAction(action))]
    except KeyError:
        allowed = sorted(move.value for status, move in TRANSITIONS if status is CaseStatus(current))
        raise ConflictError(
            code="case.transition_not_allowed",
            message=(
                f"{record} is {CaseStatus(current).value}, so it cannot "
                f"{CaseAction(action).value.replace('_', ' ')}."
            ),
            record=record,
            field="status",
            value=CaseStatus(current).value,
            hint="Allowed now: " + (", ".join(allowed) or "nothing") + ".",
        ) from None


def open_case(ctx: ServiceContext, data: CaseInput, *, config: ServicingConfig | None = None) -> ServiceCase:
    """Open a case, routed to its type's queue with the SLA targets for its type and priority."""
    ctx.require(Permission.CASES_WORK)
    config = config or default_config(ctx.settings.time_zone)
    case_type = CaseType(data.case_type)
    priority = CasePriority(data.priority)
    subject = (data.subject or "").strip()
    if not subject:
        raise ValidationError(
            code="case.subject_missing",
            message="A case needs a subject.",
            field="subject",
            hint="Summarize the request in a few words, such as 'March invoice charged twice'.",
        )
    queue = _known_queue(config, data.queue or config.queue_for_type[case_type])
    person = surviving_person(ctx, data.member_id) if data.member_id else None
    account = (
        get_account_row(ctx, data.account_number) if data.account_number else account_for_person(ctx, person)
    )
    if person is None and account is not None and account.person_id is not None:
        # A case about an individual account is about its holder.
        person = ctx.session.get(Person, account.person_id)
    target = config.target_for(case_type, priority)
    now = ctx.now()

    case = ServiceCase(
        # A placeholder keeps the unique column filled until the row has an id to number it by.
        case_number=f"PENDING-{uuid.uuid4().hex[:20]}",
        case_type=case_type.value,
        queue=queue,
        owner=None,
        priority=priority.value,
        status=CaseStatus.NEW.value,
        subject=subject[:200],
        description=(data.description or "").strip() or None,
        billing_account_id=account.id if account else None,
        person_id=person.id if person else None,
        first_response_minutes=target.first_response_minutes,
        resolution_minutes=target.resolution_minutes,
        opened_at=now,
        opened_by=ctx.actor.username,
        updated_at=now,
    )
    ctx.session.add(case)
    ctx.session.flush()
    case.case_number = f"CASE-{case.id:06d}"
    _add_event(ctx, case, action="open", from_status=None, to_status=CaseStatus.NEW, note=None)
    if data.contact_id:
        _link_contact(ctx, case, data.contact_id)
    if data.owner:
        case.owner = _case_worker(ctx, data.owner, record=f"case {case.case_number}")
        case.status = CaseStatus.OPEN.value
        _add_event(
            ctx,
            case,
            action=CaseAction.ASSIGN.value,
            from_status=CaseStatus.NEW,
            to_status=CaseStatus.OPEN,
            note=None,
        )
    refresh_due_dates(ctx, case, config)
    _flush(ctx, case)
    audit.record(
        ctx,
        action="create",
        record_type=RECORD_TYPE,
        record_id=case.case_number,
        fields=["case_type", "priority", "queue", "subject"],
        detail={
            "member_id": person.member_id if person else None,
            "account": account.account_number if account else None,
        },
    )
    log.info("case opened", extra={"case_number": case.case_number, "to_status": case.status, "queue": queue})
    return case


def find_case(ctx: ServiceContext, case_number: str) -> ServiceCase:
    case = ctx.session.scalar(
        select(ServiceCase).where(ServiceCase.case_number == case_number.strip().upper())
    )
    if case is None:
        raise NotFoundError(
            code="case.not_found",
            message=f"No case has number {case_number!r}.",
            field="case_number",
            value=case_number,
            hint="List cases with `premia cases list`.",
        )
    return case


def assign_case(
    ctx: ServiceContext,
    case_number: str,
    owner: str,
    *,
    expected_version: int | None = None,
    config: ServicingConfig | None = None,
) -> ServiceCase:
    """Give the case to a staff member; a new case becomes open."""
    ctx.require(Permission.CASES_WORK)
    case = _case_for_change(ctx, case_number, expected_version)
    case.owner = _case_worker(ctx, owner, record=f"case {case.case_number}")
    return _apply(ctx, case, CaseAction.ASSIGN, note=f"assigned to {case.owner}", config=config)


def update_case(
    ctx: ServiceContext,
    case_number: str,
    *,
    priority: CasePriority | None = None,
    queue: str | None = None,
    subject: str | None = None,
    waiting_on_member: bool | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    config: ServicingConfig | None = None,
) -> ServiceCase:
    """Change a case's priority, queue or subject, pause it for the member or resume it, or add a note.

    A new priority takes the SLA targets configured for it; the time already spent still counts.
    """
    ctx.require(Permission.CASES_WORK)
    config = config or default_config(ctx.settings.time_zone)
    case = _case_for_change(ctx, case_number, expected_version)
    changed: list[str] = []
    if priority is not None and CasePriority(priority).value != case.priority:
        target = config.target_for(CaseType(case.case_type), CasePriority(priority))
        case.priority = CasePriority(priority).value
        case.first_response_minutes = target.first_response_minutes
        case.resolution_minutes = target.resolution_minutes
        changed.append("priority")
    if queue is not None and queue != case.queue:
        case.queue = _known_queue(config, queue)
        changed.append("queue")
    if subject is not None and subject.strip() and subject.strip() != case.subject:
        case.subject = subject.strip()[:200]
        changed.append("subject")
    if changed:
        case.updated_at = ctx.now()
        _flush(ctx, case)
        _add_event(
            ctx,
            case,
            action="update",
            from_status=CaseStatus(case.status),
            to_status=CaseStatus(case.status),
            note=note,
        )

    if not changed and waiting_on_member is None and not note:
        raise ValidationError(
            code="case.no_changes",
            message=f"case {case.case_number}: no change was given.",
            record=f"case {case.case_number}",
            field="changes",
            hint="Give a new priority, queue or subject, pause or resume the clock, or add a note.",
        )

    if waiting_on_member is True:
        return _apply(ctx, case, CaseAction.WAIT_ON_MEMBER, note=note, config=config, changed=changed)
    if waiting_on_member is False:
        return _apply(ctx, case, CaseAction.RESUME, note=note, config=config, changed=changed)
    if not changed and note:
        _add_event(
            ctx,
            case,
            action="note",
            from_status=CaseStatus(case.status),
            to_status=CaseStatus(case.status),
            note=note,
        )
        case.updated_at = ctx.now()
        changed.append("note")
    refresh_due_dates(ctx, case, config)
    _flush(ctx, case)
    audit.record(ctx, action="update", record_type=RECORD_TYPE, record_id=case.case_number, fields=changed)
    return case


def resolve_case(
    ctx: ServiceContext,
    case_number: str,
    *,
    resolution: str,
    code: ResolutionCode,
    expected_version: int | None = None,
    config: ServicingConfig | None = None,
) -> ServiceCase:
    """Resolve the case with what was done and a resolution code; a survey follows when configured."""
    ctx.require(Permission.CASES_WORK)
    config = config or default_config(ctx.settings.time_zone)
    case = _case_for_change(ctx, case_number, expected_version)
    return resolve_row(ctx, case, resolution=resolution, code=code, config=config)


def resolve_row(
    ctx: ServiceContext, case: ServiceCase, *, resolution: str, code: ResolutionCode, config: ServicingConfig
) -> ServiceCase:
    """Resolve a case row already loaded by another service (disputes resolve their case this way)."""
    text = (resolution or "").strip()
    if not text:
        raise ValidationError(
            code="case.resolution_missing",
            message=f"case {case.case_number}: say what was done to resolve it.",
            record=f"case {case.case_number}",
            field="resolution",
            hint="Describe the answer given or the correction made.",
        )
    case.resolution = text
    case.resolution_code = ResolutionCode(code).value
    case.resolution_count += 1
    _apply(ctx, case, CaseAction.RESOLVE, note=text, config=config, changed=["resolution", "resolution_code"])
    if config.survey_after_resolution and case.billing_account_id is not None:
        surveys.send_survey(ctx, case, config=config)
    return case


def reopen_case(
    ctx: ServiceContext,
    case_number: str,
    *,
    reason: str,
    expected_version: int | None = None,
    config: ServicingConfig | None = None,
) -> ServiceCase:
    """Reopen a resolved or closed case; its clock resumes where it stopped."""
    ctx.require(Permission.CASES_WORK)
    case = _case_for_change(ctx, case_number, expected_version)
    if not (reason or "").strip():
        raise ValidationError(
            code="case.reopen_reason_missing",
            message=f"case {case.case_number}: give the reason for reopening it.",
            record=f"case {case.case_number}",
            field="reason",
        )
    case.reopen_count += 1
    return _apply(ctx, case, CaseAction.REOPEN, note=reason.strip(), config=config, changed=["status"])


def close_case(
    ctx: ServiceContext,
    case_number: str,
    *,
    expected_version: int | None = None,
    config: ServicingConfig | None = None,
) -> ServiceCase:
    ctx.require(Permission.CASES_WORK)
    case = _case_for_change(ctx, case_number, expected_version)
    return _apply(ctx, case, CaseAction.CLOSE, note=None, config=config)


def record_first_response(
    ctx: ServiceContext, case: ServiceCase, *, at: datetime, config: ServicingConfig | None = None
) -> None:
    """Note the first response to the member; later responses change nothing."""
    if case.first_response_at is not None:
        return
    case.first_response_at = at
    refresh_due_dates(ctx, case, config or default_config(ctx.settings.time_zone))
    _flush(ctx, case)


def _apply(
    ctx: ServiceContext,
    case: ServiceCase,
    action: CaseAction,
    *,
    note: str | None,
    config: ServicingConfig | None,
    changed: list[str] | None = None,
) -> ServiceCase:
    config = config or default_config(ctx.settings.time_zone)
    record = f"case {case.case_number}"
    current = CaseStatus(case.status)
    target = next_status(current, action, record=record)
    now = ctx.now()

    case.status = target.value
    case.updated_at = now
    if action in RESPONDING_ACTIONS and case.first_response_at is None:
        case.first_response_at = now
    if target is CaseStatus.RESOLVED:
        case.resolved_at = now
    if target is CaseStatus.CLOSED:
        case.closed_at = now
    if action is CaseAction.REOPEN:
        case.resolved_at = None
        case.closed_at = None
    # Flush before any query, whose autoflush would raise a lost race without the conflict.
    _flush(ctx, case)
    _add_event(ctx, case, action=action.value, from_status=current, to_status=target, note=note)
    refresh_due_dates(ctx, case, config)
    _flush(ctx, case)

    audit.record(
        ctx,
        action=action.value,
        record_type=RECORD_TYPE,
        record_id=case.case_number,
        fields=sorted({"status", *(changed or [])}),
        detail={"from": current.value, "to": target.value},
    )
    log.info(
        "case status changed",
        extra={
            "case_number": case.case_number,
            "action": action.value,
            "from_status": current.value,
            "to_status": target.value,
        },
    )
    return case


def _case_for_change(ctx: ServiceContext, case_number: str, expected_version: int | None) -> ServiceCase:
    case = find_case(ctx, case_number)
    if expected_version is not None and expected_version != case.version:
        raise _version_conflict(case, expected_version)
    return case


def _flush(ctx: ServiceContext, case: ServiceCase) -> None:
    """Flush, turning a lost race on the version column into the same conflict as a stale version."""
    try:
        ctx.session.flush()
    except StaleDataError as exc:
        raise _version_conflict(case, case.version) from exc


def _version_conflict(case: ServiceCase, expected_version: int) -> ConflictError:
    return version_conflict(
        code="case.version_conflict",
        record=f"case {case.case_number}",
        stored_version=case.version,
        expected_version=expected_version,
        hint="Reload the case, reapply your change and save again.",
    )


def _add_event(
    ctx: ServiceContext,
    case: ServiceCase,
    *,
    action: str,
    from_status: CaseStatus | None,
    to_status: CaseStatus,
    note: str | None,
) -> None:
    ctx.session.add(
        CaseEvent(
            case_id=case.id,
            occurred_at=ctx.now(),
            actor=ctx.actor.username,
            action=action,
            from_status=from_status.value if from_status else None,
            to_status=to_status.value,
            note=note,
        )
    )


def _link_contact(ctx: ServiceContext, case: ServiceCase, contact_id: int) -> None:
    contact = get_contact(ctx, contact_id)
    contact.case_id = case.id
    contact.touched = [*contact.touched, f"case:{case.case_number}"]


def _known_queue(config: ServicingConfig, queue: str) -> str:
    if queue not in config.queues:
        raise ValidationError(
            code="case.queue_unknown",
            message=f"Queue {queue!r} is not configured.",
            field="queue",
            value=queue,
            hint="Known queues: " + ", ".join(sorted(config.queues)) + ".",
        )
    return queue


def _case_worker(ctx: ServiceContext, username: str, *, record: str) -> str:
    user = ctx.session.scalar(select(StaffUser).where(StaffUser.username == username.strip()))
    if user is None or not user.active:
        raise ValidationError(
            code="case.owner_unknown",
            message=f"{record}: no active staff user is called {username!r}.",
            record=record,
            field="owner",
            value=username,
            hint="Assign the case to an active user; `premia users list` shows them.",
        )
    if not allows(Role(user.role), Permission.CASES_WORK):
        raise ValidationError(
            code="case.owner_cannot_work_cases",
            message=f"{record}: {username} (role {user.role}) may not work cases.",
            record=record,
            field="owner",
            value=username,
            hint="Choose a CSR, billing specialist or supervisor.",
        )
    return user.username
