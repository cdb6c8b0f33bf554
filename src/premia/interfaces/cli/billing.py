"""`premia billing run`: issue the invoices due on an as-of date."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer

from premia.accounts import service as accounts
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


def _billing_section(ctx: Any, view: Any, on: date) -> dict[str, Any]:
    account = accounts.get_account_row(ctx, view.account_number)
    return {"billing": account_billing_summary(ctx, account.id, on)}


SHOW_SECTIONS.append(_billing_section)
