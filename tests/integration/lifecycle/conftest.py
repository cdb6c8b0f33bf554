"""Builders for lifecycle stories: households, plan catalogs with crosswalks, and lifecycle calls by date."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import select

from premia.accounts.model import PaymentMode
from premia.billing.tables import Invoice, InvoiceLine
from premia.enrollment.model import Relationship
from premia.enrollment.tables import Policy
from premia.lifecycle import cancellation, changes, renewals, termination
from premia.lifecycle.config import DEFAULT_CONFIG, LifecycleConfig
from premia.lifecycle.model import RequestSource
from premia.lifecycle.refunds import settle_refunds
from premia.lifecycle.tables import PolicyChange, RenewalOffer
from premia.notices.tables import Notice
from premia.rating.catalog import Catalog
from premia.rating.model import AgeBasis, ExchangeStatus, MetalLevel, Plan, Product, RateRow, RatingArea
from premia.rating.model import Market as PlanMarket
from premia.rating.rates import RateTable


def _integration_conftest() -> ModuleType:
    """The shared integration builders, loaded once under the module name pytest gives them."""
    name = "tests.integration.conftest"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "conftest.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_shared = _integration_conftest()
Story = _shared.Story
story_catalog = _shared.story_catalog
group_catalog = _shared.group_catalog
plans_catalog = _shared.plans_catalog
AREA_ID = _shared.AREA_ID
PLAN_ID = _shared.PLAN_ID
GROUP_PLAN_ID = _shared.GROUP_PLAN_ID
EXCHANGE_PLAN_ID = "12345VA0010001"


def crosswalk_catalog() -> Catalog:
    """Bronze A (2026, 300.00) is discontinued and crosswalks to Bronze B (2027, 330.00); Gold runs both years.

    An on-exchange silver plan for 2027 is there to be the wrong choice for these off-exchange policies.
    """
    specs = [
        ("BRZVA-A", 2026, "BRZVA-B", MetalLevel.BRONZE, "300.00"),
        ("BRZVA-B", 2027, None, MetalLevel.BRONZE, "330.00"),
        ("GLDVA-A", 2026, None, MetalLevel.GOLD, "450.00"),
        ("GLDVA-A", 2027, None, MetalLevel.GOLD, "470.00"),
    ]
    plans = tuple(
        Plan(
            plan_id=plan_id,
            plan_year=year,
            product_id=plan_id.split("-")[0],
            name=f"{metal.value.title()} {plan_id}",
            state="VA",
            market=PlanMarket.INDIVIDUAL,
            exchange=ExchangeStatus.OFF,
            metal_level=metal,
            ehb_share=Decimal("1"),
            age_basis=AgeBasis.MEMBER_EFFECTIVE_DATE,
            crosswalk_plan_id=crosswalk,
        )
        for plan_id, year, crosswalk, metal, _ in specs
    ) + (
        Plan(
            plan_id=EXCHANGE_PLAN_ID,
            plan_year=2027,
            product_id="12345VA001",
            name="Exchange Silver",
            state="VA",
            market=PlanMarket.INDIVIDUAL,
            exchange=ExchangeStatus.ON,
            metal_level=MetalLevel.SILVER,
            ehb_share=Decimal("1"),
        ),
    )
    rows = tuple(
        RateRow(plan_id=plan_id, area_id=AREA_ID, effective_start=date(year, 1, 1), effective_end=date(year, 12, 31), base_rate=Decimal(rate))
        for plan_id, year, _, _, rate in specs
    ) + (RateRow(plan_id=EXCHANGE_PLAN_ID, area_id=AREA_ID, effective_start=date(2027, 1, 1), effective_end=date(2027, 12, 31), base_rate=Decimal("400.00")),)
    return Catalog(
        carrier="DEMO",
        products=(
            Product(product_id="BRZVA", name="Bronze", state="VA"),
            Product(product_id="GLDVA", name="Gold", state="VA"),
            Product(product_id="12345VA001", name="Exchange Silver", state="VA"),
        ),
        plans=plans,
        rating_areas=(RatingArea(area_id=AREA_ID, state="VA", counties=frozenset({"Richmond City"})),),
        rates=RateTable(rows=rows),
    )


@dataclass
class Household:
    account: object
    policy: Policy


@dataclass
class LifecycleStory:
    """A billing story plus the lifecycle calls, each run on the date it is given."""

    story: Story
    config: LifecycleConfig = DEFAULT_CONFIG

    @property
    def ctx(self):
        return self.story.ctx

    @property
    def catalog(self) -> Catalog:
        return self.story.catalog

    def couple(self, *, effective: date, birth_a: date, birth_b: date, mode: PaymentMode = PaymentMode.MONTHLY, plan_id: str = PLAN_ID) -> Household:
        account = self.story.at(date(effective.year - 1, 11, 1) if effective.month == 1 else effective.replace(day=1)).account(birth=birth_a, mode=mode)
        policy = self.story.policy(account, effective=effective, plan_id=plan_id)
        self.story.dependent(policy, first_name="B", birth=birth_b, relationship=Relationship.SPOUSE, start=effective)
        return Household(account, policy)

    def single(self, *, effective: date, birth: date, mode: PaymentMode = PaymentMode.MONTHLY, plan_id: str = PLAN_ID, on_exchange: bool = False) -> Household:
        account = self.story.at(date(effective.year - 1, 11, 1) if effective.month == 1 else effective.replace(day=1)).account(birth=birth, mode=mode)
        return Household(account, self.story.policy(account, effective=effective, plan_id=plan_id, on_exchange=on_exchange))

    def renew(self, as_of: date):
        self.story.at(as_of)
        return renewals.run_renewals(self.ctx, catalog=self.catalog, as_of=as_of, config=self.config)

    def terminate(self, policy: Policy, last_day: date, *, on: date, source: RequestSource = RequestSource.MEMBER, reason: str = "other coverage"):
        self.story.at(on)
        return termination.terminate_policy(
            self.ctx, policy.policy_number, catalog=self.catalog, last_day=last_day, requested_on=on, reason=reason, source=source, config=self.config
        )

    def cancel(self, policy: Policy, *, on: date, source: RequestSource = RequestSource.MEMBER, delivered_on: date | None = None):
        self.story.at(on)
        return cancellation.cancel_policy(
            self.ctx, policy.policy_number, catalog=self.catalog, requested_on=on, reason="", source=source, delivered_on=delivered_on, config=self.config
        )

    def change_plan(self, policy: Policy, plan_id: str, *, effective: date, on: date, source: RequestSource = RequestSource.MEMBER):
        self.story.at(on)
        return changes.change_plan(
            self.ctx, policy.policy_number, catalog=self.catalog, plan_id=plan_id, effective=effective, requested_on=on, source=source, config=self.config
        )

    def settle(self, as_of: date):
        self.story.at(as_of)
        return settle_refunds(self.ctx, catalog=self.catalog, as_of=as_of, config=self.config)

    def policy(self, number: str) -> Policy:
        return self.ctx.session.scalar(select(Policy).where(Policy.policy_number == number))

    def renewal_of(self, policy: Policy) -> Policy | None:
        return self.ctx.session.scalar(select(Policy).where(Policy.renewed_from_policy_id == policy.id).order_by(Policy.id.desc()))

    def offers(self, policy: Policy) -> list[RenewalOffer]:
        return list(self.ctx.session.scalars(select(RenewalOffer).where(RenewalOffer.policy_id == policy.id).order_by(RenewalOffer.id)))

    def changes_of(self, policy: Policy) -> list[PolicyChange]:
        return list(self.ctx.session.scalars(select(PolicyChange).where(PolicyChange.policy_id == policy.id).order_by(PolicyChange.id)))

    def notices(self, policy: Policy, notice_type: str) -> list[Notice]:
        return list(self.ctx.session.scalars(select(Notice).where(Notice.policy_id == policy.id, Notice.notice_type == notice_type).order_by(Notice.id)))

    def invoice_for(self, account, period_start: date) -> Invoice:
        return self.ctx.session.scalar(select(Invoice).where(Invoice.billing_account_id == account.id, Invoice.period_start == period_start))

    def lines(self, invoice: Invoice) -> list[InvoiceLine]:
        return self.story.lines(invoice)

    def month_total(self, invoice: Invoice, month: date, *, adjustment: bool | None = None) -> int:
        """Sum of an invoice's lines for one coverage month, optionally adjustments only or regular only."""
        return sum(
            line.amount_cents
            for line in self.lines(invoice)
            if line.coverage_month == month and (adjustment is None or line.adjustment == adjustment)
        )


@pytest.fixture
def life(story) -> LifecycleStory:
    return LifecycleStory(story=story)
