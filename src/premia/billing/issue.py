"""Issuing planned invoices: number them, write their lines, post them to the journal.

All invoices of a chunk are written together with bulk inserts (see :mod:`premia.billing.bulk`):
the invoices, their lines, one balanced journal entry per invoice, and an invoice or list-bill
notice per invoice. Pending fees are attached and unapplied credit is applied afterwards,
account by account, for the few accounts that have them. The caller runs this inside a
savepoint, so an error leaves none of the chunk's rows behind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update

from premia.billing.bulk import BulkWriter, adapt_json, bulk_writer
from premia.billing.model import DraftLine, LineKind, PlannedInvoice
from premia.billing.numbering import format_invoice_number, reserve_invoice_numbers
from premia.billing.rating_cache import RatingRequest, rating_trace
from premia.billing.tables import Invoice, InvoiceLine
from premia.infra.context import ServiceContext
from premia.kernel.errors import ValidationError
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind, LedgerAccount, LineSpec
from premia.ledger.receivables import (
    accounts_with_credit_items,
    allocation_lines,
    credit_application_lines,
    credit_items,
    open_items,
)
from premia.ledger.tables import JournalEntry, JournalLine
from premia.notices.model import NoticeStatus, NoticeType
from premia.notices.tables import Notice
from premia.rating.catalog import Catalog

INVOICE_COLUMNS = (
    "id",
    "invoice_number",
    "legal_entity",
    "billing_account_id",
    "bill_run_id",
    "period_start",
    "period_end",
    "issue_date",
    "due_date",
    "previous_balance_cents",
    "payments_since_cents",
    "current_charges_cents",
    "adjustments_cents",
    "credits_applied_cents",
    "amount_due_cents",
    "gross_premium_cents",
    "aptc_cents",
    "created_at",
)
LINE_COLUMNS = (
    "id",
    "invoice_id",
    "billing_account_id",
    "policy_id",
    "person_id",
    "coverage_month",
    "kind",
    "adjustment",
    "amount_cents",
    "employer_share_cents",
    "days_covered",
    "days_in_month",
    "description",
    "trace",
)
ENTRY_COLUMNS = ("id", "entry_date", "posted_at", "kind", "reference", "description", "billing_account_id", "posted_by")
JOURNAL_LINE_COLUMNS = (
    "entry_id",
    "ledger_account",
    "amount_cents",
    "billing_account_id",
    "invoice_id",
    "invoice_line_id",
    "policy_id",
    "person_id",
    "coverage_month",
)
NOTICE_COLUMNS = (
    "notice_type",
    "billing_account_id",
    "invoice_id",
    "as_of",
    "send_on",
    "language",
    "status",
    "dedupe_key",
    "data",
    "created_by",
    "created_at",
)

_RECEIVABLE = LedgerAccount.PREMIUM_RECEIVABLE.value
_APTC_RECEIVABLE = LedgerAccount.APTC_RECEIVABLE.value
_REVENUE = LedgerAccount.PREMIUM_REVENUE.value


@dataclass(frozen=True)
class IssuedInvoice:
    invoice_id: int
    invoice_number: str
    planned: PlannedInvoice


@dataclass(frozen=True)
class _Stamp:
    """The values every row of one chunk shares: the time, the user and the bill run."""

    created_at: Any
    username: str
    bill_run_id: int | None


@dataclass
class _Rows:
    """The rows of one chunk, in the column orders above, ready for the bulk writer."""

    invoices: list[tuple[Any, ...]]
    lines: list[tuple[Any, ...]]
    entries: list[tuple[Any, ...]]
    journal: list[tuple[Any, ...]]
    notices: list[tuple[Any, ...]]


def issue_invoices(
    ctx: ServiceContext,
    catalog: Catalog,
    planned: Sequence[PlannedInvoice],
    *,
    bill_run_id: int | None,
    unapplied_credit: Mapping[int, int],
) -> list[IssuedInvoice]:
    """Write ``planned`` invoices in the caller's transaction and return their numbers.

    ``unapplied_credit`` is each account's unapplied credit in cents before the run. The
    accounts that have some get it applied to their open items, oldest first.
    """
    if not planned:
        return []
    session = ctx.session
    writer = bulk_writer(session)
    numbers = _invoice_numbers(ctx, planned)
    invoice_ids = writer.reserve_ids(Invoice.__table__, len(planned))
    line_ids = iter(writer.reserve_ids(InvoiceLine.__table__, sum(len(invoice.drafts) for invoice in planned)))
    entry_ids = iter(writer.reserve_ids(JournalEntry.__table__, sum(1 for invoice in planned if invoice.posts_anything)))

    rows = _Rows([], [], [], [], [])
    stamp = _Stamp(writer.adapt_timestamp(ctx.now()), ctx.actor.username, bill_run_id)
    traces = _TraceCache(catalog)
    issued: list[IssuedInvoice] = []
    for invoice, invoice_id, number in zip(planned, invoice_ids, numbers, strict=True):
        _add_invoice_rows(writer, rows, traces, stamp, invoice, invoice_id, number, line_ids, entry_ids)
        issued.append(IssuedInvoice(invoice_id=invoice_id, invoice_number=number, planned=invoice))

    writer.insert(Invoice.__table__, INVOICE_COLUMNS, rows.invoices)
    writer.insert(InvoiceLine.__table__, LINE_COLUMNS, rows.lines)
    writer.insert(JournalEntry.__table__, ENTRY_COLUMNS, rows.entries)
    writer.insert(JournalLine.__table__, JOURNAL_LINE_COLUMNS, rows.journal)
    writer.insert(Notice.__table__, NOTICE_COLUMNS, rows.notices)

    _attach_pending_fees(ctx, issued)
    _apply_credit_items(ctx, issued)
    by_account: dict[int, list[IssuedInvoice]] = defaultdict(list)
    for invoice in issued:
        if unapplied_credit.get(invoice.planned.account.id, 0) > 0:
            by_account[invoice.planned.account.id].append(invoice)
    for account_id, invoices in by_account.items():
        _apply_unapplied_credit(ctx, account_id, invoices)
    return issued


def _invoice_numbers(ctx: ServiceContext, planned: Sequence[PlannedInvoice]) -> list[str]:
    """Take invoice numbers in the order of ``planned``, each from its account's legal-entity series."""
    counts: dict[str, int] = defaultdict(int)
    for invoice in planned:
        counts[invoice.account.legal_entity] += 1
    next_numbers: dict[str, list[Any]] = {}
    for legal_entity in sorted(counts):
        prefix, first = reserve_invoice_numbers(ctx.session, legal_entity, counts[legal_entity])
        next_numbers[legal_entity] = [prefix, first]
    numbers = []
    for invoice in planned:
        series = next_numbers[invoice.account.legal_entity]
        numbers.append(format_invoice_number(series[0], invoice.period.issue_date, series[1]))
        series[1] += 1
    return numbers


def _add_invoice_rows(
    writer: BulkWriter,
    rows: _Rows,
    traces: _TraceCache,
    stamp: _Stamp,
    invoice: PlannedInvoice,
    invoice_id: int,
    number: str,
    line_ids: Iterator[int],
    entry_ids: Iterator[int],
) -> None:
    day = writer.adapt_date
    now = stamp.created_at
    account = invoice.account
    period = invoice.period
    rows.invoices.append(
        (
            invoice_id,
            number,
            account.legal_entity,
            account.id,
            stamp.bill_run_id,
            day(period.start),
            day(period.end),
            day(period.issue_date),
            day(period.due_date),
            invoice.previous_balance_cents,
            invoice.payments_since_cents,
            invoice.current_charges_cents,
            invoice.adjustments_cents,
            0,
            invoice.amount_due_cents,
            invoice.gross_premium_cents,
            invoice.aptc_cents,
            now,
        )
    )

    entry_id = next(entry_ids) if invoice.posts_anything else None
    revenue = 0
    posted = 0
    for draft in invoice.drafts:
        line_id = next(line_ids)
        key = draft.key
        month = day(key.month.first_day)
        rows.lines.append(
            (
                line_id,
                invoice_id,
                account.id,
                key.policy_id,
                key.person_id,
                month,
                key.kind.value,
                draft.adjustment,
                draft.amount_cents,
                draft.employer_share_cents,
                draft.days_covered,
                draft.days_in_month,
                draft.description[:256],
                traces.json_for(draft),
            )
        )
        amount = draft.amount_cents
        if amount == 0:
            continue
        rows.journal.append((entry_id, _RECEIVABLE, amount, account.id, invoice_id, line_id, key.policy_id, key.person_id, month))
        posted += amount
        if key.kind is LineKind.APTC:
            # The exchange owes what the member no longer does.
            rows.journal.append((entry_id, _APTC_RECEIVABLE, -amount, None, invoice_id, line_id, key.policy_id, key.person_id, month))
            posted -= amount
        else:
            revenue += amount
    if revenue:
        rows.journal.append((entry_id, _REVENUE, -revenue, None, invoice_id, None, None, None, None))
        posted -= revenue
    if posted != 0:
        raise ValidationError(
            code="ledger.unbalanced",
            message=f"the journal entry for invoice {number} is out of balance by {posted} cents.",
            record=f"invoice {number}",
            field="lines",
            value=posted,
        )
    if entry_id is not None:
        description = f"invoice for {period.start:%Y-%m} to {period.end:%Y-%m}"
        rows.entries.append((entry_id, day(period.issue_date), now, EntryKind.INVOICE.value, number, description, account.id, stamp.username))

    notice_type = NoticeType.LIST_BILL if account.is_group else NoticeType.INVOICE
    data = {"invoice_number": number, "amount_due_cents": invoice.amount_due_cents, "due_date": period.due_date.isoformat()}
    rows.notices.append(
        (
            notice_type.value,
            account.id,
            invoice_id,
            day(period.issue_date),
            day(period.issue_date),
            account.language,
            NoticeStatus.PENDING.value,
            # The same key create_notice would give, so a later call finds this notice.
            f"{notice_type.value}:invoice:{invoice_id}",
            adapt_json(data),
            stamp.username,
            now,
        )
    )


class _TraceCache:
    """The rating trace stored on adjustment lines, computed once per rating request."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._by_request: dict[int, str | None] = {}
        self._requests: list[RatingRequest] = []

    def json_for(self, draft: DraftLine) -> str | None:
        if not draft.adjustment or draft.charge is None or draft.charge.rating is None:
            return None
        request = draft.charge.rating
        key = id(request)
        if key not in self._by_request:
            # Keep the request alive so that its id is not reused within this chunk.
            self._requests.append(request)
            self._by_request[key] = adapt_json(rating_trace(self.catalog, request))
        return self._by_request[key]


def _attach_pending_fees(ctx: ServiceContext, issued: Sequence[IssuedInvoice]) -> None:
    """Show fees posted since the last invoice (such as a returned-payment fee) on the new one."""
    for invoice in issued:
        fee_ids = [fee.line_id for fee in invoice.planned.fees]
        if fee_ids:
            ctx.session.execute(
                update(InvoiceLine.__table__).where(InvoiceLine.__table__.c.id.in_(fee_ids)).values(invoice_id=invoice.invoice_id)
            )


def _apply_credit_items(ctx: ServiceContext, issued: Sequence[IssuedInvoice]) -> None:
    """Apply the credit adjustments that left premium items below zero to each account's open premium.

    The new invoice's amount due already counts such a credit, so paying that amount must
    leave nothing open. Otherwise the invoice's month would look partly unpaid, and the
    delinquency run would open a grace period for a payer who paid in full.
    """
    newest: dict[int, IssuedInvoice] = {}
    for invoice in issued:
        newest[invoice.planned.account.id] = invoice
    for account_id in sorted(accounts_with_credit_items(ctx, sorted(newest))):
        invoice = newest[account_id]
        for credit in credit_items(ctx, account_id):
            lines, used = credit_application_lines(credit, open_items(ctx, account_id), billing_account_id=account_id)
            if used:
                _post_allocation(ctx, account_id, invoice, lines, "credit adjustment applied to open premium")


def _apply_unapplied_credit(ctx: ServiceContext, account_id: int, invoices: Sequence[IssuedInvoice]) -> None:
    """Use the account's unapplied credit on its open items, invoice by invoice in period order.

    Each invoice's allocation leaves out the lines of the account's later invoices of this
    run, so the result is the same as issuing the invoices one after the other.
    """
    for index, invoice in enumerate(invoices):
        credit = -ledger.balance(ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=account_id)
        if credit <= 0:
            return
        later = {other.invoice_id for other in invoices[index + 1 :]}
        items = [item for item in open_items(ctx, account_id) if item.invoice_id not in later]
        lines, used = allocation_lines(items, credit, billing_account_id=account_id)
        if used == 0:
            continue
        lines.append(LineSpec(account=LedgerAccount.UNAPPLIED_CREDIT, amount_cents=used, billing_account_id=account_id, invoice_id=invoice.invoice_id))
        _post_allocation(ctx, account_id, invoice, lines, "unapplied credit applied to the invoice")
        ctx.session.execute(
            update(Invoice.__table__).where(Invoice.__table__.c.id == invoice.invoice_id).values(credits_applied_cents=used)
        )


def _post_allocation(
    ctx: ServiceContext, account_id: int, invoice: IssuedInvoice, lines: list[LineSpec], description: str
) -> None:
    """Post an allocation entry dated and referenced by the invoice it was made for."""
    ledger.post_entry(
        ctx,
        kind=EntryKind.ALLOCATION,
        entry_date=invoice.planned.period.issue_date,
        lines=lines,
        reference=invoice.invoice_number,
        description=description,
        billing_account_id=account_id,
    )

