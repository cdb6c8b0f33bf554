"""Account actions: post or reverse a payment, set up or change auto-draft, update billing
preferences, and request or approve refunds."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from premia.accounts import service as accounts
from premia.accounts.model import AuthorizationMethod, BankAccountInput, BankAccountType, Delivery, Language, PaymentMethod
from premia.infra.context import ServiceContext
from premia.interfaces.console.actions import Change, FailurePage, perform, safe_back
from premia.interfaces.console.forms import FormFailure, FormFields
from premia.interfaces.console.views_accounts import Tab, account_response
from premia.interfaces.console.web import Posted, Submission
from premia.kernel.errors import ValidationError
from premia.kernel.money import format_cents
from premia.payments import service as payments
from premia.payments.model import PaymentChannel, RefundMethod
from premia.payments.model import PaymentMethod as ReceiptMethod
from premia.payments.refunds import approve_refund, reject_refund, request_refund
from premia.servicing.model import ProtectedAction
from premia.servicing.verification import get_contact, require_verified

router = APIRouter()

MANUAL_METHODS = {"check": ReceiptMethod.CHECK, "transfer": ReceiptMethod.TRANSFER, "money_order": ReceiptMethod.MONEY_ORDER}


@router.post("/accounts/{account_number}/payments")
def post_payment(request: Request, account_number: str, posted: Posted) -> Response:
    form = posted.form

    def change(ctx: ServiceContext) -> str:
        cents = form.amount_cents("amount", label="Amount")
        method = _manual_method(form)
        row = accounts.get_account_row(ctx, account_number)
        key = form.text("idempotency_key")
        result = payments.post_payment(
            ctx,
            billing_account_id=row.id,
            amount_cents=cents,
            channel=PaymentChannel.MANUAL,
            method=method,
            received_on=form.day("received_on", label="Received on"),
            reference=form.required("reference", label="Check number or reference"),
            idempotency_key=f"console:{key}" if key else None,
            send_receipt=True,
        )
        if result.replayed:
            return f"Payment #{result.payment.id} was already posted; nothing new was posted."
        return (
            f"Payment #{result.payment.id} of {_dollars(cents)} posted: {_dollars(result.applied_cents)} applied, "
            f"{_dollars(result.unapplied_cents)} kept as credit."
        )

    return _perform_on_account(request, posted, account_number, Tab.PAYMENTS, form_id="post-payment", change=change)


@router.post("/payments/{payment_id}/reverse")
def reverse_payment(request: Request, payment_id: int, posted: Posted) -> Response:
    form = posted.form
    account_number = form.required("account_number", label="Account")

    def change(ctx: ServiceContext) -> str:
        payment = payments.reverse_payment(ctx, payment_id, reason=form.required("reason", label="Reason"), on=ctx.today())
        return f"Payment #{payment.id} reversed; the invoices it paid are open again."

    return _perform_on_account(request, posted, account_number, Tab.PAYMENTS, form_id=f"reverse-{payment_id}", change=change)


@router.post("/accounts/{account_number}/autodraft")
def set_up_autodraft(request: Request, account_number: str, posted: Posted) -> Response:
    """Record a bank account with its debit authorization and draft from it on the chosen day."""
    form = posted.form

    def change(ctx: ServiceContext) -> str:
        authorization = form.choice("authorization_method", AuthorizationMethod, label="Authorized by")
        _check_caller_for(ctx, form, account_number, ProtectedAction.CHANGE_PAYMENT_METHOD, required=authorization is AuthorizationMethod.TELEPHONE)
        day = form.integer("autodraft_day", label="Draft day", low=1, high=28)
        bank = accounts.add_bank_account(
            ctx,
            account_number,
            BankAccountInput(
                holder_name=form.required("holder_name", label="Name on the bank account"),
                routing_number=form.required("routing_number", label="Routing number"),
                account_number=form.required("bank_account_number", label="Account number"),
                account_type=form.choice("account_type", BankAccountType, label="Account type"),
                authorization_method=authorization,
                authorized_by=form.required("authorized_by", label="Authorizing person"),
                authorization_reference=form.text("authorization_reference"),
            ),
        )
        accounts.update_preferences(ctx, account_number, {"payment_method": PaymentMethod.ACH_AUTODRAFT, "autodraft_day": day})
        return f"Auto-draft set up from {bank.account_type} account {bank.account_number} on day {day} ({bank.authorization['sec_code']})."

    return _perform_on_account(request, posted, account_number, Tab.OVERVIEW, form_id="autodraft", change=change)


@router.post("/accounts/{account_number}/preferences")
def update_preferences(request: Request, account_number: str, posted: Posted) -> Response:
    """Change the draft day, stop auto-draft, or change the billing contact and delivery."""
    form = posted.form
    form_id = form.text("form_id") or "billing-contact"

    def change(ctx: ServiceContext) -> str:
        row = accounts.get_account_row(ctx, account_number)
        changes = {name: value for name, value in _preference_changes(form).items() if value != getattr(row, name)}
        if not changes:
            raise ValidationError(code="preferences.nothing_to_change", message="Nothing was changed.", field="form", hint="Change at least one field.")
        accounts.update_preferences(ctx, account_number, changes, expected_version=form.optional_integer("version", label="Version"))
        if changes.get("payment_method") == PaymentMethod.INVOICE:
            return "Auto-draft stopped; invoices will be sent for payment."
        return "Billing preferences saved: " + ", ".join(name.replace("_", " ") for name in sorted(changes)) + "."

    return _perform_on_account(request, posted, account_number, Tab.OVERVIEW, form_id=form_id, change=change)


@router.post("/accounts/{account_number}/refunds")
def request_account_refund(request: Request, account_number: str, posted: Posted) -> Response:
    form = posted.form

    def change(ctx: ServiceContext) -> str:
        _check_caller_for(ctx, form, account_number, ProtectedAction.REQUEST_REFUND, required=False)
        refund = request_refund(
            ctx,
            account_number=account_number,
            amount_cents=form.amount_cents("amount", label="Amount"),
            method=form.choice("method", RefundMethod, label="Pay by"),
            reason=form.required("reason", label="Reason"),
            requested_on=ctx.today(),
            payee_name=form.text("payee"),
        )
        if refund.approval_required:
            return f"Refund #{refund.id} of {_dollars(refund.amount_cents)} requested; it waits for a supervisor's approval."
        return f"Refund #{refund.id} of {_dollars(refund.amount_cents)} approved within the limit; it is paid with the next refund run."

    return _perform_on_account(request, posted, account_number, Tab.PAYMENTS, form_id="refund", change=change)


@router.post("/refunds/{refund_id}/approve")
def approve(request: Request, refund_id: int, posted: Posted) -> Response:
    return _decide_refund(request, refund_id, posted, approve=True)


@router.post("/refunds/{refund_id}/reject")
def reject(request: Request, refund_id: int, posted: Posted) -> Response:
    return _decide_refund(request, refund_id, posted, approve=False)


def _decide_refund(request: Request, refund_id: int, posted: Submission, *, approve: bool) -> Response:
    form = posted.form
    account_number = form.text("account_number")
    back = _account_path(account_number, Tab.PAYMENTS) if account_number else safe_back(form.text("back"), "/billing/refunds")

    def change(ctx: ServiceContext) -> str:
        if approve:
            approve_refund(ctx, refund_id, note=form.text("note"))
            return f"Refund #{refund_id} approved."
        reject_refund(ctx, refund_id, note=form.required("note", label="Why the refund is turned down"))
        return f"Refund #{refund_id} rejected."

    def failure_page(failure: FormFailure) -> Response:
        if account_number:
            return account_response(request, posted.staff, account_number, tab=Tab.PAYMENTS, failure=failure, status_code=422)
        from premia.interfaces.console.views_operations import refunds_response

        return refunds_response(request, posted.staff, failure=failure, status_code=422)

    return perform(request, posted, form_id=f"refund-{refund_id}", change=change, success_path=back, failure_page=failure_page)


def _perform_on_account(request: Request, posted: Submission, account_number: str, tab: Tab, *, form_id: str, change: Change) -> Response:
    """Run a change made from a form on the account page: back to ``tab`` on success, or ``tab`` again with the error."""
    return perform(
        request,
        posted,
        form_id=form_id,
        change=change,
        success_path=_account_path(account_number, tab),
        failure_page=_account_failure(request, posted, account_number, tab),
    )


def _account_path(account_number: str, tab: Tab) -> str:
    """Return the account page's path opened on ``tab``. The overview is the page's default tab, so it needs no query."""
    path = f"/accounts/{account_number.upper()}"
    return path if tab is Tab.OVERVIEW else f"{path}?tab={tab.value}"


def _account_failure(request: Request, posted: Submission, account_number: str, tab: Tab) -> FailurePage:
    text = posted.form.text("contact_id")
    contact_id = int(text) if text and text.isdigit() else None

    def page(failure: FormFailure) -> Response:
        return account_response(request, posted.staff, account_number, tab=tab, contact_id=contact_id, failure=failure, status_code=422)

    return page


def _check_caller_for(ctx: ServiceContext, form: FormFields, account_number: str, action: ProtectedAction, *, required: bool) -> None:
    """On a contact, the caller must be verified at the level ``action`` needs before the change is made."""
    contact_id = form.optional_integer("contact_id", label="Contact")
    if contact_id is None:
        if required:
            raise ValidationError(
                code="console.contact_required",
                message="A telephone authorization is taken on a contact with a verified caller.",
                field="authorization_method",
                hint="Start a contact on the Service tab, verify the caller with the ZIP code or SSN last four, then set up auto-draft there.",
            )
        return
    contact = get_contact(ctx, contact_id)
    holder = accounts.get_account_row(ctx, account_number).person_id
    require_verified(ctx, contact, person_id=contact.verified_person_id or holder or 0, action=action)


def _preference_changes(form: FormFields) -> dict[str, object]:
    changes: dict[str, object] = {}
    method = form.optional_choice("payment_method", PaymentMethod, label="Payment method")
    if method is not None:
        changes["payment_method"] = method
    day = form.optional_integer("autodraft_day", label="Draft day", low=1, high=28)
    if day is not None:
        changes["autodraft_day"] = day
    delivery = form.optional_choice("delivery", Delivery, label="Delivery")
    if delivery is not None:
        changes["delivery"] = delivery
    language = form.optional_choice("language", Language, label="Language")
    if language is not None:
        changes["language"] = language
    for name in ("payer_name", "payer_email", "payer_phone"):
        if name in form.values:
            changes[name] = form.text(name)
    return changes


def _manual_method(form: FormFields) -> ReceiptMethod:
    text = form.required("method", label="Received as")
    if text not in MANUAL_METHODS:
        raise ValidationError(
            code="form.unknown_choice",
            message=f"Received as {text!r} is not one of the choices.",
            field="method",
            value=text,
            hint="Choose check, bank transfer or money order.",
        )
    return MANUAL_METHODS[text]


def _dollars(cents: int) -> str:
    return "$" + format_cents(cents)
