"""The KPI report of one period, and one report per month for charts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from premia.infra.context import ServiceContext
from premia.kernel.dates import Month
from premia.kernel.errors import ValidationError
from premia.metrics.autodraft import autodraft_return_rate
from premia.metrics.definitions import KpiName
from premia.metrics.formulas import AgingBuckets, KpiFigure, receivables_over_90_days
from premia.metrics.receivables import collection_figure, dso_from, load_receivable_facts
from premia.metrics.segment import Period, Segment
from premia.metrics.service_desk import customer_satisfaction, first_contact_resolution, sla_attainment
from premia.servicing import default_config
from premia.staff.permissions import Permission

# Months in one chart; a longer range is a request for a different report.
MAX_MONTHS = 60


@dataclass(frozen=True)
class KpiReport:
    """Every KPI over one period, with the receivable aging at the period's end (or ``as_of``)."""

    first_day: date
    last_day: date
    as_of: date
    segment: Segment
    figures: Mapping[KpiName, KpiFigure]
    aging: AgingBuckets

    def figure(self, name: KpiName) -> KpiFigure:
        return self.figures[name]

    def to_dict(self) -> dict[str, Any]:
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "as_of": self.as_of.isoformat(),
            "segment": self.segment.to_dict(),
            "figures": {name.value: figure.to_dict() for name, figure in self.figures.items()},
            "aging": self.aging.to_dict(),
        }


def kpi_report(
    ctx: ServiceContext,
    *,
    first_day: date,
    last_day: date,
    segment: Segment | None = None,
    as_of: date | None = None,
) -> KpiReport:
    """Compute every KPI for ``first_day`` to ``last_day`` (carrier dates, both included) as known on ``as_of``.

    A period still running on ``as_of`` ends that day, as the month that contains it does
    in ``monthly_kpis``.
    """
    ctx.require(Permission.KPI_READ)
    read_on = as_of or ctx.today()
    return _reports(ctx, [_period_read_on(first_day, last_day, read_on)], segment or Segment())[0]


def monthly_kpis(
    ctx: ServiceContext,
    *,
    first_month: Month,
    last_month: Month,
    segment: Segment | None = None,
    as_of: date | None = None,
) -> list[KpiReport]:
    """Compute one report per calendar month from ``first_month`` to ``last_month``, oldest first.

    The month that contains ``as_of`` ends on ``as_of``, so its DSO counts only the days
    that have passed, as a report over the same dates from ``kpi_report`` does.
    """
    ctx.require(Permission.KPI_READ)
    read_on = as_of or ctx.today()
    return _reports(ctx, _month_periods(first_month, last_month, read_on), segment or Segment())


def kpi_report_with_months(
    ctx: ServiceContext,
    *,
    first_month: Month,
    last_month: Month,
    segment: Segment | None = None,
    as_of: date | None = None,
) -> tuple[KpiReport, list[KpiReport]]:
    """Compute the report over ``first_month`` to ``last_month`` and one report per month, as a dashboard shows them.

    The whole period ends on ``as_of`` when that day falls inside it, as the month that
    contains it does. Both come from one read of the receivable totals.
    """
    ctx.require(Permission.KPI_READ)
    read_on = as_of or ctx.today()
    months = _month_periods(first_month, last_month, read_on)
    whole = Period(months[0].first_day, months[-1].last_day, read_on)
    reports = _reports(ctx, [whole, *months], segment or Segment())
    return reports[0], reports[1:]


def _month_periods(first_month: Month, last_month: Month, as_of: date) -> list[Period]:
    count = last_month.index - first_month.index + 1
    if count < 1 or count > MAX_MONTHS:
        raise ValidationError(
            code="kpi.months_invalid",
            message=f"A monthly series runs from {first_month} to {last_month}: {count} months.",
            field="last_month",
            value=str(last_month),
            hint=f"Give a last month on or after the first month, at most {MAX_MONTHS} months in all.",
        )
    return [month_period(first_month.plus(offset), as_of) for offset in range(count)]


def month_period(month: Month, as_of: date) -> Period:
    """Return the month as a period, cut at ``as_of`` when the month is still running on that day."""
    return _period_read_on(month.first_day, month.last_day, as_of)


def _period_read_on(first_day: date, last_day: date, as_of: date) -> Period:
    """Return the period, ending on ``as_of`` when it is still running on that day.

    DSO divides by the days in the period, and days after ``as_of`` have billed and
    collected nothing yet, so counting them would make DSO look shorter than it is.
    """
    if first_day <= as_of < last_day:
        return Period(first_day, as_of, as_of)
    return Period(first_day, last_day, as_of)


def _reports(ctx: ServiceContext, periods: list[Period], segment: Segment) -> list[KpiReport]:
    """Compute every KPI for each period; the receivable measures of all periods come from one load."""
    config = default_config(ctx.settings.time_zone)
    facts = load_receivable_facts(ctx, periods, segment)
    reports = []
    for period in periods:
        csat, csat_top_box = customer_satisfaction(ctx, period, segment, config=config)
        aging = facts.aging[period.read_through]
        figures = {
            KpiName.FIRST_CONTACT_RESOLUTION: first_contact_resolution(ctx, period, segment, config=config),
            KpiName.CSAT: csat,
            KpiName.CSAT_TOP_BOX: csat_top_box,
            KpiName.PREMIUM_COLLECTION_RATE: collection_figure(facts, period),
            KpiName.DSO: dso_from(facts, period),
            KpiName.AR_OVER_90_DAYS: receivables_over_90_days(aging),
            KpiName.SLA_ATTAINMENT: sla_attainment(ctx, period, segment, config=config),
            KpiName.AUTODRAFT_RETURN_RATE: autodraft_return_rate(ctx, period, segment),
        }
        reports.append(KpiReport(period.first_day, period.last_day, period.as_of, segment, figures, aging))
    return reports
