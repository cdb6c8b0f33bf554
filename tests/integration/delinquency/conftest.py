"""A delinquency story builder: households and groups, bill runs, payments and delinquency runs by date.

Stories run in the carrier time zone America/Chicago, as the fault scenarios assume.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import select

from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, AccountKind, Address, BillingPreferences, EmployerGroupInput, PersonInput
from premia.accounts.person_service import create_person
from premia.accounts.tables import BillingAccount, Person
from premia.billing.model import LineKind
from premia.billing.queries import paid_through_dates
from premia.billing.tables import InvoiceLine
from premia.delinquency.config import DelinquencyConfig, default_config
from premia.delinquency.eligibility import EligibilityAnswer, eligibility
from premia.delinquency.model import GraceOutcome
from premia.delinquency.service import DelinquencyRunReport, run_delinquency
from premia.delinquency.tables import DelinquencyTransition, GracePeriod, Outbound834
from premia.enrollment import service as enrollment
from premia.enrollment.model import ExchangeAmountKind, Market, PolicyStatus, Relationship
from premia.enrollment.tables import Policy
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind, LedgerAccount, LineSpec
from premia.notices.service import notices_for
from premia.payments.model import PaymentChannel, PaymentMethod
from premia.payments.service import PostingResult, post_payment

EXCHANGE_PLAN = "12345VA0010001"
OFF_EXCHANGE_PLAN = "OFFVA-SILVER"


def _integration_conftest() -> ModuleType:
    """The shared integration builders (``Story``, ``story_catalog``), loaded once under pytest's own name."""
    name = "tests.integration.conftest"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "conftest.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@dataclass
class Household:
    account: BillingAccount
    policy: Policy
    member_id: str


@dataclass
class DelinquencyStory:
    """Step a story through dates: bill, pay, run delinquency, then read state, notices and eligibility."""

    story: object
    config: DelinquencyConfig = field(default_factory=default_config)

    @property
    def ctx(self):
        return self.story.ctx

    def individual(
        self,
        *,
        effective: date,
        birth: date,
        first_name: str = "Ana",
        spouse_birth: date | None = None,
        status: PolicyStatus = PolicyStatus.ACTIVE,
        exchange: bool = False,
        aptc_cents: int | None = None,
        state: str = "VA",
        zip_code: str = "23219",
        received: date | None = None,
    ) -> Household:
        self.story.at(received or effective - timedelta(days=20))
        holder = PersonInput(
            first_name=first_name,
            last_name="Subscriber",
            birth_date=birth,
            residential_address=Address(line1="1 Main St", city="Richmond", state=state, zip_code=zip_code),
        )
        account = accounts.create_account(self.ctx, AccountInput(kind=AccountKind.INDIVIDUAL, holder=holder, preferences=BillingPreferences()))
        policy = enrollment.create_policy(
            self.ctx,
            enrollment.PolicyInput(
                billing_account_id=account.id,
                subscriber_person_id=account.person_id,
                plan_id=EXCHANGE_PLAN if exchange else OFF_EXCHANGE_PLAN,
                rating_area="VA-1",
                market=Market.INDIVIDUAL,
                state=state,
                effective_date=effective,
                on_exchange=exchange,
                exchange_policy_id=f"EX-{account.id:05d}" if exchange else None,
                status=status,
            ),
        )
        if spouse_birth is not None:
            self.story.dependent(policy, first_name="Bea", birth=spouse_birth, relationship=Relationship.SPOUSE, start=effective)
        if aptc_cents is not None:
            enrollment.set_exchange_amount(self.ctx, policy, kind=ExchangeAmountKind.APTC, amount_cents=aptc_cents, start_date=effective)
        return Household(account=account, policy=policy, member_id=self._member_id(account))

    def group(self, *, effective: date, employee_births: list[date], anniversary_month: int = 1) -> tuple[BillingAccount, list[Household]]:
        self.story.at(effective - timedelta(days=20))
        address = Address(line1="9 Market St", city="Richmond", state="VA", zip_code="23219")
        group = accounts.create_employer_group(
            self.ctx, EmployerGroupInput(group_number="G-100", name="Acme Tools", anniversary_month=anniversary_month, address=address)
        )
        account = accounts.create_account(self.ctx, AccountInput(kind=AccountKind.GROUP, employer_group_number=group.group_number))
        employees: list[Household] = []
        for number, birth in enumerate(employee_births, start=1):
            person = create_person(self.ctx, PersonInput(first_name=f"Employee{number}", last_name="Worker", birth_date=birth))
            policy = enrollment.create_policy(
                self.ctx,
                enrollment.PolicyInput(
                    billing_account_id=account.id,
                    subscriber_person_id=person.id,
                    employer_group_id=group.id,
                    plan_id=OFF_EXCHANGE_PLAN,
                    rating_area="VA-1",
                    market=Market.SMALL_GROUP,
                    state="VA",
                    effective_date=effective,
                    status=PolicyStatus.ACTIVE,
                ),
            )
            employees.append(Household(account=account, policy=policy, member_id=person.member_id))
        return account, employees

    def bill(self, as_of: date) -> None:
        self.story.bill(as_of)

    def pay(self, household: Household, cents: int, on: date, *, ach: bool = False) -> PostingResult:
        self.story.at(on)
        return post_payment(
            self.ctx,
            billing_account_id=household.account.id,
            amount_cents=cents,
            channel=PaymentChannel.ACH_AUTODRAFT if ach else PaymentChannel.MANUAL,
            method=PaymentMethod.ACH if ach else PaymentMethod.CHECK,
            received_on=on,
        )

    def fee(self, household: Household, cents: int, on: date, description: str = "returned payment fee") -> InvoiceLine:
        """Post a fee the way a returned-payment fee is posted: its own line, shown on the next invoice."""
        line = InvoiceLine(
            invoice_id=None,
            billing_account_id=household.account.id,
            policy_id=None,
            person_id=None,
            coverage_month=None,
            kind=LineKind.FEE.value,
            adjustment=False,
            amount_cents=cents,
            days_covered=0,
            days_in_month=0,
            description=description,
        )
        self.ctx.session.add(line)
        self.ctx.session.flush()
        ledger.post_entry(
            self.ctx,
            kind=EntryKind.FEE,
            entry_date=on,
            lines=[
                LineSpec(account=LedgerAccount.PREMIUM_RECEIVABLE, amount_cents=cents, billing_account_id=household.account.id, invoice_line_id=line.id),
                LineSpec(account=LedgerAccount.FEE_REVENUE, amount_cents=-cents),
            ],
            reference=description,
            billing_account_id=household.account.id,
        )
        return line

    def run(self, as_of: date, config: DelinquencyConfig | None = None) -> DelinquencyRunReport:
        self.story.at(as_of)
        return run_delinquency(self.ctx, as_of=as_of, config=config or self.config)

    def day(self, as_of: date) -> DelinquencyRunReport:
        """Run the bill run and then the delinquency run for ``as_of``."""
        self.bill(as_of)
        return self.run(as_of)

    def status(self, household: Household) -> str:
        self.ctx.session.refresh(household.policy)
        return household.policy.status

    def grace(self, household: Household) -> GracePeriod | None:
        """The open grace period, or else the latest one."""
        rows = list(
            self.ctx.session.scalars(select(GracePeriod).where(GracePeriod.policy_id == household.policy.id).order_by(GracePeriod.id))
        )
        open_rows = [row for row in rows if row.outcome == GraceOutcome.OPEN.value]
        if open_rows:
            return open_rows[-1]
        return rows[-1] if rows else None

    def grace_periods(self, household: Household) -> list[GracePeriod]:
        return list(self.ctx.session.scalars(select(GracePeriod).where(GracePeriod.policy_id == household.policy.id).order_by(GracePeriod.id)))

    def transitions(self, household: Household) -> list[DelinquencyTransition]:
        return list(
            self.ctx.session.scalars(
                select(DelinquencyTransition).where(DelinquencyTransition.policy_id == household.policy.id).order_by(DelinquencyTransition.id)
            )
        )

    def moves(self, household: Household) -> list[tuple[str, str, date]]:
        return [(row.from_status, row.to_status, row.as_of) for row in self.transitions(household)]

    def dunning(self, household: Household) -> list[tuple[str, date]]:
        """Notices about the policy (not invoices), as (type, send date)."""
        return [(notice.notice_type, notice.send_on) for notice in notices_for(self.ctx, policy_id=household.policy.id)]

    def outbound(self, household: Household) -> list[Outbound834]:
        return list(self.ctx.session.scalars(select(Outbound834).where(Outbound834.policy_id == household.policy.id).order_by(Outbound834.id)))

    def eligibility(self, household: Household, on: date) -> EligibilityAnswer:
        return eligibility(self.ctx, household.member_id, on)

    def paid_through(self, household: Household) -> date | None:
        self.ctx.session.refresh(household.policy)
        return paid_through_dates(self.ctx, [household.policy])[household.policy.id]

    def balance(self, household: Household) -> int:
        return ledger.account_balance(self.ctx, household.account.id)

    def _member_id(self, account: BillingAccount) -> str:
        person = self.ctx.session.get(Person, account.person_id)
        assert person is not None
        return person.member_id


@pytest.fixture
def story_factory(ctx):
    """Build a story on a catalog of one's choosing: ``story_factory(exchange=True, ehb_share="0.995")``."""
    ctx.settings = ctx.settings.model_copy(update={"time_zone": "America/Chicago"})
    builders = _integration_conftest()

    def make(*, exchange: bool = False, ehb_share: str = "1", config: DelinquencyConfig | None = None) -> DelinquencyStory:
        catalog = builders.story_catalog(exchange=exchange, ehb_share=ehb_share)
        return DelinquencyStory(story=builders.Story(ctx=ctx, catalog=catalog), config=config or default_config())

    return make


@pytest.fixture
def exchange_story(ctx):
    """A story on the on-exchange plan 12345VA0010001 (EHB share 1), carrier zone America/Chicago."""
    ctx.settings = ctx.settings.model_copy(update={"time_zone": "America/Chicago"})
    builders = _integration_conftest()
    return DelinquencyStory(story=builders.Story(ctx=ctx, catalog=builders.story_catalog(exchange=True)))


@pytest.fixture
def offexchange_story(ctx):
    """A story on the off-exchange plan OFFVA-SILVER, carrier zone America/Chicago."""
    ctx.settings = ctx.settings.model_copy(update={"time_zone": "America/Chicago"})
    builders = _integration_conftest()
    return DelinquencyStory(story=builders.Story(ctx=ctx, catalog=builders.story_catalog()))
