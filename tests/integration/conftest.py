"""Builders for billing stories: a small catalog, accounts, policies and members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from premia.accounts import service as accounts
from premia.accounts.model import (
    AccountInput,
    AccountKind,
    Address,
    BillingPreferences,
    EmployerGroupInput,
    PaymentMode,
    PersonInput,
)
from premia.accounts.person_service import create_person
from premia.billing.service import BillRunReport, run_billing
from premia.billing.tables import Invoice, InvoiceLine
from premia.enrollment import service as enrollment
from premia.enrollment.model import ExchangeAmountKind, Market, PolicyStatus, Relationship
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.clock import FixedClock
from premia.payments.model import PaymentChannel, PaymentMethod
from premia.payments.service import post_payment
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
GROUP_PLAN_ID = "GRPVA-GOLD"


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


def group_catalog(base_rates: dict[int, str]) -> Catalog:
    """One small-group plan in one Virginia area, rated on the age at the group's plan-year start.

    Each rate row runs a calendar year; a group's whole plan year takes the row in force on
    its plan-year start.
    """
    plans = tuple(
        Plan(
            plan_id=GROUP_PLAN_ID,
            plan_year=year,
            product_id="GRPVA",
            name="Group Gold",
            state="VA",
            market=PlanMarket.SMALL_GROUP,
            exchange=ExchangeStatus.OFF,
            metal_level=MetalLevel.GOLD,
            ehb_share=Decimal("1"),
            age_basis=AgeBasis.PLAN_YEAR_START,
        )
        for year in base_rates
    )
    rows = tuple(
        RateRow(plan_id=GROUP_PLAN_ID, area_id=AREA_ID, effective_start=date(year, 1, 1), effective_end=date(year, 12, 31), base_rate=Decimal(rate))
        for year, rate in base_rates.items()
    )
    return Catalog(
        carrier="DEMO",
        products=(Product(product_id="GRPVA", name="Group Gold", state="VA"),),
        plans=plans,
        rating_areas=(RatingArea(area_id=AREA_ID, state="VA", counties=frozenset({"Richmond City"})),),
        rates=RateTable(rows=rows),
    )


def plans_catalog(plans: dict[str, dict[int, str]]) -> Catalog:
    """Several off-exchange individual plans in one area: plan id -> plan year -> base rate."""
    plan_rows = tuple(
        Plan(
            plan_id=plan_id,
            plan_year=year,
            product_id=plan_id.split("-")[0],
            name=plan_id,
            state="VA",
            market=PlanMarket.INDIVIDUAL,
            exchange=ExchangeStatus.OFF,
            metal_level=MetalLevel.SILVER,
            ehb_share=Decimal("1"),
            age_basis=AgeBasis.MEMBER_EFFECTIVE_DATE,
        )
        for plan_id, rates in plans.items()
        for year in rates
    )
    rows = tuple(
        RateRow(plan_id=plan_id, area_id=AREA_ID, effective_start=date(year, 1, 1), effective_end=date(year, 12, 31), base_rate=Decimal(rate))
        for plan_id, rates in plans.items()
        for year, rate in rates.items()
    )
    products = {plan_id.split("-")[0] for plan_id in plans}
    return Catalog(
        carrier="DEMO",
        products=tuple(Product(product_id=product, name=product, state="VA") for product in sorted(products)),
        plans=plan_rows,
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

    def account(
        self,
        *,
        mode: PaymentMode = PaymentMode.MONTHLY,
        first_name: str = "Ana",
        birth: date = date(1990, 4, 12),
        legal_entity: str = "MAIN",
    ):
        return accounts.create_account(
            self.ctx,
            AccountInput(
                kind=AccountKind.INDIVIDUAL,
                holder=PersonInput(first_name=first_name, last_name="Subscriber", birth_date=birth),
                preferences=BillingPreferences(payment_mode=mode),
                legal_entity=legal_entity,
            ),
        )

    def employer_group(self, number: str, *, anniversary_month: int, parent: str | None = None):
        """An employer group (or a sub-group of ``parent``) and the billing account its list bill goes to."""
        accounts.create_employer_group(
            self.ctx,
            EmployerGroupInput(
                group_number=number,
                name=f"Employer {number}",
                anniversary_month=anniversary_month,
                address=Address(line1="1 Main St", city="Richmond", state="VA", zip_code="23220"),
                parent_group_number=parent,
            ),
        )
        group = accounts.get_group_row(self.ctx, number)
        account = accounts.create_account(self.ctx, AccountInput(kind=AccountKind.GROUP, employer_group_number=number))
        return group, account

    def employee(self, account, group, *, first_name: str, birth: date, effective: date, plan_id: str = GROUP_PLAN_ID) -> Policy:
        """An employee's small-group policy, billed on the group's list bill."""
        person = create_person(self.ctx, PersonInput(first_name=first_name, last_name="Employee", birth_date=birth))
        return enrollment.create_policy(
            self.ctx,
            enrollment.PolicyInput(
                billing_account_id=account.id,
                subscriber_person_id=person.id,
                plan_id=plan_id,
                rating_area=AREA_ID,
                market=Market.SMALL_GROUP,
                state="VA",
                effective_date=effective,
                employer_group_id=group.id,
                status=PolicyStatus.ACTIVE,
            ),
        )

    def spans(self, policy: Policy):
        return enrollment.spans_of(self.ctx, policy.id)

    def end_member(self, span, last_day: date):
        """End one member's coverage on ``last_day`` (a drop, retroactive when in the past)."""
        return enrollment.end_member_coverage(self.ctx, span, last_day)

    def terminate(self, policy: Policy, last_day: date) -> Policy:
        """End the policy and every member's coverage still open after ``last_day``.

        A policy that already ended on or before ``last_day`` is left as it is.
        """
        if policy.end_date is not None and policy.end_date <= last_day:
            return policy
        for span in enrollment.spans_of(self.ctx, policy.id):
            if span.end_date is None or span.end_date > last_day:
                enrollment.end_member_coverage(self.ctx, span, max(last_day, span.start_date))
        policy.end_date = last_day
        policy.status = PolicyStatus.TERMINATED.value
        self.ctx.session.flush()
        return policy

    def cancel(self, policy: Policy) -> Policy:
        """Void the policy from its effective date: it never owed premium."""
        policy.status = PolicyStatus.CANCELLED.value
        self.ctx.session.flush()
        return policy

    def aptc(self, policy: Policy, cents: int, *, start: date, end: date | None = None):
        """Record the exchange's monthly APTC for the policy from ``start``."""
        return enrollment.set_exchange_amount(self.ctx, policy, kind=ExchangeAmountKind.APTC, amount_cents=cents, start_date=start, end_date=end)

    def pay(self, account, cents: int, on: date):
        """Post a settled check payment of ``cents`` to the account on ``on``."""
        return self._pay(account.id, cents, on)

    def pay_invoice(self, invoice: Invoice, on: date):
        """Pay an invoice's own charges (its current charges and adjustments) in full."""
        return self._pay(invoice.billing_account_id, invoice.current_charges_cents + invoice.adjustments_cents, on)

    def _pay(self, account_id: int, cents: int, on: date):
        self.at(on)
        return post_payment(
            self.ctx,
            billing_account_id=account_id,
            amount_cents=cents,
            channel=PaymentChannel.MANUAL,
            method=PaymentMethod.CHECK,
            received_on=on,
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

    def bill_every(self, first: date, last: date, *, days: int = 7) -> None:
        """Run billing every ``days`` days from ``first`` through ``last``, for stories that span a year."""
        day = first
        while day <= last:
            self.bill(day)
            day += timedelta(days=days)

    def invoices(self, account) -> list[Invoice]:
        return list(self.ctx.session.scalars(select(Invoice).where(Invoice.billing_account_id == account.id).order_by(Invoice.period_start)))

    def lines(self, invoice: Invoice) -> list[InvoiceLine]:
        return list(self.ctx.session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id).order_by(InvoiceLine.id)))


@pytest.fixture
def story(ctx: ServiceContext) -> Story:
    return Story(ctx=ctx, catalog=story_catalog())
