"""APTC: the EHB cap rounded down, the applied amount, and the split over members."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from premia.kernel.dates import Month
from premia.kernel.errors import ValidationError
from premia.rating import Catalog, RatingResult, rate_from_catalog, rate_policy
from premia.rating.aptc import apply_aptc, ehb_cap_cents
from premia.rating.model import ExchangeStatus, Member, Plan, RatingArea, Relationship
from premia.rating.trace import TraceStepName

JANUARY_2026 = Month(2026, 1)
RATED_ON = date(2026, 1, 1)


def member(
    member_id: str, born: str, relationship: Relationship = Relationship.CHILD, **kwargs: Any
) -> Member:
    return Member(member_id, date.fromisoformat(born), relationship, **kwargs)


def rate_one(
    plan: Plan, area: RatingArea, rates: Any, members: list[Member], aptc_cents: int
) -> RatingResult:
    return rate_policy(
        plan=plan,
        area=area,
        rates=rates,
        members=members,
        month=JANUARY_2026,
        rating_date=RATED_ON,
        aptc_cents=aptc_cents,
    )


ADULT_22 = "2003-05-01"  # age 22 on 2026-01-01: factor 1.000, so the premium is the base rate


def test_r21_example_a(make_plan: Callable[..., Plan], va_area: RatingArea, rates_for) -> None:
    plan = make_plan(ehb_share=Decimal("1.000"))

    result = rate_one(
        plan, va_area, rates_for(plan, "1650.32"), [member("S", ADULT_22, Relationship.SUBSCRIBER)], 141200
    )

    # 1,650.32 - 1,412.00 = 238.32
    assert result.applied_aptc_cents == 141200
    assert result.responsibility_cents == 23832


def test_r21_example_b_capped(make_plan: Callable[..., Plan], va_area: RatingArea, rates_for) -> None:
    plan = make_plan(ehb_share=Decimal("0.995"))

    result = rate_one(
        plan, va_area, rates_for(plan, "350.00"), [member("S", ADULT_22, Relationship.SUBSCRIBER)], 51200
    )

    # EHB premium: 350.00 x 0.995 = 348.25 (exact); applied min(512.00, 348.25) = 348.25
    assert result.aptc.ehb_cap_cents == 34825
    assert result.applied_aptc_cents == 34825
    # 350.00 - 348.25 = 1.75
    assert result.responsibility_cents == 175


def test_r23_cap_rounds_down() -> None:
    # 419.20 x 0.995 = 417.104 -> rounded down to 417.10
    assert ehb_cap_cents(41920, Decimal("0.995")) == 41710
    # 300.01 x 0.995 = 298.50995 -> 298.50, never 298.51
    assert ehb_cap_cents(30001, Decimal("0.995")) == 29850


def test_excess_aptc_shown_in_trace(make_plan: Callable[..., Plan], va_area: RatingArea, rates_for) -> None:
    plan = make_plan(ehb_share=Decimal("0.995"))

    result = rate_one(
        plan, va_area, rates_for(plan, "350.00"), [member("S", ADULT_22, Relationship.SUBSCRIBER)], 51200
    )

    cap_step = next(step for step in result.trace if step.name is TraceStepName.SUBSIDY_CAP)
    # 512.00 - 348.25 = 163.75 not applied
    assert dict(cap_step.outputs)["reduction"] == "163.75"
    assert "EHB cap" in cap_step.note


def test_bc09_aptc_split(demo_catalog: Catalog) -> None:
    members = [
        member("A", "1990-08-17", Relationship.SUBSCRIBER),
        member("B", "1991-02-03", Relationship.SPOUSE),
    ]

    result = rate_from_catalog(
        demo_catalog,
        plan_id="12345VA0020001",
        area_id="VA-1",
        members=members,
        month=JANUARY_2026,
        rating_date=RATED_ON,
        aptc_cents=73500,
    )

    # A: 400.00 x 1.222 = 488.80; B: 400.00 x 1.214 = 485.60
    assert result.member("A").gross_cents == 48880
    assert result.member("B").gross_cents == 48560
    # B: 735.00 x 1.214 / 2.436 = 366.2931... -> 366.29; A: 735.00 - 366.29 = 368.71
    assert result.member("B").aptc_cents == 36629
    assert result.member("A").aptc_cents == 36871
    # 48,880 + 48,560 - 36,871 - 36,629 = 23,940 cents
    assert result.responsibility_cents == 23940


def test_bc21_ehb_one(make_plan: Callable[..., Plan], va_area: RatingArea, rates_for) -> None:
    plan = make_plan(ehb_share=Decimal("1.000"))
    subscriber = member("A", "1998-10-30", Relationship.SUBSCRIBER)

    result = rate_one(plan, va_area, rates_for(plan, "400.00"), [subscriber], 51200)

    # 400.00 x 1.048 = 419.20; applied min(512.00, 419.20) = 419.20; net 0.00
    assert result.gross_cents == 41920
    assert result.applied_aptc_cents == 41920
    assert result.responsibility_cents == 0


def test_bc21_ehb_share(demo_catalog: Catalog) -> None:
    subscriber = member("A", "1998-10-30", Relationship.SUBSCRIBER)

    result = rate_from_catalog(
        demo_catalog,
        plan_id="12345VA0020001",
        area_id="VA-1",
        members=[subscriber],
        month=Month(2026, 7),
        rating_date=RATED_ON,
        aptc_cents=51200,
    )

    # 419.20 x 0.995 = 417.104 -> 417.10; net 419.20 - 417.10 = 2.10
    assert result.applied_aptc_cents == 41710
    assert result.responsibility_cents == 210


def test_ineligible_member_gets_none(make_plan: Callable[..., Plan], va_area: RatingArea, rates_for) -> None:
    plan = make_plan()
    members = [
        member("S", "1990-08-17", Relationship.SUBSCRIBER),
        member("P", "1991-02-03", Relationship.SPOUSE, aptc_eligible=False),
    ]

    result = rate_one(plan, va_area, rates_for(plan, "400.00"), members, 60000)

    # Only S (488.80) is eligible, so the 600.00 APTC is limited to 488.80
    assert result.member("P").aptc_cents == 0
    assert result.member("S").aptc_cents == 48880
    assert result.aptc.reduction_cents == 60000 - 48880


def test_ineligible_subscriber_remainder(
    make_plan: Callable[..., Plan], va_area: RatingArea, rates_for
) -> None:
    plan = make_plan()
    members = [
        member("S", "1990-08-17", Relationship.SUBSCRIBER, aptc_eligible=False),
        member("P", "1991-02-03", Relationship.SPOUSE),
        member("C", "2015-01-01"),
    ]

    result = rate_one(plan, va_area, rates_for(plan, "400.00"), members, 50001)

    # 500.01 over P (1.214) and C (0.765): C 500.01 x 0.765 / 1.979 = 193.2832... -> 193.28;
    # the subscriber is not eligible, so P, the first eligible member, takes 500.01 - 193.28 = 306.73
    assert result.member("S").aptc_cents == 0
    assert result.member("C").aptc_cents == 19328
    assert result.member("P").aptc_cents == 30673


def test_capped_child_gets_no_aptc(demo_catalog: Catalog) -> None:
    members = [
        member("S", "1980-06-01", Relationship.SUBSCRIBER),
        member("C1", "2010-01-01"),
        member("C2", "2012-01-01"),
        member("C3", "2014-01-01"),
        member("C4", "2016-01-01"),
    ]

    result = rate_from_catalog(
        demo_catalog,
        plan_id="12345VA0020001",
        area_id="VA-1",
        members=members,
        month=JANUARY_2026,
        rating_date=RATED_ON,
        aptc_cents=100000,
    )

    assert result.member("C4").gross_cents == 0
    assert result.member("C4").aptc_cents == 0


def test_share_capped_at_premium() -> None:
    # Tobacco raises S's premium but not the benchmark weight; the split still caps each share.
    outcome = apply_aptc(
        exchange_cents=90000,
        premiums=[80000, 10000],
        eligible=[True, True],
        benchmark_weights=[Decimal("1.000"), Decimal("1.000")],
        ehb_share=Decimal("1"),
        remainder_index=0,
    )

    # Equal weights would give 450.00 each, but the second premium is 100.00: 800.00 + 100.00
    assert outcome.shares == (80000, 10000)


def test_aptc_off_exchange_rejected(make_plan: Callable[..., Plan], va_area: RatingArea, rates_for) -> None:
    plan = make_plan(exchange=ExchangeStatus.OFF)

    with pytest.raises(ValidationError) as raised:
        rate_one(
            plan, va_area, rates_for(plan, "400.00"), [member("S", ADULT_22, Relationship.SUBSCRIBER)], 100
        )

    assert raised.value.code == "rating.aptc_off_exchange"


def test_negative_aptc_rejected(make_plan: Callable[..., Plan], va_area: RatingArea, rates_for) -> None:
    plan = make_plan()

    with pytest.raises(ValidationError) as raised:
        rate_one(
            plan, va_area, rates_for(plan, "400.00"), [member("S", ADULT_22, Relationship.SUBSCRIBER)], -1
        )

    assert raised.value.code == "rating.invalid_aptc"


def test_zero_aptc_adds_no_steps(make_plan: Callable[..., Plan], va_area: RatingArea, rates_for) -> None:
    plan = make_plan()

    result = rate_one(
        plan, va_area, rates_for(plan, "400.00"), [member("S", ADULT_22, Relationship.SUBSCRIBER)], 0
    )

    assert all(step.name is not TraceStepName.SUBSIDY_CAP for step in result.trace)
    assert result.applied_aptc_cents == 0
