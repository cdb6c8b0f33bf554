"""Group billing: the per-member list bill, composite rates, and employer contributions.

The default group bill is the list bill: the sum of every enrollment's per-member premiums.
Where the state allows composite billing, two methods turn the group's per-member total
into rates held for the plan year:

- average enrollee premium: one average per adult and one per charged child under 21
  (or a single average over all enrollees);
- tier-factor composite: a unit rate ``R = group total / sum(count x tier factor)`` and a
  rate per tier ``round(R x factor)`` for EE, ES, EC and FAM.

Penny rule for composites: every enrollee (or enrollment) in a tier is billed the same
rounded rate, because that rate is what is filed and quoted to the employer. Rounding the
rates leaves the billed total a few cents away from the per-member total. Under
``bill_rounded_rates`` (the default) the group is billed the rounded rates and the
difference is reported, never hidden in one enrollee's rate. Under ``true_up_line`` a single
group-level rounding line carries the difference, so the bill equals the per-member total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from premia.kernel.errors import ValidationError
from premia.kernel.money import cents_to_decimal, round_half_up_cents, split_cents
from premia.rating.contributions import (
    ContributionLine,
    ContributionRule,
    CoverageTier,
    FixedPerTier,
    PercentOfEachMember,
    PercentOfEmployeeOnly,
    coverage_tier,
    employer_contribution,
)
from premia.rating.model import CHILD_RELATIONSHIPS, ChildCap, Relationship
from premia.rating.result import RatingResult
from premia.rating.trace import TraceStep, TraceStepName, dollars, trace_step


class CompositePennyRule(StrEnum):
    BILL_ROUNDED_RATES = "bill_rounded_rates"
    TRUE_UP_LINE = "true_up_line"


@dataclass(frozen=True)
class Enrollment:
    """One employee's enrollment in the group, rated per member for the month."""

    enrollment_id: str
    result: RatingResult

    @property
    def tier(self) -> CoverageTier:
        return coverage_tier(member.relationship for member in self.result.members)


@dataclass(frozen=True)
class ListBillLine:
    enrollment_id: str
    member_id: str
    relationship: Relationship
    gross_cents: int
    contribution_cents: int
    employee_cents: int


@dataclass(frozen=True)
class ListBill:
    """The per-member list bill: one line per member of every enrollment."""

    lines: tuple[ListBillLine, ...]

    @property
    def gross_cents(self) -> int:
        return sum(line.gross_cents for line in self.lines)

    @property
    def contribution_cents(self) -> int:
        return sum(line.contribution_cents for line in self.lines)

    @property
    def employee_cents(self) -> int:
        return sum(line.employee_cents for line in self.lines)


def list_bill(enrollments: Sequence[Enrollment]) -> ListBill:
    """Return the group's list bill; the total is the sum of the rounded member premiums."""
    _check_unique_ids(enrollments)
    lines = tuple(
        ListBillLine(
            enrollment_id=enrollment.enrollment_id,
            member_id=member.member_id,
            relationship=member.relationship,
            gross_cents=member.gross_cents,
            contribution_cents=member.contribution_cents,
            employee_cents=member.responsibility_cents,
        )
        for enrollment in enrollments
        for member in enrollment.result.members
    )
    return ListBill(lines)


@dataclass(frozen=True)
class CompositeBill:
    """Billed total of composite rates beside the per-member total, under a penny rule."""

    rated_total_cents: int
    rates_total_cents: int
    penny_rule: CompositePennyRule

    @property
    def rounding_difference_cents(self) -> int:
        """Per-member total minus the rounded rates' total; positive when the rates bill less."""
        return self.rated_total_cents - self.rates_total_cents

    @property
    def true_up_cents(self) -> int:
        """The group-level rounding line; zero unless the penny rule is ``true_up_line``."""
        if self.penny_rule is CompositePennyRule.TRUE_UP_LINE:
            return self.rounding_difference_cents
        return 0

    @property
    def billed_total_cents(self) -> int:
        return self.rates_total_cents + self.true_up_cents


@dataclass(frozen=True)
class EnrolleePremium:
    """A charged enrollee's per-member premium; ``is_child`` marks a child under the age limit."""

    enrollment_id: str
    member_id: str
    is_child: bool
    premium_cents: int


def enrollees_of(
    enrollments: Sequence[Enrollment], child_cap: ChildCap | None = None
) -> list[EnrolleePremium]:
    """Return the enrollees that composite averages count: children beyond the child cap are left out."""
    cap = child_cap or ChildCap()
    return [
        EnrolleePremium(
            enrollment_id=enrollment.enrollment_id,
            member_id=member.member_id,
            is_child=member.relationship in CHILD_RELATIONSHIPS and member.age < cap.age_limit,
            premium_cents=member.gross_cents,
        )
        for enrollment in enrollments
        for member in enrollment.result.members
        if member.charged
    ]


@dataclass(frozen=True)
class AverageEnrolleeRates:
    """Average enrollee premiums held for the plan year.

    With two tiers, adults pay ``adult_rate_cents`` and children ``child_rate_cents``; with
    one tier, ``child_rate_cents`` is None and every enrollee pays ``adult_rate_cents``.
    """

    adult_rate_cents: int
    child_rate_cents: int | None
    adult_count: int
    child_count: int
    bill: CompositeBill
    trace: tuple[TraceStep, ...]

    def amount_for(self, adults: int, children: int) -> int:
        """Return what an enrollment of ``adults`` and charged ``children`` is billed."""
        child_rate = self.adult_rate_cents if self.child_rate_cents is None else self.child_rate_cents
        return adults * self.adult_rate_cents + children * child_rate


def average_enrollee_rates(
    enrollees: Sequence[EnrolleePremium],
    *,
    two_tier: bool = True,
    penny_rule: CompositePennyRule = CompositePennyRule.BILL_ROUNDED_RATES,
) -> AverageEnrolleeRates:
    """Compute average enrollee premiums from the group's per-member premiums at plan-year start."""
    if not enrollees:
        raise _empty_group_error()
    rated_total = sum(enrollee.premium_cents for enrollee in enrollees)

    if two_tier:
        adults = [enrollee.premium_cents for enrollee in enrollees if not enrollee.is_child]
        children = [enrollee.premium_cents for enrollee in enrollees if enrollee.is_child]
    else:
        adults = [enrollee.premium_cents for enrollee in enrollees]
        children = []

    adult_rate = _average(adults)
    child_rate = _average(children) if two_tier else None
    rates_total = len(adults) * adult_rate + len(children) * (child_rate or 0)
    bill = CompositeBill(rated_total, rates_total, penny_rule)

    inputs = {
        "per_member_total": dollars(rated_total),
        "adults": str(len(adults)),
        "children": str(len(children)),
    }
    outputs = {"adult_rate": dollars(adult_rate)}
    if child_rate is not None:
        outputs["child_rate"] = dollars(child_rate)
    outputs.update(_bill_outputs(bill))
    step = trace_step(
        TraceStepName.COMPOSITE,
        inputs=inputs,
        outputs=outputs,
        note="averages rounded half-up once; " + _penny_note(penny_rule),
    )
    return AverageEnrolleeRates(adult_rate, child_rate, len(adults), len(children), bill, (step,))


def _average(premiums: Sequence[int]) -> int:
    if not premiums:
        return 0
    return round_half_up_cents(cents_to_decimal(sum(premiums)) / len(premiums))


@dataclass(frozen=True)
class TierFactors:
    """Tier factors relative to employee only, for example 1.00 / 2.00 / 1.80 / 2.85."""

    employee_spouse: Decimal
    employee_children: Decimal
    family: Decimal
    employee: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        for tier in CoverageTier:
            if self.factor(tier) <= 0:
                raise ValidationError(
                    code="rating.invalid_tier_factor",
                    message=f"tier factor for {tier.value} is {self.factor(tier)}, which is not above zero.",
                    field=tier.value,
                    value=self.factor(tier),
                    hint="Give each tier's factor relative to employee only, for example 2.00 for ES.",
                )

    def factor(self, tier: CoverageTier) -> Decimal:
        return {
            CoverageTier.EMPLOYEE: self.employee,
            CoverageTier.EMPLOYEE_SPOUSE: self.employee_spouse,
            CoverageTier.EMPLOYEE_CHILDREN: self.employee_children,
            CoverageTier.FAMILY: self.family,
        }[tier]


@dataclass(frozen=True)
class TieredEnrollment:
    enrollment_id: str
    tier: CoverageTier
    rated_cents: int


@dataclass(frozen=True)
class TierCompositeRates:
    """Tier rates from a tier-factor composite; ``unit_rate`` is kept exact, never rounded."""

    factors: TierFactors
    counts: dict[CoverageTier, int]
    divisor: Decimal
    unit_rate: Decimal
    rates_cents: dict[CoverageTier, int]
    bill: CompositeBill
    trace: tuple[TraceStep, ...]

    def rate_for(self, tier: CoverageTier) -> int:
        return self.rates_cents[tier]


def tiered_enrollments(enrollments: Sequence[Enrollment]) -> list[TieredEnrollment]:
    return [
        TieredEnrollment(enrollment.enrollment_id, enrollment.tier, enrollment.result.gross_cents)
        for enrollment in enrollments
    ]


def tier_factor_composite(
    enrollments: Sequence[TieredEnrollment],
    factors: TierFactors,
    *,
    penny_rule: CompositePennyRule = CompositePennyRule.BILL_ROUNDED_RATES,
) -> TierCompositeRates:
    """Compute tier rates: ``R = total / sum(count x factor)``, ``rate = round(R x factor)``."""
    if not enrollments:
        raise _empty_group_error()
    rated_total = sum(enrollment.rated_cents for enrollment in enrollments)
    counts = Counter(enrollment.tier for enrollment in enrollments)
    all_counts = {tier: counts.get(tier, 0) for tier in CoverageTier}

    divisor = sum((count * factors.factor(tier) for tier, count in all_counts.items()), Decimal(0))
    unit_rate = cents_to_decimal(rated_total) / divisor
    rates = {tier: round_half_up_cents(unit_rate * factors.factor(tier)) for tier in CoverageTier}
    rates_total = sum(all_counts[tier] * rates[tier] for tier in CoverageTier)
    bill = CompositeBill(rated_total, rates_total, penny_rule)

    step = trace_step(
        TraceStepName.COMPOSITE,
        inputs={
            "per_member_total": dollars(rated_total),
            **{f"count {tier.value}": str(all_counts[tier]) for tier in CoverageTier},
            **{f"factor {tier.value}": str(factors.factor(tier)) for tier in CoverageTier},
        },
        outputs={
            "divisor": str(divisor),
            "unit_rate": str(unit_rate),
            **{f"rate {tier.value}": dollars(rates[tier]) for tier in CoverageTier},
            **_bill_outputs(bill),
        },
        note="unit rate kept exact; each tier rate rounded half-up once; " + _penny_note(penny_rule),
    )
    return TierCompositeRates(factors, all_counts, divisor, unit_rate, rates, bill, (step,))


def split_to_members(amount_cents: int, result: RatingResult) -> list[int]:
    """Split an enrollment's composite amount over its members for member-level invoice lines.

    Shares follow the members' per-member premiums; the subscriber takes the remaining cents,
    so the lines add back to the composite amount exactly.
    """
    weights = [member.gross_cents for member in result.members]
    subscriber_index = next(
        index for index, member in enumerate(result.members) if member.relationship is Relationship.SUBSCRIBER
    )
    return split_cents(amount_cents, weights, remainder_index=subscriber_index)


def _bill_outputs(bill: CompositeBill) -> dict[str, str]:
    return {
        "rates_total": dollars(bill.rates_total_cents),
        "rounding_difference": dollars(bill.rounding_difference_cents),
        "true_up_line": dollars(bill.true_up_cents),
        "billed_total": dollars(bill.billed_total_cents),
    }


def _penny_note(rule: CompositePennyRule) -> str:
    if rule is CompositePennyRule.TRUE_UP_LINE:
        return "one group rounding line brings the bill to the per-member total"
    return "the group is billed the rounded rates and the difference is reported"


def _empty_group_error() -> ValidationError:
    return ValidationError(
        code="rating.empty_group",
        message="composite rates need at least one enrollee.",
        field="enrollments",
        hint="Rate the group's census per member first.",
    )


def _check_unique_ids(enrollments: Sequence[Enrollment]) -> None:
    seen: set[str] = set()
    for enrollment in enrollments:
        if enrollment.enrollment_id in seen:
            raise ValidationError(
                code="rating.duplicate_enrollment",
                message=f"enrollment {enrollment.enrollment_id!r} appears twice on the list bill.",
                field="enrollment_id",
                value=enrollment.enrollment_id,
                hint="List each enrollment once.",
            )
        seen.add(enrollment.enrollment_id)


__all__ = [
    "AverageEnrolleeRates",
    "CompositeBill",
    "CompositePennyRule",
    "ContributionLine",
    "ContributionRule",
    "CoverageTier",
    "EnrolleePremium",
    "Enrollment",
    "FixedPerTier",
    "ListBill",
    "ListBillLine",
    "PercentOfEachMember",
    "PercentOfEmployeeOnly",
    "TierCompositeRates",
    "TierFactors",
    "TieredEnrollment",
    "average_enrollee_rates",
    "coverage_tier",
    "employer_contribution",
    "enrollees_of",
    "list_bill",
    "split_to_members",
    "tier_factor_composite",
    "tiered_enrollments",
]
