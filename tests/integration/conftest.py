"""Builders for billing stories: a small catalog, accounts, policies and members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, AccountKind, BillingPreferences, PaymentMode, PersonInput
from premia.accounts.person_service import create_person
from premia.billing.service import BillRunReport, run_billing
from premia.billing.tables import Invoice, InvoiceLine
from premia.enrollment import service as enrollment
from premia.enrollment.model import Market, PolicyStatus, Relationship
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.clock import FixedClock
from premia.rating.catalog import Catalog
from premia.rating.model import (
    AgeBasis,
    ExchangeStatus,
    MetalLevel,
    Plan,
    Product,
    RatingArea,
    RateRow,
)
from premia.rating.model import Market as PlanMarket
from premia.rating.rates import RateTable

PLAN_ID = "OFFVA-SILVER"
AREA_ID = "VA-1"


def story_catalog(base_rates: dict[int, str] | None = None, *, ehb_share: str = "1", exchange: bool = False) -> Catalog:
    """One off-exchange (or on-exchange) silver plan in one Virginia area, one rate per plan year."""
    base_rates = base_rates or {2024: "400.00", 2025: "400.00", 2026: "400.00", 2027: "400.00", 2028: "400.00"}
    plan_id = "12345VA0010001" if exchange else PLAN_ID
    product_id = "12345VA001" if exchange else "OFFVA"
    plans = tuple(
        Plan(
            plan_id=plan_id,
            plan_year=year,
            product_id=product_id,
            name="Silver",
            state="VA",
            market=PlanMarket.INDIVIDUAL,
            exchange=ExchangeStatus.ON if exchange else ExchangeStatus.OFF,
            metal_level=MetalLevel.SILVER,
            ehb_share=Decimal(ehb_share),
            age_basis=AgeBasis.MEMBER_EFFECTIVE_DATE,
        )
        for year in base_rates
    )
    rows = tuple(
        RateRow(plan_id=plan_id, area_id=AREA_ID, effective_start=date(year, 1, 1), effective_end=date(year, 12, 31), base_rate=Decimal(rate))
        for year, rate in base_rates.items()
    )
    return Catalog(
        carrier="DEMO",
        products=(Product(product_id=product_id, name="Silver", state="VA"),),
        plans=plans,
        rating_areas=(RatingArea(area_id=AREA_ID, state="VA", counties=frozenset({"Richmond City"})),),
        rates=RateTable(rows=rows),
    )


@dataclass
class Story:
    """A billing story on one engine: set the clock, change coverage, run billing, read invoices."""

    ctx: ServiceContext
    catalog: Catalog

    def at(self, day: date) -> Story:
        self.ctx.clock = FixedClock(datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC))
        return self

    def account(self, *, mode: PaymentMode = PaymentMode.MONTHLY, first_name: str = "Ana", birth: date = date(1990, 4, 12)):
        return accounts.create_account(
            self.ctx,
            AccountInput(
                kind=AccountKind.INDIVIDUAL,
                holder=PersonInput(first_name=first_name, last_name="Subscriber", birth_date=birth),
                preferences=BillingPreferences(payment_mode=mode),
            ),
        )

    def policy(self, account, *, effective: date, plan_id: str = PLAN_ID, market: Market = Market.INDIVIDUAL, on_exchange: bool = False) -> Policy:
        return enrollment.create_policy(
            self.ctx,
            enrollment.PolicyInput(
                billing_account_id=account.id,
                subscriber_person_id=account.person_id,
                plan_id=plan_id,
                rating_area=AREA_ID,
                market=market,
                state="VA",
                effective_date=effective,
                on_exchange=on_exchange,
                status=PolicyStatus.ACTIVE,
            ),
        )

    def dependent(self, policy: Policy, *, first_name: str, birth: date, relationship: Relationship, start: date, end: date | None = None):
        person = create_person(self.ctx, PersonInput(first_name=first_name, last_name="Dependent", birth_date=birth))
        return enrollment.add_member(self.ctx, policy, person_id=person.id, relationship=relationship, start_date=start, end_date=end)

    def bill(self, as_of: date, **options) -> BillRunReport:
        self.at(as_of)
        return run_billing(self.ctx, catalog=self.catalog, as_of=as_of, **options)

    def bill_daily(self, first: date, last: date) -> None:
        day = first
        while day <= last:
            self.bill(day)
            day += timedelta(days=1)

    def invoices(self, account) -> list[Invoice]:
        return list(self.ctx.session.scalars(select(Invoice).where(Invoice.billing_account_id == account.id).order_by(Invoice.period_start)))

    def lines(self, invoice: Invoice) -> list[InvoiceLine]:
        return list(self.ctx.session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id).order_by(InvoiceLine.id)))


@pytest.fixture
def story(ctx: ServiceContext) -> Story:
    return Story(ctx=ctx, catalog=story_catalog())
