"""Binder payments: effectuation when paid (to the cent), cancellation when the deadline passes unpaid."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from premia.billing.model import LineKind
from premia.delinquency.config import BinderRule, default_config
from premia.delinquency.model import ClaimsAction
from premia.enrollment.model import PolicyStatus, Relationship
from premia.kernel.clock import FixedClock
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.payments.model import PaymentChannel, PaymentMethod
from premia.payments.service import post_payment

# The carrier's "5th of the month" rule: coverage from 2026-01-01, binder deadline 2026-01-05.
FIFTH_OF_MONTH = replace(default_config(), binder_rules=(BinderRule(name="5th", days_after_effective=None, day_of_month=5),))
# A 488.80 (born 1990-08-17, age 35) + B 485.60 (born 1991-02-03, age 34, factor 1.214); the
# exchange's 735.00 APTC split by age factor: B 735.00 x 1.214 / 2.436 = 366.29, A 368.71.
BINDER = 48_880 + 48_560 - 36_871 - 36_629


def _pending_couple(story):
    story.config = FIFTH_OF_MONTH
    return story.individual(
        effective=date(2026, 1, 1),
        birth=date(1990, 8, 17),
        spouse_birth=date(1991, 2, 3),
        exchange=True,
        aptc_cents=73_500,
        status=PolicyStatus.PENDING,
    )


def test_bc09_binder_paid_to_the_cent(exchange_story):
    story = exchange_story
    household = _pending_couple(story)
    story.day(date(2025, 12, 15))
    binder = story.story.invoices(household.account)[0]
    lines = sorted((line.kind, line.amount_cents) for line in story.story.lines(binder))
    assert lines == sorted([(LineKind.PREMIUM, 48_880), (LineKind.PREMIUM, 48_560), (LineKind.APTC, -36_871), (LineKind.APTC, -36_629)])
    # 48,880 + 48,560 - 36,871 - 36,629 = 23,940 cents.
    assert binder.amount_due_cents == 23_940 == BINDER

    story.pay(household, 23_940, date(2025, 12, 30), ach=True)
    report = story.run(date(2025, 12, 30))
    assert [(change.to_status, change.effective_date) for change in report.changes] == [("active", date(2026, 1, 1))]
    assert story.balance(household) == 0
    assert story.paid_through(household) == date(2026, 1, 31)
    assert [(row.kind, row.effective_date, row.maintenance_type) for row in story.outbound(household)] == [
        ("effectuation", date(2026, 1, 1), "021")
    ]

    # Past the deadline nothing changes, and no dunning notice is ever created.
    assert story.day(date(2026, 1, 6)).changes == []
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.dunning(household) == []


def test_bc09_two_payments(exchange_story):
    story = exchange_story
    household = _pending_couple(story)
    story.day(date(2025, 12, 15))
    # 100.00 + 139.40 = 239.40.
    story.pay(household, 10_000, date(2025, 12, 20))
    assert story.run(date(2025, 12, 20)).changes == []
    story.pay(household, 13_940, date(2025, 12, 30))
    story.run(date(2025, 12, 30))
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.paid_through(household) == date(2026, 1, 31)


def test_exact_binder_sends_receipt_only(exchange_story):
    story = exchange_story
    household = _pending_couple(story)
    story.day(date(2025, 12, 15))
    # A one-time ACH payment posted by staff, which requests a receipt as the CLI and console do.
    story.story.at(date(2025, 12, 30))
    post_payment(
        story.ctx,
        billing_account_id=household.account.id,
        amount_cents=BINDER,
        channel=PaymentChannel.MANUAL,
        method=PaymentMethod.ACH,
        received_on=date(2025, 12, 30),
        send_receipt=True,
    )
    for day in (date(2025, 12, 30), date(2026, 1, 5), date(2026, 1, 6)):
        story.day(day)

    # A zero balance owes nothing: one receipt, and no reminder, dunning or cancellation notice.
    kinds = [notice.notice_type for notice in notices_for(story.ctx, billing_account_id=household.account.id)]
    assert kinds.count(NoticeType.PAYMENT_RECEIPT.value) == 1
    assert not {NoticeType.DELINQUENCY.value, NoticeType.FINAL.value, NoticeType.CANCELLATION.value} & set(kinds)
    assert story.balance(household) == 0
    assert story.status(household) == PolicyStatus.ACTIVE


def test_binder_never_paid_cancels(exchange_story):
    story = exchange_story
    household = _pending_couple(story)
    story.day(date(2025, 12, 15))
    assert story.day(date(2026, 1, 5)).changes == []
    assert story.eligibility(household, date(2026, 1, 3)).claims is ClaimsAction.PEND

    report = story.day(date(2026, 1, 6))
    assert [(change.trigger, change.to_status) for change in report.changes] == [("binder_deadline_passed", "cancelled")]
    assert story.status(household) == PolicyStatus.CANCELLED
    assert story.grace(household) is None
    assert story.dunning(household) == [("cancellation", date(2026, 1, 6))]
    assert [row.kind for row in story.outbound(household)] == ["cancellation"]
    answer = story.eligibility(household, date(2026, 1, 3))
    assert not answer.covered
    assert answer.claims is ClaimsAction.DENY
    # The next bill run credits January: a cancelled policy owes nothing.
    story.day(date(2026, 1, 15))
    assert story.balance(household) == 0


def test_binder_paid_late_cancels(exchange_story):
    story = exchange_story
    household = _pending_couple(story)
    story.day(date(2025, 12, 15))
    # Paid 01-07, two days after the 01-05 deadline; the next run is 01-08.
    story.pay(household, BINDER, date(2026, 1, 7))
    story.day(date(2026, 1, 8))
    assert story.status(household) == PolicyStatus.CANCELLED
    # Once January is credited the late binder is a credit to refund.
    story.day(date(2026, 1, 15))
    assert story.balance(household) == -BINDER


def test_bc25_paid_binder_stays_paid(offexchange_story):
    story = offexchange_story
    story.config = FIFTH_OF_MONTH
    # A 488.80 + B 479.20 (born 1992-09-10, age 33, factor 1.198) = 968.00, off-exchange.
    household = story.individual(effective=date(2026, 1, 1), birth=date(1990, 8, 17), status=PolicyStatus.PENDING)
    story.story.dependent(household.policy, first_name="B", birth=date(1992, 9, 10), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))
    story.day(date(2025, 12, 15))

    # Saturday 2025-12-20, 15:00:05Z (09:00:05 in Chicago): the card payment succeeds.
    story.ctx.clock = FixedClock(datetime(2025, 12, 20, 15, 0, 5, tzinfo=UTC))
    assert story.ctx.today() == date(2025, 12, 20)
    paid = post_payment(
        story.ctx,
        billing_account_id=household.account.id,
        amount_cents=96_800,
        channel=PaymentChannel.CARD,
        method=PaymentMethod.CARD,
        received_on=date(2025, 12, 20),
        external_id="pi_binder_1",
    )
    story.story.at(date(2025, 12, 20))
    story.run(date(2025, 12, 20))
    # The older event delivered late replays the same payment and changes nothing.
    replay = post_payment(
        story.ctx,
        billing_account_id=household.account.id,
        amount_cents=96_800,
        channel=PaymentChannel.CARD,
        method=PaymentMethod.CARD,
        received_on=date(2025, 12, 20),
        external_id="pi_binder_1",
    )
    assert replay.replayed
    assert replay.payment.id == paid.payment.id
    for day in (date(2025, 12, 21), date(2026, 1, 6), date(2026, 1, 31)):
        story.day(day)

    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.moves(household) == [("pending", "active", date(2025, 12, 20))]
    assert story.paid_through(household) == date(2026, 1, 31)
    assert story.dunning(household) == []
