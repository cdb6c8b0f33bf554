"""Rate tables: find the one base rate row for a plan, rating area and date.

A lookup that finds no row (a gap) or two rows (an overlap) is an error naming the plan,
the area and the dates, because guessing between rates would bill the wrong premium.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from premia.kernel.dates import DateSpan
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError
from premia.rating.model import RateRow


class RateLookup(Protocol):
    """Anything that finds the single rate row in force for a plan and area on a date."""

    def find_rate(self, plan_id: str, area_id: str, on: date) -> RateRow: ...


@dataclass(frozen=True)
class RateTable:
    """Rate rows for any number of plans and areas, indexed by (plan id, area id)."""

    rows: tuple[RateRow, ...]
    _index: dict[tuple[str, str], list[RateRow]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], list[RateRow]] = defaultdict(list)
        for row in self.rows:
            index[(row.plan_id, row.area_id)].append(row)
        for rows in index.values():
            rows.sort(key=lambda row: row.effective_start)
        object.__setattr__(self, "_index", dict(index))

    def rows_for(self, plan_id: str, area_id: str) -> list[RateRow]:
        return list(self._index.get((plan_id, area_id), []))

    def find_rate(self, plan_id: str, area_id: str, on: date) -> RateRow:
        rows = self._index.get((plan_id, area_id))
        if rows is None:
            raise self._missing_pair(plan_id, area_id)

        matches = [row for row in rows if row.covers(on)]
        if len(matches) > 1:
            spans = ", ".join(row.describe_span() for row in matches)
            raise ConflictError(
                code="rating.rate_overlap",
                message=f"plan {plan_id} in rating area {area_id} has {len(matches)} rates on {on}: {spans}.",
                record=f"plan {plan_id}",
                field="effective_start",
                value=on.isoformat(),
                hint="Correct the rate table so that the effective date ranges do not overlap.",
            )
        if not matches:
            spans = ", ".join(row.describe_span() for row in rows)
            raise ValidationError(
                code="rating.rate_gap",
                message=(
                    f"plan {plan_id} in rating area {area_id} has no rate on {on}; its rates cover {spans}."
                ),
                record=f"plan {plan_id}",
                field="effective_start",
                value=on.isoformat(),
                hint="Add a rate row covering this date, or check the rating date.",
            )
        return matches[0]

    def _missing_pair(self, plan_id: str, area_id: str) -> NotFoundError:
        plan_areas = sorted(area for plan, area in self._index if plan == plan_id)
        if not plan_areas:
            return NotFoundError(
                code="rating.unknown_plan",
                message=f"plan {plan_id!r} has no rates.",
                record=f"plan {plan_id}",
                field="plan_id",
                value=plan_id,
                hint="Check the plan id, or load the catalog that rates this plan.",
            )
        return NotFoundError(
            code="rating.unknown_area",
            message=f"plan {plan_id} has no rates in rating area {area_id!r}.",
            record=f"plan {plan_id}",
            field="area_id",
            value=area_id,
            hint=f"The plan is rated in: {', '.join(plan_areas)}.",
        )


def overlapping_rows(rows: Iterable[RateRow]) -> list[tuple[RateRow, RateRow]]:
    """Return pairs of rows of one plan and area whose effective ranges overlap."""
    by_pair: dict[tuple[str, str], list[RateRow]] = defaultdict(list)
    for row in rows:
        by_pair[(row.plan_id, row.area_id)].append(row)

    overlaps: list[tuple[RateRow, RateRow]] = []
    for pair_rows in by_pair.values():
        ordered = sorted(pair_rows, key=lambda row: row.effective_start)
        for index, earlier in enumerate(ordered):
            for later in ordered[index + 1 :]:
                if earlier.effective_end is None or later.effective_start <= earlier.effective_end:
                    overlaps.append((earlier, later))
    return overlaps


def uncovered_spans(rows: Sequence[RateRow], period: DateSpan) -> list[DateSpan]:
    """Return the parts of a closed ``period`` that no row covers, in date order."""
    if period.end is None:
        raise ValueError("the period to check must have an end date")

    gaps: list[DateSpan] = []
    next_day = period.start
    for row in sorted(rows, key=lambda row: row.effective_start):
        if row.effective_start > next_day:
            gap_end = min(row.effective_start - timedelta(days=1), period.end)
            if next_day <= gap_end:
                gaps.append(DateSpan(next_day, gap_end))
        if row.effective_end is None:
            return gaps
        next_day = max(next_day, row.effective_end + timedelta(days=1))
        if next_day > period.end:
            return gaps

    gaps.append(DateSpan(next_day, period.end))
    return gaps
