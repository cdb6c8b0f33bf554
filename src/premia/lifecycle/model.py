"""Vocabulary of coverage changes over a policy's life: renewals, changes, terminations (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from premia.kernel.dates import Month


class OfferStatus(StrEnum):
    """A renewal offer's standing.

    ``offered`` waits for the renewal date and takes effect unless the payer acts first.
    ``accepted`` took effect. ``declined`` was turned down, so coverage ends with the plan
    year. ``superseded`` was replaced by an offer of another plan the payer chose.
    """

    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SUPERSEDED = "superseded"

    @property
    def live(self) -> bool:
        return self in (OfferStatus.OFFERED, OfferStatus.ACCEPTED)


LIVE_OFFER_STATUSES = (OfferStatus.OFFERED.value, OfferStatus.ACCEPTED.value)


class ChangeKind(StrEnum):
    PLAN_CHANGE = "plan_change"
    MEMBER_ADDED = "member_added"
    MEMBER_REMOVED = "member_removed"
    TERMINATION = "termination"
    CANCELLATION = "cancellation"
    REINSTATEMENT = "reinstatement"


class RequestSource(StrEnum):
    """The party that requested a change, which sets the limits on its dates.

    ``member`` and ``employer`` requests are held to the notice and retroactivity limits.
    ``exchange`` changes come from the Marketplace (an 834 or its notice) and ``carrier``
    changes are the carrier's own corrections, such as an enrollment made in error. Both
    take the date they give, because only they may end coverage retroactively for an
    exchange enrollee.
    """

    MEMBER = "member"
    EMPLOYER = "employer"
    EXCHANGE = "exchange"
    CARRIER = "carrier"

    @property
    def limited(self) -> bool:
        return self in (RequestSource.MEMBER, RequestSource.EMPLOYER)


class RefundState(StrEnum):
    """The state of the refund after a termination or cancellation.

    The bill run posts the credit a change causes as adjustment lines. The refund waits for
    that credit (``awaiting_credit``) and is then requested through the payments area
    (``requested``), or finds nothing to pay back because the credit went to what the
    account owed (``nothing_to_refund``). A reinstatement withdraws a refund still waiting.
    """

    NONE = "none"
    AWAITING_CREDIT = "awaiting_credit"
    REQUESTED = "requested"
    NOTHING_TO_REFUND = "nothing_to_refund"
    WITHDRAWN = "withdrawn"


class RenewalOutcome(StrEnum):
    RENEWED = "renewed"
    ACCEPTED = "accepted"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class EndDate:
    """A last covered day as asked for and as allowed, with the rule that moved it."""

    requested: date
    allowed: date
    moved_by: str | None = None

    @property
    def moved(self) -> bool:
        return self.allowed != self.requested


@dataclass(frozen=True)
class MemberPremium:
    """One member's full-month amounts in a quote; ``age`` is None for an exchange-set premium."""

    person_id: int
    member_id: str
    relationship: str
    age: int | None
    premium_cents: int
    aptc_cents: int

    def to_dict(self) -> dict[str, object]:
        return {
            "member_id": self.member_id,
            "relationship": self.relationship,
            "age": self.age,
            "premium_cents": self.premium_cents,
            "aptc_cents": self.aptc_cents,
        }


@dataclass(frozen=True)
class PremiumQuote:
    """A policy's full-month premium in one coverage month, per member."""

    plan_id: str
    month: Month
    members: tuple[MemberPremium, ...]

    @property
    def premium_cents(self) -> int:
        return sum(member.premium_cents for member in self.members)

    @property
    def aptc_cents(self) -> int:
        return sum(member.aptc_cents for member in self.members)

    @property
    def net_cents(self) -> int:
        return self.premium_cents - self.aptc_cents
