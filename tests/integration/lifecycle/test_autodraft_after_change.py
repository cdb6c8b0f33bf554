"""Auto-draft between a termination or cancellation and the bill run that posts its credit."""

from __future__ import annotations

from datetime import date

from premia.ledger import service as ledger
from premia.lifecycle import termination
from premia.lifecycle.model import RefundState
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.payments.autodraft import run_autodraft
from tests.integration.payments.conftest import on_autodraft

# A born 1990-08-17 and B born 1992-11-20 are 34 and 32 in mid-2025: factors 1.214 and 1.183,
# so on a 400.00 base 485.60 + 473.20 = 958.80 a month.
BIRTH_A = date(1990, 8, 17)
BIRTH_B = date(1992, 11, 20)


def _draft(life, as_of: date):
    life.story.at(as_of)
    return run_autodraft(life.ctx, as_of=as_of)


def _june_paid_july_billed(life):
    """The couple from 2025-06-01 on auto-draft, June paid, July (958.80) issued 2025-06-15 and due 2025-07-01."""
    household = life.couple(effective=date(2025, 6, 1), birth_a=BIRTH_A, birth_b=BIRTH_B)
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
