"""The eligibility answer that claims and service read: is a member covered on a date, and are claims paid?

The answer reflects the policy as the last delinquency run left it. During an APTC grace
period, coverage continues and claims for service dates in grace months two and three are
pended; once the policy is terminated back to the end of month one, the same dates are
outside coverage and their claims are denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from premia.accounts.person_service import find_person
from premia.audit import service as audit
from premia.billing.queries import paid_through_dates
from premia.delinquency.model import ClaimsAction, GraceTerms
from premia.delinquency.rules import claims_action
from premia.delinquency.snapshot import grace_terms_of, open_grace_periods
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import CoverageSpan, Policy
from premia.infra.context import ServiceContext
from premia.staff.permissions import Permission


@dataclass(frozen=True)
class EligibilityAnswer:
    """Coverage and claim handling for one member on one service date.

    ``paid_through`` is the policy's paid-through date from the ledger. ``grace_month``
    is the month of an APTC grace period the date falls in (1 to 3), if any.
    """

    member_id: str
    service_date: date
    covered: bool
    claims: ClaimsAction
    reason: str
    policy_number: str | None = None
    policy_status: str | None = None
    paid_through: date | None = None
    in_grace: bool = False
    grace_month: int | None = None
    grace_start: date | None = None
    grace_end: date | None = None

    def to_dict(self) -> dict[str, Any]:
        def iso(day: date | None) -> str | None:
            return day.isoformat() if day else None

        return {
            "member_id": self.member_id,
            "service_date": self.service_date.isoformat(),
            "covered": self.covered,
            "claims": self.claims.value,
            "reason": self.reason,
            "policy_number": self.policy_number,
            "policy_status": self.policy_status,
            "paid_through": iso(self.paid_through),
            "in_grace": self.in_grace,
            "grace_month": self.grace_month,
            "grace_start": iso(self.grace_start),
            "grace_end": iso(self.grace_end),
        }


def eligibility(ctx: ServiceContext, member_id: str, on: date) -> EligibilityAnswer:
    """Return whether ``member_id`` is covered on ``on`` and how claims for that date are handled."""
    ctx.require(Permission.MEMBER_READ)
    person = find_person(ctx, member_id)
    rows = ctx.session.execute(
        select(CoverageSpan, Policy)
        .join(Policy, Policy.id == CoverageSpan.policy_id)
        .where(CoverageSpan.person_id == person.id)
        .order_by(Policy.effective_date, CoverageSpan.start_date, CoverageSpan.id)
    ).all()

    covering = [
        (span, policy)
        for span, policy in rows
        if not span.voided
        and policy.status != PolicyStatus.CANCELLED.value
        and span.start_date <= on
        and (span.end_date is None or on <= span.end_date)
    ]
    if covering:
        _, policy = covering[-1]
        answer = _covered_answer(ctx, person.member_id, policy, on)
    else:
        answer = _uncovered_answer(ctx, person.member_id, [policy for _, policy in rows], on)
    audit.record(
        ctx,
        action="read",
        record_type="eligibility",
        record_id=person.member_id,
        fields=["coverage", "paid_through"],
        detail={"service_date": on.isoformat(), "covered": answer.covered, "claims": answer.claims.value},
    )
    return answer


def _covered_answer(ctx: ServiceContext, member_id: str, policy: Policy, on: date) -> EligibilityAnswer:
    status = PolicyStatus(policy.status)
    terms = _grace_terms(ctx, policy) if status is PolicyStatus.GRACE else None
    paid_through = paid_through_dates(ctx, [policy])[policy.id]
    in_grace = terms is not None and terms.start <= on <= terms.end
    # A policy in grace covers dates before its grace period like any paid month. A date
    # after the grace period is covered only if the premium is paid by its end, which is
    # not known yet, so its claims wait.
    after_grace = terms is not None and on > terms.end
    claims = ClaimsAction.PEND if after_grace else claims_action(status, terms if in_grace else None, on)
    if status is PolicyStatus.PENDING:
        reason = "binder payment not received; claims wait for the policy to take effect"
    elif terms is not None and in_grace:
        month = terms.grace_month(on)
        where = f"grace month {month}" if month else "the grace period"
        reason = f"in {where} ({terms.start}..{terms.end}); claims {claims.value}"
    elif terms is not None and after_grace:
        reason = (
            f"after the grace period ({terms.start}..{terms.end}); claims pend until the premium is paid "
            "or the policy ends for non-payment"
        )
    else:
        reason = f"covered on policy {policy.policy_number}"
    return EligibilityAnswer(
        member_id=member_id,
        service_date=on,
        covered=status is not PolicyStatus.PENDING and not after_grace,
        claims=claims,
        reason=reason,
        policy_number=policy.policy_number,
        policy_status=status.value,
        paid_through=paid_through,
        in_grace=in_grace,
        grace_month=terms.grace_month(on) if terms and in_grace else None,
        grace_start=terms.start if terms else None,
        grace_end=terms.end if terms else None,
    )


def _uncovered_answer(ctx: ServiceContext, member_id: str, policies: list[Policy], on: date) -> EligibilityAnswer:
    """Explain a date outside coverage: ended by termination, cancelled, or never covered."""
    ended = [policy for policy in policies if policy.end_date is not None and policy.end_date < on and policy.status != PolicyStatus.CANCELLED.value]
    if ended:
        policy = max(ended, key=lambda item: item.end_date or date.min)
        cause = f" for {policy.status_reason}" if policy.status_reason else ""
        reason = f"coverage on policy {policy.policy_number} ended {policy.end_date}{cause}"
        return _not_covered(ctx, member_id, on, reason, policy)
    cancelled = [policy for policy in policies if policy.status == PolicyStatus.CANCELLED.value and policy.effective_date <= on]
    if cancelled:
        policy = cancelled[-1]
        cause = f" ({policy.status_reason})" if policy.status_reason else ""
        return _not_covered(ctx, member_id, on, f"policy {policy.policy_number} was cancelled and never took effect{cause}", policy)
    return _not_covered(ctx, member_id, on, "no coverage on this date", None)


def _not_covered(ctx: ServiceContext, member_id: str, on: date, reason: str, policy: Policy | None) -> EligibilityAnswer:
    return EligibilityAnswer(
        member_id=member_id,
        service_date=on,
        covered=False,
        claims=ClaimsAction.DENY,
        reason=reason,
        policy_number=policy.policy_number if policy else None,
        policy_status=policy.status if policy else None,
        paid_through=paid_through_dates(ctx, [policy])[policy.id] if policy else None,
    )


def _grace_terms(ctx: ServiceContext, policy: Policy) -> GraceTerms | None:
    row = open_grace_periods(ctx, [policy.id]).get(policy.id)
    return grace_terms_of(row) if row else None
