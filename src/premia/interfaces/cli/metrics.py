"""`premia kpi`: the supervisors' measures over a period, with their raw counts and definitions."""

from __future__ import annotations

from datetime import timedelta

import typer

from premia.interfaces.cli import runtime
from premia.kernel.dates import Month, parse_date
from premia.kernel.money import format_cents
from premia.metrics import DEFINITIONS, AgingBuckets, KpiFigure, KpiName, KpiReport, Segment, Unit, kpi_report, monthly_kpis

# Days in the default period, which ends on the --as-of day (or today).
DEFAULT_DAYS = 30
# Percentages whose numerator and denominator are cents, printed in dollars.
MONEY_RATIOS = frozenset({KpiName.PREMIUM_COLLECTION_RATE, KpiName.AR_OVER_90_DAYS})


def kpi(
    first_day: str | None = typer.Option(
        None, "--from", help=f"First day of the period, YYYY-MM-DD (default {DEFAULT_DAYS - 1} days before --to)."
    ),
    last_day: str | None = typer.Option(
        None, "--to", help="Last day of the period, YYYY-MM-DD, included (default --as-of, or today)."
    ),
    market: str | None = typer.Option(None, "--market", help="Only this market: individual, small_group or large_group."),
    business: str | None = typer.Option(None, "--business", help="Only individual or only group business."),
    aptc: str | None = typer.Option(None, "--aptc", help="Only policies with_aptc or without_aptc."),
    as_of: str | None = typer.Option(None, "--as-of", help="Read the records as they stood on this day, YYYY-MM-DD (default today)."),
    monthly: bool = typer.Option(False, "--monthly", help="One report per calendar month of the period."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Compute FCR, CSAT, collection rate, DSO, aging, SLA attainment and the auto-draft return rate.

    Without --from and --to, the period is the 30 days that end on the --as-of day (or today).
    """

    def body() -> None:
        read_on = parse_date(as_of, field="as_of") if as_of else None
        segment = Segment.parse(market=market, business=business, aptc=aptc)
        with runtime.unit_of_work() as ctx:
            last = parse_date(last_day, field="to") if last_day else (read_on or ctx.today())
            first = parse_date(first_day, field="from") if first_day else last - timedelta(days=DEFAULT_DAYS - 1)
            if monthly:
                reports = monthly_kpis(ctx, first_month=Month.of(first), last_month=Month.of(last), segment=segment, as_of=read_on)
            else:
                reports = [kpi_report(ctx, first_day=first, last_day=last, segment=segment, as_of=read_on)]
        if json_output:
            runtime.emit_json([report.to_dict() for report in reports] if monthly else reports[0].to_dict())
            return
        for report in reports:
            _print_report(report)

    runtime.run(body)


def _print_report(report: KpiReport) -> None:
    typer.secho(f"KPIs {report.first_day} to {report.last_day}, {report.segment.label}, as of {report.as_of}", bold=True)
    rows = [
        {
            "kpi": DEFINITIONS[figure.name].title,
            "value": format_value(figure),
            "counts": format_counts(figure),
            "definition": figure.definition,
        }
        for figure in report.figures.values()
    ]
    runtime.echo_table(rows, ["kpi", "value", "counts", "definition"])
    typer.echo(format_aging(report.aging))
    typer.echo("")


def format_value(figure: KpiFigure) -> str:
    """Format the figure as a supervisor reads it: ``72.0%``, ``8.0 days``, or ``-`` when nothing was measured."""
    if figure.value is None:
        return "-"
    if figure.unit is Unit.DAYS:
        return f"{figure.value} days"
    return f"{figure.value}%"


def format_counts(figure: KpiFigure) -> str:
    """Format the raw numerator and denominator, in dollars for money measures."""
    if figure.unit is Unit.DAYS or figure.name in MONEY_RATIOS:
        return f"{format_cents(figure.numerator)} / {format_cents(figure.denominator)}"
    return f"{figure.numerator} / {figure.denominator}"


def format_aging(aging: AgingBuckets) -> str:
    parts = [f"{bucket.value} {format_cents(cents)}" for bucket, cents in aging.buckets.items()]
    return f"Premium receivable on {aging.on}: " + ", ".join(parts) + f"; total {format_cents(aging.total_cents)}"

