"""Renewal offers: recording one with its notice, finding the one waiting, and showing it.

An offer keeps both monthly premiums as the renewal notice stated them, so the letter and
the offer agree however rates or coverage change afterwards.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from premia.audit import service as audit
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError
from premia.kernel.money import format_cents
from premia.lifecycle.model import OfferStatus, PremiumQuote
from premia.lifecycle.repository import day_before, live_offers
from premia.lifecycle.tables import RenewalOffer
from premia.notices.model import NoticeType
from premia.notices.service import create_notice
from premia.rating.model import Plan


def offer_data(ctx: ServiceContext, offer: RenewalOffer) -> dict[str, Any]:
    """Return the offer as JSON-ready data, with policy numbers instead of ids."""
    policy = ctx.session.get(Policy, offer.policy_id)
    renewal = ctx.session.get(Policy, offer.renewal_policy_id)
    return {
        "offer_id": offer.id,
        "policy_number": policy.policy_number if policy else None,
        "renewal_policy_number": renewal.policy_number if renewal else None,
        "renewal_date": offer.renewal_date.isoformat(),
        "status": offer.status,
        "from_plan_id": offer.from_plan_id,
        "to_plan_id": offer.to_plan_id,
        "crosswalked": offer.crosswalked,
        "chosen_by_payer": offer.chosen_by_payer,
        "previous_premium": format_cents(offer.previous_premium_cents, thousands=False),
        "premium": format_cents(offer.premium_cents, thousands=False),
        "respond_by": offer.respond_by.isoformat(),
        "decided_on": offer.decided_on.isoformat() if offer.decided_on else None,
    }


def record_offer(
    ctx: ServiceContext,
    policy: Policy,
    renewal: Policy,
    current: Plan,
    target: Plan,
    previous: PremiumQuote,
    offered: PremiumQuote,
    *,
    as_of: date,
    chosen: bool,
) -> RenewalOffer:
    renewal_date = renewal.effective_date
    took_effect = renewal_date <= as_of
    now = ctx.now()
    offer = RenewalOffer(
        policy_id=policy.id,
        renewal_policy_id=renewal.id,
        billing_account_id=policy.billing_account_id,
        renewal_date=renewal_date,
        plan_year=target.plan_year,
        from_plan_id=current.plan_id,
        to_plan_id=target.plan_id,
        crosswalked=target.plan_id != current.plan_id and not chosen,
        chosen_by_payer=chosen,
        status=(OfferStatus.ACCEPTED if took_effect else OfferStatus.OFFERED).value,
        previous_premium_cents=previous.premium_cents,
        premium_cents=offered.premium_cents,
        previous_aptc_cents=previous.aptc_cents,
        offered_on=as_of,
        respond_by=day_before(renewal_date),
        decided_on=renewal_date if took_effect else None,
        decided_by=ctx.actor.username if took_effect else None,
        decision_note="renewal made after its date, effective on it" if took_effect else None,
        created_by=ctx.actor.username,
        created_at=now,
        updated_at=now,
    )
    ctx.session.add(offer)
    ctx.session.flush()

    notice = create_notice(
        ctx,
        notice_type=NoticeType.RENEWAL,
        billing_account_id=policy.billing_account_id,
        policy_id=renewal.id,
        as_of=as_of,
        dedupe_key=f"policy:{policy.id}:renewal:{renewal_date.isoformat()}:offer:{offer.id}",
        data=_notice_data(policy, renewal, current, target, previous, offered, offer),
    )
    offer.notice_id = notice.id
    audit.record(
        ctx,
        action="renew",
        record_type="policy",
        record_id=policy.policy_number,
        fields=["end_date", "coverage_spans"],
        detail={
            "offer_id": offer.id,
            "renewal_policy": renewal.policy_number,
            "renewal_date": renewal_date.isoformat(),
            "from_plan": current.plan_id,
            "to_plan": target.plan_id,
            "chosen_by_payer": chosen,
        },
    )
    ctx.session.flush()
    return offer


def _notice_data(
    policy: Policy, renewal: Policy, current: Plan, target: Plan, previous: PremiumQuote, offered: PremiumQuote, offer: RenewalOffer
) -> dict[str, Any]:
    """Build the renewal letter's facts: both plans, both monthly premiums, and each member's old and new amounts."""
    before = {member.person_id: member for member in previous.members}
    members = []
    for member in offered.members:
        old = before.get(member.person_id)
        members.append(
            {
                "member_id": member.member_id,
                "relationship": member.relationship,
                "previous_age": old.age if old else None,
                "age": member.age,
                "previous_premium_cents": old.premium_cents if old else None,
                "premium_cents": member.premium_cents,
            }
        )
    return {
        "policy_number": policy.policy_number,
        "renewal_policy_number": renewal.policy_number,
        "renewal_date": renewal.effective_date.isoformat(),
        "respond_by": offer.respond_by.isoformat(),
        "previous_plan_id": current.plan_id,
        "previous_plan_name": current.name,
        "plan_id": target.plan_id,
        "plan_name": target.name,
        "crosswalked": offer.crosswalked,
        "chosen_by_payer": offer.chosen_by_payer,
        "previous_premium_cents": previous.premium_cents,
        "premium_cents": offered.premium_cents,
        "previous_aptc_cents": previous.aptc_cents,
        "aptc_from_exchange": policy.on_exchange,
        "in_grace": policy.status == PolicyStatus.GRACE.value,
        "members": members,
    }


def waiting_offer(ctx: ServiceContext, policy: Policy, on: date, *, required: bool = True) -> RenewalOffer | None:
    """Return the live offer of ``policy`` (as the renewed or the renewal policy); raise when it took effect by ``on``."""
    offers = sorted(
        live_offers(ctx, policy_id=policy.id) + live_offers(ctx, renewal_policy_id=policy.id),
        key=lambda offer: (offer.renewal_date, offer.id),
    )
    if not offers:
        if not required:
            return None
        raise NotFoundError(
            code="renewal.no_waiting_offer",
            message=f"Policy {policy.policy_number} has no renewal offer.",
            record=f"policy {policy.policy_number}",
            field="policy_number",
            value=policy.policy_number,
            hint="Run `premia renewals run` for the renewal window first, or give the renewed policy's number.",
        )
    offer = offers[-1]
    if offer.status != OfferStatus.OFFERED.value or on >= offer.renewal_date:
        raise ConflictError(
            code="renewal.already_in_effect",
            message=f"The renewal of policy {policy.policy_number} took effect on {offer.renewal_date}; it can no longer be declined or changed on {on}.",
            record=f"policy {policy.policy_number}",
            field="on",
            value=on.isoformat(),
            hint="Change the plan with `premia policies change-plan`, or end coverage with `premia policies terminate`.",
        )
    return offer
