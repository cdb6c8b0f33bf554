"""Account balance, aging and each policy's paid-through date, all derived from the journal."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from premia.billing.tables import Invoice, InvoiceLine
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.dates import Month
from premia.kernel.money import format_cents
from premia.ledger import service as ledger
from premia.ledger.model import LedgerAccount
from premia.ledger.receivables import open_items
from premia.ledger.tables import JournalLine

AGING_BUCKETS = (("current", 0), ("1-30", 30), ("31-60", 60), ("61-90", 90), ("over 90", None))


@dataclass(frozen=True)
class PolicyStanding:
    policy_number: str
    status: str
    effective_date: date
    end_date: date | None
    paid_through: date | None


def month_open_amounts(ctx: ServiceContext, policy_ids: list[int]) -> dict[tuple[int, date], int]:
    """Net receivable still open per (policy, coverage month), premium and APTC together."""
    if not policy_ids:
        return {}
    rows = ctx.session.execute(
        select(JournalLine.policy_id, JournalLine.coverage_month, func.sum(JournalLine.amount_cents))
        .where(
            JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value,
            JournalLine.policy_id.in_(policy_ids),
            JournalLine.coverage_month.is_not(None),
        )
        .group_by(JournalLine.policy_id, JournalLine.coverage_month)
    ).all()
    return {(policy_id, month): int(total) for policy_id, month, total in rows}


def billed_months(ctx: ServiceContext, policy_ids: list[int], *, billing_account_ids: set[int] | None = None) -> dict[int, set[date]]:
    """Coverage months that appear on an issued invoice, per policy.

    Passing the policies' ``billing_account_ids`` lets the query use the index on invoice
    lines by account instead of reading every line.
    """
    if not policy_ids:
        return {}
    query = select(InvoiceLine.policy_id, InvoiceLine.coverage_month).where(
        InvoiceLine.policy_id.in_(policy_ids), InvoiceLine.invoice_id.is_not(None), InvoiceLine.coverage_month.is_not(None)
    )
    if billing_account_ids:
        query = query.where(InvoiceLine.billing_account_id.in_(billing_account_ids))
    rows = ctx.session.execute(query.distinct()).all()
    months: dict[int, set[date]] = defaultdict(set)
    for policy_id, month in rows:
        months[policy_id].add(month)
    return months


def paid_through_dates(ctx: ServiceContext, policies: list[Policy]) -> dict[int, date | None]:
    """Return the last day each policy's payments fully cover, derived from billing and the journal.

    Months are checked in order from the policy's first billed month; the first month with
    anything still open stops the count. A month whose lines net to zero or less (a $0.00
    invoice, a month the APTC pays in full, a month credited back) counts as paid. The date
    never passes the policy's end date. A policy whose first billed month is still open has
    none, and so does a cancelled policy.
    """
    ids = [policy.id for policy in policies]
    open_amounts = month_open_amounts(ctx, ids)
    months_billed = billed_months(ctx, ids, billing_account_ids={policy.billing_account_id for policy in policies})
    result: dict[int, date | None] = {}
    for policy in policies:
        paid_through: date | None = None
        if policy.status != PolicyStatus.CANCELLED.value:
            for month_start in sorted(months_billed.get(policy.id, ())):
                if open_amounts.get((policy.id, month_start), 0) > 0:
                    break
                paid_through = Month.of(month_start).last_day
        if paid_through is not None and policy.end_date is not None:
            paid_through = min(paid_through, policy.end_date)
        result[policy.id] = paid_through
    return result


def aging(ctx: ServiceContext, billing_account_id: int, as_of: date) -> dict[str, int]:
    """Open receivable by days past due on ``as_of``, in cents."""
    buckets = {name: 0 for name, _ in AGING_BUCKETS}
    for item in open_items(ctx, billing_account_id):
        due = item.due_date or as_of
        days_late = (as_of - due).days
        buckets[_bucket(days_late)] += item.open_cents
    return buckets


def _bucket(days_late: int) -> str:
    if days_late <= 0:
        return "current"
    for name, limit in AGING_BUCKETS[1:]:
        if limit is None or days_late <= limit:
            return name
    return "over 90"


def account_billing_summary(ctx: ServiceContext, billing_account_id: int, as_of: date) -> dict[str, Any]:
    """Balance, aging, paid-through per policy and invoices with lines, for `accounts show`."""
    policies = list(ctx.session.scalars(select(Policy).where(Policy.billing_account_id == billing_account_id).order_by(Policy.id)))
    paid_through = paid_through_dates(ctx, policies)
    invoices = list(
        ctx.session.scalars(select(Invoice).where(Invoice.billing_account_id == billing_account_id).order_by(Invoice.period_start))
    )
    lines_by_invoice: dict[int, list[InvoiceLine]] = defaultdict(list)
    if invoices:
        for line in ctx.session.scalars(
            select(InvoiceLine).where(InvoiceLine.invoice_id.in_([invoice.id for invoice in invoices])).order_by(InvoiceLine.id)
        ):
            lines_by_invoice[line.invoice_id or 0].append(line)
    unapplied = -ledger.balance(ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=billing_account_id)
    return {
        "balance": format_cents(ledger.account_balance(ctx, billing_account_id), thousands=False),
        "unapplied_credit": format_cents(unapplied, thousands=False),
        "aging": {name: format_cents(cents, thousands=False) for name, cents in aging(ctx, billing_account_id, as_of).items()},
        "policies": [
            {
                "policy_number": policy.policy_number,
                "plan_id": policy.plan_id,
                "status": policy.status,
                "effective_date": policy.effective_date.isoformat(),
                "end_date": policy.end_date.isoformat() if policy.end_date else None,
                "paid_through": paid_through[policy.id].isoformat() if paid_through[policy.id] else None,
            }
            for policy in policies
        ],
        "invoices": [_invoice_data(invoice, lines_by_invoice[invoice.id]) for invoice in invoices],
    }


def _invoice_data(invoice: Invoice, lines: list[InvoiceLine]) -> dict[str, Any]:
    return {
        "invoice_number": invoice.invoice_number,
        "period": f"{invoice.period_start.isoformat()}..{invoice.period_end.isoformat()}",
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "previous_balance": format_cents(invoice.previous_balance_cents, thousands=False),
        "payments_and_activity_since": format_cents(invoice.payments_since_cents, thousands=False),
        "current_charges": format_cents(invoice.current_charges_cents, thousands=False),
        "adjustments": format_cents(invoice.adjustments_cents, thousands=False),
        "credits_applied": format_cents(-invoice.credits_applied_cents, thousands=False),
        "amount_due": format_cents(invoice.amount_due_cents, thousands=False),
        "lines": [
            {
                "coverage_month": line.coverage_month.isoformat()[:7] if line.coverage_month else None,
                "policy_id": line.policy_id,
                "person_id": line.person_id,
                "kind": line.kind,
                "adjustment": line.adjustment,
                "amount": format_cents(line.amount_cents, thousands=False),
                "days": f"{line.days_covered}/{line.days_in_month}",
                "description": line.description,
            }
            for line in lines
        ],
    }
