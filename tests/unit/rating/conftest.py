"""Fixtures for rating tests: the demo catalog and small hand-built plans and rate tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from premia.rating import DEMO_CATALOG_PATH, Catalog, parse_catalog_file
from premia.rating.model import (
    ExchangeStatus,
    Market,
    MetalLevel,
    Plan,
    RateRow,
    RatingArea,
)
from premia.rating.rates import RateTable

PLAN_YEAR = 2026


@pytest.fixture(scope="session")
def demo_catalog() -> Catalog:
    catalog, errors = parse_catalog_file(DEMO_CATALOG_PATH)
    assert errors == []
    assert catalog is not None
    return catalog


@pytest.fixture
def make_plan() -> Callable[..., Plan]:
    """Build an on-exchange individual VA plan; keyword arguments override any field."""

    def build(**overrides: Any) -> Plan:
        fields: dict[str, Any] = {
            "plan_id": "12345VA0020001",
            "plan_year": PLAN_YEAR,
            "product_id": "12345VA002",
            "name": "Test Silver",
            "state": "VA",
            "market": Market.INDIVIDUAL,
            "exchange": ExchangeStatus.ON,
            "metal_level": MetalLevel.SILVER,
            "ehb_share": Decimal("1.000"),
            "tobacco_factor": Decimal("1.20"),
        }
        fields.update(overrides)
        return Plan(**fields)

    return build


@pytest.fixture
def va_area() -> RatingArea:
    return RatingArea(area_id="VA-1", state="VA", counties=frozenset({"Fairfax County"}))


@pytest.fixture
def rates_for() -> Callable[[Plan, str], RateTable]:
    """Build a one-row rate table covering the plan's whole plan year at ``base_rate`` dollars."""

    def build(plan: Plan, base_rate: str, area_id: str = "VA-1") -> RateTable:
        row = RateRow(
            plan.plan_id,
            area_id,
            date(plan.plan_year, 1, 1),
            date(plan.plan_year, 12, 31),
            Decimal(base_rate),
        )
        return RateTable((row,))

    return build
