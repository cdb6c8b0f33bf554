"""Compare the Exchange's amounts on an 834 with Premia's own rating of the same month.

The Exchange's APTC is always the one billed, and its premium is billed where it was
sent. The comparison only reports each difference, so the carrier can raise it with the
Exchange. Gross premiums come from the bill run's rating cache, rated without APTC so that
households with the same plan, area and ages share one rating. The APTC Premia would apply
is then the Exchange's amount capped at the EHB share of the gross premium and at the
premium of the members eligible for it, which is what the rating engine applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from premia.billing.rating_cache import MemberAmounts, RatingCache, RatingRequest
from premia.enrollment.model import ExchangeAmountKind
from premia.importers.enrollment.model import ImportWarning, RatingDifference
from premia.kernel.dates import Month
from premia.kernel.errors import DomainError
from premia.rating.aptc import ehb_cap_cents
from premia.rating.catalog import Catalog
from premia.rating.model import Member, Plan, Relationship

EXCHANGE = "exchange"
PREMIUM = ExchangeAmountKind.PREMIUM.value
APTC = ExchangeAmountKind.APTC.value
RESPONSIBILITY = ExchangeAmountKind.RESPONSIBILITY.value
RELATIONSHIPS = {relationship.value: relationship for relationship in Relationship}


class RatedMember(NamedTuple):
    """A member of the policy being compared, with the premium the Exchange sent for them."""

    member_id: str
    birth_date: date
    relationship: str
    tobacco: bool
    aptc_eligible: bool
    coverage_start: date
    exchange_premium_cents: int | None = None
    position: int | None = None


class PolicyAmounts(NamedTuple):
    """The Exchange's amounts for one policy for the month starting ``effective``."""

    policy_number: str
    plan_id: str
    area_id: str
    effective_date: date
    effective: date
    members: tuple[RatedMember, ...]
    premium_total_cents: int | None = None
    aptc_cents: int | None = None
    responsibility_cents: int | None = None
    position: int | None = None


class RatingCheck:
    """Rates policies on one catalog and lists where the Exchange's amounts differ."""

    def __init__(self, catalog: Catalog) -> None:
        self.cache = RatingCache(catalog)

    def compare(self, amounts: PolicyAmounts) -> tuple[list[RatingDifference], ImportWarning | None]:
        """Return the differences for one policy, or a warning when Premia cannot rate it."""
        month = Month.of(amounts.effective)
        rating_date = max(amounts.effective_date, date(month.year, 1, 1))
        try:
            plan = self.cache.plan(amounts.plan_id, rating_date.year)
            request = RatingRequest(
                plan=plan,
                area=self.cache.area(amounts.area_id),
                members=tuple(_rating_member(member) for member in amounts.members),
                month=month,
                rating_date=rating_date,
                aptc_cents=0,
            )
            rated = self.cache.amounts(request)
        except DomainError as error:
            warning = ImportWarning(
                "enrollment.not_rated",
                f"Policy {amounts.policy_number}'s Exchange amounts were not compared with Premia's rating: "
                f"{error.message}",
                amounts.position or 0,
                member_position=amounts.position,
            )
            return [], warning
        return _differences(amounts, plan, rated, str(month)), None


def _differences(
    amounts: PolicyAmounts, plan: Plan, rated: Sequence[MemberAmounts], month: str
) -> list[RatingDifference]:
    differences: list[RatingDifference] = []

    def compare(kind: str, exchange: int | None, premia: int, member: RatedMember | None = None) -> None:
        if exchange is None or exchange == premia:
            return
        differences.append(
            RatingDifference(
                policy_number=amounts.policy_number,
                amount=kind,
                coverage_month=month,
                exchange_cents=exchange,
                premia_cents=premia,
                billed=EXCHANGE,
                member_id=member.member_id if member else None,
                member_position=member.position if member else amounts.position,
            )
        )

    for member, member_amounts in zip(amounts.members, rated, strict=True):
        compare(
            PREMIUM,
            member.exchange_premium_cents,
            member_amounts.gross_cents,
            member,
        )

    gross = sum(member_amounts.gross_cents for member_amounts in rated)
    compare("premium_total", amounts.premium_total_cents, gross)
    if amounts.aptc_cents is not None:
        eligible_premium = sum(
            member_amounts.gross_cents
            for member, member_amounts in zip(amounts.members, rated, strict=True)
            if member.aptc_eligible
        )
        applied = min(amounts.aptc_cents, ehb_cap_cents(gross, plan.ehb_share), eligible_premium)
        compare(APTC, amounts.aptc_cents, applied)
        compare(RESPONSIBILITY, amounts.responsibility_cents, gross - applied)
    else:
        compare(RESPONSIBILITY, amounts.responsibility_cents, gross)
    return differences


def _rating_member(member: RatedMember) -> Member:
    return Member(
        member_id=member.member_id,
        birth_date=member.birth_date,
        relationship=RELATIONSHIPS.get(member.relationship) or Relationship(member.relationship),
        tobacco=member.tobacco,
        aptc_eligible=member.aptc_eligible,
        coverage_start=member.coverage_start,
    )
