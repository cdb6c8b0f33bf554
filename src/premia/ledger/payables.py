"""Read-only journal queries for what Premia owes or is owed outside the member receivable.

- An account's refundable credit: its unapplied credit and the receivable items that a
  credit adjustment has pushed below zero (a termination credit on a paid month).
- The APTC the Exchange still owes, per policy, member and coverage month.
- Cash received per bank account and day, for reconciliation with bank statements.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from premia.infra.context import ServiceContext
from premia.ledger.model import EntryKind, LedgerAccount
from premia.ledger.tables import JournalEntry, JournalLine


@dataclass(frozen=True)
class CreditItem:
    """A receivable item with a negative balance: money the account has paid beyond the charge."""

    invoice_id: int | None
    invoice_line_id: int | None
    policy_id: int | None
    person_id: int | None
    coverage_month: date | None
    credit_cents: int


@dataclass(frozen=True)
class AccountCredit:
    """A billing account's credits (unapplied and on receivable items) and the balance they net against."""

    unapplied_cents: int
    receivable_credits: tuple[CreditItem, ...]
    account_balance_cents: int

    @property
    def refundable_cents(self) -> int:
        """The refundable amount: the account's net credit, capped by the credits it has."""
        held = self.unapplied_cents + sum(item.credit_cents for item in self.receivable_credits)
        return max(0, min(held, -self.account_balance_cents))


def account_credit(ctx: ServiceContext, billing_account_id: int) -> AccountCredit:
    """Return the account's unapplied credit, its negative receivable items and its balance."""
    unapplied = -int(
        ctx.session.scalar(
            select(func.coalesce(func.sum(JournalLine.amount_cents), 0)).where(
                JournalLine.ledger_account == LedgerAccount.UNAPPLIED_CREDIT.value,
                JournalLine.billing_account_id == billing_account_id,
            )
        )
        or 0
    )
    # Items are grouped as premia.ledger.receivables groups them: per invoice, policy, member
    # and coverage month, and per fee line for fees.
    fee_line = case((JournalLine.coverage_month.is_(None), JournalLine.invoice_line_id), else_=None)
    rows = ctx.session.execute(
        select(
            JournalLine.invoice_id,
            func.min(JournalLine.invoice_line_id),
            JournalLine.policy_id,
            JournalLine.person_id,
            JournalLine.coverage_month,
            func.sum(JournalLine.amount_cents),
        )
        .where(
            JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value,
            JournalLine.billing_account_id == billing_account_id,
        )
        .group_by(JournalLine.invoice_id, JournalLine.policy_id, JournalLine.person_id, JournalLine.coverage_month, fee_line)
    ).all()
    receivable = sum(int(total) for *_, total in rows)
    credits = tuple(
        CreditItem(invoice_id, line_id, policy_id, person_id, month, -int(total))
        for invoice_id, line_id, policy_id, person_id, month, total in rows
        if int(total) < 0
    )
    return AccountCredit(unapplied_cents=unapplied, receivable_credits=credits, account_balance_cents=receivable - unapplied)


def aptc_open_amounts(ctx: ServiceContext, policy_ids: Collection[int]) -> dict[tuple[int, int | None, date], int]:
    """APTC receivable still owed by the Exchange per (policy, person, coverage month), in cents."""
    if not policy_ids:
        return {}
    rows = ctx.session.execute(
        select(JournalLine.policy_id, JournalLine.person_id, JournalLine.coverage_month, func.sum(JournalLine.amount_cents))
        .where(
            JournalLine.ledger_account == LedgerAccount.APTC_RECEIVABLE.value,
            JournalLine.policy_id.in_(list(policy_ids)),
            JournalLine.coverage_month.is_not(None),
        )
        .group_by(JournalLine.policy_id, JournalLine.person_id, JournalLine.coverage_month)
    ).all()
    return {(policy_id, person_id, month): int(total) for policy_id, person_id, month, total in rows}


RECEIPT_KINDS = (EntryKind.PAYMENT, EntryKind.SUSPENSE, EntryKind.APTC_REMITTANCE)


def cash_received(ctx: ServiceContext, on: date) -> dict[str, int]:
    """Cash clearing movements of receipts dated ``on``, per bank account, in cents.

    Receipts are payments, money put in suspense and Exchange remittances; an Exchange
    loop that nets below zero counts with its sign. Returns, reversals and refunds are
    left out, as the bank reports them as debits.
    """
    rows = ctx.session.execute(
        select(JournalLine.cash_account, func.sum(JournalLine.amount_cents))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(
            JournalEntry.entry_date == on,
            JournalEntry.kind.in_([kind.value for kind in RECEIPT_KINDS]),
            JournalLine.ledger_account == LedgerAccount.CASH_CLEARING.value,
        )
        .group_by(JournalLine.cash_account)
    ).all()
    return {account or "": int(total) for account, total in rows}
