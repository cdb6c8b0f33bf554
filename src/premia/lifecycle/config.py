"""Lifecycle settings: renewal lead times, notice and retroactivity limits, free look (pure).

Every value is a carrier or product choice; the defaults follow common practice:

- Individual renewals are made from ``individual_renewal_opens`` (month, day) of the year
  before the January 1 renewal, so the renewal notice goes out before open enrollment
  starts on November 1. Group renewals are made ``group_renewal_lead_days`` (60) days
  before the group's anniversary, the small-group renewal notice lead time.
- A run up to ``late_renewal_days`` after a renewal date still makes that renewal, dated
  the renewal date, so a missed run is caught up by the next one.
- An exchange enrollee's own termination request takes effect no sooner than
  ``exchange_term_notice_days`` (14) after the request.
- Member and employer requests may end coverage, or add a member, at most a set number of
  days before the request (``RetroLimit``): 30 and 60 days for individual policies, 60 and
  60 for groups. A group or a product may have its own limit; the most specific one wins.
- Individual policies have a free-look period (``FreeLookRule``): 10 days by default, and
  none for groups. The clock starts on the delivery date when it is known, otherwise on
  the effective date.
- A voluntary termination may be reinstated up to ``reinstatement_days`` (30) after its
  last covered day, or after the day it was recorded when that is later. Terminations
  for non-payment follow the delinquency rules instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from premia.enrollment.model import Market
from premia.kernel.errors import ValidationError
from premia.payments.model import RefundMethod


@dataclass(frozen=True)
class RetroLimit:
    """How many days before the request a termination (``term_days``) or an addition (``add_days``) may take effect.

    ``market``, ``group_number`` and ``plan_prefix`` (a plan id prefix, so a product's
    HIOS id covers all its plans) narrow where the limit applies; None matches anything.
    """

    name: str
    term_days: int
    add_days: int
    market: Market | None = None
    group_number: str | None = None
    plan_prefix: str | None = None

    def __post_init__(self) -> None:
        for field_name in ("term_days", "add_days"):
            value = getattr(self, field_name)
            if value < 0:
                raise ValidationError(
                    code="lifecycle.invalid_retro_limit",
                    message=f"Retroactivity limit {self.name!r} has {field_name} {value}, which is negative.",
                    record=f"retro limit {self.name}",
                    field=field_name,
                    value=value,
                    hint="Use 0 for no retroactive changes, or a number of days.",
                )

    def matches(self, *, market: Market, group_number: str | None, plan_id: str) -> bool:
        if self.market is not None and self.market is not market:
            return False
        if self.group_number is not None and self.group_number != group_number:
            return False
        return self.plan_prefix is None or plan_id.startswith(self.plan_prefix)

    @property
    def specificity(self) -> tuple[int, int, int]:
        return (self.group_number is not None, self.plan_prefix is not None, self.market is not None)


@dataclass(frozen=True)
class FreeLookRule:
    """Days after delivery in which a new policy may be returned for a full refund; 0 turns it off."""

    name: str
    days: int
    market: Market | None = None
    state: str | None = None

    def matches(self, *, market: Market, state: str) -> bool:
        return (self.market is None or self.market is market) and (self.state is None or self.state == state)

    @property
    def specificity(self) -> tuple[int, int]:
        return (self.state is not None, self.market is not None)


DEFAULT_RETRO_LIMITS = (
    RetroLimit(name="individual", market=Market.INDIVIDUAL, term_days=30, add_days=60),
    RetroLimit(name="small group", market=Market.SMALL_GROUP, term_days=60, add_days=60),
    RetroLimit(name="large group", market=Market.LARGE_GROUP, term_days=60, add_days=60),
)

DEFAULT_FREE_LOOK = (
    FreeLookRule(name="individual", market=Market.INDIVIDUAL, days=10),
    FreeLookRule(name="small group", market=Market.SMALL_GROUP, days=0),
    FreeLookRule(name="large group", market=Market.LARGE_GROUP, days=0),
)


@dataclass(frozen=True)
class LifecycleConfig:
    """See the module docstring for what each setting does and its default."""

    individual_renewal_opens: tuple[int, int] = (10, 15)
    group_renewal_lead_days: int = 60
    late_renewal_days: int = 31
    exchange_term_notice_days: int = 14
    reinstatement_days: int = 30
    retro_limits: tuple[RetroLimit, ...] = DEFAULT_RETRO_LIMITS
    free_look_rules: tuple[FreeLookRule, ...] = DEFAULT_FREE_LOOK
    refund_method: RefundMethod = RefundMethod.CHECK

    def retro_limit(self, *, market: Market, group_number: str | None, plan_id: str) -> RetroLimit:
        """Return the most specific retroactivity limit for a policy; none configured means no retroactive change."""
        matching = [limit for limit in self.retro_limits if limit.matches(market=market, group_number=group_number, plan_id=plan_id)]
        if not matching:
            return RetroLimit(name="none configured", term_days=0, add_days=0)
        return max(matching, key=lambda limit: limit.specificity)

    def free_look_days(self, *, market: Market, state: str) -> int:
        matching = [rule for rule in self.free_look_rules if rule.matches(market=market, state=state)]
        if not matching:
            return 0
        return max(matching, key=lambda rule: rule.specificity).days


DEFAULT_CONFIG = LifecycleConfig()
