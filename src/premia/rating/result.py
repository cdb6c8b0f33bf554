"""The result of rating a policy for one coverage month: per-member premiums and the trace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from premia.kernel.dates import Month
from premia.rating.aptc import AptcOutcome
from premia.rating.model import FamilyTier, RatingMethod, Relationship
from premia.rating.trace import TraceStep, dollars


@dataclass(frozen=True)
class MemberPremium:
    """One member's premium for the coverage month, in cents.

    ``age_factor`` is None under family-tier rating, where age does not change the premium.
    ``charged`` is False for a child beyond the child cap, whose premium is $0.
    """

    member_id: str
    relationship: Relationship
    birth_date: date
    age_date: date
    age: int
    age_factor: Decimal | None
    tobacco_factor: Decimal
    charged: bool
    gross_cents: int
    aptc_cents: int
    contribution_cents: int

    @property
    def responsibility_cents(self) -> int:
        """What the member (or the subscriber for them) still owes after APTC and the employer."""
        return self.gross_cents - self.aptc_cents - self.contribution_cents

    def to_dict(self) -> dict[str, Any]:
        return {
            "member_id": self.member_id,
            "relationship": self.relationship.value,
            "birth_date": self.birth_date.isoformat(),
            "age_date": self.age_date.isoformat(),
            "age": self.age,
            "age_factor": None if self.age_factor is None else str(self.age_factor),
            "tobacco_factor": str(self.tobacco_factor),
            "charged": self.charged,
            "gross": dollars(self.gross_cents),
            "aptc": dollars(self.aptc_cents),
            "employer_contribution": dollars(self.contribution_cents),
            "responsibility": dollars(self.responsibility_cents),
        }


@dataclass(frozen=True)
class RatingResult:
    """A policy's premium for one coverage month, per member, with the trace that explains it."""

    plan_id: str
    plan_year: int
    area_id: str
    month: Month
    rating_date: date
    rating_method: RatingMethod
    base_rate: Decimal
    family_tier: FamilyTier | None
    members: tuple[MemberPremium, ...]
    aptc: AptcOutcome
    trace: tuple[TraceStep, ...]

    @property
    def gross_cents(self) -> int:
        return sum(member.gross_cents for member in self.members)

    @property
    def applied_aptc_cents(self) -> int:
        return self.aptc.applied_cents

    @property
    def contribution_cents(self) -> int:
        return sum(member.contribution_cents for member in self.members)

    @property
    def responsibility_cents(self) -> int:
        return sum(member.responsibility_cents for member in self.members)

    def member(self, member_id: str) -> MemberPremium:
        for member in self.members:
            if member.member_id == member_id:
                return member
        raise KeyError(member_id)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data; amounts are decimal dollar strings."""
        return {
            "plan_id": self.plan_id,
            "plan_year": self.plan_year,
            "area_id": self.area_id,
            "month": str(self.month),
            "rating_date": self.rating_date.isoformat(),
            "rating_method": self.rating_method.value,
            "base_rate": str(self.base_rate),
            "family_tier": None if self.family_tier is None else self.family_tier.value,
            "members": [member.to_dict() for member in self.members],
            "totals": {
                "gross": dollars(self.gross_cents),
                "exchange_aptc": dollars(self.aptc.exchange_cents),
                "ehb_cap": dollars(self.aptc.ehb_cap_cents),
                "applied_aptc": dollars(self.aptc.applied_cents),
                "employer_contribution": dollars(self.contribution_cents),
                "responsibility": dollars(self.responsibility_cents),
            },
            "trace": [step.to_dict() for step in self.trace],
        }
