"""Invoices with their lines, and each invoice as the PDF the payer gets.

Issued invoices are never edited, so these routes only read. The PDF of an invoice already
delivered is the stored file, byte for byte as sent. The PDF of one not yet delivered is
rendered from its notice the way delivery will render it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from premia.accounts import service as accounts
from premia.accounts.tables import BillingAccount, Person
from premia.audit import service as audit
from premia.billing.tables import Invoice, InvoiceLine
from premia.documents import service as documents
from premia.documents.context import build_content
from premia.documents.render import render_html, render_pdf
from premia.documents.tables import Document
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.interfaces.api.deps import Context, requires
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.interfaces.api.paging import Cursor, Limit, Page, keyset_page
from premia.interfaces.api.schemas.common import ApiDate
from premia.kernel.errors import ConflictError, NotFoundError
from premia.notices.model import NoticeType
from premia.notices.tables import Notice
from premia.staff.permissions import Permission

router = APIRouter(prefix="/invoices", tags=["invoices"])
INVOICE_NOTICES = (NoticeType.INVOICE.value, NoticeType.LIST_BILL.value)


class InvoiceLineOut(BaseModel):
    line_id: int
    coverage_month: str | None = Field(description="YYYY-MM; null for a fee.")
    policy_number: str | None
    member_id: str | None
    kind: str
    adjustment: bool = Field(description="True for a change to an earlier coverage month.")
    amount: Money
    employer_share: Money
    days_covered: int
    days_in_month: int
    description: str


class InvoiceOut(BaseModel):
    """An issued invoice. Amounts follow the statement: previous balance, activity since, charges, amount due.

    ``amount_due`` is ``previous_balance`` + ``payments_since`` + ``current_charges`` +
    ``adjustments``. ``credits_applied`` is a note, not a term of that sum: the credit was already counted
    in the balance and is only shown as used on this invoice.
    """

    invoice_number: str
    legal_entity: str
    account_number: str
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    previous_balance: Money = Field(description="The previous invoice's amount due.")
    payments_since: Money = Field(description="Payments and other activity since the previous invoice; negative lowers what is owed.")
    current_charges: Money = Field(description="This billing period's lines.")
    adjustments: Money = Field(description="Lines that correct months billed before.")
    credits_applied: Money = Field(
        description="Credit already on the account that this invoice used, shown for information; it is part of the balance, not subtracted again."
    )
    amount_due: Money = Field(description="previous_balance + payments_since + current_charges + adjustments.")
    gross_premium: Money
    aptc: Money
    lines: list[InvoiceLineOut]


def invoices_out(ctx: ServiceContext, invoices: list[Invoice]) -> list[InvoiceOut]:
    """Build the invoices with their lines, reading each kind of related row once."""
    if not invoices:
        return []
    lines_by_invoice: dict[int, list[InvoiceLine]] = defaultdict(list)
    for line in ctx.session.scalars(
        select(InvoiceLine).where(InvoiceLine.invoice_id.in_([invoice.id for invoice in invoices])).order_by(InvoiceLine.id)
    ):
        lines_by_invoice[line.invoice_id or 0].append(line)
    lines = [line for group in lines_by_invoice.values() for line in group]
    policy_numbers = _names(ctx, Policy.id, Policy.policy_number, {line.policy_id for line in lines})
    member_ids = _names(ctx, Person.id, Person.member_id, {line.person_id for line in lines})
    account_numbers = _names(ctx, BillingAccount.id, BillingAccount.account_number, {invoice.billing_account_id for invoice in invoices})
    return [
        InvoiceOut(
            invoice_number=invoice.invoice_number,
            legal_entity=invoice.legal_entity,
            account_number=account_numbers.get(invoice.billing_account_id, ""),
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            issue_date=invoice.issue_date,
            due_date=invoice.due_date,
            previous_balance=Money.of(invoice.previous_balance_cents),
            payments_since=Money.of(invoice.payments_since_cents),
            current_charges=Money.of(invoice.current_charges_cents),
            adjustments=Money.of(invoice.adjustments_cents),
            # Stored as the positive amount applied; the statement shows it as a deduction.
            credits_applied=Money.of(invoice.credits_applied_cents),
            amount_due=Money.of(invoice.amount_due_cents),
            gross_premium=Money.of(invoice.gross_premium_cents),
            aptc=Money.of(invoice.aptc_cents),
            lines=[
                InvoiceLineOut(
                    line_id=line.id,
                    coverage_month=line.coverage_month.isoformat()[:7] if line.coverage_month else None,
                    policy_number=policy_numbers.get(line.policy_id) if line.policy_id else None,
                    member_id=member_ids.get(line.person_id) if line.person_id else None,
                    kind=line.kind,
                    adjustment=line.adjustment,
                    amount=Money.of(line.amount_cents),
                    employer_share=Money.of(line.employer_share_cents),
                    days_covered=line.days_covered,
                    days_in_month=line.days_in_month,
                    description=line.description,
                )
                for line in lines_by_invoice[invoice.id]
            ],
        )
        for invoice in invoices
    ]


def _names(ctx: ServiceContext, key: InstrumentedAttribute[int], name: InstrumentedAttribute[str], ids: set[int | None]) -> dict[int, str]:
    """Map the given row ids to a text column of their rows, such as policy ids to policy numbers."""
    wanted = sorted(value for value in ids if value)
    if not wanted:
        return {}
    return {row_id: text for row_id, text in ctx.session.execute(select(key, name).where(key.in_(wanted))).all()}


def find_invoice(ctx: ServiceContext, invoice_number: str, legal_entity: str | None) -> Invoice:
    query = select(Invoice).where(Invoice.invoice_number == invoice_number.strip())
    if legal_entity:
        query = query.where(Invoice.legal_entity == legal_entity.strip().upper())
    found = list(ctx.session.scalars(query.limit(2)))
    if not found:
        raise NotFoundError(
            code="invoice.not_found",
            message=f"No invoice has number {invoice_number!r}.",
            field="invoice_number",
            value=invoice_number,
            hint="List the account's invoices with GET /api/v1/invoices?account_number=...",
        )
    if len(found) > 1:
        raise ConflictError(
            code="invoice.ambiguous_number",
            message=f"Invoice number {invoice_number!r} is used by more than one legal entity.",
            field="legal_entity",
            value=invoice_number,
            hint="Add legal_entity to the request.",
        )
    return found[0]


def _audit_read(ctx: ServiceContext, invoice: Invoice, fields: list[str]) -> None:
    audit.record(ctx, action="read", record_type="invoice", record_id=invoice.invoice_number, fields=fields)


@router.get("", response_model=Page[InvoiceOut], responses=problems(404, 422), dependencies=[requires(Permission.BILLING_READ)])
def list_invoices(
    ctx: Context,
    account_number: str | None = None,
    issued_from: ApiDate | None = None,
    issued_to: ApiDate | None = None,
    due_from: ApiDate | None = None,
    due_to: ApiDate | None = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[InvoiceOut]:
    """List invoices with their lines, by account and issue or due date range, in the order they were issued."""
    query = select(Invoice)
    if account_number:
        query = query.where(Invoice.billing_account_id == accounts.get_account_row(ctx, account_number).id)
    if issued_from:
        query = query.where(Invoice.issue_date >= issued_from)
    if issued_to:
        query = query.where(Invoice.issue_date <= issued_to)
    if due_from:
        query = query.where(Invoice.due_date >= due_from)
    if due_to:
        query = query.where(Invoice.due_date <= due_to)
    rows, next_cursor = keyset_page(ctx, query, Invoice.id, limit=limit, cursor=cursor)
    for invoice in rows:
        _audit_read(ctx, invoice, ["lines"])
    return Page[InvoiceOut](items=invoices_out(ctx, rows), next_cursor=next_cursor)


@router.get("/{invoice_number}", response_model=InvoiceOut, responses=problems(404, 409, 422), dependencies=[requires(Permission.BILLING_READ)])
def get_invoice(invoice_number: str, ctx: Context, legal_entity: str | None = None) -> InvoiceOut:
    """Return one invoice with its lines: premium per member and month, APTC, adjustments and fees."""
    invoice = find_invoice(ctx, invoice_number, legal_entity)
    _audit_read(ctx, invoice, ["lines"])
    return invoices_out(ctx, [invoice])[0]


@router.get(
    "/{invoice_number}/pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}, "description": "The invoice PDF"},
        **problems(404, 409, 422),
    },
    dependencies=[requires(Permission.BILLING_READ)],
)
def invoice_pdf(invoice_number: str, ctx: Context, legal_entity: str | None = None) -> Response:
    """Return the invoice as the payer gets it: the stored PDF once delivered, else one rendered now from its notice."""
    invoice = find_invoice(ctx, invoice_number, legal_entity)
    notice = ctx.session.scalar(
        select(Notice).where(Notice.invoice_id == invoice.id, Notice.notice_type.in_(INVOICE_NOTICES)).order_by(Notice.id).limit(1)
    )
    if notice is None:
        raise NotFoundError(
            code="invoice.notice_missing",
            message=f"Invoice {invoice.invoice_number} has no invoice notice to render.",
            record=f"invoice {invoice.invoice_number}",
            field="invoice_number",
            value=invoice.invoice_number,
            hint="Invoice notices are recorded by the bill run that issues the invoice.",
        )
    document_id = ctx.session.scalar(select(Document.id).where(Document.notice_id == notice.id))
    if document_id is not None:
        pdf = documents.reprint_document(ctx, document_id).pdf
    else:
        pdf = render_pdf(render_html(build_content(ctx, notice))).pdf
        _audit_read(ctx, invoice, ["pdf"])
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{invoice.invoice_number}.pdf"'},
    )
