"""Invoice line kinds, charge keys and billing settings (pure).

A *charge* is what one member owes (or is credited) for one coverage month under one
policy, by kind. The bill run computes the charges as coverage now stands, subtracts what
earlier invoices already billed for the same key, and bills only the difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from premia.kernel.dates import Month


class LineKind(StrEnum):
    """What an invoice line charges. APTC lines are negative: the exchange pays them."""

    PREMIUM = "premium"
    APTC = "aptc"
    FEE = "fee"

    @property
    def pays_premium(self) -> bool:
        return self is not LineKind.FEE


@dataclass(frozen=True, order=True)
class ChargeKey:
    """One member, one coverage month, one policy, one kind."""

    month: Month
    policy_id: int
    person_id: int
    kind: LineKind


@dataclass(frozen=True)
class Charge:
    """An expected amount for a key, with what explains it (days covered, rating trace)."""

    key: ChargeKey
    amount_cents: int
    days_covered: int
    days_in_month: int
    description: str
    employer_share_cents: int = 0
    trace: tuple[dict[str, object], ...] = ()


@dataclass(frozen=True)
class DraftLine:
    """A line the generator proposes; ``adjustment`` lines correct an earlier invoice's month."""

    key: ChargeKey
    amount_cents: int
    adjustment: bool
    description: str
    days_covered: int
    days_in_month: int
    employer_share_cents: int = 0
    trace: tuple[dict[str, object], ...] = ()


@dataclass(frozen=True)
class BillingPeriod:
    """The coverage months one invoice bills, with its issue and due dates."""

    first_month: Month
    months: int
    issue_date: date
    due_date: date

    @property
    def last_month(self) -> Month:
        return self.first_month.plus(self.months - 1)

    @property
    def start(self) -> date:
        return self.first_month.first_day

    @property
    def end(self) -> date:
        return self.last_month.last_day

    def contains(self, month: Month) -> bool:
        return self.first_month <= month <= self.last_month

    def month_list(self) -> list[Month]:
        return [self.first_month.plus(offset) for offset in range(self.months)]


@dataclass(frozen=True)
class BillingSettings:
    """Carrier settings for invoice timing.

    Invoices are issued ``issue_day`` of the month ``lead_months`` before the period starts
    (the 15th of the prior month by default) and are due on the account's due day of the
    period's first month, moved to the next banking day when that is not one.
    """

    issue_day: int = 15
    lead_months: int = 1
    roll_due_date: bool = True
    months_history: int = 36
    extra: dict[str, str] = field(default_factory=dict)
