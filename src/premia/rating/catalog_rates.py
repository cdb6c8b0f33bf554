"""Rate tables of a catalog file, inline or in CSV files, and the checks across records.

Each row is checked as it is read: known plan and area, valid dates, and a non-negative base
rate in whole cents. Then the rows are checked together. No two rows of one plan and area may
overlap, no row may fall outside the plan's years, no plan year may have a gap, and every
plan needs rates. Crosswalks are checked here too, because they also need every plan parsed.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from premia.kernel.dates import DateSpan
from premia.kernel.errors import DomainError
from premia.rating.age_curves import BUILT_IN_CURVES, AgeCurve
from premia.rating.catalog_nodes import NodeReader, line_of
from premia.rating.model import (
    BUILT_IN_FAMILY_TIERS,
    ChildCap,
    FamilyTierTable,
    Plan,
    Product,
    RateRow,
    RatingArea,
)
from premia.rating.rates import overlapping_rows, uncovered_spans

CSV_COLUMNS = ("plan_id", "rating_area", "effective_start", "effective_end", "base_rate")
INLINE_RATE_KEYS = ("plan", "area", "effective_start", "effective_end", "base_rate")


@dataclass(frozen=True)
class Origin:
    """Source location of a record: file and line."""

    file: str
    line: int | None


@dataclass
class CatalogParts:
    """Records parsed so far, each with its source location."""

    carrier: str = ""
    tobacco_caps: dict[str, Decimal] = field(default_factory=dict)
    defaults: dict[str, yaml.Node] = field(default_factory=dict)
    age_curves: dict[str, AgeCurve] = field(default_factory=lambda: dict(BUILT_IN_CURVES))
    tier_tables: dict[str, FamilyTierTable] = field(default_factory=lambda: dict(BUILT_IN_FAMILY_TIERS))
    child_cap: ChildCap = field(default_factory=ChildCap)
    areas: dict[str, tuple[RatingArea, Origin]] = field(default_factory=dict)
    products: dict[str, tuple[Product, Origin]] = field(default_factory=dict)
    plans: dict[tuple[str, int], tuple[Plan, Origin]] = field(default_factory=dict)
    rates: list[tuple[RateRow, Origin]] = field(default_factory=list)
    # Ids of plans and areas that were written but failed their own checks: rate rows that
    # refer to them are skipped quietly, since the record's own error already explains them.
    rejected_plan_ids: set[str] = field(default_factory=set)
    rejected_area_ids: set[str] = field(default_factory=set)


def parse_rate_tables(
    reader: NodeReader, node: yaml.Node | None, parts: CatalogParts, base_dir: Path
) -> None:
    for path, table_node in reader.items(node, "rate_tables"):
        values = reader.mapping(table_node, path, optional=("file", "rows"))
        if values is None:
            continue
        if ("file" in values) == ("rows" in values):
            reader.error(
                line_of(table_node),
                path,
                "a rate table needs exactly one of 'file' or 'rows'.",
                "Point to a CSV file, or list the rows inline.",
            )
            continue
        if "file" in values:
            _read_rate_csv(reader, values["file"], f"{path}.file", parts, base_dir)
        else:
            for row_path, row_node in reader.items(values["rows"], f"{path}.rows"):
                _read_inline_rate(reader, row_path, row_node, parts)


def _read_inline_rate(reader: NodeReader, path: str, node: yaml.Node, parts: CatalogParts) -> None:
    values = reader.mapping(
        node, path, required=("plan", "area", "effective_start", "base_rate"), optional=INLINE_RATE_KEYS
    )
    if values is None:
        return
    cells = {
        "plan_id": reader.text(values.get("plan"), f"{path}.plan"),
        "rating_area": reader.text(values.get("area"), f"{path}.area"),
        "effective_start": reader.text(values.get("effective_start"), f"{path}.effective_start"),
        "effective_end": reader.text(values.get("effective_end"), f"{path}.effective_end"),
        "base_rate": reader.text(values.get("base_rate"), f"{path}.base_rate"),
    }
    _add_rate(reader, cells, Origin(reader.file, line_of(node)), path, parts)


def _read_rate_csv(
    reader: NodeReader, node: yaml.Node, path: str, parts: CatalogParts, base_dir: Path
) -> None:
    name = reader.text(node, path)
    if name is None:
        return
    csv_path = base_dir / name
    try:
        with csv_path.open(encoding="utf-8-sig", newline="") as handle:
            lines = list(csv.reader(handle))
    except OSError as exc:
        reader.error(
            line_of(node),
            path,
            f"cannot read rate file {str(csv_path)!r}: {exc.strerror}.",
            "Give a path relative to the catalog file.",
        )
        return
    except (csv.Error, UnicodeDecodeError) as exc:
        reader.error(None, "file", f"rate file is not valid UTF-8 CSV: {exc}.", file=str(csv_path))
        return

    if not lines:
        reader.error(
            1,
            "header",
            "the rate file is empty.",
            f"Start with the header {','.join(CSV_COLUMNS)}.",
            file=str(csv_path),
        )
        return
    header = [column.strip() for column in lines[0]]
    if sorted(header) != sorted(CSV_COLUMNS):
        reader.error(
            1,
            "header",
            f"columns are {','.join(header)}; expected {','.join(CSV_COLUMNS)}.",
            "Use exactly these column names, in any order.",
            file=str(csv_path),
        )
        return

    for line_number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        origin = Origin(str(csv_path), line_number)
        if len(cells) != len(header):
            message = f"row has {len(cells)} cells; the header has {len(header)}."
            reader.error(line_number, "row", message, file=origin.file)
            continue
        row = {column: (cell.strip() or None) for column, cell in zip(header, cells, strict=True)}
        _add_rate(reader, row, origin, "row", parts)


def _add_rate(
    reader: NodeReader, cells: dict[str, str | None], origin: Origin, path: str, parts: CatalogParts
) -> None:
    """Check one rate row's cells and references, and keep the row when they are valid."""

    def fail(column: str, message: str, hint: str | None = None) -> None:
        reader.error(origin.line, f"{path}.{column}", message, hint, file=origin.file)

    missing = [
        column for column in ("plan_id", "rating_area", "effective_start", "base_rate") if not cells[column]
    ]
    for column in missing:
        fail(column, f"{column} is missing.")
    if missing:
        return

    plan_id, area_id = cells["plan_id"] or "", cells["rating_area"] or ""
    start = reader.date_text(
        cells["effective_start"] or "", f"{path}.effective_start", origin.line, file=origin.file
    )
    end_text = cells["effective_end"]
    end = (
        reader.date_text(end_text, f"{path}.effective_end", origin.line, file=origin.file)
        if end_text
        else None
    )
    base_rate = reader.decimal_text(
        cells["base_rate"] or "", f"{path}.base_rate", origin.line, file=origin.file
    )

    plan_states = {plan.state for (known_id, _), (plan, _) in parts.plans.items() if known_id == plan_id}
    area_entry = parts.areas.get(area_id)
    if (not plan_states and plan_id in parts.rejected_plan_ids) or area_id in parts.rejected_area_ids:
        return
    if not plan_states:
        fail("plan_id", f"plan {plan_id!r} is not defined in the catalog.", "Add the plan or correct the id.")
    if area_entry is None:
        fail(
            "rating_area",
            f"rating area {area_id!r} is not defined.",
            f"Known areas: {', '.join(parts.areas)}.",
        )
    elif plan_states and area_entry[0].state not in plan_states:
        fail("rating_area", f"rating area {area_id} is in {area_entry[0].state}, but plan {plan_id} is not.")
    if start is None or base_rate is None or not plan_states or area_entry is None:
        return
    if end_text and end is None:
        return

    try:
        parts.rates.append((RateRow(plan_id, area_id, start, end, base_rate), origin))
    except DomainError as exc:
        reader.error(origin.line, f"{path}.{exc.field}", exc.message, exc.hint, file=origin.file)


def check_crosswalks(reader: NodeReader, parts: CatalogParts) -> None:
    for plan, origin in parts.plans.values():
        if plan.crosswalk_plan_id is None:
            continue
        target_entry = parts.plans.get((plan.crosswalk_plan_id, plan.plan_year + 1))
        if target_entry is None:
            reader.error(
                origin.line,
                f"plan {plan.plan_id} ({plan.plan_year}).crosswalk_to",
                f"crosswalk target {plan.crosswalk_plan_id} has no plan year {plan.plan_year + 1} "
                "in the catalog.",
                "Add the renewal plan, or remove crosswalk_to if the plan is discontinued.",
            )
            continue
        target = target_entry[0]
        if (target.state, target.market) != (plan.state, plan.market):
            reader.error(
                origin.line,
                f"plan {plan.plan_id} ({plan.plan_year}).crosswalk_to",
                f"crosswalk target {target.record} is {target.market} in {target.state}, "
                f"but the plan is {plan.market} in {plan.state}.",
                "Members renew into a plan of the same state and market.",
            )


def check_rates(reader: NodeReader, parts: CatalogParts) -> None:
    """Check overlaps, rows outside every plan year, gaps within plan years and unrated plans."""
    origins = {id(row): origin for row, origin in parts.rates}
    rows = [row for row, _ in parts.rates]

    for earlier, later in overlapping_rows(rows):
        origin = origins[id(later)]
        earlier_origin = origins[id(earlier)]
        reader.error(
            origin.line,
            "effective_start",
            f"rate for plan {later.plan_id} in area {later.area_id} ({later.describe_span()}) overlaps "
            f"{earlier.describe_span()} from {earlier_origin.file} line {earlier_origin.line}.",
            "Make the effective date ranges of one plan and area follow each other without overlap.",
            file=origin.file,
        )

    years_by_plan: dict[str, set[int]] = defaultdict(set)
    for plan_id, plan_year in parts.plans:
        years_by_plan[plan_id].add(plan_year)

    rows_by_plan_year: dict[tuple[str, int], dict[str, list[RateRow]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        years = [year for year in years_by_plan[row.plan_id] if _touches_year(row, year)]
        if not years:
            origin = origins[id(row)]
            reader.error(
                origin.line,
                "effective_start",
                f"rate for plan {row.plan_id} ({row.describe_span()}) falls in no plan year of that plan "
                f"({', '.join(str(year) for year in sorted(years_by_plan[row.plan_id]))}).",
                "Correct the dates or add the plan year.",
                file=origin.file,
            )
        for year in years:
            rows_by_plan_year[(row.plan_id, year)][row.area_id].append(row)

    for key, (plan, plan_origin) in parts.plans.items():
        by_area = rows_by_plan_year.get(key)
        if not by_area:
            reader.error(
                plan_origin.line,
                f"plan {plan.plan_id} ({plan.plan_year})",
                "the plan has no rates.",
                "Add rate rows for every rating area the plan is sold in.",
            )
            continue
        year_span = DateSpan(date(plan.plan_year, 1, 1), date(plan.plan_year, 12, 31))
        for area_id, area_rows in sorted(by_area.items()):
            first_origin = origins[id(area_rows[0])]
            for gap in uncovered_spans(area_rows, year_span):
                reader.error(
                    first_origin.line,
                    "effective_start",
                    f"plan {plan.plan_id} in area {area_id} has no rate for {gap.start}..{gap.end} "
                    f"of plan year {plan.plan_year}.",
                    "Add a rate row for these dates; rates must cover the whole plan year.",
                    file=first_origin.file,
                )


def _touches_year(row: RateRow, year: int) -> bool:
    starts_by_year_end = row.effective_start <= date(year, 12, 31)
    ends_after_year_start = row.effective_end is None or row.effective_end >= date(year, 1, 1)
    return starts_by_year_end and ends_after_year_start
