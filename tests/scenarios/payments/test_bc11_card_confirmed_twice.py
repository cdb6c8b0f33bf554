"""BC-11: a card payment confirmed by the processor's reply and by its event, twice, posts once.

Subscriber A's May 2026 invoice is 1,274.00 (base 400.00, ages on the effective date
2026-04-01):
  A born 1990-08-17, age 35, factor 1.222: 488.80
  B born 1993-02-03, age 33, factor 1.198: 479.20
  C born 2025-11-01, age 0, factor 0.765: 306.00
  488.80 + 479.20 + 306.00 = 1,274.00, due Friday 2026-05-01.
April is paid, so the account is paid through 2026-04-30 when the card payment T-9 arrives.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from premia.billing.queries import paid_through_dates
from premia.enrollment.model import Relationship
from premia.kernel.clock import FixedClock
from premia.ledger import service as ledger
from premia.ledger.model import LedgerAccount
from premia.ledger.tables import JournalEntry, JournalLine
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.payments.model import EventOutcome, PaymentChannel, PaymentStatus, ProcessorEventType
from premia.payments.processor_events import CardEvent, record_card_result, record_processor_event
from premia.payments.tables import Payment, ProcessorEvent
from tests.integration.payments.conftest import couple

PROCESSOR = "cardco"
MAY = 48_880 + 47_920 + 30_600
REPLY_AT = datetime(2026, 4, 28, 14, 0, 0, 100_000, tzinfo=UTC)
EVENT_AT = datetime(2026, 4, 28, 14, 0, 0, 180_000, tzinfo=UTC)
REDELIVERED_AT = datetime(2026, 4, 28, 14, 5, 0, tzinfo=UTC)


def _family_owing_may(story):
    household = couple(story, effective=date(2026, 4, 1), start=date(2026, 3, 1))
    story.dependent(household.policy, first_name="C", birth=date(2025, 11, 1), relationship=Relationship.CHILD, start=date(2026, 4, 1))
    story.bill(date(2026, 3, 15))
    april = story.invoices(household.account)[0]
    assert april.current_charges_cents == MAY
    story.pay_invoice(april, date(2026, 3, 28))

    story.bill(date(2026, 4, 15))
    may = story.invoices(household.account)[-1]
    assert may.period_start == date(2026, 5, 1)
    assert may.current_charges_cents == MAY
    assert may.due_date == date(2026, 5, 1)
    assert paid_through_dates(story.ctx, [household.policy])[household.policy.id] == date(2026, 4, 30)
    return household, may


def _reply(story, household):
    return record_card_result(
        story.ctx,
        processor=PROCESSOR,
        transaction_id="T-9",
        succeeded=True,
        amount_cents=MAY,
        account_number=household.account.account_number,
        occurred_at=REPLY_AT,
        received_on=date(2026, 4, 28),
    )


def _evt_1(story, household, arrives: datetime):
    story.ctx.clock = FixedClock(arrives)
    event = CardEvent(PROCESSOR, "evt_1", "T-9", ProcessorEventType.SUCCEEDED, EVENT_AT, MAY, household.account.account_number, date(2026, 4, 28))
    return record_processor_event(story.ctx, event)


def _posted_once(story, household, may) -> None:
    session = story.ctx.session
    card = select(Payment).where(Payment.billing_account_id == household.account.id, Payment.channel == PaymentChannel.CARD.value)
    (payment,) = session.scalars(card).all()
    assert payment.external_id == f"{PROCESSOR}:T-9"
    assert payment.amount_cents == MAY
    assert payment.status == PaymentStatus.SETTLED.value

    # One balanced journal entry for the payment.
    entries = session.scalars(select(JournalLine.entry_id).where(JournalLine.payment_id == payment.id).distinct()).all()
    assert entries == [payment.posting_entry_id]
    assert session.get(JournalEntry, payment.posting_entry_id).kind == "payment"
    assert session.scalar(select(func.sum(JournalLine.amount_cents)).where(JournalLine.entry_id == payment.posting_entry_id)) == 0

    # May's invoice: 1,274.00 - 1,274.00 = 0.00. The account owes nothing and has no credit.
    may_open = select(func.sum(JournalLine.amount_cents)).where(
        JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value, JournalLine.invoice_id == may.id
    )
    assert session.scalar(may_open) == 0
    assert ledger.account_balance(story.ctx, household.account.id) == 0
    assert ledger.balance(story.ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=household.account.id) == 0

    notices = notices_for(story.ctx, billing_account_id=household.account.id)
    receipts = [notice for notice in notices if notice.notice_type == NoticeType.PAYMENT_RECEIPT.value]
    assert len(receipts) == 1
    assert receipts[0].payment_id == payment.id
    assert paid_through_dates(story.ctx, [household.policy])[household.policy.id] == date(2026, 5, 31)


def test_reply_then_event_twice(offexchange_story):
    story = offexchange_story.story
    household, may = _family_owing_may(story)
    story.ctx.clock = FixedClock(REPLY_AT)
    reply = _reply(story, household)
    first = _evt_1(story, household, EVENT_AT)
    again = _evt_1(story, household, REDELIVERED_AT)

    assert reply.outcome is EventOutcome.APPLIED
    # Both deliveries return without an error and change nothing.
    assert first.outcome in (EventOutcome.NO_CHANGE, EventOutcome.DUPLICATE)
    assert again.outcome is EventOutcome.DUPLICATE
    assert first.payment.id == reply.payment.id
    assert again.payment.id == reply.payment.id
    _posted_once(story, household, may)


def test_event_before_the_reply(offexchange_story):
    story = offexchange_story.story
    household, may = _family_owing_may(story)
    first = _evt_1(story, household, EVENT_AT)
    # The reply, sent at .100Z, is processed after the event of .180Z.
    story.ctx.clock = FixedClock(datetime(2026, 4, 28, 14, 0, 0, 250_000, tzinfo=UTC))
    reply = _reply(story, household)
    again = _evt_1(story, household, REDELIVERED_AT)

    assert first.outcome is EventOutcome.APPLIED
    assert reply.outcome in (EventOutcome.STALE, EventOutcome.NO_CHANGE)
    assert again.outcome is EventOutcome.DUPLICATE
    assert reply.payment.id == first.payment.id
    assert again.payment.id == first.payment.id
    assert story.ctx.session.scalar(select(func.count(ProcessorEvent.id))) == 2
    _posted_once(story, household, may)
