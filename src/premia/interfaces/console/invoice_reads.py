"""One invoice on the console: its PDF as sent, or a preview rendered now.

"Why did my bill change" is read through ``premia.billing.bill_change_service``.
"""

from __future__ import annotations

from dataclasses import dataclass

from premia.audit import service as audit
from premia.billing.queries import get_account_invoice
from premia.documents import service as documents
from premia.documents.context import build_content
from premia.documents.queries import first_document_for_notice
from premia.documents.render import render_html, render_pdf
from premia.infra.context import ServiceContext
from premia.kernel.errors import NotFoundError
from premia.notices.service import first_notice_for_invoice
from premia.staff.permissions import Permission


@dataclass(frozen=True)
class InvoicePdf:
    filename: str
    content: bytes
    # True when the PDF was rendered now because the invoice's document was not produced yet.
    preview: bool


def invoice_pdf(ctx: ServiceContext, account_number: str, invoice_number: str) -> InvoicePdf:
    """Return the invoice's PDF as it was sent, or a preview rendered now when delivery has not rendered it yet."""
    ctx.require(Permission.BILLING_READ)
    _, invoice = get_account_invoice(ctx, account_number, invoice_number)
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
