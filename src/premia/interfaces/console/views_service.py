"""Service desk actions: contacts and caller verification, member detail changes on a contact,
cases with their SLA clocks, and billing disputes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from premia.accounts.model import Address
from premia.accounts.queries import account_numbers
from premia.accounts.tables import Person
from premia.infra.context import ServiceContext
from premia.interfaces.console import choices
from premia.interfaces.console.actions import Change, FailurePage, perform, safe_back
from premia.interfaces.console.forms import FormFailure, FormFields
from premia.interfaces.console.rendering import redirect, render
from premia.interfaces.console.views_accounts import Tab, account_response
from premia.interfaces.console.web import CurrentStaff, Posted, Staff, Submission, unit_of_work
from premia.kernel.errors import DomainError, ValidationError
from premia.kernel.money import format_cents
from premia.servicing.case_queries import breach_warnings, case_clocks, get_case, list_cases
from premia.servicing.cases import assign_case, open_case, resolve_case, update_case
from premia.servicing.contacts import log_contact
from premia.servicing.demographics import update_demographics
from premia.servicing.disputes import approve_dispute, decide_dispute, find_dispute, open_dispute
from premia.servicing.model import (
    CallerIdentifiers,
    CaseInput,
    CasePriority,
    CaseStatus,
    CaseType,
    ContactChannel,
    ContactDirection,
    ContactInput,
    ContactSubject,
    DisputedItem,
    DisputeOutcome,
    PartyKind,
    ResolutionCode,
    VerificationMethod,
)
from premia.servicing.parties import surviving_person
from premia.servicing.verification import get_contact, verify_caller
from premia.staff.permissions import Permission

router = APIRouter()


@router.post("/accounts/{account_number}/contacts")
def start_contact(request: Request, account_number: str, posted: Posted) -> Response:
    form = posted.form
    created: dict[str, int] = {}

    def change(ctx: ServiceContext) -> str:
        contact = log_contact(
            ctx,
            ContactInput(
                channel=form.choice("channel", ContactChannel, label="Channel"),
                direction=form.choice("direction", ContactDirection, label="Direction"),
                subject=form.choice("subject", ContactSubject, label="Subject"),
                party_kind=form.choice("party_kind", PartyKind, label="Caller is the"),
                party_name=form.text("party_name"),
                member_id=form.text("member"),
                account_number=account_number,
                notes=form.text("notes"),
            ),
        )
        created["id"] = contact.id
        return f"Contact {contact.id} started. Verify the caller before disclosing member data."

    try:
        with unit_of_work(request, posted.staff.actor) as ctx:
            message = change(ctx)
    except DomainError as error:
        return account_response(request, posted.staff, account_number, tab=Tab.SERVICE, failure=FormFailure.of("contact", error, form), status_code=422)
    return redirect(request, f"/accounts/{account_number.upper()}?tab=service&contact={created['id']}", flash=message)


@router.post("/contacts/{contact_id}/verify")
def verify(request: Request, contact_id: int, posted: Posted) -> Response:
    """Record the identity check on a contact; a failed check is recorded too and shown as an error."""
    form = posted.form
    account_number = _contact_account(request, posted.staff, contact_id)
    outcome: dict[str, str] = {}

    def change(ctx: ServiceContext) -> str:
        method = form.choice("method", VerificationMethod, label="How")
        identifiers = None
        if method is VerificationMethod.IDENTIFIERS:
            identifiers = CallerIdentifiers(
                member_id=form.text("stated_member_id"),
                first_name=form.text("stated_first_name"),
                last_name=form.text("stated_last_name"),
                birth_date=form.optional_day("stated_birth_date"),
                zip_code=form.text("stated_zip_code"),
                ssn_last4=form.text("ssn_last4"),
            )
        contact = verify_caller(ctx, contact_id, method=method, identifiers=identifiers, member_id=form.text("member"))
        outcome["result"] = contact.verification_result or ""
        if contact.verification_result == "passed":
            return f"Caller verified with {contact.verification_level} assurance."
        return "Verification failed and was recorded. Do not disclose member data."

    response = _perform_on_service_tab(request, posted, account_number, contact_id, form_id="verify", change=change)
    if outcome.get("result") == "failed":
        # The failed attempt is stored; show the form again with the reason rather than a success message.
        error = ValidationError(
            code="verification.failed",
            message="The identifiers the caller stated do not match the member's record.",
            field="stated_member_id",
            hint="Ask again, or end the contact without disclosing anything.",
        )
        return _contact_failure(request, posted.staff, account_number, contact_id)(FormFailure.of("verify", error, form))
    return response


@router.post("/contacts/{contact_id}/demographics")
def change_demographics(request: Request, contact_id: int, posted: Posted) -> Response:
    """Apply the member's own change of address, phone or email on a verified contact."""
    form = posted.form
    account_number = _contact_account(request, posted.staff, contact_id)

    def change(ctx: ServiceContext) -> str:
        member_id = form.required("member_id", label="Member")
        changes = _demographic_changes(form, surviving_person(ctx, member_id))
        if not changes:
            raise ValidationError(code="demographics.nothing_to_change", message="Nothing was changed.", field="line1", hint="Change at least one field.")
        result = update_demographics(
            ctx, member_id, changes, contact_id=contact_id, expected_version=form.optional_integer("version", label="Version")
        )
        message = "Saved: " + ", ".join(name.replace("_", " ") for name in result.applied) + "." if result.applied else ""
        if result.flagged:
            message += " Reported to the Marketplace instead of applied: " + ", ".join(result.flagged) + "."
        return message.strip() or "Nothing needed to change."

    return _perform_on_service_tab(request, posted, account_number, contact_id, form_id="demographics", change=change)


@router.post("/accounts/{account_number}/cases")
def open_account_case(request: Request, account_number: str, posted: Posted) -> Response:
    form = posted.form
    contact_id = _contact_id(form)

    def change(ctx: ServiceContext) -> str:
        case = open_case(
            ctx,
            CaseInput(
                case_type=form.choice("case_type", CaseType, label="Type"),
                subject=form.required("subject", label="Subject"),
                priority=form.choice("priority", CasePriority, label="Priority"),
                description=form.text("description"),
                account_number=account_number,
                owner=posted.staff.actor.username if form.checked("assign_to_me") else None,
                contact_id=contact_id,
            ),
        )
        return f"Case {case.case_number} opened in the {case.queue.replace('_', ' ')} queue."

    return _perform_on_service_tab(request, posted, account_number, contact_id, form_id="open-case", change=change)


@router.post("/cases/{case_number}/assign")
def assign(request: Request, case_number: str, posted: Posted) -> Response:
    form = posted.form

    def change(ctx: ServiceContext) -> str:
        case = assign_case(ctx, case_number, form.required("owner", label="Owner"), expected_version=form.optional_integer("version", label="Version"))
        return f"Case {case.case_number} assigned to {case.owner}."

    return _case_action(request, case_number, posted, change)


@router.post("/cases/{case_number}/resolve")
def resolve(request: Request, case_number: str, posted: Posted) -> Response:
    form = posted.form

    def change(ctx: ServiceContext) -> str:
        case = resolve_case(
            ctx,
            case_number,
            resolution=form.required("resolution", label="What was done"),
            code=form.choice("code", ResolutionCode, label="Resolution code"),
            expected_version=form.optional_integer("version", label="Version"),
        )
        return f"Case {case.case_number} resolved ({case.resolution_code})."

    return _case_action(request, case_number, posted, change)


@router.post("/cases/{case_number}/wait")
def wait_on_member(request: Request, case_number: str, posted: Posted) -> Response:
    form = posted.form
    waiting = form.text("waiting") == "yes"

    def change(ctx: ServiceContext) -> str:
        case = update_case(
            ctx, case_number, waiting_on_member=waiting, note=form.text("note"), expected_version=form.optional_integer("version", label="Version")
        )
        return f"Case {case.case_number} " + ("is waiting on the member; its clock is paused." if waiting else "is open again; its clock runs.")

    return _case_action(request, case_number, posted, change)


@router.post("/accounts/{account_number}/disputes")
def open_account_dispute(request: Request, account_number: str, posted: Posted) -> Response:
    form = posted.form
    contact_id = _contact_id(form)

    def change(ctx: ServiceContext) -> str:
        lines = [_line_id(text) for text in form.all("line")]
        dispute = open_dispute(
            ctx,
            account_number=account_number,
            items=[DisputedItem(invoice_line_id=line_id) for line_id in lines],
            reason=form.text("reason") or "",
            contact_id=contact_id,
        )
        return f"Dispute {dispute.dispute_number} opened; ${format_cents(dispute.disputed_cents)} is held from collection."

    return _perform_on_service_tab(request, posted, account_number, contact_id, form_id="dispute", change=change)


@router.post("/disputes/{dispute_number}/decide")
def decide(request: Request, dispute_number: str, posted: Posted) -> Response:
    form = posted.form

    def change(ctx: ServiceContext) -> str:
        dispute = decide_dispute(
            ctx,
            dispute_number,
            outcome=form.choice("outcome", DisputeOutcome, label="Outcome"),
            note=form.text("note") or "",
            amount_cents=form.optional_amount_cents("amount"),
            expected_version=form.optional_integer("version", label="Version"),
        )
        if dispute.status == "pending_approval":
            return f"Dispute {dispute.dispute_number} decided; the amount needs a second supervisor's approval."
        return f"Dispute {dispute.dispute_number} decided: {dispute.status.replace('_', ' ')}."

    return _dispute_action(request, dispute_number, posted, change)


@router.post("/disputes/{dispute_number}/approve")
def approve(request: Request, dispute_number: str, posted: Posted) -> Response:
    form = posted.form

    def change(ctx: ServiceContext) -> str:
        approved = form.text("approve") == "yes"
        dispute = approve_dispute(
            ctx, dispute_number, approve=approved, note=form.text("note"), expected_version=form.optional_integer("version", label="Version")
        )
        return f"Dispute {dispute.dispute_number} " + ("approved and applied." if approved else "sent back for a new decision.")

    return _dispute_action(request, dispute_number, posted, change)


@router.get("/cases", response_class=HTMLResponse)
def cases(request: Request, staff: CurrentStaff, queue: str | None = None, owner: str | None = None, status: str | None = None) -> HTMLResponse:
    chosen = CaseStatus(status) if status in {item.value for item in CaseStatus} else None
    with unit_of_work(request, staff.actor) as ctx:
        rows = list_cases(ctx, status=chosen, queue=queue or None, owner=owner or None, open_only=chosen is None, limit=200)
        warnings = breach_warnings(ctx) if staff.can(Permission.CASES_SUPERVISE) else None
    return render(
        request,
        "cases.html",
        staff=staff,
        nav="cases",
        page_title="Cases",
        cases=rows,
        warnings=warnings,
        filters={"queue": queue or "", "owner": owner or "", "status": status or ""},
        statuses=choices.options(CaseStatus),
    )


@router.get("/cases/warnings", response_class=HTMLResponse)
def warnings_fragment(request: Request, staff: CurrentStaff) -> HTMLResponse:
    with unit_of_work(request, staff.actor) as ctx:
        warnings = breach_warnings(ctx)[:10]
    return render(request, "_sla_list.html", staff=staff, warnings=warnings)


@router.get("/cases/{case_number}", response_class=HTMLResponse)
def case_page(request: Request, case_number: str, staff: CurrentStaff) -> HTMLResponse:
    return case_response(request, staff, case_number)


def case_response(request: Request, staff: Staff, case_number: str, *, failure: FormFailure | None = None, status_code: int = 200) -> HTMLResponse:
    with unit_of_work(request, staff.actor) as ctx:
        case = get_case(ctx, case_number)
        clocks = [report.to_dict() for report in case_clocks(ctx, case_number)]
    return render(
        request,
        "case.html",
        staff=staff,
        status_code=status_code,
        nav="cases",
        page_title=f"Case {case.case_number}",
        case=case,
        clocks=clocks,
        failure=failure,
        form_id=f"case-{case.case_number}",
        back=f"/cases/{case.case_number}",
        choices=choices,
        actions_open=True,
    )


def _case_action(request: Request, case_number: str, posted: Submission, change) -> Response:  # type: ignore[no-untyped-def]
    back = safe_back(posted.form.text("back"), f"/cases/{case_number.upper()}")

    def failure_page(failure: FormFailure) -> Response:
        if back.startswith("/accounts/"):
            account_number = back.split("/")[2].split("?")[0]
            contact_id = _contact_in(back)
            return account_response(request, posted.staff, account_number, tab=Tab.SERVICE, contact_id=contact_id, failure=failure, status_code=422)
        return case_response(request, posted.staff, case_number, failure=failure, status_code=422)

    return perform(request, posted, form_id=f"case-{case_number.upper()}", change=change, success_path=back, failure_page=failure_page)


def _dispute_action(request: Request, dispute_number: str, posted: Submission, change) -> Response:  # type: ignore[no-untyped-def]
    with unit_of_work(request, posted.staff.actor) as ctx:
        dispute = find_dispute(ctx, dispute_number)
        account_number = account_numbers(ctx, [dispute.billing_account_id])[dispute.billing_account_id]

    def failure_page(failure: FormFailure) -> Response:
        return account_response(request, posted.staff, account_number, tab=Tab.SERVICE, failure=failure, status_code=422)

    return perform(
        request,
        posted,
        form_id=f"dispute-{dispute_number.upper()}",
        change=change,
        success_path=f"/accounts/{account_number}?tab=service",
        failure_page=failure_page,
    )


def _contact_account(request: Request, staff: Staff, contact_id: int) -> str:
    """Return the account number a contact is about; a contact without an account cannot be worked here."""
    with unit_of_work(request, staff.actor) as ctx:
        contact = get_contact(ctx, contact_id)
        if contact.billing_account_id is None:
            raise ValidationError(
                code="console.contact_without_account",
                message=f"Contact {contact_id} is not about a billing account.",
                field="contact_id",
                value=contact_id,
                hint="Use the command line for contacts that name only a member.",
            )
        return account_numbers(ctx, [contact.billing_account_id])[contact.billing_account_id]


def _perform_on_service_tab(
    request: Request, posted: Submission, account_number: str, contact_id: int | None, *, form_id: str, change: Change
) -> Response:
    """Run a change made on the account's service tab, keeping the contact (if any) open on the way back."""
    number = account_number.upper()
    success_path = f"/accounts/{number}?tab=service" + (f"&contact={contact_id}" if contact_id else "")
    failure_page = _contact_failure(request, posted.staff, number, contact_id)
    return perform(request, posted, form_id=form_id, change=change, success_path=success_path, failure_page=failure_page)


def _contact_failure(request: Request, staff: Staff, account_number: str, contact_id: int | None) -> FailurePage:
    def page(failure: FormFailure) -> Response:
        return account_response(request, staff, account_number, tab=Tab.SERVICE, contact_id=contact_id, failure=failure, status_code=422)

    return page


def _demographic_changes(form: FormFields, person: Person) -> dict[str, object]:
    """Return the fields the form changes, leaving out values equal to the record so nothing is reported needlessly."""
    changes: dict[str, object] = {}
    if form.text("line1"):
        address = Address(
            line1=form.text("line1") or "",
            line2=form.text("line2"),
            city=form.required("city", label="City"),
            state=form.required("state", label="State"),
            zip_code=form.required("zip_code", label="ZIP code"),
        )
        stored = (person.address_line1, person.address_line2, person.city, person.state, (person.zip_code or "")[:5])
        given = (address.line1, address.line2, address.city, address.state, address.zip_code[:5])
        if [_plain(value) for value in given] != [_plain(value) for value in stored]:
            changes["address"] = address
    phone = form.text("phone")
    if phone and "".join(ch for ch in phone if ch.isdigit()) != (person.phone or ""):
        changes["phone"] = phone
    email = form.text("email")
    if email and email.lower() != (person.email or "").lower():
        changes["email"] = email
    return changes


def _plain(value: str | None) -> str:
    return " ".join((value or "").split()).casefold()


def _contact_id(form: FormFields) -> int | None:
    text = form.text("contact_id")
    return int(text) if text and text.isdigit() else None


def _contact_in(path: str) -> int | None:
    marker = "contact="
    if marker not in path:
        return None
    text = path.split(marker, 1)[1].split("&")[0]
    return int(text) if text.isdigit() else None


def _line_id(text: str) -> int:
    if not text.isdigit():
        raise ValidationError(code="form.not_a_number", message=f"Invoice line {text!r} is not valid.", field="line", value=text)
    return int(text)
