"""Coverage as the bill run reads it: policies, their members' spans and the exchange's amounts.

These are plain frozen records loaded in a few set-based queries (see :mod:`premia.billing.snapshot`),
so the charge arithmetic never touches the database or an ORM object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from premia.enrollment.model import ExchangeAmountKind, Market, PolicyStatus
from premia.kernel.dates import DateSpan, Month
from premia.rating.contributions import ContributionRule


@dataclass(frozen=True, slots=True)
class CoveredMember:
    """One coverage span of one person on a policy; ``end_date`` None means open."""

    person_id: int
    member_id: str
    birth_date: date
    relationship: str
    tobacco: bool
    aptc_eligible: bool
    start_date: date
    end_date: date | None


@dataclass(frozen=True, slots=True)
class ExchangeAmountSpan:
    """A monthly amount the exchange sent, for the policy (``person_id`` None) or one member."""

    kind: str
    person_id: int | None
    amount_cents: int
    start_date: date
    end_date: date | None

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


@dataclass(frozen=True, slots=True)
class PolicyCoverage:
    """A policy with everything its charges depend on.

    ``group_anniversary_month`` is the employer group's plan-year anniversary month for group
    policies, None for individual ones. ``contribution`` is the employer's contribution rule
    (the sub-group's own, else its parent's), which splits each group premium line into the
    employer's and the employee's share.
    """

    policy_id: int
    plan_id: str
    rating_area: str
    market: str
    status: str
    effective_date: date
    end_date: date | None
    members: tuple[CoveredMember, ...]
    exchange_amounts: tuple[ExchangeAmountSpan, ...] = ()
    group_anniversary_month: int | None = None
    contribution: ContributionRule | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == PolicyStatus.CANCELLED.value

    @property
    def is_group(self) -> bool:
        return self.market != Market.INDIVIDUAL.value and self.group_anniversary_month is not None

    def in_force(self) -> DateSpan | None:
        """Return the days the policy can owe premium for, or None for a cancelled policy, which owes none."""
        if self.cancelled:
            return None
        return DateSpan(self.effective_date, self.end_date)

    def touches(self, first: Month, last: Month) -> bool:
        """Return whether the policy is in force on any day of the months ``first`` to ``last``."""
        if self.cancelled:
            return False
        if self.effective_date > last.last_day:
            return False
        return self.end_date is None or self.end_date >= first.first_day

    def exchange_amount(self, kind: ExchangeAmountKind, person_id: int | None, day: date) -> int | None:
        for amount in self.exchange_amounts:
            if amount.kind == kind.value and amount.person_id == person_id and amount.covers(day):
                return amount.amount_cents
        return None
