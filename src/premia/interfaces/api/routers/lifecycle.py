"""Renewals and policy changes: renewal runs, declining or choosing a renewal plan, plan changes,
adding and removing members, termination, cancellation and reinstatement.

Each change is effective-dated and checked against the retroactivity and notice limits of
its requester (``source``); the next bill run bills or credits the difference.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from premia.accounts import person_service
from premia.catalog.service import current_catalog
from premia.enrollment.model import Relationship
from premia.infra.context import ServiceContext
from premia.interfaces.api.deps import Context, IdempotencyKey, idempotent, requires
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.interfaces.api.schemas.common import ApiDate, ApiInput
from premia.lifecycle import cancellation, changes, renewals, termination
from premia.lifecycle.model import RequestSource
from premia.lifecycle.offers import offer_data
from premia.staff.permissions import Permission

router = APIRouter(tags=["renewals and policy changes"])
CHANGE_ERRORS = problems(404, 409, 422)
SOURCE = Field(default=RequestSource.MEMBER, description="Who asked: member and employer requests are held to the date limits.")


class RenewalRunIn(ApiInput):
    as_of: ApiDate


class RenewalResultOut(BaseModel):
    policy_number: str
    outcome: str = Field(description="renewed, accepted, skipped or failed.")
    renewal_date: date | None
    renewal_policy_number: str | None
    from_plan_id: str | None
    to_plan_id: str | None
    crosswalked: bool
    previous_premium: Money | None
    premium: Money | None
    in_grace: bool
    reason: str | None
    error: dict[str, Any] | None


class RenewalRunOut(BaseModel):
    as_of: date
    renewed: int
    accepted: int
    skipped: int
    failed: int
    policies: list[RenewalResultOut]


class RenewalOfferOut(BaseModel):
    offer_id: int
    policy_number: str | None
    renewal_policy_number: str | None
    renewal_date: date
    status: str
    from_plan_id: str
    to_plan_id: str
    crosswalked: bool
    chosen_by_payer: bool
    previous_premium: Money
    premium: Money
    respond_by: date
    decided_on: date | None


class RenewalDecline(ApiInput):
    reason: str = Field(min_length=1, max_length=256)
    source: RequestSource = SOURCE


class RenewalPlanChoice(ApiInput):
    plan_id: str = Field(min_length=1, max_length=32)
    source: RequestSource = SOURCE


class PlanChangeIn(ApiInput):
    plan_id: str = Field(min_length=1, max_length=32)
    effective: ApiDate
    reason: str = Field(default="", max_length=256)
    source: RequestSource = SOURCE


class PlanChangeOut(BaseModel):
    policy_number: str
    new_policy_number: str
    plan_id: str
    effective_date: date
    change_id: int | None
    renewal_policy_number: str | None


class MemberAddition(ApiInput):
    member_id: str = Field(min_length=1, max_length=32)
    relationship: Relationship
    effective: ApiDate
    tobacco: bool = False
    aptc_eligible: bool = True
    source: RequestSource = SOURCE


class MemberRemoval(ApiInput):
    member_id: str = Field(min_length=1, max_length=32)
    last_day: ApiDate
    source: RequestSource = SOURCE


class MemberChangeOut(BaseModel):
    policy_number: str
    member_id: str
    change: str
    start_date: date | None = None
    requested_start_date: date | None = None
    last_covered_day: date | None = None
    requested_last_covered_day: date | None = None
    moved_by: str | None = Field(description="The date rule that moved the requested date, if one did.")
    change_id: int
    renewal_policies: list[str]


class TerminationIn(ApiInput):
    last_day: ApiDate = Field(description="Last covered day requested.")
    reason: str = Field(min_length=1, max_length=256)
    source: RequestSource = SOURCE


class TerminationOut(BaseModel):
    policy_number: str
    status: str
    last_covered_day: date
    requested_last_covered_day: date
    moved_by: str | None
    change_id: int
    refund_state: str
    expected_credit: Money
    cancelled_renewals: list[str]


class CancellationIn(ApiInput):
    reason: str = Field(min_length=1, max_length=256)
    delivered_on: ApiDate | None = Field(default=None, description="Delivery date of the policy; it starts the free look.")
    source: RequestSource = SOURCE


class CancellationOut(BaseModel):
    policy_number: str
    status: str
    cancelled_from: date
    free_look: bool
    change_id: int
    refund_state: str
    expected_credit: Money
    cancelled_renewals: list[str]


class ReinstatementIn(ApiInput):
    reason: str = Field(min_length=1, max_length=256)
    source: RequestSource = Field(default=RequestSource.CARRIER, description="Who asked for the reinstatement.")


class ReinstatementOut(BaseModel):
    policy_number: str
    status: str
    restored_from: date
    end_date: date | None
    change_id: int | None
    restored_renewals: list[str]
    withdrawn_refund: bool
    by_delinquency_rules: bool


def _with_money(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """Replace the two-place amount texts of ``keys`` with Money."""
    return {key: (Money(amount=value) if key in keys and value is not None else value) for key, value in data.items()}


def _offer_out(ctx: ServiceContext, offer: Any) -> RenewalOfferOut:
    return RenewalOfferOut.model_validate(_with_money(offer_data(ctx, offer), "previous_premium", "premium"))


def _change(
    ctx: ServiceContext, request: Request, key: str | None, body: BaseModel, run: Callable[[], Any], status: int = 200
) -> Any:
    return idempotent(ctx, request, key, body, lambda: (status, run()))


def _policy_change(
    path: str, response_model: type[BaseModel], *, status_code: int | None = None
) -> Callable[[Any], Any]:
    """Declare a route that changes a policy: staff who may change policies, listed with the policy routes."""
    return router.post(
        path,
        status_code=status_code,
        response_model=response_model,
        responses=CHANGE_ERRORS,
        dependencies=[requires(Permission.POLICIES_CHANGE)],
        tags=["policies"],
    )


@router.post(
    "/renewal-runs", status_code=201, response_model=RenewalRunOut, responses=CHANGE_ERRORS, dependencies=[requires(Permission.RENEWALS_RUN)]
)
def renewal_run(body: RenewalRunIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Renew every policy whose renewal is due on ``as_of``; a policy already offered a renewal is left alone."""

    def run() -> RenewalRunOut:
        report = renewals.run_renewals(ctx, catalog=current_catalog(ctx), as_of=body.as_of).to_dict()
        report["policies"] = [_with_money(result, "previous_premium", "premium") for result in report["policies"]]
        return RenewalRunOut.model_validate(report)

    return _change(ctx, request, idempotency_key, body, run, status=201)


@router.post(
    "/policies/{policy_number}/renewal/decline",
    response_model=RenewalOfferOut,
    responses=CHANGE_ERRORS,
    dependencies=[requires(Permission.POLICIES_CHANGE)],
)
def decline_renewal(policy_number: str, body: RenewalDecline, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Decline the waiting renewal before it takes effect; the policy then ends with its plan year."""
    return _change(
        ctx,
        request,
        idempotency_key,
        body,
        lambda: _offer_out(
            ctx,
            renewals.decline_renewal(
                ctx, policy_number, catalog=current_catalog(ctx), on=ctx.today(), reason=body.reason, source=body.source
            ),
        ),
    )


@router.post(
    "/policies/{policy_number}/renewal/plan",
    response_model=RenewalOfferOut,
    responses=CHANGE_ERRORS,
    dependencies=[requires(Permission.POLICIES_CHANGE)],
)
def choose_renewal_plan(policy_number: str, body: RenewalPlanChoice, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Renew into another plan than the one offered."""
    return _change(
        ctx,
        request,
        idempotency_key,
        body,
        lambda: _offer_out(
            ctx,
            renewals.choose_renewal_plan(
                ctx, policy_number, catalog=current_catalog(ctx), plan_id=body.plan_id, on=ctx.today(), source=body.source
            ),
        ),
    )


@_policy_change("/policies/{policy_number}/plan-changes", PlanChangeOut, status_code=201)
def change_plan(policy_number: str, body: PlanChangeIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Move the policy's members to another plan from ``effective``: the policy ends and a new one continues it."""

    def run() -> PlanChangeOut:
        result = changes.change_plan(
            ctx,
            policy_number,
            catalog=current_catalog(ctx),
            plan_id=body.plan_id,
            effective=body.effective,
            requested_on=ctx.today(),
            source=body.source,
            reason=body.reason,
        )
        return PlanChangeOut.model_validate(result.to_dict())

    return _change(ctx, request, idempotency_key, body, run, status=201)


@_policy_change("/policies/{policy_number}/members", MemberChangeOut, status_code=201)
def add_member(policy_number: str, body: MemberAddition, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Cover a dependent from ``effective``, on the policy and on a renewal already made; retroactive dates are limited."""

    def run() -> MemberChangeOut:
        person = person_service.find_person(ctx, body.member_id)
        result = changes.add_member(
            ctx,
            policy_number,
            person_id=person.id,
            relationship=body.relationship,
            effective=body.effective,
            requested_on=ctx.today(),
            source=body.source,
            tobacco=body.tobacco,
            aptc_eligible=body.aptc_eligible,
        )
        return MemberChangeOut.model_validate(result.to_dict())

    return _change(ctx, request, idempotency_key, body, run, status=201)


@_policy_change("/policies/{policy_number}/member-removals", MemberChangeOut)
def remove_member(policy_number: str, body: MemberRemoval, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """End a dependent's coverage on ``last_day``, moved up to the retroactivity limit that applies."""

    def run() -> MemberChangeOut:
        person = person_service.find_person(ctx, body.member_id)
        result = changes.remove_member(
            ctx, policy_number, person_id=person.id, last_day=body.last_day, requested_on=ctx.today(), source=body.source
        )
        return MemberChangeOut.model_validate(result.to_dict())

    return _change(ctx, request, idempotency_key, body, run)


@_policy_change("/policies/{policy_number}/termination", TerminationOut)
def terminate(policy_number: str, body: TerminationIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """End an active policy after ``last_day``; the unearned premium is refunded once the bill run credits it."""

    def run() -> TerminationOut:
        result = termination.terminate_policy(
            ctx,
            policy_number,
            catalog=current_catalog(ctx),
            last_day=body.last_day,
            requested_on=ctx.today(),
            reason=body.reason,
            source=body.source,
        )
        return TerminationOut.model_validate(_with_money(result.to_dict(), "expected_credit"))

    return _change(ctx, request, idempotency_key, body, run)


@_policy_change("/policies/{policy_number}/cancellation", CancellationOut)
def cancel(policy_number: str, body: CancellationIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Cancel before the effective date or within the free look: void from the start, so nothing was owed."""

    def run() -> CancellationOut:
        result = cancellation.cancel_policy(
            ctx,
            policy_number,
            catalog=current_catalog(ctx),
            requested_on=ctx.today(),
            reason=body.reason,
            source=body.source,
            delivered_on=body.delivered_on,
        )
        return CancellationOut.model_validate(_with_money(result.to_dict(), "expected_credit"))

    return _change(ctx, request, idempotency_key, body, run)


@_policy_change("/policies/{policy_number}/reinstatement", ReinstatementOut)
def reinstate(policy_number: str, body: ReinstatementIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Reinstate a terminated policy within the reinstatement window, putting back what the termination changed."""

    def run() -> ReinstatementOut:
        result = termination.reinstate_policy(ctx, policy_number, on=ctx.today(), reason=body.reason, source=body.source)
        return ReinstatementOut.model_validate(result.to_dict())

    return _change(ctx, request, idempotency_key, body, run)
