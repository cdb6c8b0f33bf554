"""Employer groups and sub-groups, which group billing accounts and list bills belong to."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select

from premia.accounts import service as accounts
from premia.accounts.model import EmployerGroupInput
from premia.accounts.tables import EmployerGroup
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.interfaces.api.deps import Context, IdempotencyKey, idempotent, requires
from premia.interfaces.api.errors import problems
from premia.interfaces.api.schemas.accounts import AddressOut, ContributionPut, ContributionRuleBody, EmployerGroupIn, EmployerGroupOut
from premia.rating.contributions import ContributionRule, rule_from_dict
from premia.staff.permissions import Permission

router = APIRouter(prefix="/employer-groups", tags=["accounts"])


def _out(ctx: ServiceContext, group: EmployerGroup) -> EmployerGroupOut:
    parent = ctx.session.scalar(select(EmployerGroup.group_number).where(EmployerGroup.id == group.parent_id)) if group.parent_id else None
    return EmployerGroupOut(
        group_number=group.group_number,
        name=group.name,
        parent_group_number=parent,
        anniversary_month=group.anniversary_month,
        address=AddressOut(
            line1=group.address_line1, line2=group.address_line2, city=group.city, state=group.state, zip_code=group.zip_code
        ),
        contact_name=group.contact_name,
        contact_email=group.contact_email,
        contact_phone=group.contact_phone,
        contribution=group.contribution_rule,
    )


@router.post("", status_code=201, response_model=EmployerGroupOut, responses=problems(404, 409, 422), dependencies=[requires(Permission.MEMBER_WRITE)])
def create_group(body: EmployerGroupIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Store an employer group, or a sub-group of ``parent_group_number``; then open its account with POST /accounts."""

    def handler() -> tuple[int, Any]:
        group = accounts.create_employer_group(
            ctx,
            EmployerGroupInput(
                group_number=body.group_number,
                name=body.name,
                anniversary_month=body.anniversary_month,
                address=body.address.to_model(),
                tax_id=body.tax_id,
                parent_group_number=body.parent_group_number,
                contact_name=body.contact_name,
                contact_email=body.contact_email,
                contact_phone=body.contact_phone,
                contribution=_rule(body.contribution, body.group_number),
            ),
        )
        return 201, _out(ctx, group)

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.get("/{group_number}", response_model=EmployerGroupOut, responses=problems(404, 422), dependencies=[requires(Permission.MEMBER_READ)])
def get_group(group_number: str, ctx: Context) -> EmployerGroupOut:
    """Return one employer group with its contact."""
    group = accounts.get_group_row(ctx, group_number)
    audit.record(ctx, action="read", record_type="employer_group", record_id=group.group_number)
    return _out(ctx, group)


@router.put(
    "/{group_number}/contribution",
    response_model=EmployerGroupOut,
    responses=problems(404, 422),
    dependencies=[requires(Permission.POLICIES_CHANGE)],
)
def put_contribution(group_number: str, body: ContributionPut, ctx: Context) -> EmployerGroupOut:
    """Replace the employer's contribution rule, which splits the group's next list bills into employer and employee shares."""
    group = accounts.set_group_contribution(ctx, group_number, _rule(body.contribution, group_number))
    return _out(ctx, group)


def _rule(body: ContributionRuleBody | None, group_number: str) -> ContributionRule | None:
    if body is None:
        return None
    return rule_from_dict(body.stored_form(), record=f"employer_group {group_number}")
