"""Invoice line kinds, charge keys, billing periods and billing settings (pure).

A *charge* is what one member owes (or is credited) for one coverage month under one
policy, by kind. The bill run computes the charges from coverage as it is now, subtracts what
earlier invoices already billed for the same key, and bills only the difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

from premia.kernel.dates import Month
from premia.kernel.money import format_cents

# Monthly amounts repeat across members, so their text is formatted once.
_amount_text = lru_cache(maxsize=8192)(format_cents)


class LineKind(StrEnum):
    """The kind of charge on an invoice line. APTC lines are negative because the exchange pays them."""

    PREMIUM = "premium"
    APTC = "aptc"
    FEE = "fee"

    @property
    def pays_premium(self) -> bool:
        return self is not LineKind.FEE


class ChargeKey(NamedTuple):
    """One member, one coverage month, one policy, one kind.

    It is a named tuple rather than a dataclass because the bill run builds and hashes
    millions of them. Keys sort by month first, then policy, member and kind.
    """

    month: Month
    policy_id: int
    person_id: int
    kind: LineKind


@dataclass(frozen=True, slots=True)
class Charge:
    """The expected amount for a key, with what explains it.

    ``monthly_cents`` is the member's full-month amount before proration. ``age`` is the
    rated age, or None when the exchange's own premium was taken instead of Premia's rating.
    ``rating`` is the rating request behind the amount, kept so that an adjustment line can
    store the full rating trace without every charge paying for one.
    """

    key: ChargeKey
    amount_cents: int
    days_covered: int
    days_in_month: int
    monthly_cents: int
    age: int | None = None
    employer_share_cents: int = 0
    rating: Any = None

    @property
    def description(self) -> str:
        month = self.key.month
        part = f", {self.days_covered} of {self.days_in_month} days" if self.days_covered < self.days_in_month else ""
        if self.key.kind is LineKind.APTC:
            return f"{month} advance premium tax credit{part}"
        source = "exchange premium" if self.age is None else f"rated, age {self.age}"
        return f"{month} premium ({source}{part}): {_amount_text(self.monthly_cents)} monthly"


@dataclass(frozen=True, slots=True)
class DraftLine:
    """A line the generator proposes; ``adjustment`` lines correct an earlier invoice's month.

    ``charge`` is what the month costs with coverage as it is now, or None when nothing is owed
    any more and the whole amount billed is credited back.
    """

    key: ChargeKey
    amount_cents: int
    adjustment: bool
    charge: Charge | None = None

    @property
    def description(self) -> str:
        charge = self.charge
        if not self.adjustment and charge is not None:
            return charge.description
        if charge is None or charge.amount_cents == 0:
            return "adjustment: no coverage owed for this month, amount billed credited"
        return f"adjustment: {charge.description}"

    @property
    def days_covered(self) -> int:
        return self.charge.days_covered if self.charge is not None else 0

    @property
    def days_in_month(self) -> int:
        return self.charge.days_in_month if self.charge is not None else self.key.month.days

    @property
    def employer_share_cents(self) -> int:
        return self.charge.employer_share_cents if self.charge is not None else 0


@dataclass(frozen=True)
class BillingPeriod:
    """The coverage months one invoice bills, with its issue and due dates.

    ``last_month``, ``start`` and ``end`` are worked out once when the period is built,
    because the bill run reads them for every charge it compares.
    """

    first_month: Month
    months: int
    issue_date: date
    due_date: date
    last_month: Month = field(init=False, compare=False)
    start: date = field(init=False, compare=False)
    end: date = field(init=False, compare=False)

    def __post_init__(self) -> None:
        last = self.first_month.plus(self.months - 1)
        object.__setattr__(self, "last_month", last)
        object.__setattr__(self, "start", self.first_month.first_day)
        object.__setattr__(self, "end", last.last_day)

    def contains(self, month: Month) -> bool:
        return self.first_month <= month <= self.last_month

    def month_list(self) -> list[Month]:
        return [self.first_month.plus(offset) for offset in range(self.months)]


@dataclass(frozen=True)
class BillingSettings:
    """Carrier settings for invoice timing and for how far back changes are billed.

    Invoices are issued ``issue_day`` of the month ``lead_months`` before the period starts
    (the 15th of the prior month by default) and are due on the account's due day of the
    period's first month, moved to the next banking day when that is not one. A change to a
    coverage month more than ``months_history`` months before the period being invoiced is
    no longer billed as an adjustment.
    """

    issue_day: int = 15
    lead_months: int = 1
    roll_due_date: bool = True
    months_history: int = 36


@dataclass(frozen=True, slots=True)
class PendingFee:
    """A fee line posted since the last invoice, waiting to be shown on the next one."""

    line_id: int
    amount_cents: int


@dataclass(frozen=True, slots=True)
class AccountTerms:
    """The billing account fields the bill run needs: who pays, how often, in which series."""

    id: int
    account_number: str
    is_group: bool
    months_per_period: int
    due_day: int
    legal_entity: str
    language: str


@dataclass(frozen=True)
class PlannedInvoice:
    """One invoice the bill run will issue, with its lines and the account's running balance.

    ``previous_balance_cents`` is the amount due on the account's previous invoice, and
    ``amount_due_cents`` what the account owes once this invoice is posted. Applying unapplied
    credit moves money between ledger accounts and leaves the amount due unchanged. The
    totals of the lines are summed once, when the plan is made.
    """

    account: AccountTerms
    period: BillingPeriod
    drafts: tuple[DraftLine, ...]
    fees: tuple[PendingFee, ...]
    previous_balance_cents: int
    payments_since_cents: int
    amount_due_cents: int
    current_charges_cents: int = field(init=False, default=0)
    adjustments_cents: int = field(init=False, default=0)
    gross_premium_cents: int = field(init=False, default=0)
    aptc_cents: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        totals = {"current": 0, "adjustments": 0, LineKind.PREMIUM: 0, LineKind.APTC: 0, LineKind.FEE: 0}
        for draft in self.drafts:
            totals["adjustments" if draft.adjustment else "current"] += draft.amount_cents
            totals[draft.key.kind] += draft.amount_cents
        object.__setattr__(self, "current_charges_cents", totals["current"])
        object.__setattr__(self, "adjustments_cents", totals["adjustments"])
        object.__setattr__(self, "gross_premium_cents", totals[LineKind.PREMIUM])
        object.__setattr__(self, "aptc_cents", totals[LineKind.APTC])

    @property
    def billed_cents(self) -> int:
        return self.current_charges_cents + self.adjustments_cents

    @property
    def posts_anything(self) -> bool:
        """Whether any line moves money, so that the invoice needs a journal entry."""
        return any(draft.amount_cents for draft in self.drafts)
