"""Effective-dated delinquency configuration: grace, threshold, notice, binder and reinstatement rules (pure).

Every rule has a scope: the markets, states, product (a plan id prefix, since a HIOS plan id
starts with its product id) and APTC status it applies to, and the dates it is in force.
An empty key matches anything. When several rules match, the one with the most keys set
wins, and among equally specific rules the one that took effect last. So a state's own
grace period overrides the individual-market default, and a rule change on a date
replaces the earlier rule from that date on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from premia.delinquency.model import ClaimsAction, GraceKind, ReceivedDateRule, TerminationBasis, ThresholdType
from premia.kernel.errors import ValidationError

INDIVIDUAL = "individual"
GROUP_MARKETS = frozenset({"small_group", "large_group"})


@dataclass(frozen=True)
class RuleKey:
    """The facts about a policy that choose its rules.

    ``aptc`` is True when the enrollee receives APTC for the month in question and has paid
    at least one full month's premium in that benefit year.
    """

    market: str
    state: str
    plan_id: str
    aptc: bool = False


@dataclass(frozen=True)
class RuleScope:
    """The policies and dates a rule covers; an empty key matches every value."""

    starts: date = date(2014, 1, 1)
    ends: date | None = None
    markets: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()
    product: str = ""
    aptc: bool | None = None

    def matches(self, key: RuleKey, on: date) -> bool:
        if on < self.starts or (self.ends is not None and on > self.ends):
            return False
        if self.markets and key.market not in self.markets:
            return False
        if self.states and key.state not in self.states:
            return False
        if self.product and not key.plan_id.startswith(self.product):
            return False
        return self.aptc is None or self.aptc == key.aptc

    @property
    def specificity(self) -> int:
        return sum((bool(self.markets), bool(self.states), bool(self.product), self.aptc is not None))


@dataclass(frozen=True)
class GraceRule:
    """How long a grace period lasts and how it ends.

    For ``aptc_months`` the period is ``months`` calendar months from the first unpaid
    month, claims are pended from grace month ``pend_from_month``, and termination takes
    effect on the last day of the first month. For ``days`` the period is ``days`` days
    counted from the day after the missed due date, including the last day, and claims
    during it are paid or pended as ``claims_in_grace`` sets.
    """

    name: str
    kind: GraceKind
    scope: RuleScope = RuleScope()
    months: int = 3
    days: int = 31
    termination_basis: TerminationBasis = TerminationBasis.PAID_THROUGH
    claims_in_grace: ClaimsAction = ClaimsAction.PAY
    pend_from_month: int = 2

    def __post_init__(self) -> None:
        if self.kind is GraceKind.APTC_MONTHS and self.months < 1:
            raise _invalid(self.name, "months", self.months, "An APTC grace period lasts at least one month.")
        if self.kind is GraceKind.DAYS and self.days < 1:
            raise _invalid(self.name, "days", self.days, "A grace period lasts at least one day.")


@dataclass(frozen=True)
class ThresholdRule:
    """The premium payment threshold: ``net_pct`` counts a month paid at ``percent`` of its net premium."""

    name: str
    scope: RuleScope = RuleScope()
    type: ThresholdType = ThresholdType.NONE
    percent: Decimal = Decimal("100")

    def __post_init__(self) -> None:
        if isinstance(self.percent, float):
            raise TypeError("threshold percent must be a Decimal or int, not a float")
        if self.type is ThresholdType.NET_PCT and not Decimal(0) < Decimal(self.percent) <= Decimal(100):
            raise _invalid(self.name, "percent", self.percent, "Set a percentage above 0 and at most 100, for example 95.")


@dataclass(frozen=True)
class NoticeRule:
    """When the dunning notices of a grace period are due.

    The delinquency notice is due ``delinquency_days_after_due`` days after the missed due
    date. In a month-based grace period the second notice (with the provider-pend flag)
    is due on the first day of grace month ``second_notice_month`` and the final notice on
    the first day of month ``final_notice_month``. In a grace period counted in days the
    final notice is due ``final_notice_days_before_end`` days before its last day, and is
    not sent when that is None.
    """

    name: str
    scope: RuleScope = RuleScope()
    delinquency_days_after_due: int = 1
    second_notice_month: int = 2
    final_notice_month: int = 3
    final_notice_days_before_end: int | None = 10


@dataclass(frozen=True)
class BinderRule:
    """The binder deadline: the later of the dates the set keys give.

    ``days_after_effective`` counts from the coverage effective date, ``day_of_month``
    picks the first such day of a month on or after it (the "5th of the month" rule), and
    ``days_after_receipt`` counts from the day the enrollment was received.
    """

    name: str
    scope: RuleScope = RuleScope()
    days_after_effective: int | None = 30
    day_of_month: int | None = None
    days_after_receipt: int | None = None


@dataclass(frozen=True)
class ReinstatementRule:
    """Reinstatement after a termination for non-payment: all premium paid within ``window_days``.

    A window of 0 turns reinstatement off.
    """

    name: str
    scope: RuleScope = RuleScope()
    window_days: int = 0


RuleT = TypeVar("RuleT", GraceRule, ThresholdRule, NoticeRule, BinderRule, ReinstatementRule)


@dataclass(frozen=True)
class DelinquencyConfig:
    """All delinquency rules of a carrier.

    ``received_date`` sets the day a payment counts from: the calendar day it was received
    or settled, or the next banking day when that day is not one.
    ``cancel_renewal_on_termination`` cancels a renewal that would start after its
    predecessor's termination for non-payment.
    """

    grace_rules: tuple[GraceRule, ...]
    threshold_rules: tuple[ThresholdRule, ...] = (ThresholdRule(name="no threshold"),)
    notice_rules: tuple[NoticeRule, ...] = (NoticeRule(name="notice timing"),)
    binder_rules: tuple[BinderRule, ...] = (BinderRule(name="binder within 30 days"),)
    reinstatement_rules: tuple[ReinstatementRule, ...] = (ReinstatementRule(name="no reinstatement"),)
    received_date: ReceivedDateRule = ReceivedDateRule.CALENDAR_DAY
    cancel_renewal_on_termination: bool = True

    def grace_rule(self, key: RuleKey, on: date) -> GraceRule:
        return _pick(self.grace_rules, key, on, "grace")

    def threshold_rule(self, key: RuleKey, on: date) -> ThresholdRule:
        return _pick(self.threshold_rules, key, on, "threshold")

    def notice_rule(self, key: RuleKey, on: date) -> NoticeRule:
        return _pick(self.notice_rules, key, on, "notice")

    def binder_rule(self, key: RuleKey, on: date) -> BinderRule:
        return _pick(self.binder_rules, key, on, "binder")

    def reinstatement_rule(self, key: RuleKey, on: date) -> ReinstatementRule:
        return _pick(self.reinstatement_rules, key, on, "reinstatement")


def default_config() -> DelinquencyConfig:
    """Return the defaults the product model sets; a carrier overrides them per state and product.

    APTC enrollees get three months (45 CFR 156.270(d)). Other individual policies get 31
    days, ending in termination at the paid-through date. Groups get 31 days, with
    reinstatement within 30 days when every balance is paid (the FF-SHOP practice).
    """
    groups = RuleScope(markets=GROUP_MARKETS)
    return DelinquencyConfig(
        grace_rules=(
            GraceRule(
                name="APTC three months",
                kind=GraceKind.APTC_MONTHS,
                scope=RuleScope(markets=frozenset({INDIVIDUAL}), aptc=True),
                months=3,
                termination_basis=TerminationBasis.FIRST_GRACE_MONTH,
                claims_in_grace=ClaimsAction.PEND,
                pend_from_month=2,
            ),
            GraceRule(name="individual 31 days", kind=GraceKind.DAYS, scope=RuleScope(markets=frozenset({INDIVIDUAL})), days=31),
            GraceRule(name="group 31 days", kind=GraceKind.DAYS, scope=groups, days=31),
        ),
        reinstatement_rules=(
            ReinstatementRule(name="no reinstatement"),
            ReinstatementRule(name="group reinstatement within 30 days", scope=groups, window_days=30),
        ),
    )


def _pick(rules: Sequence[RuleT], key: RuleKey, on: date, kind: str) -> RuleT:
    matching = [rule for rule in rules if rule.scope.matches(key, on)]
    if not matching:
        raise ValidationError(
            code="delinquency.no_rule",
            message=f"No {kind} rule covers {key.market} policies in {key.state} on plan {key.plan_id} on {on}.",
            field=f"{kind}_rules",
            value=key.plan_id,
            hint=f"Add a {kind} rule without a market, state or product restriction as the carrier's default.",
        )
    return max(matching, key=lambda rule: (rule.scope.specificity, rule.scope.starts))


def _invalid(name: str, field_name: str, value: object, hint: str) -> ValidationError:
    return ValidationError(
        code="delinquency.invalid_rule",
        message=f"Rule {name!r} has an invalid {field_name}: {value}.",
        record=f"delinquency rule {name}",
        field=field_name,
        value=value,
        hint=hint,
    )
