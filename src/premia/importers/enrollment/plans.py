"""Resolve an 834 coverage line (loop 2300) to a plan of the loaded catalog.

REF*CE carries the Exchange plan id: the 14-character HIOS standard component id followed by
a two-digit CSR variant. Without it, the carrier's plan map decides from HD03, HD04, the
group number and the sender. A coverage line that resolves to no catalog plan is rejected:
the carrier's enrollment team can act on an error naming HD03, HD04 and REF*CE, whereas
coverage stored under an unknown plan could never be billed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from premia.formats.x12 import Coverage
from premia.importers.enrollment.model import MemberRejected
from premia.importers.enrollment.plan_map import PlanKey, PlanMap
from premia.rating.catalog import Catalog
from premia.rating.model import Plan

HIOS_STANDARD_COMPONENT = re.compile(r"^(\d{5}[A-Z]{2}\d{7})")


class ResolvedPlan(NamedTuple):
    """A catalog plan for a coverage line.

    ``plan`` is the catalog's plan for the year the coverage starts, or when the catalog has
    no such year, the plan's nearest year. ``rated`` is True in the first case only, because
    Premia can rate the coverage only in a plan year the catalog contains.
    """

    plan_id: str
    plan: Plan
    rated: bool
    source: str


class PlanResolver:
    """Looks coverage lines up in one catalog with one plan map."""

    def __init__(self, catalog: Catalog, plan_map: PlanMap, sender_id: str) -> None:
        self.plan_map = plan_map
        self.sender_id = sender_id
        self.years: dict[str, dict[int, Plan]] = {}
        for plan in catalog.plans:
            self.years.setdefault(plan.plan_id, {})[plan.plan_year] = plan
        self._cache: dict[tuple[object, ...], ResolvedPlan] = {}

    def resolve(self, coverage: Coverage, group_numbers: tuple[str, ...], start: date | None) -> ResolvedPlan:
        """Return the catalog plan for ``coverage`` or raise ``MemberRejected`` naming HD03, HD04 and REF*CE."""
        class_of_contract = coverage.class_of_contract
        year = start.year if start else None
        cache_key = (
            class_of_contract,
            coverage.insurance_line,
            coverage.plan_description,
            group_numbers,
            year,
        )
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached

        resolved = self._resolve(coverage, class_of_contract, group_numbers, year)
        self._cache[cache_key] = resolved
        return resolved

    def _resolve(
        self, coverage: Coverage, class_of_contract: str, group_numbers: tuple[str, ...], year: int | None
    ) -> ResolvedPlan:
        match = HIOS_STANDARD_COMPONENT.match(class_of_contract)
        if match and match.group(1) in self.years:
            return self._in_year(match.group(1), year, "REF*CE")

        key = PlanKey(coverage.insurance_line.value, coverage.plan_description, group_numbers, self.sender_id)
        entry = self.plan_map.plan_for(key)
        if entry is not None:
            if entry.plan_id not in self.years:
                raise MemberRejected(
                    "enrollment.plan_map_plan_unknown",
                    f"The plan map sends HD03 {key.insurance_line} HD04 {key.plan_description!r} to plan "
                    f"{entry.plan_id}, which is not in the loaded catalog.",
                    segment_id="HD",
                    position=coverage.position,
                    element="HD03",
                    hint="Correct the plan id in the plan map, or load a catalog that has the plan.",
                )
            return self._in_year(entry.plan_id, year, "plan map")

        raise MemberRejected(
            "enrollment.unknown_plan",
            f"The coverage line (HD03 {key.insurance_line}, HD04 {key.plan_description!r}, "
            f"REF*CE {class_of_contract!r}) names no plan in the catalog.",
            segment_id="HD",
            position=coverage.position,
            element=_element_at_fault(class_of_contract, key.plan_description),
            hint="Send REF*CE with the HIOS plan id of a catalog plan, or add an entry for this coverage "
            "line to the plan map given with --plan-map.",
        )

    def _in_year(self, plan_id: str, year: int | None, source: str) -> ResolvedPlan:
        years = self.years[plan_id]
        if year is not None and year in years:
            return ResolvedPlan(plan_id, years[year], True, source)
        nearest = min(years, key=lambda candidate: (abs(candidate - (year or candidate)), -candidate))
        return ResolvedPlan(plan_id, years[nearest], False, source)


def _element_at_fault(class_of_contract: str, plan_description: str) -> str:
    if class_of_contract:
        return "REF02"
    if plan_description:
        return "HD04"
    return "HD03"
