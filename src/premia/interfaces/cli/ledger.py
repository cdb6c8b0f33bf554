"""`premia ledger trial-balance`: every ledger account's balance on a date, for finance."""

from __future__ import annotations

import typer

from premia.interfaces.cli import runtime
from premia.kernel.dates import parse_date
from premia.kernel.money import format_cents
from premia.ledger.queries import trial_balance_report

ledger_app = typer.Typer(help="The general ledger: balances of the chart of accounts.", no_args_is_help=True)


@ledger_app.command("trial-balance")
def trial_balance(
    as_of: str | None = typer.Option(None, "--as-of", help="Include entries dated on or before this day, YYYY-MM-DD; today when omitted."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List every ledger account's net balance as a debit or a credit, with the totals."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            on = parse_date(as_of, field="as_of") if as_of else ctx.today()
            report = trial_balance_report(ctx, as_of=on)
        if json_output:
            runtime.emit_json(report.to_dict())
            return
        typer.echo(f"trial balance on {report.as_of}")
        typer.echo(f"  {'account':<40} {'debit':>16} {'credit':>16}")
        for row in report.rows:
            label = f"{row.account.value} {row.account.title}"
            debit = format_cents(row.debit_cents) if row.debit_cents else ""
            credit = format_cents(row.credit_cents) if row.credit_cents else ""
            typer.echo(f"  {label:<40} {debit:>16} {credit:>16}")
        typer.echo(f"  {'total':<40} {format_cents(report.debit_cents):>16} {format_cents(report.credit_cents):>16}")
        if not report.balanced:
            # Posting rejects an unbalanced entry, so this points at rows changed outside Premia.
            typer.secho("  debits and credits differ: check for journal rows written outside Premia", fg=typer.colors.RED)

    runtime.run(body)
