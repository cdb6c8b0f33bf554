"""Charts for the KPI dashboard as inline SVG, drawn on the server (pure).

No chart library and no script: each chart is an ``<svg role="img">`` with a title and a
description that states every value, and the page shows the same numbers in a table, so a
screen reader or a printout loses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH = 560
HEIGHT = 200
LEFT = 44
RIGHT = 12
TOP = 14
BOTTOM = 28


@dataclass(frozen=True)
class Point:
    """One value of a series; ``value`` None is a period with nothing to measure (drawn as a gap)."""

    label: str
    value: Decimal | None


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str


def line_chart(
    points: Sequence[Point],
    *,
    title: str,
    unit: str,
    low: Decimal | None = None,
    high: Decimal | None = None,
    target: Decimal | None = None,
) -> str:
    """Draw a series as a line with dots; ``low``/``high`` fix the vertical scale (for percentages 0-100)."""
    values = [point.value for point in points if point.value is not None]
    bottom, top = _scale(values, low, high, target)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(points) - 1, 1)

    def x_of(index: int) -> float:
        return LEFT + (index * step if len(points) > 1 else plot_width / 2)

    def y_of(value: Decimal) -> float:
        share = (value - bottom) / (top - bottom) if top != bottom else Decimal("0.5")
        return TOP + plot_height - float(share) * plot_height

    parts = [_open(title, _describe_series(points, unit))]
    parts.extend(_grid(bottom, top, y_of, unit))
    if target is not None:
        y = y_of(target)
        parts.append(f'<line class="chart-target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="chart-target-label" x="{WIDTH - RIGHT}" y="{y - 4:.1f}" text-anchor="end">target {_number(target)}{escape(unit)}</text>')
    for segment in _segments(points):
        coordinates = " ".join(f"{x_of(index):.1f},{y_of(value):.1f}" for index, value in segment)
        parts.append(f'<polyline class="chart-line" points="{coordinates}"/>')
    for index, point in enumerate(points):
        x = x_of(index)
        parts.append(f'<text class="chart-axis" x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle">{escape(point.label)}</text>')
        if point.value is not None:
            y = y_of(point.value)
            value_text = f"{point.label}: {_number(point.value)}{unit}"
            parts.append(f'<circle class="chart-dot" cx="{x:.1f}" cy="{y:.1f}" r="3.5"><title>{escape(value_text)}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(bars: Sequence[Bar], *, title: str) -> str:
    """Draw horizontal bars, each labelled with its text (for example aging buckets in dollars)."""
    row = 26
    height = TOP + row * max(len(bars), 1) + 4
    label_width = 88
    text_width = 96
    largest = max((bar.value for bar in bars), default=0)
    span = WIDTH - label_width - text_width - RIGHT
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars) or "no values"
    parts = [_open(title, description, height=height)]
    for index, bar in enumerate(bars):
        y = TOP + index * row
        length = span * bar.value / largest if largest > 0 and bar.value > 0 else 0
        parts.append(f'<text class="chart-axis" x="{label_width - 8}" y="{y + 15}" text-anchor="end">{escape(bar.label)}</text>')
        parts.append(f'<rect class="chart-bar chart-bar-{index}" x="{label_width}" y="{y + 3}" width="{length:.1f}" height="16" rx="2"/>')
        parts.append(f'<text class="chart-value" x="{label_width + length + 6:.1f}" y="{y + 15}">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _open(title: str, description: str, *, height: int = HEIGHT) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" preserveAspectRatio="xMidYMid meet" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title><desc>{escape(description)}</desc>'
    )


def _describe_series(points: Sequence[Point], unit: str) -> str:
    texts = [f"{point.label}: {_number(point.value)}{unit}" if point.value is not None else f"{point.label}: no data" for point in points]
    return "; ".join(texts) or "no values"


def _grid(bottom: Decimal, top: Decimal, y_of, unit: str) -> list[str]:  # type: ignore[no-untyped-def]
    lines = []
    for index in range(5):
        value = bottom + (top - bottom) * index / 4
        y = y_of(value)
        lines.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        lines.append(f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_number(value)}{escape(unit)}</text>')
    return lines


def _scale(values: list[Decimal], low: Decimal | None, high: Decimal | None, target: Decimal | None) -> tuple[Decimal, Decimal]:
    seen = values + ([target] if target is not None else [])
    bottom = low if low is not None else min([Decimal(0), *seen])
    top = high if high is not None else max([Decimal(1), *seen])
    if high is None:
        # Leave headroom above the highest value so the top dot is not clipped.
        top = top * Decimal("1.15")
    return bottom, top


def _segments(points: Sequence[Point]) -> list[list[tuple[int, Decimal]]]:
    """Runs of consecutive points with values; a period without data breaks the line."""
    segments: list[list[tuple[int, Decimal]]] = []
    current: list[tuple[int, Decimal]] = []
    for index, point in enumerate(points):
        if point.value is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append((index, point.value))
    if current:
        segments.append(current)
    return segments


def _number(value: Decimal | None) -> str:
    if value is None:
        return "\u2014"
    rounded = Decimal(value).quantize(Decimal("0.1"))
    return f"{rounded:f}".removesuffix(".0")
