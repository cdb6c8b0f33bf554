"""A policy's lifecycle changes, newest last, as staff read them: what changed, who asked, and the refund."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from premia.accounts.queries import member_names
from premia.audit import service as audit
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.money import format_cents
from premia.lifecycle.repository import find_policy
from premia.lifecycle.tables import PolicyChange
from premia.staff.permissions import Permission


@dataclass(frozen=True)
class ChangeRecord:
    """One lifecycle change of a policy, with the refund it waits for or led to."""

    change_id: int
    kind: str
    source: str
    requested_on: date
    effective_date: date | None
    requested_date: date | None
    date_rule: str | None
    reason: str
    member_id: str | None
    related_policy_number: str | None
    refund_state: str
    expected_credit_cents: int
    refund_cents: int | None
    refund_settled_on: date | None
    reversed_by_change_id: int | None
    recorded_by: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "change_id": self.change_id,
            "kind": self.kind,
            "source": self.source,
            "requested_on": self.requested_on.isoformat(),
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "requested_date": self.requested_date.isoformat() if self.requested_date else None,
            "date_rule": self.date_rule,
            "reason": self.reason,
            "member_id": self.member_id,
            "related_policy_number": self.related_policy_number,
            "refund_state": self.refund_state,
            "expected_credit": format_cents(self.expected_credit_cents, thousands=False),
            "refund": format_cents(self.refund_cents, thousands=False) if self.refund_cents is not None else None,
            "refund_settled_on": self.refund_settled_on.isoformat() if self.refund_settled_on else None,
            "reversed_by_change_id": self.reversed_by_change_id,
            "recorded_by": self.recorded_by,
        }


def policy_changes(ctx: ServiceContext, policy_number: str) -> tuple[Policy, list[ChangeRecord]]:
    """Return the policy and its lifecycle changes in the order they were recorded; the read is audited."""
    ctx.require(Permission.MEMBER_READ)
    ctx.require(Permission.BILLING_READ)
    policy = find_policy(ctx, policy_number)
    rows = list(ctx.session.scalars(select(PolicyChange).where(PolicyChange.policy_id == policy.id).order_by(PolicyChange.id)))
    members = member_names(ctx, {row.person_id for row in rows if row.person_id is not None})
    related = _policy_numbers(ctx, {row.related_policy_id for row in rows if row.related_policy_id is not None})
    records = [
        ChangeRecord(
            change_id=row.id,
            kind=row.kind,
            source=row.source,
            requested_on=row.requested_on,
            effective_date=row.effective_date,
            requested_date=row.requested_date,
            date_rule=row.date_rule,
            reason=row.reason,
            member_id=members[row.person_id].member_id if row.person_id in members else None,
            related_policy_number=related.get(row.related_policy_id) if row.related_policy_id else None,
            refund_state=row.refund_state,
            expected_credit_cents=row.refund_quote_cents,
            refund_cents=row.refund_cents,
            refund_settled_on=row.refund_settled_on,
            reversed_by_change_id=row.reversed_by_change_id,
            recorded_by=row.recorded_by,
        )
        for row in rows
    ]
    audit.record(ctx, action="read", record_type="policy", record_id=policy.policy_number, fields=["changes"])
    return policy, records


def _policy_numbers(ctx: ServiceContext, policy_ids: set[int]) -> dict[int, str]:
    if not policy_ids:
        return {}
    rows = ctx.session.execute(select(Policy.id, Policy.policy_number).where(Policy.id.in_(policy_ids)))
    return {policy_id: number for policy_id, number in rows}
