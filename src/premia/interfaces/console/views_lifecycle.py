"""Policy changes from the account page: change plan, add or remove a member, terminate,
cancel and reinstate, each through the lifecycle services."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response

from premia.accounts.model import PersonInput, Sex
from premia.accounts.person_service import create_person, find_person
from premia.catalog.service import current_catalog
from premia.enrollment.model import Relationship
from premia.infra.context import ServiceContext
from premia.interfaces.console.actions import perform
from premia.interfaces.console.forms import FormFailure, FormFields
from premia.interfaces.console.views_accounts import Tab, account_response
from premia.interfaces.console.web import Posted
from premia.kernel.errors import NotFoundError
from premia.lifecycle.cancellation import cancel_policy
from premia.lifecycle.changes import add_member, change_plan, remove_member
from premia.lifecycle.model import RequestSource
from premia.lifecycle.termination import reinstate_policy, terminate_policy

router = APIRouter()


def _change_plan(ctx: ServiceContext, form: FormFields) -> str:
    result = change_plan(
        ctx,
        form.required("policy", label="Policy"),
        catalog=current_catalog(ctx),
        plan_id=form.required("plan_id", label="New plan"),
        effective=form.day("effective", label="Effective date"),
        requested_on=ctx.today(),
        source=form.choice("source", RequestSource, label="Requested by"),
        reason=form.text("reason") or "",
    )
    return f"Policy {result.policy_number} moves to plan {result.plan_id} on {result.effective_date:%b %d, %Y} as policy {result.new_policy_number}."


def _add_member(ctx: ServiceContext, form: FormFields) -> str:
    member_id = form.text("member_id")
    if member_id:
        person = find_person(ctx, member_id)
    else:
        person = create_person(
            ctx,
            PersonInput(
                first_name=form.required("first_name", label="First name"),
                last_name=form.required("last_name", label="Last name"),
                birth_date=form.day("birth_date", label="Date of birth"),
                sex=form.optional_choice("sex", Sex, label="Sex") or Sex.UNKNOWN,
            ),
        )
    result = add_member(
        ctx,
        form.required("policy", label="Policy"),
        person_id=person.id,
        relationship=form.choice("relationship", Relationship, label="Relationship"),
        effective=form.day("effective", label="Covered from"),
        requested_on=ctx.today(),
        source=form.choice("source", RequestSource, label="Requested by"),
    )
    return f"{person.first_name} {person.last_name} ({result.member_id}) is covered on policy {result.policy_number} from {result.dates.allowed:%b %d, %Y}."


def _remove_member(ctx: ServiceContext, form: FormFields) -> str:
    person = find_person(ctx, form.required("member_id", label="Member"))
    result = remove_member(
        ctx,
        form.required("policy", label="Policy"),
        person_id=person.id,
        last_day=form.day("last_day", label="Last covered day"),
        requested_on=ctx.today(),
        source=form.choice("source", RequestSource, label="Requested by"),
    )
    moved = f" (moved from {result.dates.requested:%b %d, %Y}: {result.dates.moved_by})" if result.dates.moved_by else ""
    return f"Coverage of {result.member_id} on policy {result.policy_number} ends on {result.dates.allowed:%b %d, %Y}{moved}."


def _terminate(ctx: ServiceContext, form: FormFields) -> str:
    result = terminate_policy(
        ctx,
        form.required("policy", label="Policy"),
        catalog=current_catalog(ctx),
        last_day=form.day("last_day", label="Last covered day"),
        requested_on=ctx.today(),
        reason=form.required("reason", label="Reason"),
        source=form.choice("source", RequestSource, label="Requested by"),
    )
    moved = f" (moved from {result.dates.requested:%b %d, %Y}: {result.dates.moved_by})" if result.dates.moved_by else ""
    return f"Policy {result.policy_number} is terminated; the last covered day is {result.dates.allowed:%b %d, %Y}{moved}."


def _cancel(ctx: ServiceContext, form: FormFields) -> str:
    result = cancel_policy(
        ctx,
        form.required("policy", label="Policy"),
        catalog=current_catalog(ctx),
        requested_on=ctx.today(),
        reason=form.required("reason", label="Reason"),
        source=form.choice("source", RequestSource, label="Requested by"),
        delivered_on=form.optional_day("delivered_on"),
    )
    return f"Policy {result.policy_number} is cancelled from {result.effective_date:%b %d, %Y}; no premium is owed for it."


def _reinstate(ctx: ServiceContext, form: FormFields) -> str:
    result = reinstate_policy(ctx, form.required("policy", label="Policy"), on=ctx.today(), reason=form.required("reason", label="Reason"))
    return f"Policy {result.policy_number} is reinstated from {result.restored_from:%b %d, %Y}."


ACTIONS: dict[str, Callable[[ServiceContext, FormFields], str]] = {
    "plan": _change_plan,
    "add-member": _add_member,
    "remove-member": _remove_member,
    "terminate": _terminate,
    "cancel": _cancel,
    "reinstate": _reinstate,
}


@router.post("/accounts/{account_number}/lifecycle/{action}")
def policy_change(request: Request, account_number: str, action: str, posted: Posted) -> Response:
    if action not in ACTIONS:
        raise NotFoundError(
            code="console.unknown_policy_change",
            message=f"{action!r} is not a policy change.",
            field="action",
            value=action,
            hint="Choose one of: " + ", ".join(ACTIONS) + ".",
        )
    run = ACTIONS[action]

    def failure_page(failure: FormFailure) -> Response:
        return account_response(request, posted.staff, account_number, tab=Tab.OVERVIEW, failure=failure, status_code=422)

    return perform(
        request,
        posted,
        form_id=f"lifecycle-{action}",
        change=lambda ctx: run(ctx, posted.form),
        success_path=f"/accounts/{account_number.upper()}",
        failure_page=failure_page,
    )
