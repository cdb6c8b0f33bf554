"""`premia rate`: rate a household on a catalog plan for one month and show the trace."""

from __future__ import annotations

import typer

from premia.catalog.service import current_catalog
from premia.interfaces.cli import runtime
from premia.kernel.dates import Month, parse_date
from premia.kernel.money import parse_amount
from premia.rating.catalog import rate_from_catalog
from premia.rating.member_spec import parse_member_specs
from premia.rating.report import format_rating_result
from premia.staff.permissions import Permission


def rate(
    plan: str = typer.Option(..., "--plan", help="Plan id, such as 12345VA0020001."),
    area: str = typer.Option(..., "--area", help="Rating area id, such as VA-1."),
    members: list[str] = typer.Option(
        ..., "--member", help="DOB[:relationship][:tobacco], for example 1980-03-15:subscriber:tobacco; repeat per member."
    ),
    month: str = typer.Option(..., "--month", help="Coverage month, YYYY-MM."),
    aptc: str | None = typer.Option(None, "--aptc", help="Policy APTC from the exchange, in dollars."),
    rating_date: str | None = typer.Option(None, "--rating-date", help="Date ages are taken on (default: the month's first day)."),
    plan_year: int | None = typer.Option(None, "--plan-year", help="Plan year (default: the rating date's year)."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Rate members on a plan: each member's gross premium, APTC applied and what the payer owes."""

    def body() -> None:
        coverage_month = Month.parse(month, field="month")
        on = parse_date(rating_date, field="rating_date") if rating_date else coverage_month.first_day
        aptc_cents = parse_amount(aptc, field="aptc") if aptc else 0
        with runtime.unit_of_work() as ctx:
            ctx.require(Permission.RATING_QUOTE)
            result = rate_from_catalog(
                current_catalog(ctx),
                plan_id=plan,
                area_id=area,
                members=parse_member_specs(members),
                month=coverage_month,
                rating_date=on,
                plan_year=plan_year,
                aptc_cents=aptc_cents,
            )
        if json_output:
            runtime.emit_json(result.to_dict())
        else:
            typer.echo(format_rating_result(result))

    runtime.run(body)
