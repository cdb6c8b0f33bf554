"""Cancel a policy: void it from its effective date, so no premium was ever owed.

A cancellation is allowed before coverage starts, at any time while the policy is pending
(its binder unpaid, so coverage never took effect), and otherwise only within the free-look
period of a new individual policy, when returning the policy voids it from the beginning.
Everything billed for it is credited by the next bill run and then refunded in full
(see :mod:`premia.lifecycle.refunds`). Renewals made from it are cancelled with it.
Coverage that has started and is past its free look ends by termination instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from premia.enrollment.model import Market, PolicyStatus
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError
from premia.kernel.money import format_cents
from premia.lifecycle.config import DEFAULT_CONFIG, LifecycleConfig
from premia.lifecycle.model import ChangeKind, OfferStatus, RefundState, RequestSource
from premia.lifecycle.refunds import expect_refund, settle_change
from premia.lifecycle.repository import find_policy, live_offers, record_change, renewals_of, require_status, void_coverage
from premia.lifecycle.rules import free_look_ends
from premia.lifecycle.tables import PolicyChange
from premia.notices.model import NoticeType
from premia.notices.service import create_notice
from premia.notices.tables import Notice
from premia.rating.catalog import Catalog
from premia.staff.permissions import Permission

log = logging.getLogger("premia.lifecycle")


@dataclass(frozen=True)
class CancellationResult:
    policy_number: str
    effective_date: date
    free_look: bool
    change_id: int
    refund_state: RefundState
    expected_credit_cents: int
    cancelled_renewals: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_number": self.policy_number,
            "status": PolicyStatus.CANCELLED.value,
            "cancelled_from": self.effective_date.isoformat(),
            "free_look": self.free_look,
            "change_id": self.change_id,
            "refund_state": self.refund_state.value,
            "expected_credit": format_cents(self.expected_credit_cents, thousands=False),
            "cancelled_renewals": list(self.cancelled_renewals),
        }


def cancel_policy(
    ctx: ServiceContext,
    policy_number: str,
    *,
    catalog: Catalog,
    requested_on: date,
    reason: str,
    source: RequestSource = RequestSource.MEMBER,
    delivered_on: date | None = None,
    config: LifecycleConfig = DEFAULT_CONFIG,
) -> CancellationResult:
    """Cancel before the effective date, or within the free look; the refund follows the bill run's credit.

    ``delivered_on`` starts the free-look clock; without it the clock starts on the
    effective date.
    """
    ctx.require(Permission.POLICIES_CHANGE)
    policy = find_policy(ctx, policy_number)
    require_status(
        policy,
        (PolicyStatus.PENDING, PolicyStatus.ACTIVE),
        action="cancelled",
        hint="A policy in grace ends by payment or by the delinquency run; a terminated policy can be reinstated.",
    )
    free_look = _check_cancellable(policy, requested_on, delivered_on, config)
    change, renewals = void_policy(
        ctx,
        policy,
        catalog=catalog,
        requested_on=requested_on,
        reason=reason.strip() or _default_reason(policy, requested_on, free_look),
        source=source,
        detail={"free_look": free_look, "delivered_on": delivered_on.isoformat() if delivered_on else None},
    )
    settle_change(ctx, catalog, change, as_of=requested_on, config=config)
    log.info("policy cancelled", extra={"policy": policy.policy_number, "free_look": free_look, "change_id": change.id})
    return CancellationResult(
        policy_number=policy.policy_number,
        effective_date=policy.effective_date,
        free_look=free_look,
        change_id=change.id,
        refund_state=RefundState(change.refund_state),
        expected_credit_cents=change.refund_quote_cents,
        cancelled_renewals=tuple(renewal.policy_number for renewal in renewals),
    )


def void_policy(
    ctx: ServiceContext,
    policy: Policy,
    *,
    catalog: Catalog,
    requested_on: date,
    reason: str,
    source: RequestSource,
    refund: bool = True,
    offer_status: OfferStatus = OfferStatus.DECLINED,
    notify: bool = True,
    detail: dict[str, Any] | None = None,
) -> tuple[PolicyChange, list[Policy]]:
    """Cancel ``policy`` and the renewals made from it, and record the change.

    A live renewal offer for a cancelled renewal policy takes ``offer_status``. With
    ``refund`` the credit the cancellation leaves is refunded once the bill run posts it.
    Without it (a plan change that replaces the policy on the same account) the credit
    pays the replacement's premium.
    """
    renewals = [renewal for renewal in renewals_of(ctx, policy) if renewal.status != PolicyStatus.CANCELLED.value]
    restore = _cancel(ctx, policy, reason=reason, source=source, requested_on=requested_on, offer_status=offer_status, notify=notify)
    for renewal in renewals:
        _cancel(
            ctx,
            renewal,
            reason=f"prior policy {policy.policy_number} cancelled",
            source=source,
            requested_on=requested_on,
            offer_status=OfferStatus.DECLINED,
            notify=notify,
        )
    change = record_change(
        ctx,
        policy=policy,
        kind=ChangeKind.CANCELLATION,
        source=source,
        requested_on=requested_on,
        reason=reason,
        effective_date=policy.effective_date,
        detail={**(detail or {}), "cancelled_renewals": [renewal.policy_number for renewal in renewals]},
        restore=restore,
    )
    if refund:
        expect_refund(ctx, catalog, change, also=renewals)
    return change, renewals


def _cancel(
    ctx: ServiceContext,
    policy: Policy,
    *,
    reason: str,
    source: RequestSource,
    requested_on: date,
    offer_status: OfferStatus,
    notify: bool,
) -> dict[str, Any]:
    restore = void_coverage(ctx, policy, source=source.value)
    policy.status = PolicyStatus.CANCELLED.value
    policy.status_reason = reason[:128]
    policy.updated_at = ctx.now()
    for offer in live_offers(ctx, renewal_policy_id=policy.id):
        offer.status = offer_status.value
        offer.decided_on = requested_on
        offer.decided_by = ctx.actor.username
        offer.decision_note = reason[:256]
        offer.updated_at = ctx.now()
    if notify:
        create_notice(
            ctx,
            notice_type=NoticeType.CANCELLATION,
            billing_account_id=policy.billing_account_id,
            policy_id=policy.id,
            as_of=requested_on,
            dedupe_key=_cancellation_key(ctx, policy),
            data={"policy_number": policy.policy_number, "effective_date": policy.effective_date.isoformat(), "reason": reason},
        )
    ctx.session.flush()
    return restore


def _cancellation_key(ctx: ServiceContext, policy: Policy) -> str:
    """Return the dedupe key of the policy's next cancellation notice.

    A policy that is cancelled, restored by a reinstatement and cancelled again (a renewal
    of a terminated policy, say) gets a notice each time. A cancelled policy cannot be
    cancelled again before it is restored, so the count of its earlier notices
    distinguishes one cancellation from the next.
    """
    key = f"policy:{policy.id}:lifecycle-cancel"
    earlier = ctx.session.scalar(
        select(func.count())
        .select_from(Notice)
        .where(
            Notice.policy_id == policy.id,
            Notice.notice_type == NoticeType.CANCELLATION.value,
            Notice.dedupe_key.like(f"{NoticeType.CANCELLATION.value}:{key}%"),
        )
    )
    return f"{key}:{earlier + 1}" if earlier else key


def _default_reason(policy: Policy, requested_on: date, free_look: bool) -> str:
    if free_look:
        return "returned within the free-look period"
    if requested_on < policy.effective_date:
        return "cancelled before the effective date"
    return "cancelled before coverage took effect"


def _check_cancellable(policy: Policy, requested_on: date, delivered_on: date | None, config: LifecycleConfig) -> bool:
    """Return True for a free-look cancellation and False for one before coverage took effect. Raise otherwise."""
    # A pending policy's binder is unpaid, so its coverage never took effect, whatever the date.
    if requested_on < policy.effective_date or policy.status == PolicyStatus.PENDING.value:
        return False
    record = f"policy {policy.policy_number}"
    is_new_individual = policy.market == Market.INDIVIDUAL.value and policy.renewed_from_policy_id is None
    days = config.free_look_days(market=Market(policy.market), state=policy.state) if is_new_individual else 0
    last_day = free_look_ends(delivered_on or policy.effective_date, days)
    if last_day is not None and requested_on <= last_day:
        return True
    why = f"its free-look period ended on {last_day}" if last_day is not None else "it has no free-look period"
    raise ConflictError(
        code="lifecycle.coverage_started",
        message=f"Coverage on {record} started on {policy.effective_date} and {why}, so it cannot be cancelled on {requested_on}.",
        record=record,
        field="requested_on",
        value=requested_on.isoformat(),
        hint="Terminate the policy instead (`premia policies terminate`); premium is owed through the last covered day.",
    )
