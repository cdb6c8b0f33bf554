"""Apply one member's maintenance (INS03 021, 001, 024, 025) through the services.

Each function runs inside the member's savepoint and raises ``MemberRejected`` (or a
``DomainError`` from a service) to reject the member, which rolls back only that member.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from premia.accounts import person_service
from premia.accounts.model import Address, ChangeSource
from premia.accounts.tables import Person
from premia.enrollment.model import Market, PolicyStatus
from premia.enrollment.tables import CoverageSpan, Policy
from premia.formats.x12 import MaintenanceType
from premia.importers.enrollment import coverage_changes as changes
from premia.importers.enrollment.identity import (
    dependent_or_reject,
    find_dependent,
    new_dependent_member_id,
    open_policies,
    person_by_member_id,
    subscriber_of,
    subscriber_policies,
)
from premia.importers.enrollment.intake import CoverageLine, MemberIntake
from premia.importers.enrollment.model import Count, ImportWarning, MemberRejected
from premia.importers.enrollment.run import Family, ImportRun, Outcome


def apply_addition(run: ImportRun, intake: MemberIntake, family: Family) -> Outcome:
    """Enroll a member (INS03 021): the subscriber's policies, or a dependent joining them."""
    if intake.is_subscriber:
        person, changed = _add_subscriber(run, intake, family)
    else:
        person, changed = _add_dependent(run, intake, family)
    return Outcome(Count.ADDITIONS if changed else Count.UNCHANGED, person.member_id)


def _add_subscriber(run: ImportRun, intake: MemberIntake, family: Family) -> tuple[Person, bool]:
    if not intake.coverages:
        raise MemberRejected(
            "enrollment.coverage_missing",
            f"The addition of subscriber {intake.subscriber_id} has no HD coverage line (loop 2300).",
            segment_id="INS",
            position=intake.position,
            hint="Send an HD segment with its DTP*348 begin date for each plan the subscriber enrolls in.",
        )
    subscriber = save_person(
        run, intake, person_by_member_id(run.ctx, intake.subscriber_id), intake.subscriber_id
    )
    family.subscriber = subscriber
    policies = subscriber_policies(run.ctx, subscriber)
    changed = False
    for line in intake.coverages:
        if line.maintenance_type is MaintenanceType.CANCELLATION_OR_TERMINATION:
            changed |= _end_line(run, intake, subscriber, policies, line) is not None
            continue
        policy = policy_for_line(policies, line)
        if policy is None:
            policy = changes.create_policy(run, intake, subscriber, line)
            policies.append(policy)
            changed = True
        else:
            _check_same_enrollment(run, intake, policy, subscriber, line)
        family.enrolled.append((line, policy))
        changed |= _record_amounts(
            run, intake, family, policy, subscriber, line.start or policy.effective_date
        )
    return subscriber, changed


def _check_same_enrollment(
    run: ImportRun, intake: MemberIntake, policy: Policy, subscriber: Person, line: CoverageLine
) -> None:
    """Accept a repeated addition as unchanged; reject one that would overlap with other dates."""
    span = changes.latest_span(run, policy, subscriber)
    if span is not None and span.start_date == line.start:
        return
    raise MemberRejected(
        "enrollment.already_enrolled",
        f"Subscriber {intake.subscriber_id} is already enrolled in plan {policy.plan_id} on policy "
        f"{policy.policy_number} from {policy.effective_date}.",
        segment_id="HD",
        position=line.position,
        element="HD01",
        hint="Send a change (HD01 001) to move the dates, or a termination (024) before a new enrollment.",
    )


def _add_dependent(run: ImportRun, intake: MemberIntake, family: Family) -> tuple[Person, bool]:
    subscriber = _family_subscriber(run, intake, family)
    all_policies = subscriber_policies(run.ctx, subscriber)
    targets = _dependent_targets(run, intake, family, subscriber, open_policies(all_policies))

    person = find_dependent(run.ctx, intake, all_policies)
    if person is None:
        person = save_person(run, intake, None, new_dependent_member_id(run.ctx, intake))
    else:
        save_person(run, intake, person, person.member_id)

    changed = False
    for policy, start, end, position in targets:
        span = changes.join_policy(run, intake, policy, person, start, end, position)
        changed |= span is not None
        changed |= _record_amounts(
            run, intake, family, policy, person, span.start_date if span else policy.effective_date
        )
    return person, changed


def _family_subscriber(run: ImportRun, intake: MemberIntake, family: Family) -> Person:
    if family.subscriber is not None:
        return family.subscriber
    if family.rejection is not None:
        rejection = family.rejection
        # A subscriber loop without a REF*0F of its own is keyed by the first one it sent.
        subscriber_id = rejection.subscriber_id or family.subscriber_id
        subscriber = f"Subscriber {subscriber_id}" if subscriber_id else "The subscriber"
        raise MemberRejected(
            "enrollment.subscriber_rejected",
            f"{subscriber} was rejected at segment {rejection.member_position} ({rejection.reason}), "
            "so this dependent has no policy to join.",
            segment_id="INS",
            position=intake.position,
            hint="Correct the subscriber's loop and send the family again.",
        )
    subscriber = subscriber_of(run.ctx, intake)
    family.subscriber = subscriber
    return subscriber


def _dependent_targets(
    run: ImportRun, intake: MemberIntake, family: Family, subscriber: Person, policies: list[Policy]
) -> list[tuple[Policy, date | None, date | None, int]]:
    """Return the policies a dependent joins, each with the dates and segment position of its coverage."""
    if intake.coverages:
        targets = []
        for line in intake.coverages:
            policy = policy_for_line(policies, line)
            if policy is None:
                raise _no_subscriber_policy(
                    intake, line.plan.plan_id if line.plan else line.insurance_line, line.position
                )
            targets.append(
                (
                    policy,
                    line.start or intake.eligibility_start,
                    line.end or intake.eligibility_end,
                    line.position,
                )
            )
        return targets

    # A dependent without coverage lines shares the subscriber's coverage, as on a family
    # (HD05 FAM) enrollment where only the subscriber's loop carries the HD segment.
    if family.enrolled:
        chosen = list(dict.fromkeys(policy for _, policy in family.enrolled))
    else:
        start = intake.eligibility_start
        chosen = [policy for policy in policies if start is None or _covers(policy, start)]
    if not chosen:
        raise _no_subscriber_policy(intake, "any plan", intake.position)
    return [(policy, intake.eligibility_start, intake.eligibility_end, intake.position) for policy in chosen]


def _no_subscriber_policy(intake: MemberIntake, plan: str, position: int) -> MemberRejected:
    return MemberRejected(
        "enrollment.no_subscriber_policy",
        f"Subscriber {intake.subscriber_id} has no open policy in {plan} for the dependent to join.",
        segment_id="HD",
        position=position,
        element="HD03",
        hint="Enroll the subscriber in the plan first, or check the dependent's plan and dates.",
    )


ENDING_COUNTS = frozenset({Count.TERMINATIONS, Count.CANCELLATIONS})


def apply_change(run: ImportRun, intake: MemberIntake, family: Family) -> Outcome:
    """Apply a change (INS03 001): demographics with history, then each coverage line's dates."""
    person, policies = _member_and_policies(run, intake, family)
    updates_before = run.report.counts[Count.PERSONS_UPDATED.value]
    save_person(run, intake, person, person.member_id)
    changed = run.report.counts[Count.PERSONS_UPDATED.value] != updates_before
    if intake.is_subscriber and intake.person.residence is not None:
        _warn_of_move(run, intake, person, policies)
    # A change that ends coverage (HD01 024, or a DTP*357 eligibility end) is counted as the
    # termination or cancellation it records, not as a change.
    ended: Count | None = None
    for line in intake.coverages:
        outcome = _change_line(run, intake, family, person, policies, line)
        changed |= outcome is not None
        if outcome in ENDING_COUNTS and ended is None:
            ended = outcome
    if not intake.coverages and intake.has_amounts:
        for policy in _policies_with_spans(run, person, policies):
            start = intake.maintenance_effective or intake.transaction.file_effective or policy.effective_date
            changed |= _record_amounts(run, intake, family, policy, person, start)
    if ended is not None:
        return Outcome(ended, person.member_id)
    return Outcome(Count.CHANGES if changed else Count.UNCHANGED, person.member_id)


def _warn_of_move(run: ImportRun, intake: MemberIntake, subscriber: Person, policies: list[Policy]) -> None:
    """Warn when a new residence lies in another rating area than an individual policy's.

    The policy keeps its rating area: re-rating from the move's date needs an effective-dated
    rating area, which policies do not have yet, and on the Exchange the new premium comes
    as Exchange amounts anyway.
    """
    individual = [policy for policy in open_policies(policies) if policy.market == Market.INDIVIDUAL.value]
    if not individual:
        return
    try:
        area = run.payers.residence_area(subscriber, intake)
    except MemberRejected:
        return
    for policy in individual:
        if policy.rating_area != area:
            run.report.warn(
                ImportWarning(
                    "enrollment.rating_area_changed",
                    f"The new residence is in rating area {area}, but policy {policy.policy_number} is rated in "
                    f"{policy.rating_area}; the policy was not re-rated.",
                    intake.person.residence.position if intake.person.residence else intake.position,
                    "N403",
                    intake.position,
                    intake.subscriber_id,
                )
            )


def _change_line(
    run: ImportRun,
    intake: MemberIntake,
    family: Family,
    person: Person,
    policies: list[Policy],
    line: CoverageLine,
) -> Count | None:
    """Apply one coverage line of a change. Returns what it counts as, or None when nothing changed."""
    kind = line.maintenance_type
    if kind is MaintenanceType.ADDITION:
        if intake.is_subscriber and policy_for_line(policies, line) is None:
            policy = changes.create_policy(run, intake, person, line)
            policies.append(policy)
            family.enrolled.append((line, policy))
            _record_amounts(run, intake, family, policy, person, policy.effective_date)
            return Count.CHANGES
        policy = policy_for_line(open_policies(policies), line)
        if policy is None:
            raise _no_subscriber_policy(
                intake, line.plan.plan_id if line.plan else line.insurance_line, line.position
            )
        span = changes.join_policy(run, intake, policy, person, line.start, line.end, line.position)
        return Count.CHANGES if span is not None else None
    if kind is MaintenanceType.CANCELLATION_OR_TERMINATION:
        return _end_line(run, intake, person, policies, line)
    if kind is MaintenanceType.REINSTATEMENT:
        return Count.CHANGES if _reinstate_line(run, intake, person, policies, line) else None

    policy, span = _span_for_line(run, intake, person, policies, line)
    changed = False
    ended = None
    if line.start is not None:
        changed |= changes.move_start(run, intake, policy, span, line.start)
    # The member's eligibility end (DTP*357) ends every coverage line that sends no end of its own.
    end = line.end or intake.eligibility_end
    if end is not None and end != span.end_date:
        ended = changes.end_coverage(run, intake, policy, span, end)
    changed |= _record_amounts(run, intake, family, policy, person, line.start or span.start_date)
    if ended is not None:
        return ended
    return Count.CHANGES if changed else None


def apply_termination(run: ImportRun, intake: MemberIntake, family: Family) -> Outcome:
    """End or cancel a member's coverage (INS03 024), on the lines sent or on every open policy."""
    person, policies = _member_and_policies(run, intake, family)
    outcomes: list[Count | None] = []
    if intake.coverages:
        for line in intake.coverages:
            outcomes.append(_end_line(run, intake, person, policies, line))
    else:
        end = _term_date(intake, None)
        spans = [(policy, span) for policy in policies for span in _open_spans(run, policy, person, end)]
        if not spans:
            raise _nothing_to_end(intake, intake.position)
        for policy, span in spans:
            outcomes.append(changes.end_coverage(run, intake, policy, span, end))
    if Count.TERMINATIONS in outcomes:
        return Outcome(Count.TERMINATIONS, person.member_id)
    if Count.CANCELLATIONS in outcomes:
        return Outcome(Count.CANCELLATIONS, person.member_id)
    return Outcome(Count.UNCHANGED, person.member_id)


def _end_line(
    run: ImportRun, intake: MemberIntake, person: Person, policies: list[Policy], line: CoverageLine
) -> Count | None:
    end = _term_date(intake, line)
    policy, span = _span_for_line(run, intake, person, policies, line)
    return changes.end_coverage(run, intake, policy, span, end)


def _term_date(intake: MemberIntake, line: CoverageLine | None) -> date:
    end = (line.end if line is not None else None) or intake.eligibility_end or intake.maintenance_effective
    if end is None:
        raise MemberRejected(
            "enrollment.end_date_missing",
            "The termination has no end date: send DTP*349 in the coverage loop or DTP*357 in the member loop.",
            segment_id="INS",
            position=line.position if line is not None else intake.position,
            element="DTP03",
            hint="Send the last day of coverage, or the start date itself to cancel coverage that never began.",
        )
    return end


def _open_spans(run: ImportRun, policy: Policy, person: Person, end: date) -> list[CoverageSpan]:
    """Return the person's spans on ``policy`` that a termination on ``end`` shortens or cancels."""
    spans = run.ctx.session.scalars(
        select(CoverageSpan).where(
            CoverageSpan.policy_id == policy.id,
            CoverageSpan.person_id == person.id,
            CoverageSpan.voided.is_(False),
        )
    )
    return [span for span in spans if span.end_date is None or span.end_date >= end]


def _nothing_to_end(intake: MemberIntake, position: int) -> MemberRejected:
    return MemberRejected(
        "enrollment.no_coverage",
        f"Member {intake.name or intake.subscriber_id} has no coverage in force that this transaction could end "
        "or reinstate.",
        segment_id="INS",
        position=position,
        element="INS03",
        hint="Check the member and the dates; a termination already applied needs no resending.",
    )


def apply_reinstatement(run: ImportRun, intake: MemberIntake, family: Family) -> Outcome:
    """Reinstate a terminated or cancelled member (INS03 025), with the end date sent, if any."""
    person, policies = _member_and_policies(run, intake, family)
    changed = False
    if intake.coverages:
        for line in intake.coverages:
            changed |= _reinstate_line(run, intake, person, policies, line)
    else:
        spans = [
            (policy, changes.latest_span(run, policy, person, include_voided=True)) for policy in policies
        ]
        ended = [
            (policy, span)
            for policy, span in spans
            if span is not None and (span.voided or span.end_date is not None)
        ]
        if not ended:
            raise _nothing_to_end(intake, intake.position)
        for policy, span in ended:
            changed |= changes.reinstate(run, intake, policy, span, intake.eligibility_end)
    return Outcome(Count.REINSTATEMENTS if changed else Count.UNCHANGED, person.member_id)


def _reinstate_line(
    run: ImportRun, intake: MemberIntake, person: Person, policies: list[Policy], line: CoverageLine
) -> bool:
    policy = policy_for_line(policies, line, include_closed=True)
    span = changes.latest_span(run, policy, person, include_voided=True) if policy is not None else None
    if policy is None or span is None:
        raise _nothing_to_end(intake, line.position)
    return changes.reinstate(run, intake, policy, span, line.end)


# Persons and policies --------------------------------------------------------------------


def save_person(run: ImportRun, intake: MemberIntake, person: Person | None, member_id: str) -> Person:
    """Create the person, or update their demographics with history (source 834)."""
    reference = run.source_reference(intake)
    if person is None:
        data = intake.person.person_input(member_id, intake.member.name.position)
        created = person_service.create_person(
            run.ctx, data, source=ChangeSource.ENROLLMENT_834, source_reference=reference
        )
        run.report.count(Count.PERSONS_CREATED)
        return created
    version = person.version
    changes = intake.person.changes(stored_address(person))
    updated = person_service.update_person(
        run.ctx, person.member_id, changes, source=ChangeSource.ENROLLMENT_834, source_reference=reference
    )
    if updated.version != version:
        run.report.count(Count.PERSONS_UPDATED)
    return updated


def stored_address(person: Person) -> Address | None:
    if not (person.address_line1 and person.city and person.state and person.zip_code):
        return None
    return Address(
        person.address_line1,
        person.city,
        person.state,
        person.zip_code,
        person.address_line2,
        person.county_code,
    )


def _member_and_policies(run: ImportRun, intake: MemberIntake, family: Family) -> tuple[Person, list[Policy]]:
    """Find an existing member for a change, termination or reinstatement, with the subscriber's policies."""
    if intake.is_subscriber:
        subscriber = subscriber_of(run.ctx, intake)
        family.subscriber = subscriber
        return subscriber, subscriber_policies(run.ctx, subscriber)
    subscriber = _family_subscriber(run, intake, family)
    policies = subscriber_policies(run.ctx, subscriber)
    return dependent_or_reject(run.ctx, intake, policies), policies


def policy_for_line(
    policies: list[Policy], line: CoverageLine, *, include_closed: bool = False
) -> Policy | None:
    """Return the policy a coverage line refers to, found by Exchange policy id, else by plan and dates."""
    if line.exchange_policy_id:
        for policy in policies:
            if policy.exchange_policy_id == line.exchange_policy_id:
                return policy
    if line.plan is None:
        return None
    candidates = [
        policy
        for policy in policies
        if policy.plan_id == line.plan.plan_id
        and (include_closed or policy.status != PolicyStatus.CANCELLED.value)
    ]
    if line.start is not None:
        covering = [policy for policy in candidates if _covers(policy, line.start)]
        if covering:
            return covering[-1]
        if not include_closed and line.maintenance_type is MaintenanceType.ADDITION:
            return None
    return candidates[-1] if candidates else None


def _covers(policy: Policy, day: date) -> bool:
    return policy.effective_date <= day and (policy.end_date is None or day <= policy.end_date)


def _span_for_line(
    run: ImportRun, intake: MemberIntake, person: Person, policies: list[Policy], line: CoverageLine
) -> tuple[Policy, CoverageSpan]:
    policy = policy_for_line(policies, line, include_closed=True)
    span = changes.latest_span(run, policy, person) if policy is not None else None
    if policy is None or span is None:
        plan = line.plan.plan_id if line.plan else line.insurance_line
        raise MemberRejected(
            "enrollment.no_coverage",
            f"Member {intake.name or intake.subscriber_id} has no coverage in plan {plan} to change.",
            segment_id="HD",
            position=line.position,
            element="HD03",
            hint="Send an addition (HD01 021) for a plan the member is not enrolled in.",
        )
    return policy, span


def _policies_with_spans(run: ImportRun, person: Person, policies: list[Policy]) -> list[Policy]:
    return [
        policy for policy in open_policies(policies) if changes.latest_span(run, policy, person) is not None
    ]


def _record_amounts(
    run: ImportRun, intake: MemberIntake, family: Family, policy: Policy, person: Person, start: date
) -> bool:
    if not intake.has_amounts:
        return False
    changes.record_amounts(run, intake, policy, person, start)
    family.price(policy, person, intake)
    return True
