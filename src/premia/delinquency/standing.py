"""A policy's billing state, and the standing of each coverage month on a given day (pure).

:class:`BillingState` is gathered once per policy and run, as Kill Bill's overdue module
gathers its ``BillingState``: dated receivable postings per coverage month, due dates,
APTC months, disputes, moratoria and the open grace period. Every question the rules ask
("was March paid by the end of grace?", "what is past due today?") is then answered from
it for any day, so a run on a late date decides as a run on the right day would have.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from premia.delinquency.config import RuleKey, ThresholdRule
from premia.delinquency.model import (
    Amounts,
    DisputedAmount,
    DunningStage,
    GraceTerms,
    Moratorium,
    MonthPosting,
    ThresholdType,
)
from premia.enrollment.model import PolicyStatus
from premia.kernel.dates import Month


@dataclass(frozen=True)
class TerminationFacts:
    """The last termination for non-payment: when it was made and the day it took effect."""

    terminated_on: date
    termination_date: date


@dataclass(frozen=True)
class BillingState:
    """Everything the delinquency rules read about one policy.

    ``received_on`` is the day the enrollment was received (the binder deadline may count
    from it). ``due_dates`` maps each billed month to its earliest due date. ``aptc_months``
    are the months billed with APTC. ``grace`` is the open grace period, if any, and
    ``last_stage`` the last dunning notice sent for it.
    """

    policy_id: int
    policy_number: str
    status: PolicyStatus
    key: RuleKey
    effective_date: date
    end_date: date | None
    received_on: date
    on_exchange: bool = False
    postings: tuple[MonthPosting, ...] = ()
    due_dates: Mapping[Month, date] = field(default_factory=dict)
    aptc_months: frozenset[Month] = frozenset()
    disputes: tuple[DisputedAmount, ...] = ()
    moratoria: tuple[Moratorium, ...] = ()
    grace: GraceTerms | None = None
    last_stage: DunningStage | None = None
    last_termination: TerminationFacts | None = None

    def under_moratorium(self, day: date) -> bool:
        return any(moratorium.covers(day) for moratorium in self.moratoria)


@dataclass(frozen=True)
class MonthStanding:
    """One coverage month on one day: net premium billed, still open, disputed, and counted paid.

    ``paid`` is True when nothing is left once disputes are set aside, when the month owes
    nothing at all, or when the shortfall is within the payment threshold. A shortfall
    counted as paid stays owed.
    """

    month: Month
    due_date: date
    billed_cents: int
    open_cents: int
    disputed_cents: int
    paid: bool

    @property
    def owed_cents(self) -> int:
        """What the month still owes once disputed amounts are set aside."""
        return max(0, self.open_cents - self.disputed_cents)

    @property
    def unpaid_cents(self) -> int:
        """What keeps the month from counting as paid."""
        return 0 if self.paid else self.owed_cents

    @property
    def within_threshold_cents(self) -> int:
        return self.owed_cents if self.paid else 0


def month_standings(
    state: BillingState,
    on: date,
    threshold: ThresholdRule,
    *,
    ignore_termination_credits: bool = False,
) -> tuple[MonthStanding, ...]:
    """Return the standing of every month billed by ``on`` at the end of that day, oldest first.

    With ``ignore_termination_credits`` the credits a termination caused are left out, which
    gives what the policy would owe had it not been terminated (the reinstatement check).
    """
    billed: dict[Month, int] = defaultdict(int)
    open_: dict[Month, int] = defaultdict(int)
    months: set[Month] = set()
    for posting in state.postings:
        if posting.on > on or (ignore_termination_credits and posting.termination_credit):
            continue
        open_[posting.month] += posting.cents
        if posting.billed:
            billed[posting.month] += posting.cents
            months.add(posting.month)

    ordered = sorted(months)
    disputed = _disputed_by_month(state.disputes, on, ordered, open_)
    standings: list[MonthStanding] = []
    for month in ordered:
        owed = max(0, open_[month] - disputed[month])
        standings.append(
            MonthStanding(
                month=month,
                due_date=state.due_dates.get(month, month.first_day),
                billed_cents=billed[month],
                open_cents=open_[month],
                disputed_cents=disputed[month],
                paid=counts_as_paid(billed[month], owed, threshold),
            )
        )
    return tuple(standings)


def counts_as_paid(billed_cents: int, owed_cents: int, threshold: ThresholdRule) -> bool:
    """Tell whether a month whose net premium is ``billed_cents`` and still owes ``owed_cents`` counts as paid.

    Under a ``net_pct`` threshold of 95, a month of 100.00 with 96.00 paid counts as paid
    (96% of the net premium) and one with 94.00 paid does not. The comparison is exact:
    paid × 100 ≥ percent × net premium, with no rounding.
    """
    if owed_cents <= 0 or billed_cents <= 0:
        return True
    if threshold.type is ThresholdType.NONE:
        return False
    paid = billed_cents - owed_cents
    return Decimal(paid) * 100 >= Decimal(threshold.percent) * billed_cents


def past_due(standings: Iterable[MonthStanding], as_of: date) -> list[MonthStanding]:
    """Return the months not counted as paid whose due date is before ``as_of``, oldest first."""
    return [standing for standing in standings if standing.due_date < as_of and not standing.paid]


def owed_to_keep_coverage(standings: Iterable[MonthStanding], settle_by_due: date) -> int:
    """Return what must still be paid by the end of a grace period to avoid termination, as billed so far.

    That is every month not counted as paid whose due date is on or before the period's
    ``settle_by_due``, whether or not it is past due yet. In an APTC grace period from
    April to June, a final notice on June 1 requests May and June, not May alone.
    """
    return sum(standing.unpaid_cents for standing in standings if standing.due_date <= settle_by_due)


def owed_through(standings: Iterable[MonthStanding], last_covered_day: date) -> int:
    """Return what is still owed for the whole coverage months that end on or before ``last_covered_day``.

    This is what a payer owes after a termination for non-payment, once the next bill run
    has credited the months after it. A shortfall within the payment threshold is still owed.
    """
    return sum(standing.owed_cents for standing in standings if standing.month.last_day <= last_covered_day)


def paid_through(standings: Iterable[MonthStanding]) -> date | None:
    """Return the last day of the run of months counted as paid from the first billed month on."""
    last: date | None = None
    for standing in standings:
        if not standing.paid:
            break
        last = standing.month.last_day
    return last


def amounts_of(standings: Iterable[MonthStanding], as_of: date) -> Amounts:
    """Sum the amounts behind a decision made on ``as_of``."""
    rows = list(standings)
    return Amounts(
        past_due=sum(standing.unpaid_cents for standing in rows if standing.due_date < as_of),
        open=sum(max(0, standing.open_cents) for standing in rows),
        within_threshold=sum(standing.within_threshold_cents for standing in rows),
        disputed=sum(min(standing.disputed_cents, max(0, standing.open_cents)) for standing in rows),
    )


def day_after(day: date) -> date:
    return day + timedelta(days=1)


def _disputed_by_month(
    disputes: tuple[DisputedAmount, ...], on: date, months: list[Month], open_: Mapping[Month, int]
) -> dict[Month, int]:
    """Spread the disputes active on ``on`` over the months: named months first, then oldest first."""
    disputed: dict[Month, int] = defaultdict(int)
    active = [dispute for dispute in disputes if dispute.active_on(on)]
    for dispute in active:
        if dispute.month is not None:
            disputed[dispute.month] += dispute.cents
    for dispute in active:
        if dispute.month is not None:
            continue
        remaining = dispute.cents
        for month in months:
            if remaining <= 0:
                break
            room = max(0, open_[month] - disputed[month])
            taken = min(room, remaining)
            disputed[month] += taken
            remaining -= taken
    return disputed
