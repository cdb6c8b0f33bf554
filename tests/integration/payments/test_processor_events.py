"""Card processor events: a payment confirmed twice posts once; a stale event changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from premia.billing.queries import paid_through_dates
from premia.ledger import service as ledger
from premia.ledger.tables import JournalEntry
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.payments.model import EventOutcome, PaymentStatus, ProcessorEventType
from premia.payments.processor_events import CardEvent, record_card_result, record_processor_event
from premia.payments.tables import Payment, ProcessorEvent
from tests.integration.payments.conftest import couple

PROCESSOR = "cardco"


def _event(account, event_id, kind, at, cents=96_800, transaction="T-9", on=date(2026, 4, 28)):
    return CardEvent(PROCESSOR, event_id, transaction, kind, at, cents, account.account_number, on)


def _billed(story):
    household = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    story.bill(date(2026, 4, 15))
    return household


def test_reply_and_events_post_once(story):
    household = _billed(story)
    story.at(date(2026, 4, 28))
    reply = record_card_result(
        story.ctx, processor=PROCESSOR, transaction_id="T-9", succeeded=True, amount_cents=96_800,
        account_number=household.account.account_number, occurred_at=datetime(2026, 4, 28, 14, 0, 0, 100_000, tzinfo=UTC),
        received_on=date(2026, 4, 28),
    )  # fmt: skip
    first = record_processor_event(story.ctx, _event(household.account, "evt_1", ProcessorEventType.SUCCEEDED, datetime(2026, 4, 28, 14, 0, 0, 180_000, tzinfo=UTC)))
    again = record_processor_event(story.ctx, _event(household.account, "evt_1", ProcessorEventType.SUCCEEDED, datetime(2026, 4, 28, 14, 0, 0, 180_000, tzinfo=UTC)))
    assert reply.outcome is EventOutcome.APPLIED
    assert first.outcome is EventOutcome.NO_CHANGE
    assert again.outcome is EventOutcome.DUPLICATE
    assert story.ctx.session.scalar(select(func.count(Payment.id))) == 1
    assert story.ctx.session.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.kind == "payment")) == 1
    assert ledger.account_balance(story.ctx, household.account.id) == 0


def test_one_receipt_per_payment(story):
    household = _billed(story)
    story.at(date(2026, 4, 28))
    for event_id, second in (("evt_1", 1), ("evt_2", 2)):
        record_processor_event(story.ctx, _event(household.account, event_id, ProcessorEventType.SUCCEEDED, datetime(2026, 4, 28, 14, 0, second, tzinfo=UTC)))
    receipts = [n for n in notices_for(story.ctx, billing_account_id=household.account.id) if n.notice_type == NoticeType.PAYMENT_RECEIPT.value]
    assert len(receipts) == 1
    assert receipts[0].data["balance_after_cents"] == 0


def test_stale_event_does_not_undo_payment(story):
    household = _billed(story)
    story.at(date(2025, 12, 20))
    newer = record_processor_event(story.ctx, _event(household.account, "E2", ProcessorEventType.SUCCEEDED, datetime(2025, 12, 20, 15, 0, 5, tzinfo=UTC), on=date(2025, 12, 20)))
    older = record_processor_event(story.ctx, _event(household.account, "E1", ProcessorEventType.PROCESSING, datetime(2025, 12, 20, 15, 0, 0, tzinfo=UTC), on=date(2025, 12, 20)))
    stored = story.ctx.session.scalar(select(ProcessorEvent).where(ProcessorEvent.event_id == "E1"))
    assert newer.outcome is EventOutcome.APPLIED
    assert older.outcome is EventOutcome.STALE
    assert stored.applied is False
    assert newer.payment.status == PaymentStatus.SETTLED.value
    assert paid_through_dates(story.ctx, [household.policy])[household.policy.id] == date(2026, 5, 31)


def test_replays_change_nothing(story):
    household = _billed(story)
    story.at(date(2025, 12, 20))
    for _ in range(2):
        for event_id, kind, second in (("E2", ProcessorEventType.SUCCEEDED, 5), ("E1", ProcessorEventType.PROCESSING, 0)):
            record_processor_event(story.ctx, _event(household.account, event_id, kind, datetime(2025, 12, 20, 15, 0, second, tzinfo=UTC), on=date(2025, 12, 20)))
    assert story.ctx.session.scalar(select(func.count(ProcessorEvent.id))) == 2
    assert story.ctx.session.scalar(select(Payment.status)) == PaymentStatus.SETTLED.value


def test_processing_then_succeeded_settles(story):
    household = _billed(story)
    story.at(date(2026, 4, 28))
    pending = record_processor_event(story.ctx, _event(household.account, "E1", ProcessorEventType.PROCESSING, datetime(2026, 4, 28, 15, 0, 0, tzinfo=UTC)))
    assert pending.payment.status == PaymentStatus.PENDING.value
    assert ledger.account_balance(story.ctx, household.account.id) == 96_800
    record_processor_event(story.ctx, _event(household.account, "E2", ProcessorEventType.SUCCEEDED, datetime(2026, 4, 28, 15, 0, 5, tzinfo=UTC)))
    assert pending.payment.status == PaymentStatus.SETTLED.value
    assert ledger.account_balance(story.ctx, household.account.id) == 0


def test_failed_pending_payment_returned(story):
    household = _billed(story)
    story.at(date(2026, 4, 28))
    pending = record_processor_event(story.ctx, _event(household.account, "E1", ProcessorEventType.PROCESSING, datetime(2026, 4, 28, 15, 0, 0, tzinfo=UTC)))
    failed = record_processor_event(story.ctx, _event(household.account, "E2", ProcessorEventType.FAILED, datetime(2026, 4, 28, 15, 0, 5, tzinfo=UTC)))
    assert failed.outcome is EventOutcome.APPLIED
    assert pending.payment.status == PaymentStatus.RETURNED.value
    assert pending.payment.return_code == "DECLINED"
    assert ledger.account_balance(story.ctx, household.account.id) == 96_800


def test_chargeback_reverses_settled_payment(story):
    household = _billed(story)
    story.at(date(2026, 4, 28))
    paid = record_processor_event(story.ctx, _event(household.account, "E1", ProcessorEventType.SUCCEEDED, datetime(2026, 4, 28, 15, 0, 0, tzinfo=UTC)))
    record_processor_event(story.ctx, _event(household.account, "E9", ProcessorEventType.CHARGEBACK, datetime(2026, 5, 10, 9, 0, 0, tzinfo=UTC), on=date(2026, 5, 10)))
    assert paid.payment.status == PaymentStatus.RETURNED.value
    assert ledger.account_balance(story.ctx, household.account.id) == 96_800
