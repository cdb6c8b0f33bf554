"""KPIs: first contact resolution, CSAT, collection rate, DSO, receivables over 90 days, SLA attainment,
auto-draft return rate and the receivable aging, for a period or month by month, with their raw counts.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from premia.enrollment.model import Market
from premia.interfaces.api.deps import Context, requires
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.interfaces.api.schemas.common import MONTH_PATTERN, ApiDate
from premia.kernel.dates import Month
from premia.metrics import DEFINITIONS, AptcStatus, Business, KpiReport, Segment, kpi_report, monthly_kpis
from premia.staff.permissions import Permission

router = APIRouter(prefix="/kpis", tags=["kpis"])
MonthQuery = Annotated[str, Query(pattern=MONTH_PATTERN, description="YYYY-MM")]


class KpiFigureOut(BaseModel):
    name: str
    definition: str = Field(description="Versioned definition id, such as premium_collection_rate/v1.")
    unit: str = Field(description="percent, days or cents.")
    value: str | None = Field(description="Decimal text, one place; null when the denominator is 0.")
    numerator: int
    denominator: int
    detail: dict[str, int]


class AgingOut(BaseModel):
    on: date
    buckets: dict[str, Money] = Field(description="Open premium receivable by days past due.")
    items: dict[str, int]
    total: Money


class SegmentOut(BaseModel):
    market: str | None
    business: str | None
    aptc: str | None


class KpiReportOut(BaseModel):
    first_day: date
    last_day: date
    as_of: date
    segment: SegmentOut
    figures: dict[str, KpiFigureOut]
    aging: AgingOut


class KpiSeriesOut(BaseModel):
    reports: list[KpiReportOut] = Field(description="One report per month, oldest first.")


class KpiDefinitionOut(BaseModel):
    id: str
    name: str
    title: str
    formula: str
    numerator: str
    denominator: str
    unit: str
    benchmark: str


def _report_out(report: KpiReport) -> KpiReportOut:
    data: dict[str, Any] = report.to_dict()
    aging = data.pop("aging")
    return KpiReportOut(
        **data,
        aging=AgingOut(
            on=aging["on"],
            buckets={name: Money.of(cents) for name, cents in aging["buckets"].items()},
            items=aging["items"],
            total=Money.of(aging["total_cents"]),
        ),
    )


@router.get("", response_model=KpiReportOut, responses=problems(422), dependencies=[requires(Permission.KPI_READ)])
def kpis(
    ctx: Context,
    first_day: ApiDate,
    last_day: ApiDate,
    as_of: ApiDate | None = None,
    market: Market | None = None,
    business: Business | None = None,
    aptc: AptcStatus | None = None,
) -> KpiReportOut:
    """Compute every KPI from ``first_day`` to ``last_day`` (both included) as known on ``as_of``, for one segment of the book."""
    segment = Segment(market=market, business=business, aptc=aptc)
    return _report_out(kpi_report(ctx, first_day=first_day, last_day=last_day, segment=segment, as_of=as_of))


@router.get("/monthly", response_model=KpiSeriesOut, responses=problems(422), dependencies=[requires(Permission.KPI_READ)])
def monthly(
    ctx: Context,
    first_month: MonthQuery,
    last_month: MonthQuery,
    as_of: ApiDate | None = None,
    market: Market | None = None,
    business: Business | None = None,
    aptc: AptcStatus | None = None,
) -> KpiSeriesOut:
    """Compute one KPI report per calendar month, at most 60 months, for charts."""
    segment = Segment(market=market, business=business, aptc=aptc)
    reports = monthly_kpis(
        ctx, first_month=Month.parse(first_month), last_month=Month.parse(last_month), segment=segment, as_of=as_of
    )
    return KpiSeriesOut(reports=[_report_out(report) for report in reports])


@router.get("/definitions", response_model=list[KpiDefinitionOut], responses=problems(), dependencies=[requires(Permission.KPI_READ)])
def definitions() -> list[KpiDefinitionOut]:
    """List how each KPI is computed: formula, numerator, denominator, unit and benchmark."""
    return [
        KpiDefinitionOut(
            id=definition.id,
            name=definition.name.value,
            title=definition.title,
            formula=definition.formula,
            numerator=definition.numerator,
            denominator=definition.denominator,
            unit=definition.unit.value,
            benchmark=definition.benchmark,
        )
        for definition in DEFINITIONS.values()
    ]
