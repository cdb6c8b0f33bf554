"""The outbound 834 queue: enrollment changes Premia owes the exchange for its policies.

An effectuation is queued when a binder is paid, a cancellation when it is not, a
termination for non-payment with its effective date, and a reinstatement when a
termination is reversed. Each row is queued in the transaction that made the change, with
the members as they stood then; :mod:`premia.delinquency.outbound_file` writes the queued
rows into an 834 file.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from premia.delinquency.model import Outbound834Kind, Outbound834Status
from premia.delinquency.tables import DelinquencyTransition, Outbound834
from premia.enrollment import service as enrollment
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext

# INS03 (maintenance type) and INS04 (reason) per change, from the 005010X220A1 code lists:
# 021 addition, 024 cancellation or termination, 025 reinstatement; 28 initial enrollment,
# 59 non-payment, 41 re-enrollment.
# NOTE: an exchange's companion guide may ask for other reason codes, for example on a reinstatement.
MAINTENANCE_CODES: dict[Outbound834Kind, tuple[str, str]] = {
    Outbound834Kind.EFFECTUATION: ("021", "28"),
    Outbound834Kind.CANCELLATION: ("024", "59"),
    Outbound834Kind.TERMINATION: ("024", "59"),
    Outbound834Kind.REINSTATEMENT: ("025", "41"),
}


def member_data(ctx: ServiceContext, policy: Policy) -> list[dict[str, Any]]:
    """Read the policy's members as an 834 needs them; call it before the change alters coverage."""
    return [
        {
            "member_id": person.member_id,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "middle_name": person.middle_name or "",
            "birth_date": person.birth_date.isoformat(),
            "sex": person.sex,
            "relationship": span.relationship,
            "start_date": span.start_date.isoformat(),
            "end_date": span.end_date.isoformat() if span.end_date else None,
        }
        for span, person in enrollment.members_of(ctx, policy)
    ]


def queue_834(
    ctx: ServiceContext,
    policy: Policy,
    *,
    kind: Outbound834Kind,
    effective_date: date,
    transition: DelinquencyTransition,
    members: list[dict[str, Any]],
    as_of: date,
) -> Outbound834:
    """Queue one change for the exchange; the same transition is never queued twice."""
    key = f"{kind.value}:{policy.id}:{transition.id}"
    existing = ctx.session.scalar(select(Outbound834).where(Outbound834.dedupe_key == key))
    if existing is not None:
        return existing
    maintenance_type, reason = MAINTENANCE_CODES[kind]
    row = Outbound834(
        policy_id=policy.id,
        transition_id=transition.id,
        kind=kind.value,
        exchange_policy_id=policy.exchange_policy_id,
        maintenance_type=maintenance_type,
        maintenance_reason=reason,
        effective_date=effective_date,
        queued_on=as_of,
        status=Outbound834Status.QUEUED.value,
        dedupe_key=key,
        data={
            "policy_number": policy.policy_number,
            "exchange_policy_id": policy.exchange_policy_id,
            "plan_id": policy.plan_id,
            "coverage_start": policy.effective_date.isoformat(),
            "effective_date": effective_date.isoformat(),
            "members": members,
        },
        created_at=ctx.now(),
    )
    ctx.session.add(row)
    ctx.session.flush()
    return row


def queued_834(ctx: ServiceContext) -> list[Outbound834]:
    """Rows not yet written to a file, oldest first."""
    return list(ctx.session.scalars(select(Outbound834).where(Outbound834.status == Outbound834Status.QUEUED.value).order_by(Outbound834.id)))
