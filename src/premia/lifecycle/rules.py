"""Date rules for renewals, terminations, additions and free look (pure).

A plan year starts on January 1 for individual policies and on the first day of the
employer's anniversary month for group policies, and ends the day before the next start.
Plan years are numbered by the calendar year they start in, which is how the catalog and
the bill run name them.
"""

from __future__ import annotations

from datetime import date, timedelta

from premia.kernel.errors import ValidationError
from premia.lifecycle.config import LifecycleConfig, RetroLimit
from premia.lifecycle.model import EndDate, RequestSource
from premia.rating.model import ExchangeStatus, Plan

JANUARY = 1


def plan_year_of(day: date, anniversary_month: int | None) -> int:
    """Return the number of the plan year that ``day`` falls in."""
    start_month = anniversary_month or JANUARY
    return day.year if day.month >= start_month else day.year - 1


def next_renewal_date(after: date, anniversary_month: int | None) -> date:
    """Return the first plan-year start strictly after ``after``."""
    start_month = anniversary_month or JANUARY
    candidate = date(after.year, start_month, 1)
    if candidate <= after:
        candidate = date(after.year + 1, start_month, 1)
    return candidate


def renewal_opens_on(renewal_date: date, *, is_group: bool, config: LifecycleConfig) -> date:
    """Return the first day a renewal for ``renewal_date`` is made and its notice sent."""
    if is_group:
        return renewal_date - timedelta(days=config.group_renewal_lead_days)
    month, day = config.individual_renewal_opens
    return date(renewal_date.year - 1, month, day)


def renewal_due(
    *,
    effective_date: date,
    end_date: date | None,
    as_of: date,
    anniversary_month: int | None,
    is_group: bool,
    config: LifecycleConfig,
) -> date | None:
    """Return the renewal date a run on ``as_of`` renews a policy for, or None.

    The renewal is due from its opening day until ``late_renewal_days`` after the renewal
    date, for a policy still in force on the last day of its plan year.
    """
    # The first plan-year start after this day is at most late_renewal_days before as_of.
    after = max(effective_date, as_of - timedelta(days=config.late_renewal_days + 1))
    renewal_date = next_renewal_date(after, anniversary_month)
    if renewal_opens_on(renewal_date, is_group=is_group, config=config) > as_of:
        return None
    if end_date is not None and end_date < renewal_date - timedelta(days=1):
        return None
    return renewal_date


def allowed_end_date(
    *,
    requested: date,
    requested_on: date,
    source: RequestSource,
    on_exchange: bool,
    limit: RetroLimit,
    config: LifecycleConfig,
) -> EndDate:
    """Return the last covered day a termination or a member removal may take.

    An exchange enrollee's own request ends coverage no sooner than the notice period after
    the request (45 CFR 155.430: 14 days by default). Other member and employer requests
    may go back at most ``limit.term_days`` before the request. An earlier date is moved up
    to that limit, as carriers do when an employer reports a departure late. Exchange and
    carrier changes keep the date they give.
    """
    if not source.limited:
        return EndDate(requested=requested, allowed=requested)
    if on_exchange and source is RequestSource.MEMBER:
        earliest = requested_on + timedelta(days=config.exchange_term_notice_days)
        rule = f"an exchange enrollee's request takes effect no sooner than {config.exchange_term_notice_days} days after it is made ({earliest})"
    else:
        earliest = requested_on - timedelta(days=limit.term_days)
        rule = f"the {limit.name} limit allows ending coverage at most {limit.term_days} days before the request ({earliest})"
    if requested >= earliest:
        return EndDate(requested=requested, allowed=requested)
    return EndDate(requested=requested, allowed=earliest, moved_by=rule)


def check_start_date(
    *,
    start: date,
    requested_on: date,
    source: RequestSource,
    limit: RetroLimit,
    record: str,
    birth_date: date | None = None,
) -> None:
    """Reject an addition that starts further back than the limit allows.

    A newborn (or a child adopted or placed on that day) is covered from the event date
    however late it is reported, so a start on the member's birth date is always allowed.
    """
    if not source.limited or start == birth_date:
        return
    earliest = requested_on - timedelta(days=limit.add_days)
    if start >= earliest:
        return
    raise ValidationError(
        code="lifecycle.start_too_far_back",
        message=(
            f"Coverage from {start} starts more than {limit.add_days} days before the request on {requested_on}; "
            f"the {limit.name} limit allows {earliest} at the earliest."
        ),
        record=record,
        field="effective",
        value=start.isoformat(),
        hint=f"Start coverage on {earliest} or later, or record the change as a carrier correction.",
    )


def free_look_ends(clock_start: date, days: int) -> date | None:
    """Return the last day of the free-look period, or None when there is none."""
    if days <= 0:
        return None
    return clock_start + timedelta(days=days)


def check_plan_fits(*, market: str, state: str, on_exchange: bool, plan: Plan, record: str) -> None:
    """Reject a plan from another market, state or exchange status than the policy's."""
    problems = []
    if plan.market.value != market:
        problems.append(f"market {plan.market.value}, not {market}")
    if plan.state != state:
        problems.append(f"state {plan.state}, not {state}")
    if (plan.exchange is ExchangeStatus.ON) != on_exchange:
        problems.append(f"{'on' if plan.exchange is ExchangeStatus.ON else 'off'} the exchange, unlike the policy")
    if not problems:
        return
    raise ValidationError(
        code="lifecycle.plan_does_not_fit",
        message=f"{plan.record} is for {'; '.join(problems)}.",
        record=record,
        field="plan_id",
        value=plan.plan_id,
        hint="Choose a plan of the policy's own market, state and exchange status; another market needs a new policy.",
    )
