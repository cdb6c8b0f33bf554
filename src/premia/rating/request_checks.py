"""Checks on a rating request before any arithmetic: members, area, dates, APTC, contribution."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from premia.kernel.dates import Month
from premia.kernel.errors import ValidationError
from premia.rating.contributions import ContributionRule
from premia.rating.model import Market, Member, Plan, RatingArea
from premia.rating.trace import dollars


def check_request(
    plan: Plan,
    area: RatingArea,
    members: Sequence[Member],
    month: Month,
    rating_date: date,
    aptc_cents: int,
    contribution: ContributionRule | None,
) -> None:
    _check_members(members, month)

    if area.state != plan.state:
        raise ValidationError(
            code="rating.area_state_mismatch",
            message=(
                f"rating area {area.area_id} is in {area.state}, but {plan.record} is sold in {plan.state}."
            ),
            record=plan.record,
            field="area_id",
            value=area.area_id,
            hint=f"Use a {plan.state} rating area.",
        )
    _check_dates(plan, month, rating_date)
    _check_aptc(plan, aptc_cents)
    if contribution is not None and plan.market is Market.INDIVIDUAL:
        raise ValidationError(
            code="rating.contribution_on_individual_plan",
            message=f"{plan.record} is an individual plan, so it has no employer contribution.",
            record=plan.record,
            field="contribution",
            hint="Give a contribution rule only for small- or large-group plans.",
        )


def _check_members(members: Sequence[Member], month: Month) -> None:
    if not members:
        raise ValidationError(
            code="rating.no_members",
            message="a policy needs at least one member to rate.",
            field="members",
            hint="Give the subscriber and any dependents.",
        )
    subscribers = [member.member_id for member in members if member.is_subscriber]
    if len(subscribers) != 1:
        raise ValidationError(
            code="rating.subscriber_count",
            message=f"a policy needs exactly one subscriber; found {len(subscribers)}.",
            field="relationship",
            value=", ".join(subscribers),
            hint="Mark one member as the subscriber and give every other member their relationship to them.",
        )
    seen: set[str] = set()
    for member in members:
        if member.member_id in seen:
            raise ValidationError(
                code="rating.duplicate_member",
                message=f"member id {member.member_id!r} appears twice.",
                field="member_id",
                value=member.member_id,
                hint="Give each member a distinct id.",
            )
        seen.add(member.member_id)
        if member.coverage_start is not None and member.coverage_start > month.last_day:
            raise ValidationError(
                code="rating.member_not_covered",
                message=(
                    f"member {member.member_id}: coverage starts {member.coverage_start}, "
                    f"after coverage month {month}."
                ),
                record=f"member {member.member_id}",
                field="coverage_start",
                value=member.coverage_start.isoformat(),
                hint="Rate only the members covered in the month.",
            )


def _check_dates(plan: Plan, month: Month, rating_date: date) -> None:
    if rating_date.year != plan.plan_year:
        hint = (
            f"Rate renewals on the crosswalk plan {plan.crosswalk_plan_id}."
            if plan.crosswalk_plan_id
            else "Rate the plan year that contains the rating date."
        )
        raise ValidationError(
            code="rating.outside_plan_year",
            message=f"rating date {rating_date} is outside plan year {plan.plan_year} of {plan.record}.",
            record=plan.record,
            field="rating_date",
            value=rating_date.isoformat(),
            hint=hint,
        )

    first_month = Month.of(rating_date)
    # Individual plans follow the calendar year. A group's plan year runs twelve months
    # from its start, which may fall in the middle of a calendar year.
    last_month = Month(plan.plan_year, 12) if plan.market is Market.INDIVIDUAL else first_month.plus(11)
    if not first_month <= month <= last_month:
        raise ValidationError(
            code="rating.month_outside_rating_period",
            message=(
                f"coverage month {month} is outside {first_month}..{last_month}, "
                f"the months rated from {rating_date} on {plan.record}."
            ),
            record=plan.record,
            field="month",
            value=str(month),
            hint="Use the rating date that applies to this coverage month (the effective or renewal date).",
        )


def _check_aptc(plan: Plan, aptc_cents: int) -> None:
    if isinstance(aptc_cents, bool) or not isinstance(aptc_cents, int) or aptc_cents < 0:
        raise ValidationError(
            code="rating.invalid_aptc",
            message=f"APTC {aptc_cents!r} is not a non-negative amount in cents.",
            field="aptc",
            value=aptc_cents,
            hint="Give the Exchange's monthly APTC for the policy in cents, or 0.",
        )
    if aptc_cents and not (plan.is_on_exchange and plan.market is Market.INDIVIDUAL):
        raise ValidationError(
            code="rating.aptc_off_exchange",
            message=f"{plan.record} is not an on-exchange individual plan, so APTC cannot apply.",
            record=plan.record,
            field="aptc",
            value=dollars(aptc_cents),
            hint="APTC comes from the Exchange for individual on-exchange enrollments only.",
        )
