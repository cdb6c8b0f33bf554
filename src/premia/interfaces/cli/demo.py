"""`premia demo`: build a simulated carrier in a new SQLite database, print what happened, serve the console.

The simulation itself is :func:`premia.demo.run_demo`; this module reads the options, prints
the summary and login, and starts the web server unless ``--no-serve`` is given.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import typer

from premia.infra.logging_setup import configure_logging
from premia.interfaces.cli import runtime
from premia.interfaces.cli.metrics import format_aging, format_counts, format_value
from premia.kernel.dates import parse_date
from premia.kernel.money import format_cents
from premia.metrics import DEFINITIONS

if TYPE_CHECKING:
    from premia.demo import DemoResult

MAX_SUBSCRIBERS = 50_000
# Copies of premia.demo's defaults and limits, because importing that package loads the
# whole simulation (PDF rendering included) and would slow every other command's start.
# tests/interfaces/cli/test_cli_startup.py checks that they still match.
DEFAULT_SUBSCRIBERS = 2_500
DEFAULT_MONTHS = 6
DEFAULT_SEED = 2026
MAX_MONTHS = 11
DEMO_TIME_ZONE = "America/New_York"


def demo(
    database: Path = typer.Option(Path("premia-demo.db"), "--database", help="SQLite file to create; a previous demo file is replaced."),
    subscribers: int = typer.Option(DEFAULT_SUBSCRIBERS, "--subscribers", min=10, max=MAX_SUBSCRIBERS, help="Subscribers in the book of business."),
    months: int = typer.Option(DEFAULT_MONTHS, "--months", min=1, max=MAX_MONTHS, help="Coverage months to simulate, ending this month."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed of the book and of every payer's and caller's choices."),
    as_of: str | None = typer.Option(None, "--as-of", help="Last simulated day, YYYY-MM-DD (default today)."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the console when the database is ready."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address the console listens on; keep loopback unless a proxy fronts it."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port of the console."),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Simulate months of billing, payments and service for a generated book, then serve the console."""
    configure_logging("WARNING")
    today = datetime.now(ZoneInfo(DEMO_TIME_ZONE)).date()

    def body() -> DemoResult:
        from premia.demo import DemoOptions, run_demo

        last_day = parse_date(as_of, field="as_of") if as_of else today
        options = DemoOptions(database=database.resolve(), today=last_day, subscribers=subscribers, months=months, seed=seed)
        return run_demo(options, echo=(lambda _line: None) if json_output else typer.echo)

    result = runtime.run(body)
    if json_output:
        runtime.emit_json(result.to_dict())
    else:
        print_summary(result)
    if serve:
        _serve(result, host, port)


def print_summary(result: DemoResult) -> None:
    typer.secho("\nWhat the database holds", bold=True)
    for area, counts in result.counts.items():
        typer.echo(f"  {area}: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    balance = "balances" if result.journal_imbalance_cents == 0 else f"is out by {format_cents(result.journal_imbalance_cents)}"
    typer.echo(f"  journal: every entry {balance}")

    kpis = result.kpis
    typer.secho(f"\nKPIs {kpis.first_day} to {kpis.last_day}", bold=True)
    for figure in kpis.figures.values():
        title = DEFINITIONS[figure.name].title
        typer.echo(f"  {title:<34} {format_value(figure):>10}   ({format_counts(figure)})")
    typer.echo(f"  {format_aging(kpis.aging)}")

    if result.skipped:
        typer.secho("\nSteps left out or replaced", bold=True)
        for item in result.skipped:
            typer.echo(f"  {item.step}: {item.reason}")

    timings = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in result.seconds.items())
    typer.echo(f"\nBuilt in {result.total_seconds:.0f} s ({timings}); files the story exchanged are in {result.options.files_dir}")
    typer.secho("\nStaff logins (passwords are new on every run)", bold=True)
    for username, password in result.passwords.items():
        typer.echo(f"  {username:<11} {password}")
    typer.echo("\nTo use the demo database with other premia commands, set:")
    for name, value in result.environment().items():
        typer.echo(f"  export {name}='{value}'")


def _serve(result: DemoResult, host: str, port: int) -> None:
    import uvicorn

    from premia.interfaces.api.app import create_app

    typer.secho(f"\nConsole: http://{host}:{port}/  (log in as supervisor, billing or csr; Ctrl+C stops it)", bold=True)
    uvicorn.run(create_app(result.settings), host=host, port=port, log_level="warning")
