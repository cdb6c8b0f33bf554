"""A billing story with one off-exchange and one exchange (APTC) household, for the KPI queries.

Both subscribers are born 1990-04-12: age 35 in 2026, rated 400.00 x 1.222 = 488.80 a month.
The exchange household gets 200.00 APTC, so its invoices ask 488.80 - 200.00 = 288.80.
January 2026 is due Friday 2026-01-02 (New Year's Day moves it), February Monday 2026-02-02
and March Monday 2026-03-02 (the 1st of both is a Sunday).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.rating.catalog import Catalog
from premia.rating.rates import RateTable
from tests.integration.conftest import Story, story_catalog

EXCHANGE_PLAN = "12345VA0010001"
MONTHLY = 48_880
APTC = 20_000
NET = MONTHLY - APTC


def two_market_catalog() -> Catalog:
    """The story's off-exchange silver plan and its exchange plan, in one catalog."""
    off = story_catalog()
    on = story_catalog(exchange=True)
    return Catalog(
        carrier=off.carrier,
        products=off.products + on.products,
        plans=off.plans + on.plans,
        rating_areas=off.rating_areas,
        rates=RateTable(rows=off.rates.rows + on.rates.rows),
    )


@dataclass
class Book:
    story: Story
    direct: Any
    direct_policy: Policy
    exchange: Any
    exchange_policy: Policy


@pytest.fixture
def book(ctx: ServiceContext) -> Book:
    """Both households covered from 2026-01-01, billed for January to March and paying:

    - January in full by both (2025-12-28 and 12-29);
    - February in full by the exchange household (2026-01-30); half by the direct one by its
      cut-off (2026-02-10) and the other half late (2026-03-20);
    - March not at all.
    """
    story = Story(ctx=ctx, catalog=two_market_catalog())
    story.at(date(2025, 12, 1))
    direct = story.account(first_name="Dana")
    direct_policy = story.policy(direct, effective=date(2026, 1, 1))
    exchange = story.account(first_name="Eli")
    exchange_policy = story.policy(exchange, effective=date(2026, 1, 1), plan_id=EXCHANGE_PLAN, on_exchange=True)
    story.aptc(exchange_policy, APTC, start=date(2026, 1, 1))

    story.bill(date(2025, 12, 15))
    story.pay(direct, MONTHLY, date(2025, 12, 28))
    story.pay(exchange, NET, date(2025, 12, 29))
    story.bill(date(2026, 1, 15))
    story.pay(exchange, NET, date(2026, 1, 30))
    story.pay(direct, MONTHLY // 2, date(2026, 2, 10))
    story.bill(date(2026, 2, 15))
    story.pay(direct, MONTHLY // 2, date(2026, 3, 20))
    return Book(story, direct, direct_policy, exchange, exchange_policy)
