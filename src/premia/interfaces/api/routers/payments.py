"""Payments: post (idempotent), list by account, read with allocations, reverse, and card processor events."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field
from sqlalchemy import select

from premia.accounts import service as accounts
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.interfaces.api.deps import Context, IdempotencyKey, idempotent, requires, service_idempotency_key
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.interfaces.api.paging import Cursor, Limit, Page, keyset_page
from premia.interfaces.api.schemas.common import FIRST_DATE, LAST_DATE, ApiDate, ApiInput, IdPath
from premia.billing.tables import Invoice
from premia.payments import service as payments
from premia.payments.model import PaymentChannel, PaymentMethod, PaymentStatus, ProcessorEventType
from premia.payments.processor_events import CardEvent, record_processor_event
from premia.payments.tables import Payment
from premia.staff.permissions import Permission

router = APIRouter(prefix="/payments", tags=["payments"])
COMMON_ERRORS = problems(404, 409, 422)


def _in_business_range(moment: datetime) -> datetime:
    if not FIRST_DATE <= moment.date() <= LAST_DATE:
        raise ValueError(f"must be between {FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()}")
    return moment


Timestamp = Annotated[AwareDatetime, AfterValidator(_in_business_range)]


class PaymentCreate(ApiInput):
    account_number: str = Field(min_length=1, max_length=16)
    amount: Money
    method: PaymentMethod
    channel: PaymentChannel = PaymentChannel.MANUAL
    received_on: ApiDate | None = Field(default=None, description="Carrier-local date received; today when omitted.")
    reference: str | None = Field(default=None, max_length=128)
    external_id: str | None = Field(default=None, max_length=128, description="Processor transaction id; posts once.")


class PaymentReversal(ApiInput):
    reason: str = Field(min_length=3, max_length=256)


class AllocationOut(BaseModel):
    invoice_id: int | None
    invoice_number: str | None = Field(
        description="The invoice as GET /invoices/{invoice_number} takes it; null when the amount paid is on no invoice."
    )
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
    settled_on: date | None = None
    returned_on: date | None = None
    return_code: str | None = None
    reversal_reason: str | None = None
    reference: str | None
    external_id: str | None = None
    allocations: list[AllocationOut]


class CardEventIn(ApiInput):
    """One report from the card processor; the synchronous reply and each webhook event are sent the same way."""

    processor: str = Field(min_length=1, max_length=32)
    event_id: str = Field(min_length=1, max_length=128, description="The processor's event id; a repeat changes nothing.")
    # The payment's external id is "<processor>:<transaction id>", stored in 128 characters.
    transaction_id: str = Field(min_length=1, max_length=95)
    event_type: ProcessorEventType
    occurred_at: Timestamp = Field(description="When the processor created the event; an older one than the last applied is stale.")
    amount: Money
    account_number: str = Field(min_length=1, max_length=16)
    received_on: ApiDate | None = Field(default=None, description="Carrier-local date the money counts as received; today when omitted.")


class CardEventOut(BaseModel):
    outcome: str = Field(description="applied, no_change, stale or duplicate.")
    payment: PaymentOut | None


def payment_out(ctx: ServiceContext, result: payments.PostingResult) -> PaymentOut:
    payment = result.payment
    account = ctx.session.get(accounts.BillingAccount, payment.billing_account_id) if payment.billing_account_id else None
    invoice_numbers = _invoice_numbers(ctx, {a["invoice_id"] for a in result.allocations if a["invoice_id"] is not None})
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
        settled_on=payment.settled_on,
        returned_on=payment.returned_on,
        return_code=payment.return_code,
        reversal_reason=payment.reversal_reason,
        reference=payment.reference,
        external_id=payment.external_id,
        allocations=[
            AllocationOut(
                invoice_id=a["invoice_id"],
                invoice_number=invoice_numbers.get(a["invoice_id"]),
                coverage_month=a["coverage_month"],
                amount=Money(amount=a["amount"]),
            )
            for a in result.allocations
        ],
    )


def _invoice_numbers(ctx: ServiceContext, invoice_ids: set[int]) -> dict[int, str]:
    if not invoice_ids:
        return {}
    rows = ctx.session.execute(select(Invoice.id, Invoice.invoice_number).where(Invoice.id.in_(invoice_ids)))
    return {invoice_id: invoice_number for invoice_id, invoice_number in rows}


def _out_of(ctx: ServiceContext, payment: Payment) -> PaymentOut:
    return payment_out(ctx, payments._result_of(ctx, payment))


@router.post("", status_code=201, response_model=PaymentOut, responses=COMMON_ERRORS, dependencies=[requires(Permission.PAYMENTS_POST)])
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
            received_on=payments.check_received_on(body.received_on or ctx.today(), today=ctx.today()),
            reference=body.reference,
            idempotency_key=service_idempotency_key(ctx, idempotency_key),
            external_id=body.external_id,
            # A payment posted through the API is money received now, as one posted by hand is.
            send_receipt=True,
        )
        return 201, payment_out(ctx, result)

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.get("", response_model=Page[PaymentOut], responses=problems(404, 422), dependencies=[requires(Permission.BILLING_READ)])
def list_payments(
    ctx: Context,
    account_number: str | None = None,
    status: PaymentStatus | None = None,
    channel: PaymentChannel | None = None,
    received_from: ApiDate | None = None,
    received_to: ApiDate | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PaymentOut]:
    """List payments with their allocations, by account, status, channel and date received, in posting order."""
    query = select(Payment)
    if account_number:
        query = query.where(Payment.billing_account_id == accounts.get_account_row(ctx, account_number).id)
    if status is not None:
        query = query.where(Payment.status == status.value)
    if channel is not None:
        query = query.where(Payment.channel == channel.value)
    if received_from:
        query = query.where(Payment.received_on >= received_from)
    if received_to:
        query = query.where(Payment.received_on <= received_to)
    rows, next_cursor = keyset_page(ctx, query, Payment.id, limit=limit, cursor=cursor)
    for payment in rows:
        audit.record(ctx, action="search", record_type="payment", record_id=payment.id)
    return Page[PaymentOut](items=[_out_of(ctx, payment) for payment in rows], next_cursor=next_cursor)


@router.get("/{payment_id}", response_model=PaymentOut, responses=COMMON_ERRORS, dependencies=[requires(Permission.BILLING_READ)])
def get_payment(payment_id: IdPath, ctx: Context) -> PaymentOut:
    """Return one payment with how it was allocated."""
    payment = payments.get_payment(ctx, payment_id)
    audit.record(ctx, action="read", record_type="payment", record_id=payment.id)
    return _out_of(ctx, payment)


@router.post("/{payment_id}/reversal", response_model=PaymentOut, responses=COMMON_ERRORS, dependencies=[requires(Permission.PAYMENTS_REVERSE)])
def reverse_payment(payment_id: IdPath, body: PaymentReversal, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Reverse a posted payment (supervisors); the reason is kept on the payment and what it paid is open again."""

    def handler() -> tuple[int, Any]:
        payment = payments.reverse_payment(ctx, payment_id, reason=body.reason, on=ctx.today())
        return 200, _out_of(ctx, payment)

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.post("/card-events", response_model=CardEventOut, responses=COMMON_ERRORS, dependencies=[requires(Permission.PAYMENTS_POST)])
def card_event(body: CardEventIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Record a card processor reply or event. A repeated or older event returns 200 and changes nothing."""

    def handler() -> tuple[int, Any]:
        result = record_processor_event(
            ctx,
            CardEvent(
                processor=body.processor,
                event_id=body.event_id,
                transaction_id=body.transaction_id,
                event_type=body.event_type,
                occurred_at=body.occurred_at,
                amount_cents=body.amount.cents(field="amount.amount"),
                account_number=body.account_number,
                received_on=body.received_on or ctx.today(),
            ),
        )
        payment = _out_of(ctx, result.payment) if result.payment is not None else None
        return 200, CardEventOut(outcome=result.outcome.value, payment=payment)

    return idempotent(ctx, request, idempotency_key, body, handler)
