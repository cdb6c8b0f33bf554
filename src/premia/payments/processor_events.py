"""Card processor events: each posts at most once, and an event older than the last applied changes nothing.

A processor reports a transaction both in its synchronous reply and in later webhook
events, may deliver an event twice, and may deliver events out of order. So every event
is stored once by (processor, event id); a repeat is answered as a duplicate. An event is
applied only when it is newer than the last event applied to its transaction; an older
one is stored as stale. The transaction's payment is found by its external id
``<processor>:<transaction id>``, so the reply and the events share one payment.

| Event | No payment yet | Pending payment | Settled payment |
|---|---|---|---|
| processing | post it pending | no change | no change |
| succeeded | post it settled | settle it | no change |
| failed | no change | return it (DECLINED) | no change |
| refunded, chargeback | no change | return it | return it (REFUNDED, CHARGEBK) |
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from premia.accounts import service as accounts
from premia.infra.context import ServiceContext
from premia.payments.model import EventOutcome, PaymentChannel, PaymentMethod, PaymentStatus, ProcessorEventType
from premia.payments.service import lock_account, post_payment, return_payment, settle_payment
from premia.payments.tables import Payment, ProcessorEvent
from premia.staff.permissions import Permission

log = logging.getLogger("premia.payments.processor")

RETURN_CODES = {
    ProcessorEventType.FAILED: "DECLINED",
    ProcessorEventType.REFUNDED: "REFUNDED",
    ProcessorEventType.CHARGEBACK: "CHARGEBK",
}


@dataclass(frozen=True)
class CardEvent:
    """One report from the card processor about one transaction; ``received_on`` is the carrier-local date."""

    processor: str
    event_id: str
    transaction_id: str
    event_type: ProcessorEventType
    occurred_at: datetime
    amount_cents: int
    account_number: str
    received_on: date


@dataclass(frozen=True)
class EventResult:
    outcome: EventOutcome
    payment: Payment | None


def record_processor_event(ctx: ServiceContext, event: CardEvent) -> EventResult:
    """Store the event and apply it if it is new and newer than what was applied; see the module docstring."""
    ctx.require(Permission.PAYMENTS_POST)
    external_id = f"{event.processor}:{event.transaction_id}"
    # Events of one account are handled one at a time, so a redelivery racing the first is a duplicate.
    account = lock_account(ctx, accounts.get_account_row(ctx, event.account_number).id)
    payment = ctx.session.scalar(select(Payment).where(Payment.external_id == external_id))
    earlier = ctx.session.scalar(
        select(ProcessorEvent.id).where(ProcessorEvent.processor == event.processor, ProcessorEvent.event_id == event.event_id)
    )
    if earlier is not None:
        return EventResult(EventOutcome.DUPLICATE, payment)

    last_applied = ctx.session.scalar(
        select(func.max(ProcessorEvent.occurred_at)).where(
            ProcessorEvent.processor == event.processor,
            ProcessorEvent.transaction_id == event.transaction_id,
            ProcessorEvent.applied.is_(True),
        )
    )
    if last_applied is not None and event.occurred_at <= last_applied:
        outcome = EventOutcome.STALE
        log.info("stale processor event stored, not applied", extra={"event_id": event.event_id, "transaction_id": event.transaction_id})
    else:
        outcome, payment = _apply(ctx, event, account.id, payment, external_id)

    ctx.session.add(
        ProcessorEvent(
            processor=event.processor,
            event_id=event.event_id,
            transaction_id=event.transaction_id,
            event_type=event.event_type.value,
            occurred_at=event.occurred_at,
            received_at=ctx.now(),
            amount_cents=event.amount_cents,
            billing_account_id=account.id,
            payment_id=payment.id if payment else None,
            outcome=outcome.value,
            applied=outcome in (EventOutcome.APPLIED, EventOutcome.NO_CHANGE),
        )
    )
    ctx.session.flush()
    return EventResult(outcome, payment)


def record_card_result(
    ctx: ServiceContext,
    *,
    processor: str,
    transaction_id: str,
    succeeded: bool,
    amount_cents: int,
    account_number: str,
    occurred_at: datetime,
    received_on: date,
) -> EventResult:
    """Record the processor's synchronous reply to a card payment as the transaction's first event."""
    return record_processor_event(
        ctx,
        CardEvent(
            processor=processor,
            event_id=f"reply:{transaction_id}",
            transaction_id=transaction_id,
            event_type=ProcessorEventType.SUCCEEDED if succeeded else ProcessorEventType.FAILED,
            occurred_at=occurred_at,
            amount_cents=amount_cents,
            account_number=account_number,
            received_on=received_on,
        ),
    )


def _apply(
    ctx: ServiceContext, event: CardEvent, account_id: int, payment: Payment | None, external_id: str
) -> tuple[EventOutcome, Payment | None]:
    kind = event.event_type
    if payment is None:
        if kind not in (ProcessorEventType.PROCESSING, ProcessorEventType.SUCCEEDED):
            return EventOutcome.NO_CHANGE, None
        status = PaymentStatus.SETTLED if kind is ProcessorEventType.SUCCEEDED else PaymentStatus.PENDING
        result = post_payment(
            ctx,
            billing_account_id=account_id,
            amount_cents=event.amount_cents,
            channel=PaymentChannel.CARD,
            method=PaymentMethod.CARD,
            received_on=event.received_on,
            reference=event.transaction_id[:128],
            external_id=external_id,
            status=status,
            source=f"{event.processor} event {event.event_id}"[:128],
            send_receipt=True,
        )
        return EventOutcome.APPLIED, result.payment

    current = PaymentStatus(payment.status)
    if kind is ProcessorEventType.SUCCEEDED and current is PaymentStatus.PENDING:
        settle_payment(ctx, payment, settled_on=event.received_on, send_receipt=True)
        return EventOutcome.APPLIED, payment
    returns_pending = kind is ProcessorEventType.FAILED and current is PaymentStatus.PENDING
    takes_back = kind in (ProcessorEventType.REFUNDED, ProcessorEventType.CHARGEBACK)
    returns_any = takes_back and current in (PaymentStatus.PENDING, PaymentStatus.SETTLED)
    if returns_pending or returns_any:
        return_payment(ctx, payment, return_code=RETURN_CODES[kind], returned_on=event.received_on)
        return EventOutcome.APPLIED, payment
    return EventOutcome.NO_CHANGE, payment
