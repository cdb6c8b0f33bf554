"""Coverage changes an 834 requests, made through the enrollment service where it has a use case.

Every change is effective-dated: a span's dates change and a coverage event records what
changed, effective when, from which import. A change to a month that was already billed
is therefore picked up by the next bill run as an adjustment, and no invoice is edited.

A policy the 834's sender (the Exchange, or the employer for a group policy) terminates or
cancels is also recorded as a lifecycle change, like a termination by staff, with the
credit the next bill run will post. Auto-draft leaves that
credit out until it is posted, and the refund of unearned premium follows it. An 834
reinstatement withdraws the refund that is still waiting.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import select

from premia.accounts.tables import Person
from premia.enrollment import service as enrollment
from premia.enrollment.model import ExchangeAmountKind, Market, PolicyStatus, Relationship
from premia.enrollment.tables import CoverageEvent, CoverageSpan, Policy
from premia.importers.enrollment.intake import CoverageLine, MemberIntake
from premia.importers.enrollment.model import Count, ImportWarning, MemberRejected
from premia.importers.enrollment.run import SOURCE, ImportRun
from premia.lifecycle.model import ChangeKind, RefundState, RequestSource
from premia.lifecycle.repository import last_unreversed_change, record_change
from premia.lifecycle.tables import PolicyChange
from premia.rating.model import Market as PlanMarket


def initial_status(market: Market) -> PolicyStatus:
    """Return the status of a new policy.

    A new individual policy waits for its binder payment (``pending``), and a group policy
    joins a group that already pays (``active``).
    """
    return PolicyStatus.PENDING if market is Market.INDIVIDUAL else PolicyStatus.ACTIVE


def policy_market(line: CoverageLine) -> Market:
    assert line.plan is not None
    return Market(line.plan.plan.market.value)


def create_policy(run: ImportRun, intake: MemberIntake, subscriber: Person, line: CoverageLine) -> Policy:
    """Create the policy for one of a subscriber's coverage lines, with its payer and rating area."""
    assert line.plan is not None
    start = _required_start(intake, line)
    if line.end is not None and line.end <= start:
        raise MemberRejected(
            "enrollment.addition_without_coverage",
            f"The addition ends on {line.end}, on or before its start {start}, so there is no coverage to add.",
            segment_id="DTP",
            position=line.position,
            element="DTP03",
            hint="Send the coverage end date in DTP*349 only when it is after the begin date.",
        )
    plan = line.plan.plan
    market = Market(plan.market.value)
    warnings: list[ImportWarning] = []
    if plan.market is PlanMarket.INDIVIDUAL:
        account = run.payers.individual_account(subscriber)
        area = run.payers.residence_area(subscriber, intake)
        group_id = None
    else:
        group = run.payers.employer_group(intake)
        account = run.payers.group_account(group, intake, warnings)
        area = run.payers.group_rating_area(group, intake)
        group_id = group.id
    for warning in warnings:
        run.report.warn(warning)

    policy = enrollment.create_policy(
        run.ctx,
        enrollment.PolicyInput(
            billing_account_id=account.id,
            subscriber_person_id=subscriber.id,
            plan_id=line.plan.plan_id,
            rating_area=area,
            market=market,
            state=plan.state,
            effective_date=start,
            end_date=line.end,
            on_exchange=plan.is_on_exchange,
            exchange_policy_id=line.exchange_policy_id,
            employer_group_id=group_id,
            status=initial_status(market),
            source=SOURCE,
            source_reference=run.source_reference(intake),
        ),
    )
    run.report.count(Count.POLICIES_CREATED)
    run.report.count(Count.SPANS_CREATED)
    return policy


def join_policy(
    run: ImportRun,
    intake: MemberIntake,
    policy: Policy,
    person: Person,
    start: date | None,
    end: date | None,
    position: int,
) -> CoverageSpan | None:
    """Cover a dependent on ``policy``; return None when the same coverage is already stored."""
    begin = max(start or policy.effective_date, policy.effective_date)
    if policy.end_date is not None and begin > policy.end_date:
        raise MemberRejected(
            "enrollment.after_policy_end",
            f"Coverage from {begin} starts after policy {policy.policy_number} ends on {policy.end_date}.",
            segment_id="DTP",
            position=position,
            element="DTP03",
            hint="Check the coverage begin date (DTP*348 or DTP*356).",
        )
    for span in enrollment.spans_of(run.ctx, policy.id, person_id=person.id):
        if span.start_date == begin:
            return None
    span = enrollment.add_member(
        run.ctx,
        policy,
        person_id=person.id,
        relationship=intake.relationship,
        start_date=begin,
        end_date=end if end is not None else policy.end_date,
        source=SOURCE,
        source_reference=run.source_reference(intake),
    )
    run.report.count(Count.SPANS_CREATED)
    return span


def latest_span(
    run: ImportRun, policy: Policy, person: Person, *, include_voided: bool = False
) -> CoverageSpan | None:
    query = select(CoverageSpan).where(
        CoverageSpan.policy_id == policy.id, CoverageSpan.person_id == person.id
    )
    spans = [span for span in run.ctx.session.scalars(query) if include_voided or not span.voided]
    return max(spans, key=lambda span: (span.start_date, span.id), default=None)


def end_coverage(
    run: ImportRun, intake: MemberIntake, policy: Policy, span: CoverageSpan, end: date
) -> Count | None:
    """End or cancel one member's span; a subscriber's end closes the policy and every span on it.

    An end date on or before the span's start means the coverage never took effect. The span
    is then voided and, for the subscriber, the policy takes the cancelled status, because an
    834 may send a cancellation as an end date equal to the start date.
    """
    reference = run.source_reference(intake)
    cancel = end <= span.start_date
    closes_policy = intake.is_subscriber and span.relationship == Relationship.SUBSCRIBER.value
    before = _policy_state(run, policy) if closes_policy else None
    if cancel:
        if span.voided:
            return None
        enrollment.void_member_coverage(run.ctx, span, source=SOURCE, source_reference=reference)
    else:
        if span.end_date == end and (not intake.is_subscriber or policy.end_date == end):
            return None
        enrollment.end_member_coverage(run.ctx, span, end, source=SOURCE, source_reference=reference)
    run.report.count(Count.SPANS_CHANGED)

    if before is not None:
        _close_policy(run, intake, policy, span, end, cancel)
        _record_sender_change(run, policy, end, cancel, before)
    return Count.CANCELLATIONS if cancel else Count.TERMINATIONS


class _PolicyState(NamedTuple):
    """A policy's end date, status and spans (end date and voided flag by span id) before a change."""

    policy_end: date | None
    status: str
    status_reason: str | None
    spans: dict[int, tuple[date | None, bool]]


def _policy_state(run: ImportRun, policy: Policy) -> _PolicyState:
    spans = {span.id: (span.end_date, span.voided) for span in enrollment.spans_of(run.ctx, policy.id)}
    return _PolicyState(policy.end_date, policy.status, policy.status_reason, spans)


def _record_sender_change(
    run: ImportRun, policy: Policy, end: date, cancel: bool, before: _PolicyState
) -> None:
    """Record the sender's termination or cancellation as a lifecycle change waiting for its credit.

    Only the spans this change ended or voided go into the restore record, so that a later
    reinstatement from the console or CLI puts back exactly those.
    """
    changed = []
    for span_id, was in before.spans.items():
        # Read by id: the spans this change voided are no longer among the policy's spans.
        span = run.ctx.session.get(CoverageSpan, span_id)
        if span is not None and was != (span.end_date, span.voided):
            changed.append({"span_id": span.id, "end": _iso(was[0]), "voided": span.voided})
    restore = {
        "policy_end": _iso(before.policy_end),
        "status": before.status,
        "status_reason": before.status_reason,
        "spans": changed,
    }
    earlier = _unreversed_ending(run, policy)
    change = record_change(
        run.ctx,
        policy=policy,
        kind=ChangeKind.CANCELLATION if cancel else ChangeKind.TERMINATION,
        source=_sender(policy),
        requested_on=run.as_of,
        reason=policy.status_reason or "834 termination",
        effective_date=policy.effective_date if cancel else end,
        requested_date=end,
        detail={"import_id": run.import_id},
        restore=restore,
    )
    if earlier is not None:
        # A new end date replaces the earlier ending. Its credit is quoted again below from
        # everything billed, so the earlier credit still waiting would be counted twice.
        _withdraw(earlier, run.as_of)
        earlier.reversed_by_change_id = change.id
    run.unquoted_changes.append(change)


def _withdraw_sender_change(run: ImportRun, policy: Policy) -> None:
    """Mark the last termination or cancellation of ``policy`` reversed, and withdraw its refund.

    A refund already settled stays as it is: the next bill run bills the restored months again.
    """
    change = _unreversed_ending(run, policy)
    if change is None:
        return
    withdrawn = _withdraw(change, run.as_of)
    reinstatement = record_change(
        run.ctx,
        policy=policy,
        kind=ChangeKind.REINSTATEMENT,
        source=_sender(policy),
        requested_on=run.as_of,
        reason="834 reinstatement",
        effective_date=change.effective_date,
        detail={
            "import_id": run.import_id,
            "termination_change_id": change.id,
            "withdrawn_refund": withdrawn,
        },
    )
    change.reversed_by_change_id = reinstatement.id
    run.ctx.session.flush()


def _sender(policy: Policy) -> RequestSource:
    """Return who sent the 834 that changed ``policy``: the employer for a group policy, else the Exchange."""
    return RequestSource.EXCHANGE if policy.market == Market.INDIVIDUAL.value else RequestSource.EMPLOYER


def _unreversed_ending(run: ImportRun, policy: Policy) -> PolicyChange | None:
    return last_unreversed_change(run.ctx, policy, (ChangeKind.TERMINATION, ChangeKind.CANCELLATION))


def _withdraw(change: PolicyChange, on: date) -> bool:
    """Withdraw the refund ``change`` is waiting for; return False when none is waiting."""
    if change.refund_state != RefundState.AWAITING_CREDIT.value:
        return False
    change.refund_state = RefundState.WITHDRAWN.value
    change.refund_settled_on = on
    return True


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _close_policy(
    run: ImportRun,
    intake: MemberIntake,
    policy: Policy,
    subscriber_span: CoverageSpan,
    end: date,
    cancel: bool,
) -> None:
    reference = run.source_reference(intake)
    for span in enrollment.spans_of(run.ctx, policy.id):
        if span.id == subscriber_span.id:
            continue
        if cancel or span.start_date > end:
            enrollment.void_member_coverage(run.ctx, span, source=SOURCE, source_reference=reference)
            run.report.count(Count.SPANS_CHANGED)
        elif span.end_date is None or span.end_date > end:
            enrollment.end_member_coverage(run.ctx, span, end, source=SOURCE, source_reference=reference)
            run.report.count(Count.SPANS_CHANGED)
    reason = intake.member.maintenance_reason
    status = PolicyStatus.CANCELLED if cancel else PolicyStatus.TERMINATED
    policy.status = status.value
    policy.status_reason = (
        f"834 INS04 {reason.value} ({reason.name.lower()})" if reason else "834 termination"
    )
    if not cancel:
        policy.end_date = end
    policy.updated_at = run.ctx.now()
    record_event(
        run,
        policy,
        None,
        f"policy_{status.value}",
        end if not cancel else policy.effective_date,
        policy.status_reason,
        reference,
    )


def reinstate(
    run: ImportRun, intake: MemberIntake, policy: Policy, span: CoverageSpan, end: date | None
) -> bool:
    """Undo a termination or cancellation of one member's span; return False when nothing changes."""
    if not span.voided and span.end_date == end:
        return False
    reference = run.source_reference(intake)
    span.voided = False
    span.end_date = end
    span.updated_at = run.ctx.now()
    record_event(run, policy, span, "member_reinstated", span.start_date, f"end {end or 'open'}", reference)
    if intake.is_subscriber and policy.status in (
        PolicyStatus.CANCELLED.value,
        PolicyStatus.TERMINATED.value,
    ):
        was_cancelled = policy.status == PolicyStatus.CANCELLED.value
        status = initial_status(Market(policy.market)) if was_cancelled else PolicyStatus.ACTIVE
        policy.status = status.value
        policy.status_reason = None
        policy.end_date = end
        policy.updated_at = run.ctx.now()
        record_event(
            run, policy, None, "policy_reinstated", policy.effective_date, f"status {status.value}", reference
        )
        _withdraw_sender_change(run, policy)
    run.report.count(Count.SPANS_CHANGED)
    return True


def move_start(run: ImportRun, intake: MemberIntake, policy: Policy, span: CoverageSpan, start: date) -> bool:
    """Move a span's start date (a retroactive addition or a later start); False when unchanged."""
    if span.start_date == start:
        return False
    if _moves_policy_start(run, policy, span, start):
        old_effective = policy.effective_date
        policy.effective_date = start
        policy.updated_at = run.ctx.now()
        record_event(
            run,
            policy,
            None,
            "policy_start_changed",
            min(old_effective, start),
            f"{old_effective} -> {start}",
            run.source_reference(intake),
        )
    if start < policy.effective_date:
        raise MemberRejected(
            "enrollment.before_policy_start",
            f"The new begin date {start} is before policy {policy.policy_number}'s effective date "
            f"{policy.effective_date}.",
            segment_id="DTP",
            position=intake.position,
            element="DTP03",
            hint="Send the policy's new effective date on the subscriber first.",
        )
    if span.end_date is not None and start > span.end_date:
        raise MemberRejected(
            "enrollment.start_after_end",
            f"The new begin date {start} is after the coverage end {span.end_date}.",
            segment_id="DTP",
            position=intake.position,
            element="DTP03",
            hint="Check the begin date, or send the new end date too.",
        )
    old_start = span.start_date
    span.start_date = start
    span.updated_at = run.ctx.now()
    record_event(
        run,
        policy,
        span,
        "member_start_changed",
        min(old_start, start),
        f"{old_start} -> {start}",
        run.source_reference(intake),
    )
    run.report.count(Count.SPANS_CHANGED)
    return True


def _moves_policy_start(run: ImportRun, policy: Policy, span: CoverageSpan, start: date) -> bool:
    """Return whether moving the subscriber's start moves the policy's effective date with it.

    It does when the subscriber's span starts the policy and no other member's coverage
    would then start before the policy.
    """
    if span.relationship != Relationship.SUBSCRIBER.value or span.start_date != policy.effective_date:
        return False
    others = [other.start_date for other in enrollment.spans_of(run.ctx, policy.id) if other.id != span.id]
    return start <= min(others, default=start)


def record_amounts(run: ImportRun, intake: MemberIntake, policy: Policy, person: Person, start: date) -> None:
    """Store the Exchange amounts the member loop carries, effective from DTP*007 or ``start``.

    The totals (PRE AMT TOT, APTC AMT, TOT RES AMT) are the policy's; PRE AMT 1 (or AMT*P3)
    is the member's own premium.
    """
    amounts = intake.amounts
    effective = intake.amounts_effective or start
    reference = run.source_reference(intake)
    policy_level = (
        (ExchangeAmountKind.PREMIUM, amounts.premium_total_cents),
        (ExchangeAmountKind.APTC, amounts.aptc_cents),
        (ExchangeAmountKind.RESPONSIBILITY, amounts.responsibility_cents),
    )
    for kind, cents in policy_level:
        if cents is not None:
            enrollment.set_exchange_amount(
                run.ctx,
                policy,
                kind=kind,
                amount_cents=cents,
                start_date=effective,
                source_reference=reference,
            )
            run.report.count(Count.EXCHANGE_AMOUNTS)
    if amounts.premium_cents is not None:
        enrollment.set_exchange_amount(
            run.ctx,
            policy,
            kind=ExchangeAmountKind.PREMIUM,
            amount_cents=amounts.premium_cents,
            start_date=effective,
            person_id=person.id,
            source_reference=reference,
        )
        run.report.count(Count.EXCHANGE_AMOUNTS)


def record_event(
    run: ImportRun,
    policy: Policy,
    span: CoverageSpan | None,
    event: str,
    effective: date,
    detail: str | None,
    reference: str,
) -> None:
    """Write a coverage event for a change the enrollment service has no use case for."""
    run.ctx.session.add(
        CoverageEvent(
            policy_id=policy.id,
            coverage_span_id=span.id if span else None,
            event=event,
            effective_date=effective,
            detail=detail,
            source=SOURCE,
            source_reference=reference,
            recorded_by=run.ctx.actor.username,
            recorded_at=run.ctx.now(),
        )
    )


def _required_start(intake: MemberIntake, line: CoverageLine) -> date:
    if line.start is None:
        raise MemberRejected(
            "enrollment.begin_date_missing",
            "The coverage line has no begin date (DTP*348 in loop 2300, or DTP*356 in loop 2000).",
            segment_id="HD",
            position=line.position,
            element="DTP03",
            hint="Send DTP*348 with the date coverage begins.",
        )
    return line.start
