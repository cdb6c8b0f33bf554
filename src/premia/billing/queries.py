"""Account balance, aging and each policy's paid-through date, all derived from the journal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from premia.accounts import service as accounts
from premia.accounts.tables import BillingAccount
from premia.billing.tables import BillRun, Invoice, InvoiceLine
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.dates import Month
from premia.kernel.errors import NotFoundError
from premia.kernel.money import format_cents
from premia.ledger import service as ledger
from premia.ledger.model import LedgerAccount
from premia.ledger.receivables import open_amounts_on
from premia.ledger.tables import JournalEntry, JournalLine
from premia.payments.model import PaymentStatus
from premia.payments.tables import Payment
from premia.staff.permissions import Permission

AGING_BUCKETS = (("current", 0), ("1-30", 30), ("31-60", 60), ("61-90", 90), ("over 90", None))
# The name shown for a line that bills the account itself (a fee) rather than one member.
ACCOUNT_LINE_NAME = "Account"


@dataclass(frozen=True)
class PolicyStanding:
    policy_number: str
    status: str
    effective_date: date
    end_date: date | None
    paid_through: date | None


def month_open_amounts(
    ctx: ServiceContext, policy_ids: list[int], *, as_of: date | None = None
) -> dict[tuple[int, date], int]:
    """Net receivable still open per (policy, coverage month), premium and APTC together.

    With ``as_of``, only the journal entries dated on or before it count.
    """
    if not policy_ids:
        return {}
    query = (
        select(JournalLine.policy_id, JournalLine.coverage_month, func.sum(JournalLine.amount_cents))
        .where(
            JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value,
            JournalLine.policy_id.in_(policy_ids),
            JournalLine.coverage_month.is_not(None),
        )
        .group_by(JournalLine.policy_id, JournalLine.coverage_month)
    )
    if as_of is not None:
        query = query.join(JournalEntry, JournalEntry.id == JournalLine.entry_id).where(JournalEntry.entry_date <= as_of)
    rows = ctx.session.execute(query).all()
    return {(policy_id, month): int(total) for policy_id, month, total in rows}


def billed_months(
    ctx: ServiceContext,
    policy_ids: list[int],
    *,
    billing_account_ids: set[int] | None = None,
    as_of: date | None = None,
) -> dict[int, set[date]]:
    """Coverage months that appear on an issued invoice, per policy (issued by ``as_of``, when given).

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
    if as_of is not None:
        query = query.join(Invoice, Invoice.id == InvoiceLine.invoice_id).where(Invoice.issue_date <= as_of)
    rows = ctx.session.execute(query.distinct()).all()
    months: dict[int, set[date]] = defaultdict(set)
    for policy_id, month in rows:
        months[policy_id].add(month)
    return months


def paid_through_dates(ctx: ServiceContext, policies: list[Policy], *, as_of: date | None = None) -> dict[int, date | None]:
    """Return the last day each policy's payments fully cover, derived from billing and the journal.

    With ``as_of``, only invoices issued and entries dated by then count, as the account
    looked on that day. Without it, everything posted so far counts.

    Months are checked in order from the policy's first billed month; the first month with
    anything still open stops the count. A month whose lines net to zero or less (a $0.00
    invoice, a month the APTC pays in full, a month credited back) counts as paid. The date
    never passes the policy's end date. A policy whose first billed month is still open has
    none, and so does a cancelled policy.
    """
    ids = [policy.id for policy in policies]
    open_amounts = month_open_amounts(ctx, ids, as_of=as_of)
    months_billed = billed_months(ctx, ids, billing_account_ids={policy.billing_account_id for policy in policies}, as_of=as_of)
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
    """Receivable open on ``as_of`` by days past due then, in cents, from the entries dated on or before it."""
    buckets = {name: 0 for name, _ in AGING_BUCKETS}
    for due_date, open_cents in open_amounts_on(ctx, billing_account_id, as_of):
        days_late = (as_of - (due_date or as_of)).days
        buckets[_bucket(days_late)] += open_cents
    return buckets


def _bucket(days_late: int) -> str:
    if days_late <= 0:
        return "current"
    for name, limit in AGING_BUCKETS[1:]:
        if limit is None or days_late <= limit:
            return name
    return "over 90"


def account_billing_summary(ctx: ServiceContext, billing_account_id: int, as_of: date) -> dict[str, Any]:
    """Balance, aging, paid-through dates and the invoices issued, all as of ``as_of``, with each
    policy's current status, for `accounts show` and the API's account billing summary."""
    policies = list(ctx.session.scalars(select(Policy).where(Policy.billing_account_id == billing_account_id).order_by(Policy.id)))
    paid_through = paid_through_dates(ctx, policies, as_of=as_of)
    invoices = list(
        ctx.session.scalars(
            select(Invoice)
            .where(Invoice.billing_account_id == billing_account_id, Invoice.issue_date <= as_of)
            .order_by(Invoice.period_start)
        )
    )
    lines_by_invoice: dict[int, list[InvoiceLine]] = defaultdict(list)
    if invoices:
        for line in ctx.session.scalars(
            select(InvoiceLine).where(InvoiceLine.invoice_id.in_([invoice.id for invoice in invoices])).order_by(InvoiceLine.id)
        ):
            lines_by_invoice[line.invoice_id or 0].append(line)
    unapplied = -ledger.balance(ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=billing_account_id, as_of=as_of)
    return {
        "as_of": as_of.isoformat(),
        "balance": format_cents(ledger.account_balance(ctx, billing_account_id, as_of=as_of), thousands=False),
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
        # Shown for information: the credit is already part of the balance, so amount_due is
        # previous_balance + payments_and_activity_since + current_charges + adjustments.
        "credits_applied": format_cents(invoice.credits_applied_cents, thousands=False),
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


@dataclass(frozen=True)
class AccountInvoiceLine:
    """One line of an issued invoice, with the name of the member it bills."""

    id: int
    person_id: int | None
    member_name: str
    coverage_month: date | None
    kind: str
    adjustment: bool
    amount_cents: int
    days_covered: int
    days_in_month: int
    description: str


@dataclass(frozen=True)
class AccountInvoice:
    """An issued invoice's stored figures, what is still open on it, and its lines.

    ``open_cents`` is the invoice's receivable left in the journal now. ``status`` is
    ``paid``, ``payment_pending`` (a draft not yet settled covers it), ``open`` or
    ``past_due`` on the as-of date it was read for.
    """

    id: int
    invoice_number: str
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    previous_balance_cents: int
    payments_since_cents: int
    current_charges_cents: int
    adjustments_cents: int
    credits_applied_cents: int
    amount_due_cents: int
    open_cents: int
    status: str
    lines: list[AccountInvoiceLine]


def account_invoices(
    ctx: ServiceContext, billing_account_id: int, *, as_of: date, member_names: Mapping[int, str]
) -> list[AccountInvoice]:
    """List the account's invoices, newest period first, with their lines and open amounts on ``as_of``.

    ``member_names`` maps person ids to the names printed on their lines.
    """
    ctx.require(Permission.BILLING_READ)
    invoices = list(
        ctx.session.scalars(select(Invoice).where(Invoice.billing_account_id == billing_account_id).order_by(Invoice.period_start.desc()))
    )
    if not invoices:
        return []
    ids = [invoice.id for invoice in invoices]

    lines: dict[int, list[AccountInvoiceLine]] = defaultdict(list)
    for line in ctx.session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id.in_(ids)).order_by(InvoiceLine.coverage_month, InvoiceLine.id)):
        lines[line.invoice_id or 0].append(_account_line(line, member_names))
    open_amounts = _open_invoice_amounts(ctx, billing_account_id, ids)
    # An auto-draft sent but not yet settled is a pending payment: the invoice stays open in
    # the journal until it settles, and is shown as payment pending meanwhile.
    pending = ctx.session.scalar(
        select(func.coalesce(func.sum(Payment.amount_cents), 0)).where(
            Payment.billing_account_id == billing_account_id, Payment.status == PaymentStatus.PENDING.value
        )
    )
    covered = _pending_cover(invoices, open_amounts, int(pending or 0))

    return [
        AccountInvoice(
            id=invoice.id,
            invoice_number=invoice.invoice_number,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            previous_balance_cents=invoice.previous_balance_cents,
            payments_since_cents=invoice.payments_since_cents,
            current_charges_cents=invoice.current_charges_cents,
            adjustments_cents=invoice.adjustments_cents,
            credits_applied_cents=invoice.credits_applied_cents,
            amount_due_cents=invoice.amount_due_cents,
            open_cents=open_amounts.get(invoice.id, 0),
            status=invoice_status(
                open_amounts.get(invoice.id, 0), invoice.due_date, as_of, pending_cents=covered.get(invoice.id, 0)
            ),
            lines=lines[invoice.id],
        )
        for invoice in invoices
    ]


def invoice_status(open_cents: int, due_date: date, as_of: date, *, pending_cents: int = 0) -> str:
    """Return ``paid`` when nothing is open, ``payment_pending`` when a pending payment covers what is
    open, ``past_due`` after the due date, and ``open`` before it."""
    if open_cents <= 0:
        return "paid"
    if pending_cents >= open_cents:
        return "payment_pending"
    return "past_due" if as_of > due_date else "open"


def _pending_cover(invoices: list[Invoice], open_amounts: Mapping[int, int], pending_cents: int) -> dict[int, int]:
    """Spread pending payments over the open invoices oldest due first, as they will be applied once settled."""
    covered: dict[int, int] = {}
    left = pending_cents
    for invoice in sorted(invoices, key=lambda item: (item.due_date, item.id)):
        share = min(left, max(open_amounts.get(invoice.id, 0), 0))
        covered[invoice.id] = share
        left -= share
    return covered


def _account_line(line: InvoiceLine, member_names: Mapping[int, str]) -> AccountInvoiceLine:
    if line.person_id is None:
        member_name = ACCOUNT_LINE_NAME
    else:
        member_name = member_names.get(line.person_id, "")
    return AccountInvoiceLine(
        id=line.id,
        person_id=line.person_id,
        member_name=member_name,
        coverage_month=line.coverage_month,
        kind=line.kind,
        adjustment=line.adjustment,
        amount_cents=line.amount_cents,
        days_covered=line.days_covered,
        days_in_month=line.days_in_month,
        description=line.description,
    )


def _open_invoice_amounts(ctx: ServiceContext, billing_account_id: int, invoice_ids: list[int]) -> dict[int, int]:
    """Receivable still open per invoice, from the journal."""
    rows = ctx.session.execute(
        select(JournalLine.invoice_id, func.sum(JournalLine.amount_cents))
        .where(
            JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value,
            JournalLine.billing_account_id == billing_account_id,
            JournalLine.invoice_id.in_(invoice_ids),
        )
        .group_by(JournalLine.invoice_id)
    ).all()
    return {invoice_id: int(total or 0) for invoice_id, total in rows}


def invoice_count(ctx: ServiceContext, billing_account_id: int) -> int:
    """Return how many invoices were issued to the account."""
    return int(ctx.session.scalar(select(func.count(Invoice.id)).where(Invoice.billing_account_id == billing_account_id)) or 0)


def invoice_numbers(ctx: ServiceContext, invoice_ids: Collection[int]) -> dict[int, str]:
    """Return the invoice number of each invoice id. Unknown ids are left out."""
    if not invoice_ids:
        return {}
    rows = ctx.session.execute(select(Invoice.id, Invoice.invoice_number).where(Invoice.id.in_(set(invoice_ids)))).all()
    return {invoice_id: number for invoice_id, number in rows}


def find_account_invoice(ctx: ServiceContext, billing_account_id: int, invoice_number: str) -> Invoice | None:
    """Return the account's invoice with this number (case and surrounding spaces ignored), or None."""
    query = select(Invoice).where(Invoice.billing_account_id == billing_account_id, Invoice.invoice_number == invoice_number.strip().upper())
    return ctx.session.scalar(query)


def get_account_invoice(ctx: ServiceContext, account_number: str, invoice_number: str) -> tuple[BillingAccount, Invoice]:
    """Load an account and its invoice with this number for another read; the caller audits its own use."""
    account = accounts.get_account_row(ctx, account_number)
    invoice = find_account_invoice(ctx, account.id, invoice_number)
    if invoice is None:
        raise NotFoundError(
            code="invoice.not_found",
            message=f"Account {account.account_number} has no invoice {invoice_number!r}.",
            record=f"billing_account {account.account_number}",
            field="invoice_number",
            value=invoice_number,
            hint=(
                f"Use a number from the account's invoice list (`premia accounts show {account.account_number}` "
                f"or GET /api/v1/invoices?account_number={account.account_number})."
            ),
        )
    return account, invoice


def previous_invoice(ctx: ServiceContext, invoice: Invoice) -> Invoice | None:
    """Return the account's invoice for the latest period that starts before ``invoice``'s, or None."""
    query = (
        select(Invoice)
        .where(Invoice.billing_account_id == invoice.billing_account_id, Invoice.period_start < invoice.period_start)
        .order_by(Invoice.period_start.desc())
        .limit(1)
    )
    return ctx.session.scalar(query)


def invoice_lines(ctx: ServiceContext, invoice_id: int) -> list[InvoiceLine]:
    """Return an invoice's lines in coverage-month order."""
    query = select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id).order_by(InvoiceLine.coverage_month, InvoiceLine.id)
    return list(ctx.session.scalars(query))


def recent_bill_runs(ctx: ServiceContext, *, limit: int = 15) -> list[BillRun]:
    """Return the latest bill runs, newest first. Needs the permission to run billing."""
    ctx.require(Permission.BILLING_RUN)
    return list(ctx.session.scalars(select(BillRun).order_by(BillRun.id.desc()).limit(limit)))
