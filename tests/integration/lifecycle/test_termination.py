"""Terminations: end dates and their limits, credits and refunds, and reinstatement."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from premia.accounts.model import PaymentMode
from premia.audit.tables import AuditEntry
from premia.billing.queries import paid_through_dates
from premia.delinquency.service import run_delinquency
from premia.delinquency.tables import GracePeriod
from premia.enrollment import service as enrollment
from premia.enrollment.model import PolicyStatus
from premia.kernel.errors import ConflictError, ValidationError
from premia.ledger import service as ledger
from premia.lifecycle import termination
from premia.lifecycle.model import RefundState, RequestSource
from premia.notices.tables import Notice
from premia.payments.model import RefundMethod, RefundStatus
from premia.payments.refunds import get_refund, refundable_cents, request_refund
from tests.integration.lifecycle.conftest import plans_catalog, story_catalog

# A born 1990-08-17 and B born 1992-11-20 are 34 and 32 in mid-2025: factors 1.214 and 1.183,
# so on a 400.00 base 485.60 + 473.20 = 958.80 a month.
BIRTH_A = date(1990, 8, 17)
BIRTH_B = date(1992, 11, 20)


def test_quarter_refund_capped_at_credit(life):
    household = life.couple(effective=date(2025, 7, 1), birth_a=BIRTH_A, birth_b=BIRTH_B, mode=PaymentMode.QUARTERLY)
    life.story.bill(date(2025, 6, 15))
    quarter = life.invoice_for(household.account, date(2025, 7, 1))
    # 3 x 958.80 = 2,876.40
    assert quarter.current_charges_cents == 287_640
    life.story.pay(household.account, 100_000, date(2025, 7, 1))

    result = life.terminate(household.policy, date(2025, 7, 20), on=date(2025, 7, 10))
    # July 1-20 earned: 485.60 x 20 / 31 = 313.29 and 473.20 x 20 / 31 = 305.29, so the July credit is
    # 172.31 + 167.91 = 340.22; August and September 2 x 958.80 = 1,917.60; 340.22 + 1,917.60 = 2,257.82.
    assert result.expected_credit_cents == 225_782
    assert result.refund_state is RefundState.AWAITING_CREDIT
    assert life.settle(date(2025, 7, 11)) == []

    life.story.bill(date(2025, 9, 15))
    # 2,876.40 - 2,257.82 - 1,000.00 = -381.42
    assert ledger.account_balance(life.ctx, household.account.id) == -38_142
    for too_much in (287_640, 100_000):
        with pytest.raises(ValidationError) as caught:
            request_refund(
                life.ctx,
                account_number=household.account.account_number,
                amount_cents=too_much,
                method=RefundMethod.CHECK,
                reason="termination credit",
                requested_on=date(2025, 9, 16),
            )
        assert "381.42" in caught.value.message

    settled = life.settle(date(2025, 9, 16))
    assert [(item.state, item.refund_cents) for item in settled] == [(RefundState.REQUESTED, 38_142)]
    assert get_refund(life.ctx, settled[0].refund_id).status == RefundStatus.APPROVED
    assert refundable_cents(life.ctx, household.account.id) == 0
    with pytest.raises(ValidationError):
        request_refund(
            life.ctx,
            account_number=household.account.account_number,
            amount_cents=1,
            method=RefundMethod.CHECK,
            reason="one more cent",
            requested_on=date(2025, 9, 17),
        )
    assert paid_through_dates(life.ctx, [household.policy])[household.policy.id] == date(2025, 7, 20)


def test_no_premium_after_term_date(life):
    household = life.couple(effective=date(2025, 6, 1), birth_a=BIRTH_A, birth_b=BIRTH_B)
    life.story.bill(date(2025, 5, 15))
    june = life.invoice_for(household.account, date(2025, 6, 1))
    life.story.pay_invoice(june, date(2025, 6, 2))

    result = life.terminate(household.policy, date(2025, 6, 15), on=date(2025, 6, 10))
    life.story.bill(date(2025, 6, 15))

    assert result.dates.allowed == date(2025, 6, 15)
    statement = life.invoice_for(household.account, date(2025, 7, 1))
    lines = life.lines(statement)
    assert all(line.coverage_month == date(2025, 6, 1) for line in lines)
    # June 16-30 credited: 485.60 - 485.60 x 15 / 30 = 242.80 and 473.20 - 236.60 = 236.60
    assert sorted(line.amount_cents for line in lines) == [-24_280, -23_660]
    # 242.80 + 236.60 = 479.40
    assert ledger.account_balance(life.ctx, household.account.id) == -47_940
    settled = life.settle(date(2025, 6, 16))
    assert settled[0].refund_cents == 47_940
    assert paid_through_dates(life.ctx, [household.policy])[household.policy.id] == date(2025, 6, 15)


def test_late_report_credits_july(life):
    household = life.couple(effective=date(2025, 6, 1), birth_a=BIRTH_A, birth_b=BIRTH_B)
    life.story.bill(date(2025, 5, 15))
    life.story.pay_invoice(life.invoice_for(household.account, date(2025, 6, 1)), date(2025, 6, 2))
    life.story.bill(date(2025, 6, 15))
    july = life.invoice_for(household.account, date(2025, 7, 1))
    # 958.80 for July, issued before the termination was reported
    assert july.current_charges_cents == 95_880

    life.terminate(household.policy, date(2025, 6, 15), on=date(2025, 6, 20))
    life.story.at(date(2025, 7, 5))
    run_delinquency(life.ctx, as_of=date(2025, 7, 5))
    life.story.bill(date(2025, 7, 15))

    statement = life.invoice_for(household.account, date(2025, 8, 1))
    # -958.80 for July and -479.40 for June
    assert life.month_total(statement, date(2025, 7, 1)) == -95_880
    assert life.month_total(statement, date(2025, 6, 1)) == -47_940
    # 958.80 + 958.80 - 958.80 - 958.80 - 479.40 = -479.40
    assert ledger.account_balance(life.ctx, household.account.id) == -47_940
    notices = life.ctx.session.scalars(select(Notice.notice_type).where(Notice.billing_account_id == household.account.id)).all()
    assert "delinquency" not in notices


def test_late_report_starts_no_grace(life):
    household = life.couple(effective=date(2025, 6, 1), birth_a=BIRTH_A, birth_b=BIRTH_B)
    life.story.bill(date(2025, 5, 15))
    life.story.pay_invoice(life.invoice_for(household.account, date(2025, 6, 1)), date(2025, 6, 2))
    life.story.bill(date(2025, 6, 15))
    life.terminate(household.policy, date(2025, 6, 15), on=date(2025, 6, 20))

    # July (due Tuesday 07-01) stays unpaid, first before the credit is billed, then after it,
    # and past the day its grace period would have ended.
    for day in (date(2025, 7, 2), date(2025, 7, 15), date(2025, 8, 3), date(2025, 8, 15)):
        life.story.at(day)
        if day.day == 15:
            life.story.bill(day)
        run_delinquency(life.ctx, as_of=day)

    grace_periods = life.ctx.session.scalars(select(GracePeriod).where(GracePeriod.policy_id == household.policy.id)).all()
    assert grace_periods == []
    notices = life.ctx.session.scalars(select(Notice).where(Notice.billing_account_id == household.account.id)).all()
    assert not {"delinquency", "grace_second", "final"} & {notice.notice_type for notice in notices}
    # The only termination notice confirms the member's request; none is sent for non-payment.
    terminations = [notice for notice in notices if notice.notice_type == "termination"]
    assert [(notice.as_of, notice.data["reason"]) for notice in terminations] == [(date(2025, 6, 20), "other coverage")]
    life.ctx.session.refresh(household.policy)
    assert household.policy.status == PolicyStatus.TERMINATED.value
    assert household.policy.end_date == date(2025, 6, 15)
    assert ledger.account_balance(life.ctx, household.account.id) == -47_940


def test_month_end_term_has_no_credit(life):
    household = life.couple(effective=date(2025, 6, 1), birth_a=BIRTH_A, birth_b=BIRTH_B)
    life.story.bill(date(2025, 5, 15))
    result = life.terminate(household.policy, date(2025, 6, 30), on=date(2025, 6, 10))
    life.story.bill(date(2025, 6, 15))

    assert result.refund_state is RefundState.NONE
    assert life.invoice_for(household.account, date(2025, 7, 1)) is None


def test_annual_termination_credit(life):
    # A born 1979-05-20: age 47 on 2027-01-01, factor 1.563: 400.00 x 1.563 = 625.20
    # B born 1981-11-02: age 45, factor 1.444: 400.00 x 1.444 = 577.60
    household = life.couple(effective=date(2027, 1, 1), birth_a=date(1979, 5, 20), birth_b=date(1981, 11, 2), mode=PaymentMode.ANNUAL)
    life.story.bill(date(2026, 12, 15))
    annual = life.invoice_for(household.account, date(2027, 1, 1))
    # 12 x (625.20 + 577.60) = 12 x 1,202.80 = 14,433.60
    assert annual.current_charges_cents == 1_443_360
    assert annual.due_date == date(2027, 1, 4)
    life.story.pay_invoice(annual, date(2027, 1, 4))

    result = life.terminate(household.policy, date(2027, 8, 2), on=date(2027, 8, 20))
    # August 2 of 31 days earned: 625.20 x 2 / 31 = 40.34 and 577.60 x 2 / 31 = 37.26; credit
    # 584.86 + 540.34 for August and 4 x 1,202.80 = 4,811.20 after: 5,936.40 in all.
    assert result.expected_credit_cents == 593_640
    assert result.dates.moved is False
    life.story.bill(date(2027, 12, 15))

    assert ledger.account_balance(life.ctx, household.account.id) == -593_640
    settled = life.settle(date(2027, 12, 16))
    assert settled[0].refund_cents == 593_640
    # Above the 500.00 approval limit, a supervisor approves it.
    assert settled[0].refund_status == RefundStatus.PENDING_APPROVAL
    assert paid_through_dates(life.ctx, [household.policy])[household.policy.id] == date(2027, 8, 2)


def test_aptc_refund_prorates_separately(life):
    life.story.catalog = story_catalog({2026: "600.00"}, exchange=True)
    # Born 2004-06-01: age 21 on 2026-03-01, factor 1.000, so 600.00 a month with 450.00 APTC.
    household = life.single(effective=date(2026, 3, 1), birth=date(2004, 6, 1), plan_id="12345VA0010001", on_exchange=True)
    life.story.aptc(household.policy, 45_000, start=date(2026, 3, 1))
    life.story.bill(date(2026, 2, 15))
    march = life.invoice_for(household.account, date(2026, 3, 1))
    # 600.00 - 450.00 = 150.00
    assert march.amount_due_cents == 15_000
    life.story.pay_invoice(march, date(2026, 3, 2))

    result = life.terminate(household.policy, date(2026, 3, 20), on=date(2026, 3, 25), source=RequestSource.EXCHANGE)
    # Earned gross 600 x 20 / 31 = 387.10 and APTC 450 x 20 / 31 = 290.32: refund (600.00 - 387.10) - (450.00 - 290.32)
    # = 212.90 - 159.68 = 53.22. Prorating the net, 150 x 11 / 31, would give 53.23.
    assert result.expected_credit_cents == 5_322
    life.story.bill(date(2026, 4, 15))
    settled = life.settle(date(2026, 4, 16))
    assert settled[0].refund_cents == 5_322


def test_exchange_member_needs_notice(life):
    life.story.catalog = story_catalog({2026: "400.00"}, exchange=True)
    household = life.single(effective=date(2026, 1, 1), birth=date(1990, 4, 12), plan_id="12345VA0010001", on_exchange=True)
    result = life.terminate(household.policy, date(2026, 3, 15), on=date(2026, 3, 10))
    # 2026-03-10 + 14 days = 2026-03-24
    assert result.dates.allowed == date(2026, 3, 24)
    assert "14 days" in result.dates.moved_by
    assert household.policy.end_date == date(2026, 3, 24)


def test_group_retro_limit(life):
    life.story.catalog = story_catalog({2026: "400.00"})
    group, account = life.story.employer_group("G-0501", anniversary_month=1)
    policy = life.story.employee(account, group, first_name="Eve", birth=date(1985, 1, 1), effective=date(2026, 1, 1), plan_id="OFFVA-SILVER")
    result = life.terminate(policy, date(2026, 2, 28), on=date(2026, 5, 10), source=RequestSource.EMPLOYER)
    # 2026-05-10 - 60 days = 2026-03-11
    assert result.dates.allowed == date(2026, 3, 11)
    assert policy.end_date == date(2026, 3, 11)
    change = life.changes_of(policy)[0]
    assert change.requested_date == date(2026, 2, 28)
    assert "60 days" in change.date_rule


def test_termination_cancels_renewal(life):
    life.story.catalog = story_catalog({2026: "400.00", 2027: "420.00"})
    household = life.single(effective=date(2026, 1, 1), birth=date(1990, 4, 12))
    life.renew(date(2026, 10, 15))
    renewal = life.renewal_of(household.policy)
    result = life.terminate(household.policy, date(2026, 11, 30), on=date(2026, 11, 2))

    assert result.cancelled_renewals == (renewal.policy_number,)
    assert renewal.status == PolicyStatus.CANCELLED
    assert life.offers(household.policy)[0].status == "declined"


def test_terminate_before_start_rejected(life):
    household = life.single(effective=date(2026, 6, 1), birth=date(1990, 4, 12))
    with pytest.raises(ValidationError) as caught:
        life.terminate(household.policy, date(2026, 5, 20), on=date(2026, 5, 15))
    assert caught.value.code == "lifecycle.ends_before_start"


def test_terminated_policy_not_terminated_again(life):
    household = life.single(effective=date(2026, 1, 1), birth=date(1990, 4, 12))
    life.terminate(household.policy, date(2026, 6, 30), on=date(2026, 6, 1))
    with pytest.raises(ConflictError) as caught:
        life.terminate(household.policy, date(2026, 5, 31), on=date(2026, 6, 2))
    assert caught.value.code == "lifecycle.status_not_allowed"


def test_reinstatement_restores_coverage(life):
    household = life.couple(effective=date(2025, 6, 1), birth_a=BIRTH_A, birth_b=BIRTH_B)
    life.story.bill(date(2025, 5, 15))
    life.story.pay_invoice(life.invoice_for(household.account, date(2025, 6, 1)), date(2025, 6, 2))
    life.terminate(household.policy, date(2025, 6, 15), on=date(2025, 6, 10))

    life.story.at(date(2025, 6, 12))
    result = termination.reinstate_policy(life.ctx, household.policy.policy_number, on=date(2025, 6, 12), reason="member changed their mind")
    life.story.bill(date(2025, 6, 15))

    assert household.policy.status == PolicyStatus.ACTIVE
    assert household.policy.end_date is None
    assert [span.end_date for span in enrollment.spans_of(life.ctx, household.policy.id)] == [None, None]
    assert result.withdrawn_refund is True
    july = life.invoice_for(household.account, date(2025, 7, 1))
    # 958.80 for July and no June credit
    assert july.current_charges_cents == 95_880
    assert july.adjustments_cents == 0
    kinds = [change.kind for change in life.changes_of(household.policy)]
    assert kinds == ["termination", "reinstatement"]
    actions = life.ctx.session.scalars(select(AuditEntry.action).where(AuditEntry.record_id == household.policy.policy_number)).all()
    assert "termination" in actions
    assert "reinstatement" in actions


def test_reinstatement_window_passed(life):
    household = life.single(effective=date(2026, 1, 1), birth=date(1990, 4, 12))
    life.terminate(household.policy, date(2026, 3, 31), on=date(2026, 3, 20))
    with pytest.raises(ConflictError) as caught:
        termination.reinstate_policy(life.ctx, household.policy.policy_number, on=date(2026, 5, 1), reason="too late")
    # 2026-03-31 + 30 days = 2026-04-30
    assert "2026-04-30" in caught.value.message


def test_plan_change_not_reinstated(life):
    life.story.catalog = plans_catalog({"SILVER-VA": {2026: "400.00"}, "GOLD-VA": {2026: "480.00"}})
    household = life.single(effective=date(2026, 1, 1), birth=date(1990, 4, 12), plan_id="SILVER-VA")
    life.change_plan(household.policy, "GOLD-VA", effective=date(2026, 6, 1), on=date(2026, 5, 20))
    with pytest.raises(ConflictError) as caught:
        termination.reinstate_policy(life.ctx, household.policy.policy_number, on=date(2026, 6, 2), reason="undo")
    assert caught.value.code == "lifecycle.ended_by_plan_change"


def test_nonpayment_reinstatement_follows_rules(life):
    household = life.single(effective=date(2026, 1, 1), birth=date(1990, 4, 12))
    household.policy.status = PolicyStatus.TERMINATED.value
    household.policy.end_date = date(2026, 2, 28)
    with pytest.raises(ConflictError) as caught:
        termination.reinstate_policy(life.ctx, household.policy.policy_number, on=date(2026, 3, 10), reason="paid up")
    assert caught.value.code == "lifecycle.reinstatement_not_allowed"


def test_renewal_cancelled_again_notified(life):
    # Terminating a policy cancels its renewal; a reinstatement restores both. Terminated
    # again, the renewal is cancelled again and its payer gets a second notice.
    household = life.single(effective=date(2026, 12, 1), birth=BIRTH_A)
    life.renew(date(2026, 10, 15))
    renewal = life.renewal_of(household.policy)
    life.terminate(household.policy, date(2026, 12, 20), on=date(2026, 12, 10))
    life.story.at(date(2026, 12, 12))
    termination.reinstate_policy(life.ctx, household.policy.policy_number, on=date(2026, 12, 12), reason="undo")
    assert renewal.status != PolicyStatus.CANCELLED

    life.terminate(household.policy, date(2026, 12, 20), on=date(2026, 12, 14))

    assert renewal.status == PolicyStatus.CANCELLED
    assert len(life.notices(renewal, "cancellation")) == 2
