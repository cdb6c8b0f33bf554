"""The pure rules of the payment area: draft amounts, reference matching, APTC splits, variance, return codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from premia.formats.nacha import ReturnReasonCode
from premia.kernel.errors import ValidationError
from premia.ledger.receivables import OpenItem, allocation_lines
from premia.payments.allocation import AllocationTarget, payable_items
from premia.payments.config import load_payments_config
from premia.payments.drafting import DraftState, OpenInvoice, draft_amounts, draft_date_for, prenotification_invoices
from premia.payments.matching import (
    AccountRef,
    InvoiceRef,
    ReferenceIndex,
    account_number_forms,
    decide_match,
    invoice_number_forms,
    reference_candidates,
)
from premia.payments.model import MatchRule, ReturnAction
from premia.payments.remittance_rules import RemittedLine, months_of, roster_variance, split_aptc
from premia.payments.returns import return_action

APRIL = OpenInvoice(1, "PRM-2026-000001", date(2026, 4, 1), 96_800)
MAY = OpenInvoice(2, "PRM-2026-000002", date(2026, 5, 1), 96_800)


def _state(**changes) -> DraftState:
    values = {
        "open_invoices": (APRIL, MAY),
        "invoiced_fee_cents": 0,
        "balance_cents": 193_600,
        "pending_premium_cents": 0,
        "pending_fee_cents": 0,
        "awaiting_representment_cents": 0,
    }
    values.update(changes)
    return DraftState(**values)


def test_draft_date_is_due_date():
    # 2026-08-01 is a Saturday; drafts move to Monday 2026-08-03.
    assert draft_date_for(date(2026, 8, 1), None) == date(2026, 8, 3)


def test_draft_day_capped_at_month_end():
    assert draft_date_for(date(2026, 2, 1), 31) == date(2026, 3, 2)


def test_draft_only_invoices_due():
    amounts = draft_amounts(_state(), autodraft_day=None, effective_date=date(2026, 4, 1))
    assert amounts.premium_cents == 96_800
    assert amounts.invoice == APRIL


def test_draft_less_pending_and_reserved():
    state = _state(pending_premium_cents=40_000, awaiting_representment_cents=20_000)
    # 1,936.00 due - 400.00 pending - 200.00 awaiting re-presentment = 1,336.00
    assert draft_amounts(state, autodraft_day=None, effective_date=date(2026, 5, 1)).premium_cents == 133_600


def test_draft_capped_by_credit():
    state = _state(balance_cents=50_000)
    assert draft_amounts(state, autodraft_day=None, effective_date=date(2026, 5, 1)).premium_cents == 50_000


def test_no_draft_when_account_in_credit():
    amounts = draft_amounts(_state(balance_cents=-100), autodraft_day=None, effective_date=date(2026, 5, 1))
    assert amounts.premium_cents == 0
    assert amounts.fee_cents == 0


def test_fee_drafted_beside_premium():
    state = _state(open_invoices=(APRIL,), invoiced_fee_cents=2_500, balance_cents=99_300)
    amounts = draft_amounts(state, autodraft_day=None, effective_date=date(2026, 4, 1))
    assert amounts.premium_cents == 96_800
    assert amounts.fee_cents == 2_500


def test_held_credit_leaves_fee_as_fee():
    # April's premium is all credited by a termination the bill run has not posted, and a 25.00 return fee is owed.
    state = _state(open_invoices=(APRIL,), invoiced_fee_cents=2_500, balance_cents=99_300, unposted_credit_cents=96_800)
    amounts = draft_amounts(state, autodraft_day=None, effective_date=date(2026, 4, 1))
    assert amounts.premium_cents == 0
    assert amounts.fee_cents == 2_500


def test_held_credit_not_announced_as_premium():
    state = _state(open_invoices=(MAY,), invoiced_fee_cents=2_500, balance_cents=99_300, unposted_credit_cents=96_800)
    upcoming = prenotification_invoices(state, autodraft_day=None, effective_date=date(2026, 4, 20), notify_through=date(2026, 5, 1))
    # Only the 25.00 fee is owed, and it is drafted as RETURN FEE, so no premium draft is announced.
    assert upcoming == []


def test_older_month_drafted_beside_held_credit():
    # April is owed; May's premium is all credited by a termination the bill run has not posted.
    state = _state(unposted_credit_cents=96_800)
    amounts = draft_amounts(state, autodraft_day=None, effective_date=date(2026, 4, 1))
    assert amounts.premium_cents == 96_800


@settings(max_examples=200)
@given(
    due=st.lists(st.integers(min_value=1, max_value=500_000), min_size=0, max_size=4),
    balance=st.integers(min_value=-100_000, max_value=2_000_000),
    pending=st.integers(min_value=0, max_value=500_000),
    fees=st.integers(min_value=0, max_value=10_000),
    held=st.integers(min_value=0, max_value=500_000),
)
def test_draft_never_more_than_owed(due, balance, pending, fees, held):
    invoices = tuple(OpenInvoice(index, f"PRM-2026-{index:06d}", date(2026, 4, 1), cents) for index, cents in enumerate(due, 1))
    state = _state(
        open_invoices=invoices,
        balance_cents=balance,
        pending_premium_cents=pending,
        invoiced_fee_cents=fees,
        unposted_credit_cents=held,
    )
    amounts = draft_amounts(state, autodraft_day=None, effective_date=date(2026, 4, 1))
    assert amounts.premium_cents >= 0
    assert amounts.fee_cents >= 0
    # A credit the bill run has yet to post is never drafted, as premium or as fee.
    assert amounts.premium_cents + amounts.fee_cents <= max(0, balance - held)
    assert amounts.premium_cents <= max(0, sum(due) - held)


def test_reference_candidates_whole_first():
    assert reference_candidates(["PRM 2026 000114"])[0] == "PRM2026000114"


def test_reference_candidates_find_number_in_memo():
    assert "PRM2026000114" in reference_candidates(["Invoice PRM 2026 000114, thank you"])


def test_invoice_forms():
    assert invoice_number_forms("PRM2026000114") == ["PRM-2026-000114"]
    assert "PRMNY01-2026-000114" in invoice_number_forms("PRMNY012026000114")


def test_account_forms():
    assert account_number_forms("BA000310") == ["BA-000310"]


def _index() -> ReferenceIndex:
    return ReferenceIndex(
        invoices={"PRM2026000114": InvoiceRef(1, "PRM-2026-000114", 310, 96_800), "PRM2026001142": InvoiceRef(2, "PRM-2026-001142", 422, 96_800)},
        accounts={"BA000422": AccountRef(422, "BA-000422")},
        account_numbers={310: "BA-000310", 422: "BA-000422"},
    )


def test_exact_invoice_reference_matches():
    decision = decide_match(["PRM 2026 000114"], 96_800, _index())
    assert decision.rule is MatchRule.INVOICE_NUMBER
    assert decision.billing_account_id == 310


def test_number_inside_memo_matches():
    decision = decide_match(["Invoice PRM 2026 000114, thank you"], 96_800, _index())
    assert decision.billing_account_id == 310


def test_partial_digits_never_match():
    decision = decide_match(["PRM 2026 000199"], 96_800, _index())
    assert decision.rule is MatchRule.NO_MATCH
    assert decision.billing_account_id is None


def test_references_to_two_accounts_ambiguous():
    decision = decide_match(["PRM-2026-000114", "BA-000422"], 96_800, _index())
    assert decision.rule is MatchRule.AMBIGUOUS
    assert "BA-000310" in decision.explanation


def test_split_aptc_pays_each_member():
    assert split_aptc(73_500, [36_871, 36_629], subscriber_index=0) == [36_871, 36_629]


def test_split_aptc_short_payment_pro_rata():
    # 700.00 over 368.71 and 366.29: B gets 700.00 x 366.29 / 735.00 = 348.85; A takes the rest, 351.15
    assert split_aptc(70_000, [36_871, 36_629], subscriber_index=0) == [35_115, 34_885]


def test_split_aptc_excess_on_subscriber():
    assert split_aptc(80_000, [36_871, 36_629], subscriber_index=0) == [43_371, 36_629]


def test_split_aptc_recoupment():
    assert split_aptc(-60_000, [-60_000, 0], subscriber_index=1) == [-60_000, 0]


@settings(max_examples=200)
@given(
    amount=st.integers(min_value=-1_000_000, max_value=1_000_000),
    opens=st.lists(st.integers(min_value=-100_000, max_value=100_000), min_size=1, max_size=5),
    data=st.data(),
)
def test_split_aptc_adds_back(amount, opens, data):
    subscriber = data.draw(st.integers(min_value=0, max_value=len(opens) - 1))
    parts = split_aptc(amount, opens, subscriber_index=subscriber)
    assert sum(parts) == amount
    assert all(part * amount >= 0 for part in parts)


def test_months_of_span():
    assert months_of(date(2026, 11, 1), date(2027, 1, 31)) == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]


def test_roster_variance_lists_short_and_missing():
    billed = {(1, date(2025, 1, 1)): 96_075, (2, date(2025, 1, 1)): 103_230, (3, date(2025, 1, 1)): 96_075}
    remitted = [RemittedLine(1, date(2025, 1, 1), date(2025, 1, 1), 96_075), RemittedLine(2, date(2025, 1, 1), date(2025, 1, 1), 100_000)]
    rows = roster_variance(billed, remitted, months=[date(2025, 1, 1)], policy_numbers={1: "P-1", 2: "P-2", 3: "P-3"})
    assert [(row["policy_number"], row["variance_cents"], row["note"]) for row in rows] == [("P-2", -3_230, "differs"), ("P-3", -96_075, "not remitted")]


def test_bc10_check_over_three_invoices():
    items = [
        OpenItem(1, date(2026, 1, 1), 7, 70, date(2026, 1, 1), 11, 51_210, True),
        OpenItem(2, date(2026, 2, 1), 7, 70, date(2026, 2, 1), 12, 106_770, True),
        OpenItem(3, date(2026, 3, 1), 7, 70, date(2026, 3, 1), 13, 35_015, True),
    ]
    lines, used = allocation_lines(items, 192_995, billing_account_id=5)
    # 51,210 + 106,770 + 35,015 = 192,995
    assert used == 192_995
    assert [-line.amount_cents for line in lines] == [51_210, 106_770, 35_015]


def test_pending_policy_paid_first_ended_skipped():
    old = OpenItem(1, date(2025, 10, 1), 1, 10, date(2025, 10, 1), 1, 50_000, True)
    binder = OpenItem(2, date(2026, 1, 1), 2, 10, date(2026, 1, 1), 2, 48_880, True)
    ordered = payable_items([old, binder], policy_statuses={1: "terminated", 2: "pending"})
    assert ordered == [binder]


def test_target_filters_items():
    first = OpenItem(1, date(2026, 1, 1), 1, 10, date(2026, 1, 1), 1, 50_000, True)
    second = OpenItem(1, date(2026, 1, 1), 2, 11, date(2026, 1, 1), 2, 40_000, True)
    assert payable_items([first, second], target=AllocationTarget(policy_id=2)) == [second]


@pytest.mark.parametrize(
    ("code", "action"),
    [
        (ReturnReasonCode.R01, ReturnAction.REPRESENT),
        (ReturnReasonCode.R09, ReturnAction.REPRESENT),
        (ReturnReasonCode.R02, ReturnAction.DEACTIVATE_BANK_ACCOUNT),
        (ReturnReasonCode.R03, ReturnAction.DEACTIVATE_BANK_ACCOUNT),
        (ReturnReasonCode.R04, ReturnAction.DEACTIVATE_BANK_ACCOUNT),
        (ReturnReasonCode.R05, ReturnAction.REVOKE_AUTHORIZATION),
        (ReturnReasonCode.R07, ReturnAction.REVOKE_AUTHORIZATION),
        (ReturnReasonCode.R10, ReturnAction.REVOKE_AUTHORIZATION),
        (ReturnReasonCode.R29, ReturnAction.REVOKE_AUTHORIZATION),
        (ReturnReasonCode.R08, ReturnAction.CONTACT_PAYER),
        (ReturnReasonCode.R16, ReturnAction.NONE),
    ],
)
def test_return_action(code, action):
    assert return_action(code) is action


def test_config_file_read(tmp_path: Path):
    path = tmp_path / "payments.yaml"
    path.write_text("return_fee:\n  amount_cents: '35.00'\nrefund_approval_above_cents: '250.00'\n", encoding="utf-8")
    loaded = load_payments_config(path)
    assert loaded.return_fee.amount_cents == 3_500
    assert loaded.refund_approval_above_cents == 25_000


def test_config_unknown_key_rejected(tmp_path: Path):
    path = tmp_path / "payments.yaml"
    path.write_text("retrun_fee: {}\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        load_payments_config(path)
    assert "retrun_fee" in caught.value.message
