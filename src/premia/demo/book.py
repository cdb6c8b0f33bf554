"""The demo book of business: households, employer rosters and how each payer behaves (pure).

Everything is drawn from one seeded random generator, so the same seed, size and timeline
give the same book. The mix, by subscriber:

- one employer group in Richmond and one in Virginia Beach (about 2% and 4% of the book);
- a few direct (off-exchange) enrollees covered from the lead month;
- exchange households with APTC (about 62% of the individuals), exchange households paying
  full price (10%) and direct enrollees (28%).

About 40% of households have a spouse and 45% have children. Exchange households carry the
exchange's premium per member (rated with the catalog, as the exchange would) and its APTC.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from premia.accounts.model import Delivery, Language
from premia.demo.names import (
    EMPLOYERS,
    FEMALE_NAMES,
    LAST_NAMES,
    MALE_NAMES,
    RESIDENCES,
    SPANISH_LAST_NAMES,
    STREETS,
    EmployerProfile,
    Residence,
)
from premia.demo.timeline import Timeline
from premia.enrollment.model import Relationship
from premia.formats.nacha import routing_check_digit
from premia.kernel.dates import Month
from premia.rating.catalog import Catalog, rate_from_catalog
from premia.rating.model import ExchangeStatus, Market, Member
from premia.rating.model import Relationship as RatedRelationship

# Banks the demo's payers draft from: 8-digit routing prefixes, completed with their check digit.
DEMO_BANK_PREFIXES = ("05100001", "05140241", "25607057", "05600873")


class HouseholdKind(StrEnum):
    EXCHANGE_APTC = "exchange_aptc"
    EXCHANGE_FULL_PRICE = "exchange_full_price"
    DIRECT = "direct"
    EMPLOYEE = "employee"

    @property
    def on_exchange(self) -> bool:
        return self in {HouseholdKind.EXCHANGE_APTC, HouseholdKind.EXCHANGE_FULL_PRICE}


class PayBy(StrEnum):
    AUTODRAFT = "autodraft"
    CHECK = "check"
    EMPLOYER = "employer"


class PaymentHabit(StrEnum):
    """A payer's habit with its invoices, month after month."""

    PROMPT = "prompt"
    LATE = "late"
    PARTIAL = "partial"
    # Pays, then stops from ``lapse_month`` on, so the policy goes through grace to termination.
    LAPSES = "lapses"
    # Never pays the first invoice, so the policy is cancelled when the binder deadline passes.
    NO_BINDER = "no_binder"


@dataclass(frozen=True)
class MemberSpec:
    first_name: str
    last_name: str
    birth_date: date
    sex: str
    relationship: Relationship
    ssn: str | None


@dataclass(frozen=True)
class BankDetails:
    routing_number: str
    account_number: str


@dataclass(frozen=True)
class Household:
    """One subscriber's enrollment and the payer's habits."""

    number: int
    kind: HouseholdKind
    members: tuple[MemberSpec, ...]
    plan_id: str
    residence: Residence
    street: str
    phone: str
    email: str | None
    language: Language
    coverage_start: date
    habit: PaymentHabit
    pay_by: PayBy
    delivery: Delivery
    # Exchange households only: the exchange's monthly premium per member, and the APTC.
    premiums_cents: tuple[int, ...] = ()
    aptc_cents: int = 0
    employer: EmployerProfile | None = None
    bank: BankDetails | None = None
    # The coverage month index (0 = the household's first month) from which a LAPSES payer stops.
    lapse_month: int = 0

    @property
    def subscriber_id(self) -> str:
        """The sender's subscriber identifier (REF*0F) on every member loop of the household."""
        return f"DEMO{self.number:06d}"

    @property
    def exchange_policy_id(self) -> str | None:
        return f"FFM{self.number:09d}" if self.kind.on_exchange else None

    @property
    def subscriber(self) -> MemberSpec:
        return self.members[0]

    @property
    def payer_name(self) -> str:
        return f"{self.subscriber.first_name} {self.subscriber.last_name}"


@dataclass(frozen=True)
class EmployerGroup:
    profile: EmployerProfile
    coverage_start: date
    # Banking days before the due date that the employer's 820 arrives.
    pays_before_due: int


@dataclass(frozen=True)
class Book:
    groups: tuple[EmployerGroup, ...]
    households: tuple[Household, ...]
    seed: int

    def of_kind(self, kind: HouseholdKind) -> list[Household]:
        return [household for household in self.households if household.kind is kind]

    def employees_of(self, group_number: str) -> list[Household]:
        return [h for h in self.households if h.employer is not None and h.employer.group_number == group_number]

    @property
    def member_count(self) -> int:
        return sum(len(household.members) for household in self.households)


@dataclass
class _Draw:
    """The generator's running state: the random source and the counters that keep ids unique."""

    rng: random.Random
    catalog: Catalog
    plan_year: int
    households: list[Household] = field(default_factory=list)
    members: int = 0

    def next_number(self) -> int:
        return len(self.households) + 1


def generate_book(catalog: Catalog, *, subscribers: int, seed: int, timeline: Timeline) -> Book:
    """Draw a book of ``subscribers`` households (at least 10) for the timeline's plan year."""
    if subscribers < 10:
        raise ValueError(f"a demo book needs at least 10 subscribers, got {subscribers}")
    draw = _Draw(random.Random(seed), catalog, timeline.plan_year)
    lead_start = timeline.lead_month.first_day
    start = timeline.first_month.first_day

    groups = []
    for index, profile in enumerate(EMPLOYERS):
        # The first employer's plan year started in the lead month; the second joins with the book.
        group = EmployerGroup(profile, lead_start if index == 0 else start, pays_before_due=6 - 3 * index)
        groups.append(group)
        for _ in range(max(3, round(subscribers * profile.share_of_book))):
            _add_employee(draw, group)

    early = min(6, max(2, round(subscribers * 0.002)))
    for _ in range(early):
        _add_individual(draw, HouseholdKind.DIRECT, lead_start, habit=PaymentHabit.PROMPT)
    remaining = subscribers - len(draw.households)
    for _ in range(max(0, remaining)):
        roll = draw.rng.random()
        kind = (
            HouseholdKind.EXCHANGE_APTC
            if roll < 0.62
            else HouseholdKind.EXCHANGE_FULL_PRICE
            if roll < 0.72
            else HouseholdKind.DIRECT
        )
        _add_individual(draw, kind, start)
    return Book(groups=tuple(groups), households=tuple(draw.households), seed=seed)


def _add_employee(draw: _Draw, group: EmployerGroup) -> None:
    rng = draw.rng
    people = _family(draw, adult_ages=(22, 64), spanish=rng.random() < 0.1)
    plan = _plan_ids(draw, Market.SMALL_GROUP, ExchangeStatus.OFF)[0]
    draw.households.append(
        Household(
            number=draw.next_number(),
            kind=HouseholdKind.EMPLOYEE,
            members=people,
            plan_id=plan,
            residence=group.profile.residence,
            street=_street(rng),
            phone=_phone(rng, group.profile.residence),
            email=_email(people[0], draw.next_number()) if rng.random() < 0.7 else None,
            language=Language.ENGLISH,
            coverage_start=group.coverage_start,
            habit=PaymentHabit.PROMPT,
            pay_by=PayBy.EMPLOYER,
            delivery=Delivery.PAPER,
            employer=group.profile,
        )
    )


def _add_individual(draw: _Draw, kind: HouseholdKind, coverage_start: date, *, habit: PaymentHabit | None = None) -> None:
    rng = draw.rng
    number = draw.next_number()
    spanish = rng.random() < 0.12
    people = _family(draw, adult_ages=(19, 63), spanish=spanish)
    residence = rng.choice(RESIDENCES)
    exchange = ExchangeStatus.ON if kind.on_exchange else ExchangeStatus.OFF
    plan = rng.choice(_plan_ids(draw, Market.INDIVIDUAL, exchange))
    premiums: tuple[int, ...] = ()
    aptc = 0
    if kind.on_exchange:
        premiums = _exchange_premiums(draw, plan, residence.area_id, people, coverage_start)
        if kind is HouseholdKind.EXCHANGE_APTC:
            # APTC between 40% and 90% of the premium, in whole dollars, as exchanges send it.
            aptc = int(sum(premiums) * rng.uniform(0.40, 0.90)) // 100 * 100

    habit = habit or _habit(rng)
    pay_by = PayBy.AUTODRAFT if rng.random() < 0.4 else PayBy.CHECK
    email = _email(people[0], number) if rng.random() < 0.65 else None
    delivery = Delivery.PAPER
    if email is not None:
        delivery = rng.choice((Delivery.EMAIL, Delivery.EMAIL, Delivery.BOTH, Delivery.PAPER))
    draw.households.append(
        Household(
            number=number,
            kind=kind,
            members=people,
            plan_id=plan,
            residence=residence,
            street=_street(rng),
            phone=_phone(rng, residence),
            email=email,
            language=Language.SPANISH if spanish else Language.ENGLISH,
            coverage_start=coverage_start,
            habit=habit,
            pay_by=pay_by,
            delivery=delivery,
            premiums_cents=premiums,
            aptc_cents=aptc,
            bank=_bank(rng, number) if pay_by is PayBy.AUTODRAFT else None,
            lapse_month=rng.randint(1, 3) if habit is PaymentHabit.LAPSES else 0,
        )
    )


def _habit(rng: random.Random) -> PaymentHabit:
    roll = rng.random()
    if roll < 0.78:
        return PaymentHabit.PROMPT
    if roll < 0.88:
        return PaymentHabit.LATE
    if roll < 0.92:
        return PaymentHabit.PARTIAL
    if roll < 0.97:
        return PaymentHabit.LAPSES
    return PaymentHabit.NO_BINDER


def _family(draw: _Draw, *, adult_ages: tuple[int, int], spanish: bool) -> tuple[MemberSpec, ...]:
    rng = draw.rng
    last_name = rng.choice(SPANISH_LAST_NAMES if spanish else LAST_NAMES)
    subscriber_age = rng.randint(*adult_ages)
    people = [_person(draw, last_name, subscriber_age, Relationship.SUBSCRIBER)]
    if rng.random() < 0.4 and subscriber_age >= 21:
        spouse_age = min(adult_ages[1], max(adult_ages[0], subscriber_age + rng.randint(-6, 6)))
        people.append(_person(draw, last_name, spouse_age, Relationship.SPOUSE))
    children = rng.choices((0, 1, 2, 3), weights=(55, 20, 17, 8))[0] if subscriber_age >= 24 else 0
    for _ in range(children):
        child_age = rng.randint(0, min(20, subscriber_age - 18))
        people.append(_person(draw, last_name, child_age, Relationship.CHILD))
    return tuple(people)


def _person(draw: _Draw, last_name: str, age: int, relationship: Relationship) -> MemberSpec:
    rng = draw.rng
    female = rng.random() < 0.5
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    # Born before the plan year starts, so the age on January 1 is ``age``.
    birth = date(draw.plan_year - age - 1, rng.randint(1, 12), rng.randint(1, 28))
    draw.members += 1
    # Most adults and children have an SSN on the enrollment; some newborns do not yet.
    ssn = _ssn(draw.members) if age > 0 and rng.random() < 0.92 else None
    return MemberSpec(first, last_name, birth, "F" if female else "M", relationship, ssn)


def _ssn(serial: int) -> str:
    """Return a well-formed, unique SSN: area 101 to 599, group 01 to 99, serial 0001 to 9999."""
    index = serial - 1
    area = 101 + index // (99 * 9999) % 499
    group = 1 + index // 9999 % 99
    return f"{area:03d}{group:02d}{1 + index % 9999:04d}"


def _plan_ids(draw: _Draw, market: Market, exchange: ExchangeStatus) -> list[str]:
    plans = sorted(
        plan.plan_id
        for plan in draw.catalog.plans
        if plan.plan_year == draw.plan_year and plan.market is market and plan.exchange is exchange
    )
    if not plans:
        raise ValueError(f"the catalog has no {market.value} {exchange.value}-exchange plan for {draw.plan_year}")
    return plans


def _exchange_premiums(draw: _Draw, plan: str, area: str, people: tuple[MemberSpec, ...], start: date) -> tuple[int, ...]:
    relationships = {
        Relationship.SUBSCRIBER: RatedRelationship.SUBSCRIBER,
        Relationship.SPOUSE: RatedRelationship.SPOUSE,
        Relationship.CHILD: RatedRelationship.CHILD,
    }
    members = [
        Member(f"M{index}", person.birth_date, relationships[person.relationship]) for index, person in enumerate(people)
    ]
    result = rate_from_catalog(
        draw.catalog, plan_id=plan, area_id=area, members=members, month=Month.of(start), rating_date=start
    )
    return tuple(member.gross_cents for member in result.members)


def _bank(rng: random.Random, number: int) -> BankDetails:
    prefix = rng.choice(DEMO_BANK_PREFIXES)
    return BankDetails(routing_number=prefix + str(routing_check_digit(prefix)), account_number=f"{4_000_000_000 + number * 7919}")


def _street(rng: random.Random) -> str:
    return f"{rng.randint(10, 9899)} {rng.choice(STREETS)}"


def _phone(rng: random.Random, residence: Residence) -> str:
    return f"{residence.area_code}55501{rng.randint(0, 99):02d}"


def _email(person: MemberSpec, number: int) -> str:
    return f"{person.first_name.lower()}.{person.last_name.lower()}{number}@example.org"
