"""A carrier's rating catalog: products, plans, rating areas, rates and rule tables.

The catalog is a pure, validated value. :mod:`premia.rating.catalog_file` builds it from
YAML and CSV files; the database loader stores it, using :meth:`Catalog.content_hash` to
recognise a catalog it has already loaded.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from premia.kernel.dates import Month
from premia.kernel.errors import ConflictError, NotFoundError
from premia.rating.contributions import ContributionRule
from premia.rating.engine import RatingResult, RatingRules, rate_policy
from premia.rating.model import Member, Plan, Product, RateRow, RatingArea
from premia.rating.rates import RateTable


@dataclass(frozen=True)
class Catalog:
    """Everything needed to rate the carrier's plans, checked for consistency when parsed."""

    carrier: str
    products: tuple[Product, ...]
    plans: tuple[Plan, ...]
    rating_areas: tuple[RatingArea, ...]
    rates: RateTable
    rules: RatingRules = field(default_factory=RatingRules)

    def product(self, product_id: str) -> Product:
        for product in self.products:
            if product.product_id == product_id:
                return product
        raise NotFoundError(
            code="rating.unknown_product",
            message=f"product {product_id!r} is not in the catalog.",
            field="product_id",
            value=product_id,
            hint="Check the product id against the catalog's products.",
        )

    def plan(self, plan_id: str, plan_year: int) -> Plan:
        years = sorted(plan.plan_year for plan in self.plans if plan.plan_id == plan_id)
        if not years:
            raise NotFoundError(
                code="rating.unknown_plan",
                message=f"plan {plan_id!r} is not in the catalog.",
                field="plan_id",
                value=plan_id,
                hint="Check the plan id; HIOS plan ids have 14 characters, for example 12345VA0010001.",
            )
        for plan in self.plans:
            if plan.key == (plan_id, plan_year):
                return plan
        raise NotFoundError(
            code="rating.unknown_plan_year",
            message=f"plan {plan_id} has no plan year {plan_year} in the catalog.",
            field="plan_year",
            value=plan_year,
            hint=f"The catalog has plan {plan_id} for {', '.join(str(year) for year in years)}.",
        )

    def area(self, area_id: str) -> RatingArea:
        for area in self.rating_areas:
            if area.area_id == area_id:
                return area
        raise NotFoundError(
            code="rating.unknown_area",
            message=f"rating area {area_id!r} is not in the catalog.",
            field="area_id",
            value=area_id,
            hint=f"Known rating areas: {', '.join(area.area_id for area in self.rating_areas)}.",
        )

    def find_area(self, state: str, *, zip_code: str | None = None, county: str | None = None) -> RatingArea:
        """Return the rating area of a residence or business address.

        A 5-digit ZIP listed by an area wins, then the county, then the 3-digit ZIP prefix.
        A ZIP that two areas share needs the county to decide.
        """
        in_state = [area for area in self.rating_areas if area.state == state]
        county_key = county.strip().casefold() if county else None
        tests: tuple[Callable[[RatingArea], bool], ...] = (
            lambda area: zip_code is not None and zip_code in area.zip5,
            lambda area: county_key is not None and county_key in area.counties,
            lambda area: zip_code is not None and zip_code[:3] in area.zip3,
        )
        for matches_area in tests:
            found = [area for area in in_state if matches_area(area)]
            if len(found) > 1 and county_key is not None:
                narrowed = [area for area in found if county_key in area.counties]
                found = narrowed or found
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                raise ConflictError(
                    code="rating.ambiguous_area",
                    message=(
                        f"{state} ZIP {zip_code} county {county} matches rating areas "
                        f"{', '.join(area.area_id for area in found)}."
                    ),
                    field="zip_code",
                    value=zip_code,
                    hint="Give the county as well as the ZIP code.",
                )
        raise NotFoundError(
            code="rating.no_area_for_address",
            message=f"no {state} rating area covers ZIP {zip_code}{f' county {county}' if county else ''}.",
            field="zip_code",
            value=zip_code,
            hint="Check the address, or add the county or ZIP code to a rating area.",
        )

    def crosswalk_target(self, plan: Plan) -> Plan | None:
        """Return the plan that ``plan``'s members renew into next year, if the catalog has it."""
        target_id = plan.crosswalk_plan_id or plan.plan_id
        for candidate in self.plans:
            if candidate.key == (target_id, plan.plan_year + 1):
                return candidate
        return None

    def to_dict(self) -> dict[str, Any]:
        """Return the catalog as JSON-ready data; decimals are strings as filed."""
        return _catalog_data(self, decimal_text=str)

    def content_hash(self) -> str:
        """Return a SHA-256 of the catalog's content, independent of file layout and order.

        Two files with the same products, plans, areas, rates and rule tables hash the same
        even when comments, key order, row order or number formatting (400.0 and 400.00)
        differ, so a loader can skip a catalog it has already stored.
        """
        canonical = _catalog_data(self, decimal_text=_canonical_decimal)
        encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()


def rate_from_catalog(
    catalog: Catalog,
    *,
    plan_id: str,
    area_id: str,
    members: Sequence[Member],
    month: Month,
    rating_date: date,
    plan_year: int | None = None,
    aptc_cents: int = 0,
    contribution: ContributionRule | None = None,
) -> RatingResult:
    """Rate a policy on a catalog plan; ``plan_year`` defaults to the rating date's year."""
    plan = catalog.plan(plan_id, plan_year if plan_year is not None else rating_date.year)
    return rate_policy(
        plan=plan,
        area=catalog.area(area_id),
        rates=catalog.rates,
        members=members,
        month=month,
        rating_date=rating_date,
        aptc_cents=aptc_cents,
        contribution=contribution,
        rules=catalog.rules,
    )


def _canonical_decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _catalog_data(catalog: Catalog, *, decimal_text: Any) -> dict[str, Any]:
    def plan_data(plan: Plan) -> dict[str, Any]:
        return {
            "id": plan.plan_id,
            "plan_year": plan.plan_year,
            "product": plan.product_id,
            "name": plan.name,
            "state": plan.state,
            "market": plan.market.value,
            "exchange": plan.exchange.value,
            "metal_level": plan.metal_level.value,
            "ehb_share": decimal_text(plan.ehb_share),
            "proration_method": plan.proration_method.value,
            "grace_rule_set": plan.grace_rule_set,
            "rating_method": plan.rating_method.value,
            "age_basis": plan.age_basis.value,
            "age_curve": plan.age_curve,
            "tobacco_factor": decimal_text(plan.tobacco_factor),
            "family_tier_table": plan.family_tier_table,
            "crosswalk_to": plan.crosswalk_plan_id,
        }

    def area_data(area: RatingArea) -> dict[str, Any]:
        return {
            "id": area.area_id,
            "state": area.state,
            "name": area.name,
            "counties": sorted(area.counties),
            "zip3": sorted(area.zip3),
            "zip5": sorted(area.zip5),
        }

    def rate_data(row: RateRow) -> dict[str, Any]:
        return {
            "plan_id": row.plan_id,
            "area_id": row.area_id,
            "effective_start": row.effective_start.isoformat(),
            "effective_end": row.effective_end.isoformat() if row.effective_end else None,
            "base_rate": decimal_text(row.base_rate),
        }

    rules = catalog.rules
    return {
        "carrier": catalog.carrier,
        "products": sorted(
            ({"id": p.product_id, "name": p.name, "state": p.state} for p in catalog.products),
            key=lambda item: item["id"],
        ),
        "plans": sorted(
            (plan_data(plan) for plan in catalog.plans), key=lambda item: (item["id"], item["plan_year"])
        ),
        "rating_areas": sorted(
            (area_data(area) for area in catalog.rating_areas), key=lambda item: item["id"]
        ),
        "rates": sorted(
            (rate_data(row) for row in catalog.rates.rows),
            key=lambda item: (item["plan_id"], item["area_id"], item["effective_start"]),
        ),
        "age_curves": {
            name: {band.label: decimal_text(band.factor) for band in curve.bands}
            for name, curve in sorted(rules.age_curves.items())
        },
        "family_tier_tables": {
            name: {
                tier.value: None if value is None else decimal_text(value)
                for tier, value in table.multipliers().items()
            }
            for name, table in sorted(rules.family_tier_tables.items())
        },
        "tobacco_caps": {state: decimal_text(cap) for state, cap in sorted(rules.tobacco_caps.items())},
        "child_cap": {"max_charged": rules.child_cap.max_charged, "age_limit": rules.child_cap.age_limit},
    }
