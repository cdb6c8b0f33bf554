"""Payments: post (idempotent), read with allocations, reverse."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from premia.accounts import service as accounts
from premia.audit import service as audit
from premia.interfaces.api.deps import Context, IdempotencyKey, idempotent
from premia.interfaces.api.errors import PROBLEM_RESPONSES
from premia.interfaces.api.money import Money
from premia.payments import service as payments
from premia.payments.model import PaymentChannel, PaymentMethod

router = APIRouter(prefix="/payments", tags=["payments"])
COMMON_ERRORS = {k: PROBLEM_RESPONSES[k] for k in (401, 403, 404, 409, 422)}


class PaymentCreate(BaseModel):
    account_number: str
    amount: Money
    method: PaymentMethod
    channel: PaymentChannel = PaymentChannel.MANUAL
    received_on: date | None = Field(default=None, description="Carrier-local date received; today when omitted.")
    reference: str | None = Field(default=None, max_length=128)
    external_id: str | None = Field(default=None, max_length=128, description="Processor transaction id; posts once.")


class PaymentReversal(BaseModel):
    reason: str = Field(min_length=3, max_length=256)


class AllocationOut(BaseModel):
    invoice_id: int | None
    coverage_month: str | None
    amount: Money


class PaymentOut(BaseModel):
    payment_id: int
    account_number: str | None
    status: str
    channel: str
    method: str
    amount: Money
    applied: Money
    unapplied: Money
    received_on: date
    reference: str | None
    allocations: list[AllocationOut]


def _out(ctx: Any, result: payments.PostingResult) -> PaymentOut:
    payment = result.payment
    account = ctx.session.get(accounts.BillingAccount, payment.billing_account_id) if payment.billing_account_id else None
    return PaymentOut(
        payment_id=payment.id,
        account_number=account.account_number if account else None,
        status=payment.status,
        channel=payment.channel,
        method=payment.method,
        amount=Money.of(payment.amount_cents),
        applied=Money.of(result.applied_cents),
        unapplied=Money.of(result.unapplied_cents),
        received_on=payment.received_on,
        reference=payment.reference,
        allocations=[
            AllocationOut(invoice_id=a["invoice_id"], coverage_month=a["coverage_month"], amount=Money(amount=a["amount"]))
            for a in result.allocations
        ],
    )


@router.post("", status_code=201, response_model=PaymentOut, responses=COMMON_ERRORS)
def post_payment(body: PaymentCreate, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Post a payment; it is applied oldest first and any excess is kept as credit."""

    def handler() -> tuple[int, Any]:
        account = accounts.get_account_row(ctx, body.account_number)
        result = payments.post_payment(
            ctx,
            billing_account_id=account.id,
            amount_cents=body.amount.cents(field="amount.amount"),
            channel=body.channel,
            method=body.method,
            received_on=body.received_on or ctx.today(),
            reference=body.reference,
            idempotency_key=f"api:{ctx.actor.username}:{idempotency_key}" if idempotency_key else None,
            external_id=body.external_id,
        )
        return 201, _out(ctx, result)

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.get("/{payment_id}", response_model=PaymentOut, responses=COMMON_ERRORS)
def get_payment(payment_id: int, ctx: Context) -> PaymentOut:
    """One payment with how it was allocated."""
    ctx.require(payments.Permission.BILLING_READ)
    payment = payments.get_payment(ctx, payment_id)
    audit.record(ctx, action="read", record_type="payment", record_id=payment.id)
    return _out(ctx, payments._result_of(ctx, payment))


@router.post("/{payment_id}/reversal", response_model=PaymentOut, responses=COMMON_ERRORS)
def reverse_payment(payment_id: int, body: PaymentReversal, ctx: Context) -> PaymentOut:
    """Reverse a posted payment (supervisors); the reason is kept on the payment."""
    payment = payments.reverse_payment(ctx, payment_id, reason=body.reason, on=ctx.today())
    return _out(ctx, payments._result_of(ctx, payment))
