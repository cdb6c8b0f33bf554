"""Use cases for policies and coverage: create, add and end member coverage, exchange amounts.

These are the building blocks the 834 importer, the console and the lifecycle commands
share. Every change writes a coverage event and an audit row in the caller's transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from premia.accounts.tables import BillingAccount, Person
from premia.audit import service as audit
from premia.enrollment.model import ExchangeAmountKind, Market, PolicyStatus, Relationship
from premia.enrollment.tables import CoverageEvent, CoverageSpan, ExchangeAmount, Policy
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError
from premia.staff.permissions import Permission


@dataclass(frozen=True)
class PolicyInput:
    billing_account_id: int
    subscriber_person_id: int
    plan_id: str
    rating_area: str
    market: Market
    state: str
    effective_date: date
    end_date: date | None = None
    on_exchange: bool = False
    exchange_policy_id: str | None = None
    employer_group_id: int | None = None
    status: PolicyStatus = PolicyStatus.PENDING
    subscriber_tobacco: bool = False
    source: str = "staff"
    source_reference: str | None = None


def create_policy(ctx: ServiceContext, data: PolicyInput) -> Policy:
    """Create a policy and its subscriber's coverage span."""
    ctx.require(Permission.ENROLLMENT_IMPORT if data.source == "834" else Permission.POLICIES_CHANGE)
    record = f"policy for account {data.billing_account_id}"
    if data.end_date is not None and data.end_date < data.effective_date:
        raise ValidationError(
            code="policy.end_before_start",
            message=f"End date {data.end_date} is before the effective date {data.effective_date}.",
            record=record,
            field="end_date",
            value=data.end_date.isoformat(),
            hint="A cancelled policy keeps its dates and takes the cancelled status instead.",
        )
    if ctx.session.get(BillingAccount, data.billing_account_id) is None:
        raise NotFoundError(
            code="account.not_found",
            message=f"Billing account id {data.billing_account_id} does not exist.",
            record=record,
            field="billing_account_id",
            value=data.billing_account_id,
        )
    if data.exchange_policy_id and ctx.session.scalar(
        select(Policy.id).where(Policy.exchange_policy_id == data.exchange_policy_id)
    ):
        raise ConflictError(
            code="policy.duplicate_exchange_id",
            message=f"Exchange policy {data.exchange_policy_id} already exists.",
            record=record,
            field="exchange_policy_id",
            value=data.exchange_policy_id,
            hint="Send a change (INS03 001) for the existing policy instead of a new enrollment.",
        )
    now = ctx.now()
    policy = Policy(
        # A unique placeholder until the row has an id to number it by.
        policy_number=f"TMP{uuid.uuid4().hex[:12]}",
        exchange_policy_id=data.exchange_policy_id,
        billing_account_id=data.billing_account_id,
        subscriber_person_id=data.subscriber_person_id,
        employer_group_id=data.employer_group_id,
        plan_id=data.plan_id,
        rating_area=data.rating_area,
        market=Market(data.market).value,
        on_exchange=data.on_exchange,
        state=data.state,
        status=PolicyStatus(data.status).value,
        effective_date=data.effective_date,
        end_date=data.end_date,
        source=data.source,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(policy)
    ctx.session.flush()
    policy.policy_number = f"P-{policy.id:07d}"
    add_member(
        ctx,
        policy,
        person_id=data.subscriber_person_id,
        relationship=Relationship.SUBSCRIBER,
        start_date=data.effective_date,
        end_date=data.end_date,
        tobacco=data.subscriber_tobacco,
        source=data.source,
        source_reference=data.source_reference,
    )
    _event(ctx, policy, None, "policy_created", data.effective_date, f"plan {data.plan_id}", data.source, data.source_reference)
    audit.record(ctx, action="create", record_type="policy", record_id=policy.policy_number)
    return policy


def add_member(
    ctx: ServiceContext,
    policy: Policy,
    *,
    person_id: int,
    relationship: Relationship,
    start_date: date,
    end_date: date | None = None,
    tobacco: bool = False,
    aptc_eligible: bool = True,
    source: str = "staff",
    source_reference: str | None = None,
) -> CoverageSpan:
    """Cover a person on the policy from ``start_date``; rejects overlapping spans for one person."""
    record = f"policy {policy.policy_number}"
    if start_date < policy.effective_date:
        raise ValidationError(
            code="coverage.before_policy",
            message=f"Coverage start {start_date} is before the policy's effective date {policy.effective_date}.",
            record=record,
            field="start_date",
            value=start_date.isoformat(),
            hint="Start the member's coverage on or after the policy's effective date.",
        )
    for span in spans_of(ctx, policy.id, person_id=person_id):
        if _overlaps(span.start_date, span.end_date, start_date, end_date):
            raise ConflictError(
                code="coverage.overlap",
                message=f"The person already has coverage on {record} from {span.start_date} to {span.end_date or 'open'}.",
                record=record,
                field="start_date",
                value=start_date.isoformat(),
                hint="End the existing coverage first, or change it instead of adding another span.",
            )
    now = ctx.now()
    span = CoverageSpan(
        policy_id=policy.id,
        person_id=person_id,
        relationship=Relationship(relationship).value,
        tobacco=tobacco,
        aptc_eligible=aptc_eligible,
        start_date=start_date,
        end_date=end_date,
        voided=False,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(span)
    ctx.session.flush()
    _event(ctx, policy, span, "member_added", start_date, str(relationship), source, source_reference)
    return span


def end_member_coverage(
    ctx: ServiceContext,
    span: CoverageSpan,
    end_date: date,
    *,
    source: str = "staff",
    source_reference: str | None = None,
) -> CoverageSpan:
    """Set the last covered day of a member's span (past dates make the bill run credit back)."""
    policy = ctx.session.get(Policy, span.policy_id)
    assert policy is not None
    if end_date < span.start_date:
        raise ValidationError(
            code="coverage.end_before_start",
            message=f"End date {end_date} is before the coverage start {span.start_date}.",
            record=f"policy {policy.policy_number}",
            field="end_date",
            value=end_date.isoformat(),
            hint="To void coverage that never started, cancel it instead.",
        )
    span.end_date = end_date
    span.updated_at = ctx.now()
    _event(ctx, policy, span, "member_ended", end_date, None, source, source_reference)
    return span


def void_member_coverage(ctx: ServiceContext, span: CoverageSpan, *, source: str = "staff", source_reference: str | None = None) -> None:
    """Mark a span void from its start: the member was never covered there (a cancellation)."""
    policy = ctx.session.get(Policy, span.policy_id)
    assert policy is not None
    span.voided = True
    span.updated_at = ctx.now()
    _event(ctx, policy, span, "member_cancelled", span.start_date, None, source, source_reference)


def set_exchange_amount(
    ctx: ServiceContext,
    policy: Policy,
    *,
    kind: ExchangeAmountKind,
    amount_cents: int,
    start_date: date,
    end_date: date | None = None,
    person_id: int | None = None,
    source_reference: str | None = None,
) -> ExchangeAmount:
    """Record the exchange's monthly amount from ``start_date``, closing the one it replaces."""
    for existing in ctx.session.scalars(
        select(ExchangeAmount).where(
            ExchangeAmount.policy_id == policy.id,
            ExchangeAmount.kind == kind.value,
            ExchangeAmount.person_id.is_(None) if person_id is None else ExchangeAmount.person_id == person_id,
        )
    ):
        if _overlaps(existing.start_date, existing.end_date, start_date, end_date):
            if existing.start_date >= start_date:
                ctx.session.delete(existing)
            else:
                existing.end_date = date.fromordinal(start_date.toordinal() - 1)
    amount = ExchangeAmount(
        policy_id=policy.id,
        person_id=person_id,
        kind=kind.value,
        amount_cents=amount_cents,
        start_date=start_date,
        end_date=end_date,
        source_reference=source_reference,
        created_at=ctx.now(),
    )
    ctx.session.add(amount)
    ctx.session.flush()
    return amount


def spans_of(ctx: ServiceContext, policy_id: int, *, person_id: int | None = None) -> list[CoverageSpan]:
    query = select(CoverageSpan).where(CoverageSpan.policy_id == policy_id, CoverageSpan.voided.is_(False))
    if person_id is not None:
        query = query.where(CoverageSpan.person_id == person_id)
    return list(ctx.session.scalars(query.order_by(CoverageSpan.start_date, CoverageSpan.id)))


def get_policy(ctx: ServiceContext, policy_number: str) -> Policy:
    policy = ctx.session.scalar(
        select(Policy).where((Policy.policy_number == policy_number) | (Policy.exchange_policy_id == policy_number))
    )
    if policy is None:
        raise NotFoundError(
            code="policy.not_found",
            message=f"No policy has number {policy_number!r}.",
            field="policy_number",
            value=policy_number,
            hint="Check the number; exchange policy IDs are accepted too.",
        )
    return policy


def members_of(ctx: ServiceContext, policy: Policy) -> list[tuple[CoverageSpan, Person]]:
    rows = ctx.session.execute(
        select(CoverageSpan, Person)
        .join(Person, Person.id == CoverageSpan.person_id)
        .where(CoverageSpan.policy_id == policy.id, CoverageSpan.voided.is_(False))
        .order_by(CoverageSpan.start_date, CoverageSpan.id)
    ).all()
    return [(span, person) for span, person in rows]


def _overlaps(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> bool:
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


def _event(
    ctx: ServiceContext,
    policy: Policy,
    span: CoverageSpan | None,
    event: str,
    effective: date,
    detail: str | None,
    source: str,
    source_reference: str | None,
) -> None:
    ctx.session.add(
        CoverageEvent(
            policy_id=policy.id,
            coverage_span_id=span.id if span else None,
            event=event,
            effective_date=effective,
            detail=detail,
            source=source,
            source_reference=source_reference,
            recorded_by=ctx.actor.username,
            recorded_at=ctx.now(),
        )
    )
