"""`premia billing run` issues the invoices due on an as-of date.

`premia billing changes` explains how an invoice differs from the account's previous one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import typer

from premia.accounts import service as accounts
from premia.billing.bill_change_service import BillChange, bill_change
from premia.billing.bill_changes import LineChange, StepDifference
from premia.billing.queries import account_billing_summary
from premia.billing.service import run_billing
from premia.interfaces.cli import runtime
from premia.interfaces.cli.accounts import SHOW_SECTIONS
from premia.kernel.dates import parse_date
from premia.kernel.money import format_cents

billing_app = typer.Typer(help="Bill runs and invoices.", no_args_is_help=True)


@billing_app.command("run")
def run(
    as_of: str = typer.Option(..., "--as-of", help="Business date of the run, YYYY-MM-DD."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be billed and write nothing."),
    account: str | None = typer.Option(None, "--account", help="Bill only this account."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Issue every invoice whose bill date is on or before the as-of date."""

    def body() -> None:
        from premia.catalog.service import current_catalog

        run_date = parse_date(as_of, field="as_of")
        with runtime.unit_of_work() as ctx:
            report = run_billing(ctx, catalog=current_catalog(ctx), as_of=run_date, dry_run=dry_run, account_number=account)
            if dry_run:
                ctx.session.rollback()
        if json_output:
            runtime.emit_json(report.to_dict())
            return
        verb = "would issue" if dry_run else "issued"
        typer.echo(
            f"bill run {run_date}: {verb} {report.issued} invoice(s) for {format_cents(report.billed_cents)}; "
            f"{report.already_billed} already billed; {report.failed} failed"
        )
        for outcome in report.outcomes:
            if outcome.status == "failed" and outcome.error:
                typer.echo(f"  {outcome.account_number}: {outcome.error['message']}")
            elif outcome.invoice_number or dry_run:
                typer.echo(f"  {outcome.account_number} {outcome.period} {outcome.invoice_number or ''} lines {outcome.lines}")

    runtime.run(body)


@billing_app.command("changes")
def changes(
    account_number: str = typer.Argument(..., help="Account number, such as BA-000001."),
    invoice_number: str = typer.Argument(..., help="Number of one of the account's invoices, such as PRM-2026-000007."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show what changed from the account's previous invoice, and the rating steps behind each difference."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            change = bill_change(ctx, account_number, invoice_number)
        if json_output:
            runtime.emit_json(_bill_change_data(change))
            return
        _print_bill_change(change)

    runtime.run(body)


def _print_bill_change(change: BillChange) -> None:
    comparison = change.comparison
    invoice_number = change.invoice.invoice_number
    if change.previous is None:
        typer.echo(f"{invoice_number} is the first invoice of {change.account_number}; every line is new.")
    else:
        typer.echo(f"{invoice_number} of {change.account_number} compared with {change.previous.invoice_number}")
        typer.echo(
            f"lines total {format_cents(comparison.previous_total_cents)} before and "
            f"{format_cents(comparison.current_total_cents)} now ({_signed(comparison.difference_cents)}); "
            f"{comparison.unchanged} line(s) unchanged"
        )
    if not change.traces_available:
        typer.echo("note: the rating steps could not be computed from the current catalog; amounts are as billed")
    if not comparison.changes:
        typer.echo("No line differs from the previous invoice.")
    for item in comparison.changes:
        typer.echo(
            f"{item.kind}: {item.member_name}, {item.line_kind}, {_month_text(item)}: "
            f"{_amount_or_none(item.previous_cents if item.previous else None)} -> "
            f"{_amount_or_none(item.current_cents if item.current else None)} ({_signed(item.difference_cents)})"
        )
        for reason in item.reasons:
            typer.echo(f"  why: {reason}")
        for step in item.steps:
            owner = f"for {step.member_id}" if step.member_id else "for the policy"
            typer.echo(
                f"  step {step.step} {owner}: {_outputs_text(step.previous)} -> {_outputs_text(step.current)}"
                f" (inputs: {_outputs_text(step.inputs)})"
            )


def _bill_change_data(change: BillChange) -> dict[str, Any]:
    """Build the --json output: amounts as dollar strings, months as YYYY-MM."""
    comparison = change.comparison
    return {
        "account_number": change.account_number,
        "invoice_number": change.invoice.invoice_number,
        "previous_invoice_number": change.previous.invoice_number if change.previous else None,
        "previous_total": format_cents(comparison.previous_total_cents, thousands=False),
        "current_total": format_cents(comparison.current_total_cents, thousands=False),
        "difference": format_cents(comparison.difference_cents, thousands=False),
        "unchanged_lines": comparison.unchanged,
        "rating_steps_available": change.traces_available,
        "changes": [_line_change_data(item) for item in comparison.changes],
    }


def _line_change_data(item: LineChange) -> dict[str, Any]:
    line = item.current or item.previous
    return {
        "kind": item.kind.value,
        "member_id": line.member_id if line else None,
        "member_name": item.member_name,
        "line_kind": item.line_kind,
        "coverage_month": _month(item.current.coverage_month if item.current else None),
        "previous_coverage_month": _month(item.previous.coverage_month if item.previous else None),
        "previous_amount": format_cents(item.previous_cents, thousands=False) if item.previous else None,
        "current_amount": format_cents(item.current_cents, thousands=False) if item.current else None,
        "difference": format_cents(item.difference_cents, thousands=False),
        "reasons": list(item.reasons),
        "steps": [_step_data(step) for step in item.steps],
    }


def _step_data(step: StepDifference) -> dict[str, Any]:
    return {
        "step": step.step,
        "member_id": step.member_id,
        "previous": dict(step.previous) if step.previous is not None else None,
        "current": dict(step.current) if step.current is not None else None,
        "inputs": dict(step.inputs),
    }


def _month_text(item: LineChange) -> str:
    """Format the line's coverage month on the new invoice, with the matched month before when it differs."""
    now = _month(item.current.coverage_month) if item.current else None
    before = _month(item.previous.coverage_month) if item.previous else None
    if now and before and now != before:
        return f"{now} ({before} before)"
    return now or before or "no month"


def _month(day: date | None) -> str | None:
    return day.isoformat()[:7] if day else None


def _amount_or_none(cents: int | None) -> str:
    return "none" if cents is None else format_cents(cents)


def _signed(cents: int) -> str:
    return f"+{format_cents(cents)}" if cents > 0 else format_cents(cents)


def _outputs_text(values: Mapping[str, str] | None) -> str:
    if values is None:
        return "none"
    return ", ".join(f"{key}={value}" for key, value in values.items())


def _billing_section(ctx: Any, view: Any, on: date) -> dict[str, Any]:
    account = accounts.get_account_row(ctx, view.account_number)
    return {"billing": account_billing_summary(ctx, account.id, on)}


SHOW_SECTIONS.append(_billing_section)
