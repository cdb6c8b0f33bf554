"""Delinquency decisions: binder, grace period, termination and reinstatement (pure).

:func:`decide` reads a policy's :class:`BillingState` on an as-of date and returns the one
status change the rules call for, or None. The service applies it and calls again, so a run
on a late date catches up step by step (for example active, then grace, then terminated),
and a second run on the same date finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, timedelta

from premia.delinquency.config import BinderRule, DelinquencyConfig, GraceRule, NoticeRule
from premia.delinquency.model import (
    ClaimsAction,
    Decision,
    DunningStage,
    GraceKind,
    GraceTerms,
    Moratorium,
    PlannedNotice,
    TerminationBasis,
    Trigger,
)
from premia.delinquency.standing import (
    BillingState,
    MonthStanding,
    amounts_of,
    day_after,
    month_standings,
    paid_through,
    past_due,
)
from premia.enrollment.model import PolicyStatus
from premia.kernel.dates import Month

Rule = Callable[[BillingState, date, DelinquencyConfig], Decision | None]


def decide(state: BillingState, as_of: date, config: DelinquencyConfig) -> Decision | None:
    """Return the status change due for the policy on ``as_of``, or None."""
    rule = _RULES_BY_STATUS.get(state.status)
    return rule(state, as_of, config) if rule else None


def binder_decision(state: BillingState, as_of: date, config: DelinquencyConfig) -> Decision | None:
    """Effectuate a pending policy whose binder is paid; cancel it when the deadline passes unpaid.

    The binder is the first coverage month's net premium. It counts as paid only if it
    was paid by the deadline, so a payment that arrives after the deadline cannot undo
    the cancellation even when the run itself is late. A binder that was never billed
    has nothing to be unpaid, so the policy waits.
    """
    rule = config.binder_rule(state.key, state.effective_date)
    deadline = binder_deadline(state.effective_date, state.received_on, rule, state.moratoria)
    threshold = config.threshold_rule(state.key, state.effective_date)
    checked_on = min(as_of, deadline)
    standings = month_standings(state, checked_on, threshold)
    binder = next((standing for standing in standings if standing.month == Month.of(state.effective_date)), None)
    amounts = amounts_of(standings, checked_on)

    if binder is not None and binder.paid:
        return Decision(
            trigger=Trigger.BINDER_PAID,
            to_status=PolicyStatus.ACTIVE,
            effective_date=state.effective_date,
            reason=f"binder for {binder.month} paid",
            amounts=amounts,
        )
    if binder is None or as_of <= deadline:
        return None
    return Decision(
        trigger=Trigger.BINDER_DEADLINE_PASSED,
        to_status=PolicyStatus.CANCELLED,
        effective_date=state.effective_date,
        reason=f"binder for {binder.month} unpaid at the deadline {deadline}",
        amounts=replace(amounts, past_due=binder.unpaid_cents),
        held=state.under_moratorium(as_of),
    )


def past_due_decision(state: BillingState, as_of: date, config: DelinquencyConfig) -> Decision | None:
    """Open a grace period when premium above the threshold is past due."""
    threshold = config.threshold_rule(state.key, as_of)
    standings = month_standings(state, as_of, threshold)
    late = past_due(standings, as_of)
    if not late:
        return None

    first = late[0]
    key = replace(state.key, aptc=aptc_grace_applies(state, first, standings))
    terms = grace_terms(
        config.grace_rule(key, first.due_date),
        config.notice_rule(key, first.due_date),
        first,
        state.moratoria,
    )
    return Decision(
        trigger=Trigger.PAST_DUE,
        to_status=PolicyStatus.GRACE,
        effective_date=terms.start,
        reason=f"premium for {first.month} due {first.due_date} unpaid",
        amounts=amounts_of(standings, as_of),
        grace=terms,
        held=state.under_moratorium(as_of),
    )


def grace_decision(state: BillingState, as_of: date, config: DelinquencyConfig) -> Decision | None:
    """End a grace period: cured when everything due is paid, terminated when its end passes unpaid.

    After the end, the months due by ``settle_by_due`` are judged as they stood at the end
    of the grace period's last day, so a payment posted on that day counts and a later one
    does not. A partial payment neither ends nor restarts the period.
    """
    terms = state.grace
    if terms is None:
        return None
    threshold = config.threshold_rule(state.key, as_of)

    if as_of > terms.end:
        at_end = month_standings(state, terms.end, threshold)
        owing = [standing for standing in past_due(at_end, day_after(terms.end)) if standing.due_date <= terms.settle_by_due]
        if not owing:
            return Decision(
                trigger=Trigger.CURED,
                to_status=PolicyStatus.ACTIVE,
                effective_date=as_of,
                reason=f"premium due by {terms.settle_by_due} was paid by the end of grace on {terms.end}",
                amounts=amounts_of(at_end, day_after(terms.end)),
            )
        amounts = replace(amounts_of(at_end, day_after(terms.end)), past_due=sum(standing.unpaid_cents for standing in owing))
        return Decision(
            trigger=Trigger.GRACE_ENDED,
            to_status=PolicyStatus.TERMINATED,
            effective_date=termination_date(terms, at_end, state),
            reason=f"grace period ended {terms.end} with premium for {owing[0].month} unpaid",
            amounts=amounts,
            held=state.under_moratorium(as_of),
        )

    standings = month_standings(state, as_of, threshold)
    if past_due(standings, as_of):
        return None
    return Decision(
        trigger=Trigger.CURED,
        to_status=PolicyStatus.ACTIVE,
        effective_date=as_of,
        reason="all premium due is paid",
        amounts=amounts_of(standings, as_of),
    )


def reinstatement_decision(state: BillingState, as_of: date, config: DelinquencyConfig) -> Decision | None:
    """Reinstate a policy terminated for non-payment when everything it would owe is paid in the window.

    What it would owe leaves out the credits the termination caused, so the months after
    the termination date that were billed before it must be paid too.
    """
    facts = state.last_termination
    if facts is None:
        return None
    rule = config.reinstatement_rule(state.key, facts.terminated_on)
    if rule.window_days <= 0:
        return None
    window_end = facts.terminated_on + timedelta(days=rule.window_days)
    checked_on = min(as_of, window_end)
    threshold = config.threshold_rule(state.key, checked_on)
    standings = month_standings(state, checked_on, threshold, ignore_termination_credits=True)
    if not standings or past_due(standings, day_after(checked_on)):
        return None
    return Decision(
        trigger=Trigger.REINSTATED,
        to_status=PolicyStatus.ACTIVE,
        effective_date=facts.termination_date + timedelta(days=1),
        reason=f"all premium paid within {rule.window_days} days of the termination on {facts.terminated_on}",
        amounts=amounts_of(standings, day_after(checked_on)),
    )


_RULES_BY_STATUS: dict[PolicyStatus, Rule] = {
    PolicyStatus.PENDING: binder_decision,
    PolicyStatus.ACTIVE: past_due_decision,
    PolicyStatus.GRACE: grace_decision,
    PolicyStatus.TERMINATED: reinstatement_decision,
}


def binder_deadline(effective: date, received_on: date, rule: BinderRule, moratoria: Iterable[Moratorium] = ()) -> date:
    """Return the last day the binder may be paid, the latest date the rule's keys give.

    With ``day_of_month`` 5 and coverage effective 2026-01-01, the deadline is 2026-01-05.
    A deadline inside a moratorium moves to the moratorium's last day.
    """
    candidates: list[date] = []
    if rule.days_after_effective is not None:
        candidates.append(effective + timedelta(days=rule.days_after_effective))
    if rule.day_of_month is not None:
        candidates.append(_next_day_of_month(effective, rule.day_of_month))
    if rule.days_after_receipt is not None:
        candidates.append(received_on + timedelta(days=rule.days_after_receipt))
    deadline = max(candidates) if candidates else effective
    for moratorium in moratoria:
        if moratorium.covers(deadline) and moratorium.end is not None:
            deadline = moratorium.end
    return deadline


def grace_terms(rule: GraceRule, notices: NoticeRule, first: MonthStanding, moratoria: Iterable[Moratorium] = ()) -> GraceTerms:
    """Fix a grace period's dates from its first unpaid month and the rule in force.

    APTC (three months): the first unpaid month is February 2026, due 2026-02-02, so grace
    runs 2026-02-01..2026-04-30, claims are pended from 2026-03-01 and termination takes
    effect 2026-02-28. Days (31): due 2025-03-03 gives 2025-03-04..2025-04-03, the day
    after the due date plus 30 more. A period counted in days that would start inside a
    moratorium starts the day after it ends.
    """
    if rule.kind is GraceKind.APTC_MONTHS:
        start = first.month.first_day
        end = first.month.plus(rule.months - 1).last_day
        settle_by_due = end
        pend_from = first.month.plus(rule.pend_from_month - 1).first_day if rule.pend_from_month <= rule.months else None
    else:
        start = _after_moratoria(day_after(first.due_date), moratoria)
        end = start + timedelta(days=rule.days - 1)
        settle_by_due = first.due_date
        pend_from = start if rule.claims_in_grace is ClaimsAction.PEND else None

    fixed_termination = {
        TerminationBasis.FIRST_GRACE_MONTH: first.month.last_day,
        TerminationBasis.GRACE_END: end,
    }.get(rule.termination_basis)
    return GraceTerms(
        kind=rule.kind,
        rule_name=rule.name,
        first_unpaid_month=first.month,
        missed_due_date=first.due_date,
        start=start,
        end=end,
        settle_by_due=settle_by_due,
        termination_basis=rule.termination_basis,
        claims_pend_from=pend_from,
        termination_date=fixed_termination,
        notices=planned_notices(rule, notices, first, start, end),
    )


def planned_notices(rule: GraceRule, timing: NoticeRule, first: MonthStanding, start: date, end: date) -> tuple[PlannedNotice, ...]:
    """List the dunning notices of a grace period and their dates, in stage order."""
    delinquency_on = max(first.due_date + timedelta(days=timing.delinquency_days_after_due), start)
    planned = [PlannedNotice(DunningStage.DELINQUENCY, delinquency_on)]
    if rule.kind is GraceKind.APTC_MONTHS:
        if 1 < timing.second_notice_month <= rule.months:
            second_on = first.month.plus(timing.second_notice_month - 1).first_day
            planned.append(PlannedNotice(DunningStage.SECOND, second_on, provider_pend=timing.second_notice_month >= rule.pend_from_month))
        if 1 < timing.final_notice_month <= rule.months:
            planned.append(PlannedNotice(DunningStage.FINAL, first.month.plus(timing.final_notice_month - 1).first_day))
    elif timing.final_notice_days_before_end is not None:
        final_on = end - timedelta(days=timing.final_notice_days_before_end)
        if final_on > delinquency_on:
            planned.append(PlannedNotice(DunningStage.FINAL, final_on))
    return tuple(planned)


def notices_due(terms: GraceTerms, last_stage: DunningStage | None, as_of: date) -> list[PlannedNotice]:
    """Notices of later stages than ``last_stage`` whose date has come, in stage order."""
    sent_rank = last_stage.rank if last_stage is not None else -1
    return [notice for notice in terms.notices if notice.stage.rank > sent_rank and notice.send_on <= as_of]


def termination_date(terms: GraceTerms, at_end: Iterable[MonthStanding], state: BillingState) -> date:
    """Return the day a termination for non-payment takes effect.

    A date fixed when the grace period opened is kept. Otherwise it is the paid-through date
    at the end of grace. It is never before the effective date (a policy in grace had
    coverage) and never after the policy's own end date.
    """
    day = terms.termination_date
    if day is None:
        through = paid_through(at_end)
        # NOTE: a policy that never paid a month has no paid-through date; it keeps one covered day.
        day = through if through is not None else state.effective_date
    day = max(day, state.effective_date)
    if state.end_date is not None:
        day = min(day, state.end_date)
    return day


def aptc_grace_applies(state: BillingState, first: MonthStanding, standings: Iterable[MonthStanding]) -> bool:
    """Tell whether the three-month APTC grace period applies to a delinquency starting with ``first``.

    The enrollee must receive APTC for that month and have paid at least one full month
    with premium owed earlier in the same benefit year (the calendar year for individual
    coverage).
    """
    if first.month not in state.aptc_months:
        return False
    return any(
        standing.paid and standing.billed_cents > 0 and standing.month.year == first.month.year and standing.month < first.month
        for standing in standings
    )


def claims_action(status: PolicyStatus, terms: GraceTerms | None, service_date: date) -> ClaimsAction:
    """Return the handling of claims for ``service_date`` on a policy covering that date.

    A pending policy's claims wait for the binder. In grace, claims from the pend date on
    are pended (APTC months two and three); earlier ones are paid.
    """
    if status is PolicyStatus.PENDING:
        return ClaimsAction.PEND
    if status is PolicyStatus.CANCELLED:
        return ClaimsAction.DENY
    if status is PolicyStatus.GRACE and terms is not None and terms.claims_pend_from is not None:
        if service_date >= terms.claims_pend_from:
            return ClaimsAction.PEND
    return ClaimsAction.PAY


def _next_day_of_month(start: date, day_of_month: int) -> date:
    month = Month.of(start)
    candidate = date(month.year, month.month, min(day_of_month, month.days))
    if candidate < start:
        month = month.plus(1)
        candidate = date(month.year, month.month, min(day_of_month, month.days))
    return candidate


def _after_moratoria(day: date, moratoria: Iterable[Moratorium]) -> date:
    for moratorium in sorted(moratoria, key=lambda item: item.start):
        if moratorium.covers(day) and moratorium.end is not None:
            day = day_after(moratorium.end)
    return day
