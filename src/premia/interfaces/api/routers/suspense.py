"""Suspense: money no rule could tie to an account, listed for a person to apply to an account or refund."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from premia.accounts.tables import BillingAccount
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.interfaces.api.deps import Context, IdempotencyKey, idempotent, requires
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.interfaces.api.paging import Cursor, Limit, Page, keyset_page
from premia.interfaces.api.routers.payments import PaymentOut, payment_out
from premia.interfaces.api.routers.refunds import RefundOut, refund_out
from premia.interfaces.api.schemas.common import ApiDate, ApiInput, IdPath
from premia.kernel.errors import NotFoundError
from premia.payments.config import configured_payments
from premia.payments.model import SuspenseStatus
from premia.payments.refunds import refund_suspense
from premia.payments.suspense import apply_suspense
from premia.payments.tables import SuspenseItem
from premia.staff.permissions import Permission

router = APIRouter(prefix="/suspense", tags=["suspense"])


class SuspenseItemOut(BaseModel):
    item_id: int
    received_on: date
    age_days: int = Field(description="Days from receipt to the as-of date.")
    overdue: bool = Field(description="Open and older than the configured maximum age.")
    amount: Money = Field(description="Negative only for an amount withheld from a remittance, such as an Exchange user fee.")
    channel: str
    payer_name: str | None
    reference: str | None
    reason: str
    status: str
    account_number: str | None
    resolution_note: str | None


class SuspenseApplication(ApiInput):
    account_number: str = Field(min_length=1, max_length=16)
    note: str = Field(min_length=1, max_length=256, description="How the payer was identified; kept in the audit trail.")


class SuspenseRefund(ApiInput):
    reason: str = Field(min_length=1, max_length=256)
    payee_name: str | None = Field(default=None, max_length=128, description="Name on the check; the payer's name when omitted.")


def _items_out(ctx: ServiceContext, items: list[SuspenseItem], as_of: date) -> list[SuspenseItemOut]:
    ids = {item.billing_account_id for item in items if item.billing_account_id}
    numbers = (
        dict(ctx.session.execute(select(BillingAccount.id, BillingAccount.account_number).where(BillingAccount.id.in_(ids))).all())
        if ids
        else {}
    )
    cutoff = as_of - timedelta(days=configured_payments(ctx.settings).suspense_max_age_days)
    return [
        SuspenseItemOut(
            item_id=item.id,
            received_on=item.received_on,
            age_days=(as_of - item.received_on).days,
            overdue=item.status == SuspenseStatus.OPEN.value and item.received_on < cutoff,
            amount=Money.of(item.amount_cents),
            channel=item.channel,
            payer_name=item.payer_name,
            reference=item.reference,
            reason=item.reason,
            status=item.status,
            account_number=numbers.get(item.billing_account_id or 0),
            resolution_note=item.resolution_note,
        )
        for item in items
    ]


@router.get("", response_model=Page[SuspenseItemOut], responses=problems(422), dependencies=[requires(Permission.SUSPENSE_MANAGE)])
def list_suspense(
    ctx: Context,
    status: SuspenseStatus | None = SuspenseStatus.OPEN,
    received_from: ApiDate | None = None,
    received_to: ApiDate | None = None,
    as_of: ApiDate | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[SuspenseItemOut]:
    """List suspense items (open ones unless ``status`` names another), in the order they were held."""
    query = select(SuspenseItem)
    if status is not None:
        query = query.where(SuspenseItem.status == status.value)
    if received_from:
        query = query.where(SuspenseItem.received_on >= received_from)
    if received_to:
        query = query.where(SuspenseItem.received_on <= received_to)
    rows, next_cursor = keyset_page(ctx, query, SuspenseItem.id, limit=limit, cursor=cursor)
    for item in rows:
        audit.record(ctx, action="search", record_type="suspense_item", record_id=item.id)
    return Page[SuspenseItemOut](items=_items_out(ctx, rows, as_of or ctx.today()), next_cursor=next_cursor)


@router.get("/{item_id}", response_model=SuspenseItemOut, responses=problems(404, 422), dependencies=[requires(Permission.SUSPENSE_MANAGE)])
def get_suspense_item(item_id: IdPath, ctx: Context, as_of: ApiDate | None = None) -> SuspenseItemOut:
    """Return one suspense item and how it was resolved."""
    item = ctx.session.get(SuspenseItem, item_id)
    if item is None:
        raise NotFoundError(
            code="suspense.not_found",
            message=f"Suspense item {item_id} does not exist.",
            field="item_id",
            value=item_id,
            hint="List open items with GET /api/v1/suspense.",
        )
    audit.record(ctx, action="read", record_type="suspense_item", record_id=item.id)
    return _items_out(ctx, [item], as_of or ctx.today())[0]


@router.post(
    "/{item_id}/application",
    status_code=201,
    response_model=PaymentOut,
    responses=problems(404, 409, 422),
    dependencies=[requires(Permission.SUSPENSE_MANAGE)],
)
def apply_item(item_id: IdPath, body: SuspenseApplication, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Apply the item to an account as a payment received on the item's date; returns that payment."""

    def handler() -> tuple[int, Any]:
        result = apply_suspense(ctx, item_id, account_number=body.account_number, note=body.note)
        return 201, payment_out(ctx, result)

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.post(
    "/{item_id}/refund",
    status_code=201,
    response_model=RefundOut,
    responses=problems(404, 409, 422),
    dependencies=[requires(Permission.SUSPENSE_MANAGE)],
)
def refund_item(item_id: IdPath, body: SuspenseRefund, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Return the item to its payer by check; above the approval limit a supervisor approves the refund."""

    def handler() -> tuple[int, Any]:
        refund = refund_suspense(
            ctx,
            item_id,
            payee_name=body.payee_name or "",
            reason=body.reason,
            requested_on=ctx.today(),
            config=configured_payments(ctx.settings),
        )
        return 201, refund_out(ctx, refund)

    return idempotent(ctx, request, idempotency_key, body, handler)
