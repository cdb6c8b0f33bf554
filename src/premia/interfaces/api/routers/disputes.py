"""Billing disputes: the lines an account can dispute, open, list, read with an ETag, decide and approve with If-Match.

An open dispute holds only the disputed amounts from collection. A credit or refund above
the approval amount waits for a second supervisor.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select

from premia.accounts import service as accounts
from premia.audit import service as audit
from premia.interfaces.api.deps import Context, IdempotencyKey, IfMatch, idempotent, require_if_match, requires, set_etag
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.interfaces.api.paging import Cursor, Limit, Page, keyset_page, list_page
from premia.interfaces.api.schemas.common import MAX_ID, ApiInput
from premia.servicing import approve_dispute, decide_dispute, open_dispute
from premia.servicing.dispute_queries import dispute_view, lines_to_dispute
from premia.servicing.disputes import find_dispute
from premia.servicing.model import DisputedItem, DisputeOutcome, DisputeStatus
from premia.servicing.tables import Dispute
from premia.staff.permissions import Permission

router = APIRouter(tags=["service desk"])
ETAG_HEADER = {"ETag": {"description": "The dispute's version, for If-Match.", "schema": {"type": "string"}}}
CHANGE_ERRORS = problems(404, 409, 412, 422, 428)


class DisputedItemIn(ApiInput):
    """One invoice line or one payment, and the amount disputed (all of it when omitted)."""

    invoice_line_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    payment_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    amount: Money | None = None

    @model_validator(mode="after")
    def _one_target(self) -> DisputedItemIn:
        if (self.invoice_line_id is None) == (self.payment_id is None):
            raise ValueError("give exactly one of invoice_line_id and payment_id")
        return self


class DisputeIn(ApiInput):
    account_number: str = Field(min_length=1, max_length=16)
    items: list[DisputedItemIn] = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=4000)
    case_number: str | None = Field(default=None, max_length=32, description="An open billing dispute case to join.")
    contact_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class DecisionIn(ApiInput):
    outcome: DisputeOutcome
    note: str = Field(min_length=1, max_length=4000)
    amount: Money | None = Field(default=None, description="Part of the disputed amount to credit or refund; all of it when omitted.")


class ApprovalIn(ApiInput):
    approve: bool = Field(description="true applies the decision; false sends it back open for a new decision.")
    note: str | None = Field(default=None, max_length=4000)


class DisputeItemOut(BaseModel):
    invoice_line_id: int | None
    payment_id: int | None
    coverage_month: str | None
    amount: Money
    credited: Money
    released_on: date | None = Field(description="Date the hold ended, or null while the amount is still held.")


class DisputeOut(BaseModel):
    dispute_number: str
    case_number: str
    account_number: str
    status: str
    reason: str
    disputed: Money
    held: Money = Field(description="Amount still held from collection.")
    outcome: str | None
    decided: Money | None
    refund: Money
    decided_by: str | None
    approved_by: str | None
    items: list[DisputeItemOut]
    version: int


class DisputableLineOut(BaseModel):
    invoice_line_id: int
    invoice_id: int | None
    coverage_month: str | None
    person_id: int | None
    kind: str
    amount: Money
    disputable: Money = Field(description="Part of the line not already in dispute.")
    description: str


def dispute_out(ctx: Any, dispute: Dispute) -> DisputeOut:
    view = dispute_view(ctx, dispute)
    return DisputeOut(
        dispute_number=view.dispute_number,
        case_number=view.case_number,
        account_number=view.account_number,
        status=view.status,
        reason=view.reason,
        disputed=Money(amount=view.disputed),
        held=Money(amount=view.held),
        outcome=view.outcome,
        decided=Money(amount=view.decided) if view.decided is not None else None,
        refund=Money(amount=view.refund),
        decided_by=view.decided_by,
        approved_by=view.approved_by,
        items=[
            DisputeItemOut(
                invoice_line_id=item["invoice_line_id"],
                payment_id=item["payment_id"],
                coverage_month=item["coverage_month"],
                amount=Money(amount=item["amount"]),
                credited=Money(amount=item["credited"]),
                released_on=item["released_on"],
            )
            for item in view.items
        ],
        version=view.version,
    )


def _changed(ctx: Any, response: Response, dispute: Dispute) -> DisputeOut:
    out = dispute_out(ctx, dispute)
    set_etag(response, out.version)
    return out


@router.get(
    "/accounts/{account_number}/disputable-lines",
    response_model=Page[DisputableLineOut],
    responses=problems(404, 422),
    dependencies=[requires(Permission.DISPUTES_OPEN)],
    tags=["accounts"],
)
def disputable_lines(account_number: str, ctx: Context, limit: Limit = 50, cursor: Cursor = None) -> Page[DisputableLineOut]:
    """List the account's issued premium and fee lines, each with the amount still free to dispute."""
    lines, next_cursor = list_page(lines_to_dispute(ctx, account_number), limit=limit, cursor=cursor)
    items = [
        DisputableLineOut(
            **{key: value for key, value in line.items() if key not in ("amount", "disputable")},
            amount=Money(amount=line["amount"]),
            disputable=Money(amount=line["disputable"]),
        )
        for line in lines
    ]
    return Page[DisputableLineOut](items=items, next_cursor=next_cursor)


@router.post("/disputes", status_code=201, response_model=DisputeOut, responses=problems(404, 409, 422), dependencies=[requires(Permission.DISPUTES_OPEN)])
def create_dispute(body: DisputeIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Open a dispute of invoice lines or payments; only the disputed amounts are held from collection."""

    def handler() -> tuple[int, Any]:
        items = [
            DisputedItem(
                invoice_line_id=item.invoice_line_id,
                payment_id=item.payment_id,
                amount_cents=item.amount.cents(field=f"items[{index}].amount") if item.amount else None,
            )
            for index, item in enumerate(body.items)
        ]
        dispute = open_dispute(
            ctx,
            account_number=body.account_number,
            items=items,
            reason=body.reason,
            case_number=body.case_number,
            contact_id=body.contact_id,
        )
        return 201, dispute_out(ctx, dispute)

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.get("/disputes", response_model=Page[DisputeOut], responses=problems(404, 422), dependencies=[requires(Permission.DISPUTES_OPEN)])
def list_disputes(
    ctx: Context,
    account_number: str | None = None,
    status: DisputeStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DisputeOut]:
    """List disputes by account and status, oldest first."""
    query = select(Dispute)
    if account_number:
        query = query.where(Dispute.billing_account_id == accounts.get_account_row(ctx, account_number).id)
    if status is not None:
        query = query.where(Dispute.status == status.value)
    rows, next_cursor = keyset_page(ctx, query, Dispute.id, limit=limit, cursor=cursor)
    for dispute in rows:
        audit.record(ctx, action="search", record_type="dispute", record_id=dispute.dispute_number)
    return Page[DisputeOut](items=[dispute_out(ctx, dispute) for dispute in rows], next_cursor=next_cursor)


@router.get(
    "/disputes/{dispute_number}",
    response_model=DisputeOut,
    responses={200: {"headers": ETAG_HEADER}, **problems(404, 422)},
    dependencies=[requires(Permission.DISPUTES_OPEN)],
)
def read_dispute(dispute_number: str, ctx: Context, response: Response) -> DisputeOut:
    """Return one dispute with its items and holds, and send an ETag for decisions."""
    dispute = find_dispute(ctx, dispute_number)
    audit.record(ctx, action="read", record_type="dispute", record_id=dispute.dispute_number)
    return _changed(ctx, response, dispute)


@router.post(
    "/disputes/{dispute_number}/decision",
    response_model=DisputeOut,
    responses={200: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
    dependencies=[requires(Permission.DISPUTES_DECIDE)],
)
def decide(dispute_number: str, body: DecisionIn, ctx: Context, response: Response, if_match: IfMatch = None) -> DisputeOut:
    """Decide the outcome (supervisors): adjustment credit, refund or denial; needs If-Match."""
    version = require_if_match(if_match, find_dispute(ctx, dispute_number).version)
    dispute = decide_dispute(
        ctx,
        dispute_number,
        outcome=body.outcome,
        note=body.note,
        amount_cents=body.amount.cents(field="amount.amount") if body.amount else None,
        expected_version=version,
    )
    return _changed(ctx, response, dispute)


@router.post(
    "/disputes/{dispute_number}/approval",
    response_model=DisputeOut,
    responses={200: {"headers": ETAG_HEADER}, **CHANGE_ERRORS},
    dependencies=[requires(Permission.DISPUTES_DECIDE)],
)
def approve(dispute_number: str, body: ApprovalIn, ctx: Context, response: Response, if_match: IfMatch = None) -> DisputeOut:
    """Approve a pending credit or refund (another supervisor than the decider), or send it back; needs If-Match."""
    version = require_if_match(if_match, find_dispute(ctx, dispute_number).version)
    dispute = approve_dispute(ctx, dispute_number, approve=body.approve, note=body.note, expected_version=version)
    return _changed(ctx, response, dispute)
