"""Expected charges: what each member-month costs as coverage is now (pure).

For every policy and every coverage month asked for, the members covered in that month are
rated on the catalog plan (or take the exchange's per-member premium where the 834 sent
one), the exchange's APTC is capped and split by the rating engine, and both are prorated
for members covered part of the month. The result is keyed by member, month, policy and
kind, which is what the generator compares with earlier invoices.

Which rate applies: every coverage month is rated on its *rating date*, and the rating date
selects both the plan year and the rate row. For an individual policy the rating date is
the later of its effective date and January 1 of the month's year (the renewal); for a
group policy it is the start of the employer's plan year, so a group keeps one rate and
each member one age for the whole plan year. A rate row that starts in the middle of a plan
year therefore applies from the next rating date, while a corrected base rate for the row
that covers the rating date changes every month rated on it, and the bill run bills the
difference as adjustment lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from premia.billing.coverage import CoveredMember, PolicyCoverage
from premia.billing.model import Charge, ChargeKey, LineKind
from premia.billing.rating_cache import MemberAmounts, RatingCache, RatingRequest, rate_request
from premia.enrollment.model import ExchangeAmountKind
from premia.kernel.dates import DateSpan, Month
from premia.kernel.errors import ValidationError
from premia.rating.catalog import Catalog
from premia.rating.model import Market, Member, ProrationMethod, Relationship
from premia.rating.proration import prorate

# Methods whose amount depends only on how many days are covered, not on which days.
_DAY_COUNT_METHODS = frozenset({ProrationMethod.ACTUAL_DAYS, ProrationMethod.THIRTY_DAY})


class _MonthDays(NamedTuple):
    """A coverage month with its day count and span, worked out once per bill run chunk."""

    month: Month
    days: int
    span: DateSpan
    last_day: date


def expected_charges(
    catalog: Catalog,
    coverages: Iterable[PolicyCoverage],
    months: Iterable[Month],
    *,
    cache: RatingCache | None = None,
) -> dict[ChargeKey, Charge]:
    """Compute every charge for the given months, keyed for comparison with what was billed.

    Without a ``cache`` every policy-month is rated by the engine on its own, which is what
    a check of the cached path compares against.
    """
    lookups = cache or RatingCache(catalog, max_entries=0)
    charges: dict[ChargeKey, Charge] = {}
    month_list = [_month_days(month) for month in sorted(set(months))]
    for coverage in coverages:
        in_force = coverage.in_force()
        if in_force is None or not coverage.members:
            continue
        members: dict[int, Member] = {}
        for member in coverage.members:
            members.setdefault(member.person_id, _rating_member(member))
        for month in month_list:
            window = in_force.intersect(month.span)
            if window is None:
                continue
            for charge in _policy_month_charges(catalog, lookups, cache, coverage, members, month, window):
                charges[charge.key] = charge
    return charges


def rating_date_for(coverage: PolicyCoverage, month: Month) -> date:
    """Return the date on which ages and rates are taken for ``month`` (see the module docstring)."""
    anniversary = coverage.group_anniversary_month
    if coverage.is_group and anniversary is not None:
        year = month.year if month.month >= anniversary else month.year - 1
        return date(year, anniversary, 1)
    renewal = date(month.year, 1, 1)
    return coverage.effective_date if coverage.effective_date > renewal else renewal


@lru_cache(maxsize=1024)
def _month_days(month: Month) -> _MonthDays:
    return _MonthDays(month, month.days, month.span, month.last_day)


def _policy_month_charges(
    catalog: Catalog,
    lookups: RatingCache,
    cache: RatingCache | None,
    coverage: PolicyCoverage,
    members: dict[int, Member],
    month: _MonthDays,
    window: DateSpan,
) -> list[Charge]:
    covered = _covered_members(coverage.members, window)
    if not covered:
        return []
    if not any(members[person_id].relationship is Relationship.SUBSCRIBER for person_id, _ in covered):
        raise ValidationError(
            code="billing.subscriber_not_covered",
            message=f"policy id {coverage.policy_id} covers dependents in {month.month} but not its subscriber.",
            record=f"policy id {coverage.policy_id}",
            field="coverage_spans",
            value=str(month.month),
            hint="End the dependents' coverage with the subscriber's, or enroll them on a new policy with its own subscriber.",
        )

    rating_date = rating_date_for(coverage, month.month)
    plan = lookups.plan(coverage.plan_id, rating_date.year)
    aptc_cents = 0
    if coverage.exchange_amounts:
        aptc_cents = coverage.exchange_amount(ExchangeAmountKind.APTC, None, window.start) or 0
    request = RatingRequest(
        plan=plan,
        area=lookups.area(coverage.rating_area),
        members=tuple(members[person_id] for person_id, _ in covered),
        month=month.month,
        rating_date=rating_date,
        aptc_cents=aptc_cents,
        contribution=coverage.contribution if plan.market is not Market.INDIVIDUAL else None,
    )
    rated = cache.amounts(request) if cache is not None else rate_request(catalog, request)

    charges: list[Charge] = []
    method = plan.proration_method
    for (person_id, windows), amounts in zip(covered, rated, strict=True):
        charges.extend(_member_charges(coverage, month, person_id, windows, amounts, method, request))
    return charges


def _member_charges(
    coverage: PolicyCoverage,
    month: _MonthDays,
    person_id: int,
    windows: list[DateSpan],
    amounts: MemberAmounts,
    method: ProrationMethod,
    request: RatingRequest,
) -> list[Charge]:
    exchange_gross = coverage.exchange_amount(ExchangeAmountKind.PREMIUM, person_id, windows[0].start) if coverage.exchange_amounts else None
    monthly_gross = exchange_gross if exchange_gross is not None else amounts.gross_cents
    days = windows[0].days if len(windows) == 1 else sum(window.days for window in windows)
    age = None if exchange_gross is not None else amounts.age

    premium = Charge(
        key=ChargeKey(month.month, coverage.policy_id, person_id, LineKind.PREMIUM),
        amount_cents=_prorate_windows(monthly_gross, windows, days, month, method),
        days_covered=days,
        days_in_month=month.days,
        monthly_cents=monthly_gross,
        age=age,
        employer_share_cents=_prorate_windows(amounts.contribution_cents, windows, days, month, method),
        rating=request,
    )
    if not amounts.aptc_cents:
        return [premium]
    aptc = Charge(
        key=ChargeKey(month.month, coverage.policy_id, person_id, LineKind.APTC),
        amount_cents=-_prorate_windows(amounts.aptc_cents, windows, days, month, method),
        days_covered=days,
        days_in_month=month.days,
        monthly_cents=-amounts.aptc_cents,
        age=age,
        rating=request,
    )
    return [premium, aptc]


def _covered_members(members: tuple[CoveredMember, ...], window: DateSpan) -> list[tuple[int, list[DateSpan]]]:
    """Each person covered inside ``window`` (a closed span), in span order, with their covered days.

    A person normally has one span in a month. Two spans (coverage ended and restarted) are
    kept apart so that only the covered days are charged, and adjacent ones are joined.
    """
    first = window.start
    last = window.end or first
    covered: dict[int, list[DateSpan]] = {}
    for member in members:
        start = member.start_date if member.start_date > first else first
        end = last if member.end_date is None or member.end_date > last else member.end_date
        if end < start:
            continue
        spans = covered.setdefault(member.person_id, [])
        if not spans and start == first and end == last:
            # Covered for the whole window, the usual case: share the window's span.
            spans.append(window)
            continue
        if spans and spans[-1].end is not None and spans[-1].end + timedelta(days=1) == start:
            spans[-1] = DateSpan(spans[-1].start, end)
        else:
            spans.append(DateSpan(start, end))
    return list(covered.items())


def _prorate_windows(monthly_cents: int, windows: list[DateSpan], days: int, month: _MonthDays, method: ProrationMethod) -> int:
    if days >= month.days or monthly_cents == 0:
        return monthly_cents
    if len(windows) == 1:
        return prorate(monthly_cents, windows[0], method)
    if method in _DAY_COUNT_METHODS:
        # Only the count of days matters, so prorate once over that many days and round once.
        first_day = month.span.start
        return prorate(monthly_cents, DateSpan(first_day, first_day + timedelta(days=days - 1)), method)
    return sum(prorate(monthly_cents, window, method) for window in windows)


def _rating_member(member: CoveredMember) -> Member:
    return Member(
        member_id=member.member_id,
        birth_date=member.birth_date,
        relationship=Relationship(member.relationship),
        tobacco=member.tobacco,
        aptc_eligible=member.aptc_eligible,
        coverage_start=member.start_date,
    )
