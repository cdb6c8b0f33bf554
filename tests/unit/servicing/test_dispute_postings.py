"""Journal lines of a dispute outcome: what is credited where, always balanced."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from premia.ledger.model import LedgerAccount
from premia.ledger.receivables import OpenItem
from premia.servicing.dispute_postings import CreditTarget, outcome_lines, shares_of

JANUARY = date(2026, 1, 1)
ACCOUNT = 10


def open_item(person_id: int, cents: int, *, subscriber: bool = False) -> OpenItem:
    return OpenItem(
        invoice_id=1,
        due_date=JANUARY,
        policy_id=5,
        person_id=person_id,
        coverage_month=JANUARY,
        invoice_line_id=100 + person_id,
        open_cents=cents,
        is_subscriber=subscriber,
    )


def child_line(cents: int) -> CreditTarget:
    return CreditTarget(
        cents=cents, invoice_id=1, invoice_line_id=103, policy_id=5, person_id=3, coverage_month=JANUARY
    )


def by_account(lines) -> dict[LedgerAccount, int]:
    totals: dict[LedgerAccount, int] = {}
    for line in lines:
        totals[line.account] = totals.get(line.account, 0) + line.amount_cents
    return totals


def test_credit_hits_disputed_member_first() -> None:
    items = [open_item(1, 48_880, subscriber=True), open_item(2, 48_560), open_item(3, 30_600)]

    result = outcome_lines(
        [child_line(30_600)],
        items,
        billing_account_id=ACCOUNT,
        excess_account=LedgerAccount.UNAPPLIED_CREDIT,
        memo="DSP-1",
    )

    receivable = [line for line in result.lines if line.account is LedgerAccount.PREMIUM_RECEIVABLE]
    assert [(line.person_id, line.amount_cents) for line in receivable] == [(3, -30_600)]
    assert result.excess_cents == 0


def test_paid_share_spread_over_month() -> None:
    # After 974.40 of 1,280.40 was paid in proportion, 306.00 is open over the three members.
    items = [open_item(1, 11_682, subscriber=True), open_item(2, 11_605), open_item(3, 7_313)]

    result = outcome_lines(
        [child_line(30_600)],
        items,
        billing_account_id=ACCOUNT,
        excess_account=LedgerAccount.UNAPPLIED_CREDIT,
        memo="DSP-1",
    )

    totals = by_account(result.lines)
    assert totals[LedgerAccount.PREMIUM_REVENUE] == 30_600
    # 116.82 + 116.05 + 73.13 = 306.00, all of it closed
    assert totals[LedgerAccount.PREMIUM_RECEIVABLE] == -30_600
    assert LedgerAccount.UNAPPLIED_CREDIT not in totals


def test_already_paid_credit_becomes_unapplied() -> None:
    result = outcome_lines(
        [child_line(30_600)],
        [],
        billing_account_id=ACCOUNT,
        excess_account=LedgerAccount.UNAPPLIED_CREDIT,
        memo="DSP-1",
    )

    assert result.excess_cents == 30_600
    assert by_account(result.lines) == {
        LedgerAccount.PREMIUM_REVENUE: 30_600,
        LedgerAccount.UNAPPLIED_CREDIT: -30_600,
    }


def test_partly_paid_line_splits_credit() -> None:
    items = [open_item(3, 10_000)]

    result = outcome_lines(
        [child_line(30_600)],
        items,
        billing_account_id=ACCOUNT,
        excess_account=LedgerAccount.UNAPPLIED_CREDIT,
        memo="DSP-1",
    )

    # 306.00 credited: 100.00 still owed is cancelled, 206.00 already paid becomes credit
    assert by_account(result.lines) == {
        LedgerAccount.PREMIUM_REVENUE: 30_600,
        LedgerAccount.PREMIUM_RECEIVABLE: -10_000,
        LedgerAccount.UNAPPLIED_CREDIT: -20_600,
    }
    assert result.excess_cents == 20_600


def test_fee_credit_reduces_fee_revenue() -> None:
    fee = OpenItem(
        invoice_id=1,
        due_date=JANUARY,
        policy_id=None,
        person_id=None,
        coverage_month=None,
        invoice_line_id=300,
        open_cents=2_500,
        is_subscriber=False,
    )
    target = CreditTarget(cents=2_500, invoice_id=1, invoice_line_id=300)

    result = outcome_lines(
        [target],
        [fee],
        billing_account_id=ACCOUNT,
        excess_account=LedgerAccount.UNAPPLIED_CREDIT,
        memo="DSP-3",
    )

    assert by_account(result.lines) == {
        LedgerAccount.FEE_REVENUE: 2_500,
        LedgerAccount.PREMIUM_RECEIVABLE: -2_500,
    }


def test_shares_add_back() -> None:
    # 100.00 over 3 equal items: 33.34 on the first, 33.33 on each other
    assert shares_of(10_000, [500, 500, 500]) == [3_334, 3_333, 3_333]
    assert shares_of(0, [500, 500]) == [0, 0]


@settings(max_examples=200, deadline=None)
@given(
    open_amounts=st.lists(st.integers(min_value=1, max_value=200_000), min_size=1, max_size=4),
    credit=st.integers(min_value=1, max_value=400_000),
)
def test_outcome_lines_balance(open_amounts: list[int], credit: int) -> None:
    items = [
        open_item(person_id, cents, subscriber=person_id == 1)
        for person_id, cents in enumerate(open_amounts, start=1)
    ]
    target = CreditTarget(
        cents=credit, invoice_id=1, invoice_line_id=101, policy_id=5, person_id=1, coverage_month=JANUARY
    )

    result = outcome_lines(
        [target],
        items,
        billing_account_id=ACCOUNT,
        excess_account=LedgerAccount.UNAPPLIED_CREDIT,
        memo="DSP-P",
    )

    assert sum(line.amount_cents for line in result.lines) == 0
    assert result.receivable_cents == min(credit, sum(open_amounts))
    assert result.receivable_cents + result.excess_cents == credit
    credited = {
        line.person_id: -line.amount_cents
        for line in result.lines
        if line.account is LedgerAccount.PREMIUM_RECEIVABLE
    }
    for item in items:
        assert 0 <= credited.get(item.person_id, 0) <= item.open_cents
