"""The rule tables a plan refers to by name: age curves, family tier tables, tobacco caps, child cap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from premia.kernel.errors import NotFoundError
from premia.rating.age_curves import BUILT_IN_CURVES, AgeCurve
from premia.rating.model import (
    BUILT_IN_FAMILY_TIERS,
    FEDERAL_TOBACCO_CAP,
    ChildCap,
    FamilyTierTable,
    Plan,
    TobaccoRule,
)


@dataclass(frozen=True)
class RatingRules:
    """The rule tables a plan's settings refer to by name: age curves, tier tables, tobacco caps."""

    age_curves: Mapping[str, AgeCurve] = field(default_factory=lambda: dict(BUILT_IN_CURVES))
    family_tier_tables: Mapping[str, FamilyTierTable] = field(
        default_factory=lambda: dict(BUILT_IN_FAMILY_TIERS)
    )
    tobacco_caps: Mapping[str, Decimal] = field(default_factory=dict)
    child_cap: ChildCap = field(default_factory=ChildCap)

    def age_curve_for(self, plan: Plan) -> AgeCurve:
        curve = self.age_curves.get(plan.age_curve)
        if curve is None:
            raise NotFoundError(
                code="rating.unknown_age_curve",
                message=f"{plan.record}: age curve {plan.age_curve!r} is not defined.",
                record=plan.record,
                field="age_curve",
                value=plan.age_curve,
                hint=f"Known curves: {', '.join(sorted(self.age_curves))}.",
            )
        return curve

    def family_tiers_for(self, plan: Plan) -> FamilyTierTable:
        table = self.family_tier_tables.get(plan.family_tier_table or "")
        if table is None:
            raise NotFoundError(
                code="rating.unknown_family_tier_table",
                message=f"{plan.record}: family tier table {plan.family_tier_table!r} is not defined.",
                record=plan.record,
                field="family_tier_table",
                value=plan.family_tier_table,
                hint=f"Known tables: {', '.join(sorted(self.family_tier_tables))}.",
            )
        return table

    def tobacco_rule_for(self, plan: Plan) -> TobaccoRule:
        cap = self.tobacco_caps.get(plan.state, FEDERAL_TOBACCO_CAP)
        return TobaccoRule(factor=plan.tobacco_factor, state_cap=cap, state=plan.state)
