"""Reads and writes the lifecycle use cases share: policies, coverage as billed, offers, change rows.

Coverage is ended and voided through the enrollment service, which writes a coverage event
for each span. Putting coverage back (a reinstatement) has no enrollment call yet, so
:func:`restore_coverage` sets the span fields itself and writes the coverage events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, select, union_all

from premia.accounts.tables import EmployerGroup
from premia.audit import service as audit
from premia.billing.coverage import PolicyCoverage
from premia.billing.model import BillingSettings
from premia.billing.snapshot import AccountSnapshot, load_snapshots
from premia.billing.tables import Invoice
from premia.enrollment import service as enrollment
from premia.enrollment.model import Market, PolicyStatus
from premia.enrollment.tables import CoverageEvent, CoverageSpan, Policy
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError
from premia.lifecycle.config import LifecycleConfig, RetroLimit
from premia.lifecycle.model import LIVE_OFFER_STATUSES, ChangeKind, RefundState, RequestSource
from premia.lifecycle.tables import PolicyChange, RenewalOffer

LIVE_POLICY_STATUSES = (PolicyStatus.PENDING.value, PolicyStatus.ACTIVE.value, PolicyStatus.GRACE.value)


def find_policy(ctx: ServiceContext, policy_number: str) -> Policy:
    return enrollment.get_policy(ctx, policy_number.strip())


def employer_group_of(ctx: ServiceContext, policy: Policy) -> EmployerGroup | None:
    if policy.employer_group_id is None or policy.market == Market.INDIVIDUAL.value:
        return None
    return ctx.session.get(EmployerGroup, policy.employer_group_id)


def anniversary_month(ctx: ServiceContext, policy: Policy) -> int | None:
    """Return the group's plan-year anniversary month, or None for an individual policy (plan years start in January)."""
    group = employer_group_of(ctx, policy)
    return group.anniversary_month if group is not None else None


def retro_limit_for(ctx: ServiceContext, policy: Policy, config: LifecycleConfig) -> RetroLimit:
    """Return the retroactivity limit for the policy's market, group and plan."""
    group = employer_group_of(ctx, policy)
    return config.retro_limit(market=Market(policy.market), group_number=group.group_number if group else None, plan_id=policy.plan_id)


def require_status(policy: Policy, allowed: tuple[PolicyStatus, ...], *, action: str, hint: str) -> None:
    if PolicyStatus(policy.status) in allowed:
        return
    raise ConflictError(
        code="lifecycle.status_not_allowed",
        message=f"Policy {policy.policy_number} is {policy.status}, so it cannot be {action}.",
        record=f"policy {policy.policy_number}",
        field="status",
        value=policy.status,
        hint=hint,
    )


def account_snapshot(ctx: ServiceContext, billing_account_id: int) -> AccountSnapshot:
    """Load the account as the bill run reads it: coverage of every policy and what was billed."""
    ctx.session.flush()
    return load_snapshots(ctx.session, [billing_account_id], settings=BillingSettings())[0]


def coverage_in(snapshot: AccountSnapshot, policy_id: int) -> PolicyCoverage:
    for coverage in snapshot.coverages:
        if coverage.policy_id == policy_id:
            return coverage
    raise NotFoundError(
        code="lifecycle.policy_not_on_account",
        message=f"Policy id {policy_id} is not on billing account {snapshot.terms.account_number}.",
        field="policy_id",
        value=policy_id,
    )


def unposted_change_credits(ctx: ServiceContext, account_ids: Sequence[int]) -> dict[int, int]:
    """Return, per billing account, the credit of lifecycle changes that no invoice carries yet, in cents.

    Terminations and cancellations wait for such a credit to refund it. A plan change to a
    plan that costs less in months already invoiced leaves one too, kept on the account. The
    bill run posts it on the first invoice it issues after the change. Until then the
    invoices already open still ask for premium the coverage no longer owes, so auto-draft
    leaves this amount out. Accounts without such a credit are absent.
    """
    if not account_ids:
        return {}
    ids = list(account_ids)
    invoiced_since = exists().where(
        Invoice.billing_account_id == PolicyChange.billing_account_id,
        Invoice.created_at >= PolicyChange.recorded_at,
    )
    awaiting_refund = select(PolicyChange.billing_account_id, PolicyChange.refund_quote_cents).where(
        PolicyChange.billing_account_id.in_(ids),
        PolicyChange.refund_state == RefundState.AWAITING_CREDIT.value,
        ~invoiced_since,
    )
    # Found through the old policy, so that the (policy_id, kind) index serves the search.
    # An equality on refund_state here led PostgreSQL to scan every change in that state.
    # The inequality keeps a credit out of both parts, should a plan change ever wait for a refund.
    plan_changes = (
        select(PolicyChange.billing_account_id, PolicyChange.refund_quote_cents)
        .join(Policy, Policy.id == PolicyChange.policy_id)
        .where(
            Policy.billing_account_id.in_(ids),
            PolicyChange.billing_account_id == Policy.billing_account_id,
            PolicyChange.kind == ChangeKind.PLAN_CHANGE.value,
            PolicyChange.refund_state != RefundState.AWAITING_CREDIT.value,
            PolicyChange.refund_quote_cents > 0,
            PolicyChange.reversed_by_change_id.is_(None),
            ~invoiced_since,
        )
    )
    credits = union_all(awaiting_refund, plan_changes).subquery()
    rows = ctx.session.execute(select(credits.c.billing_account_id, func.sum(credits.c.refund_quote_cents)).group_by(credits.c.billing_account_id))
    return {int(account_id): int(cents) for account_id, cents in rows if cents}


def last_unreversed_change(ctx: ServiceContext, policy: Policy, kinds: Sequence[ChangeKind]) -> PolicyChange | None:
    """Return the policy's latest change of one of ``kinds`` that no later change reversed, or None."""
    return ctx.session.scalars(
        select(PolicyChange)
        .where(
            PolicyChange.policy_id == policy.id,
            PolicyChange.kind.in_([kind.value for kind in kinds]),
            PolicyChange.reversed_by_change_id.is_(None),
        )
        .order_by(PolicyChange.id.desc())
    ).first()


def spans_in_force(ctx: ServiceContext, policy: Policy, on: date) -> list[CoverageSpan]:
    return [span for span in enrollment.spans_of(ctx, policy.id) if span.start_date <= on and (span.end_date is None or span.end_date >= on)]


def renewals_of(ctx: ServiceContext, policy: Policy) -> list[Policy]:
    """Renewal policies made from ``policy`` that are not cancelled, earliest first."""
    return list(
        ctx.session.scalars(
            select(Policy)
            .where(Policy.renewed_from_policy_id == policy.id, Policy.status != PolicyStatus.CANCELLED.value)
            .order_by(Policy.effective_date, Policy.id)
        )
    )


def live_offers(ctx: ServiceContext, *, policy_id: int | None = None, renewal_policy_id: int | None = None) -> list[RenewalOffer]:
    query = select(RenewalOffer).where(RenewalOffer.status.in_(LIVE_OFFER_STATUSES))
    if policy_id is not None:
        query = query.where(RenewalOffer.policy_id == policy_id)
    if renewal_policy_id is not None:
        query = query.where(RenewalOffer.renewal_policy_id == renewal_policy_id)
    return list(ctx.session.scalars(query.order_by(RenewalOffer.renewal_date, RenewalOffer.id)))


def record_change(
    ctx: ServiceContext,
    *,
    policy: Policy,
    kind: ChangeKind,
    source: RequestSource,
    requested_on: date,
    reason: str,
    effective_date: date | None = None,
    requested_date: date | None = None,
    date_rule: str | None = None,
    related_policy: Policy | None = None,
    person_id: int | None = None,
    detail: dict[str, Any] | None = None,
    restore: dict[str, Any] | None = None,
) -> PolicyChange:
    """Add the change row and its audit row, in the caller's transaction."""
    change = PolicyChange(
        policy_id=policy.id,
        related_policy_id=related_policy.id if related_policy is not None else None,
        billing_account_id=policy.billing_account_id,
        person_id=person_id,
        kind=kind.value,
        source=source.value,
        requested_on=requested_on,
        requested_date=requested_date,
        effective_date=effective_date,
        date_rule=date_rule[:256] if date_rule else None,
        reason=reason[:256],
        detail=detail,
        restore=restore,
        refund_state=RefundState.NONE.value,
        refund_quote_cents=0,
        recorded_by=ctx.actor.username,
        recorded_at=ctx.now(),
    )
    ctx.session.add(change)
    ctx.session.flush()
    audit.record(
        ctx,
        action=kind.value,
        record_type="policy",
        record_id=policy.policy_number,
        fields=["status", "end_date", "coverage_spans"],
        detail={
            "change_id": change.id,
            "source": source.value,
            "requested_on": requested_on.isoformat(),
            "effective_date": effective_date.isoformat() if effective_date else None,
            "requested_date": requested_date.isoformat() if requested_date else None,
            "related_policy": related_policy.policy_number if related_policy is not None else None,
            "reason": reason,
        },
    )
    return change


def end_coverage(ctx: ServiceContext, policy: Policy, last_day: date, *, source: str) -> dict[str, Any]:
    """End every span still open after ``last_day`` (voiding those that start later) and the policy.

    Returns what was changed, so that :func:`restore_coverage` can put it back.
    """
    changed: list[dict[str, Any]] = []
    for span in enrollment.spans_of(ctx, policy.id):
        if span.start_date > last_day:
            changed.append({"span_id": span.id, "end": _iso(span.end_date), "voided": True})
            enrollment.void_member_coverage(ctx, span, source=source)
        elif span.end_date is None or span.end_date > last_day:
            changed.append({"span_id": span.id, "end": _iso(span.end_date), "voided": False})
            enrollment.end_member_coverage(ctx, span, last_day, source=source)
    restore = {"policy_end": _iso(policy.end_date), "status": policy.status, "status_reason": policy.status_reason, "spans": changed}
    if policy.end_date is None or policy.end_date > last_day:
        policy.end_date = last_day
    policy.updated_at = ctx.now()
    return restore


def void_coverage(ctx: ServiceContext, policy: Policy, *, source: str) -> dict[str, Any]:
    """Void every span of ``policy`` from its start and return how to undo it."""
    changed = []
    for span in enrollment.spans_of(ctx, policy.id):
        changed.append({"span_id": span.id, "end": _iso(span.end_date), "voided": True})
        enrollment.void_member_coverage(ctx, span, source=source)
    return {"policy_end": _iso(policy.end_date), "status": policy.status, "status_reason": policy.status_reason, "spans": changed}


def restore_coverage(ctx: ServiceContext, policy: Policy, restore: dict[str, Any], *, source: str) -> None:
    """Put back the spans, end date, status and reason that :func:`end_coverage` or :func:`void_coverage` changed."""
    now = ctx.now()
    for item in restore.get("spans", []):
        span = ctx.session.get(CoverageSpan, item["span_id"])
        if span is None:
            continue
        previous_end = date.fromisoformat(item["end"]) if item.get("end") else None
        restored_from = span.start_date if item.get("voided") or span.end_date is None else span.end_date + timedelta(days=1)
        # NOTE: enrollment has no service call to undo a void or reopen a span, so both are set here.
        span.voided = False
        span.end_date = previous_end
        span.updated_at = now
        ctx.session.add(
            CoverageEvent(
                policy_id=policy.id,
                coverage_span_id=span.id,
                event="member_reinstated",
                effective_date=restored_from,
                detail=f"coverage restored to end {previous_end or 'open'}",
                source=source,
                recorded_by=ctx.actor.username,
                recorded_at=now,
            )
        )
    policy.end_date = date.fromisoformat(restore["policy_end"]) if restore.get("policy_end") else None
    policy.status = restore.get("status") or PolicyStatus.ACTIVE.value
    policy.status_reason = restore.get("status_reason")
    policy.updated_at = now
    ctx.session.flush()


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
