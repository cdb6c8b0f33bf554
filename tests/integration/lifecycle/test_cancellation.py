"""Cancellations: before the effective date and within the free look, refunded in full."""

from __future__ import annotations

from datetime import date

import pytest

from premia.enrollment import service as enrollment
from premia.enrollment.model import PolicyStatus
from premia.kernel.errors import ConflictError
from premia.ledger import service as ledger
from premia.lifecycle.config import FreeLookRule, LifecycleConfig
from premia.lifecycle.model import RefundState
from premia.payments.model import RefundStatus

# Born 1990-04-12: age 35 in 2026, factor 1.222: 400.00 x 1.222 = 488.80 a month.
BIRTH = date(1990, 4, 12)


def _paid_binder(life, *, effective: date):
    household = life.single(effective=effective, birth=BIRTH)
    issue = date(effective.year, effective.month - 1, 15) if effective.month > 1 else date(effective.year - 1, 12, 15)
    life.story.bill(issue)
    binder = life.invoice_for(household.account, effective)
    assert binder.current_charges_cents == 48_880
    life.story.pay_invoice(binder, issue.replace(day=20))
    return household


def test_cancel_before_start_refunds_binder(life):
    household = _paid_binder(life, effective=date(2026, 2, 1))
    result = life.cancel(household.policy, on=date(2026, 1, 25))

    assert result.free_look is False
    assert household.policy.status == PolicyStatus.CANCELLED
    assert enrollment.spans_of(life.ctx, household.policy.id) == []
    assert result.expected_credit_cents == 48_880
    assert len(life.notices(household.policy, "cancellation")) == 1

    life.story.bill(date(2026, 2, 15))
    statement = life.invoice_for(household.account, date(2026, 3, 1))
    # The whole February premium comes back: -488.80.
    assert statement.adjustments_cents == -48_880
    settled = life.settle(date(2026, 2, 16))
    assert settled[0].refund_cents == 48_880
    assert settled[0].refund_status == RefundStatus.APPROVED
    assert ledger.account_balance(life.ctx, household.account.id) == 0


def test_unpaid_cancellation_refunds_nothing(life):
    household = life.single(effective=date(2026, 2, 1), birth=BIRTH)
    life.story.bill(date(2026, 1, 15))
    life.cancel(household.policy, on=date(2026, 1, 25))
    life.story.bill(date(2026, 2, 15))

    settled = life.settle(date(2026, 2, 16))
    assert [item.state for item in settled] == [RefundState.NOTHING_TO_REFUND]
    assert ledger.account_balance(life.ctx, household.account.id) == 0


def test_free_look_refunds_everything(life):
    household = _paid_binder(life, effective=date(2026, 3, 1))
    # The free look runs 10 days from the effective date: through 2026-03-11.
    result = life.cancel(household.policy, on=date(2026, 3, 11))

    assert result.free_look is True
    assert household.policy.status == PolicyStatus.CANCELLED
    life.story.bill(date(2026, 3, 15))
    settled = life.settle(date(2026, 3, 16))
    assert settled[0].refund_cents == 48_880


def test_free_look_from_delivery(life):
    household = _paid_binder(life, effective=date(2026, 3, 1))
    result = life.cancel(household.policy, on=date(2026, 3, 14), delivered_on=date(2026, 3, 5))
    assert result.free_look is True


def test_after_free_look_rejected(life):
    household = _paid_binder(life, effective=date(2026, 3, 1))
    with pytest.raises(ConflictError) as caught:
        life.cancel(household.policy, on=date(2026, 3, 12))
    assert caught.value.code == "lifecycle.coverage_started"
    assert "2026-03-11" in caught.value.message
    assert household.policy.status == PolicyStatus.ACTIVE


def test_state_free_look_days(life):
    life.config = LifecycleConfig(free_look_rules=(FreeLookRule(name="VA 30 days", state="VA", days=30),))
    household = _paid_binder(life, effective=date(2026, 3, 1))
    assert life.cancel(household.policy, on=date(2026, 3, 25)).free_look is True


def test_group_has_no_free_look(life):
    group, account = life.story.employer_group("G-0601", anniversary_month=1)
    policy = life.story.employee(account, group, first_name="Eve", birth=date(1985, 1, 1), effective=date(2026, 1, 1), plan_id="OFFVA-SILVER")
    with pytest.raises(ConflictError) as caught:
        life.cancel(policy, on=date(2026, 1, 3))
    assert "no free-look period" in caught.value.message


def test_cancel_takes_renewal_along(life):
    household = life.single(effective=date(2026, 12, 1), birth=BIRTH)
    life.renew(date(2026, 10, 15))
    renewal = life.renewal_of(household.policy)
    result = life.cancel(household.policy, on=date(2026, 11, 20))

    assert result.cancelled_renewals == (renewal.policy_number,)
    assert renewal.status == PolicyStatus.CANCELLED
    assert life.offers(household.policy)[0].status == "declined"


def test_pending_cancelled_after_effective_date(life):
    # The binder of a 2026-03-01 policy is still unpaid on 2026-03-20, past the free look:
    # coverage never took effect, so the policy is cancelled, not terminated.
    household = life.single(effective=date(2026, 3, 1), birth=BIRTH)
    household.policy.status = PolicyStatus.PENDING.value
    life.story.bill(date(2026, 2, 15))
    result = life.cancel(household.policy, on=date(2026, 3, 20))

    assert result.free_look is False
    assert household.policy.status == PolicyStatus.CANCELLED
    assert life.changes_of(household.policy)[0].reason == "cancelled before coverage took effect"
    life.story.bill(date(2026, 3, 15))
    settled = life.settle(date(2026, 3, 21))
    # Nothing was paid, so the 488.80 credit only clears the binder invoice.
    assert [item.state for item in settled] == [RefundState.NOTHING_TO_REFUND]
    assert ledger.account_balance(life.ctx, household.account.id) == 0


def test_pending_group_policy_cancelled(life):
    group, account = life.story.employer_group("G-0602", anniversary_month=1)
    policy = life.story.employee(account, group, first_name="Eve", birth=date(1985, 1, 1), effective=date(2026, 1, 1), plan_id="OFFVA-SILVER")
    policy.status = PolicyStatus.PENDING.value
    assert life.cancel(policy, on=date(2026, 1, 20)).free_look is False
    assert policy.status == PolicyStatus.CANCELLED
