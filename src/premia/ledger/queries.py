"""Reads of the journal: one billing account's statement, the lines of given entries, the trial balance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from premia.infra.context import ServiceContext
from premia.ledger.model import LedgerAccount
from premia.ledger.tables import JournalEntry, JournalLine
from premia.staff.permissions import Permission

# The two ledger accounts whose sum is what the member owes (positive) or has in credit (negative).
STATEMENT_ACCOUNTS = (LedgerAccount.PREMIUM_RECEIVABLE.value, LedgerAccount.UNAPPLIED_CREDIT.value)


@dataclass(frozen=True)
class StatementEntry:
    """A journal entry as the account's statement shows it.

    ``charged_cents`` and ``credited_cents`` are the entry's net effect on what the account
    owes, so one of them is zero. ``balance_cents`` is the running balance after the entry.
    """

    entry_id: int
    entry_date: date
    kind: str
    reference: str | None
    description: str | None
    charged_cents: int
    credited_cents: int
    balance_cents: int


def account_statement(ctx: ServiceContext, billing_account_id: int) -> list[StatementEntry]:
    """List the journal entries that moved the account's receivable or credit, oldest first, with the running balance."""
    rows = ctx.session.execute(
        select(
            JournalEntry.id,
            JournalEntry.entry_date,
            JournalEntry.kind,
            JournalEntry.reference,
            JournalEntry.description,
            func.sum(JournalLine.amount_cents),
        )
        .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
        .where(JournalLine.billing_account_id == billing_account_id, JournalLine.ledger_account.in_(STATEMENT_ACCOUNTS))
        .group_by(JournalEntry.id, JournalEntry.entry_date, JournalEntry.kind, JournalEntry.reference, JournalEntry.description)
        .order_by(JournalEntry.entry_date, JournalEntry.id)
    ).all()

    statement = []
    running = 0
    for entry_id, entry_date, kind, reference, description, total in rows:
        net = int(total)
        running += net
        statement.append(
            StatementEntry(
                entry_id=entry_id,
                entry_date=entry_date,
                kind=kind,
                reference=reference,
                description=description,
                charged_cents=max(net, 0),
                credited_cents=max(-net, 0),
                balance_cents=running,
            )
        )
    return statement


def lines_of_entries(ctx: ServiceContext, entry_ids: Collection[int]) -> dict[int, list[JournalLine]]:
    """Return the lines of each journal entry, in the order they were posted."""
    if not entry_ids:
        return {}
    lines: dict[int, list[JournalLine]] = defaultdict(list)
    for line in ctx.session.scalars(select(JournalLine).where(JournalLine.entry_id.in_(set(entry_ids))).order_by(JournalLine.id)):
        lines[line.entry_id].append(line)
    return dict(lines)


@dataclass(frozen=True)
class TrialBalanceRow:
    """One ledger account's net balance, shown as a debit when positive and as a credit when negative."""

    account: LedgerAccount
    balance_cents: int

    @property
    def debit_cents(self) -> int:
        return max(self.balance_cents, 0)

    @property
    def credit_cents(self) -> int:
        return max(-self.balance_cents, 0)


@dataclass(frozen=True)
class TrialBalance:
    """Every ledger account's debits and credits on ``as_of``, in chart-of-accounts order."""

    as_of: date
    rows: list[TrialBalanceRow]

    @property
    def debit_cents(self) -> int:
        return sum(row.debit_cents for row in self.rows)

    @property
    def credit_cents(self) -> int:
        return sum(row.credit_cents for row in self.rows)

    @property
    def balanced(self) -> bool:
        return self.debit_cents == self.credit_cents

    def to_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "accounts": [
                {
                    "code": row.account.value,
                    "title": row.account.title,
                    "debit_cents": row.debit_cents,
                    "credit_cents": row.credit_cents,
                    "balance_cents": row.balance_cents,
                }
                for row in self.rows
            ],
            "debit_cents": self.debit_cents,
            "credit_cents": self.credit_cents,
            "balanced": self.balanced,
        }


def trial_balance_report(ctx: ServiceContext, *, as_of: date) -> TrialBalance:
    """Return each ledger account's net balance from the entries dated on or before ``as_of``.

    Every account of the chart is listed, with zero where nothing was posted, so reports on
    different days line up. Each posted entry balances, so debits always equal credits.
    """
    ctx.require(Permission.LEDGER_READ)
    rows = ctx.session.execute(
        select(JournalLine.ledger_account, func.sum(JournalLine.amount_cents))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalEntry.entry_date <= as_of)
        .group_by(JournalLine.ledger_account)
    ).all()
    balances = {code: int(total or 0) for code, total in rows}
    return TrialBalance(as_of, [TrialBalanceRow(account, balances.get(account.value, 0)) for account in LedgerAccount])
