"""Allocation rules beyond oldest first: exact binders, binders kept from old debt, remittance targets."""

from __future__ import annotations

from datetime import date

from premia.billing.queries import month_open_amounts, paid_through_dates
from premia.enrollment.model import PolicyStatus, Relationship
from premia.ledger import service as ledger
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.payments.allocation import AllocationTarget
from premia.payments.model import PaymentChannel, PaymentMethod
from premia.payments.service import post_payment
from tests.integration.conftest import Story, story_catalog


def _pay(story, account, cents, on, **options):
    story.at(on)
    return post_payment(
        story.ctx,
        billing_account_id=account.id,
        amount_cents=cents,
        channel=PaymentChannel.MANUAL,
        method=PaymentMethod.ACH,
        received_on=on,
        **options,
    )


def _binder_household(ctx):
    """BC-09: A 488.80 and B 485.60 less APTC 735.00 (368.71 and 366.29): 239.40 due for January 2026."""
    story = Story(ctx=ctx, catalog=story_catalog(exchange=True))
    account = story.at(date(2025, 12, 1)).account(birth=date(1990, 8, 17))
    policy = story.policy(account, effective=date(2026, 1, 1), plan_id="12345VA0010001", on_exchange=True)
    story.dependent(policy, first_name="B", birth=date(1991, 2, 3), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))
    story.aptc(policy, 73_500, start=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    return story, account, policy


def test_binder_paid_to_the_cent(ctx):
    story, account, policy = _binder_household(ctx)
    # 48,880 + 48,560 - 36,871 - 36,629 = 23,940 cents
    assert story.invoices(account)[0].amount_due_cents == 23_940
    result = _pay(story, account, 23_940, date(2025, 12, 30))
    assert result.unapplied_cents == 0
    assert ledger.account_balance(ctx, account.id) == 0
    assert paid_through_dates(ctx, [policy])[policy.id] == date(2026, 1, 31)


def test_binder_paid_in_two_parts(ctx):
    story, account, policy = _binder_household(ctx)
    _pay(story, account, 10_000, date(2025, 12, 29))
    # 239.40 - 100.00 = 139.40
    _pay(story, account, 13_940, date(2025, 12, 30))
    assert ledger.account_balance(ctx, account.id) == 0
    assert paid_through_dates(ctx, [policy])[policy.id] == date(2026, 1, 31)


def test_binder_not_swallowed_by_old_debt(story):
    account = story.at(date(2025, 9, 1)).account(birth=date(1990, 8, 17))
    old = story.policy(account, effective=date(2025, 10, 1))
    story.bill(date(2025, 9, 15))
    story.at(date(2025, 10, 20))
    story.terminate(old, date(2025, 10, 31))
    new = story.policy(account, effective=date(2026, 1, 1))
    new.status = PolicyStatus.PENDING.value
    story.bill(date(2025, 12, 15))
    old_owed = month_open_amounts(story.ctx, [old.id])[(old.id, date(2025, 10, 1))]
    binder = month_open_amounts(story.ctx, [new.id])[(new.id, date(2026, 1, 1))]

    result = _pay(story, account, binder, date(2025, 12, 28))
    assert result.applied_cents == binder
    assert month_open_amounts(story.ctx, [new.id])[(new.id, date(2026, 1, 1))] == 0
    assert month_open_amounts(story.ctx, [old.id])[(old.id, date(2025, 10, 1))] == old_owed


def test_binder_excess_kept_as_credit(story):
    account = story.at(date(2025, 9, 1)).account(birth=date(1990, 8, 17))
    old = story.policy(account, effective=date(2025, 10, 1))
    story.bill(date(2025, 9, 15))
    story.at(date(2025, 10, 20))
    story.terminate(old, date(2025, 10, 31))
    new = story.policy(account, effective=date(2026, 1, 1))
    new.status = PolicyStatus.PENDING.value
    story.bill(date(2025, 12, 15))
    binder = month_open_amounts(story.ctx, [new.id])[(new.id, date(2026, 1, 1))]
    result = _pay(story, account, binder + 5_000, date(2025, 12, 28))
    # The 50.00 beyond the binder waits as credit rather than paying the ended policy.
    assert result.unapplied_cents == 5_000


def test_target_limits_allocation(story):
    account = story.at(date(2025, 12, 1)).account(birth=date(1990, 8, 17))
    first = story.policy(account, effective=date(2026, 1, 1))
    second = story.policy(account, effective=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    owed = month_open_amounts(story.ctx, [second.id])[(second.id, date(2026, 1, 1))]
    result = _pay(story, account, owed, date(2025, 12, 28), target=AllocationTarget(policy_id=second.id, coverage_months=(date(2026, 1, 1),)))
    assert result.applied_cents == owed
    assert month_open_amounts(story.ctx, [second.id])[(second.id, date(2026, 1, 1))] == 0
    assert month_open_amounts(story.ctx, [first.id])[(first.id, date(2026, 1, 1))] == owed


def test_receipt_recorded_when_asked(story):
    account = story.at(date(2025, 12, 1)).account(birth=date(1990, 8, 17))
    story.policy(account, effective=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    owed = ledger.account_balance(story.ctx, account.id)
    result = _pay(story, account, owed, date(2025, 12, 28), send_receipt=True)
    (receipt,) = [n for n in notices_for(story.ctx, billing_account_id=account.id) if n.notice_type == NoticeType.PAYMENT_RECEIPT.value]
    assert receipt.payment_id == result.payment.id
    assert receipt.data["balance_after_cents"] == 0
