"""Auto-draft between a termination, cancellation or plan change and the bill run that posts its credit."""

from __future__ import annotations

from datetime import date

from premia.ledger import service as ledger
from premia.lifecycle import termination
from premia.lifecycle.model import RefundState
from premia.lifecycle.repository import unposted_change_credits
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.payments.autodraft import run_autodraft
from tests.integration.lifecycle.conftest import plans_catalog
from tests.integration.payments.conftest import on_autodraft

# A born 1990-08-17 and B born 1992-11-20 are 34 and 32 in mid-2025: factors 1.214 and 1.183,
# so on a 400.00 base 485.60 + 473.20 = 958.80 a month.
BIRTH_A = date(1990, 8, 17)
BIRTH_B = date(1992, 11, 20)


def _draft(life, as_of: date):
    life.story.at(as_of)
    return run_autodraft(life.ctx, as_of=as_of)


def _june_paid_july_billed(life, *, plan_id: str | None = None):
    """The couple from 2025-06-01 on auto-draft, June paid, July (958.80) issued 2025-06-15 and due 2025-07-01."""
    plan = {"plan_id": plan_id} if plan_id else {}
    household = life.couple(effective=date(2025, 6, 1), birth_a=BIRTH_A, birth_b=BIRTH_B, **plan)
    on_autodraft(life.story, household.account)
    life.story.bill(date(2025, 5, 15))
    life.story.pay_invoice(life.invoice_for(household.account, date(2025, 6, 1)), date(2025, 6, 2))
    life.story.bill(date(2025, 6, 15))
    assert life.invoice_for(household.account, date(2025, 7, 1)).current_charges_cents == 95_880
    return household


def test_month_end_term_not_drafted(life):
    household = _june_paid_july_billed(life)
    life.terminate(household.policy, date(2025, 6, 30), on=date(2025, 6, 20))

    # A run on 2025-06-23 would announce the draft of 2025-07-01, ten days ahead.
    assert _draft(life, date(2025, 6, 23)).prenotifications == 0
    report = _draft(life, date(2025, 6, 30))
    # July's 958.80 is all credited by the next bill run, so nothing is owed for it.
    assert report.entries == []
    notices = notices_for(life.ctx, billing_account_id=household.account.id)
    assert NoticeType.AUTODRAFT_PRENOTIFICATION.value not in [notice.notice_type for notice in notices]


def test_mid_month_term_not_drafted(life):
    household = _june_paid_july_billed(life)
    result = life.terminate(household.policy, date(2025, 6, 15), on=date(2025, 6, 20))
    # 958.80 for July and 242.80 + 236.60 = 479.40 for June 16-30
    assert result.expected_credit_cents == 143_820

    assert _draft(life, date(2025, 6, 30)).entries == []
    life.story.bill(date(2025, 7, 15))
    # 958.80 billed for July, 958.80 + 479.40 credited: the account is owed 479.40 and refunds it.
    assert ledger.account_balance(life.ctx, household.account.id) == -47_940
    assert [item.refund_cents for item in life.settle(date(2025, 7, 16))] == [47_940]


def test_cancelled_binder_not_drafted(life):
    household = life.couple(effective=date(2025, 7, 1), birth_a=BIRTH_A, birth_b=BIRTH_B)
    on_autodraft(life.story, household.account)
    life.story.bill(date(2025, 6, 15))
    life.cancel(household.policy, on=date(2025, 6, 20))

    assert _draft(life, date(2025, 6, 30)).entries == []


def test_other_policy_still_drafted(life):
    household = life.couple(effective=date(2025, 6, 1), birth_a=BIRTH_A, birth_b=BIRTH_B)
    # A second policy on the same account, for A alone: 485.60 a month.
    life.story.policy(household.account, effective=date(2025, 6, 1))
    on_autodraft(life.story, household.account)
    life.story.bill(date(2025, 5, 15))
    life.story.pay_invoice(life.invoice_for(household.account, date(2025, 6, 1)), date(2025, 6, 2))
    life.story.bill(date(2025, 6, 15))
    # 958.80 + 485.60 = 1,444.40
    assert life.invoice_for(household.account, date(2025, 7, 1)).current_charges_cents == 144_440
    life.terminate(household.policy, date(2025, 6, 30), on=date(2025, 6, 20))

    early = _draft(life, date(2025, 6, 23))
    report = _draft(life, date(2025, 6, 30))
    # 1,444.40 less the terminated policy's July premium of 958.80 = 485.60, announced and drafted
    assert [notice.data["amount_cents"] for notice in notices_for(life.ctx, billing_account_id=household.account.id) if notice.notice_type == NoticeType.AUTODRAFT_PRENOTIFICATION.value] == [48_560]
    assert early.prenotifications == 1
    assert [entry["amount_cents"] for entry in report.entries] == [48_560]

    # The 2025-07-15 bill run posts the 958.80 credit, so it is not taken off a second time
    # before the refund is settled: August's 485.60 is drafted in full.
    life.story.bill(date(2025, 7, 15))
    august = _draft(life, date(2025, 7, 31))
    assert [entry["amount_cents"] for entry in august.entries] == [48_560]


def test_reinstated_policy_drafted_again(life):
    household = _june_paid_july_billed(life)
    life.terminate(household.policy, date(2025, 6, 30), on=date(2025, 6, 20))
    life.story.at(date(2025, 6, 25))
    termination.reinstate_policy(life.ctx, household.policy.policy_number, on=date(2025, 6, 25), reason="changed their mind")

    report = _draft(life, date(2025, 6, 30))
    # The reinstatement withdrew the refund, so July is owed and drafted again.
    assert [entry["amount_cents"] for entry in report.entries] == [95_880]
    assert life.changes_of(household.policy)[0].refund_state == RefundState.WITHDRAWN


def _prenotified_cents(life, account) -> list[int]:
    notices = notices_for(life.ctx, billing_account_id=account.id)
    return [notice.data["amount_cents"] for notice in notices if notice.notice_type == NoticeType.AUTODRAFT_PRENOTIFICATION.value]


def _on_silver_with_bronze(life):
    """The couple on Silver (400.00 base), with Bronze (300.00 base) to move down to.

    Bronze is rated at the same ages: 300.00 x 1.214 + 300.00 x 1.183 = 364.20 + 354.90 = 719.10 a month.
    """
    life.story.catalog = plans_catalog({"SILVER-VA": {2025: "400.00"}, "BRONZE-VA": {2025: "300.00"}})
    return _june_paid_july_billed(life, plan_id="SILVER-VA")


def test_downgrade_in_billed_month_not_drafted(life):
    household = _on_silver_with_bronze(life)
    life.change_plan(household.policy, "BRONZE-VA", effective=date(2025, 7, 1), on=date(2025, 6, 20))

    # July was billed at 958.80 on Silver and owes 719.10 on Bronze: 239.70 waits for the next bill run.
    assert unposted_change_credits(life.ctx, [household.account.id]) == {household.account.id: 23_970}
    assert _draft(life, date(2025, 6, 23)).prenotifications == 1
    assert _prenotified_cents(life, household.account) == [71_910]
    report = _draft(life, date(2025, 6, 30))
    assert [entry["amount_cents"] for entry in report.entries] == [71_910]


def test_mid_month_downgrade_not_drafted(life):
    household = _on_silver_with_bronze(life)
    life.change_plan(household.policy, "BRONZE-VA", effective=date(2025, 6, 16), on=date(2025, 6, 20))

    # June 16-30 billed 242.80 + 236.60 = 479.40 on Silver and owes 182.10 + 177.45 = 359.55 on Bronze (119.85 less);
    # July 239.70 less, so 359.55 in all. 958.80 - 359.55 = 599.25 is drafted.
    assert unposted_change_credits(life.ctx, [household.account.id]) == {household.account.id: 35_955}
    report = _draft(life, date(2025, 6, 30))
    assert [entry["amount_cents"] for entry in report.entries] == [59_925]

    # The 2025-07-15 bill run posts the credit: 958.80 + 719.10 - 359.55 = 1,318.35 billed, 599.25 of it drafted.
    # Nothing is held any more, and August's 719.10 is drafted in full.
    life.story.bill(date(2025, 7, 15))
    assert unposted_change_credits(life.ctx, [household.account.id]) == {}
    assert ledger.account_balance(life.ctx, household.account.id) == 131_835
    august = _draft(life, date(2025, 7, 31))
    assert [entry["amount_cents"] for entry in august.entries] == [71_910]


def test_downgrade_credit_posted_not_held_again(life):
    household = _on_silver_with_bronze(life)
    life.change_plan(household.policy, "BRONZE-VA", effective=date(2025, 7, 1), on=date(2025, 6, 20))
    # No draft runs before the 2025-07-15 bill run, whose August invoice carries July's 239.70 credit.
    life.story.bill(date(2025, 7, 15))

    assert life.invoice_for(household.account, date(2025, 8, 1)).adjustments_cents == -23_970
    assert unposted_change_credits(life.ctx, [household.account.id]) == {}
    report = _draft(life, date(2025, 7, 31))
    # July 958.80 - 239.70 and August 719.10 are owed: 2 x 719.10 = 1,438.20, with nothing taken off twice.
    assert [entry["amount_cents"] for entry in report.entries] == [143_820]


def test_downgrade_from_first_day_held_once(life):
    life.story.catalog = plans_catalog({"SILVER-VA": {2025: "400.00"}, "BRONZE-VA": {2025: "300.00"}})
    household = life.couple(effective=date(2025, 7, 1), birth_a=BIRTH_A, birth_b=BIRTH_B, plan_id="SILVER-VA")
    on_autodraft(life.story, household.account)
    life.story.bill(date(2025, 6, 15))
    # From the policy's first day the change cancels it, without a refund of its own.
    life.change_plan(household.policy, "BRONZE-VA", effective=date(2025, 7, 1), on=date(2025, 6, 20))

    assert [change.kind for change in life.changes_of(household.policy)] == ["cancellation", "plan_change"]
    assert unposted_change_credits(life.ctx, [household.account.id]) == {household.account.id: 23_970}
    assert [entry["amount_cents"] for entry in _draft(life, date(2025, 6, 30)).entries] == [71_910]


def test_upgrade_holds_nothing(life):
    life.story.catalog = plans_catalog({"SILVER-VA": {2025: "400.00"}, "GOLD-VA": {2025: "480.00"}})
    household = _june_paid_july_billed(life, plan_id="SILVER-VA")
    life.change_plan(household.policy, "GOLD-VA", effective=date(2025, 7, 1), on=date(2025, 6, 20))

    # Gold costs more, so the next bill run charges the difference and there is no credit to wait for.
    assert unposted_change_credits(life.ctx, [household.account.id]) == {}
    assert [entry["amount_cents"] for entry in _draft(life, date(2025, 6, 30)).entries] == [95_880]


def test_downgrade_in_unbilled_month_holds_nothing(life):
    household = _on_silver_with_bronze(life)
    life.change_plan(household.policy, "BRONZE-VA", effective=date(2025, 8, 1), on=date(2025, 6, 20))

    # August is not invoiced yet: its invoice bills Bronze from the start.
    assert unposted_change_credits(life.ctx, [household.account.id]) == {}
    assert [entry["amount_cents"] for entry in _draft(life, date(2025, 6, 30)).entries] == [95_880]
