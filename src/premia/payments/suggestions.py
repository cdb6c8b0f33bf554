"""Accounts a person might match a suspense item to, with the reason for each.

These are hints for a person. Automatic matching never uses names or amounts, which is why
the item is in suspense. Each account suggested is audited as a search hit, because the
suggestion shows the holder's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from premia.accounts.queries import account_numbers, holder_names
from premia.accounts.tables import BillingAccount, EmployerGroup, Person
from premia.audit import service as audit
from premia.billing.tables import Invoice
from premia.infra.context import ServiceContext
from premia.infra.db import contains_ignoring_case, matches_ignoring_case
from premia.ledger.model import LedgerAccount
from premia.ledger.tables import JournalLine
from premia.payments.matching import load_reference_index, reference_candidates
from premia.payments.suspense import SuspenseView
from premia.staff.permissions import Permission

MAX_SUGGESTIONS = 5
# How far an invoice's due date may be from the receipt date for an equal amount to count as a hint.
DUE_DATE_WINDOW = timedelta(days=45)


@dataclass(frozen=True)
class Suggestion:
    """An account a suspense item may belong to, and why a person might think so."""

    account_number: str
    holder_name: str
    reason: str


def suggest_accounts(ctx: ServiceContext, item: SuspenseView) -> list[Suggestion]:
    """Suggest up to five accounts for a suspense item: partial reference hits, the payer's name, an equal amount due."""
    ctx.require(Permission.SUSPENSE_MANAGE)
    found: dict[int, str] = {}
    index = load_reference_index(ctx, reference_candidates([item.reference, item.payer_name]))
    for ref in index.invoices.values():
        found.setdefault(ref.billing_account_id, f"its invoice {ref.invoice_number} appears in the reference")
    for ref in index.accounts.values():
        found.setdefault(ref.billing_account_id, f"its number {ref.account_number} appears in the reference")
    for account_id, reason in _by_payer_name(ctx, item.payer_name):
        found.setdefault(account_id, reason)
    if item.amount_cents > 0 and len(found) < MAX_SUGGESTIONS:
        for account_id, reason in _by_open_amount(ctx, item.amount_cents, item.received_on):
            found.setdefault(account_id, reason)

    ids = list(found)[:MAX_SUGGESTIONS]
    numbers = account_numbers(ctx, ids)
    names = holder_names(ctx, ids)
    suggestions = [
        Suggestion(account_number=numbers[account_id], holder_name=names.get(account_id, ""), reason=found[account_id])
        for account_id in ids
        if account_id in numbers
    ]
    for suggestion in suggestions:
        audit.record(
            ctx,
            action="search",
            record_type="billing_account",
            record_id=suggestion.account_number,
            fields=["holder_name"],
            detail={"suspense_item": item.id},
        )
    return suggestions


def _by_payer_name(ctx: ServiceContext, payer_name: str | None) -> list[tuple[int, str]]:
    words = [word for word in (payer_name or "").replace(",", " ").split() if len(word) > 1]
    if not words:
        return []
    last = words[-1]
    first = words[0] if len(words) > 1 else None
    query = select(BillingAccount.id).join(Person, Person.id == BillingAccount.person_id).where(matches_ignoring_case(Person.last_name, last))
    if first:
        query = query.where(matches_ignoring_case(Person.first_name, first))
    hits = [(account_id, f"the payer name {payer_name!r} matches the holder's name") for account_id in ctx.session.scalars(query.limit(MAX_SUGGESTIONS))]
    groups = select(BillingAccount.id).join(EmployerGroup, EmployerGroup.id == BillingAccount.employer_group_id).where(
        or_(*[contains_ignoring_case(EmployerGroup.name, word) for word in words if len(word) > 3] or [matches_ignoring_case(EmployerGroup.name, payer_name or "")])
    )
    hits.extend((account_id, f"the payer name {payer_name!r} matches the employer's name") for account_id in ctx.session.scalars(groups.limit(MAX_SUGGESTIONS)))
    return hits


def _by_open_amount(ctx: ServiceContext, amount_cents: int, received_on: date) -> list[tuple[int, str]]:
    """Invoices due within 45 days of the receipt whose amount due equals it and that are still open."""
    rows = ctx.session.execute(
        select(Invoice.billing_account_id, Invoice.invoice_number, Invoice.id)
        .where(Invoice.amount_due_cents == amount_cents, Invoice.due_date.between(received_on - DUE_DATE_WINDOW, received_on + DUE_DATE_WINDOW))
        .order_by(Invoice.due_date.desc())
        .limit(MAX_SUGGESTIONS * 2)
    ).all()
    hits = []
    for account_id, number, invoice_id in rows:
        open_cents = ctx.session.scalar(
            select(func.coalesce(func.sum(JournalLine.amount_cents), 0)).where(
                JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value, JournalLine.invoice_id == invoice_id
            )
        )
        if int(open_cents or 0) > 0:
            hits.append((account_id, f"its open invoice {number} asks for exactly this amount"))
    return hits
