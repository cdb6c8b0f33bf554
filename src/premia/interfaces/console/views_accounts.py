"""The account 360° view, its tabs, "why did my bill change", and invoice and notice PDFs."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from premia.accounts.views import PersonView
from premia.billing.bill_change_service import bill_change
from premia.catalog.service import current_catalog
from premia.documents import service as documents
from premia.infra.context import ServiceContext
from premia.interfaces.console import choices
from premia.interfaces.console.account_view import AccountPage, Section, account_page, aging_labels
from premia.interfaces.console.forms import FormFailure
from premia.interfaces.console.invoice_reads import invoice_pdf
from premia.interfaces.console.rendering import render
from premia.interfaces.console.web import CurrentStaff, Staff, unit_of_work
from premia.kernel.errors import DomainError
from premia.servicing.contacts import ContactView, contact_view, member_details
from premia.servicing.dispute_queries import lines_to_dispute
from premia.servicing.model import VerificationResult
from premia.servicing.verification import get_contact
from premia.staff.permissions import Permission, allows

router = APIRouter()


class Tab(StrEnum):
    OVERVIEW = "overview"
    INVOICES = "invoices"
    PAYMENTS = "payments"
    LEDGER = "ledger"
    NOTICES = "notices"
    SERVICE = "service"
    AUDIT = "audit"


TAB_TITLES = {
    Tab.OVERVIEW: "Coverage",
    Tab.INVOICES: "Invoices",
    Tab.PAYMENTS: "Payments",
    Tab.LEDGER: "Ledger",
    Tab.NOTICES: "Notices",
    Tab.SERVICE: "Service",
    Tab.AUDIT: "Audit trail",
}


TAB_SECTIONS = {
    Tab.OVERVIEW: frozenset(),
    Tab.INVOICES: frozenset({Section.INVOICES}),
    Tab.PAYMENTS: frozenset({Section.PAYMENTS}),
    Tab.LEDGER: frozenset({Section.LEDGER}),
    Tab.NOTICES: frozenset({Section.NOTICES}),
    Tab.SERVICE: frozenset({Section.SERVICE}),
    Tab.AUDIT: frozenset({Section.AUDIT}),
}


@router.get("/accounts/{account_number}", response_class=HTMLResponse)
def account(request: Request, account_number: str, staff: CurrentStaff, tab: str = Tab.OVERVIEW.value, contact: int | None = None) -> HTMLResponse:
    chosen = Tab(tab) if tab in Tab.__members__.values() else Tab.OVERVIEW
    return account_response(request, staff, account_number, tab=chosen, contact_id=contact)


def account_response(
    request: Request,
    staff: Staff,
    account_number: str,
    *,
    tab: Tab,
    contact_id: int | None = None,
    failure: FormFailure | None = None,
    status_code: int = 200,
    extra: dict[str, Any] | None = None,
) -> HTMLResponse:
    """Render the 360° view on ``tab``; actions that failed call this to show the form again with its error."""
    if tab is Tab.AUDIT and not staff.can(Permission.AUDIT_READ):
        tab = Tab.OVERVIEW
    with unit_of_work(request, staff.actor) as ctx:
        page = account_page(ctx, account_number, as_of=ctx.today(), sections=TAB_SECTIONS[tab])
        contact, member = _current_contact(ctx, contact_id, page)
        disputable = lines_to_dispute(ctx, page.account.account_number) if tab is Tab.SERVICE and staff.can(Permission.DISPUTES_OPEN) else []
        plans = _plan_choices(ctx) if tab is Tab.OVERVIEW and staff.can(Permission.POLICIES_CHANGE) else []
    return render(
        request,
        f"account/{tab.value}.html",
        staff=staff,
        status_code=status_code,
        nav="search",
        page_title=f"{page.account.holder_name} · {page.account.account_number}",
        page=page,
        tab=tab.value,
        tabs=[(item.value, TAB_TITLES[item]) for item in Tab if item is not Tab.AUDIT or staff.can(Permission.AUDIT_READ)],
        tab_counts=page.counts,
        contact=contact,
        member=member,
        disputable=disputable,
        plan_choices=plans,
        failure=failure,
        aging_labels=aging_labels(),
        choices=choices,
        **(extra or {}),
    )


@router.get("/accounts/{account_number}/invoices/{invoice_number}/changes", response_class=HTMLResponse)
def invoice_changes(request: Request, account_number: str, invoice_number: str, staff: CurrentStaff) -> HTMLResponse:
    """Show the lines of an invoice that differ from the previous invoice, with their rating steps."""
    with unit_of_work(request, staff.actor) as ctx:
        change = bill_change(ctx, account_number, invoice_number)
    template = "account/_bill_changes.html" if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted") else "account/bill_changes.html"
    return render(
        request,
        template,
        staff=staff,
        nav="search",
        page_title=f"What changed on {change.invoice.invoice_number}",
        account_number=account_number.upper(),
        change=change,
    )


@router.get("/accounts/{account_number}/invoices/{invoice_number}.pdf")
def invoice_document(request: Request, account_number: str, invoice_number: str, staff: CurrentStaff) -> Response:
    with unit_of_work(request, staff.actor) as ctx:
        pdf = invoice_pdf(ctx, account_number, invoice_number)
    disposition = f'inline; filename="{pdf.filename}"'
    return Response(pdf.content, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.get("/documents/{document_id}.pdf")
def notice_document(request: Request, document_id: int, staff: CurrentStaff) -> Response:
    """Return a sent document's PDF, byte for byte as it was sent."""
    with unit_of_work(request, staff.actor) as ctx:
        reprint = documents.reprint_document(ctx, document_id)
    disposition = f'inline; filename="document-{document_id}.pdf"'
    return Response(reprint.pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


def _current_contact(ctx: ServiceContext, contact_id: int | None, page: AccountPage) -> tuple[ContactView | None, PersonView | None]:
    """Return the contact in progress on this account and, once its caller is verified, the member's details."""
    if contact_id is None or not allows(ctx.actor.role, Permission.CASES_WORK):
        return None, None
    try:
        row = get_contact(ctx, contact_id)
    except DomainError:
        return None, None
    if row.billing_account_id != page.account_id:
        return None, None
    view = contact_view(ctx, row)
    member = None
    if row.verification_result == VerificationResult.PASSED.value and row.verified_person_id is not None:
        member = member_details(ctx, contact_id)
    return view, member


def _plan_choices(ctx: ServiceContext) -> list[tuple[str, str]]:
    try:
        return choices.plan_choices(current_catalog(ctx), ctx.today())
    except DomainError:
        # Without a loaded catalog the form takes the plan ID as text.
        return []
