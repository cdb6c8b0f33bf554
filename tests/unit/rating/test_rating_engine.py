"""The rating engine: per-member premiums, child cap, family tiers, age bases and errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from premia.kernel.dates import Month
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError
from premia.rating import Catalog, RatingResult, RatingRules, rate_from_catalog, rate_policy
from premia.rating.model import (
    AgeBasis,
    ExchangeStatus,
    FamilyTier,
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
from premia.rating.trace import TraceStepName

JANUARY_2026 = Month(2026, 1)
RATED_ON = date(2026, 1, 1)
SILVER_2026 = "12345VA0020001"


def member(
    member_id: str, born: str, relationship: Relationship = Relationship.CHILD, **kwargs: Any
) -> Member:
    return Member(member_id, date.fromisoformat(born), relationship, **kwargs)


# R1.5: subscriber 45 (tobacco), spouse 43, children 19, 16, 12 and 8 on 2026-01-01.
R15_FAMILY = [
    member("S", "1980-06-01", Relationship.SUBSCRIBER, tobacco=True),
    member("P", "1982-07-01", Relationship.SPOUSE),
    member("C1", "2006-05-01"),
    member("C2", "2009-05-01"),
    member("C3", "2013-05-01"),
    member("C4", "2017-05-01"),
]


def rate_demo(catalog: Catalog, members: list[Member], **kwargs: Any) -> RatingResult:
    options: dict[str, Any] = {
        "plan_id": SILVER_2026,
        "area_id": "VA-1",
        "month": JANUARY_2026,
        "rating_date": RATED_ON,
    }
    options.update(kwargs)
    return rate_from_catalog(catalog, members=members, **options)


def test_r01_member_rounding(demo_catalog: Catalog) -> None:
    result = rate_demo(demo_catalog, [R15_FAMILY[0], member("Y", "2006-05-01", Relationship.SPOUSE)])

    # 400.00 x 1.444 x 1.20 = 693.1200 -> 693.12
    assert result.member("S").gross_cents == 69312
    # 400.00 x 0.941 = 376.40 (a 19-year-old spouse is an adult dependent, not capped)
    assert result.member("Y").gross_cents == 37640


def test_r15_family_premium(demo_catalog: Catalog) -> None:
    result = rate_demo(demo_catalog, R15_FAMILY)

    # 400.00 x 1.444 x 1.20 = 693.12
    assert result.member("S").gross_cents == 69312
    # 400.00 x 1.357 = 542.80
    assert result.member("P").gross_cents == 54280
    # 400.00 x 0.941 = 376.40
    assert result.member("C1").gross_cents == 37640
    # 400.00 x 0.859 = 343.60
    assert result.member("C2").gross_cents == 34360
    # 400.00 x 0.765 = 306.00
    assert result.member("C3").gross_cents == 30600
    # 4th child under 21 is covered at $0.00
    assert result.member("C4").gross_cents == 0
    assert result.member("C4").charged is False
    # 693.12 + 542.80 + 376.40 + 343.60 + 306.00 + 0.00 = 2,261.92
    assert result.gross_cents == 226192


def test_tobacco_only_on_own_portion(demo_catalog: Catalog) -> None:
    result = rate_demo(demo_catalog, R15_FAMILY)

    assert result.member("S").tobacco_factor == Decimal("1.20")
    assert result.member("P").tobacco_factor == 1


def test_child_cap_keeps_adult_children(demo_catalog: Catalog) -> None:
    members = [
        member("S", "1980-06-01", Relationship.SUBSCRIBER),
        member("A", "2003-05-01"),  # 22: an adult child is always charged
        member("C1", "2010-01-01"),
        member("C2", "2012-01-01"),
        member("C3", "2014-01-01"),
    ]

    result = rate_demo(demo_catalog, members)

    # 400.00 x 1.000 = 400.00 for the 22-year-old
    assert result.member("A").gross_cents == 40000
    assert all(result.member(child).charged for child in ("C1", "C2", "C3"))


def test_child_cap_twins_by_member_id(demo_catalog: Catalog) -> None:
    members = [
        member("S", "1980-06-01", Relationship.SUBSCRIBER),
        member("C1", "2010-01-01"),
        member("C2", "2012-01-01"),
        member("T-b", "2015-03-03"),
        member("T-a", "2015-03-03"),
    ]

    result = rate_demo(demo_catalog, members)

    # Twins tie on birth date; member id T-a sorts first, so T-b is the 4th child.
    assert result.member("T-a").gross_cents == 30600
    assert result.member("T-b").gross_cents == 0


def test_child_cap_trace_step(demo_catalog: Catalog) -> None:
    result = rate_demo(demo_catalog, R15_FAMILY)

    steps = [step for step in result.trace if step.name is TraceStepName.CHILD_CAP]
    assert len(steps) == 1
    assert dict(steps[0].outputs)["not_charged"] == "C4"


def test_trace_names_every_step(demo_catalog: Catalog) -> None:
    result = rate_demo(demo_catalog, R15_FAMILY, aptc_cents=100000)

    names = {step.name for step in result.trace}
    expected = {
        TraceStepName.BASE_RATE,
        TraceStepName.AGE_FACTOR,
        TraceStepName.TOBACCO_FACTOR,
        TraceStepName.ROUNDING,
        TraceStepName.CHILD_CAP,
        TraceStepName.SUBSIDY_CAP,
        TraceStepName.APTC_SPLIT,
        TraceStepName.TOTAL,
    }
    assert expected <= names


def test_rounding_trace_shows_exact_product(demo_catalog: Catalog) -> None:
    result = rate_demo(demo_catalog, R15_FAMILY[:1])

    rounding = next(step for step in result.trace if step.name is TraceStepName.ROUNDING)
    assert dict(rounding.inputs)["formula"] == "400.00 x 1.444 x 1.20"
    assert Decimal(dict(rounding.inputs)["exact"]) == Decimal("693.12")
    assert dict(rounding.outputs)["premium"] == "693.12"


def test_february_29_birthday_rates(demo_catalog: Catalog) -> None:
    subscriber = member("S", "1980-06-01", Relationship.SUBSCRIBER)
    leap_child = member("C", "2008-02-29")

    result = rate_demo(
        demo_catalog, [subscriber, leap_child], month=Month(2026, 3), rating_date=date(2026, 3, 1)
    )

    # Turns 18 on 2026-03-01 (no Feb 29 in 2026): 400.00 x 0.913 = 365.20
    assert result.member("C").age == 18
    assert result.member("C").gross_cents == 36520


def test_age_basis_effective_date(demo_catalog: Catalog) -> None:
    # Birthday in March does not change the rate rated on 2026-01-01 (age 44, not 45)
    subscriber = member("S", "1981-03-15", Relationship.SUBSCRIBER)

    result = rate_demo(demo_catalog, [subscriber], month=Month(2026, 6))

    # 400.00 x 1.397 = 558.80
    assert result.member("S").gross_cents == 55880


def test_member_effective_date_basis(make_plan: Callable[..., Plan], va_area: RatingArea, rates_for) -> None:
    plan = make_plan(age_basis=AgeBasis.MEMBER_EFFECTIVE_DATE)
    subscriber = member("S", "1980-06-01", Relationship.SUBSCRIBER)
    spouse = member("P", "1981-02-10", Relationship.SPOUSE, coverage_start=date(2026, 3, 1))

    result = rate_policy(
        plan=plan,
        area=va_area,
        rates=rates_for(plan, "400.00"),
        members=[subscriber, spouse],
        month=Month(2026, 3),
        rating_date=RATED_ON,
    )

    # Added 2026-03-01, after the 2026-02-10 birthday: age 45, 400.00 x 1.444 = 577.60
    assert result.member("P").age == 45
    assert result.member("P").gross_cents == 57760


def test_newborn_added_midyear(demo_catalog: Catalog) -> None:
    subscriber = member("S", "1990-04-12", Relationship.SUBSCRIBER)
    newborn = member("N", "2026-03-10", coverage_start=date(2026, 3, 10))

    result = rate_demo(demo_catalog, [subscriber, newborn], month=Month(2026, 3))

    # Rated at age 0 on the coverage start: 400.00 x 0.765 = 306.00
    assert result.member("N").age == 0
    assert result.member("N").gross_cents == 30600


def test_member_born_after_rating_date(demo_catalog: Catalog) -> None:
    subscriber = member("S", "2026-05-01", Relationship.SUBSCRIBER)

    with pytest.raises(ValidationError) as raised:
        rate_demo(demo_catalog, [subscriber])

    assert raised.value.code == "rating.born_after_rating_date"
    assert "2026-05-01" in raised.value.message


def test_small_group_quarter_rate(demo_catalog: Catalog) -> None:
    employee = member("E", "1995-06-01", Relationship.SUBSCRIBER)

    result = rate_demo(
        demo_catalog,
        [employee],
        plan_id="12345VA0050001",
        month=Month(2027, 2),
        rating_date=date(2026, 9, 1),
    )

    # The group year from 2026-09-01 keeps the Q3 2026 rate into 2027
    assert result.base_rate == Decimal("510.00")
    # Age 31 on 2026-09-01: 510.00 x 1.159 = 591.09
    assert result.member("E").gross_cents == 59109


def test_family_tier_new_york(make_plan: Callable[..., Plan], rates_for) -> None:
    plan = make_plan(
        plan_id="54321NY0010001",
        product_id="54321NY001",
        state="NY",
        rating_method=RatingMethod.FAMILY_TIER,
        family_tier_table="ny-2018",
        tobacco_factor=Decimal(1),
    )
    area = RatingArea("NY-1", "NY", counties=frozenset({"Albany County"}))
    family = [
        member("S", "1980-06-01", Relationship.SUBSCRIBER, tobacco=True),
        member("P", "1982-07-01", Relationship.SPOUSE),
        member("C1", "2010-01-01"),
        member("C2", "2012-01-01"),
    ]

    result = rate_policy(
        plan=plan,
        area=area,
        rates=rates_for(plan, "500.00", "NY-1"),
        members=family,
        month=JANUARY_2026,
        rating_date=RATED_ON,
    )

    assert result.family_tier is FamilyTier.TWO_ADULTS_WITH_CHILDREN
    # 500.00 x 2.85 = 1,425.00, split evenly: 356.25 each
    assert result.gross_cents == 142500
    assert [item.gross_cents for item in result.members] == [35625, 35625, 35625, 35625]


def test_family_tier_split_remainder(make_plan: Callable[..., Plan], rates_for) -> None:
    plan = make_plan(
        plan_id="54321NY0010001",
        product_id="54321NY001",
        state="NY",
        rating_method=RatingMethod.FAMILY_TIER,
        family_tier_table="ny-2018",
        tobacco_factor=Decimal(1),
    )
    area = RatingArea("NY-1", "NY", counties=frozenset({"Albany County"}))
    family = [
        member("C1", "2010-01-01"),
        member("S", "1980-06-01", Relationship.SUBSCRIBER),
        member("C2", "2012-01-01"),
    ]

    result = rate_policy(
        plan=plan,
        area=area,
        rates=rates_for(plan, "500.00", "NY-1"),
        members=family,
        month=JANUARY_2026,
        rating_date=RATED_ON,
    )

    # 500.00 x 1.70 = 850.00; 850.00 / 3 = 283.33 for each child, subscriber 850.00 - 566.66 = 283.34
    assert result.member("C1").gross_cents == 28333
    assert result.member("C2").gross_cents == 28333
    assert result.member("S").gross_cents == 28334


def test_family_tier_child_only(make_plan: Callable[..., Plan], rates_for) -> None:
    plan = make_plan(
        plan_id="54321NY0010001",
        product_id="54321NY001",
        state="NY",
        rating_method=RatingMethod.FAMILY_TIER,
        family_tier_table="ny-2018",
        tobacco_factor=Decimal(1),
    )
    area = RatingArea("NY-1", "NY", counties=frozenset({"Albany County"}))

    result = rate_policy(
        plan=plan,
        area=area,
        rates=rates_for(plan, "500.00", "NY-1"),
        members=[member("K", "2012-01-01", Relationship.SUBSCRIBER)],
        month=JANUARY_2026,
        rating_date=RATED_ON,
    )

    # 500.00 x 0.412 = 206.00
    assert result.family_tier is FamilyTier.CHILD_ONLY
    assert result.gross_cents == 20600


def test_vermont_child_only_missing(make_plan: Callable[..., Plan], rates_for) -> None:
    plan = make_plan(
        plan_id="54321VT0010001",
        product_id="54321VT001",
        state="VT",
        rating_method=RatingMethod.FAMILY_TIER,
        family_tier_table="vt-2018",
        tobacco_factor=Decimal(1),
    )
    area = RatingArea("VT-1", "VT", counties=frozenset({"Chittenden County"}))

    with pytest.raises(ValidationError) as raised:
        rate_policy(
            plan=plan,
            area=area,
            rates=rates_for(plan, "500.00", "VT-1"),
            members=[member("K", "2012-01-01", Relationship.SUBSCRIBER)],
            month=JANUARY_2026,
            rating_date=RATED_ON,
        )

    assert raised.value.code == "rating.missing_tier_multiplier"


def test_vermont_adult_with_children(make_plan: Callable[..., Plan], rates_for) -> None:
    plan = make_plan(
        plan_id="54321VT0010001",
        product_id="54321VT001",
        state="VT",
        rating_method=RatingMethod.FAMILY_TIER,
        family_tier_table="vt-2018",
        tobacco_factor=Decimal(1),
    )
    area = RatingArea("VT-1", "VT", counties=frozenset({"Chittenden County"}))

    result = rate_policy(
        plan=plan,
        area=area,
        rates=rates_for(plan, "500.00", "VT-1"),
        members=[member("S", "1980-06-01", Relationship.SUBSCRIBER), member("C", "2012-01-01")],
        month=JANUARY_2026,
        rating_date=RATED_ON,
    )

    # 500.00 x 1.93 = 965.00
    assert result.gross_cents == 96500


def test_unknown_plan_named(demo_catalog: Catalog) -> None:
    with pytest.raises(NotFoundError) as raised:
        rate_demo(demo_catalog, R15_FAMILY, plan_id="99999VA0010001")

    assert raised.value.value == "99999VA0010001"
    assert "99999VA0010001" in raised.value.message


def test_unknown_plan_year_named(demo_catalog: Catalog) -> None:
    with pytest.raises(NotFoundError) as raised:
        rate_demo(demo_catalog, R15_FAMILY, plan_id="12345VA0010002", rating_date=RATED_ON)

    assert raised.value.code == "rating.unknown_plan_year"
    assert "2027" in str(raised.value.hint)


def test_unknown_area_named(demo_catalog: Catalog) -> None:
    with pytest.raises(NotFoundError) as raised:
        rate_demo(demo_catalog, R15_FAMILY, area_id="VA-9")

    assert raised.value.value == "VA-9"


def test_area_without_rates(make_plan: Callable[..., Plan], rates_for) -> None:
    plan = make_plan()
    other_area = RatingArea("VA-2", "VA", counties=frozenset({"Henrico County"}))

    with pytest.raises(NotFoundError) as raised:
        rate_policy(
            plan=plan,
            area=other_area,
            rates=rates_for(plan, "400.00"),
            members=R15_FAMILY[:1],
            month=JANUARY_2026,
            rating_date=RATED_ON,
        )

    assert raised.value.code == "rating.unknown_area"
    assert "VA-1" in str(raised.value.hint)


def test_area_in_other_state(make_plan: Callable[..., Plan], rates_for) -> None:
    plan = make_plan()
    maryland = RatingArea("MD-1", "MD", zip3=frozenset({"208"}))

    with pytest.raises(ValidationError) as raised:
        rate_policy(
            plan=plan,
            area=maryland,
            rates=rates_for(plan, "400.00"),
            members=R15_FAMILY[:1],
            month=JANUARY_2026,
            rating_date=RATED_ON,
        )

    assert raised.value.code == "rating.area_state_mismatch"


def test_rate_gap_names_plan_and_dates(make_plan: Callable[..., Plan], va_area: RatingArea) -> None:
    plan = make_plan()
    rates = RateTable(
        (
            RateRow(plan.plan_id, "VA-1", date(2026, 1, 1), date(2026, 3, 31), Decimal("400.00")),
            RateRow(plan.plan_id, "VA-1", date(2026, 5, 1), date(2026, 12, 31), Decimal("410.00")),
        )
    )

    with pytest.raises(ValidationError) as raised:
        rate_policy(
            plan=plan,
            area=va_area,
            rates=rates,
            members=R15_FAMILY[:1],
            month=Month(2026, 4),
            rating_date=date(2026, 4, 15),
        )

    assert raised.value.code == "rating.rate_gap"
    assert plan.plan_id in raised.value.message
    assert "2026-04-15" in raised.value.message
    assert "2026-01-01..2026-03-31" in raised.value.message


def test_rate_overlap_names_plan_and_dates(make_plan: Callable[..., Plan], va_area: RatingArea) -> None:
    plan = make_plan()
    rates = RateTable(
        (
            RateRow(plan.plan_id, "VA-1", date(2026, 1, 1), date(2026, 6, 30), Decimal("400.00")),
            RateRow(plan.plan_id, "VA-1", date(2026, 6, 1), date(2026, 12, 31), Decimal("410.00")),
        )
    )

    with pytest.raises(ConflictError) as raised:
        rate_policy(
            plan=plan,
            area=va_area,
            rates=rates,
            members=R15_FAMILY[:1],
            month=Month(2026, 6),
            rating_date=date(2026, 6, 15),
        )

    assert raised.value.code == "rating.rate_overlap"
    assert "2026-01-01..2026-06-30" in raised.value.message
    assert "2026-06-01..2026-12-31" in raised.value.message


def test_negative_rate_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        RateRow("12345VA0020001", "VA-1", date(2026, 1, 1), date(2026, 12, 31), Decimal("-1.00"))

    assert raised.value.code == "rating.negative_rate"


def test_sub_cent_rate_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        RateRow("12345VA0020001", "VA-1", date(2026, 1, 1), None, Decimal("400.005"))

    assert raised.value.code == "rating.sub_cent_rate"


def test_rating_date_outside_plan_year(demo_catalog: Catalog) -> None:
    plan = demo_catalog.plan("12345VA0010001", 2026)

    with pytest.raises(ValidationError) as raised:
        rate_policy(
            plan=plan,
            area=demo_catalog.area("VA-1"),
            rates=demo_catalog.rates,
            members=R15_FAMILY[:1],
            month=Month(2027, 1),
            rating_date=date(2027, 1, 1),
            rules=demo_catalog.rules,
        )

    assert raised.value.code == "rating.outside_plan_year"
    assert "12345VA0010002" in str(raised.value.hint)


def test_month_before_rating_date(demo_catalog: Catalog) -> None:
    with pytest.raises(ValidationError) as raised:
        rate_demo(demo_catalog, R15_FAMILY[:1], month=Month(2026, 2), rating_date=date(2026, 3, 18))

    assert raised.value.code == "rating.month_outside_rating_period"


def test_group_month_past_twelve(demo_catalog: Catalog) -> None:
    with pytest.raises(ValidationError):
        rate_demo(
            demo_catalog,
            R15_FAMILY[:1],
            plan_id="12345VA0050001",
            month=Month(2027, 9),
            rating_date=date(2026, 9, 1),
        )


def test_two_subscribers_rejected(demo_catalog: Catalog) -> None:
    members = [
        member("A", "1980-01-01", Relationship.SUBSCRIBER),
        member("B", "1981-01-01", Relationship.SUBSCRIBER),
    ]

    with pytest.raises(ValidationError) as raised:
        rate_demo(demo_catalog, members)

    assert raised.value.code == "rating.subscriber_count"


def test_duplicate_member_rejected(demo_catalog: Catalog) -> None:
    members = [member("A", "1980-01-01", Relationship.SUBSCRIBER), member("A", "2010-01-01")]

    with pytest.raises(ValidationError) as raised:
        rate_demo(demo_catalog, members)

    assert raised.value.code == "rating.duplicate_member"


def test_member_starting_after_month(demo_catalog: Catalog) -> None:
    members = [
        member("S", "1980-01-01", Relationship.SUBSCRIBER),
        member("C", "2010-01-01", coverage_start=date(2026, 2, 1)),
    ]

    with pytest.raises(ValidationError) as raised:
        rate_demo(demo_catalog, members)

    assert raised.value.code == "rating.member_not_covered"


def test_no_members_rejected(demo_catalog: Catalog) -> None:
    with pytest.raises(ValidationError):
        rate_demo(demo_catalog, [])


def test_tobacco_factor_above_state_cap(demo_catalog: Catalog) -> None:
    plan = Plan(
        plan_id="12345CO0020001",
        plan_year=2026,
        product_id="12345CO002",
        name="Colorado Silver",
        state="CO",
        market=Market.INDIVIDUAL,
        exchange=ExchangeStatus.ON,
        metal_level=MetalLevel.SILVER,
        ehb_share=Decimal("1"),
        tobacco_factor=Decimal("1.20"),
    )
    rules = RatingRules(tobacco_caps={"CO": Decimal("1.15")})
    area = RatingArea("CO-1", "CO", counties=frozenset({"Denver County"}))
    rates = RateTable((RateRow(plan.plan_id, "CO-1", date(2026, 1, 1), None, Decimal("400.00")),))

    with pytest.raises(ValidationError) as raised:
        rate_policy(
            plan=plan,
            area=area,
            rates=rates,
            members=R15_FAMILY[:1],
            month=JANUARY_2026,
            rating_date=RATED_ON,
            rules=rules,
        )

    assert raised.value.code == "rating.tobacco_factor_above_cap"
    assert "1.15" in raised.value.message


def test_result_to_dict_strings(demo_catalog: Catalog) -> None:
    data = rate_demo(demo_catalog, R15_FAMILY, aptc_cents=100000).to_dict()

    assert data["totals"]["gross"] == "2261.92"
    assert data["members"][0]["gross"] == "693.12"
    assert data["members"][0]["age_factor"] == "1.444"
    assert data["month"] == "2026-01"
    assert data["trace"][0]["step"] == "base_rate"
    assert data["trace"][0]["outputs"]["base_rate"] == "400.00"
