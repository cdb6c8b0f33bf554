"""Terminate a policy on a last covered day, and reinstate a terminated one.

A termination ends coverage that has started: premium is owed through the last covered
day, which may lie ahead or, within limits, in the past. An exchange enrollee's own
request takes effect no sooner than 14 days after it is made. Member and employer
requests reach back at most the configured number of days, so an earlier date is moved
up to the limit and the result names the rule that moved it. Unearned premium is credited by the next bill run
and then refunded (:mod:`premia.lifecycle.refunds`). Renewals that would start after
the last covered day are cancelled with it.

Reinstatement undoes a voluntary termination within the configured days after its last
covered day, or after the day it was recorded when that is later: spans, end date, status and cancelled renewals come back as they were, the
bill run bills the restored months again, and a refund still waiting is withdrawn. A
termination for non-payment is reinstated by the delinquency rules instead (all premium
paid within the reinstatement window), which this module asks the delinquency run to apply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from premia.delinquency.config import DelinquencyConfig
from premia.delinquency.service import run_delinquency
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, ValidationError
from premia.kernel.money import format_cents
from premia.lifecycle.cancellation import void_policy
from premia.lifecycle.config import DEFAULT_CONFIG, LifecycleConfig
from premia.lifecycle.model import ChangeKind, EndDate, OfferStatus, RefundState, RequestSource
from premia.lifecycle.refunds import expect_refund, settle_change
from premia.lifecycle.repository import (
    end_coverage,
    find_policy,
    last_unreversed_change,
    record_change,
    renewals_of,
    require_status,
    restore_coverage,
    retro_limit_for,
)
from premia.lifecycle.rules import allowed_end_date
from premia.lifecycle.tables import PolicyChange, RenewalOffer
from premia.notices.model import NoticeType
from premia.notices.service import create_notice
from premia.rating.catalog import Catalog
from premia.staff.permissions import Permission

log = logging.getLogger("premia.lifecycle")


@dataclass(frozen=True)
class TerminationResult:
    policy_number: str
    dates: EndDate
    change_id: int
    refund_state: RefundState
    expected_credit_cents: int
    cancelled_renewals: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_number": self.policy_number,
            "status": PolicyStatus.TERMINATED.value,
            "last_covered_day": self.dates.allowed.isoformat(),
            "requested_last_covered_day": self.dates.requested.isoformat(),
            "moved_by": self.dates.moved_by,
            "change_id": self.change_id,
            "refund_state": self.refund_state.value,
            "expected_credit": format_cents(self.expected_credit_cents, thousands=False),
            "cancelled_renewals": list(self.cancelled_renewals),
        }


@dataclass(frozen=True)
class ReinstatementResult:
    policy_number: str
    restored_from: date
    end_date: date | None
    change_id: int | None
    restored_renewals: tuple[str, ...] = ()
    withdrawn_refund: bool = False
    by_delinquency_rules: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_number": self.policy_number,
            "status": PolicyStatus.ACTIVE.value,
            "restored_from": self.restored_from.isoformat(),
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "change_id": self.change_id,
            "restored_renewals": list(self.restored_renewals),
            "withdrawn_refund": self.withdrawn_refund,
            "by_delinquency_rules": self.by_delinquency_rules,
        }


def terminate_policy(
    ctx: ServiceContext,
    policy_number: str,
    *,
    catalog: Catalog,
    last_day: date,
    requested_on: date,
    reason: str,
    source: RequestSource = RequestSource.MEMBER,
    config: LifecycleConfig = DEFAULT_CONFIG,
) -> TerminationResult:
    """End the policy after ``last_day`` (moved up to the limits that apply) and wait for the refund of what it leaves."""
    ctx.require(Permission.POLICIES_CHANGE)
    policy = find_policy(ctx, policy_number)
    record = f"policy {policy.policy_number}"
    require_status(
        policy,
        (PolicyStatus.ACTIVE,),
        action="terminated",
        hint=(
            "A pending policy is cancelled instead (`premia policies cancel`); a policy in grace ends by payment "
            "or by the delinquency run; an ended policy is already terminated or cancelled."
        ),
    )
    dates = allowed_end_date(
        requested=last_day,
        requested_on=requested_on,
        source=source,
        on_exchange=policy.on_exchange,
        limit=retro_limit_for(ctx, policy, config),
        config=config,
    )
    _check_last_day(policy, dates, record)

    cancelled = [renewal for renewal in renewals_of(ctx, policy) if renewal.effective_date > dates.allowed]
    for renewal in cancelled:
        void_policy(
            ctx,
            renewal,
            catalog=catalog,
            requested_on=requested_on,
            reason=f"prior policy {policy.policy_number} terminated effective {dates.allowed}",
            source=source,
            refund=False,
            offer_status=OfferStatus.DECLINED,
        )
    restore = end_coverage(ctx, policy, dates.allowed, source=source.value)
    restore["cancelled_renewals"] = [renewal.id for renewal in cancelled]
    policy.status = PolicyStatus.TERMINATED.value
    policy.status_reason = reason.strip()[:128] or "terminated at the subscriber's request"
    change = record_change(
        ctx,
        policy=policy,
        kind=ChangeKind.TERMINATION,
        source=source,
        requested_on=requested_on,
        reason=policy.status_reason,
        effective_date=dates.allowed,
        requested_date=dates.requested,
        date_rule=dates.moved_by,
        restore=restore,
    )
    create_notice(
        ctx,
        notice_type=NoticeType.TERMINATION,
        billing_account_id=policy.billing_account_id,
        policy_id=policy.id,
        as_of=requested_on,
        dedupe_key=f"policy:{policy.id}:lifecycle-termination:{change.id}",
        data={
            "policy_number": policy.policy_number,
            "termination_date": dates.allowed.isoformat(),
            "requested_termination_date": dates.requested.isoformat(),
            "reason": policy.status_reason,
            "date_rule": dates.moved_by,
        },
    )
    expect_refund(ctx, catalog, change, also=cancelled)
    settle_change(ctx, catalog, change, as_of=requested_on, config=config)
    log.info("policy terminated", extra={"policy": policy.policy_number, "last_day": dates.allowed.isoformat(), "change_id": change.id})
    return TerminationResult(
        policy_number=policy.policy_number,
        dates=dates,
        change_id=change.id,
        refund_state=RefundState(change.refund_state),
        expected_credit_cents=change.refund_quote_cents,
        cancelled_renewals=tuple(renewal.policy_number for renewal in cancelled),
    )


def reinstate_policy(
    ctx: ServiceContext,
    policy_number: str,
    *,
    on: date,
    reason: str,
    source: RequestSource = RequestSource.CARRIER,
    config: LifecycleConfig = DEFAULT_CONFIG,
    delinquency_config: DelinquencyConfig | None = None,
) -> ReinstatementResult:
    """Reinstate a terminated policy; see the module docstring for the two kinds of termination."""
    ctx.require(Permission.POLICIES_CHANGE)
    policy = find_policy(ctx, policy_number)
    record = f"policy {policy.policy_number}"
    require_status(policy, (PolicyStatus.TERMINATED,), action="reinstated", hint="Only a terminated policy is reinstated.")
    termination = _last_termination(ctx, policy)
    if termination is None:
        return _reinstate_for_payment(ctx, policy, on=on, config=delinquency_config)

    # A retroactive termination recorded late still leaves the whole window from the day it was recorded.
    window_start = max(termination.effective_date or termination.requested_on, termination.requested_on)
    window_end = window_start + timedelta(days=config.reinstatement_days)
    if on > window_end:
        raise ConflictError(
            code="lifecycle.reinstatement_window_passed",
            message=(
                f"{record} ended on {termination.effective_date}; it could be reinstated until {window_end} "
                f"({config.reinstatement_days} days after {window_start}), not on {on}."
            ),
            record=record,
            field="on",
            value=on.isoformat(),
            hint="Enroll the subscriber on a new policy instead.",
        )

    restore = dict(termination.restore or {})
    restored_renewals, reversed_cancellations = _restore_renewals(ctx, restore.get("cancelled_renewals", []), on=on)
    restore_coverage(ctx, policy, restore, source=source.value)
    withdrawn = termination.refund_state == RefundState.AWAITING_CREDIT.value
    if withdrawn:
        termination.refund_state = RefundState.WITHDRAWN.value
        termination.refund_settled_on = on
    change = record_change(
        ctx,
        policy=policy,
        kind=ChangeKind.REINSTATEMENT,
        source=source,
        requested_on=on,
        reason=reason.strip() or "termination reversed",
        effective_date=termination.effective_date + timedelta(days=1) if termination.effective_date else None,
        detail={"termination_change_id": termination.id, "restored_renewals": restored_renewals, "withdrawn_refund": withdrawn},
    )
    for reversed_change in (termination, *reversed_cancellations):
        reversed_change.reversed_by_change_id = change.id
    ctx.session.flush()
    log.info("policy reinstated", extra={"policy": policy.policy_number, "change_id": change.id})
    return ReinstatementResult(
        policy_number=policy.policy_number,
        restored_from=change.effective_date or policy.effective_date,
        end_date=policy.end_date,
        change_id=change.id,
        restored_renewals=tuple(restored_renewals),
        withdrawn_refund=withdrawn,
    )


def _check_last_day(policy: Policy, dates: EndDate, record: str) -> None:
    if dates.allowed < policy.effective_date:
        raise ValidationError(
            code="lifecycle.ends_before_start",
            message=f"{record} would end on {dates.allowed}, before its effective date {policy.effective_date}.",
            record=record,
            field="effective",
            value=dates.allowed.isoformat(),
            hint="Coverage that never started is cancelled instead (`premia policies cancel`).",
        )
    if policy.end_date is not None and dates.allowed >= policy.end_date:
        raise ConflictError(
            code="lifecycle.already_ends",
            message=f"{record} already ends on {policy.end_date}, no later than {dates.allowed}.",
            record=record,
            field="effective",
            value=dates.allowed.isoformat(),
            hint=f"Give a last covered day before {policy.end_date}.",
        )


def _last_termination(ctx: ServiceContext, policy: Policy) -> PolicyChange | None:
    """Return the lifecycle termination not yet reversed, or None; raise when a plan change ended the policy."""
    change = last_unreversed_change(ctx, policy, (ChangeKind.TERMINATION, ChangeKind.PLAN_CHANGE))
    if change is not None and change.kind == ChangeKind.PLAN_CHANGE.value:
        replacement = ctx.session.get(Policy, change.related_policy_id)
        raise ConflictError(
            code="lifecycle.ended_by_plan_change",
            message=f"Policy {policy.policy_number} ended because its members moved to policy {replacement.policy_number if replacement else '?'}.",
            record=f"policy {policy.policy_number}",
            field="status",
            value=policy.status,
            hint="Change the plan of the new policy back instead (`premia policies change-plan`).",
        )
    return change


def _reinstate_for_payment(ctx: ServiceContext, policy: Policy, *, on: date, config: DelinquencyConfig | None) -> ReinstatementResult:
    """Ask the delinquency run to reinstate a policy terminated for non-payment; raise when its rules do not allow it."""
    report = run_delinquency(ctx, as_of=on, config=config, policy_ids=[policy.id])
    ctx.session.refresh(policy)
    if policy.status == PolicyStatus.ACTIVE.value:
        change = next((change for change in report.changes if change.to_status == PolicyStatus.ACTIVE.value), None)
        restored = change.effective_date if change is not None and change.effective_date else on
        return ReinstatementResult(policy.policy_number, restored, policy.end_date, None, by_delinquency_rules=True)
    raise ConflictError(
        code="lifecycle.reinstatement_not_allowed",
        message=(
            f"Policy {policy.policy_number} was terminated for non-payment and the reinstatement rules do not allow "
            f"reinstating it on {on}: all premium must be paid within the reinstatement window of its product."
        ),
        record=f"policy {policy.policy_number}",
        field="status",
        value=policy.status,
        hint="Check the balance and the reinstatement window (`premia delinquency run` applies it once paid).",
    )


def _restore_renewals(ctx: ServiceContext, renewal_ids: list[int], *, on: date) -> tuple[list[str], list[PolicyChange]]:
    """Put back renewals the termination cancelled and their offers; return them with the cancellations reversed."""
    restored: list[str] = []
    reversed_changes: list[PolicyChange] = []
    for renewal_id in renewal_ids:
        renewal = ctx.session.get(Policy, renewal_id)
        if renewal is None or renewal.status != PolicyStatus.CANCELLED.value:
            continue
        cancellation = ctx.session.scalars(
            select(PolicyChange)
            .where(PolicyChange.policy_id == renewal.id, PolicyChange.kind == ChangeKind.CANCELLATION.value, PolicyChange.reversed_by_change_id.is_(None))
            .order_by(PolicyChange.id.desc())
        ).first()
        if cancellation is None or not cancellation.restore:
            continue
        restore_coverage(ctx, renewal, cancellation.restore, source=RequestSource.CARRIER.value)
        offer = ctx.session.scalars(
            select(RenewalOffer).where(RenewalOffer.renewal_policy_id == renewal.id).order_by(RenewalOffer.id.desc())
        ).first()
        if offer is not None and offer.status == OfferStatus.DECLINED.value:
            took_effect = offer.renewal_date <= on
            offer.status = (OfferStatus.ACCEPTED if took_effect else OfferStatus.OFFERED).value
            offer.decided_on = offer.renewal_date if took_effect else None
            offer.decision_note = "restored with the reinstatement of the policy it renews"
            offer.updated_at = ctx.now()
        reversed_changes.append(cancellation)
        restored.append(renewal.policy_number)
    return restored, reversed_changes
