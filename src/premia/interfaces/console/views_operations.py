"""Billing operations: bill runs (preview, then issue), enrollment import history with reports
and 999s, the suspense queue, the delinquency worklist, auto-draft files, reconciliation by
day and the refund approval queue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from premia.billing.queries import recent_bill_runs
from premia.billing.service import OutcomeStatus, run_billing
from premia.catalog.service import current_catalog
from premia.delinquency.worklist import collection_worklist
from premia.infra.context import ServiceContext
from premia.interfaces.console.actions import perform
from premia.interfaces.console.forms import FormFailure, FormFields
from premia.interfaces.console.operations_reads import ach_file_purposes, import_file, import_history, report_sections, segment_lines
from premia.interfaces.console.rendering import render
from premia.interfaces.console.web import CurrentStaff, Posted, Staff, unit_of_work
from premia.kernel.errors import DomainError, PermissionDeniedError
from premia.kernel.money import format_cents
from premia.payments.autodraft import ach_file_content
from premia.payments.config import configured_payments
from premia.payments.model import RefundStatus
from premia.payments.queries import ach_files
from premia.payments.reconcile import reconcile
from premia.payments.refunds import list_refunds
from premia.payments.suggestions import suggest_accounts
from premia.payments.suspense import apply_suspense, list_suspense

router = APIRouter(prefix="/billing")
PREVIEW_ROWS = 200


@router.get("/runs", response_class=HTMLResponse)
def bill_runs(request: Request, staff: CurrentStaff, as_of: str | None = None) -> HTMLResponse:
    """Show the bill run page; with ``as_of``, preview that run as a dry run that writes nothing."""
    query = FormFields.of(list(request.query_params.multi_items()))
    preview = None
    failure = None
    status_code = 200
    if as_of:
        try:
            day = query.day("as_of", label="As-of date")
            with unit_of_work(request, staff.actor) as ctx:
                preview = run_billing(ctx, catalog=current_catalog(ctx), as_of=day, dry_run=True)
                ctx.session.rollback()
        except PermissionDeniedError:
            raise
        except DomainError as error:
            failure = FormFailure.of("bill-run", error, query)
            status_code = 422
    return _bill_runs_page(request, staff, preview=preview, failure=failure, status_code=status_code, as_of=as_of)


@router.post("/runs")
def issue_bill_run(request: Request, posted: Posted) -> Response:
    form = posted.form

    def change(ctx: ServiceContext) -> str:
        day = form.day("as_of", label="As-of date")
        report = run_billing(ctx, catalog=current_catalog(ctx), as_of=day)
        return (
            f"Bill run {report.run_id} for {day.isoformat()}: {report.issued} invoice(s) issued for ${format_cents(report.billed_cents)}, "
            f"{report.already_billed} already billed, {report.failed} failed."
        )

    return perform(
        request,
        posted,
        form_id="bill-run",
        change=change,
        success_path="/billing/runs",
        failure_page=lambda failure: _bill_runs_page(request, posted.staff, preview=None, failure=failure, status_code=422, as_of=form.text("as_of")),
    )


def _bill_runs_page(request: Request, staff: Staff, *, preview, failure: FormFailure | None, status_code: int, as_of: str | None) -> HTMLResponse:  # type: ignore[no-untyped-def]
    with unit_of_work(request, staff.actor) as ctx:
        runs = recent_bill_runs(ctx)
    outcomes = []
    if preview is not None:
        # Failures first, so a problem account is not lost below hundreds of good ones.
        outcomes = sorted(preview.outcomes, key=lambda outcome: (outcome.status is not OutcomeStatus.FAILED, outcome.account_number))[:PREVIEW_ROWS]
    return render(
        request,
        "operations/bill_runs.html",
        staff=staff,
        status_code=status_code,
        nav="runs",
        page_title="Bill runs",
        runs=runs,
        preview=preview,
        outcomes=outcomes,
        preview_rows=PREVIEW_ROWS,
        failure=failure,
        as_of=as_of,
    )


@router.get("/imports", response_class=HTMLResponse)
def imports(request: Request, staff: CurrentStaff) -> HTMLResponse:
    with unit_of_work(request, staff.actor) as ctx:
        files = import_history(ctx)
    return render(request, "operations/imports.html", staff=staff, nav="imports", page_title="Enrollment imports", files=files)


@router.get("/imports/{import_id}", response_class=HTMLResponse)
def import_detail(request: Request, import_id: int, staff: CurrentStaff) -> HTMLResponse:
    with unit_of_work(request, staff.actor) as ctx:
        row = import_file(ctx, import_id)
    return render(
        request,
        "operations/import.html",
        staff=staff,
        nav="imports",
        page_title=f"Import {row.id}: {row.file_name}",
        file=row,
        report=report_sections(row.report),
        acknowledgment=segment_lines(row.acknowledgment),
    )


@router.get("/imports/{import_id}/999")
def import_acknowledgment(request: Request, import_id: int, staff: CurrentStaff) -> Response:
    with unit_of_work(request, staff.actor) as ctx:
        row = import_file(ctx, import_id)
        text = row.acknowledgment
        name = row.file_name
    if text is None:
        return PlainTextResponse(f"No 999 was produced for {name}: the file had no readable envelope.\n", status_code=404)
    return PlainTextResponse(text, headers={"Content-Disposition": f'attachment; filename="{name}.999"'})


@router.get("/suspense", response_class=HTMLResponse)
def suspense(request: Request, staff: CurrentStaff) -> HTMLResponse:
    return suspense_response(request, staff)


def suspense_response(request: Request, staff: Staff, *, failure: FormFailure | None = None, status_code: int = 200) -> HTMLResponse:
    with unit_of_work(request, staff.actor) as ctx:
        items = list_suspense(ctx, as_of=ctx.today(), max_age_days=configured_payments(ctx.settings).suspense_max_age_days)
        suggestions = {item.id: suggest_accounts(ctx, item) for item in items[:50]}
    return render(
        request,
        "operations/suspense.html",
        staff=staff,
        status_code=status_code,
        nav="suspense",
        page_title="Suspense queue",
        items=items,
        suggestions=suggestions,
        failure=failure,
    )


@router.post("/suspense/{item_id}/apply")
def apply_item(request: Request, item_id: int, posted: Posted) -> Response:
    form = posted.form

    def change(ctx: ServiceContext) -> str:
        account_number = form.required("account_number", label="Account")
        result = apply_suspense(ctx, item_id, account_number=account_number, note=form.required("note", label="How the payer was identified"))
        return f"Suspense item {item_id} applied to {account_number.upper()} as payment #{result.payment.id}."

    return perform(
        request,
        posted,
        form_id=f"suspense-{item_id}",
        change=change,
        success_path="/billing/suspense",
        failure_page=lambda failure: suspense_response(request, posted.staff, failure=failure, status_code=422),
    )


@router.get("/delinquency", response_class=HTMLResponse)
def delinquency(request: Request, staff: CurrentStaff) -> HTMLResponse:
    with unit_of_work(request, staff.actor) as ctx:
        rows = collection_worklist(ctx, as_of=ctx.today())
    return render(request, "operations/delinquency.html", staff=staff, nav="delinquency", page_title="Delinquency worklist", rows=rows)


@router.get("/autodraft", response_class=HTMLResponse)
def autodraft(request: Request, staff: CurrentStaff) -> HTMLResponse:
    with unit_of_work(request, staff.actor) as ctx:
        files = ach_files(ctx)
        purposes = ach_file_purposes(ctx, [file.id for file in files])
    return render(
        request, "operations/autodraft.html", staff=staff, nav="autodraft", page_title="Auto-draft files", files=files, purposes=purposes
    )


@router.get("/autodraft/{file_id}.ach")
def autodraft_file(request: Request, file_id: int, staff: CurrentStaff) -> Response:
    with unit_of_work(request, staff.actor) as ctx:
        content = ach_file_content(ctx, file_id)
    return PlainTextResponse(content, headers={"Content-Disposition": f'attachment; filename="premia-{file_id}.ach"'})


@router.get("/reconciliation", response_class=HTMLResponse)
def reconciliation(request: Request, staff: CurrentStaff) -> HTMLResponse:
    query = FormFields.of(list(request.query_params.multi_items()))
    failure = None
    report = None
    with unit_of_work(request, staff.actor) as ctx:
        day = ctx.today()
    try:
        day = query.optional_day("date") or day
        with unit_of_work(request, staff.actor) as ctx:
            report = reconcile(ctx, on=day)
    except PermissionDeniedError:
        raise
    except DomainError as error:
        failure = FormFailure.of("reconcile", error, query)
    return render(
        request,
        "operations/reconciliation.html",
        staff=staff,
        status_code=422 if failure else 200,
        nav="reconciliation",
        page_title="Reconciliation",
        report=report,
        day=day,
        failure=failure,
    )


@router.get("/refunds", response_class=HTMLResponse)
def refunds(request: Request, staff: CurrentStaff) -> HTMLResponse:
    return refunds_response(request, staff)


def refunds_response(request: Request, staff: Staff, *, failure: FormFailure | None = None, status_code: int = 200) -> HTMLResponse:
    with unit_of_work(request, staff.actor) as ctx:
        waiting = list_refunds(ctx, status=RefundStatus.PENDING_APPROVAL)
        approved = list_refunds(ctx, status=RefundStatus.APPROVED)
    return render(
        request,
        "operations/refunds.html",
        staff=staff,
        status_code=status_code,
        nav="refunds",
        page_title="Refunds",
        waiting=waiting,
        approved=approved,
        failure=failure,
    )
