"""Inline SVG charts and the dashboard panel texts (pure)."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from premia.interfaces.console.charts import Bar, Point, bar_chart, line_chart
from premia.interfaces.console.dashboard import figure_text
from premia.metrics import KpiFigure, KpiName

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1).encode())


def test_line_chart_describes_values() -> None:
    svg = line_chart([Point("Jan", Decimal("72.0")), Point("Feb", None), Point("Mar", Decimal("80.5"))], title="FCR by month", unit="%", low=Decimal(0), high=Decimal(100))
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.findtext(f"{SVG}title") == "FCR by month"
    assert root.findtext(f"{SVG}desc") == "Jan: 72%; Feb: no data; Mar: 80.5%"


def test_line_chart_breaks_at_missing_month() -> None:
    root = _parse(line_chart([Point("Jan", Decimal(1)), Point("Feb", None), Point("Mar", Decimal(2)), Point("Apr", Decimal(3))], title="t", unit=""))
    lines = root.findall(f"{SVG}polyline")
    dots = root.findall(f"{SVG}circle")
    # Jan is a segment by itself, and Mar and Apr form one segment of two points.
    assert len(lines) == 2
    assert len(dots) == 3


def test_line_chart_scales_to_fixed_range() -> None:
    root = _parse(line_chart([Point("Jan", Decimal(0)), Point("Feb", Decimal(100))], title="t", unit="%", low=Decimal(0), high=Decimal(100)))
    heights = [float(dot.get("cy")) for dot in root.findall(f"{SVG}circle")]
    # The plot runs from y=14 (100%) to y=172 (0%): 200 high less 14 above and 28 below.
    assert heights == [172.0, 14.0]


def test_chart_escapes_labels() -> None:
    svg = line_chart([Point("<b>", Decimal(1))], title="A & B", unit="")
    assert "<b>" not in svg
    assert "A &amp; B" in svg


def test_bar_chart_lengths_proportional() -> None:
    root = _parse(bar_chart([Bar("current", 300, "$3.00"), Bar("1-30 days", 150, "$1.50"), Bar("over 90", 0, "$0.00")], title="Aging"))
    widths = [float(rect.get("width")) for rect in root.findall(f"{SVG}rect")]
    assert widths[1] == widths[0] / 2
    assert widths[2] == 0


def test_figure_text_by_unit() -> None:
    assert figure_text(KpiFigure(KpiName.FIRST_CONTACT_RESOLUTION, 720, 1000, Decimal("72.0"))) == "72.0%"
    assert figure_text(KpiFigure(KpiName.DSO, 240000000, 900000000, Decimal("8.0"))) == "8.0 days"
    assert figure_text(KpiFigure(KpiName.CSAT, 0, 0, None)) == "no data"
