"""Collection rate, DSO and aging, read from invoices and the journal's premium receivable.

Only premium items count: receivable lines with a coverage month. Fees are left out,
because an unpaid fee never keeps a policy in grace. APTC is left out as well, because the
premium receivable carries the member's net premium (invoice APTC lines are negative) and
the exchange's share is in the APTC receivable, which the 820 pays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from premia.billing.model import LineKind
from premia.billing.tables import Invoice, InvoiceLine
from premia.infra.context import ServiceContext
from premia.ledger.model import EntryKind, LedgerAccount
from premia.ledger.tables import JournalEntry, JournalLine
from premia.metrics.definitions import COLLECTION_CUTOFF_DAYS, OVER_90_DAYS, KpiName
from premia.metrics.formulas import AgingBucket, AgingBuckets, KpiFigure, dso_figure, ratio_figure
from premia.metrics.scope import segment_policies
from premia.metrics.segment import Period, Segment
from premia.staff.permissions import Permission

RECEIVABLE = LedgerAccount.PREMIUM_RECEIVABLE.value
# Entries that move money onto the receivable: a payment, or credit from an earlier payment.
CASH_KINDS = (EntryKind.PAYMENT.value, EntryKind.ALLOCATION.value)
PREMIUM_LINE_KINDS = (LineKind.PREMIUM.value, LineKind.APTC.value)
RowT = TypeVar("RowT", bound=tuple[Any, ...])


@dataclass(frozen=True)
class BilledOnDueDate:
    """Invoices due on one day: those with premium due, their net premium, and the rest."""

    owing_invoices: int
    owing_cents: int
    invoices_without_premium_due: int
    net_cents: int


@dataclass(frozen=True)
class ReceivableFacts:
    """The totals the receivable KPIs of several periods read on one ``as_of`` day are computed from.

    Each mapping comes from one query over all the periods together, so a monthly series
    costs about as much as a single report. ``cash`` contains (due date, entry date, cents) for
    invoices with premium due whose cut-off has passed on ``as_of``. ``receivable`` and
    ``aging`` are keyed by the day they are read on.
    """

    as_of: date
    billed: Mapping[date, BilledOnDueDate]
    cash: Sequence[tuple[date, date, int]]
    receivable: Mapping[date, int]
    aging: Mapping[date, AgingBuckets]


def load_receivable_facts(ctx: ServiceContext, periods: Sequence[Period], segment: Segment) -> ReceivableFacts:
    """Read the invoice and journal totals behind the collection rate, DSO and aging of ``periods``.

    Every period must be read on the same ``as_of`` day.
    """
    ctx.require(Permission.KPI_READ)
    as_of = periods[0].as_of
    if any(period.as_of != as_of for period in periods):
        raise ValueError("the periods of one load are read on the same as_of day")
    span = Period(min(period.first_day for period in periods), max(period.last_day for period in periods), as_of)
    snapshots = sorted({period.read_through for period in periods})
    last_closed_due = as_of - timedelta(days=COLLECTION_CUTOFF_DAYS)
    return ReceivableFacts(
        as_of=as_of,
        billed=_billed_by_due_date(ctx, span, segment),
        cash=_cash_by_due_date_and_day(ctx, span, segment, last_closed_due),
        receivable=_receivable_on(ctx, snapshots, segment),
        aging=_aging_on(ctx, snapshots, segment),
    )


def premium_collection(ctx: ServiceContext, period: Period, segment: Segment) -> KpiFigure:
    """Cash applied by the cut-off ÷ net premium billed, for invoices due in the period.

    An invoice whose cut-off (due date + 30 days) is after ``as_of`` is still being
    collected: it is counted in ``detail`` as pending and left out of both sides. So is an
    invoice with no premium due (APTC covers it, or its adjustments credit more than it
    charges), because there is nothing on it to collect.
    """
    return collection_figure(load_receivable_facts(ctx, [period], segment), period)


def days_sales_outstanding(ctx: ServiceContext, period: Period, segment: Segment) -> KpiFigure:
    """Premium receivable on invoices due by the period's end ÷ premium billed in the period × its days."""
    return dso_from(load_receivable_facts(ctx, [period], segment), period)


def receivable_aging(ctx: ServiceContext, on: date, segment: Segment) -> AgingBuckets:
    """Age what each member still owes for each coverage month on ``on`` by days past its first due date.

    Only entries dated ``on`` or earlier count. A member's month is netted across invoices,
    because a later invoice's adjustment line (a retroactive termination or cancellation
    credit) corrects the month it names, not its own invoice. The month is as late as the
    first invoice that billed it.
    """
    ctx.require(Permission.KPI_READ)
    return _aging_on(ctx, [on], segment)[on]


def collection_figure(facts: ReceivableFacts, period: Period) -> KpiFigure:
    """Build the premium collection rate of ``period`` from totals loaded for it."""
    cutoff = timedelta(days=COLLECTION_CUTOFF_DAYS)
    # An invoice is closed when its cut-off is on or before as_of.
    last_closed_due = facts.as_of - cutoff
    closed_count = closed_cents = pending_count = pending_cents = without_premium = 0
    for due_date, billed in facts.billed.items():
        if not period.first_day <= due_date <= period.last_day:
            continue
        without_premium += billed.invoices_without_premium_due
        if due_date <= last_closed_due:
            closed_count += billed.owing_invoices
            closed_cents += billed.owing_cents
        else:
            pending_count += billed.owing_invoices
            pending_cents += billed.owing_cents

    applied = sum(
        cents
        for due_date, entry_date, cents in facts.cash
        if period.first_day <= due_date <= period.last_day and entry_date <= due_date + cutoff
    )
    detail = {
        "cutoff_days": COLLECTION_CUTOFF_DAYS,
        "invoices": closed_count,
        "pending_invoices": pending_count,
        "pending_billed_cents": pending_cents,
        "invoices_without_premium_due": without_premium,
    }
    return ratio_figure(KpiName.PREMIUM_COLLECTION_RATE, applied, closed_cents, detail)


def dso_from(facts: ReceivableFacts, period: Period) -> KpiFigure:
    """Build the DSO of ``period`` from totals loaded for it."""
    billed = sum(row.net_cents for due_date, row in facts.billed.items() if period.first_day <= due_date <= period.last_day)
    return dso_figure(facts.receivable[period.read_through], billed, period.days)


def billed_by_invoice(ctx: ServiceContext, period: Period, segment: Segment) -> dict[int, int]:
    """Net premium (premium less APTC, adjustments included) per invoice due in the period.

    Invoices issued after ``as_of`` are left out, so a report for a past day does not count
    bills that did not exist yet.
    """
    query = _billed_invoices(period, segment)
    return {int(invoice_id): int(cents) for invoice_id, _due_date, cents in ctx.session.execute(query)}


def _billed_conditions(period: Period) -> tuple[ColumnElement[bool], ...]:
    return (
        Invoice.due_date >= period.first_day,
        Invoice.due_date <= period.last_day,
        Invoice.issue_date <= period.as_of,
        InvoiceLine.kind.in_(PREMIUM_LINE_KINDS),
    )


def _billed_invoices(period: Period, segment: Segment) -> Select[tuple[int, date, int]]:
    """Select invoice id, due date and net premium billed for each invoice due in the period."""
    query = (
        select(
            InvoiceLine.invoice_id.label("invoice_id"),
            Invoice.due_date.label("due_date"),
            func.sum(InvoiceLine.amount_cents).label("billed_cents"),
        )
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(*_billed_conditions(period))
        .group_by(InvoiceLine.invoice_id, Invoice.due_date)
    )
    return _in_segment(query, InvoiceLine.policy_id, segment)


def _billed_by_due_date(ctx: ServiceContext, period: Period, segment: Segment) -> dict[date, BilledOnDueDate]:
    billed = _billed_invoices(period, segment).subquery()
    owing = billed.c.billed_cents > 0
    query = select(
        billed.c.due_date,
        func.sum(case((owing, 1), else_=0)),
        func.sum(case((owing, billed.c.billed_cents), else_=0)),
        func.sum(case((owing, 0), else_=1)),
        func.sum(billed.c.billed_cents),
    ).group_by(billed.c.due_date)
    return {
        due_date: BilledOnDueDate(int(count), int(cents), int(other), int(net))
        for due_date, count, cents, other, net in ctx.session.execute(query)
    }


def _cash_by_due_date_and_day(
    ctx: ServiceContext, period: Period, segment: Segment, last_closed_due: date
) -> list[tuple[date, int, int]]:
    """Cash applied to the premium of closed invoices with premium due, per due date and entry date, in cents.

    A return or staff reversal of a payment is the payment's mirror image, so it counts
    negative on the day it is posted.
    """
    billed = _billed_invoices(period, segment).subquery()
    reversed_entry = aliased(JournalEntry)
    is_cash = or_(
        JournalEntry.kind.in_(CASH_KINDS),
        and_(JournalEntry.kind == EntryKind.REVERSAL.value, reversed_entry.kind.in_(CASH_KINDS)),
    )
    query = (
        select(billed.c.due_date, JournalEntry.entry_date, func.sum(JournalLine.amount_cents))
        .select_from(JournalLine)
        .join(billed, billed.c.invoice_id == JournalLine.invoice_id)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .outerjoin(reversed_entry, reversed_entry.id == JournalEntry.reverses_entry_id)
        .where(
            billed.c.billed_cents > 0,
            billed.c.due_date <= last_closed_due,
            JournalLine.ledger_account == RECEIVABLE,
            JournalLine.coverage_month.is_not(None),
            JournalEntry.entry_date <= period.as_of,
            is_cash,
        )
        .group_by(billed.c.due_date, JournalEntry.entry_date)
    )
    query = _in_segment(query, JournalLine.policy_id, segment)
    # Receivable credits are negative; cash applied is their opposite.
    return [(due_date, day, -int(cents)) for due_date, day, cents in ctx.session.execute(query)]


def _receivable_on(ctx: ServiceContext, days: Sequence[date], segment: Segment) -> dict[date, int]:
    """Return the premium receivable on invoices already due, as it stood on each of ``days``."""
    columns = [
        func.coalesce(func.sum(case((and_(JournalEntry.entry_date <= on, Invoice.due_date <= on), JournalLine.amount_cents), else_=0)), 0)
        for on in days
    ]
    query = (
        select(*columns)
        .select_from(JournalLine)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(Invoice, Invoice.id == JournalLine.invoice_id)
        .where(
            JournalLine.ledger_account == RECEIVABLE,
            JournalLine.coverage_month.is_not(None),
            JournalEntry.entry_date <= max(days),
        )
    )
    row = ctx.session.execute(_in_segment(query, JournalLine.policy_id, segment)).one()
    return {on: int(cents or 0) for on, cents in zip(days, row, strict=True)}


def _aging_on(ctx: ServiceContext, days: Sequence[date], segment: Segment) -> dict[date, AgingBuckets]:
    """Sum each member's open premium per coverage month into aging buckets, as it stood on each of ``days``.

    The database nets each month and sums it into its bucket, so one row comes back with
    an amount and an item count per day and bucket.
    """
    posted_by = {on: JournalEntry.entry_date <= on for on in days}
    per_month = [JournalLine.policy_id, JournalLine.person_id, JournalLine.coverage_month]
    item_columns = []
    for index, on in enumerate(days):
        item_columns.append(func.min(case((posted_by[on], Invoice.due_date))).label(f"due_{index}"))
        item_columns.append(func.sum(case((posted_by[on], JournalLine.amount_cents), else_=0)).label(f"open_{index}"))
    items = (
        select(*item_columns)
        .select_from(JournalLine)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(Invoice, Invoice.id == JournalLine.invoice_id)
        .where(
            JournalLine.ledger_account == RECEIVABLE,
            JournalLine.coverage_month.is_not(None),
            JournalEntry.entry_date <= max(days),
        )
        .group_by(*per_month)
    )
    items = _in_segment(items, JournalLine.policy_id, segment).subquery()

    totals = []
    for index, on in enumerate(days):
        open_cents = items.c[f"open_{index}"]
        bucket = _bucket_of(items.c[f"due_{index}"], on)
        for name in AgingBucket:
            in_bucket = and_(open_cents > 0, bucket == name.value)
            totals.append(func.coalesce(func.sum(case((in_bucket, open_cents), else_=0)), 0))
            totals.append(func.coalesce(func.sum(case((in_bucket, 1), else_=0)), 0))
    row = list(ctx.session.execute(select(*totals)).one())

    result = {}
    for index, on in enumerate(days):
        cents: dict[AgingBucket, int] = {}
        counts: dict[AgingBucket, int] = {}
        for offset, name in enumerate(AgingBucket):
            position = (index * len(AgingBucket) + offset) * 2
            cents[name] = int(row[position])
            counts[name] = int(row[position + 1])
        result[on] = AgingBuckets(on=on, buckets=cents, items=counts)
    return result


def _bucket_of(due_date: ColumnElement[date], on: date) -> ColumnElement[str]:
    """Return the aging bucket of an item first due on ``due_date``, as of ``on``, as an SQL expression.

    The thresholds match :func:`premia.metrics.formulas.aging_bucket`: 0 days or less past
    due is current, then 1-30, 31-60, 61-90 and over 90.
    """
    return case(
        (due_date >= on, AgingBucket.CURRENT.value),
        (due_date >= on - timedelta(days=30), AgingBucket.DAYS_1_30.value),
        (due_date >= on - timedelta(days=60), AgingBucket.DAYS_31_60.value),
        (due_date >= on - timedelta(days=OVER_90_DAYS), AgingBucket.DAYS_61_90.value),
        else_=AgingBucket.OVER_90.value,
    )


def _in_segment(query: Select[RowT], policy_column: ColumnElement[int | None], segment: Segment) -> Select[RowT]:
    policies = segment_policies(segment)
    return query if policies is None else query.where(policy_column.in_(policies))

