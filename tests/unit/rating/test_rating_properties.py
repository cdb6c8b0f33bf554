"""Hypothesis properties of rating: totals add up, nothing negative, APTC within its caps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from premia.kernel.dates import Month
from premia.kernel.money import round_half_up_cents
from premia.rating import RatingResult, rate_policy
from premia.rating.age_curves import FEDERAL_DEFAULT_2018
from premia.rating.aptc import ehb_cap_cents
from premia.rating.contributions import (
    ContributionRule,
    CoverageTier,
    FixedPerTier,
    PercentOfEachMember,
    PercentOfEmployeeOnly,
)
from premia.rating.group import split_to_members
from premia.rating.model import (
    NEW_YORK_FAMILY_TIERS,
    ExchangeStatus,
    Market,
    Member,
    MetalLevel,
    Plan,
    RateRow,
    RatingArea,
    RatingMethod,
    Relationship,
)
from premia.rating.rates import RateTable
from premia.rating.splits import split_capped

RATED_ON = date(2026, 1, 1)
AREA = RatingArea("VA-1", "VA", counties=frozenset({"Fairfax County"}))
DEPENDENT_RELATIONSHIPS = [
    Relationship.SPOUSE,
    Relationship.CHILD,
    Relationship.DOMESTIC_PARTNER,
    Relationship.OTHER,
]


def plan_with(
    ehb_share: Decimal, tobacco_factor: Decimal, method: RatingMethod = RatingMethod.PER_MEMBER
) -> Plan:
    tier_settings = {"family_tier_table": "ny-2018", "tobacco_factor": Decimal(1)}
    return Plan(
        plan_id="12345VA0020001",
        plan_year=2026,
        product_id="12345VA002",
        name="Property Silver",
        state="VA",
        market=Market.INDIVIDUAL,
        exchange=ExchangeStatus.ON,
        metal_level=MetalLevel.SILVER,
        ehb_share=ehb_share,
        rating_method=method,
        **(tier_settings if method is RatingMethod.FAMILY_TIER else {"tobacco_factor": tobacco_factor}),
    )


@st.composite
def policies(draw: st.DrawFn) -> list[Member]:
    count = draw(st.integers(1, 8))
    members = []
    for index in range(count):
        relationship = (
            Relationship.SUBSCRIBER if index == 0 else draw(st.sampled_from(DEPENDENT_RELATIONSHIPS))
        )
        born = RATED_ON - timedelta(days=draw(st.integers(0, 90 * 366)))
        members.append(
            Member(
                member_id=f"M{index + 1}",
                birth_date=born,
                relationship=relationship,
                tobacco=draw(st.booleans()),
                aptc_eligible=draw(st.booleans()),
            )
        )
    return members


base_rates = st.integers(0, 300_000).map(lambda cents: Decimal(cents) / 100)
ehb_shares = st.integers(900, 1000).map(lambda thousandths: Decimal(thousandths) / 1000)
tobacco_factors = st.sampled_from([Decimal("1"), Decimal("1.15"), Decimal("1.20"), Decimal("1.5")])
aptc_amounts = st.integers(0, 2_000_000)


def rate(members: list[Member], base_rate: Decimal, plan: Plan, aptc_cents: int) -> RatingResult:
    rates = RateTable((RateRow(plan.plan_id, "VA-1", date(2026, 1, 1), date(2026, 12, 31), base_rate),))
    return rate_policy(
        plan=plan,
        area=AREA,
        rates=rates,
        members=members,
        month=Month(2026, 1),
        rating_date=RATED_ON,
        aptc_cents=aptc_cents,
    )


@settings(max_examples=200, deadline=None)
@given(members=policies(), base_rate=base_rates, tobacco=tobacco_factors)
def test_family_premium_is_member_sum(members: list[Member], base_rate: Decimal, tobacco: Decimal) -> None:
    result = rate(members, base_rate, plan_with(Decimal(1), tobacco), 0)

    expected = []
    for member, rated in zip(members, result.members, strict=True):
        factor = FEDERAL_DEFAULT_2018.factor_for(rated.age) * (tobacco if member.tobacco else 1)
        expected.append(round_half_up_cents(base_rate * factor) if rated.charged else 0)
    assert [member.gross_cents for member in result.members] == expected
    assert result.gross_cents == sum(expected)


@settings(max_examples=200, deadline=None)
@given(members=policies(), base_rate=base_rates, tobacco=tobacco_factors)
def test_at_most_three_young_children(members: list[Member], base_rate: Decimal, tobacco: Decimal) -> None:
    result = rate(members, base_rate, plan_with(Decimal(1), tobacco), 0)

    young = [
        m for m in result.members if m.relationship in (Relationship.CHILD, Relationship.OTHER) and m.age < 21
    ]
    assert sum(member.charged for member in young) == min(3, len(young))


@settings(max_examples=200, deadline=None)
@given(members=policies(), base_rate=base_rates, ehb=ehb_shares, tobacco=tobacco_factors, aptc=aptc_amounts)
def test_aptc_within_caps(
    members: list[Member], base_rate: Decimal, ehb: Decimal, tobacco: Decimal, aptc: int
) -> None:
    result = rate(members, base_rate, plan_with(ehb, tobacco), aptc)

    assert result.applied_aptc_cents <= aptc
    assert result.applied_aptc_cents <= ehb_cap_cents(result.gross_cents, ehb)
    assert sum(member.aptc_cents for member in result.members) == result.applied_aptc_cents
    for member in result.members:
        assert 0 <= member.aptc_cents <= member.gross_cents
        assert member.responsibility_cents >= 0


@settings(max_examples=200, deadline=None)
@given(members=policies(), base_rate=base_rates, ehb=ehb_shares, tobacco=tobacco_factors, aptc=aptc_amounts)
def test_aptc_only_to_eligible(
    members: list[Member], base_rate: Decimal, ehb: Decimal, tobacco: Decimal, aptc: int
) -> None:
    result = rate(members, base_rate, plan_with(ehb, tobacco), aptc)

    ineligible = {member.member_id for member in members if not member.aptc_eligible}
    assert all(member.aptc_cents == 0 for member in result.members if member.member_id in ineligible)


@settings(max_examples=200, deadline=None)
@given(members=policies(), base_rate=base_rates, ehb=ehb_shares, aptc=aptc_amounts)
def test_family_tier_split_adds_back(
    members: list[Member], base_rate: Decimal, ehb: Decimal, aptc: int
) -> None:
    plan = plan_with(ehb, Decimal(1), RatingMethod.FAMILY_TIER)

    result = rate(members, base_rate, plan, aptc)

    assert result.family_tier is not None
    policy_premium = round_half_up_cents(base_rate * NEW_YORK_FAMILY_TIERS.multiplier(result.family_tier))
    assert sum(member.gross_cents for member in result.members) == policy_premium
    assert sum(member.aptc_cents for member in result.members) == result.applied_aptc_cents
    assert all(member.responsibility_cents >= 0 for member in result.members)


@settings(max_examples=200, deadline=None)
@given(caps=st.lists(st.integers(0, 200_000), min_size=1, max_size=10), data=st.data())
def test_split_capped_adds_back(caps: list[int], data: st.DataObject) -> None:
    split_weights = data.draw(st.lists(st.integers(1, 3000), min_size=len(caps), max_size=len(caps)))
    total = data.draw(st.integers(0, sum(caps)))
    index = data.draw(st.integers(0, len(caps) - 1))

    parts = split_capped(total, split_weights, caps, remainder_index=index)

    assert sum(parts) == total
    assert all(0 <= part <= cap for part, cap in zip(parts, caps, strict=True))


@settings(max_examples=200, deadline=None)
@given(members=policies(), base_rate=base_rates, amount=st.integers(0, 1_000_000))
def test_composite_member_split_adds_back(members: list[Member], base_rate: Decimal, amount: int) -> None:
    result = rate(members, base_rate, plan_with(Decimal(1), Decimal(1)), 0)

    shares = split_to_members(amount, result)

    assert sum(shares) == amount
    assert all(share >= 0 for share in shares)


contribution_rules = st.one_of(
    st.integers(0, 100).map(lambda percent: PercentOfEmployeeOnly(Decimal(percent))),
    st.tuples(st.integers(0, 100), st.integers(0, 100)).map(
        lambda percents: PercentOfEachMember(Decimal(percents[0]), Decimal(percents[1]))
    ),
    st.lists(st.integers(0, 500_000), min_size=4, max_size=4).map(
        lambda amounts: FixedPerTier(dict(zip(CoverageTier, amounts, strict=True)))
    ),
)


@settings(max_examples=200, deadline=None)
@given(members=policies(), base_rate=base_rates, rule=contribution_rules)
def test_contribution_within_premium(
    members: list[Member], base_rate: Decimal, rule: ContributionRule
) -> None:
    plan = replace(plan_with(Decimal(1), Decimal(1)), exchange=ExchangeStatus.OFF, market=Market.SMALL_GROUP)
    rates = RateTable((RateRow(plan.plan_id, "VA-1", date(2026, 1, 1), date(2026, 12, 31), base_rate),))

    result = rate_policy(
        plan=plan,
        area=AREA,
        rates=rates,
        members=members,
        month=Month(2026, 1),
        rating_date=RATED_ON,
        contribution=rule,
    )

    for member in result.members:
        assert 0 <= member.contribution_cents <= member.gross_cents
        assert member.responsibility_cents >= 0
