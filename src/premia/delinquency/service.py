"""The delinquency run: apply the transition table to every policy on an as-of date.

Each policy is handled in its own savepoint, so one policy's bad data is reported without
stopping the others. For each policy the run reads its billing state, gets a decision from
the rules, applies it, and repeats until nothing more is due. Along the way it creates
the dunning notices whose dates have come. Every write is keyed (one open grace period per
policy, notices and 834s by dedupe key), so a second run for the same date changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from premia.audit import service as audit
from premia.delinquency.config import DelinquencyConfig
from premia.delinquency.config_file import configured_delinquency
from premia.delinquency.model import DunningStage, GraceOutcome, PlannedNotice
from premia.delinquency.rules import decide, notices_due, termination_date
from premia.delinquency.snapshot import load_states, open_grace_periods
from premia.delinquency.standing import BillingState, MonthStanding, month_standings, owed_to_keep_coverage
from premia.delinquency.tables import GracePeriod
from premia.delinquency.transitions import apply_decision
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, DomainError
from premia.kernel.money import format_cents
from premia.notices.model import NoticeType
from premia.notices.service import create_notice
from premia.staff.permissions import Permission

log = logging.getLogger("premia.delinquency")

# A policy takes at most a handful of steps in one run (pending, active, grace, terminated,
# reinstated). The bound stops a conflict between rules from looping forever.
MAX_STEPS_PER_POLICY = 8
STATES_PER_CHUNK = 500

NOTICE_TYPES = {
    DunningStage.DELINQUENCY: NoticeType.DELINQUENCY,
    DunningStage.SECOND: NoticeType.GRACE_SECOND,
    DunningStage.FINAL: NoticeType.FINAL,
}


@dataclass(frozen=True)
class PolicyChange:
    """One status change the run made, or held back under a moratorium."""

    policy_number: str
    from_status: str
    to_status: str
    trigger: str
    effective_date: date | None
    reason: str
    amounts: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_number": self.policy_number,
            "from": self.from_status,
            "to": self.to_status,
            "trigger": self.trigger,
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "reason": self.reason,
            "past_due": format_cents(self.amounts.get("past_due_cents", 0), thousands=False),
            **self.amounts,
        }


@dataclass
class DelinquencyRunReport:
    as_of: date
    policies_checked: int = 0
    changes: list[PolicyChange] = field(default_factory=list)
    held: list[PolicyChange] = field(default_factory=list)
    notices: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "policies_checked": self.policies_checked,
            "changed": len(self.changes),
            "held": len(self.held),
            "notices_created": len(self.notices),
            "failed": len(self.failed),
            "changes": [change.to_dict() for change in self.changes],
            "held_changes": [change.to_dict() for change in self.held],
            "notices": self.notices,
            "failures": self.failed,
        }


def run_delinquency(
    ctx: ServiceContext,
    *,
    as_of: date,
    config: DelinquencyConfig | None = None,
    policy_ids: Sequence[int] | None = None,
) -> DelinquencyRunReport:
    """Apply the delinquency rules to every policy (or only ``policy_ids``) on ``as_of``."""
    ctx.require(Permission.DELINQUENCY_RUN)
    config = config or configured_delinquency(ctx.settings)
    report = DelinquencyRunReport(as_of=as_of)
    log.info("delinquency run started", extra={"as_of": as_of.isoformat()})

    policies = _policies_to_check(ctx, as_of, config, policy_ids)
    # States are read a chunk at a time, so a large carrier's run keeps one chunk in memory.
    for first in range(0, len(policies), STATES_PER_CHUNK):
        chunk = policies[first : first + STATES_PER_CHUNK]
        states = load_states(ctx, chunk, config)
        for policy in chunk:
            report.policies_checked += 1
            _run_one(ctx, policy, states[policy.id], as_of, config, report)

    audit.record(
        ctx,
        action="delinquency_run",
        record_type="delinquency_run",
        record_id=as_of.isoformat(),
        detail={"changed": len(report.changes), "held": len(report.held), "notices": len(report.notices), "failed": len(report.failed)},
    )
    log.info("delinquency run finished", extra={"as_of": as_of.isoformat(), "changed": len(report.changes), "failed": len(report.failed)})
    return report


def _run_one(
    ctx: ServiceContext, policy: Policy, state: BillingState, as_of: date, config: DelinquencyConfig, report: DelinquencyRunReport
) -> None:
    """Process one policy in its own savepoint and report a failure instead of raising it."""
    if state.status.value != policy.status:
        # An earlier policy's step changed this one (a renewal cancelled with its predecessor).
        state = load_states(ctx, [policy], config)[policy.id]
    savepoint = ctx.session.begin_nested()
    # Changes and notices join the report only once the savepoint commits.
    outcome = DelinquencyRunReport(as_of=as_of)
    try:
        _process_policy(ctx, policy, state, as_of, config, outcome)
        savepoint.commit()
        report.changes.extend(outcome.changes)
        report.held.extend(outcome.held)
        report.notices.extend(outcome.notices)
    except DomainError as exc:
        savepoint.rollback()
        ctx.session.expire(policy)
        log.warning("policy not processed", extra={"policy": policy.policy_number, "code": exc.code})
        report.failed.append({"policy_number": policy.policy_number, **exc.as_dict()})
    except (IntegrityError, StaleDataError) as exc:
        # Another run changed this policy first, so its change is kept and this one adds nothing.
        savepoint.rollback()
        ctx.session.expire(policy)
        log.warning("policy changed by another run", extra={"policy": policy.policy_number, "error": type(exc).__name__})
        report.failed.append(
            {
                "policy_number": policy.policy_number,
                "code": "delinquency.concurrent_change",
                "message": f"Policy {policy.policy_number} was changed by another run at the same time.",
                "hint": "Run the delinquency job again for this date; it reads the policy afresh.",
            }
        )


def _process_policy(
    ctx: ServiceContext, policy: Policy, state: BillingState, as_of: date, config: DelinquencyConfig, report: DelinquencyRunReport
) -> None:
    if state.status is PolicyStatus.GRACE and state.grace is None:
        raise ConflictError(
            code="delinquency.no_open_grace",
            message=f"Policy {policy.policy_number} is in grace but has no open grace period.",
            record=f"policy {policy.policy_number}",
            field="status",
            value=policy.status,
            hint="A policy put in grace outside the delinquency run needs its grace period recorded, or its status set back.",
        )
    seen: set[tuple[str, date | None]] = set()
    for _ in range(MAX_STEPS_PER_POLICY):
        _send_due_notices(ctx, policy, state, as_of, config, report)
        decision = decide(state, as_of, config)
        if decision is None:
            return
        change = PolicyChange(
            policy_number=policy.policy_number,
            from_status=state.status.value,
            to_status=decision.to_status.value,
            trigger=decision.trigger.value,
            effective_date=decision.effective_date,
            reason=decision.reason,
            amounts=decision.amounts.to_dict(),
        )
        if decision.held:
            report.held.append(change)
            return
        marker = (decision.trigger.value, decision.effective_date)
        if marker in seen:
            log.warning("delinquency decision repeated; stopping", extra={"policy": policy.policy_number, "trigger": decision.trigger.value})
            return
        seen.add(marker)
        apply_decision(ctx, policy, state, decision, as_of=as_of, config=config)
        report.changes.append(change)
        state = load_states(ctx, [policy], config)[policy.id]
    log.warning("delinquency run stopped after the step limit", extra={"policy": policy.policy_number})


def _send_due_notices(
    ctx: ServiceContext, policy: Policy, state: BillingState, as_of: date, config: DelinquencyConfig, report: DelinquencyRunReport
) -> None:
    """Create the dunning notices of the open grace period whose dates have come.

    While a moratorium covers the policy no dunning notice is created; the ones due then
    follow once it ends.
    """
    if state.status is not PolicyStatus.GRACE or state.grace is None or state.under_moratorium(as_of):
        return
    due = notices_due(state.grace, state.last_stage, as_of)
    if not due:
        return
    grace = open_grace_periods(ctx, [policy.id])[policy.id]
    standings = month_standings(state, as_of, config.threshold_rule(state.key, as_of))
    # The notice requests what keeps coverage, which in an APTC grace period includes the
    # months falling due during it, not only what is past due today.
    owed = owed_to_keep_coverage(standings, state.grace.settle_by_due)
    for planned in due:
        for notice_type in _notice_types(planned):
            notice = create_notice(
                ctx,
                notice_type=notice_type,
                billing_account_id=policy.billing_account_id,
                policy_id=policy.id,
                as_of=as_of,
                send_on=max(planned.send_on, as_of),
                dedupe_key=f"policy:{policy.id}:grace:{grace.id}:{notice_type.value}",
                data=_notice_data(policy, grace, state, planned, owed, standings),
            )
            report.notices.append(
                {"policy_number": policy.policy_number, "notice_type": notice_type.value, "send_on": notice.send_on.isoformat()}
            )
        grace.last_stage = planned.stage.value
        grace.updated_at = ctx.now()
    ctx.session.flush()


def _notice_types(planned: PlannedNotice) -> list[NoticeType]:
    types = [NOTICE_TYPES[planned.stage]]
    if planned.provider_pend:
        types.append(NoticeType.PROVIDER_PEND)
    return types


def _notice_data(
    policy: Policy,
    grace: GracePeriod,
    state: BillingState,
    planned: PlannedNotice,
    amount_due_cents: int,
    standings: tuple[MonthStanding, ...],
) -> dict[str, Any]:
    terms = state.grace
    assert terms is not None
    # A termination on the paid-through date is not fixed when grace opens. The notice still
    # states the date the run would choose if nothing more were paid.
    ends_if_unpaid = termination_date(terms, standings, state)
    return {
        "policy_number": policy.policy_number,
        "stage": planned.stage.value,
        "grace_kind": terms.kind.value,
        "grace_month": terms.grace_month(planned.send_on),
        "grace_start": grace.start_date.isoformat(),
        "grace_end": grace.end_date.isoformat(),
        "first_unpaid_month": str(terms.first_unpaid_month),
        "missed_due_date": grace.missed_due_date.isoformat(),
        "amount_due_cents": amount_due_cents,
        "claims_pended_from": grace.claims_pend_from.isoformat() if grace.claims_pend_from else None,
        "termination_date_if_unpaid": ends_if_unpaid.isoformat(),
    }


def _policies_to_check(ctx: ServiceContext, as_of: date, config: DelinquencyConfig, policy_ids: Sequence[int] | None) -> list[Policy]:
    """Pending, active and in-grace policies, and terminated ones still inside a reinstatement window."""
    longest_window = max((rule.window_days for rule in config.reinstatement_rules), default=0)
    live = Policy.status.in_([PolicyStatus.PENDING.value, PolicyStatus.ACTIVE.value, PolicyStatus.GRACE.value])
    condition = live
    if longest_window > 0:
        recently_terminated = select(GracePeriod.policy_id).where(
            GracePeriod.outcome == GraceOutcome.TERMINATED.value,
            GracePeriod.closed_on >= as_of - timedelta(days=longest_window),
        )
        condition = or_(live, (Policy.status == PolicyStatus.TERMINATED.value) & Policy.id.in_(recently_terminated))
    query = select(Policy).where(condition).order_by(Policy.billing_account_id, Policy.id)
    if policy_ids is not None:
        query = query.where(Policy.id.in_(list(policy_ids)))
    return list(ctx.session.scalars(query))
