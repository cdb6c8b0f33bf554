"""`premia catalog load|plans`: the products, plans and rates Premia bills from."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import select

from premia.catalog.service import load_catalog
from premia.catalog.tables import CatalogPlan, CatalogVersion
from premia.interfaces.cli import runtime
from premia.staff.permissions import Permission

catalog_app = typer.Typer(help="The rating catalog: products, plans, rating areas and rates.", no_args_is_help=True)


@catalog_app.command("load")
def load(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="Catalog YAML file; CSV rate files beside it."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Validate and load a catalog; any error loads nothing. Loading the same catalog again changes nothing."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            report = load_catalog(ctx, path)
        if json_output:
            runtime.emit_json(report.to_dict())
        elif report.status == "rejected":
            typer.secho(f"error: {path} was not loaded: {len(report.errors)} problem(s)", fg=typer.colors.RED, err=True)
            for error in report.errors:
                place = f"{error.get('file')}:{error.get('line')}" if error.get("line") else error.get("file")
                typer.echo(f"  {place}: {error.get('field')}: {error.get('message')} {error.get('hint') or ''}".rstrip(), err=True)
        else:
            typer.echo(f"catalog {report.status}: {report.plans} plans, {report.rates} rate rows (version {report.version_id})")
        if report.status == "rejected":
            raise typer.Exit(1)

    runtime.run(body)


@catalog_app.command("plans")
def plans(json_output: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the plans of the catalog in force."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            ctx.require(Permission.RATING_QUOTE)
            version_id = ctx.session.scalar(select(CatalogVersion.id).order_by(CatalogVersion.id.desc()).limit(1))
            rows = [
                {
                    "plan_id": plan.plan_id,
                    "plan_year": plan.plan_year,
                    "name": plan.name,
                    "market": plan.market,
                    "exchange": plan.exchange,
                    "metal_level": plan.metal_level,
                    "crosswalk_to": plan.crosswalk_plan_id,
                }
                for plan in ctx.session.scalars(
                    select(CatalogPlan).where(CatalogPlan.version_id == version_id).order_by(CatalogPlan.plan_id, CatalogPlan.plan_year)
                )
            ]
        if json_output:
            runtime.emit_json(rows)
        else:
            runtime.echo_table(rows, ["plan_id", "plan_year", "name", "market", "exchange", "metal_level", "crosswalk_to"])

    runtime.run(body)
