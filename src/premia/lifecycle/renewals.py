"""Renewals: each policy in force at the end of its plan year continues in a new policy for the next.

A renewal run on an as-of date renews every policy whose renewal window has opened (see
:mod:`premia.lifecycle.config` for the lead times) into the same plan's next plan year, or
the catalog's crosswalk plan when the plan is discontinued. The old policy and its members'
spans end the day before the renewal date. The renewal is a new active policy on the same
billing account, linked by ``renewed_from_policy_id`` and with the same members. The bill
run rates it on the new plan year's rates and the members' ages on the renewal date. The
renewal notice states the old and the new monthly premium side by side.

A renewal takes effect unless the payer declines it or chooses another plan before the
renewal date. Terminated and cancelled policies are not renewed, and a pending policy
waits for its binder. A policy in a grace period is renewed like any other: the first
renewal invoice carries the past-due balance, and if the grace period ends in termination
the delinquency run cancels the renewal (45 CFR 156.270 and the CMS guidance on grace
periods that cross the plan year). The Exchange sends the new year's APTC on its 834, so an
exchange renewal starts without APTC until that arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from premia.accounts import service as accounts
from premia.accounts.tables import EmployerGroup
from premia.audit import service as audit
from premia.enrollment import service as enrollment
from premia.enrollment.model import Market, PolicyStatus, Relationship
from premia.enrollment.tables import CoverageSpan, Policy
from premia.infra.context import ServiceContext
from premia.kernel.dates import Month
from premia.kernel.errors import ConflictError, DomainError, NotFoundError
from premia.kernel.money import format_cents
from premia.lifecycle.cancellation import void_policy
from premia.lifecycle.config import DEFAULT_CONFIG, LifecycleConfig
from premia.lifecycle.model import OfferStatus, PremiumQuote, RenewalOutcome, RequestSource
from premia.lifecycle.offers import record_offer, waiting_offer
from premia.lifecycle.quotes import month_quote
from premia.lifecycle.repository import (
    LIVE_POLICY_STATUSES,
    account_snapshot,
    anniversary_month,
    coverage_in,
    day_before,
    find_policy,
    require_status,
    spans_in_force,
)
from premia.lifecycle.rules import check_plan_fits, next_renewal_date, plan_year_of, renewal_due
from premia.lifecycle.tables import RenewalOffer
from premia.rating.catalog import Catalog
from premia.rating.model import Plan
from premia.staff.permissions import Permission

log = logging.getLogger("premia.lifecycle")

RENEWAL_SOURCE = "renewal"


@dataclass
class RenewalResult:
    """The outcome of a renewal run for one policy."""

    policy_number: str
    outcome: RenewalOutcome
    renewal_date: date | None = None
    renewal_policy_number: str | None = None
    from_plan_id: str | None = None
    to_plan_id: str | None = None
    crosswalked: bool = False
    previous_premium_cents: int | None = None
    premium_cents: int | None = None
    in_grace: bool = False
    reason: str | None = None
    error: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        data = dict(vars(self))
        data["outcome"] = self.outcome.value
        data["renewal_date"] = self.renewal_date.isoformat() if self.renewal_date else None
        for key in ("previous_premium_cents", "premium_cents"):
            cents = data.pop(key)
            data[key.removesuffix("_cents")] = format_cents(cents, thousands=False) if cents is not None else None
        return data


@dataclass
class RenewalRunReport:
    as_of: date
    results: list[RenewalResult] = field(default_factory=list)

    def count(self, outcome: RenewalOutcome) -> int:
        return sum(1 for result in self.results if result.outcome is outcome)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "renewed": self.count(RenewalOutcome.RENEWED),
            "accepted": self.count(RenewalOutcome.ACCEPTED),
            "skipped": self.count(RenewalOutcome.SKIPPED),
            "failed": self.count(RenewalOutcome.FAILED),
            "policies": [result.to_dict() for result in self.results],
        }


def run_renewals(
    ctx: ServiceContext,
    *,
    catalog: Catalog,
    as_of: date,
    config: LifecycleConfig = DEFAULT_CONFIG,
    policy_ids: Sequence[int] | None = None,
) -> RenewalRunReport:
    """Renew every policy whose renewal is due on ``as_of``, and mark offers whose date has come as accepted.

    Each policy is renewed in its own savepoint. A policy that already has an offer for the
    renewal date (in any status) is left alone, so neither a second run on the same date
    nor a run racing this one renews a policy twice.
    """
    ctx.require(Permission.RENEWALS_RUN)
    report = RenewalRunReport(as_of=as_of)
    log.info("renewal run started", extra={"as_of": as_of.isoformat()})
    report.results.extend(_settle_due_offers(ctx, as_of))

    query = select(Policy).where(Policy.status.in_(LIVE_POLICY_STATUSES)).order_by(Policy.id)
    if policy_ids is not None:
        query = query.where(Policy.id.in_(list(policy_ids)))
    policies = list(ctx.session.scalars(query))
    anniversaries = _anniversaries(ctx, policies)
    offered = _offered_dates(ctx, as_of, config)
    for policy in policies:
        anniversary = anniversaries.get(policy.id)
        renewal_date = renewal_due(
            effective_date=policy.effective_date,
            end_date=policy.end_date,
            as_of=as_of,
            anniversary_month=anniversary,
            is_group=anniversary is not None,
            config=config,
        )
        if renewal_date is None or (policy.id, renewal_date) in offered:
            continue
        report.results.append(_renew_one(ctx, policy, catalog=catalog, renewal_date=renewal_date, as_of=as_of, config=config))

    audit.record(
        ctx,
        action="renewal_run",
        record_type="renewal_run",
        record_id=as_of.isoformat(),
        detail={key: value for key, value in report.to_dict().items() if key != "policies"},
    )
    log.info(
        "renewal run finished",
        extra={"as_of": as_of.isoformat(), "renewed": report.count(RenewalOutcome.RENEWED), "failed": report.count(RenewalOutcome.FAILED)},
    )
    return report


def renew_policy(
    ctx: ServiceContext,
    policy: Policy,
    *,
    catalog: Catalog,
    renewal_date: date,
    as_of: date,
    plan_id: str | None = None,
    config: LifecycleConfig = DEFAULT_CONFIG,
) -> RenewalOffer:
    """Renew ``policy`` on ``renewal_date`` into its next-year plan, or into ``plan_id`` when the payer chose one.

    Raises ``DomainError`` when the catalog has no plan to renew into or the subscriber is
    not covered on the last day of the plan year.
    """
    anniversary = anniversary_month(ctx, policy)
    last_day = day_before(renewal_date)
    current = catalog.plan(policy.plan_id, plan_year_of(last_day, anniversary))
    target = _target_plan(catalog, policy, current, plan_year_of(renewal_date, anniversary), plan_id)

    staying = spans_in_force(ctx, policy, last_day)
    starting_later = [span for span in enrollment.spans_of(ctx, policy.id) if span.start_date >= renewal_date]
    subscriber = next((span for span in staying if span.relationship == Relationship.SUBSCRIBER.value), None)
    if subscriber is None:
        raise ConflictError(
            code="renewal.subscriber_not_covered",
            message=f"The subscriber of policy {policy.policy_number} is not covered on {last_day}, the last day of the plan year.",
            record=f"policy {policy.policy_number}",
            field="coverage_spans",
            value=last_day.isoformat(),
            hint="End the policy, or restore the subscriber's coverage, before renewing it.",
        )

    renewal = _renewal_policy(ctx, policy, target, renewal_date, subscriber, staying, starting_later)
    previous, offered = _quotes(ctx, catalog, policy, renewal, {span.person_id for span in staying}, renewal_date)
    offer = record_offer(ctx, policy, renewal, current, target, previous, offered, as_of=as_of, chosen=plan_id is not None)
    log.info("policy renewed", extra={"policy": policy.policy_number, "renewal": renewal.policy_number, "renewal_date": renewal_date.isoformat()})
    return offer


def decline_renewal(
    ctx: ServiceContext,
    policy_number: str,
    *,
    catalog: Catalog,
    on: date,
    reason: str,
    source: RequestSource = RequestSource.MEMBER,
) -> RenewalOffer:
    """Decline the waiting renewal of a policy (given by its own number or its renewal's) before it takes effect.

    The renewal policy is cancelled, so anything billed for it is credited and refunded.
    The current coverage still ends on the last day of its plan year.
    """
    ctx.require(Permission.POLICIES_CHANGE)
    offer = waiting_offer(ctx, find_policy(ctx, policy_number), on)
    renewal = ctx.session.get(Policy, offer.renewal_policy_id)
    assert renewal is not None
    void_policy(
        ctx,
        renewal,
        catalog=catalog,
        requested_on=on,
        reason=f"renewal declined: {reason.strip() or 'no reason given'}",
        source=source,
        offer_status=OfferStatus.DECLINED,
    )
    return offer


def decline_group_renewals(ctx: ServiceContext, group_number: str, *, catalog: Catalog, on: date, reason: str) -> list[RenewalOffer]:
    """Decline, for the employer, the waiting renewal of every policy of the group."""
    ctx.require(Permission.POLICIES_CHANGE)
    group = accounts.get_group_row(ctx, group_number)
    offers = list(
        ctx.session.scalars(
            select(RenewalOffer)
            .join(Policy, Policy.id == RenewalOffer.policy_id)
            .where(
                Policy.employer_group_id == group.id,
                RenewalOffer.status == OfferStatus.OFFERED.value,
                RenewalOffer.renewal_date > on,
            )
            .order_by(RenewalOffer.id)
        )
    )
    if not offers:
        raise NotFoundError(
            code="renewal.no_waiting_offer",
            message=f"Group {group.group_number} has no renewal waiting to take effect after {on}.",
            record=f"employer_group {group.group_number}",
            field="group_number",
            value=group.group_number,
            hint="Run `premia renewals run` first, or check the group number.",
        )
    for offer in offers:
        policy = ctx.session.get(Policy, offer.policy_id)
        assert policy is not None
        decline_renewal(ctx, policy.policy_number, catalog=catalog, on=on, reason=reason, source=RequestSource.EMPLOYER)
    return offers


def choose_renewal_plan(
    ctx: ServiceContext,
    policy_number: str,
    *,
    catalog: Catalog,
    plan_id: str,
    on: date,
    source: RequestSource = RequestSource.MEMBER,
    config: LifecycleConfig = DEFAULT_CONFIG,
) -> RenewalOffer:
    """Renew into another plan the payer chose before the renewal date; the earlier offer is superseded.

    Without an offer yet, the policy is renewed on its next renewal date into the chosen plan.
    """
    ctx.require(Permission.POLICIES_CHANGE)
    policy = find_policy(ctx, policy_number)
    offer = waiting_offer(ctx, policy, on, required=False)
    if offer is None:
        require_status(policy, (PolicyStatus.ACTIVE, PolicyStatus.GRACE), action="renewed", hint="Only a policy in force is renewed.")
        renewal_date = next_renewal_date(on, anniversary_month(ctx, policy))
        return renew_policy(ctx, policy, catalog=catalog, renewal_date=renewal_date, as_of=on, plan_id=plan_id, config=config)

    current = ctx.session.get(Policy, offer.policy_id)
    renewal = ctx.session.get(Policy, offer.renewal_policy_id)
    assert current is not None and renewal is not None
    if offer.to_plan_id == plan_id:
        raise ConflictError(
            code="renewal.same_plan",
            message=f"Policy {current.policy_number} already renews into plan {plan_id} on {offer.renewal_date}.",
            record=f"policy {current.policy_number}",
            field="plan_id",
            value=plan_id,
            hint="Nothing to change; choose a different plan to replace the offer.",
        )
    _target_plan(catalog, current, None, offer.plan_year, plan_id)
    void_policy(
        ctx,
        renewal,
        catalog=catalog,
        requested_on=on,
        reason=f"replaced by plan {plan_id} chosen for the renewal",
        source=source,
        refund=False,
        offer_status=OfferStatus.SUPERSEDED,
        notify=False,
    )
    return renew_policy(ctx, current, catalog=catalog, renewal_date=offer.renewal_date, as_of=on, plan_id=plan_id, config=config)


def _renew_one(ctx: ServiceContext, policy: Policy, *, catalog: Catalog, renewal_date: date, as_of: date, config: LifecycleConfig) -> RenewalResult:
    """Renew one policy in its own savepoint and report the outcome instead of raising it."""
    result = RenewalResult(policy_number=policy.policy_number, outcome=RenewalOutcome.SKIPPED, renewal_date=renewal_date, from_plan_id=policy.plan_id)
    if policy.status == PolicyStatus.PENDING.value:
        result.reason = "binder not paid yet; the policy is renewed once it takes effect"
        return result
    result.in_grace = policy.status == PolicyStatus.GRACE.value

    savepoint = ctx.session.begin_nested()
    try:
        offer = renew_policy(ctx, policy, catalog=catalog, renewal_date=renewal_date, as_of=as_of, config=config)
        savepoint.commit()
    except DomainError as exc:
        savepoint.rollback()
        ctx.session.expire_all()
        log.warning("policy not renewed", extra={"policy": policy.policy_number, "code": exc.code})
        result.outcome = RenewalOutcome.FAILED
        result.error = exc.as_dict()
        return result
    except IntegrityError:
        # Another run renewed this policy for the same date first, and its offer is kept.
        savepoint.rollback()
        ctx.session.expire_all()
        result.reason = "renewed by another run at the same time"
        return result

    renewal = ctx.session.get(Policy, offer.renewal_policy_id)
    result.outcome = RenewalOutcome.RENEWED
    result.renewal_policy_number = renewal.policy_number if renewal else None
    result.to_plan_id = offer.to_plan_id
    result.crosswalked = offer.crosswalked
    result.previous_premium_cents = offer.previous_premium_cents
    result.premium_cents = offer.premium_cents
    return result


def _settle_due_offers(ctx: ServiceContext, as_of: date) -> list[RenewalResult]:
    """Mark offers whose renewal date has come as accepted, or as declined when the renewal was cancelled meanwhile."""
    rows = ctx.session.execute(
        select(RenewalOffer, Policy)
        .join(Policy, Policy.id == RenewalOffer.renewal_policy_id)
        .where(RenewalOffer.status == OfferStatus.OFFERED.value, RenewalOffer.renewal_date <= as_of)
        .order_by(RenewalOffer.id)
    ).all()
    results = []
    for offer, renewal in rows:
        cancelled = renewal.status == PolicyStatus.CANCELLED.value
        offer.status = (OfferStatus.DECLINED if cancelled else OfferStatus.ACCEPTED).value
        offer.decided_on = offer.renewal_date
        offer.decided_by = ctx.actor.username
        offer.decision_note = f"renewal cancelled: {renewal.status_reason}"[:256] if cancelled else "took effect on the renewal date"
        offer.updated_at = ctx.now()
        results.append(
            RenewalResult(
                policy_number=renewal.policy_number,
                outcome=RenewalOutcome.SKIPPED if cancelled else RenewalOutcome.ACCEPTED,
                renewal_date=offer.renewal_date,
                renewal_policy_number=renewal.policy_number,
                from_plan_id=offer.from_plan_id,
                to_plan_id=offer.to_plan_id,
                reason=offer.decision_note,
            )
        )
    ctx.session.flush()
    return results


def _anniversaries(ctx: ServiceContext, policies: Sequence[Policy]) -> dict[int, int]:
    """Policy id -> the employer group's anniversary month, for group policies."""
    group_ids = {policy.employer_group_id for policy in policies if policy.employer_group_id and policy.market != Market.INDIVIDUAL.value}
    if not group_ids:
        return {}
    months = dict(ctx.session.execute(select(EmployerGroup.id, EmployerGroup.anniversary_month).where(EmployerGroup.id.in_(group_ids))).all())
    return {
        policy.id: months[policy.employer_group_id]
        for policy in policies
        if policy.employer_group_id in months and policy.market != Market.INDIVIDUAL.value
    }


def _offered_dates(ctx: ServiceContext, as_of: date, config: LifecycleConfig) -> set[tuple[int, date]]:
    """(policy id, renewal date) of every offer a run on ``as_of`` could be asked to make again."""
    since = as_of - timedelta(days=config.late_renewal_days)
    rows = ctx.session.execute(select(RenewalOffer.policy_id, RenewalOffer.renewal_date).where(RenewalOffer.renewal_date >= since))
    return {(policy_id, renewal_date) for policy_id, renewal_date in rows}


def _target_plan(catalog: Catalog, policy: Policy, current: Plan | None, plan_year: int, plan_id: str | None) -> Plan:
    record = f"policy {policy.policy_number}"
    if plan_id is not None:
        target = catalog.plan(plan_id.strip(), plan_year)
        check_plan_fits(market=policy.market, state=policy.state, on_exchange=policy.on_exchange, plan=target, record=record)
        return target
    assert current is not None
    target = catalog.crosswalk_target(current)
    if target is None:
        raise ConflictError(
            code="renewal.no_next_year_plan",
            message=f"{current.record} has no plan year {plan_year} and no crosswalk plan in the catalog.",
            record=record,
            field="plan_id",
            value=current.plan_id,
            hint="Add the next plan year or a crosswalk_to plan to the catalog, or choose a plan with `premia renewals choose-plan`.",
        )
    return target


def _renewal_policy(
    ctx: ServiceContext,
    policy: Policy,
    target: Plan,
    renewal_date: date,
    subscriber: CoverageSpan,
    staying: list[CoverageSpan],
    starting_later: list[CoverageSpan],
) -> Policy:
    """End ``policy`` on the last day of its plan year and create its renewal with the same members."""
    last_day = day_before(renewal_date)
    original_end = policy.end_date
    carried_end = {span.id: span.end_date for span in staying}
    for span in staying:
        if span.end_date is None or span.end_date > last_day:
            enrollment.end_member_coverage(ctx, span, last_day, source=RENEWAL_SOURCE)
    for span in starting_later:
        # NOTE: a member whose coverage starts after the renewal date moves to this renewal. A
        # renewal later replaced by another plan the payer chooses does not carry them again.
        enrollment.void_member_coverage(ctx, span, source=RENEWAL_SOURCE)
    if policy.end_date is None or policy.end_date > last_day:
        policy.end_date = last_day
        policy.updated_at = ctx.now()

    renewal = enrollment.create_policy(
        ctx,
        successor_policy_input(
            policy,
            plan_id=target.plan_id,
            effective_date=renewal_date,
            end_date=_carried(original_end, last_day),
            status=PolicyStatus.ACTIVE,
            subscriber_tobacco=subscriber.tobacco,
            source=RENEWAL_SOURCE,
        ),
    )
    renewal.renewed_from_policy_id = policy.id
    for span in enrollment.spans_of(ctx, renewal.id):
        span.aptc_eligible = subscriber.aptc_eligible
    for span in staying:
        if span.id == subscriber.id:
            continue
        enrollment.add_member(
            ctx,
            renewal,
            person_id=span.person_id,
            relationship=Relationship(span.relationship),
            start_date=renewal_date,
            end_date=_carried(carried_end[span.id], last_day),
            tobacco=span.tobacco,
            aptc_eligible=span.aptc_eligible,
            source=RENEWAL_SOURCE,
        )
    for span in starting_later:
        enrollment.add_member(
            ctx,
            renewal,
            person_id=span.person_id,
            relationship=Relationship(span.relationship),
            start_date=span.start_date,
            end_date=span.end_date,
            tobacco=span.tobacco,
            aptc_eligible=span.aptc_eligible,
            source=RENEWAL_SOURCE,
        )
    ctx.session.flush()
    return renewal


def successor_policy_input(
    policy: Policy,
    *,
    plan_id: str,
    effective_date: date,
    end_date: date | None,
    status: PolicyStatus,
    subscriber_tobacco: bool,
    source: str,
) -> enrollment.PolicyInput:
    """Describe a policy that continues ``policy`` on another plan or plan year.

    The successor keeps the billing account, subscriber, rating area, market, state, exchange
    flag and employer group, so its bills go where the old policy's went.
    """
    return enrollment.PolicyInput(
        billing_account_id=policy.billing_account_id,
        subscriber_person_id=policy.subscriber_person_id,
        plan_id=plan_id,
        rating_area=policy.rating_area,
        market=Market(policy.market),
        state=policy.state,
        effective_date=effective_date,
        end_date=end_date,
        on_exchange=policy.on_exchange,
        employer_group_id=policy.employer_group_id,
        status=status,
        subscriber_tobacco=subscriber_tobacco,
        source=source,
    )


def _carried(end: date | None, last_day: date) -> date | None:
    """Return an end date that falls after the old plan year, which carries over to the renewal, or None."""
    return end if end is not None and end > last_day else None


def _quotes(
    ctx: ServiceContext, catalog: Catalog, policy: Policy, renewal: Policy, person_ids: set[int], renewal_date: date
) -> tuple[PremiumQuote, PremiumQuote]:
    """Quote the last month of the old plan year and the first of the new, for the same members."""
    snapshot = account_snapshot(ctx, policy.billing_account_id)
    previous = month_quote(catalog, coverage_in(snapshot, policy.id), Month.of(day_before(renewal_date)), person_ids=person_ids)
    offered = month_quote(catalog, coverage_in(snapshot, renewal.id), Month.of(renewal_date), person_ids=person_ids)
    return previous, offered
