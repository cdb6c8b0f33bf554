"""Synthetic carriers for the bill-run benchmark: a catalog and N individual policies, bulk-loaded.

Every policy has its own individual billing account and starts on ``EFFECTIVE``. About half
have a second member (a spouse or a child), so a policy averages 1.5 members. Most accounts
pay monthly, some quarterly, semi-annually or annually; 30% of policies are on the exchange
with an APTC amount. Rows are written with each engine's fastest path (COPY on PostgreSQL,
one executemany per batch on SQLite) with ids assigned here, in batches so memory stays flat.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from premia.rating.catalog import Catalog
from premia.rating.model import AgeBasis, ExchangeStatus, Market, MetalLevel, Plan, Product, RatingArea, RateRow
from premia.rating.rates import RateTable

EFFECTIVE = date(2026, 7, 1)
AS_OF = date(2026, 6, 15)
CREATED = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BATCH = 50_000

OFF_EXCHANGE_PLANS = {"OFFVA-BRONZE": "310.00", "OFFVA-SILVER": "395.00", "OFFVA-GOLD": "470.00"}
ON_EXCHANGE_PLANS = {"12345VA0010001": "330.00", "12345VA0010002": "405.00", "12345VA0010003": "480.00"}
AREAS = ("VA-1", "VA-2", "VA-3", "VA-4")
AREA_FACTORS = (Decimal("1.00"), Decimal("1.05"), Decimal("1.12"), Decimal("0.96"))
PLAN_YEARS = (2026, 2027)
MODES = (("monthly", 0.80), ("quarterly", 0.10), ("semi_annual", 0.05), ("annual", 0.05))
APTC_AMOUNTS = (15_000, 25_000, 40_000, 60_000)


def bench_catalog() -> Catalog:
    """Three off-exchange and three on-exchange Virginia plans in four rating areas, for 2026 and 2027."""
    plans = []
    rows = []
    for plan_id, rate in {**OFF_EXCHANGE_PLANS, **ON_EXCHANGE_PLANS}.items():
        on_exchange = plan_id in ON_EXCHANGE_PLANS
        for year in PLAN_YEARS:
            plans.append(
                Plan(
                    plan_id=plan_id,
                    plan_year=year,
                    product_id="12345VA001" if on_exchange else "OFFVA",
                    name=plan_id,
                    state="VA",
                    market=Market.INDIVIDUAL,
                    exchange=ExchangeStatus.ON if on_exchange else ExchangeStatus.OFF,
                    metal_level=MetalLevel.SILVER,
                    ehb_share=Decimal("0.995"),
                    tobacco_factor=Decimal("1.20"),
                    age_basis=AgeBasis.MEMBER_EFFECTIVE_DATE,
                )
            )
            for area, factor in zip(AREAS, AREA_FACTORS, strict=True):
                base = (Decimal(rate) * factor * (Decimal("1.04") ** (year - PLAN_YEARS[0]))).quantize(Decimal("0.01"))
                rows.append(RateRow(plan_id=plan_id, area_id=area, effective_start=date(year, 1, 1), effective_end=date(year, 12, 31), base_rate=base))
    return Catalog(
        carrier="BENCH",
        products=(Product(product_id="OFFVA", name="Off exchange", state="VA"), Product(product_id="12345VA001", name="Exchange", state="VA")),
        plans=tuple(plans),
        rating_areas=tuple(RatingArea(area_id=area, state="VA", counties=frozenset({f"County {area}"})) for area in AREAS),
        rates=RateTable(rows=tuple(rows)),
    )


@dataclass
class SeedBatch:
    """Rows of one batch of policies, keyed by table, in the column orders of ``COLUMNS``."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {name: [] for name in COLUMNS})


COLUMNS: dict[str, tuple[str, ...]] = {
    "persons": (
        "id",
        "member_id",
        "first_name",
        "last_name",
        "birth_date",
        "sex",
        "address_returned",
        "email_undeliverable",
        "spoken_language",
        "written_language",
        "version",
        "created_at",
        "updated_at",
    ),
    "billing_accounts": (
        "id",
        "account_number",
        "kind",
        "status",
        "legal_entity",
        "holder_key",
        "person_id",
        "payment_method",
        "payment_mode",
        "delivery",
        "language",
        "due_day",
        "version",
        "created_at",
        "updated_at",
    ),
    "policies": (
        "id",
        "policy_number",
        "billing_account_id",
        "subscriber_person_id",
        "plan_id",
        "rating_area",
        "market",
        "on_exchange",
        "state",
        "status",
        "effective_date",
        "source",
        "version",
        "created_at",
        "updated_at",
    ),
    "coverage_spans": (
        "id",
        "policy_id",
        "person_id",
        "relationship",
        "tobacco",
        "aptc_eligible",
        "start_date",
        "voided",
        "created_at",
        "updated_at",
    ),
    "exchange_amounts": ("id", "policy_id", "kind", "amount_cents", "start_date", "created_at"),
}

# Tables in the order foreign keys need them written.
TABLE_ORDER = ("persons", "billing_accounts", "policies", "coverage_spans", "exchange_amounts")


def seed_batches(policies: int, *, seed: int, adapt_date: Callable[[date], Any], adapt_timestamp: Callable[[datetime], Any]) -> Iterator[SeedBatch]:
    """Yield the seed rows for ``policies`` policies, ``BATCH`` policies at a time."""
    rng = random.Random(seed)
    created = adapt_timestamp(CREATED)
    effective = adapt_date(EFFECTIVE)
    modes = [mode for mode, _ in MODES]
    weights = [weight for _, weight in MODES]
    off_plans = list(OFF_EXCHANGE_PLANS)
    on_plans = list(ON_EXCHANGE_PLANS)
    person_id = span_id = amount_id = 0
    batch = SeedBatch()

    for index in range(1, policies + 1):
        rows = batch.rows
        person_id += 1
        subscriber = person_id
        rows["persons"].append(_person(subscriber, "S", adapt_date(_birth(rng, 1950, 2004)), created))
        rows["billing_accounts"].append(
            (index, f"BA-{index:07d}", "individual", "open", "MAIN", f"person:{subscriber}", subscriber, "invoice",
             rng.choices(modes, weights)[0], "paper", "en", 1, 1, created, created)
        )

        on_exchange = rng.random() < 0.30
        plan_id = rng.choice(on_plans if on_exchange else off_plans)
        rows["policies"].append(
            (index, f"P-{index:07d}", index, subscriber, plan_id, rng.choice(AREAS), "individual", on_exchange, "VA", "active",
             effective, "staff", 1, created, created)
        )

        span_id += 1
        rows["coverage_spans"].append((span_id, index, subscriber, "subscriber", rng.random() < 0.10, True, effective, False, created, created))
        if rng.random() < 0.5:
            person_id += 1
            spouse = rng.random() < 0.6
            birth = _birth(rng, 1955, 2004) if spouse else _birth(rng, 2005, 2026)
            rows["persons"].append(_person(person_id, "D", adapt_date(birth), created))
            span_id += 1
            rows["coverage_spans"].append(
                (span_id, index, person_id, "spouse" if spouse else "child", False, True, effective, False, created, created)
            )
        if on_exchange:
            amount_id += 1
            rows["exchange_amounts"].append((amount_id, index, "aptc", rng.choice(APTC_AMOUNTS), effective, created))

        if index % BATCH == 0:
            yield batch
            batch = SeedBatch()
    if batch.rows["persons"]:
        yield batch


def _person(person_id: int, role: str, birth: Any, created: Any) -> tuple[Any, ...]:
    return (person_id, f"B{person_id:09d}{role}", "Pat", f"Bench{person_id}", birth, "U", False, False, "en", "en", 1, created, created)


def _birth(rng: random.Random, first_year: int, last_year: int) -> date:
    start = date(first_year, 1, 1)
    # Every birth date is before the coverage starts on 2026-07-01.
    end = min(date(last_year, 12, 31), date(2026, 6, 1))
    return start + timedelta(days=rng.randrange((end - start).days + 1))
