"""Refunds of an account's credit: request (capped by the credit), list, read, approve and reject."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from premia.accounts import service as accounts
from premia.accounts.tables import BillingAccount
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.interfaces.api.deps import Context, IdempotencyKey, idempotent, requires, requires_any, service_idempotency_key
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.interfaces.api.paging import Cursor, Limit, Page, keyset_page
from premia.interfaces.api.schemas.common import ApiInput, IdPath
from premia.payments import refunds
from premia.payments.config import configured_payments
from premia.payments.model import RefundMethod, RefundStatus
from premia.payments.tables import Refund
from premia.staff.permissions import Permission

router = APIRouter(prefix="/refunds", tags=["payments"])
READ_PERMISSIONS = (Permission.REFUNDS_REQUEST, Permission.REFUNDS_APPROVE)


class RefundCreate(ApiInput):
    account_number: str = Field(min_length=1, max_length=16)
    amount: Money = Field(description="At most the account's refundable credit.")
    method: RefundMethod = RefundMethod.CHECK
    reason: str = Field(min_length=1, max_length=256)
    payee_name: str | None = Field(default=None, max_length=128, description="Name on the check; the payer when omitted.")


class RefundDecision(ApiInput):
    note: str = Field(min_length=1, max_length=256)


class RefundOut(BaseModel):
    refund_id: int
    account_number: str | None
    suspense_item_id: int | None
    amount: Money
    method: str
    status: str
    payee_name: str
    reason: str
    approval_required: bool
    requested_by: str
    decided_by: str | None
    paid_on: date | None
    check_number: int | None


def refund_out(ctx: ServiceContext, refund: Refund) -> RefundOut:
    account_number = (
        ctx.session.scalar(select(BillingAccount.account_number).where(BillingAccount.id == refund.billing_account_id))
        if refund.billing_account_id
        else None
    )
    view = refunds.RefundView.of(refund, account_number)
    return RefundOut(
        refund_id=view.id,
        account_number=view.account_number,
        suspense_item_id=view.suspense_item_id,
        amount=Money.of(view.amount_cents),
        method=view.method,
        status=view.status,
        payee_name=view.payee_name,
        reason=view.reason,
        approval_required=view.approval_required,
        requested_by=view.requested_by,
        decided_by=view.decided_by,
        paid_on=view.paid_on,
        check_number=view.check_number,
    )


@router.post("", status_code=201, response_model=RefundOut, responses=problems(404, 409, 422), dependencies=[requires(Permission.REFUNDS_REQUEST)])
def request_refund(body: RefundCreate, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Ask for a refund of the account's credit; a request above the refundable amount is rejected with the maximum."""

    def handler() -> tuple[int, Any]:
        refund = refunds.request_refund(
            ctx,
            account_number=body.account_number,
            amount_cents=body.amount.cents(field="amount.amount"),
            method=body.method,
            reason=body.reason,
            requested_on=ctx.today(),
            payee_name=body.payee_name,
            idempotency_key=service_idempotency_key(ctx, idempotency_key),
            config=configured_payments(ctx.settings),
        )
        return 201, refund_out(ctx, refund)

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.get("", response_model=Page[RefundOut], responses=problems(404, 422), dependencies=[requires_any(*READ_PERMISSIONS)])
def list_refunds(
    ctx: Context,
    status: RefundStatus | None = None,
    account_number: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RefundOut]:
    """List refunds by status and account, in request order."""
    query = select(Refund)
    if status is not None:
        query = query.where(Refund.status == status.value)
    if account_number:
        query = query.where(Refund.billing_account_id == accounts.get_account_row(ctx, account_number).id)
    rows, next_cursor = keyset_page(ctx, query, Refund.id, limit=limit, cursor=cursor)
    for refund in rows:
        audit.record(ctx, action="search", record_type="refund", record_id=refund.id)
    return Page[RefundOut](items=[refund_out(ctx, refund) for refund in rows], next_cursor=next_cursor)


@router.get("/{refund_id}", response_model=RefundOut, responses=problems(404, 422), dependencies=[requires_any(*READ_PERMISSIONS)])
def get_refund(refund_id: IdPath, ctx: Context) -> RefundOut:
    """Return one refund with its status."""
    refund = refunds.get_refund(ctx, refund_id)
    audit.record(ctx, action="read", record_type="refund", record_id=refund.id)
    return refund_out(ctx, refund)


@router.post("/{refund_id}/approval", response_model=RefundOut, responses=problems(404, 409, 422), dependencies=[requires(Permission.REFUNDS_APPROVE)])
def approve_refund(refund_id: IdPath, body: RefundDecision, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Approve a refund someone else requested; the credit cap is checked again now."""
    return idempotent(ctx, request, idempotency_key, body, lambda: (200, refund_out(ctx, refunds.approve_refund(ctx, refund_id, note=body.note))))


@router.post("/{refund_id}/rejection", response_model=RefundOut, responses=problems(404, 409, 422), dependencies=[requires(Permission.REFUNDS_APPROVE)])
def reject_refund(refund_id: IdPath, body: RefundDecision, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Turn a refund request down, with the reason."""
    return idempotent(ctx, request, idempotency_key, body, lambda: (200, refund_out(ctx, refunds.reject_refund(ctx, refund_id, note=body.note))))
