"""Posting and reading the journal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select

from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError
from premia.ledger.model import EntryKind, LedgerAccount, LineSpec, check_balanced
from premia.ledger.tables import JournalEntry, JournalLine

# Built once, because a large import runs them for every payment it posts.
_INSERT_ENTRY = JournalEntry.__table__.insert()
_INSERT_LINES = JournalLine.__table__.insert()


def post_entry(
    ctx: ServiceContext,
    *,
    kind: EntryKind,
    entry_date: date,
    lines: Sequence[LineSpec],
    reference: str | None = None,
    description: str | None = None,
    billing_account_id: int | None = None,
    idempotency_key: str | None = None,
) -> JournalEntry:
    """Write one balanced journal entry in the caller's transaction.

    With an ``idempotency_key`` already used, the earlier entry is returned and nothing new is
    posted, so a retried request cannot post twice.
    """
    record = f"journal entry {kind.value} {reference or ''}".strip()
    check_balanced(lines, record=record)
    if idempotency_key:
        existing = ctx.session.scalar(select(JournalEntry).where(JournalEntry.idempotency_key == idempotency_key))
        if existing is not None:
            return existing
    entry = JournalEntry(
        entry_date=entry_date,
        posted_at=ctx.now(),
        kind=EntryKind(kind).value,
        reference=reference,
        description=description,
        billing_account_id=billing_account_id,
        idempotency_key=idempotency_key,
        posted_by=ctx.actor.username,
    )
    ctx.session.add(entry)
    ctx.session.flush()
    _insert_lines(ctx, entry.id, lines)
    return entry


def post_entry_id(
    ctx: ServiceContext,
    *,
    kind: EntryKind,
    entry_date: date,
    lines: Sequence[LineSpec],
    reference: str | None = None,
    description: str | None = None,
    billing_account_id: int | None = None,
) -> int:
    """Write one balanced journal entry like :func:`post_entry` and return only its id.

    It suits callers that post many entries in one transaction and never touch the entry
    again. No ORM object is created, so the session does not grow with the journal.
    """
    check_balanced(lines, record=f"journal entry {kind.value} {reference or ''}".strip())
    inserted = ctx.session.execute(
        _INSERT_ENTRY,
        {
            "entry_date": entry_date,
            "posted_at": ctx.now(),
            "kind": EntryKind(kind).value,
            "reference": reference,
            "description": description,
            "billing_account_id": billing_account_id,
            "idempotency_key": None,
            "reverses_entry_id": None,
            "posted_by": ctx.actor.username,
        },
    )
    entry_id = int(inserted.inserted_primary_key[0])
    _insert_lines(ctx, entry_id, lines)
    return entry_id


def reverse_entry(ctx: ServiceContext, entry_id: int, *, entry_date: date, reason: str) -> JournalEntry:
    """Post the mirror image of an entry; the original stays as it was."""
    original = ctx.session.get(JournalEntry, entry_id)
    if original is None:
        raise NotFoundError(code="ledger.entry_not_found", message=f"Journal entry {entry_id} does not exist.", field="entry_id", value=entry_id)
    if ctx.session.scalar(select(JournalEntry.id).where(JournalEntry.reverses_entry_id == entry_id)):
        raise ConflictError(
            code="ledger.already_reversed",
            message=f"Journal entry {entry_id} has already been reversed.",
            record=f"journal entry {entry_id}",
            field="entry_id",
            value=entry_id,
        )
    lines = ctx.session.scalars(select(JournalLine).where(JournalLine.entry_id == entry_id)).all()
    mirror = [
        LineSpec(
            account=LedgerAccount(line.ledger_account),
            amount_cents=-line.amount_cents,
            billing_account_id=line.billing_account_id,
            invoice_id=line.invoice_id,
            invoice_line_id=line.invoice_line_id,
            payment_id=line.payment_id,
            policy_id=line.policy_id,
            person_id=line.person_id,
            coverage_month=line.coverage_month,
            cash_account=line.cash_account,
            memo=reason,
        )
        for line in lines
    ]
    entry = post_entry(
        ctx,
        kind=EntryKind.REVERSAL,
        entry_date=entry_date,
        lines=mirror,
        reference=original.reference,
        description=reason,
        billing_account_id=original.billing_account_id,
    )
    entry.reverses_entry_id = original.id
    ctx.session.flush()
    return entry


def balance(
    ctx: ServiceContext,
    account: LedgerAccount,
    *,
    billing_account_id: int | None = None,
    as_of: date | None = None,
) -> int:
    """Sum of one ledger account's lines in cents (debits positive), optionally per billing account."""
    query = select(func.coalesce(func.sum(JournalLine.amount_cents), 0)).where(JournalLine.ledger_account == account.value)
    if billing_account_id is not None:
        query = query.where(JournalLine.billing_account_id == billing_account_id)
    if as_of is not None:
        query = query.join(JournalEntry, JournalEntry.id == JournalLine.entry_id).where(JournalEntry.entry_date <= as_of)
    return int(ctx.session.scalar(query) or 0)


def account_balance(ctx: ServiceContext, billing_account_id: int, *, as_of: date | None = None) -> int:
    """What the payer owes in cents: receivable less unapplied credit (negative means a credit)."""
    receivable = balance(ctx, LedgerAccount.PREMIUM_RECEIVABLE, billing_account_id=billing_account_id, as_of=as_of)
    credit = balance(ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=billing_account_id, as_of=as_of)
    return receivable + credit


def trial_balance(ctx: ServiceContext) -> dict[str, int]:
    """Every ledger account's balance; the values always sum to zero."""
    rows = ctx.session.execute(
        select(JournalLine.ledger_account, func.sum(JournalLine.amount_cents)).group_by(JournalLine.ledger_account)
    ).all()
    return {code: int(total) for code, total in rows}


def _insert_lines(ctx: ServiceContext, entry_id: int, lines: Sequence[LineSpec]) -> None:
    # One executemany through Core, because the lines are never read back as objects in this transaction.
    if not lines:
        return
    ctx.session.execute(_INSERT_LINES, [_line_row(entry_id, line) for line in lines])


def _line_row(entry_id: int, line: LineSpec) -> dict[str, object]:
    return {
        "entry_id": entry_id,
        "ledger_account": line.account.value,
        "amount_cents": line.amount_cents,
        "billing_account_id": line.billing_account_id,
        "invoice_id": line.invoice_id,
        "invoice_line_id": line.invoice_line_id,
        "payment_id": line.payment_id,
        "policy_id": line.policy_id,
        "person_id": line.person_id,
        "coverage_month": line.coverage_month,
        "cash_account": line.cash_account,
        "memo": line.memo,
    }
