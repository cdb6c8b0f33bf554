"""Reads of the journal for one billing account: its statement and the lines of given entries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from premia.infra.context import ServiceContext
from premia.ledger.model import LedgerAccount
from premia.ledger.tables import JournalEntry, JournalLine

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
