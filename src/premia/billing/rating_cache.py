"""Rating requests for the bill run, and a cache that rates equivalent requests once.

A bill run rates every policy for every coverage month it compares, and most of those
requests repeat: the months of one plan year share a rating date, and many households share
a plan, an area and the members' ages. :class:`RatingCache` keys each request by exactly the
inputs the rating engine's amounts depend on, so a repeat costs a dictionary look-up instead
of a full rating with its trace.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from premia.kernel.dates import Month, age_on
from premia.rating.catalog import Catalog
from premia.rating.engine import age_date_for, rate_policy
from premia.rating.aptc import apply_aptc
from premia.rating.contributions import ContributionRule, contribution_key
from premia.rating.model import CHILD_RELATIONSHIPS, Market, Member, Plan, RatingArea, RatingMethod, Relationship

DEFAULT_MAX_ENTRIES = 200_000


@dataclass(frozen=True, slots=True)
class RatingRequest:
    """One policy's members to rate on one plan for one coverage month."""

    plan: Plan
    area: RatingArea
    members: tuple[Member, ...]
    month: Month
    rating_date: date
    aptc_cents: int
    contribution: ContributionRule | None = None


class MemberAmounts(NamedTuple):
    """A member's monthly amounts from rating, in cents, with the age they were rated at."""

    gross_cents: int
    aptc_cents: int
    contribution_cents: int
    age: int


def rate_request(catalog: Catalog, request: RatingRequest) -> tuple[MemberAmounts, ...]:
    """Rate ``request`` with the rating engine, without any cache."""
    result = rate_policy(
        plan=request.plan,
        area=request.area,
        rates=catalog.rates,
        members=request.members,
        month=request.month,
        rating_date=request.rating_date,
        aptc_cents=request.aptc_cents,
        contribution=request.contribution,
        rules=catalog.rules,
    )
    return tuple(
        MemberAmounts(member.gross_cents, member.aptc_cents, member.contribution_cents, member.age)
        for member in result.members
    )


def rating_trace(catalog: Catalog, request: RatingRequest) -> list[dict[str, object]]:
    """Return the rating engine's step-by-step trace for ``request`` as JSON-ready data."""
    result = rate_policy(
        plan=request.plan,
        area=request.area,
        rates=catalog.rates,
        members=request.members,
        month=request.month,
        rating_date=request.rating_date,
        aptc_cents=request.aptc_cents,
        contribution=request.contribution,
        rules=catalog.rules,
    )
    return [step.to_dict() for step in result.trace]


class RatingCache:
    """Plan and area look-ups and rating results of one catalog, shared across a bill run.

    Results are reused only where the engine's amounts provably depend on nothing else, and
    the coverage month is left out of every key. The engine uses the month only to check the
    request, and the bill run requests only months inside the rating date's plan year.

    * On a per-member rated plan, when the request has exactly one subscriber and no more
      children under the child-cap age than the cap charges, each member's premium is the
      base rate times their own age and tobacco factors. Each member is then rated alone,
      as the subscriber of a one-member policy, and cached by plan, plan year, area, rating
      date, age and tobacco use. The exchange's APTC is capped and split over those
      premiums by :func:`premia.rating.aptc.apply_aptc`, weighted by the age factors, as
      the engine does; that split is cached by its inputs.
    * Any other request (family tiers, a binding child cap, APTC on a plan that cannot take
      it, a missing or second subscriber, an employer contribution) is rated whole and
      cached by plan, plan year, area, rating date, exchange APTC, contribution rule and,
      for each member in order, relationship, tobacco use, APTC eligibility, age and rank
      by birth date (the rank decides which children the child cap leaves uncharged), so
      the engine's own checks and errors apply.

    Errors are not cached. Each table is emptied when it reaches ``max_entries`` results,
    which bounds the cache's memory.
    """

    def __init__(self, catalog: Catalog, *, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self.catalog = catalog
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._policies: dict[tuple[Any, ...], tuple[MemberAmounts, ...]] = {}
        self._members: dict[tuple[Any, ...], tuple[int, Decimal]] = {}
        self._splits: dict[tuple[Any, ...], tuple[int, ...]] = {}
        self._plans: dict[tuple[str, int], Plan] = {}
        self._areas: dict[str, RatingArea] = {}

    def plan(self, plan_id: str, plan_year: int) -> Plan:
        key = (plan_id, plan_year)
        plan = self._plans.get(key)
        if plan is None:
            plan = self.catalog.plan(plan_id, plan_year)
            self._plans[key] = plan
        return plan

    def area(self, area_id: str) -> RatingArea:
        area = self._areas.get(area_id)
        if area is None:
            area = self.catalog.area(area_id)
            self._areas[area_id] = area
        return area

    def amounts(self, request: RatingRequest) -> tuple[MemberAmounts, ...]:
        ages = [_age_key(member, request.plan, request.rating_date) for member in request.members]
        subscriber = self._independent_subscriber(request, ages)
        if subscriber is None:
            return self._policy_amounts(request, ages)

        rated = [self._member_rate(request, member, age) for member, age in zip(request.members, ages, strict=True)]
        if not request.aptc_cents:
            return tuple(MemberAmounts(gross, 0, 0, age) for (gross, _), age in zip(rated, ages, strict=True))
        shares = self._aptc_shares(request, rated, subscriber)
        return tuple(MemberAmounts(gross, share, 0, age) for (gross, _), share, age in zip(rated, shares, ages, strict=True))

    def _independent_subscriber(self, request: RatingRequest, ages: list[int]) -> int | None:
        """Return the subscriber's position when members can be rated one by one, else None."""
        plan = request.plan
        if plan.rating_method is RatingMethod.FAMILY_TIER or request.contribution is not None:
            return None
        if request.aptc_cents and not (plan.is_on_exchange and plan.market is Market.INDIVIDUAL and request.aptc_cents > 0):
            return None
        if len(request.members) == 1:
            return 0 if request.members[0].relationship is Relationship.SUBSCRIBER else None
        subscribers = [index for index, member in enumerate(request.members) if member.relationship is Relationship.SUBSCRIBER]
        if len(subscribers) != 1 or len({member.member_id for member in request.members}) != len(request.members):
            return None
        cap = self.catalog.rules.child_cap
        children = 0
        for member, age in zip(request.members, ages, strict=True):
            if 0 <= age < cap.age_limit and member.relationship in CHILD_RELATIONSHIPS:
                children += 1
        return subscribers[0] if children <= cap.max_charged else None

    def _member_rate(self, request: RatingRequest, member: Member, age: int) -> tuple[int, Decimal]:
        plan = request.plan
        key = (plan.plan_id, plan.plan_year, request.area.area_id, request.rating_date, member.tobacco, age)
        found = self._members.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        alone = replace(member, relationship=Relationship.SUBSCRIBER)
        result = rate_policy(
            plan=plan,
            area=request.area,
            rates=self.catalog.rates,
            members=(alone,),
            month=request.month,
            rating_date=request.rating_date,
            rules=self.catalog.rules,
        )
        premium = result.members[0]
        rate = (premium.gross_cents, premium.age_factor if premium.age_factor is not None else Decimal(premium.gross_cents))
        if len(self._members) >= self.max_entries:
            self._members.clear()
        self._members[key] = rate
        return rate

    def _aptc_shares(self, request: RatingRequest, rated: list[tuple[int, Decimal]], subscriber: int) -> tuple[int, ...]:
        premiums = tuple(gross for gross, _ in rated)
        weights = tuple(weight for _, weight in rated)
        eligible = tuple(member.aptc_eligible for member in request.members)
        key = (request.aptc_cents, request.plan.ehb_share, premiums, weights, eligible, subscriber)
        shares = self._splits.get(key)
        if shares is None:
            outcome = apply_aptc(
                exchange_cents=request.aptc_cents,
                premiums=premiums,
                eligible=eligible,
                benchmark_weights=weights,
                ehb_share=request.plan.ehb_share,
                remainder_index=subscriber,
            )
            shares = outcome.shares
            if len(self._splits) >= self.max_entries:
                self._splits.clear()
            self._splits[key] = shares
        return shares

    def _policy_amounts(self, request: RatingRequest, ages: list[int]) -> tuple[MemberAmounts, ...]:
        key = _equivalence_key(request, ages)
        found = self._policies.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        amounts = rate_request(self.catalog, request)
        if len(self._policies) >= self.max_entries:
            self._policies.clear()
        self._policies[key] = amounts
        return amounts


def _equivalence_key(request: RatingRequest, ages: list[int]) -> tuple[Any, ...]:
    plan = request.plan
    members = request.members
    if len(members) == 1:
        ranks: list[int] = [0]
    else:
        order = sorted(range(len(members)), key=lambda index: (members[index].birth_date, members[index].member_id))
        ranks = [0] * len(members)
        for rank, index in enumerate(order):
            ranks[index] = rank
    member_keys = tuple(
        (member.relationship, member.tobacco, member.aptc_eligible, age, rank)
        for member, age, rank in zip(members, ages, ranks, strict=True)
    )
    return (
        plan.plan_id,
        plan.plan_year,
        request.area.area_id,
        request.rating_date,
        request.aptc_cents,
        contribution_key(request.contribution),
        member_keys,
    )


def _age_key(member: Member, plan: Plan, rating_date: date) -> int:
    age_date = age_date_for(member, plan.age_basis, rating_date)
    if member.birth_date > age_date:
        # The engine rejects this request; a key that no valid request shares sends it there.
        return -1 - member.birth_date.toordinal()
    return age_on(member.birth_date, age_date)
