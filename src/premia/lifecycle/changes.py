"""Plan changes and member changes, effective-dated, mid-year or at renewal.

A plan change ends the policy the day before the change and continues the same members
on a new policy in the new plan, on the same billing account. A change from the policy's
first day cancels it instead. The bill run then credits what earlier invoices billed
under the old plan past the change and bills the new plan, prorated by days, so every
coverage month adds up to the premium of the plan in force. When the new plan costs less
in months already invoiced, the change records that credit (``refund_quote_cents``), so
that auto-draft does not draft it before an invoice carries it. No refund follows, because
the credit pays the new policy's premium. A change on the date a waiting renewal takes
effect is a choice of plan for that renewal.

Adding or removing a dependent changes that member's coverage span from a date, and the
same member's coverage on a renewal already made. Exchange enrollees change plans and
dependents through the Marketplace, so their changes are taken only from the exchange.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from premia.accounts.tables import Person
from premia.enrollment import service as enrollment
from premia.enrollment.model import ExchangeAmountKind, PolicyStatus, Relationship
from premia.enrollment.tables import CoverageSpan, ExchangeAmount, Policy
from premia.infra.context import ServiceContext
from premia.kernel.dates import Month
from premia.kernel.errors import NotFoundError, PermissionDeniedError, ValidationError
from premia.lifecycle.cancellation import void_policy
from premia.lifecycle.config import DEFAULT_CONFIG, LifecycleConfig
from premia.lifecycle.model import ChangeKind, EndDate, OfferStatus, RequestSource
from premia.lifecycle.quotes import invoiced_months_from, premium_in
from premia.lifecycle.renewals import choose_renewal_plan, renew_policy, successor_policy_input
from premia.lifecycle.repository import (
    account_snapshot,
    anniversary_month,
    day_before,
    end_coverage,
    find_policy,
    live_offers,
    record_change,
    renewals_of,
    require_status,
    retro_limit_for,
)
from premia.lifecycle.rules import allowed_end_date, check_plan_fits, check_start_date, plan_year_of
from premia.lifecycle.tables import PolicyChange, RenewalOffer
from premia.rating.catalog import Catalog
from premia.staff.permissions import Permission

log = logging.getLogger("premia.lifecycle")


@dataclass(frozen=True)
class PlanChangeResult:
    policy_number: str
    new_policy_number: str
    plan_id: str
    effective_date: date
    change_id: int | None
    renewal_policy_number: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_number": self.policy_number,
            "new_policy_number": self.new_policy_number,
            "plan_id": self.plan_id,
            "effective_date": self.effective_date.isoformat(),
            "change_id": self.change_id,
            "renewal_policy_number": self.renewal_policy_number,
        }


@dataclass(frozen=True)
class MemberChangeResult:
    policy_number: str
    member_id: str
    kind: ChangeKind
    dates: EndDate
    change_id: int
    renewal_policies: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        key = "start_date" if self.kind is ChangeKind.MEMBER_ADDED else "last_covered_day"
        return {
            "policy_number": self.policy_number,
            "member_id": self.member_id,
            "change": self.kind.value,
            key: self.dates.allowed.isoformat(),
            f"requested_{key}": self.dates.requested.isoformat(),
            "moved_by": self.dates.moved_by,
            "change_id": self.change_id,
            "renewal_policies": list(self.renewal_policies),
        }


def change_plan(
    ctx: ServiceContext,
    policy_number: str,
    *,
    catalog: Catalog,
    plan_id: str,
    effective: date,
    requested_on: date,
    source: RequestSource = RequestSource.MEMBER,
    reason: str = "",
    config: LifecycleConfig = DEFAULT_CONFIG,
) -> PlanChangeResult:
    """Move the policy's members to ``plan_id`` from ``effective``; see the module docstring."""
    ctx.require(Permission.POLICIES_CHANGE)
    policy = find_policy(ctx, policy_number)
    record = f"policy {policy.policy_number}"
    require_status(
        policy,
        (PolicyStatus.ACTIVE, PolicyStatus.PENDING),
        action="moved to another plan",
        hint="A policy in grace can change plan once the past-due premium is paid; an ended policy cannot change.",
    )
    _check_exchange_source(policy, source, "plan changes")
    offers = live_offers(ctx, policy_id=policy.id)
    if any(offer.renewal_date == effective and offer.status == OfferStatus.OFFERED.value for offer in offers):
        offer = choose_renewal_plan(ctx, policy.policy_number, catalog=catalog, plan_id=plan_id, on=requested_on, source=source, config=config)
        renewal = ctx.session.get(Policy, offer.renewal_policy_id)
        assert renewal is not None
        return PlanChangeResult(policy.policy_number, renewal.policy_number, offer.to_plan_id, effective, None, renewal.policy_number)

    _check_within(policy, effective, record)
    if policy.status == PolicyStatus.PENDING.value and effective != policy.effective_date:
        raise ValidationError(
            code="lifecycle.change_before_start",
            message=f"Coverage on {record} has not started (its binder is unpaid), so a plan change can only start on {policy.effective_date}.",
            record=record,
            field="effective",
            value=effective.isoformat(),
            hint=f"Give --effective {policy.effective_date}.",
        )
    target = catalog.plan(plan_id.strip(), plan_year_of(effective, anniversary_month(ctx, policy)))
    check_plan_fits(market=policy.market, state=policy.state, on_exchange=policy.on_exchange, plan=target, record=record)
    if target.plan_id == policy.plan_id:
        raise ValidationError(
            code="lifecycle.same_plan",
            message=f"{record} is already on plan {target.plan_id}.",
            record=record,
            field="plan_id",
            value=target.plan_id,
            hint="Give a different plan id.",
        )
    check_start_date(start=effective, requested_on=requested_on, source=source, limit=retro_limit_for(ctx, policy, config), record=record)

    renewal_offer = offers[-1] if offers else None
    invoiced, owed_before = _invoiced_premium(ctx, catalog, policy.billing_account_id, effective)
    carried = _spans_from(ctx, policy, effective)
    original_end, original_status = policy.end_date, PolicyStatus(policy.status)
    why = f"changed to plan {target.plan_id} from {effective}"
    _close_old_policy(ctx, policy, effective, catalog=catalog, requested_on=requested_on, source=source, why=why)

    replacement = enrollment.create_policy(
        ctx,
        successor_policy_input(
            policy,
            plan_id=target.plan_id,
            effective_date=effective,
            end_date=original_end,
            status=original_status,
            subscriber_tobacco=next((span.tobacco for span in carried if span.relationship == Relationship.SUBSCRIBER.value), False),
            source=source.value,
        ),
    )
    # The replacement continues the same plan year, so a renewal it came from still governs it:
    # a termination of that earlier policy for non-payment cancels the replacement too.
    replacement.renewed_from_policy_id = policy.renewed_from_policy_id
    _carry_members(ctx, replacement, carried)
    _carry_aptc(ctx, policy, replacement, effective)
    change = record_change(
        ctx,
        policy=policy,
        kind=ChangeKind.PLAN_CHANGE,
        source=source,
        requested_on=requested_on,
        reason=reason.strip() or why,
        effective_date=effective,
        related_policy=replacement,
        detail={"from_plan": policy.plan_id, "to_plan": target.plan_id},
    )
    renewal_number = _renew_again(ctx, replacement, renewal_offer, catalog=catalog, as_of=requested_on, config=config)
    _expect_credit(ctx, catalog, change, invoiced, owed_before)
    log.info("plan changed", extra={"policy": policy.policy_number, "new_policy": replacement.policy_number, "effective": effective.isoformat()})
    return PlanChangeResult(policy.policy_number, replacement.policy_number, target.plan_id, effective, change.id, renewal_number)


def add_member(
    ctx: ServiceContext,
    policy_number: str,
    *,
    person_id: int,
    relationship: Relationship,
    effective: date,
    requested_on: date,
    source: RequestSource = RequestSource.MEMBER,
    tobacco: bool = False,
    aptc_eligible: bool = True,
    config: LifecycleConfig = DEFAULT_CONFIG,
) -> MemberChangeResult:
    """Cover a dependent on the policy from ``effective``, and on its renewal already made."""
    ctx.require(Permission.POLICIES_CHANGE)
    policy = find_policy(ctx, policy_number)
    record = f"policy {policy.policy_number}"
    require_status(
        policy,
        (PolicyStatus.PENDING, PolicyStatus.ACTIVE, PolicyStatus.GRACE),
        action="given a new member",
        hint="Add the member to the policy that is in force, or enroll them on a new policy.",
    )
    _check_exchange_source(policy, source, "member additions")
    if Relationship(relationship) is Relationship.SUBSCRIBER:
        raise ValidationError(
            code="lifecycle.second_subscriber",
            message=f"{record} already has a subscriber.",
            record=record,
            field="relationship",
            value=Relationship.SUBSCRIBER.value,
            hint="Add the person as a spouse, child, domestic partner or other dependent.",
        )
    _check_within(policy, effective, record)
    person = _person(ctx, person_id)
    check_start_date(
        start=effective, requested_on=requested_on, source=source, limit=retro_limit_for(ctx, policy, config), record=record, birth_date=person.birth_date
    )

    def cover(on_policy: Policy, start_date: date) -> None:
        enrollment.add_member(
            ctx,
            on_policy,
            person_id=person.id,
            relationship=relationship,
            start_date=start_date,
            tobacco=tobacco,
            aptc_eligible=aptc_eligible,
            source=source.value,
        )

    cover(policy, effective)
    renewed: list[str] = []
    for renewal in renewals_of(ctx, policy):
        if renewal.effective_date > effective and not enrollment.spans_of(ctx, renewal.id, person_id=person.id):
            cover(renewal, renewal.effective_date)
            renewed.append(renewal.policy_number)

    change = record_change(
        ctx,
        policy=policy,
        kind=ChangeKind.MEMBER_ADDED,
        source=source,
        requested_on=requested_on,
        reason=f"{Relationship(relationship).value} added",
        effective_date=effective,
        requested_date=effective,
        person_id=person.id,
        detail={"member_id": person.member_id, "renewal_policies": renewed},
    )
    return MemberChangeResult(policy.policy_number, person.member_id, ChangeKind.MEMBER_ADDED, EndDate(effective, effective), change.id, tuple(renewed))


def remove_member(
    ctx: ServiceContext,
    policy_number: str,
    *,
    person_id: int,
    last_day: date,
    requested_on: date,
    source: RequestSource = RequestSource.MEMBER,
    config: LifecycleConfig = DEFAULT_CONFIG,
) -> MemberChangeResult:
    """End a dependent's coverage on ``last_day`` (moved up to the retroactivity limit) and on any renewal."""
    ctx.require(Permission.POLICIES_CHANGE)
    policy = find_policy(ctx, policy_number)
    record = f"policy {policy.policy_number}"
    require_status(
        policy,
        (PolicyStatus.PENDING, PolicyStatus.ACTIVE, PolicyStatus.GRACE),
        action="changed",
        hint="A member's coverage on an ended policy has already ended.",
    )
    _check_exchange_source(policy, source, "member removals")

    person = _person(ctx, person_id)
    spans = [span for span in enrollment.spans_of(ctx, policy.id, person_id=person.id) if span.end_date is None or span.end_date > last_day]
    if not spans:
        raise NotFoundError(
            code="lifecycle.member_not_covered",
            message=f"Member {person.member_id} has no coverage on {record} after {last_day}.",
            record=record,
            field="member_id",
            value=person.member_id,
            hint="Check the member id and the date; the member's coverage may already end earlier.",
        )
    if any(span.relationship == Relationship.SUBSCRIBER.value for span in spans):
        raise ValidationError(
            code="lifecycle.subscriber_removed",
            message=f"Member {person.member_id} is the subscriber of {record}.",
            record=record,
            field="member_id",
            value=person.member_id,
            hint="End the whole policy with `premia policies terminate` instead.",
        )

    dates = allowed_end_date(
        requested=last_day,
        requested_on=requested_on,
        source=source,
        on_exchange=policy.on_exchange,
        limit=retro_limit_for(ctx, policy, config),
        config=config,
    )
    repeated = _same_removal(ctx, policy, person.id, dates.allowed, spans)
    if repeated is not None:
        renewals = tuple((repeated.detail or {}).get("renewal_policies", []))
        return MemberChangeResult(policy.policy_number, person.member_id, ChangeKind.MEMBER_REMOVED, dates, repeated.id, renewals)
    for span in enrollment.spans_of(ctx, policy.id, person_id=person.id):
        _end_span(ctx, span, dates.allowed, source)

    renewed: list[str] = []
    for renewal in renewals_of(ctx, policy):
        renewal_spans = enrollment.spans_of(ctx, renewal.id, person_id=person.id)
        for span in renewal_spans:
            _end_span(ctx, span, dates.allowed, source)
        if renewal_spans:
            renewed.append(renewal.policy_number)

    change = record_change(
        ctx,
        policy=policy,
        kind=ChangeKind.MEMBER_REMOVED,
        source=source,
        requested_on=requested_on,
        reason=f"{spans[0].relationship} removed",
        effective_date=dates.allowed,
        requested_date=dates.requested,
        date_rule=dates.moved_by,
        person_id=person.id,
        detail={"member_id": person.member_id, "renewal_policies": renewed},
    )
    return MemberChangeResult(policy.policy_number, person.member_id, ChangeKind.MEMBER_REMOVED, dates, change.id, tuple(renewed))


def _same_removal(
    ctx: ServiceContext, policy: Policy, person_id: int, last_day: date, spans: list[CoverageSpan]
) -> PolicyChange | None:
    """Return the earlier removal a repeated request matches, when the coverage already ends on its date.

    A request dated before the retroactivity limit is moved up to the limit, so sending it
    again finds the coverage ending on the limit, after the date requested. It changes
    nothing then, and the change already recorded is returned.
    """
    if any(span.end_date != last_day for span in spans):
        return None
    return ctx.session.scalars(
        select(PolicyChange)
        .where(
            PolicyChange.policy_id == policy.id,
            PolicyChange.person_id == person_id,
            PolicyChange.kind == ChangeKind.MEMBER_REMOVED.value,
            PolicyChange.effective_date == last_day,
        )
        .order_by(PolicyChange.id.desc())
    ).first()


def _invoiced_premium(ctx: ServiceContext, catalog: Catalog, account_id: int, effective: date) -> tuple[set[Month], int]:
    """Return the months invoices already billed from ``effective`` on, and what the account's coverage owes in them."""
    snapshot = account_snapshot(ctx, account_id)
    months = invoiced_months_from(snapshot.billed, effective)
    return months, (premium_in(catalog, snapshot.coverages, months) if months else 0)


def _expect_credit(ctx: ServiceContext, catalog: Catalog, change: PolicyChange, invoiced: set[Month], owed_before: int) -> None:
    """Record the credit the next bill run posts for months already invoiced, when the new plan owes less in them.

    The whole account is compared before and after the change, so the old policy, the
    renewals cancelled with it and the new policy are all counted. Coverage this change
    leaves alone owes the same before and after, so another change's credit is not counted again.
    The refund state stays ``none`` because the credit pays the new policy's premium.
    """
    # NOTE: each change is quoted on its own and never below zero. A change back to the
    # dearer plan before the next invoice leaves the first change's credit held until then.
    if not invoiced:
        return
    snapshot = account_snapshot(ctx, change.billing_account_id)
    change.refund_quote_cents = max(0, owed_before - premium_in(catalog, snapshot.coverages, invoiced))
    ctx.session.flush()


def _close_old_policy(
    ctx: ServiceContext, policy: Policy, effective: date, *, catalog: Catalog, requested_on: date, source: RequestSource, why: str
) -> None:
    """End the old policy the day before the change, or cancel it when the change starts on its first day.

    Its renewals are cancelled; the replacement is renewed again from its own plan. No
    refund is expected: the credit pays the replacement's premium on the same account.
    """
    if effective == policy.effective_date:
        void_policy(ctx, policy, catalog=catalog, requested_on=requested_on, reason=why, source=source, refund=False, offer_status=OfferStatus.SUPERSEDED, notify=False)
        return
    for renewal in renewals_of(ctx, policy):
        void_policy(ctx, renewal, catalog=catalog, requested_on=requested_on, reason=why, source=source, refund=False, offer_status=OfferStatus.SUPERSEDED, notify=False)
    end_coverage(ctx, policy, day_before(effective), source=source.value)
    policy.status = PolicyStatus.TERMINATED.value
    policy.status_reason = why[:128]
    ctx.session.flush()


@dataclass(frozen=True)
class _CarriedSpan:
    """A member's coverage as it continues on the replacement policy."""

    person_id: int
    relationship: str
    tobacco: bool
    aptc_eligible: bool
    start_date: date
    end_date: date | None


def _spans_from(ctx: ServiceContext, policy: Policy, effective: date) -> list[_CarriedSpan]:
    """Spans still in force on or after ``effective``, read before the old policy is ended."""
    return [
        _CarriedSpan(
            person_id=span.person_id,
            relationship=span.relationship,
            tobacco=span.tobacco,
            aptc_eligible=span.aptc_eligible,
            start_date=max(span.start_date, effective),
            end_date=span.end_date,
        )
        for span in enrollment.spans_of(ctx, policy.id)
        if span.end_date is None or span.end_date >= effective
    ]


def _carry_members(ctx: ServiceContext, replacement: Policy, carried: list[_CarriedSpan]) -> None:
    for span in carried:
        if span.relationship == Relationship.SUBSCRIBER.value:
            for own in enrollment.spans_of(ctx, replacement.id, person_id=span.person_id):
                own.aptc_eligible = span.aptc_eligible
            continue
        enrollment.add_member(
            ctx,
            replacement,
            person_id=span.person_id,
            relationship=Relationship(span.relationship),
            start_date=span.start_date,
            end_date=span.end_date,
            tobacco=span.tobacco,
            aptc_eligible=span.aptc_eligible,
            source=replacement.source,
        )


def _carry_aptc(ctx: ServiceContext, policy: Policy, replacement: Policy, effective: date) -> None:
    """Copy the household's APTC to the new plan, where it applies until the exchange sends another amount."""
    amounts = ctx.session.scalars(
        select(ExchangeAmount)
        .where(ExchangeAmount.policy_id == policy.id, ExchangeAmount.kind == ExchangeAmountKind.APTC.value)
        .order_by(ExchangeAmount.start_date, ExchangeAmount.id)
    ).all()
    for amount in amounts:
        if amount.end_date is not None and amount.end_date < effective:
            continue
        enrollment.set_exchange_amount(
            ctx,
            replacement,
            kind=ExchangeAmountKind.APTC,
            amount_cents=amount.amount_cents,
            start_date=max(amount.start_date, effective),
            end_date=amount.end_date,
            person_id=amount.person_id,
            source_reference=amount.source_reference,
        )


def _renew_again(
    ctx: ServiceContext, replacement: Policy, offer: RenewalOffer | None, *, catalog: Catalog, as_of: date, config: LifecycleConfig
) -> str | None:
    """Renew the replacement for the renewal the old policy had waiting, keeping a plan the payer chose."""
    if offer is None or replacement.end_date is None or replacement.end_date != day_before(offer.renewal_date):
        return None
    plan_id = offer.to_plan_id if offer.chosen_by_payer else None
    new_offer = renew_policy(ctx, replacement, catalog=catalog, renewal_date=offer.renewal_date, as_of=as_of, plan_id=plan_id, config=config)
    renewal = ctx.session.get(Policy, new_offer.renewal_policy_id)
    return renewal.policy_number if renewal is not None else None


def _end_span(ctx: ServiceContext, span: CoverageSpan, last_day: date, source: RequestSource) -> None:
    if span.start_date > last_day:
        enrollment.void_member_coverage(ctx, span, source=source.value)
    elif span.end_date is None or span.end_date > last_day:
        enrollment.end_member_coverage(ctx, span, last_day, source=source.value)


def _check_within(policy: Policy, day: date, record: str) -> None:
    if day >= policy.effective_date and (policy.end_date is None or day <= policy.end_date):
        return
    period = f"{policy.effective_date} to {policy.end_date or 'open'}"
    raise ValidationError(
        code="lifecycle.outside_policy",
        message=f"{day} is outside the coverage of {record} ({period}).",
        record=record,
        field="effective",
        value=day.isoformat(),
        hint="A date in the next plan year belongs to the renewal policy; give that policy's number.",
    )


def _check_exchange_source(policy: Policy, source: RequestSource, what: str) -> None:
    """Exchange enrollees change plans and dependents through the Marketplace; the issuer acts on its 834."""
    if not policy.on_exchange or source in (RequestSource.EXCHANGE, RequestSource.CARRIER):
        return
    raise PermissionDeniedError(
        code="lifecycle.exchange_change",
        message=f"Policy {policy.policy_number} is an exchange enrollment: {what} come from the Marketplace, not from a {source.value} request.",
        record=f"policy {policy.policy_number}",
        field="source",
        value=source.value,
        hint="Ask the enrollee to report the change to the Marketplace within 30 days, then apply the exchange's 834 (source exchange).",
    )


def _person(ctx: ServiceContext, person_id: int) -> Person:
    person = ctx.session.get(Person, person_id)
    if person is None:
        raise NotFoundError(code="person.not_found", message=f"Person id {person_id} does not exist.", field="person_id", value=person_id)
    return person
