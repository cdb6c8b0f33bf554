"""Expected charges: what each member-month costs as coverage now stands.

For every policy of a billing account and every coverage month asked for, the members
covered in that month are rated on the catalog plan (or take the exchange's per-member
premium where the 834 sent one), the exchange's APTC is capped and split by the rating
engine, and both are prorated for members covered part of the month. The result is keyed
by member, month, policy and kind, which is what the generator compares with earlier
invoices.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from premia.accounts.tables import EmployerGroup, Person
from premia.billing.model import Charge, ChargeKey, LineKind
from premia.enrollment.model import ExchangeAmountKind, Market, PolicyStatus
from premia.enrollment.tables import CoverageSpan, ExchangeAmount, Policy
from premia.kernel.dates import DateSpan, Month
from premia.kernel.money import format_cents
from premia.rating.catalog import Catalog
from premia.rating.engine import rate_policy
from premia.rating.model import Member, Relationship
from premia.rating.proration import prorate


@dataclass(frozen=True)
class PolicyCoverage:
    """A policy with its live coverage spans, persons and exchange amounts, loaded once."""

    policy: Policy
    spans: tuple[CoverageSpan, ...]
    persons: dict[int, Person]
    exchange_amounts: tuple[ExchangeAmount, ...]
    group_anniversary_month: int | None


def load_coverage(session: Session, policies: Sequence[Policy]) -> list[PolicyCoverage]:
    """Load spans, persons and exchange amounts for ``policies`` in a few set-based queries."""
    if not policies:
        return []
    ids = [policy.id for policy in policies]
    spans: dict[int, list[CoverageSpan]] = defaultdict(list)
    for span in session.scalars(
        select(CoverageSpan)
        .where(CoverageSpan.policy_id.in_(ids), CoverageSpan.voided.is_(False))
        .order_by(CoverageSpan.policy_id, CoverageSpan.start_date, CoverageSpan.id)
    ):
        spans[span.policy_id].append(span)
    person_ids = {span.person_id for rows in spans.values() for span in rows}
    persons = {person.id: person for person in session.scalars(select(Person).where(Person.id.in_(person_ids)))} if person_ids else {}
    amounts: dict[int, list[ExchangeAmount]] = defaultdict(list)
    for amount in session.scalars(select(ExchangeAmount).where(ExchangeAmount.policy_id.in_(ids))):
        amounts[amount.policy_id].append(amount)
    group_ids = {policy.employer_group_id for policy in policies if policy.employer_group_id}
    anniversaries = (
        dict(session.execute(select(EmployerGroup.id, EmployerGroup.anniversary_month).where(EmployerGroup.id.in_(group_ids))).all())
        if group_ids
        else {}
    )
    return [
        PolicyCoverage(
            policy=policy,
            spans=tuple(spans[policy.id]),
            persons={span.person_id: persons[span.person_id] for span in spans[policy.id]},
            exchange_amounts=tuple(amounts[policy.id]),
            group_anniversary_month=anniversaries.get(policy.employer_group_id) if policy.employer_group_id else None,
        )
        for policy in policies
    ]


def expected_charges(catalog: Catalog, coverages: Iterable[PolicyCoverage], months: Iterable[Month]) -> dict[ChargeKey, Charge]:
    """Every charge for the given months, keyed for comparison with what was billed."""
    charges: dict[ChargeKey, Charge] = {}
    month_list = sorted(set(months))
    for coverage in coverages:
        for month in month_list:
            for charge in _policy_month_charges(catalog, coverage, month):
                charges[charge.key] = charge
    return charges


def policy_span(policy: Policy) -> DateSpan | None:
    """The days a policy can owe premium for; a cancelled policy owes none."""
    if policy.status == PolicyStatus.CANCELLED.value:
        return None
    return DateSpan(policy.effective_date, policy.end_date)


def rating_date_for(coverage: PolicyCoverage, month: Month) -> date:
    """The date ages and rates are taken on for ``month``.

    Individual policies are rated on their effective date, and again on each January 1
    renewal; group policies on the start of the group's plan year (its anniversary month).
    """
    policy = coverage.policy
    if policy.market == Market.INDIVIDUAL.value or coverage.group_anniversary_month is None:
        year_start = date(month.year, 1, 1)
    else:
        anniversary = coverage.group_anniversary_month
        year = month.year if month.month >= anniversary else month.year - 1
        year_start = date(year, anniversary, 1)
    return max(policy.effective_date, year_start)


def _policy_month_charges(catalog: Catalog, coverage: PolicyCoverage, month: Month) -> list[Charge]:
    policy = coverage.policy
    in_force = policy_span(policy)
    if in_force is None:
        return []
    month_window = in_force.intersect(month.span)
    if month_window is None:
        return []

    covered: list[tuple[CoverageSpan, DateSpan]] = []
    for span in coverage.spans:
        window = DateSpan(span.start_date, span.end_date).intersect(month_window)
        if window is not None:
            covered.append((span, window))
    if not covered:
        return []

    rating_date = rating_date_for(coverage, month)
    plan = catalog.plan(policy.plan_id, rating_date.year)
    members = [_member(span, coverage.persons[span.person_id]) for span, _ in covered]
    aptc_cents = _amount_on(coverage.exchange_amounts, ExchangeAmountKind.APTC, None, month_window.start)
    result = rate_policy(
        plan=plan,
        area=catalog.area(policy.rating_area),
        rates=catalog.rates,
        members=members,
        month=month,
        rating_date=rating_date,
        aptc_cents=aptc_cents or 0,
        rules=catalog.rules,
    )
    trace = tuple(step.to_dict() for step in result.trace)

    charges: list[Charge] = []
    for (span, window), premium in zip(covered, result.members, strict=True):
        exchange_gross = _amount_on(coverage.exchange_amounts, ExchangeAmountKind.PREMIUM, span.person_id, window.start)
        monthly_gross = exchange_gross if exchange_gross is not None else premium.gross_cents
        gross = prorate(monthly_gross, window, plan.proration_method)
        aptc = prorate(premium.aptc_cents, window, plan.proration_method)
        days = window.days
        source = "exchange premium" if exchange_gross is not None else f"rated, age {premium.age}"
        part = f", {days} of {month.days} days" if days < month.days else ""
        charges.append(
            Charge(
                key=ChargeKey(month, policy.id, span.person_id, LineKind.PREMIUM),
                amount_cents=gross,
                days_covered=days,
                days_in_month=month.days,
                description=f"{month} premium ({source}{part}): {format_cents(monthly_gross)} monthly",
                employer_share_cents=prorate(premium.contribution_cents, window, plan.proration_method),
                trace=trace,
            )
        )
        if premium.aptc_cents:
            charges.append(
                Charge(
                    key=ChargeKey(month, policy.id, span.person_id, LineKind.APTC),
                    amount_cents=-aptc,
                    days_covered=days,
                    days_in_month=month.days,
                    description=f"{month} advance premium tax credit{part}",
                    trace=trace,
                )
            )
    return charges


def _member(span: CoverageSpan, person: Person) -> Member:
    return Member(
        member_id=person.member_id,
        birth_date=person.birth_date,
        relationship=Relationship(span.relationship),
        tobacco=span.tobacco,
        aptc_eligible=span.aptc_eligible,
        coverage_start=span.start_date,
    )


def _amount_on(amounts: Sequence[ExchangeAmount], kind: ExchangeAmountKind, person_id: int | None, day: date) -> int | None:
    for amount in amounts:
        if amount.kind != kind.value or amount.person_id != person_id:
            continue
        if DateSpan(amount.start_date, amount.end_date).contains(day):
            return amount.amount_cents
    return None
