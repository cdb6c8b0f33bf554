"""One invoice on the console: what changed since the previous invoice, and its PDF.

The rating trace of a regular line is computed again from the current catalog and coverage,
because the bill run stores traces only on adjustment lines. When coverage or rates changed
after an invoice was issued, the recomputed trace of that invoice's month reflects the
change, and the adjustment lines on a later invoice carry the trace they were billed with.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from premia.accounts import service as accounts
from premia.accounts.queries import member_names
from premia.accounts.tables import BillingAccount
from premia.audit import service as audit
from premia.billing.charges import expected_charges
from premia.billing.model import BillingSettings
from premia.billing.queries import ACCOUNT_LINE_NAME, find_account_invoice, invoice_lines, previous_invoice
from premia.billing.rating_cache import rating_trace
from premia.billing.snapshot import load_snapshots
from premia.billing.tables import Invoice
from premia.catalog.service import current_catalog
from premia.documents import service as documents
from premia.documents.context import build_content
from premia.documents.queries import first_document_for_notice
from premia.documents.render import render_html, render_pdf
from premia.infra.context import ServiceContext
from premia.interfaces.console.bill_changes import BillComparison, BilledLine, compare_invoices
from premia.kernel.dates import Month
from premia.kernel.errors import DomainError, NotFoundError
from premia.notices.service import first_notice_for_invoice
from premia.staff.permissions import Permission

log = logging.getLogger("premia.console")


@dataclass(frozen=True)
class BillChange:
    invoice: Invoice
    previous: Invoice | None
    comparison: BillComparison
    traces_available: bool


@dataclass(frozen=True)
class InvoicePdf:
    filename: str
    content: bytes
    # True when the PDF was rendered now because the invoice's document was not produced yet.
    preview: bool


def find_invoice(ctx: ServiceContext, account_number: str, invoice_number: str) -> tuple[BillingAccount, Invoice]:
    account = accounts.get_account_row(ctx, account_number)
    invoice = find_account_invoice(ctx, account.id, invoice_number)
    if invoice is None:
        raise NotFoundError(
            code="invoice.not_found",
            message=f"Account {account.account_number} has no invoice {invoice_number!r}.",
            record=f"billing_account {account.account_number}",
            field="invoice_number",
            value=invoice_number,
            hint="Pick the invoice from the account's invoice list.",
        )
    return account, invoice


def bill_change(ctx: ServiceContext, account_number: str, invoice_number: str) -> BillChange:
    """Compare an invoice with the account's previous invoice, with the rating steps behind each difference."""
    ctx.require(Permission.BILLING_READ)
    account, invoice = find_invoice(ctx, account_number, invoice_number)
    previous = previous_invoice(ctx, invoice)
    current_lines = _billed_lines(ctx, invoice)
    previous_lines = _billed_lines(ctx, previous) if previous is not None else []
    months = {line.coverage_month for line in [*current_lines, *previous_lines] if line.coverage_month and not line.adjustment}
    traces, available = _traces(ctx, account.id, months)
    comparison = compare_invoices(current_lines, previous_lines, traces=traces)
    audit.record(
        ctx,
        action="read",
        record_type="invoice",
        record_id=invoice.invoice_number,
        fields=["lines", "rating_trace"],
        detail={"compared_with": previous.invoice_number if previous else None},
    )
    return BillChange(invoice=invoice, previous=previous, comparison=comparison, traces_available=available)


def invoice_pdf(ctx: ServiceContext, account_number: str, invoice_number: str) -> InvoicePdf:
    """Return the invoice's PDF as it was sent, or a preview rendered now when delivery has not rendered it yet."""
    ctx.require(Permission.BILLING_READ)
    _, invoice = find_invoice(ctx, account_number, invoice_number)
    notice = first_notice_for_invoice(ctx, invoice.id)
    if notice is None:
        raise NotFoundError(
            code="invoice.no_document",
            message=f"Invoice {invoice.invoice_number} has no invoice notice to print.",
            record=f"invoice {invoice.invoice_number}",
            field="notice",
            hint="Invoices issued by a bill run always have one; this invoice may have been loaded another way.",
        )
    filename = f"{invoice.invoice_number}.pdf"
    document = first_document_for_notice(ctx, notice.id)
    if document is not None:
        reprint = documents.reprint_document(ctx, document.id)
        return InvoicePdf(filename=filename, content=reprint.pdf, preview=False)
    rendered = render_pdf(render_html(build_content(ctx, notice)))
    audit.record(ctx, action="preview", record_type="invoice", record_id=invoice.invoice_number, fields=["document"])
    return InvoicePdf(filename=filename, content=rendered.pdf, preview=True)


def _billed_lines(ctx: ServiceContext, invoice: Invoice) -> list[BilledLine]:
    lines = invoice_lines(ctx, invoice.id)
    members = member_names(ctx, {line.person_id for line in lines if line.person_id is not None})
    billed = []
    for line in lines:
        member = members.get(line.person_id) if line.person_id is not None else None
        billed.append(
            BilledLine(
                line_id=line.id,
                policy_id=line.policy_id,
                person_id=line.person_id,
                member_id=member.member_id if member else None,
                member_name=member.name if member else ACCOUNT_LINE_NAME,
                coverage_month=line.coverage_month,
                kind=line.kind,
                adjustment=line.adjustment,
                amount_cents=line.amount_cents,
                days_covered=line.days_covered,
                days_in_month=line.days_in_month,
                description=line.description,
                trace=line.trace,
            )
        )
    return billed


def _traces(ctx: ServiceContext, account_id: int, months: set[date]) -> tuple[dict[tuple[int | None, date | None], list[dict[str, object]]], bool]:
    """Compute the rating traces per (policy id, coverage month) from the coverage and catalog as they are now."""
    if not months:
        return {}, True
    try:
        catalog = current_catalog(ctx)
        snapshots = load_snapshots(ctx.session, [account_id], settings=BillingSettings())
        charges = expected_charges(catalog, snapshots[0].coverages if snapshots else (), [Month.of(month) for month in months])
    except DomainError as error:
        # The comparison of amounts is still shown without traces, and the page says why they are missing.
        log.warning("rating traces unavailable", extra={"billing_account_id": account_id, "code": error.code})
        return {}, False
    traces: dict[tuple[int | None, date | None], list[dict[str, object]]] = {}
    for key, charge in charges.items():
        slot = (key.policy_id, key.month.first_day)
        if slot not in traces and charge.rating is not None:
            traces[slot] = rating_trace(catalog, charge.rating)
    return traces, True
