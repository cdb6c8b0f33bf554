"""Applying a decision: the steps each allowed status change takes, in one place.

:data:`STEPS` maps every (from, to) pair of the transition table to the function that
carries it out (open or close the grace period, end or restore coverage, cancel a
renewal). :func:`apply_decision` checks the pair against the table, records the
transition with its amounts, runs the step, sets the status, audits, and queues the 834
the exchange needs, all in the caller's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from premia.audit import service as audit
from premia.delinquency.config import DelinquencyConfig
from premia.delinquency.model import Amounts, Decision, GraceOutcome, Outbound834Kind, Trigger, next_status
from premia.delinquency.outbound import member_data, queue_834
from premia.delinquency.snapshot import last_terminations, open_grace_periods
from premia.delinquency.standing import BillingState, month_standings, owed_through
from premia.delinquency.tables import DelinquencyTransition, GracePeriod
from premia.enrollment import service as enrollment
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import CoverageSpan, Policy
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError
from premia.notices.model import NoticeType
from premia.notices.service import create_notice

log = logging.getLogger("premia.delinquency")

SOURCE = "delinquency"
NON_PAYMENT = "non-payment of premium"
PRIOR_COVERAGE_TERMINATED = "prior_coverage_terminated"


@dataclass(frozen=True)
class Step:
    """The input of a step: the policy, its state before the change, the decision and the run."""

    policy: Policy
    state: BillingState
    decision: Decision
    as_of: date
    config: DelinquencyConfig
    transition: DelinquencyTransition


StepFunction = Callable[[ServiceContext, Step], int | None]

OUTBOUND_BY_MOVE: dict[tuple[PolicyStatus, PolicyStatus], Outbound834Kind] = {
    (PolicyStatus.PENDING, PolicyStatus.ACTIVE): Outbound834Kind.EFFECTUATION,
    (PolicyStatus.PENDING, PolicyStatus.CANCELLED): Outbound834Kind.CANCELLATION,
    (PolicyStatus.GRACE, PolicyStatus.TERMINATED): Outbound834Kind.TERMINATION,
    (PolicyStatus.TERMINATED, PolicyStatus.ACTIVE): Outbound834Kind.REINSTATEMENT,
}


def apply_decision(
    ctx: ServiceContext, policy: Policy, state: BillingState, decision: Decision, *, as_of: date, config: DelinquencyConfig
) -> DelinquencyTransition:
    """Carry out ``decision`` on ``policy`` and return the recorded transition."""
    from_status = PolicyStatus(policy.status)
    to_status = next_status(from_status, decision.trigger, policy_number=policy.policy_number)
    if to_status is not decision.to_status or from_status is not state.status:
        raise ConflictError(
            code="delinquency.stale_decision",
            message=f"Policy {policy.policy_number} is {from_status.value}; the decision was made for {state.status.value}.",
            record=f"policy {policy.policy_number}",
            field="status",
            value=from_status.value,
            hint="Run the delinquency job again; it reads the policy afresh.",
        )
    members = member_data(ctx, policy) if policy.on_exchange else []
    transition = _record(ctx, policy, from_status, to_status, decision, as_of)

    transition.grace_period_id = STEPS[(from_status, to_status)](ctx, Step(policy, state, decision, as_of, config, transition))
    policy.status = to_status.value
    policy.updated_at = ctx.now()
    ctx.session.flush()

    audit.record(
        ctx,
        action="delinquency_transition",
        record_type="policy",
        record_id=policy.policy_number,
        fields=["status"],
        detail=_transition_detail(transition),
    )
    kind = OUTBOUND_BY_MOVE.get((from_status, to_status))
    if kind is not None and policy.on_exchange:
        queue_834(ctx, policy, kind=kind, effective_date=_outbound_date(policy, decision, kind), transition=transition, members=members, as_of=as_of)
    log.info(
        "policy status changed",
        extra={"policy": policy.policy_number, "from_status": from_status.value, "to_status": to_status.value, "trigger": decision.trigger.value},
    )
    return transition


def effectuate(ctx: ServiceContext, step: Step) -> int | None:
    step.policy.status_reason = None
    return None


def cancel_unpaid_binder(ctx: ServiceContext, step: Step) -> int | None:
    _void_coverage(ctx, step.policy)
    step.policy.status_reason = "binder not paid"
    create_notice(
        ctx,
        notice_type=NoticeType.CANCELLATION,
        billing_account_id=step.policy.billing_account_id,
        policy_id=step.policy.id,
        as_of=step.as_of,
        dedupe_key=f"policy:{step.policy.id}:binder",
        data={
            "policy_number": step.policy.policy_number,
            "effective_date": step.policy.effective_date.isoformat(),
            "reason": step.decision.reason,
            "binder_unpaid_cents": step.decision.amounts.past_due,
        },
    )
    return None


def open_grace(ctx: ServiceContext, step: Step) -> int | None:
    terms = step.decision.grace
    assert terms is not None, "a past-due decision carries its grace terms"
    now = ctx.now()
    grace = GracePeriod(
        policy_id=step.policy.id,
        billing_account_id=step.policy.billing_account_id,
        kind=terms.kind.value,
        rule_name=terms.rule_name,
        first_unpaid_month=terms.first_unpaid_month.first_day,
        missed_due_date=terms.missed_due_date,
        start_date=terms.start,
        end_date=terms.end,
        settle_by_due=terms.settle_by_due,
        termination_basis=terms.termination_basis.value,
        claims_pend_from=terms.claims_pend_from,
        termination_date=terms.termination_date,
        planned_notices=[
            {"stage": notice.stage.value, "send_on": notice.send_on.isoformat(), "provider_pend": notice.provider_pend}
            for notice in terms.notices
        ],
        last_stage=None,
        past_due_cents=step.decision.amounts.past_due,
        opened_on=step.as_of,
        outcome=GraceOutcome.OPEN.value,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(grace)
    ctx.session.flush()
    return grace.id


def close_grace_cured(ctx: ServiceContext, step: Step) -> int | None:
    grace = _open_grace_row(ctx, step.policy)
    _close(ctx, grace, GraceOutcome.CURED, step.as_of)
    return grace.id


def terminate(ctx: ServiceContext, step: Step) -> int | None:
    """End coverage for non-payment on the decided date; later months are credited by the next bill run."""
    policy = step.policy
    ends = step.decision.effective_date
    assert ends is not None, "a termination has an effective date"
    grace = _open_grace_row(ctx, policy)
    grace.restore = _end_coverage(ctx, policy, ends)
    grace.termination_date = ends
    _close(ctx, grace, GraceOutcome.TERMINATED, step.as_of)

    policy.end_date = ends if policy.end_date is None else min(policy.end_date, ends)
    policy.status_reason = NON_PAYMENT
    standings = month_standings(step.state, step.as_of, step.config.threshold_rule(step.state.key, step.as_of))
    create_notice(
        ctx,
        notice_type=NoticeType.TERMINATION,
        billing_account_id=policy.billing_account_id,
        policy_id=policy.id,
        as_of=step.as_of,
        dedupe_key=f"policy:{policy.id}:grace:{grace.id}:termination",
        data={
            "policy_number": policy.policy_number,
            "termination_date": ends.isoformat(),
            "reason": NON_PAYMENT,
            "grace_end": grace.end_date.isoformat(),
            # What stays owed for coverage through the termination date. The months after it
            # are credited by the next bill run, so they are not asked for.
            # NOTE: a termination in the middle of a month leaves that month's earned days out.
            # They appear on the final statement once the bill run prorates them.
            "past_due_cents": owed_through(standings, ends),
        },
    )
    if step.config.cancel_renewal_on_termination:
        _cancel_renewals(ctx, policy, ends, step.as_of)
    return grace.id


def reinstate(ctx: ServiceContext, step: Step) -> int | None:
    """Put coverage back as the termination found it."""
    policy = step.policy
    grace = last_terminations(ctx, [policy.id]).get(policy.id)
    if grace is None:
        raise ConflictError(
            code="delinquency.no_termination",
            message=f"Policy {policy.policy_number} has no termination for non-payment to reverse.",
            record=f"policy {policy.policy_number}",
            field="status",
            value=policy.status,
        )
    restore = grace.restore or {}
    for item in restore.get("spans", []):
        span = ctx.session.get(CoverageSpan, item["span_id"])
        if span is None:
            continue
        previous_end = date.fromisoformat(item["end"]) if item.get("end") else None
        if item.get("voided"):
            # NOTE: enrollment has no service call to undo a void; the flag is set back directly.
            span.voided = False
        if previous_end is not None:
            enrollment.end_member_coverage(ctx, span, previous_end, source=SOURCE)
        else:
            # NOTE: enrollment has no service call to reopen a span; the end date is cleared directly.
            span.end_date = None
            span.updated_at = ctx.now()
    policy.end_date = date.fromisoformat(restore["policy_end"]) if restore.get("policy_end") else None
    policy.status_reason = None
    grace.outcome = GraceOutcome.REINSTATED.value
    grace.updated_at = ctx.now()
    return grace.id


STEPS: dict[tuple[PolicyStatus, PolicyStatus], StepFunction] = {
    (PolicyStatus.PENDING, PolicyStatus.ACTIVE): effectuate,
    (PolicyStatus.PENDING, PolicyStatus.CANCELLED): cancel_unpaid_binder,
    (PolicyStatus.ACTIVE, PolicyStatus.GRACE): open_grace,
    (PolicyStatus.GRACE, PolicyStatus.ACTIVE): close_grace_cured,
    (PolicyStatus.GRACE, PolicyStatus.TERMINATED): terminate,
    (PolicyStatus.TERMINATED, PolicyStatus.ACTIVE): reinstate,
}


def _cancel_renewals(ctx: ServiceContext, policy: Policy, ends: date, as_of: date) -> None:
    """Cancel renewals of ``policy`` that would start after its termination date.

    When a grace period that runs into a new plan year ends in termination, the old
    coverage ends on its first month. The new year's coverage renewed from it is then
    cancelled, and guaranteed availability still applies at the next open enrollment.
    """
    renewals = ctx.session.scalars(
        select(Policy).where(
            Policy.renewed_from_policy_id == policy.id,
            Policy.effective_date > ends,
            Policy.status.in_([PolicyStatus.PENDING.value, PolicyStatus.ACTIVE.value, PolicyStatus.GRACE.value]),
        )
    ).all()
    for renewal in renewals:
        from_status = PolicyStatus(renewal.status)
        to_status = next_status(from_status, Trigger.PRIOR_COVERAGE_TERMINATED, policy_number=renewal.policy_number)
        members = member_data(ctx, renewal) if renewal.on_exchange else []
        reason = f"prior policy {policy.policy_number} terminated for non-payment effective {ends}"
        decision = Decision(
            trigger=Trigger.PRIOR_COVERAGE_TERMINATED,
            to_status=to_status,
            effective_date=renewal.effective_date,
            reason=reason,
            amounts=Amounts(),
        )
        transition = _record(ctx, renewal, from_status, to_status, decision, as_of)
        grace = open_grace_periods(ctx, [renewal.id]).get(renewal.id)
        if grace is not None:
            _close(ctx, grace, GraceOutcome.CANCELLED, as_of)
            transition.grace_period_id = grace.id
        _void_coverage(ctx, renewal)
        renewal.status = to_status.value
        renewal.status_reason = reason[:128]
        renewal.updated_at = ctx.now()
        create_notice(
            ctx,
            notice_type=NoticeType.CANCELLATION,
            billing_account_id=renewal.billing_account_id,
            policy_id=renewal.id,
            as_of=as_of,
            dedupe_key=f"policy:{renewal.id}:prior:{policy.id}",
            data={
                "policy_number": renewal.policy_number,
                "effective_date": renewal.effective_date.isoformat(),
                # A reason code, so the letter words it in the payer's language.
                "reason": PRIOR_COVERAGE_TERMINATED,
                "prior_policy_number": policy.policy_number,
                "prior_termination_date": ends.isoformat(),
            },
        )
        audit.record(ctx, action="delinquency_transition", record_type="policy", record_id=renewal.policy_number, fields=["status"], detail=_transition_detail(transition))
        if renewal.on_exchange:
            queue_834(ctx, renewal, kind=Outbound834Kind.CANCELLATION, effective_date=renewal.effective_date, transition=transition, members=members, as_of=as_of)


def _end_coverage(ctx: ServiceContext, policy: Policy, ends: date) -> dict[str, Any]:
    """End every member span at ``ends`` (void those starting later) and return how to undo it."""
    changed: list[dict[str, Any]] = []
    for span in enrollment.spans_of(ctx, policy.id):
        if span.start_date > ends:
            changed.append({"span_id": span.id, "end": _iso(span.end_date), "voided": True})
            enrollment.void_member_coverage(ctx, span, source=SOURCE)
        elif span.end_date is None or span.end_date > ends:
            changed.append({"span_id": span.id, "end": _iso(span.end_date), "voided": False})
            enrollment.end_member_coverage(ctx, span, ends, source=SOURCE)
    return {"policy_end": _iso(policy.end_date), "spans": changed}


def _void_coverage(ctx: ServiceContext, policy: Policy) -> None:
    for span in enrollment.spans_of(ctx, policy.id):
        enrollment.void_member_coverage(ctx, span, source=SOURCE)


def _open_grace_row(ctx: ServiceContext, policy: Policy) -> GracePeriod:
    grace = open_grace_periods(ctx, [policy.id]).get(policy.id)
    if grace is None:
        raise ConflictError(
            code="delinquency.no_open_grace",
            message=f"Policy {policy.policy_number} is in grace but has no open grace period.",
            record=f"policy {policy.policy_number}",
            field="status",
            value=policy.status,
            hint="A policy put in grace outside the delinquency run needs its grace period recorded first.",
        )
    return grace


def _close(ctx: ServiceContext, grace: GracePeriod, outcome: GraceOutcome, as_of: date) -> None:
    grace.outcome = outcome.value
    grace.closed_on = as_of
    grace.updated_at = ctx.now()
    ctx.session.flush()


def _record(
    ctx: ServiceContext, policy: Policy, from_status: PolicyStatus, to_status: PolicyStatus, decision: Decision, as_of: date
) -> DelinquencyTransition:
    transition = DelinquencyTransition(
        policy_id=policy.id,
        billing_account_id=policy.billing_account_id,
        from_status=from_status.value,
        to_status=to_status.value,
        trigger=decision.trigger.value,
        as_of=as_of,
        effective_date=decision.effective_date,
        reason=decision.reason[:256],
        past_due_cents=decision.amounts.past_due,
        open_cents=decision.amounts.open,
        within_threshold_cents=decision.amounts.within_threshold,
        disputed_cents=decision.amounts.disputed,
        recorded_by=ctx.actor.username,
        recorded_at=ctx.now(),
    )
    ctx.session.add(transition)
    ctx.session.flush()
    return transition


def _transition_detail(transition: DelinquencyTransition) -> dict[str, Any]:
    return {
        "from": transition.from_status,
        "to": transition.to_status,
        "trigger": transition.trigger,
        "as_of": transition.as_of.isoformat(),
        "effective_date": _iso(transition.effective_date),
        "reason": transition.reason,
        "past_due_cents": transition.past_due_cents,
        "open_cents": transition.open_cents,
        "within_threshold_cents": transition.within_threshold_cents,
        "disputed_cents": transition.disputed_cents,
    }


def _outbound_date(policy: Policy, decision: Decision, kind: Outbound834Kind) -> date:
    if kind in (Outbound834Kind.EFFECTUATION, Outbound834Kind.CANCELLATION):
        return policy.effective_date
    assert decision.effective_date is not None
    return decision.effective_date


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
