"""The collection worklist: policies in an open grace period, then pending policies waiting
for their binder payment. Each account listed is audited, because the list shows holders' names."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from premia.accounts.queries import holder_names
from premia.accounts.tables import BillingAccount
from premia.audit import service as audit
from premia.delinquency.tables import GracePeriod
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.staff.permissions import Permission

# How far ahead a pending policy's effective date may be for its binder to be worked now.
BINDER_LOOKAHEAD = timedelta(days=31)


@dataclass(frozen=True)
class WorklistRow:
    """A policy that needs collection work: in grace, or waiting for its binder payment.

    The grace fields are None (and ``past_due_cents`` zero) for a policy waiting for its binder.
    """

    account_number: str
    holder_name: str
    policy_number: str
    status: str
    on_exchange: bool
    grace_kind: str | None
    first_unpaid_month: date | None
    grace_start: date | None
    grace_end: date | None
    days_left: int | None
    past_due_cents: int
    last_stage: str | None
    claims_pend_from: date | None
    effective_date: date


def collection_worklist(ctx: ServiceContext, *, as_of: date) -> list[WorklistRow]:
    """List policies in an open grace period (soonest end first), then pending policies whose binder is due within 31 days."""
    ctx.require(Permission.BILLING_READ)
    grace_rows = ctx.session.execute(
        select(GracePeriod, Policy, BillingAccount)
        .join(Policy, Policy.id == GracePeriod.policy_id)
        .join(BillingAccount, BillingAccount.id == GracePeriod.billing_account_id)
        .where(GracePeriod.outcome == "open")
        .order_by(GracePeriod.end_date, Policy.policy_number)
    ).all()
    pending_rows = ctx.session.execute(
        select(Policy, BillingAccount)
        .join(BillingAccount, BillingAccount.id == Policy.billing_account_id)
        .where(Policy.status == PolicyStatus.PENDING.value, Policy.effective_date <= as_of + BINDER_LOOKAHEAD)
        .order_by(Policy.effective_date, Policy.policy_number)
    ).all()
    names = holder_names(ctx, {account.id for *_, account in grace_rows} | {account.id for _, account in pending_rows})

    rows = [_grace_row(grace, policy, account, names.get(account.id, ""), as_of) for grace, policy, account in grace_rows]
    rows.extend(_binder_row(policy, account, names.get(account.id, "")) for policy, account in pending_rows)

    for account_number in dict.fromkeys(row.account_number for row in rows):
        audit.record(ctx, action="read", record_type="billing_account", record_id=account_number, fields=["holder_name", "delinquency"])
    return rows


def _grace_row(grace: GracePeriod, policy: Policy, account: BillingAccount, holder_name: str, as_of: date) -> WorklistRow:
    return WorklistRow(
        account_number=account.account_number,
        holder_name=holder_name,
        policy_number=policy.policy_number,
        status=policy.status,
        on_exchange=policy.on_exchange,
        grace_kind=grace.kind,
        first_unpaid_month=grace.first_unpaid_month,
        grace_start=grace.start_date,
        grace_end=grace.end_date,
        days_left=(grace.end_date - as_of).days,
        past_due_cents=grace.past_due_cents,
        last_stage=grace.last_stage,
        claims_pend_from=grace.claims_pend_from,
        effective_date=policy.effective_date,
    )


def _binder_row(policy: Policy, account: BillingAccount, holder_name: str) -> WorklistRow:
    return WorklistRow(
        account_number=account.account_number,
        holder_name=holder_name,
        policy_number=policy.policy_number,
        status=policy.status,
        on_exchange=policy.on_exchange,
        grace_kind=None,
        first_unpaid_month=None,
        grace_start=None,
        grace_end=None,
        days_left=None,
        past_due_cents=0,
        last_stage=None,
        claims_pend_from=None,
        effective_date=policy.effective_date,
    )
