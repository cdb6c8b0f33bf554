"""The rating engine: one policy, one coverage month, every cent traced.

:func:`rate_policy` is a pure function. It finds the base rate and rates each member as
base x age factor x tobacco factor, rounded half-up once. Then it applies the child cap or
the state's family tiers, caps and splits the APTC, and applies the employer contribution.
It returns each member's premium with a trace of every step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from premia.kernel.dates import Month, age_on
from premia.kernel.errors import ValidationError
from premia.kernel.money import round_half_up_cents, split_cents
from premia.rating.aptc import AptcOutcome, apply_aptc, aptc_trace
from premia.rating.contributions import (
    ContributionLine,
    ContributionRule,
    coverage_tier,
    employer_contribution,
)
from premia.rating.model import (
    CHILD_RELATIONSHIPS,
    PARTNER_RELATIONSHIPS,
    AgeBasis,
    ChildCap,
    FamilyTier,
    Member,
    Plan,
    RatingArea,
    RatingMethod,
)
from premia.rating.rates import RateLookup
from premia.rating.request_checks import check_request
from premia.rating.result import MemberPremium, RatingResult
from premia.rating.rule_tables import RatingRules
from premia.rating.trace import TraceStep, TraceStepName, dollars, trace_step


@dataclass(frozen=True)
class _RatedMember:
    member: Member
    age_date: date
    age: int
    age_factor: Decimal | None
    tobacco_factor: Decimal
    charged: bool
    gross_cents: int


def rate_policy(
    *,
    plan: Plan,
    area: RatingArea,
    rates: RateLookup,
    members: Sequence[Member],
    month: Month,
    rating_date: date,
    aptc_cents: int = 0,
    contribution: ContributionRule | None = None,
    rules: RatingRules | None = None,
) -> RatingResult:
    """Rate one policy for one coverage month.

    ``rating_date`` is the date the plan's age basis names: the policy effective or renewal
    date, or the group's plan-year start. It also selects the rate row. ``aptc_cents`` is
    the policy APTC the Exchange sent. Raises a ``DomainError`` naming the value at fault for
    an unknown plan or area, a rate gap or overlap, or an inconsistent request.
    """
    rules = rules or RatingRules()
    check_request(plan, area, members, month, rating_date, aptc_cents, contribution)

    steps: list[TraceStep] = []
    row = rates.find_rate(plan.plan_id, area.area_id, rating_date)
    steps.append(
        trace_step(
            TraceStepName.BASE_RATE,
            inputs={"plan": plan.plan_id, "area": area.area_id, "rating_date": rating_date.isoformat()},
            outputs={"base_rate": str(row.base_rate), "rate_effective": row.describe_span()},
            note="filed monthly rate for a 21-year-old non-tobacco user",
        )
    )

    family_tier: FamilyTier | None = None
    if plan.rating_method is RatingMethod.FAMILY_TIER:
        rated, family_tier = _rate_family_tier(plan, row.base_rate, members, rating_date, rules, steps)
        employee_only_cents = round_half_up_cents(row.base_rate * rules.family_tiers_for(plan).single_adult)
    else:
        rated = _rate_per_member(plan, row.base_rate, members, rating_date, rules, steps)
        employee_only_cents = next(item.gross_cents for item in rated if item.member.is_subscriber)

    aptc = _apply_aptc(plan, rated, aptc_cents, steps)
    contributions = _apply_contribution(contribution, rated, aptc, employee_only_cents, steps)

    premiums = tuple(
        MemberPremium(
            member_id=item.member.member_id,
            relationship=item.member.relationship,
            birth_date=item.member.birth_date,
            age_date=item.age_date,
            age=item.age,
            age_factor=item.age_factor,
            tobacco_factor=item.tobacco_factor,
            charged=item.charged,
            gross_cents=item.gross_cents,
            aptc_cents=aptc.shares[index],
            contribution_cents=contributions[index],
        )
        for index, item in enumerate(rated)
    )
    steps.append(_total_step(premiums, aptc))

    return RatingResult(
        plan_id=plan.plan_id,
        plan_year=plan.plan_year,
        area_id=area.area_id,
        month=month,
        rating_date=rating_date,
        rating_method=plan.rating_method,
        base_rate=row.base_rate,
        family_tier=family_tier,
        members=premiums,
        aptc=aptc,
        trace=tuple(steps),
    )


def age_date_for(member: Member, basis: AgeBasis, rating_date: date) -> date:
    """Return the date on which ``member``'s age is taken under ``basis``.

    Under ``member_effective_date`` a member added after the rating date is rated at the age
    on their own coverage start. Members who joined earlier are rated on the rating date.
    Under every basis, a member born after the rating date (a newborn added mid-year) is
    rated on their coverage start, which makes them age 0.
    """
    if member.coverage_start is None:
        return rating_date
    if basis is AgeBasis.MEMBER_EFFECTIVE_DATE or member.birth_date > rating_date:
        return max(member.coverage_start, rating_date)
    return rating_date


def _rate_per_member(
    plan: Plan,
    base_rate: Decimal,
    members: Sequence[Member],
    rating_date: date,
    rules: RatingRules,
    steps: list[TraceStep],
) -> list[_RatedMember]:
    curve = rules.age_curve_for(plan)
    tobacco = rules.tobacco_rule_for(plan)

    rated: list[_RatedMember] = []
    for member in members:
        age_date = age_date_for(member, plan.age_basis, rating_date)
        age = _age(member, age_date)
        band = curve.band_for(age)
        tobacco_factor = tobacco.factor_for(member.tobacco)
        exact = base_rate * band.factor * tobacco_factor
        gross = round_half_up_cents(exact)

        steps.append(
            trace_step(
                TraceStepName.AGE_FACTOR,
                member_id=member.member_id,
                inputs={
                    "birth_date": member.birth_date.isoformat(),
                    "age_date": age_date.isoformat(),
                    "age": str(age),
                    "curve": curve.name,
                },
                outputs={"band": band.label, "age_factor": str(band.factor)},
            )
        )
        steps.append(
            trace_step(
                TraceStepName.TOBACCO_FACTOR,
                member_id=member.member_id,
                inputs={
                    "tobacco_user": "yes" if member.tobacco else "no",
                    "plan_factor": str(tobacco.factor),
                },
                outputs={"tobacco_factor": str(tobacco_factor)},
            )
        )
        steps.append(
            trace_step(
                TraceStepName.ROUNDING,
                member_id=member.member_id,
                inputs={"formula": f"{base_rate} x {band.factor} x {tobacco_factor}", "exact": str(exact)},
                outputs={"premium": dollars(gross)},
                note="rounded half-up to the cent, once per member and month",
            )
        )
        rated.append(_RatedMember(member, age_date, age, band.factor, tobacco_factor, True, gross))

    return _apply_child_cap(rated, rules.child_cap, steps)


def _apply_child_cap(rated: list[_RatedMember], cap: ChildCap, steps: list[TraceStep]) -> list[_RatedMember]:
    """Charge only the oldest ``cap.max_charged`` children under the age limit; the rest cost $0."""
    children = [
        item for item in rated if item.member.relationship in CHILD_RELATIONSHIPS and item.age < cap.age_limit
    ]
    if len(children) <= cap.max_charged:
        return rated

    # Oldest first is birth date ascending; the member id breaks ties between twins.
    children.sort(key=lambda item: (item.member.birth_date, item.member.member_id))
    uncharged_ids = {item.member.member_id for item in children[cap.max_charged :]}
    steps.append(
        trace_step(
            TraceStepName.CHILD_CAP,
            inputs={
                f"children_under_{cap.age_limit}_oldest_first": ", ".join(
                    i.member.member_id for i in children
                ),
                "max_charged": str(cap.max_charged),
            },
            outputs={
                "charged": ", ".join(i.member.member_id for i in children[: cap.max_charged]),
                "not_charged": ", ".join(sorted(uncharged_ids)),
            },
            note=f"only the {cap.max_charged} oldest children under {cap.age_limit} are charged",
        )
    )
    return [
        _RatedMember(item.member, item.age_date, item.age, item.age_factor, item.tobacco_factor, False, 0)
        if item.member.member_id in uncharged_ids
        else item
        for item in rated
    ]


def family_tier_for(members: Sequence[Member], ages: Mapping[str, int], child_age_limit: int) -> FamilyTier:
    """Return a policy's family tier: adults are the subscriber and a spouse or partner.

    A policy whose subscriber is under ``child_age_limit`` and has no spouse or partner is
    child-only; every other dependent counts as a child.
    """
    subscriber = next(member for member in members if member.is_subscriber)
    partners = [member for member in members if member.relationship in PARTNER_RELATIONSHIPS]
    others = [member for member in members if member.relationship in CHILD_RELATIONSHIPS]

    if not partners and ages[subscriber.member_id] < child_age_limit:
        return FamilyTier.CHILD_ONLY
    if partners:
        return FamilyTier.TWO_ADULTS_WITH_CHILDREN if others else FamilyTier.TWO_ADULTS
    return FamilyTier.ADULT_WITH_CHILDREN if others else FamilyTier.SINGLE_ADULT


def _rate_family_tier(
    plan: Plan,
    base_rate: Decimal,
    members: Sequence[Member],
    rating_date: date,
    rules: RatingRules,
    steps: list[TraceStep],
) -> tuple[list[_RatedMember], FamilyTier]:
    table = rules.family_tiers_for(plan)
    age_dates = {member.member_id: age_date_for(member, plan.age_basis, rating_date) for member in members}
    ages = {member.member_id: _age(member, age_dates[member.member_id]) for member in members}

    # NOTE: a child-only policy is charged the child-only multiplier once, however many
    # children it covers; check this against the state's filing instructions.
    tier = family_tier_for(members, ages, rules.child_cap.age_limit)
    multiplier = table.multiplier(tier)
    exact = base_rate * multiplier
    policy_cents = round_half_up_cents(exact)

    subscriber_index = next(index for index, member in enumerate(members) if member.is_subscriber)
    shares = split_cents(policy_cents, [1] * len(members), remainder_index=subscriber_index)
    steps.append(
        trace_step(
            TraceStepName.FAMILY_TIER,
            inputs={
                "table": table.name,
                "tier": tier.value,
                "formula": f"{base_rate} x {multiplier}",
                "exact": str(exact),
            },
            outputs={
                "policy_premium": dollars(policy_cents),
                **{member.member_id: dollars(share) for member, share in zip(members, shares, strict=True)},
            },
            note="policy premium rounded half-up once, split evenly; the subscriber takes leftover cents",
        )
    )

    rated = [
        _RatedMember(
            member, age_dates[member.member_id], ages[member.member_id], None, Decimal(1), True, share
        )
        for member, share in zip(members, shares, strict=True)
    ]
    return rated, tier


def _apply_aptc(
    plan: Plan, rated: Sequence[_RatedMember], aptc_cents: int, steps: list[TraceStep]
) -> AptcOutcome:
    premiums = [item.gross_cents for item in rated]
    eligible = [item.member.aptc_eligible for item in rated]
    # Benchmark premiums are in the ratio of the age factors (tobacco excluded); under
    # family tiers every member's share of the policy premium is the benchmark.
    weights = [
        item.age_factor if item.age_factor is not None else Decimal(item.gross_cents) for item in rated
    ]
    subscriber_index = next(index for index, item in enumerate(rated) if item.member.is_subscriber)

    outcome = apply_aptc(
        exchange_cents=aptc_cents,
        premiums=premiums,
        eligible=eligible,
        benchmark_weights=weights,
        ehb_share=plan.ehb_share,
        remainder_index=subscriber_index,
    )
    if aptc_cents == 0:
        return outcome

    holder = rated[subscriber_index].member
    if not (holder.aptc_eligible and rated[subscriber_index].gross_cents > 0):
        holder = next(
            (item.member for item in rated if item.member.aptc_eligible and item.gross_cents > 0), holder
        )
    steps.extend(
        aptc_trace(
            outcome,
            member_ids=[item.member.member_id for item in rated],
            benchmark_weights=weights,
            eligible=eligible,
            premiums=premiums,
            ehb_share=plan.ehb_share,
            remainder_member_id=holder.member_id,
        )
    )
    return outcome


def _apply_contribution(
    rule: ContributionRule | None,
    rated: Sequence[_RatedMember],
    aptc: AptcOutcome,
    employee_only_cents: int,
    steps: list[TraceStep],
) -> list[int]:
    if rule is None:
        return [0] * len(rated)

    lines = [
        ContributionLine(item.member.member_id, item.member.relationship, item.gross_cents - share)
        for item, share in zip(rated, aptc.shares, strict=True)
    ]
    shares = employer_contribution(rule, lines, employee_only_cents=employee_only_cents)
    steps.append(
        trace_step(
            TraceStepName.CONTRIBUTION,
            inputs={
                "rule": rule.describe(),
                "tier": coverage_tier(line.relationship for line in lines).value,
                "employee_only_rate": dollars(employee_only_cents),
            },
            outputs={line.member_id: dollars(share) for line, share in zip(lines, shares, strict=True)},
            note="never more than the premium; policy amounts go to the subscriber's line first",
        )
    )
    return shares


def _total_step(premiums: Sequence[MemberPremium], aptc: AptcOutcome) -> TraceStep:
    gross = sum(member.gross_cents for member in premiums)
    contribution = sum(member.contribution_cents for member in premiums)
    responsibility = sum(member.responsibility_cents for member in premiums)
    return trace_step(
        TraceStepName.TOTAL,
        inputs={
            "member_premiums": " + ".join(dollars(member.gross_cents) for member in premiums),
            "applied_aptc": dollars(aptc.applied_cents),
            "employer_contribution": dollars(contribution),
        },
        outputs={"gross": dollars(gross), "responsibility": dollars(responsibility)},
        note="the policy total is the sum of the rounded member premiums",
    )


def _age(member: Member, age_date: date) -> int:
    if member.birth_date > age_date:
        raise ValidationError(
            code="rating.born_after_rating_date",
            message=(
                f"member {member.member_id}: birth date {member.birth_date} is after the age date {age_date}."
            ),
            record=f"member {member.member_id}",
            field="birth_date",
            value=member.birth_date.isoformat(),
            hint="Check the date of birth, or rate the member from a date on or after their birth.",
        )
    return age_on(member.birth_date, age_date)


__all__ = ["MemberPremium", "RatingResult", "RatingRules", "age_date_for", "family_tier_for", "rate_policy"]
