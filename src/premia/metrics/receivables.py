"""Collection rate, DSO and aging, read from invoices and the journal's premium receivable.

Only premium items count: receivable lines with a coverage month. Fees are left out,
because an unpaid fee never keeps a policy in grace. APTC is left out as well, because the
premium receivable carries the member's net premium (invoice APTC lines are negative) and
the exchange's share is in the APTC receivable, which the 820 pays.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from premia.billing.model import LineKind
from premia.billing.tables import Invoice, InvoiceLine
from premia.infra.context import ServiceContext
from premia.ledger.model import EntryKind, LedgerAccount
from premia.ledger.tables import JournalEntry, JournalLine
from premia.metrics.definitions import COLLECTION_CUTOFF_DAYS, KpiName
from premia.metrics.formulas import AgingBuckets, KpiFigure, OpenItem, age_items, dso_figure, ratio_figure
from premia.metrics.scope import segment_policies
from premia.metrics.segment import Period, Segment
from premia.staff.permissions import Permission

RECEIVABLE = LedgerAccount.PREMIUM_RECEIVABLE.value
# Entries that move money onto the receivable: a payment, or credit from an earlier payment.
CASH_KINDS = (EntryKind.PAYMENT.value, EntryKind.ALLOCATION.value)
PREMIUM_LINE_KINDS = (LineKind.PREMIUM.value, LineKind.APTC.value)
RowT = TypeVar("RowT", bound=tuple[Any, ...])


def premium_collection(ctx: ServiceContext, period: Period, segment: Segment) -> KpiFigure:
    """Cash applied by the cut-off ÷ net premium billed, for invoices due in the period.

    An invoice whose cut-off (due date + 30 days) is after ``as_of`` is still being
    collected: it is counted in ``detail`` as pending and left out of both sides. So is an
    invoice with no premium due (APTC covers it, or its adjustments credit more than it
    charges), because there is nothing on it to collect.
    """
    ctx.require(Permission.KPI_READ)
    billed = billed_by_invoice(ctx, period, segment)
    due_dates = _due_dates(ctx, list(billed))
    cutoff = timedelta(days=COLLECTION_CUTOFF_DAYS)
    owing = {invoice_id for invoice_id, cents in billed.items() if cents > 0}
    closed = {invoice_id for invoice_id in owing if due_dates[invoice_id] + cutoff <= period.as_of}
    pending = owing - closed

    applied = 0
    for invoice_id, entry_date, cents in _cash_by_invoice_and_day(ctx, closed, segment, period.as_of):
        if entry_date <= due_dates[invoice_id] + cutoff:
            applied += cents
    detail = {
        "cutoff_days": COLLECTION_CUTOFF_DAYS,
        "invoices": len(closed),
        "pending_invoices": len(pending),
        "pending_billed_cents": sum(billed[invoice_id] for invoice_id in pending),
        "invoices_without_premium_due": len(billed) - len(owing),
    }
    return ratio_figure(KpiName.PREMIUM_COLLECTION_RATE, applied, sum(billed[invoice_id] for invoice_id in closed), detail)


def days_sales_outstanding(ctx: ServiceContext, period: Period, segment: Segment) -> KpiFigure:
    """Premium receivable on invoices due by the period's end ÷ premium billed in the period × its days."""
    ctx.require(Permission.KPI_READ)
    billed = sum(billed_by_invoice(ctx, period, segment).values())
    on = period.read_through
    query = (
        select(func.coalesce(func.sum(JournalLine.amount_cents), 0))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(Invoice, Invoice.id == JournalLine.invoice_id)
        .where(
            JournalLine.ledger_account == RECEIVABLE,
            JournalLine.coverage_month.is_not(None),
            JournalEntry.entry_date <= on,
            Invoice.due_date <= on,
        )
    )
    query = _in_segment(query, JournalLine.policy_id, segment)
    receivable = int(ctx.session.scalar(query) or 0)
    return dso_figure(receivable, billed, period.days)


def receivable_aging(ctx: ServiceContext, on: date, segment: Segment) -> AgingBuckets:
    """Age what each member still owes for each coverage month on ``on`` by days past its first due date.

    Only entries dated ``on`` or earlier count. A member's month is netted across invoices,
    because a later invoice's adjustment line (a retroactive termination or cancellation
    credit) corrects the month it names, not its own invoice. The month is as late as the
    first invoice that billed it.
    """
    ctx.require(Permission.KPI_READ)
    query = (
        select(func.min(Invoice.due_date), func.sum(JournalLine.amount_cents))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(Invoice, Invoice.id == JournalLine.invoice_id)
        .where(
            JournalLine.ledger_account == RECEIVABLE,
            JournalLine.coverage_month.is_not(None),
            JournalEntry.entry_date <= on,
        )
        .group_by(JournalLine.policy_id, JournalLine.person_id, JournalLine.coverage_month)
        .having(func.sum(JournalLine.amount_cents) > 0)
    )
    query = _in_segment(query, JournalLine.policy_id, segment)
    items = [OpenItem(due_date=due, open_cents=int(cents)) for due, cents in ctx.session.execute(query)]
    return age_items(items, on)


def billed_by_invoice(ctx: ServiceContext, period: Period, segment: Segment) -> dict[int, int]:
    """Net premium (premium less APTC, adjustments included) per invoice due in the period.

    Invoices issued after ``as_of`` are left out, so a report for a past day does not count
    bills that did not exist yet.
    """
    query = (
        select(InvoiceLine.invoice_id, func.sum(InvoiceLine.amount_cents))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(
            Invoice.due_date >= period.first_day,
            Invoice.due_date <= period.last_day,
            Invoice.issue_date <= period.as_of,
            InvoiceLine.kind.in_(PREMIUM_LINE_KINDS),
        )
        .group_by(InvoiceLine.invoice_id)
    )
    query = _in_segment(query, InvoiceLine.policy_id, segment)
    return {int(invoice_id): int(cents) for invoice_id, cents in ctx.session.execute(query)}


def _cash_by_invoice_and_day(
    ctx: ServiceContext, invoice_ids: set[int], segment: Segment, as_of: date
) -> list[tuple[int, date, int]]:
    """Cash applied to the premium items of ``invoice_ids`` per invoice and entry date, as positive cents.

    A return or staff reversal of a payment is the payment's mirror image, so it counts
    negative on the day it is posted.
    """
    if not invoice_ids:
        return []
    reversed_entry = aliased(JournalEntry)
    is_cash = or_(
        JournalEntry.kind.in_(CASH_KINDS),
        and_(JournalEntry.kind == EntryKind.REVERSAL.value, reversed_entry.kind.in_(CASH_KINDS)),
    )
    rows: list[tuple[int, date, int]] = []
    ids = sorted(invoice_ids)
    # Chunks keep the IN list within the bind parameter limits of both engines.
    for first in range(0, len(ids), 5000):
        query = (
            select(JournalLine.invoice_id, JournalEntry.entry_date, func.sum(JournalLine.amount_cents))
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .outerjoin(reversed_entry, reversed_entry.id == JournalEntry.reverses_entry_id)
            .where(
                JournalLine.ledger_account == RECEIVABLE,
                JournalLine.coverage_month.is_not(None),
                JournalLine.invoice_id.in_(ids[first : first + 5000]),
                JournalEntry.entry_date <= as_of,
                is_cash,
            )
            .group_by(JournalLine.invoice_id, JournalEntry.entry_date)
        )
        query = _in_segment(query, JournalLine.policy_id, segment)
        # Receivable credits are negative; cash applied is their opposite.
        rows.extend((int(invoice_id), day, -int(cents)) for invoice_id, day, cents in ctx.session.execute(query))
    return rows


def _due_dates(ctx: ServiceContext, invoice_ids: list[int]) -> dict[int, date]:
    found: dict[int, date] = {}
    for first in range(0, len(invoice_ids), 5000):
        chunk = invoice_ids[first : first + 5000]
        for invoice_id, due_date in ctx.session.execute(select(Invoice.id, Invoice.due_date).where(Invoice.id.in_(chunk))):
            found[invoice_id] = due_date
    return found


def _in_segment(query: Select[RowT], policy_column: ColumnElement[int | None], segment: Segment) -> Select[RowT]:
    policies = segment_policies(segment)
    return query if policies is None else query.where(policy_column.in_(policies))

