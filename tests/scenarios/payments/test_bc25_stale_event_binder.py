"""BC-25: a stale processor event does not undo a paid binder on a pending policy.

Policy P-2601 is pending, effective 2026-01-01, with a binder of 968.00 (base 400.00, ages
on 2026-01-01):
  A born 1990-08-17, age 35, factor 1.222: 488.80
  B born 1992-09-10, age 33, factor 1.198: 479.20
Saturday 2025-12-20 the binder is paid by card. The processor's E1 "processing" (created
15:00:00Z) and E2 "succeeded" (created 15:00:05Z) arrive out of order: E2 at 15:00:06Z,
E1 at 15:00:07Z. The default binder rule gives 30 days from the effective date, so the
deadline is 2026-01-31.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from premia.enrollment.model import PolicyStatus
from premia.kernel.clock import FixedClock
from premia.ledger.model import EntryKind, LedgerAccount
from premia.ledger.tables import JournalEntry, JournalLine
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.payments.model import EventOutcome, PaymentStatus, ProcessorEventType
from premia.payments.processor_events import CardEvent, record_processor_event
from premia.payments.tables import Payment, ProcessorEvent

PROCESSOR = "cardco"
BINDER = 48_880 + 47_920
E1_CREATED = datetime(2025, 12, 20, 15, 0, 0, tzinfo=UTC)
E2_CREATED = datetime(2025, 12, 20, 15, 0, 5, tzinfo=UTC)


def _pending_binder(story):
    household = story.individual(effective=date(2026, 1, 1), birth=date(1990, 8, 17), spouse_birth=date(1992, 9, 10), status=PolicyStatus.PENDING)
    story.day(date(2025, 12, 15))
    (binder,) = story.story.invoices(household.account)
    assert binder.period_start == date(2026, 1, 1)
    assert binder.amount_due_cents == BINDER
    return household


def _deliver(story, household, event_id: str, kind: ProcessorEventType, created: datetime, arrives: datetime):
    story.ctx.clock = FixedClock(arrives)
    event = CardEvent(PROCESSOR, event_id, "pi_2601", kind, created, BINDER, household.account.account_number, arrives.date())
    return record_processor_event(story.ctx, event)


def _e2(story, household, arrives=datetime(2025, 12, 20, 15, 0, 6, tzinfo=UTC)):
    return _deliver(story, household, "E2", ProcessorEventType.SUCCEEDED, E2_CREATED, arrives)


def _e1(story, household, arrives=datetime(2025, 12, 20, 15, 0, 7, tzinfo=UTC)):
    return _deliver(story, household, "E1", ProcessorEventType.PROCESSING, E1_CREATED, arrives)


def _binder_stays_paid(story, household) -> None:
    session = story.ctx.session
    (payment,) = session.scalars(select(Payment).where(Payment.billing_account_id == household.account.id)).all()
    assert payment.amount_cents == BINDER
    assert payment.status == PaymentStatus.SETTLED.value
    reversals = select(func.count(JournalEntry.id)).where(
        JournalEntry.billing_account_id == household.account.id, JournalEntry.kind.in_([EntryKind.REVERSAL.value, EntryKind.RETURN.value])
    )
    assert session.scalar(reversals) == 0

    # The binder invoice is paid, so the account owes only what was billed after it.
    binder, *later = story.story.invoices(household.account)
    binder_open = select(func.sum(JournalLine.amount_cents)).where(
        JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value, JournalLine.invoice_id == binder.id
    )
    assert session.scalar(binder_open) == 0
    assert story.balance(household) == sum(invoice.current_charges_cents for invoice in later)

    # Effectuated once, on the day the binder was paid, and never moved again.
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.moves(household) == [("pending", "active", date(2025, 12, 20))]
    assert story.transitions(household)[0].effective_date == date(2026, 1, 1)
    assert household.policy.effective_date == date(2026, 1, 1)
    assert story.paid_through(household) == date(2026, 1, 31)
    assert "cancellation" not in [row.kind for row in story.outbound(household)]

    # One receipt, and no payment-failed, returned-payment or cancellation notice.
    assert story.dunning(household) == []
    kinds = [notice.notice_type for notice in notices_for(story.ctx, billing_account_id=household.account.id)]
    assert NoticeType.RETURNED_PAYMENT.value not in kinds
    assert NoticeType.CANCELLATION.value not in kinds
    assert kinds.count(NoticeType.PAYMENT_RECEIPT.value) == 1


def test_out_of_order_events_keep_binder(offexchange_story):
    story = offexchange_story
    household = _pending_binder(story)
    newer = _e2(story, household)
    older = _e1(story, household)
    assert newer.outcome is EventOutcome.APPLIED
    assert older.outcome is EventOutcome.STALE
    stored = story.ctx.session.scalar(select(ProcessorEvent).where(ProcessorEvent.event_id == "E1"))
    assert stored.applied is False

    # The nightly runs effectuate the binder, and the deadline passes with nothing undone.
    for day in (date(2025, 12, 20), date(2025, 12, 21), date(2026, 1, 6), date(2026, 1, 31), date(2026, 2, 1)):
        story.day(day)
    _binder_stays_paid(story, household)


def test_stale_event_after_effectuation(offexchange_story):
    story = offexchange_story
    household = _pending_binder(story)
    _e2(story, household)
    story.day(date(2025, 12, 20))
    assert story.status(household) == PolicyStatus.ACTIVE

    # E1 reaches Premia only after the binder has effectuated the policy.
    older = _e1(story, household, arrives=datetime(2025, 12, 21, 9, 0, 0, tzinfo=UTC))
    assert older.outcome is EventOutcome.STALE
    story.day(date(2025, 12, 21))

    # An unseen "failed" event older than E2 is stale too.
    failed = _deliver(
        story, household, "E0", ProcessorEventType.FAILED, datetime(2025, 12, 20, 14, 59, 59, tzinfo=UTC), datetime(2025, 12, 22, 9, 0, 0, tzinfo=UTC)
    )
    assert failed.outcome is EventOutcome.STALE
    for day in (date(2025, 12, 22), date(2026, 1, 6), date(2026, 2, 1)):
        story.day(day)
    _binder_stays_paid(story, household)


def test_replays_change_nothing(offexchange_story):
    story = offexchange_story
    household = _pending_binder(story)
    _e2(story, household)
    _e1(story, household)
    story.day(date(2025, 12, 20))

    later = datetime(2025, 12, 23, 16, 0, 0, tzinfo=UTC)
    assert _e1(story, household, arrives=later).outcome is EventOutcome.DUPLICATE
    assert _e2(story, household, arrives=later).outcome is EventOutcome.DUPLICATE
    assert story.ctx.session.scalar(select(func.count(ProcessorEvent.id))) == 2
    for day in (date(2025, 12, 23), date(2026, 2, 1)):
        story.day(day)
    _binder_stays_paid(story, household)
