"""Policies and their members: list, read with coverage spans and paid-through date, and enroll a new policy.

Changes to a policy after enrollment (members, plan, termination) are in ``lifecycle``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from premia.accounts import person_service
from premia.accounts import service as accounts
from premia.accounts.tables import BillingAccount, EmployerGroup, Person
from premia.audit import service as audit
from premia.billing.queries import paid_through_dates
from premia.enrollment import service as enrollment
from premia.enrollment.model import Market, PolicyStatus
from premia.enrollment.tables import CoverageSpan, Policy
from premia.infra.context import ServiceContext
from premia.interfaces.api.deps import Context, IdempotencyKey, idempotent, requires
from premia.interfaces.api.errors import problems
from premia.interfaces.api.paging import Cursor, Limit, Page, keyset_page
from premia.interfaces.api.schemas.common import ApiDate, ApiInput
from premia.staff.permissions import Permission

router = APIRouter(prefix="/policies", tags=["policies"])


class MemberOut(BaseModel):
    """One member's coverage span on the policy (inclusive dates; an open end is null)."""

    span_id: int
    member_id: str
    first_name: str
    last_name: str
    birth_date: date
    relationship: str
    tobacco: bool
    aptc_eligible: bool
    start_date: date
    end_date: date | None


class PolicyOut(BaseModel):
    policy_number: str
    exchange_policy_id: str | None
    account_number: str
    subscriber_member_id: str
    employer_group_number: str | None
    plan_id: str
    rating_area: str
    market: str
    on_exchange: bool
    state: str
    status: str
    status_reason: str | None
    effective_date: date
    end_date: date | None
    paid_through: date | None = Field(description="Last day payments fully cover, derived from the journal.")
    version: int
    members: list[MemberOut]


class PolicyCreate(ApiInput):
    account_number: str = Field(min_length=1, max_length=16)
    subscriber_member_id: str = Field(min_length=1, max_length=32)
    plan_id: str = Field(min_length=1, max_length=32)
    rating_area: str = Field(min_length=1, max_length=32)
    market: Market
    state: str = Field(pattern=r"^[A-Z]{2}$")
    effective_date: ApiDate
    end_date: ApiDate | None = None
    on_exchange: bool = False
    exchange_policy_id: str | None = Field(default=None, max_length=64)
    employer_group_number: str | None = Field(default=None, max_length=32)
    status: PolicyStatus = Field(default=PolicyStatus.PENDING, description="pending until the binder is paid, or active.")
    subscriber_tobacco: bool = False


def policy_out(ctx: ServiceContext, policy: Policy) -> PolicyOut:
    account_number = ctx.session.scalar(select(BillingAccount.account_number).where(BillingAccount.id == policy.billing_account_id))
    subscriber = ctx.session.scalar(select(Person.member_id).where(Person.id == policy.subscriber_person_id))
    group = (
        ctx.session.scalar(select(EmployerGroup.group_number).where(EmployerGroup.id == policy.employer_group_id))
        if policy.employer_group_id
        else None
    )
    members = [
        MemberOut(
            span_id=span.id,
            member_id=person.member_id,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            relationship=span.relationship,
            tobacco=span.tobacco,
            aptc_eligible=span.aptc_eligible,
            start_date=span.start_date,
            end_date=span.end_date,
        )
        for span, person in enrollment.members_of(ctx, policy)
    ]
    return PolicyOut(
        policy_number=policy.policy_number,
        exchange_policy_id=policy.exchange_policy_id,
        account_number=account_number or "",
        subscriber_member_id=subscriber or "",
        employer_group_number=group,
        plan_id=policy.plan_id,
        rating_area=policy.rating_area,
        market=policy.market,
        on_exchange=policy.on_exchange,
        state=policy.state,
        status=policy.status,
        status_reason=policy.status_reason,
        effective_date=policy.effective_date,
        end_date=policy.end_date,
        paid_through=paid_through_dates(ctx, [policy])[policy.id],
        version=policy.version,
        members=members,
    )


def _audited_out(ctx: ServiceContext, policy: Policy, action: str) -> PolicyOut:
    audit.record(ctx, action=action, record_type="policy", record_id=policy.policy_number, fields=["members", "coverage"])
    return policy_out(ctx, policy)


@router.get("", response_model=Page[PolicyOut], responses=problems(404, 422), dependencies=[requires(Permission.MEMBER_READ)])
def list_policies(
    ctx: Context,
    account_number: str | None = None,
    member_id: Annotated[str | None, Query(description="Policies covering this member on any span.")] = None,
    status: PolicyStatus | None = None,
    plan_id: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PolicyOut]:
    """List policies by billing account, covered member, status or plan, in creation order."""
    query = select(Policy)
    if account_number:
        query = query.where(Policy.billing_account_id == accounts.get_account_row(ctx, account_number).id)
    if member_id:
        person = person_service.find_person(ctx, member_id)
        covering = select(CoverageSpan.policy_id).where(CoverageSpan.person_id == person.id)
        query = query.where(Policy.id.in_(covering))
    if status is not None:
        query = query.where(Policy.status == status.value)
    if plan_id:
        query = query.where(Policy.plan_id == plan_id)
    rows, next_cursor = keyset_page(ctx, query, Policy.id, limit=limit, cursor=cursor)
    return Page[PolicyOut](items=[_audited_out(ctx, policy, "search") for policy in rows], next_cursor=next_cursor)


@router.get("/{policy_number}", response_model=PolicyOut, responses=problems(404, 422), dependencies=[requires(Permission.MEMBER_READ)])
def get_policy(policy_number: str, ctx: Context) -> PolicyOut:
    """Return one policy (by Premia or exchange policy number) with its members and paid-through date."""
    return _audited_out(ctx, enrollment.get_policy(ctx, policy_number), "read")


@router.post("", status_code=201, response_model=PolicyOut, responses=problems(404, 409, 422), dependencies=[requires(Permission.POLICIES_CHANGE)])
def create_policy(body: PolicyCreate, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Enroll the subscriber in a plan on a billing account; add dependents with POST /policies/{number}/members."""

    def handler() -> tuple[int, Any]:
        account = accounts.get_account_row(ctx, body.account_number)
        subscriber = person_service.find_person(ctx, body.subscriber_member_id)
        group = accounts.get_group_row(ctx, body.employer_group_number) if body.employer_group_number else None
        policy = enrollment.create_policy(
            ctx,
            enrollment.PolicyInput(
                billing_account_id=account.id,
                subscriber_person_id=subscriber.id,
                plan_id=body.plan_id,
                rating_area=body.rating_area,
                market=body.market,
                state=body.state,
                effective_date=body.effective_date,
                end_date=body.end_date,
                on_exchange=body.on_exchange,
                exchange_policy_id=body.exchange_policy_id,
                employer_group_id=group.id if group else None,
                status=body.status,
                subscriber_tobacco=body.subscriber_tobacco,
            ),
        )
        return 201, policy_out(ctx, policy)

    return idempotent(ctx, request, idempotency_key, body, handler)
