"""Reading disputes: the dispute view and the invoice lines an account can dispute."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from premia.accounts.service import get_account_row
from premia.accounts.tables import BillingAccount
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.money import format_cents
from premia.servicing.dispute_items import disputable_lines
from premia.servicing.disputes import items_of
from premia.servicing.tables import Dispute, ServiceCase
from premia.staff.permissions import Permission


@dataclass(frozen=True)
class DisputeView:
    dispute_number: str
    case_number: str
    account_number: str
    status: str
    reason: str
    disputed: str
    held: str
    outcome: str | None
    decided: str | None
    refund: str
    decided_by: str | None
    approved_by: str | None
    items: list[dict[str, Any]]
    version: int

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def lines_to_dispute(ctx: ServiceContext, account_number: str) -> list[dict[str, Any]]:
    """List the account's invoice lines that can be disputed, with their IDs and free amounts."""
    ctx.require(Permission.DISPUTES_OPEN)
    account = get_account_row(ctx, account_number)
    audit.record(
        ctx,
        action="read",
        record_type="billing_account",
        record_id=account.account_number,
        fields=["invoice_lines"],
    )
    return disputable_lines(ctx, account)


def account_disputes(ctx: ServiceContext, billing_account_id: int) -> list[DisputeView]:
    """List the account's disputes in any status, newest first."""
    ctx.require(Permission.BILLING_READ)
    query = select(Dispute).where(Dispute.billing_account_id == billing_account_id).order_by(Dispute.id.desc())
    return [dispute_view(ctx, dispute) for dispute in ctx.session.scalars(query)]


def dispute_view(ctx: ServiceContext, dispute: Dispute) -> DisputeView:
    items = items_of(ctx, dispute)
    held = sum(item.amount_cents for item in items if item.released_on is None)
    return DisputeView(
        dispute_number=dispute.dispute_number,
        case_number=ctx.session.scalar(
            select(ServiceCase.case_number).where(ServiceCase.id == dispute.case_id)
        )
        or "",
        account_number=ctx.session.scalar(
            select(BillingAccount.account_number).where(BillingAccount.id == dispute.billing_account_id)
        )
        or "",
        status=dispute.status,
        reason=dispute.reason,
        disputed=format_cents(dispute.disputed_cents, thousands=False),
        held=format_cents(held, thousands=False),
        outcome=dispute.outcome,
        decided=format_cents(dispute.decided_cents, thousands=False)
        if dispute.decided_cents is not None
        else None,
        refund=format_cents(dispute.refund_cents, thousands=False),
        decided_by=dispute.decided_by,
        approved_by=dispute.approved_by,
        items=[
            {
                "invoice_line_id": item.invoice_line_id,
                "payment_id": item.payment_id,
                "coverage_month": item.coverage_month.isoformat() if item.coverage_month else None,
                "amount": format_cents(item.amount_cents, thousands=False),
                "credited": format_cents(item.credited_cents, thousands=False),
                "released_on": item.released_on.isoformat() if item.released_on else None,
            }
            for item in items
        ],
        version=dispute.version,
    )
