"""Delinquency status of a policy (grace periods and status transitions), and the transition log.

Eligibility for a member on a date is at GET /persons/{member_id}/eligibility.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from premia.audit import service as audit
from premia.billing.queries import paid_through_dates
from premia.delinquency.tables import DelinquencyTransition, GracePeriod
from premia.enrollment import service as enrollment
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.interfaces.api.deps import Context, requires
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.interfaces.api.paging import Cursor, Limit, Page, keyset_page
from premia.interfaces.api.schemas.common import ApiDate
from premia.staff.permissions import Permission

router = APIRouter(tags=["delinquency"])
RECENT_TRANSITIONS = 20


class GracePeriodOut(BaseModel):
    kind: str = Field(description="aptc_months or days.")
    first_unpaid_month: date
    missed_due_date: date
    start_date: date
    end_date: date = Field(description="Last day of grace; it never moves.")
    claims_pend_from: date | None
    termination_date: date | None
    last_stage: str | None = Field(description="Last dunning notice sent.")
    past_due: Money
    outcome: str = Field(description="open while the grace period runs.")
    closed_on: date | None


class TransitionOut(BaseModel):
    transition_id: int
    policy_number: str
    from_status: str
    to_status: str
    trigger: str
    as_of: date
    effective_date: date | None
    reason: str
    past_due: Money
    open: Money
    within_threshold: Money
    disputed: Money
    recorded_by: str
    recorded_at: datetime


class DelinquencyStatusOut(BaseModel):
    policy_number: str
    status: str
    paid_through: date | None
    in_grace: bool
    grace_period: GracePeriodOut | None = Field(description="The open grace period, else the latest closed one.")
    recent_transitions: list[TransitionOut] = Field(description="The latest status changes, newest first.")


def _grace_out(grace: GracePeriod) -> GracePeriodOut:
    return GracePeriodOut(
        kind=grace.kind,
        first_unpaid_month=grace.first_unpaid_month,
        missed_due_date=grace.missed_due_date,
        start_date=grace.start_date,
        end_date=grace.end_date,
        claims_pend_from=grace.claims_pend_from,
        termination_date=grace.termination_date,
        last_stage=grace.last_stage,
        past_due=Money.of(grace.past_due_cents),
        outcome=grace.outcome,
        closed_on=grace.closed_on,
    )


def _transitions_out(ctx: ServiceContext, rows: list[DelinquencyTransition]) -> list[TransitionOut]:
    ids = {row.policy_id for row in rows}
    numbers = dict(ctx.session.execute(select(Policy.id, Policy.policy_number).where(Policy.id.in_(ids))).all()) if ids else {}
    return [
        TransitionOut(
            transition_id=row.id,
            policy_number=numbers.get(row.policy_id, ""),
            from_status=row.from_status,
            to_status=row.to_status,
            trigger=row.trigger,
            as_of=row.as_of,
            effective_date=row.effective_date,
            reason=row.reason,
            past_due=Money.of(row.past_due_cents),
            open=Money.of(row.open_cents),
            within_threshold=Money.of(row.within_threshold_cents),
            disputed=Money.of(row.disputed_cents),
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
        )
        for row in rows
    ]


@router.get(
    "/policies/{policy_number}/delinquency",
    response_model=DelinquencyStatusOut,
    responses=problems(404, 422),
    dependencies=[requires(Permission.BILLING_READ)],
    tags=["policies"],
)
def policy_delinquency(policy_number: str, ctx: Context) -> DelinquencyStatusOut:
    """Return the policy's standing as the last delinquency run left it: grace period, paid-through date, transitions."""
    policy = enrollment.get_policy(ctx, policy_number)
    grace = ctx.session.scalar(
        select(GracePeriod).where(GracePeriod.policy_id == policy.id).order_by(GracePeriod.opened_on.desc(), GracePeriod.id.desc()).limit(1)
    )
    transitions = list(
        ctx.session.scalars(
            select(DelinquencyTransition)
            .where(DelinquencyTransition.policy_id == policy.id)
            .order_by(DelinquencyTransition.id.desc())
            .limit(RECENT_TRANSITIONS)
        )
    )
    audit.record(ctx, action="read", record_type="policy", record_id=policy.policy_number, fields=["delinquency"])
    return DelinquencyStatusOut(
        policy_number=policy.policy_number,
        status=policy.status,
        paid_through=paid_through_dates(ctx, [policy])[policy.id],
        in_grace=policy.status == PolicyStatus.GRACE.value,
        grace_period=_grace_out(grace) if grace else None,
        recent_transitions=_transitions_out(ctx, transitions),
    )


@router.get(
    "/delinquency/transitions",
    response_model=Page[TransitionOut],
    responses=problems(404, 422),
    dependencies=[requires(Permission.BILLING_READ)],
)
def list_transitions(
    ctx: Context,
    policy_number: str | None = None,
    to_status: PolicyStatus | None = None,
    as_of_from: ApiDate | None = None,
    as_of_to: ApiDate | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[TransitionOut]:
    """List the policy status changes the delinquency runs made, oldest first, by policy, new status and run date."""
    query = select(DelinquencyTransition)
    if policy_number:
        query = query.where(DelinquencyTransition.policy_id == enrollment.get_policy(ctx, policy_number).id)
    if to_status is not None:
        query = query.where(DelinquencyTransition.to_status == to_status.value)
    if as_of_from:
        query = query.where(DelinquencyTransition.as_of >= as_of_from)
    if as_of_to:
        query = query.where(DelinquencyTransition.as_of <= as_of_to)
    rows, next_cursor = keyset_page(ctx, query, DelinquencyTransition.id, limit=limit, cursor=cursor)
    items = _transitions_out(ctx, rows)
    # Transitions belong to the policy's record, so each policy on the page is audited once.
    for policy_number in dict.fromkeys(item.policy_number for item in items):
        audit.record(ctx, action="search", record_type="policy", record_id=policy_number, fields=["delinquency"])
    return Page[TransitionOut](items=items, next_cursor=next_cursor)
