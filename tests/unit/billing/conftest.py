"""A small catalog for pure billing tests: an on-exchange individual plan and a small-group plan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from premia.billing.coverage import CoveredMember, PolicyCoverage
from premia.rating.catalog import Catalog
from premia.rating.model import (
    AgeBasis,
    ExchangeStatus,
    Market,
    MetalLevel,
    Plan,
    Product,
    RatingArea,
    RateRow,
)
from premia.rating.rates import RateTable

INDIVIDUAL_PLAN = "12345VA0010001"
GROUP_PLAN = "GRPVA-GOLD"
AREA = "VA-1"
YEARS = (2025, 2026, 2027)


def billing_catalog(individual_rate: str = "400.00", group_rate: str = "450.00", *, tobacco: str = "1.20") -> Catalog:
    plans = []
    rows = []
    for year in YEARS:
        plans.append(
            Plan(
                plan_id=INDIVIDUAL_PLAN,
                plan_year=year,
                product_id="12345VA001",
                name="Silver",
                state="VA",
                market=Market.INDIVIDUAL,
                exchange=ExchangeStatus.ON,
                metal_level=MetalLevel.SILVER,
                ehb_share=Decimal("0.995"),
                tobacco_factor=Decimal(tobacco),
                age_basis=AgeBasis.MEMBER_EFFECTIVE_DATE,
            )
        )
        plans.append(
            Plan(
                plan_id=GROUP_PLAN,
                plan_year=year,
                product_id="GRPVA",
                name="Group Gold",
                state="VA",
                market=Market.SMALL_GROUP,
                exchange=ExchangeStatus.OFF,
                metal_level=MetalLevel.GOLD,
                ehb_share=Decimal("1"),
                age_basis=AgeBasis.PLAN_YEAR_START,
            )
        )
        for plan_id, rate in ((INDIVIDUAL_PLAN, individual_rate), (GROUP_PLAN, group_rate)):
            rows.append(RateRow(plan_id=plan_id, area_id=AREA, effective_start=date(year, 1, 1), effective_end=date(year, 12, 31), base_rate=Decimal(rate)))
    return Catalog(
        carrier="DEMO",
        products=(Product(product_id="12345VA001", name="Silver", state="VA"), Product(product_id="GRPVA", name="Group Gold", state="VA")),
        plans=tuple(plans),
        rating_areas=(RatingArea(area_id=AREA, state="VA", counties=frozenset({"Richmond City"})),),
        rates=RateTable(rows=tuple(rows)),
    )


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return billing_catalog()


def member(person_id: int, birth: date, start: date, *, relationship: str = "subscriber", end: date | None = None, tobacco: bool = False) -> CoveredMember:
    return CoveredMember(
        person_id=person_id,
        member_id=f"M{person_id}",
        birth_date=birth,
        relationship=relationship,
        tobacco=tobacco,
        aptc_eligible=True,
        start_date=start,
        end_date=end,
    )


def coverage(policy_id: int, members: tuple[CoveredMember, ...], *, effective: date, end: date | None = None, **fields) -> PolicyCoverage:
    values = {
        "policy_id": policy_id,
        "plan_id": INDIVIDUAL_PLAN,
        "rating_area": AREA,
        "market": "individual",
        "status": "active",
        "effective_date": effective,
        "end_date": end,
        "members": members,
    }
    values.update(fields)
    return PolicyCoverage(**values)
