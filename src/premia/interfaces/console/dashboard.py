"""The KPI dashboard's panels, built from the metrics area's reports (pure).

Each panel carries the figure for the whole period, the monthly series drawn as a chart,
the definition it was computed by, and the raw counts, so a supervisor can check any value
by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from premia.interfaces.console.charts import Bar, Point, bar_chart, line_chart
from premia.interfaces.console.formatting import money
from premia.metrics import DEFINITIONS, AgingBuckets, KpiDefinition, KpiFigure, KpiName, KpiReport, Unit

HEADLINE = (
    KpiName.FIRST_CONTACT_RESOLUTION,
    KpiName.PREMIUM_COLLECTION_RATE,
    KpiName.DSO,
    KpiName.CSAT,
)
SECONDARY = (
    KpiName.SLA_ATTAINMENT,
    KpiName.AUTODRAFT_RETURN_RATE,
    KpiName.AR_OVER_90_DAYS,
    KpiName.CSAT_TOP_BOX,
)
UNIT_SUFFIXES = {Unit.PERCENT: "%", Unit.DAYS: " d"}
SMALL_RATES = frozenset({KpiName.AUTODRAFT_RETURN_RATE, KpiName.AR_OVER_90_DAYS})
# Reference lines on the charts, from the benchmarks in each definition where one exists.
TARGETS: dict[KpiName, Decimal] = {
    KpiName.FIRST_CONTACT_RESOLUTION: Decimal(72),
    KpiName.CSAT: Decimal(85),
    KpiName.SLA_ATTAINMENT: Decimal(90),
}


@dataclass(frozen=True)
class MonthRow:
    label: str
    value: Decimal | None
    numerator: int
    denominator: int


@dataclass(frozen=True)
class Panel:
    name: KpiName
    definition: KpiDefinition
    figure: KpiFigure
    chart_svg: str
    months: tuple[MonthRow, ...]

    @property
    def value_text(self) -> str:
        return figure_text(self.figure)

    @property
    def details(self) -> list[tuple[str, str]]:
        """The figure's further raw counts as (words, value) pairs; amounts in cents are written as dollars."""
        pairs = []
        for key, count in self.figure.detail.items():
            if key.endswith("_cents"):
                pairs.append((key.removesuffix("_cents").replace("_", " "), money(count)))
            else:
                pairs.append((key.replace("_", " "), f"{count:,}"))
        return pairs

    @property
    def counts_are_cents(self) -> bool:
        return self.name in {KpiName.PREMIUM_COLLECTION_RATE, KpiName.DSO, KpiName.AR_OVER_90_DAYS}


NO_DATA = "no data"


def figure_text(figure: KpiFigure) -> str:
    """Format the figure's value, or "no data" when nothing in the period could be measured yet."""
    if figure.value is None:
        return NO_DATA
    if figure.unit is Unit.DAYS:
        return f"{figure.value:.1f} days"
    return f"{figure.value:.1f}%"


def build_panels(period: KpiReport, months: Sequence[KpiReport], names: Sequence[KpiName]) -> list[Panel]:
    """Build one panel per KPI in ``names`` with the period's figure and the monthly series behind it."""
    panels = []
    for name in names:
        definition = DEFINITIONS[name]
        rows = tuple(
            MonthRow(
                label=f"{report.first_day:%b %Y}",
                value=report.figure(name).value,
                numerator=report.figure(name).numerator,
                denominator=report.figure(name).denominator,
            )
            for report in months
        )
        percent = definition.unit is Unit.PERCENT
        chart = line_chart(
            [Point(f"{report.first_day:%b}", report.figure(name).value) for report in months],
            title=f"{definition.title} by month",
            unit=UNIT_SUFFIXES.get(definition.unit, ""),
            low=Decimal(0) if percent else None,
            # Rates that stay near zero get a scale of their own instead of a flat line at the bottom.
            high=Decimal(100) if percent and name not in SMALL_RATES else None,
            target=TARGETS.get(name),
        )
        panels.append(Panel(name=name, definition=definition, figure=period.figure(name), chart_svg=chart, months=rows))
    return panels


def aging_chart(aging: AgingBuckets) -> str:
    bars = [
        Bar(label=bucket.value if bucket.value in {"current", "over 90"} else f"{bucket.value.replace('-', '–')} days", value=cents, text=money(cents))
        for bucket, cents in aging.buckets.items()
    ]
    return bar_chart(bars, title=f"Open premium receivable by days past due on {aging.on:%b} {aging.on.day}, {aging.on.year}")
