"""Employer contribution rules for group plans, and the coverage tier of an enrollment.

Three rule shapes are supported: a percentage of the employee-only rate, a fixed amount per
coverage tier, and a percentage of each member's premium. A contribution never exceeds the
premium: a policy-level amount is capped at the policy's premium and applied to the
subscriber's line first, then to the dependents' lines in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from premia.kernel.errors import ValidationError
from premia.kernel.money import allocate_in_order, cents_to_decimal, parse_amount, round_half_up_cents
from premia.rating.model import PARTNER_RELATIONSHIPS, Relationship

HUNDRED_PERCENT = Decimal(100)


class CoverageTier(StrEnum):
    """Coverage tier of an enrollment: employee only, with spouse, with children, or family."""

    EMPLOYEE = "ee"
    EMPLOYEE_SPOUSE = "es"
    EMPLOYEE_CHILDREN = "ec"
    FAMILY = "fam"


def coverage_tier(relationships: Iterable[Relationship]) -> CoverageTier:
    """Return the tier of an enrollment; a domestic partner counts as a spouse."""
    has_partner = False
    has_children = False
    for relationship in relationships:
        if relationship in PARTNER_RELATIONSHIPS:
            has_partner = True
        elif relationship is not Relationship.SUBSCRIBER:
            has_children = True

    if has_partner and has_children:
        return CoverageTier.FAMILY
    if has_partner:
        return CoverageTier.EMPLOYEE_SPOUSE
    if has_children:
        return CoverageTier.EMPLOYEE_CHILDREN
    return CoverageTier.EMPLOYEE


def _check_percent(name: str, percent: Decimal) -> None:
    if not Decimal(0) <= percent <= HUNDRED_PERCENT:
        raise ValidationError(
            code="rating.invalid_contribution_percent",
            message=f"employer contribution {name} {percent} is not between 0 and 100.",
            field=name,
            value=percent,
            hint="Give the percentage the employer pays, for example 75 for 75%.",
        )


@dataclass(frozen=True)
class PercentOfEmployeeOnly:
    """The employer pays ``percent`` of the employee-only rate, whatever tier is chosen."""

    percent: Decimal

    def __post_init__(self) -> None:
        _check_percent("percent", self.percent)

    def describe(self) -> str:
        return f"{self.percent}% of the employee-only rate"


@dataclass(frozen=True)
class FixedPerTier:
    """The employer pays a fixed amount in cents per coverage tier; every tier must be given."""

    amounts_cents: Mapping[CoverageTier, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        missing = [tier.value for tier in CoverageTier if tier not in self.amounts_cents]
        if missing:
            raise ValidationError(
                code="rating.incomplete_contribution_tiers",
                message=f"fixed employer contribution has no amount for tiers {', '.join(missing)}.",
                field="amounts",
                value=", ".join(missing),
                hint="Give an amount for each of ee, es, ec and fam (0 where the employer pays nothing).",
            )
        for tier, amount in self.amounts_cents.items():
            if amount < 0:
                raise ValidationError(
                    code="rating.negative_contribution",
                    message=f"fixed employer contribution for tier {tier.value} is negative.",
                    field=f"amounts.{tier.value}",
                    value=amount,
                    hint="Contributions are zero or more.",
                )

    def describe(self) -> str:
        amounts = ", ".join(
            f"{tier.value} {cents_to_decimal(self.amounts_cents[tier])}" for tier in CoverageTier
        )
        return f"fixed per tier ({amounts})"


@dataclass(frozen=True)
class PercentOfEachMember:
    """The employer pays a percentage of each member's premium; dependents may have their own."""

    employee_percent: Decimal
    dependent_percent: Decimal | None = None

    def __post_init__(self) -> None:
        _check_percent("employee_percent", self.employee_percent)
        if self.dependent_percent is not None:
            _check_percent("dependent_percent", self.dependent_percent)

    def percent_for(self, relationship: Relationship) -> Decimal:
        if relationship is Relationship.SUBSCRIBER or self.dependent_percent is None:
            return self.employee_percent
        return self.dependent_percent

    def describe(self) -> str:
        dependents = self.employee_percent if self.dependent_percent is None else self.dependent_percent
        return f"{self.employee_percent}% of the employee's premium, {dependents}% of each dependent's"


ContributionRule = PercentOfEmployeeOnly | FixedPerTier | PercentOfEachMember


@dataclass(frozen=True)
class ContributionLine:
    """A member's premium still owed after APTC, which the contribution may pay."""

    member_id: str
    relationship: Relationship
    owed_cents: int


def percent_of(cents: int, percent: Decimal) -> int:
    return round_half_up_cents(cents_to_decimal(cents) * percent / HUNDRED_PERCENT)


def employer_contribution(
    rule: ContributionRule,
    lines: Sequence[ContributionLine],
    *,
    employee_only_cents: int,
) -> list[int]:
    """Return the employer's contribution for each line, in the order of ``lines``.

    ``employee_only_cents`` is the rate the employee would pay alone: the subscriber's own
    premium under per-member rating, or the employee-only tier rate under composite or
    family-tier rating.
    """
    if isinstance(rule, PercentOfEachMember):
        return [percent_of(line.owed_cents, rule.percent_for(line.relationship)) for line in lines]

    if isinstance(rule, PercentOfEmployeeOnly):
        policy_amount = percent_of(employee_only_cents, rule.percent)
    else:
        tier = coverage_tier(line.relationship for line in lines)
        policy_amount = rule.amounts_cents[tier]

    return _apply_subscriber_first(policy_amount, lines)


def _apply_subscriber_first(amount: int, lines: Sequence[ContributionLine]) -> list[int]:
    order = sorted(
        range(len(lines)), key=lambda index: lines[index].relationship is not Relationship.SUBSCRIBER
    )
    owed_in_order = [lines[index].owed_cents for index in order]
    capped = min(amount, sum(owed_in_order))
    applied_in_order = allocate_in_order(capped, owed_in_order)

    shares = [0] * len(lines)
    for index, applied in zip(order, applied_in_order, strict=True):
        shares[index] = applied
    return shares


# Stored form ----------------------------------------------------------------------------
#
# An employer group keeps its rule as JSON: {"kind": ..., and the kind's fields}. Amounts
# are decimal strings in dollars and percentages are decimal strings, so that the stored
# rule reads the same as the rate filing it came from.

RULE_KINDS = ("employee_only_percent", "tier_amounts", "member_percent")


def rule_to_dict(rule: ContributionRule) -> dict[str, object]:
    """Return the JSON-ready stored form of ``rule``."""
    if isinstance(rule, PercentOfEmployeeOnly):
        return {"kind": "employee_only_percent", "percent": str(rule.percent)}
    if isinstance(rule, FixedPerTier):
        amounts = {tier.value: str(cents_to_decimal(rule.amounts_cents[tier])) for tier in CoverageTier}
        return {"kind": "tier_amounts", "amounts": amounts}
    stored: dict[str, object] = {"kind": "member_percent", "employee_percent": str(rule.employee_percent)}
    if rule.dependent_percent is not None:
        stored["dependent_percent"] = str(rule.dependent_percent)
    return stored


def rule_from_dict(data: Mapping[str, object], *, record: str | None = None) -> ContributionRule:
    """Build a rule from its stored form, raising a ValidationError that names the bad field."""
    kind = data.get("kind")
    if kind == "employee_only_percent":
        return PercentOfEmployeeOnly(_percent(data, "percent", record))
    if kind == "tier_amounts":
        return FixedPerTier(_tier_amounts(data.get("amounts"), record))
    if kind == "member_percent":
        dependent = data.get("dependent_percent")
        return PercentOfEachMember(
            _percent(data, "employee_percent", record),
            None if dependent is None else _percent(data, "dependent_percent", record),
        )
    raise ValidationError(
        code="rating.unknown_contribution_kind",
        message=f"employer contribution kind {kind!r} is not one of {', '.join(RULE_KINDS)}.",
        record=record,
        field="contribution.kind",
        value=kind,
        hint="Use employee_only_percent, tier_amounts or member_percent.",
    )


def contribution_key(rule: ContributionRule | None) -> tuple[object, ...] | None:
    """Return a hashable key equal for rules that give equal contributions, for rating caches."""
    if rule is None:
        return None
    if isinstance(rule, FixedPerTier):
        return ("tier_amounts", tuple(rule.amounts_cents[tier] for tier in CoverageTier))
    if isinstance(rule, PercentOfEmployeeOnly):
        return ("employee_only_percent", rule.percent)
    return ("member_percent", rule.employee_percent, rule.dependent_percent)


def _percent(data: Mapping[str, object], name: str, record: str | None) -> Decimal:
    value = data.get(name)
    percent: Decimal | None = None
    if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
        try:
            percent = Decimal(str(value).strip())
        except ArithmeticError:
            percent = None
    if percent is None or not percent.is_finite():
        raise ValidationError(
            code="rating.invalid_contribution_percent",
            message=f"employer contribution {name} {value!r} is not a number.",
            record=record,
            field=f"contribution.{name}",
            value=value,
            hint="Give the percentage the employer pays as a number, for example 75 for 75%.",
        )
    return percent


def _tier_amounts(amounts: object, record: str | None) -> dict[CoverageTier, int]:
    if not isinstance(amounts, Mapping):
        raise ValidationError(
            code="rating.incomplete_contribution_tiers",
            message="fixed employer contribution has no amounts.",
            record=record,
            field="contribution.amounts",
            hint="Give an amount in dollars for each of ee, es, ec and fam.",
        )
    known = {tier.value: tier for tier in CoverageTier}
    parsed: dict[CoverageTier, int] = {}
    for name, amount in amounts.items():
        tier = known.get(str(name))
        if tier is None:
            raise ValidationError(
                code="rating.unknown_coverage_tier",
                message=f"coverage tier {name!r} is not one of ee, es, ec, fam.",
                record=record,
                field=f"contribution.amounts.{name}",
                value=name,
                hint="Name the tiers ee (employee), es (with spouse), ec (with children) and fam (family).",
            )
        parsed[tier] = parse_amount(str(amount), field=f"contribution.amounts.{name}", record=record)
    return parsed
