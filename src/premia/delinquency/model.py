"""Delinquency vocabulary and the policy status transition table (pure).

A policy's status moves only along the pairs in :data:`TRANSITIONS`. Each pair names the
trigger that allows it, so the run, the reinstatement check and the renewal cancellation
all ask the same table, and an unexpected move is rejected instead of written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from premia.enrollment.model import PolicyStatus
from premia.kernel.dates import Month
from premia.kernel.errors import ConflictError


class Trigger(StrEnum):
    """The cause of a policy status change."""

    BINDER_PAID = "binder_paid"
    BINDER_DEADLINE_PASSED = "binder_deadline_passed"
    PAST_DUE = "past_due"
    CURED = "cured"
    GRACE_ENDED = "grace_ended"
    REINSTATED = "reinstated"
    PRIOR_COVERAGE_TERMINATED = "prior_coverage_terminated"


TRANSITIONS: Mapping[tuple[PolicyStatus, Trigger], PolicyStatus] = MappingProxyType(
    {
        (PolicyStatus.PENDING, Trigger.BINDER_PAID): PolicyStatus.ACTIVE,
        (PolicyStatus.PENDING, Trigger.BINDER_DEADLINE_PASSED): PolicyStatus.CANCELLED,
        (PolicyStatus.ACTIVE, Trigger.PAST_DUE): PolicyStatus.GRACE,
        (PolicyStatus.GRACE, Trigger.CURED): PolicyStatus.ACTIVE,
        (PolicyStatus.GRACE, Trigger.GRACE_ENDED): PolicyStatus.TERMINATED,
        (PolicyStatus.TERMINATED, Trigger.REINSTATED): PolicyStatus.ACTIVE,
        # A renewal that would start after its predecessor's termination for non-payment.
        (PolicyStatus.PENDING, Trigger.PRIOR_COVERAGE_TERMINATED): PolicyStatus.CANCELLED,
        (PolicyStatus.ACTIVE, Trigger.PRIOR_COVERAGE_TERMINATED): PolicyStatus.CANCELLED,
        (PolicyStatus.GRACE, Trigger.PRIOR_COVERAGE_TERMINATED): PolicyStatus.CANCELLED,
    }
)


def next_status(current: PolicyStatus | str, trigger: Trigger, *, policy_number: str = "") -> PolicyStatus:
    """Return the status ``trigger`` moves ``current`` to; raise for a pair the table lacks."""
    status = PolicyStatus(current)
    target = TRANSITIONS.get((status, trigger))
    if target is None:
        raise ConflictError(
            code="delinquency.transition_not_allowed",
            message=f"A policy in status {status.value} cannot take the trigger {trigger.value}.",
            record=f"policy {policy_number}".strip(),
            field="status",
            value=status.value,
            hint="Check the policy's current status; only the moves in the delinquency transition table are allowed.",
        )
    return target


class GraceKind(StrEnum):
    """``aptc_months``: whole calendar months from the first unpaid month (45 CFR 156.270(d)).

    ``days``: a number of days counted from the day after the missed due date.
    """

    APTC_MONTHS = "aptc_months"
    DAYS = "days"


class TerminationBasis(StrEnum):
    """The rule that sets the effective date of a termination for non-payment."""

    FIRST_GRACE_MONTH = "first_grace_month"
    PAID_THROUGH = "paid_through"
    GRACE_END = "grace_end"


class ClaimsAction(StrEnum):
    PAY = "pay"
    PEND = "pend"
    DENY = "deny"


class ThresholdType(StrEnum):
    """The kind of premium payment threshold, under which a near-full payment counts as paid (45 CFR 155.400(g))."""

    NONE = "none"
    NET_PCT = "net_pct"


class ReceivedDateRule(StrEnum):
    """The rule that sets the day a payment counts as received for grace and binder decisions."""

    CALENDAR_DAY = "calendar_day"
    NEXT_BANKING_DAY = "next_banking_day"


class GraceOutcome(StrEnum):
    OPEN = "open"
    CURED = "cured"
    TERMINATED = "terminated"
    REINSTATED = "reinstated"
    CANCELLED = "cancelled"


class DunningStage(StrEnum):
    """The notices of one grace period, in the order they are sent."""

    DELINQUENCY = "delinquency"
    SECOND = "second"
    FINAL = "final"

    @property
    def rank(self) -> int:
        return list(DunningStage).index(self)


class HoldKind(StrEnum):
    """``dispute``: an amount of one account under dispute. ``moratorium``: a carrier-wide pause."""

    DISPUTE = "dispute"
    MORATORIUM = "moratorium"


class Outbound834Kind(StrEnum):
    EFFECTUATION = "effectuation"
    CANCELLATION = "cancellation"
    TERMINATION = "termination"
    REINSTATEMENT = "reinstatement"


class Outbound834Status(StrEnum):
    QUEUED = "queued"
    WRITTEN = "written"


@dataclass(frozen=True)
class MonthPosting:
    """A dated change to the net premium receivable of one policy's coverage month.

    ``billed`` postings come from invoices (charges, APTC and credit adjustments); the
    others are money applied (payments, allocated credit, write-offs). ``cents`` is positive
    when the month owes more and negative when it owes less. ``termination_credit`` marks
    an adjustment issued after a termination for the months it ended.
    """

    month: Month
    on: date
    cents: int
    billed: bool
    termination_credit: bool = False


@dataclass(frozen=True)
class DisputedAmount:
    """An amount under dispute that does not count toward delinquency while the hold lasts.

    ``month`` is set when the hold names an invoice line of that month; otherwise the
    amount is set against the policy's oldest unpaid months.
    """

    cents: int
    placed_on: date
    released_on: date | None = None
    month: Month | None = None

    def active_on(self, day: date) -> bool:
        return self.placed_on <= day and (self.released_on is None or day < self.released_on)


@dataclass(frozen=True)
class Moratorium:
    """A carrier-wide pause of delinquency actions from ``start`` to ``end`` (inclusive)."""

    start: date
    end: date | None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class PlannedNotice:
    """A dunning notice of a grace period and the day it is due."""

    stage: DunningStage
    send_on: date
    provider_pend: bool = False


@dataclass(frozen=True)
class GraceTerms:
    """A grace period as it was fixed when it opened; none of these dates move afterwards.

    ``settle_by_due`` is the latest due date whose premium must be paid by ``end`` to
    avoid termination. For an APTC grace period it is the end itself (all three months).
    For a grace period counted in days it is the missed due date, because each later
    premium gets its own grace period. ``claims_pend_from`` is the first service date whose
    claims are pended, if any. ``termination_date`` is known up front only when it does
    not depend on later payments.
    """

    kind: GraceKind
    rule_name: str
    first_unpaid_month: Month
    missed_due_date: date
    start: date
    end: date
    settle_by_due: date
    termination_basis: TerminationBasis
    claims_pend_from: date | None
    termination_date: date | None
    notices: tuple[PlannedNotice, ...]

    def grace_month(self, day: date) -> int | None:
        """Return the grace month (1, 2, 3…) that contains ``day`` in a month-based grace period."""
        if self.kind is not GraceKind.APTC_MONTHS or not self.start <= day <= self.end:
            return None
        return Month.of(day).index - self.first_unpaid_month.index + 1


@dataclass(frozen=True)
class Amounts:
    """The amounts behind a decision, in cents.

    ``past_due`` is what is unpaid and past due, ``open`` all unpaid premium billed so far,
    ``within_threshold`` the shortfalls counted as paid under the payment threshold, and
    ``disputed`` the amounts left out while under dispute.
    """

    past_due: int = 0
    open: int = 0
    within_threshold: int = 0
    disputed: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "past_due_cents": self.past_due,
            "open_cents": self.open,
            "within_threshold_cents": self.within_threshold,
            "disputed_cents": self.disputed,
        }


@dataclass(frozen=True)
class Decision:
    """A status change the rules call for on an as-of date.

    ``held`` is True when a moratorium defers the change, and nothing is written then.
    ``grace`` carries the new grace period's terms when the trigger is ``past_due``.
    """

    trigger: Trigger
    to_status: PolicyStatus
    effective_date: date | None
    reason: str
    amounts: Amounts
    grace: GraceTerms | None = None
    held: bool = False
