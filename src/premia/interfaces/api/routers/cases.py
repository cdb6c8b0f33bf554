"""Service cases: open, list, read with an ETag, and change them with If-Match; SLA clocks in the viewer's zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from premia.accounts import service as accounts
from premia.audit import service as audit
from premia.interfaces.api.deps import Context, IdempotencyKey, IfMatch, idempotent, require_if_match, requires, set_etag
from premia.interfaces.api.errors import problems
from premia.interfaces.api.paging import Cursor, Limit, Page, keyset_page
from premia.interfaces.api.schemas.common import MAX_ID, ApiInput
from premia.servicing import assign_case, case_clocks, close_case, open_case, reopen_case, resolve_case, update_case
from premia.servicing.case_queries import case_history, case_view, get_case
from premia.servicing.cases import find_case
from premia.servicing.model import CaseInput, CasePriority, CaseStatus, CaseType, ResolutionCode
from premia.servicing.parties import surviving_person
from premia.servicing.tables import ServiceCase
from premia.staff.permissions import Permission

router = APIRouter(prefix="/cases", tags=["service desk"])
ETAG_HEADER = {"ETag": {"description": "The case's version, for If-Match.", "schema": {"type": "string"}}}
CHANGE_ERRORS = problems(404, 409, 412, 422, 428)
CLOSED_STATUSES = (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value)


class CaseIn(ApiInput):
    case_type: CaseType
    subject: str = Field(min_length=1, max_length=200)
    priority: CasePriority = CasePriority.NORMAL
    description: str | None = Field(default=None, max_length=4000)
    member_id: str | None = Field(default=None, max_length=32)
    account_number: str | None = Field(default=None, max_length=16)
    queue: str | None = Field(default=None, max_length=32, description="The type's default queue when omitted.")
    owner: str | None = Field(default=None, max_length=64, description="Staff username; the case opens assigned.")
    contact_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class CasePatch(ApiInput):
    priority: CasePriority | None = None
    queue: str | None = Field(default=None, max_length=32)
    subject: str | None = Field(default=None, min_length=1, max_length=200)
    waiting_on_member: bool | None = Field(default=None, description="true pauses the SLA clock, false resumes it.")
    note: str | None = Field(default=None, max_length=4000)


class Assignment(ApiInput):
    owner: str = Field(min_length=1, max_length=64)


class Resolution(ApiInput):
    resolution: str = Field(min_length=1, max_length=4000, description="What was done.")
    code: ResolutionCode


class Reopening(ApiInput):
    reason: str = Field(min_length=1, max_length=4000)


class CaseOut(BaseModel):
    case_number: str
    case_type: str
    queue: str
    owner: str | None
    priority: str
    status: str
    subject: str
    member_id: str | None
    account_number: str | None
    opened_at: datetime
    first_response_at: datetime | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    resolved_at: datetime | None
    resolution_code: str | None
    reopen_count: int
    version: int


class ClockOut(BaseModel):
    clock: str = Field(description="first_response or resolution.")
    phase: str = Field(description="running, paused or stopped.")
    target_minutes: int
    sla_minutes: int = Field(description="Business minutes counted so far.")
    paused_minutes: int
    total_minutes: int
    deadline: datetime | None
    deadline_local: str | None = Field(description="The deadline in the viewer's time zone.")
    due: str | None
    breached: bool
    met: bool | None


class CaseClocksOut(BaseModel):
    case_number: str
    viewer_zone: str
    clocks: list[ClockOut]


def _out(view: Any) -> CaseOut:
    return CaseOut.model_validate(view.to_dict())


def _changed(ctx: Any, response: Response, case: ServiceCase) -> CaseOut:
    view = case_view(ctx, case)
    set_etag(response, view.version)
    return _out(view)


@router.post("", status_code=201, response_model=CaseOut, responses=problems(404, 422), dependencies=[requires(Permission.CASES_WORK)])
def create_case(body: CaseIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Open a case routed to its type's queue, with the SLA targets of its type and priority."""

    def handler() -> tuple[int, Any]:
        case = open_case(ctx, CaseInput(**body.model_dump()))
        return 201, _out(case_view(ctx, case))

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.get("", response_model=Page[CaseOut], responses=problems(404, 422), dependencies=[requires(Permission.CASES_WORK)])
def list_cases(
    ctx: Context,
    status: CaseStatus | None = None,
    open_only: bool = False,
    queue: str | None = None,
    owner: str | None = None,
    case_type: CaseType | None = None,
    member_id: str | None = None,
    account_number: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[CaseOut]:
    """List the cases matching every filter given, oldest first."""
    query = select(ServiceCase)
    if status is not None:
        query = query.where(ServiceCase.status == status.value)
    if open_only:
        query = query.where(ServiceCase.status.not_in(CLOSED_STATUSES))
    if queue:
        query = query.where(ServiceCase.queue == queue)
    if owner:
        query = query.where(ServiceCase.owner == owner)
    if case_type is not None:
        query = query.where(ServiceCase.case_type == case_type.value)
    if member_id:
        query = query.where(ServiceCase.person_id == surviving_person(ctx, member_id).id)
    if account_number:
        query = query.where(ServiceCase.billing_account_id == accounts.get_account_row(ctx, account_number).id)
    rows, next_cursor = keyset_page(ctx, query, ServiceCase.id, limit=limit, cursor=cursor)
    for case in rows:
        audit.record(ctx, action="search", record_type="case", record_id=case.case_number)
    return Page[CaseOut](items=[_out(case_view(ctx, case)) for case in rows], next_cursor=next_cursor)


@router.get(
    "/{case_number}",
    response_model=CaseOut,
    responses={200: {"headers": ETAG_HEADER}, **problems(404, 422)},
    dependencies=[requires(Permission.CASES_WORK)],
)
def read_case(case_number: str, ctx: Context, response: Response) -> CaseOut:
    """Return one case with its SLA due times, and send an ETag for changes."""
    view = get_case(ctx, case_number)
    set_etag(response, view.version)
    return _out(view)


def _change(
    ctx: Any, case_number: str, if_match: str | None, response: Response, change: Callable[[int], ServiceCase]
) -> CaseOut:
    version = require_if_match(if_match, find_case(ctx, case_number).version)
    return _changed(ctx, response, change(version))


@router.patch(
    "/{case_number}",
    response_model=CaseOut,
    responses={200: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
    dependencies=[requires(Permission.CASES_WORK)],
)
def patch_case(case_number: str, body: CasePatch, ctx: Context, response: Response, if_match: IfMatch = None) -> CaseOut:
    """Change priority, queue or subject, pause the clock for the member or resume it, or add a note."""
    return _change(
        ctx,
        case_number,
        if_match,
        response,
        lambda version: update_case(ctx, case_number, **body.model_dump(), expected_version=version),
    )


@router.post(
    "/{case_number}/assignment",
    response_model=CaseOut,
    responses={200: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
    dependencies=[requires(Permission.CASES_WORK)],
)
def assign(case_number: str, body: Assignment, ctx: Context, response: Response, if_match: IfMatch = None) -> CaseOut:
    """Give the case to a staff member who works cases; a new case becomes open."""
    return _change(ctx, case_number, if_match, response, lambda version: assign_case(ctx, case_number, body.owner, expected_version=version))


@router.post(
    "/{case_number}/resolution",
    response_model=CaseOut,
    responses={200: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
    dependencies=[requires(Permission.CASES_WORK)],
)
def resolve(case_number: str, body: Resolution, ctx: Context, response: Response, if_match: IfMatch = None) -> CaseOut:
    """Resolve the case with what was done and a resolution code; its clocks stop."""
    return _change(
        ctx,
        case_number,
        if_match,
        response,
        lambda version: resolve_case(ctx, case_number, resolution=body.resolution, code=body.code, expected_version=version),
    )


@router.post(
    "/{case_number}/reopening",
    response_model=CaseOut,
    responses={200: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
    dependencies=[requires(Permission.CASES_WORK)],
)
def reopen(case_number: str, body: Reopening, ctx: Context, response: Response, if_match: IfMatch = None) -> CaseOut:
    """Reopen a resolved or closed case; its clock resumes with the time already used."""
    return _change(
        ctx, case_number, if_match, response, lambda version: reopen_case(ctx, case_number, reason=body.reason, expected_version=version)
    )


@router.post(
    "/{case_number}/closure",
    response_model=CaseOut,
    responses={200: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
    dependencies=[requires(Permission.CASES_WORK)],
)
def close(case_number: str, ctx: Context, response: Response, if_match: IfMatch = None) -> CaseOut:
    """Close a resolved case."""
    return _change(ctx, case_number, if_match, response, lambda version: close_case(ctx, case_number, expected_version=version))


@router.get("/{case_number}/clocks", response_model=CaseClocksOut, responses=problems(404, 422), dependencies=[requires(Permission.CASES_WORK)])
def clocks(
    case_number: str, ctx: Context, viewer_zone: Annotated[str | None, Query(max_length=64, description="IANA time zone name.")] = None
) -> CaseClocksOut:
    """Read the first-response and resolution clocks now, with deadlines in ``viewer_zone`` (IANA name)."""
    zone = viewer_zone or ctx.settings.time_zone
    reports = case_clocks(ctx, case_number, viewer_zone=zone)
    return CaseClocksOut(
        case_number=find_case(ctx, case_number).case_number,
        viewer_zone=zone,
        clocks=[ClockOut.model_validate(report.to_dict()) for report in reports],
    )


class CaseEventOut(BaseModel):
    occurred_at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str
    note: str | None


@router.get(
    "/{case_number}/events", response_model=list[CaseEventOut], responses=problems(404, 422), dependencies=[requires(Permission.CASES_WORK)]
)
def events(case_number: str, ctx: Context) -> list[CaseEventOut]:
    """List the case's steps, oldest first: opening, assignments, notes, pauses, resolution and reopening."""
    return [CaseEventOut.model_validate(event.to_dict()) for event in case_history(ctx, case_number)]
