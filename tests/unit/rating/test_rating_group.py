"""Group billing: list bill, composite rates (R1.8, R1.9) with the penny rule, contributions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from premia.kernel.dates import Month
from premia.kernel.errors import ValidationError
from premia.rating import Catalog, rate_from_catalog
from premia.rating.contributions import (
    ContributionLine,
    CoverageTier,
    FixedPerTier,
    PercentOfEachMember,
    PercentOfEmployeeOnly,
    coverage_tier,
    employer_contribution,
)
from premia.rating.group import (
    CompositePennyRule,
    Enrollment,
    TierFactors,
    average_enrollee_rates,
    enrollees_of,
    list_bill,
    split_to_members,
    tier_factor_composite,
    tiered_enrollments,
)
from premia.rating.model import Member, Relationship

SMALL_GROUP_PLAN = "12345VA0050001"
PLAN_YEAR_START = date(2026, 1, 1)

S, P, C = Relationship.SUBSCRIBER, Relationship.SPOUSE, Relationship.CHILD

# A five-employee census on the demo small-group plan (base 500.00 in Q1 2026, VA-1),
# ages on 2026-01-01, 7 adults and 3 children, per-member total 6,189.50.
CENSUS: dict[str, list[tuple[str, str, Relationship]]] = {
    # EE, age 30: 500.00 x 1.135 = 567.50
    "E1": [("E1-S", "1995-06-01", S)],
    # ES, ages 44 and 45: 500.00 x 1.397 = 698.50 + 500.00 x 1.444 = 722.00 = 1,420.50
    "E2": [("E2-S", "1981-06-01", S), ("E2-P", "1980-06-01", P)],
    # EC, ages 38 and 10: 623.00 + 382.50 = 1,005.50
    "E3": [("E3-S", "1987-06-01", S), ("E3-C", "2015-06-01", C)],
    # FAM, ages 50, 52, 17, 10: 893.00 + 976.00 + 442.50 + 382.50 = 2,694.00
    "E4": [
        ("E4-S", "1975-06-01", S),
        ("E4-P", "1973-06-01", P),
        ("E4-C1", "2008-06-01", C),
        ("E4-C2", "2015-03-01", C),
    ],
    # EE, age 25: 500.00 x 1.004 = 502.00
    "E5": [("E5-S", "2000-06-01", S)],
}


def enroll(catalog: Catalog, enrollment_id: str, **kwargs: Any) -> Enrollment:
    members = [
        Member(member_id, date.fromisoformat(born), relation)
        for member_id, born, relation in CENSUS[enrollment_id]
    ]
    result = rate_from_catalog(
        catalog,
        plan_id=SMALL_GROUP_PLAN,
        area_id="VA-1",
        members=members,
        month=Month(2026, 1),
        rating_date=PLAN_YEAR_START,
        **kwargs,
    )
    return Enrollment(enrollment_id, result)


def fixed_amounts(*, employee: int) -> FixedPerTier:
    """EE as given; ES 700.00, EC 650.00 and FAM 900.00."""
    return FixedPerTier(
        {
            CoverageTier.EMPLOYEE: employee,
            CoverageTier.EMPLOYEE_SPOUSE: 70000,
            CoverageTier.EMPLOYEE_CHILDREN: 65000,
            CoverageTier.FAMILY: 90000,
        }
    )


@pytest.fixture
def census(demo_catalog: Catalog) -> list[Enrollment]:
    return [enroll(demo_catalog, enrollment_id) for enrollment_id in CENSUS]


def test_census_per_member_totals(census: list[Enrollment]) -> None:
    totals = {enrollment.enrollment_id: enrollment.result.gross_cents for enrollment in census}

    assert totals == {"E1": 56750, "E2": 142050, "E3": 100550, "E4": 269400, "E5": 50200}


def test_list_bill_total(census: list[Enrollment]) -> None:
    bill = list_bill(census)

    # 567.50 + 1,420.50 + 1,005.50 + 2,694.00 + 502.00 = 6,189.50
    assert bill.gross_cents == 618950
    assert len(bill.lines) == 10


def test_list_bill_duplicate_rejected(census: list[Enrollment]) -> None:
    with pytest.raises(ValidationError):
        list_bill([census[0], census[0]])


def test_r18_average_enrollee(census: list[Enrollment]) -> None:
    rates = average_enrollee_rates(enrollees_of(census))

    # adults: 6,189.50 - 1,207.50 = 4,982.00 / 7 = 711.714... -> 711.71
    assert rates.adult_rate_cents == 71171
    # children: 1,207.50 / 3 = 402.50
    assert rates.child_rate_cents == 40250
    assert (rates.adult_count, rates.child_count) == (7, 3)
    # 7 x 711.71 + 3 x 402.50 = 4,981.97 + 1,207.50 = 6,189.47
    assert rates.bill.billed_total_cents == 618947
    # 6,189.50 - 6,189.47 = 0.03 kept visible, not billed
    assert rates.bill.rounding_difference_cents == 3
    assert rates.bill.true_up_cents == 0


def test_r18_true_up_line(census: list[Enrollment]) -> None:
    rates = average_enrollee_rates(enrollees_of(census), penny_rule=CompositePennyRule.TRUE_UP_LINE)

    # 6,189.47 + 0.03 rounding line = 6,189.50, the per-member total
    assert rates.bill.true_up_cents == 3
    assert rates.bill.billed_total_cents == 618950


def test_r18_enrollment_amount(census: list[Enrollment]) -> None:
    rates = average_enrollee_rates(enrollees_of(census))

    # FAM with 2 adults and 2 children: 2 x 711.71 + 2 x 402.50 = 2,228.42
    assert rates.amount_for(2, 2) == 222842


def test_single_average(census: list[Enrollment]) -> None:
    rates = average_enrollee_rates(enrollees_of(census), two_tier=False)

    # 6,189.50 / 10 = 618.95, exact
    assert rates.adult_rate_cents == 61895
    assert rates.child_rate_cents is None
    assert rates.bill.rounding_difference_cents == 0


def test_uncapped_children_not_counted(demo_catalog: Catalog) -> None:
    big_family = [
        Member("S", date(1980, 6, 1), S),
        *[Member(f"C{index}", date(2010 + index, 1, 1), C) for index in range(4)],
    ]
    result = rate_from_catalog(
        demo_catalog,
        plan_id=SMALL_GROUP_PLAN,
        area_id="VA-1",
        members=big_family,
        month=Month(2026, 1),
        rating_date=PLAN_YEAR_START,
    )

    enrollees = enrollees_of([Enrollment("F", result)])

    # The 4th child under 21 is covered at $0 and is not an enrollee for the averages
    assert len(enrollees) == 4
    assert sum(enrollee.is_child for enrollee in enrollees) == 3


def test_r19_tier_composite(census: list[Enrollment]) -> None:
    factors = TierFactors(
        employee_spouse=Decimal("2.00"), employee_children=Decimal("1.80"), family=Decimal("2.85")
    )

    rates = tier_factor_composite(tiered_enrollments(census), factors)

    # X = 2(1.00) + 2.00 + 1.80 + 2.85 = 8.65
    assert rates.divisor == Decimal("8.65")
    # R = 6,189.50 / 8.65 = 715.549...
    assert rates.unit_rate.quantize(Decimal("0.001")) == Decimal("715.549")
    # EE 715.549 x 1.00 = 715.55; ES x 2.00 = 1,431.098 -> 1,431.10
    assert rates.rate_for(CoverageTier.EMPLOYEE) == 71555
    assert rates.rate_for(CoverageTier.EMPLOYEE_SPOUSE) == 143110
    # EC x 1.80 = 1,287.988 -> 1,287.99; FAM x 2.85 = 2,039.315 -> 2,039.32
    assert rates.rate_for(CoverageTier.EMPLOYEE_CHILDREN) == 128799
    assert rates.rate_for(CoverageTier.FAMILY) == 203932
    # 2 x 715.55 + 1,431.10 + 1,287.99 + 2,039.32 = 6,189.51, 0.01 over the rated total
    assert rates.bill.billed_total_cents == 618951
    assert rates.bill.rounding_difference_cents == -1


def test_r19_true_up_line(census: list[Enrollment]) -> None:
    factors = TierFactors(
        employee_spouse=Decimal("2.00"), employee_children=Decimal("1.80"), family=Decimal("2.85")
    )

    rates = tier_factor_composite(
        tiered_enrollments(census), factors, penny_rule=CompositePennyRule.TRUE_UP_LINE
    )

    # 6,189.51 - 0.01 rounding line = 6,189.50
    assert rates.bill.true_up_cents == -1
    assert rates.bill.billed_total_cents == 618950


def test_composite_trace_shows_penny_rule(census: list[Enrollment]) -> None:
    factors = TierFactors(
        employee_spouse=Decimal("2.00"), employee_children=Decimal("1.80"), family=Decimal("2.85")
    )

    step = tier_factor_composite(tiered_enrollments(census), factors).trace[0]

    assert dict(step.outputs)["rounding_difference"] == "-0.01"
    assert "difference is reported" in step.note


def test_tier_factor_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        TierFactors(employee_spouse=Decimal("0"), employee_children=Decimal("1.8"), family=Decimal("2.85"))


def test_composite_needs_enrollees() -> None:
    with pytest.raises(ValidationError):
        average_enrollee_rates([])


def test_split_composite_to_members(census: list[Enrollment]) -> None:
    family = census[3]

    shares = split_to_members(203932, family.result)

    # 2,039.32 by per-member premiums 893.00 / 976.00 / 442.50 / 382.50 of 2,694.00:
    # spouse 738.818... -> 738.82, children 334.966... -> 334.97 and 289.547... -> 289.55,
    # subscriber 2,039.32 - 738.82 - 334.97 - 289.55 = 675.98
    assert shares == [67598, 73882, 33497, 28955]
    assert sum(shares) == 203932


def test_coverage_tiers() -> None:
    assert coverage_tier([S]) is CoverageTier.EMPLOYEE
    assert coverage_tier([S, Relationship.DOMESTIC_PARTNER]) is CoverageTier.EMPLOYEE_SPOUSE
    assert coverage_tier([S, C, C]) is CoverageTier.EMPLOYEE_CHILDREN
    assert coverage_tier([S, P, C]) is CoverageTier.FAMILY


def test_percent_of_employee_only(demo_catalog: Catalog) -> None:
    enrollment = enroll(demo_catalog, "E2", contribution=PercentOfEmployeeOnly(Decimal("50")))

    # 50% of the employee's own 698.50 = 349.25, on the subscriber's line
    assert enrollment.result.member("E2-S").contribution_cents == 34925
    assert enrollment.result.member("E2-P").contribution_cents == 0
    # 1,420.50 - 349.25 = 1,071.25 payroll deduction
    assert enrollment.result.responsibility_cents == 107125


def test_fixed_per_tier_overflows_to_dependents(demo_catalog: Catalog) -> None:
    rule = fixed_amounts(employee=40000)

    enrollment = enroll(demo_catalog, "E3", contribution=rule)

    # EC 650.00: subscriber 623.00 first, then 27.00 on the child
    assert enrollment.result.member("E3-S").contribution_cents == 62300
    assert enrollment.result.member("E3-C").contribution_cents == 2700


def test_fixed_per_tier_capped_at_premium(demo_catalog: Catalog) -> None:
    rule = fixed_amounts(employee=60000)

    enrollment = enroll(demo_catalog, "E5", contribution=rule)

    # 600.00 offered, premium 502.00: the employer pays 502.00 and the employee 0.00
    assert enrollment.result.contribution_cents == 50200
    assert enrollment.result.responsibility_cents == 0


def test_percent_of_each_member(demo_catalog: Catalog) -> None:
    rule = PercentOfEachMember(employee_percent=Decimal("100"), dependent_percent=Decimal("50"))

    enrollment = enroll(demo_catalog, "E4", contribution=rule)

    # 100% of 893.00; 50% of 976.00 = 488.00; of 442.50 = 221.25; of 382.50 = 191.25
    assert [member.contribution_cents for member in enrollment.result.members] == [89300, 48800, 22125, 19125]


def test_contribution_rule_trace(demo_catalog: Catalog) -> None:
    enrollment = enroll(demo_catalog, "E2", contribution=PercentOfEmployeeOnly(Decimal("50")))

    step = next(step for step in enrollment.result.trace if step.name.value == "contribution")
    assert dict(step.inputs)["tier"] == "es"
    assert dict(step.outputs)["E2-S"] == "349.25"


def test_contribution_percent_range() -> None:
    with pytest.raises(ValidationError):
        PercentOfEmployeeOnly(Decimal("101"))


def test_fixed_tiers_must_be_complete() -> None:
    with pytest.raises(ValidationError) as raised:
        FixedPerTier({CoverageTier.EMPLOYEE: 40000})

    assert "es, ec, fam" in raised.value.message


def test_contribution_never_exceeds_owed() -> None:
    lines = [ContributionLine("S", S, 10000), ContributionLine("C", C, 5000)]

    shares = employer_contribution(PercentOfEmployeeOnly(Decimal("100")), lines, employee_only_cents=50000)

    # 100% of a 500.00 employee-only rate, but only 150.00 is owed
    assert shares == [10000, 5000]


def test_contribution_on_individual_plan(demo_catalog: Catalog) -> None:
    with pytest.raises(ValidationError) as raised:
        rate_from_catalog(
            demo_catalog,
            plan_id="12345VA0040001",
            area_id="VA-1",
            members=[Member("S", date(1980, 1, 1), S)],
            month=Month(2026, 1),
            rating_date=PLAN_YEAR_START,
            contribution=PercentOfEmployeeOnly(Decimal("50")),
        )

    assert raised.value.code == "rating.contribution_on_individual_plan"
