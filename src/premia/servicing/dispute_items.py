"""Disputed items: which invoice lines and payments may be disputed, and for how much.

A line or payment can be disputed up to its amount less what other disputes still hold
or have credited. The amount of a denied dispute may be disputed again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from premia.accounts.tables import BillingAccount
from premia.billing.tables import InvoiceLine
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError
from premia.kernel.money import format_cents
from premia.payments.tables import Payment
from premia.servicing.model import DisputedItem, DisputeOutcome
from premia.servicing.tables import Dispute, DisputeItem

DISPUTABLE_LINE_KINDS = frozenset({"premium", "fee"})
DISPUTABLE_PAYMENT_STATUSES = frozenset({"settled", "returned"})


def disputable_lines(ctx: ServiceContext, account: BillingAccount) -> list[dict[str, Any]]:
    """List the account's issued premium and fee lines with the amount still free to dispute."""
    lines = ctx.session.scalars(
        select(InvoiceLine)
        .where(
            InvoiceLine.billing_account_id == account.id,
            InvoiceLine.invoice_id.is_not(None),
            InvoiceLine.kind.in_(DISPUTABLE_LINE_KINDS),
            InvoiceLine.amount_cents > 0,
        )
        .order_by(InvoiceLine.coverage_month, InvoiceLine.id)
    ).all()
    rows = []
    for line in lines:
        available = line.amount_cents - _already_disputed(ctx, DisputeItem.invoice_line_id == line.id)
        rows.append(
            {
                "invoice_line_id": line.id,
                "invoice_id": line.invoice_id,
                "coverage_month": line.coverage_month.isoformat()[:7] if line.coverage_month else None,
                "person_id": line.person_id,
                "kind": line.kind,
                "amount": format_cents(line.amount_cents, thousands=False),
                "disputable": format_cents(max(available, 0), thousands=False),
                "description": line.description,
            }
        )
    return rows


def item_row(
    ctx: ServiceContext, account: BillingAccount, item: DisputedItem, *, on: date, record: str
) -> DisputeItem:
    if (item.invoice_line_id is None) == (item.payment_id is None):
        raise ValidationError(
            code="dispute.item_target",
            message=f"{record}: each disputed item is either an invoice line or a payment.",
            record=record,
            field="items",
            hint="Give an invoice line ID or a payment ID for each item, not both.",
        )
    if item.invoice_line_id is not None:
        return _line_item(ctx, account, item, on=on, record=record)
    return _payment_item(ctx, account, item, on=on, record=record)


def _line_item(
    ctx: ServiceContext, account: BillingAccount, item: DisputedItem, *, on: date, record: str
) -> DisputeItem:
    line = ctx.session.get(InvoiceLine, item.invoice_line_id)
    if line is None or line.billing_account_id != account.id or line.invoice_id is None:
        raise NotFoundError(
            code="dispute.line_not_found",
            message=f"{record}: invoice line {item.invoice_line_id} is not on an invoice of this account.",
            record=record,
            field="invoice_line_id",
            value=item.invoice_line_id,
            hint="List the account's lines and their IDs with `premia disputes lines ACCOUNT`.",
        )
    if line.kind not in DISPUTABLE_LINE_KINDS or line.amount_cents <= 0:
        raise ValidationError(
            code="dispute.line_not_disputable",
            message=(
                f"{record}: invoice line {line.id} ({line.kind}, {format_cents(line.amount_cents)}) is not "
                "a charge that can be disputed."
            ),
            record=record,
            field="invoice_line_id",
            value=line.id,
            hint="Dispute the premium or fee line; APTC and credit lines are not charged to the payer.",
        )
    already = _already_disputed(ctx, DisputeItem.invoice_line_id == line.id)
    amount = _item_amount(
        item.amount_cents, line.amount_cents - already, label=f"invoice line {line.id}", record=record
    )
    return DisputeItem(
        invoice_line_id=line.id,
        invoice_id=line.invoice_id,
        policy_id=line.policy_id,
        person_id=line.person_id,
        coverage_month=line.coverage_month,
        amount_cents=amount,
        credited_cents=0,
        held_from=on,
    )


def _payment_item(
    ctx: ServiceContext, account: BillingAccount, item: DisputedItem, *, on: date, record: str
) -> DisputeItem:
    payment = ctx.session.get(Payment, item.payment_id)
    if payment is None or payment.billing_account_id != account.id:
        raise NotFoundError(
            code="dispute.payment_not_found",
            message=f"{record}: payment {item.payment_id} was not made to this account.",
            record=record,
            field="payment_id",
            value=item.payment_id,
        )
    if payment.status not in DISPUTABLE_PAYMENT_STATUSES:
        raise ValidationError(
            code="dispute.payment_not_disputable",
            message=(
                f"{record}: payment {payment.id} is {payment.status}; only settled or returned payments can "
                "be disputed."
            ),
            record=record,
            field="payment_id",
            value=payment.id,
        )
    already = _already_disputed(ctx, DisputeItem.payment_id == payment.id)
    amount = _item_amount(
        item.amount_cents, payment.amount_cents - already, label=f"payment {payment.id}", record=record
    )
    return DisputeItem(payment_id=payment.id, amount_cents=amount, credited_cents=0, held_from=on)


def _already_disputed(ctx: ServiceContext, condition: Any) -> int:
    """Return the cents of a line or payment that other disputes hold or credited; denied amounts are free."""
    held = ctx.session.scalar(
        select(func.coalesce(func.sum(DisputeItem.amount_cents), 0)).where(
            condition, DisputeItem.released_on.is_(None)
        )
    )
    credited = ctx.session.scalar(
        select(func.coalesce(func.sum(DisputeItem.credited_cents), 0)).where(condition)
    )
    return int(held or 0) + int(credited or 0)


def _item_amount(requested: int | None, available: int, *, label: str, record: str) -> int:
    if available <= 0:
        raise ConflictError(
            code="dispute.already_disputed",
            message=f"{record}: all of {label} is already under dispute or credited.",
            record=record,
            field="items",
            value=label,
            hint="Add to the open dispute's case instead of opening another dispute.",
        )
    amount = available if requested is None else requested
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= available:
        raise ValidationError(
            code="dispute.amount_invalid",
            message=(
                f"{record}: the disputed amount of {label} must be more than 0.00 and at most "
                f"{format_cents(available)}."
            ),
            record=record,
            field="amount",
            value=format_cents(amount) if isinstance(amount, int) else amount,
            hint=f"Enter an amount from 0.01 to {format_cents(available)}, or leave it out to dispute all of it.",
        )
    return amount


def reject_repeated_items(rows: list[DisputeItem], *, record: str) -> None:
    seen: set[tuple[int | None, int | None]] = set()
    for row in rows:
        key = (row.invoice_line_id, row.payment_id)
        if key in seen:
            raise ValidationError(
                code="dispute.item_repeated",
                message=f"{record}: the same line or payment is listed twice.",
                record=record,
                field="items",
                value=str(row.invoice_line_id or row.payment_id),
            )
        seen.add(key)


def decided_amount(
    dispute: Dispute, outcome: DisputeOutcome, requested: int | None, items: list[DisputeItem], *, record: str
) -> int:
    if outcome is DisputeOutcome.DENIAL:
        if requested:
            raise ValidationError(
                code="dispute.denial_amount",
                message=f"{record}: a denial credits nothing, so it takes no amount.",
                record=record,
                field="amount",
                value=format_cents(requested),
            )
        return 0
    if outcome is DisputeOutcome.ADJUSTMENT_CREDIT and any(item.payment_id is not None for item in items):
        raise ValidationError(
            code="dispute.credit_on_payment",
            message=(
                f"{record} disputes a payment; a payment can be refunded or the dispute denied, not credited."
            ),
            record=record,
            field="outcome",
            value=outcome.value,
        )
    amount = dispute.disputed_cents if requested is None else requested
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= dispute.disputed_cents:
        raise ValidationError(
            code="dispute.amount_invalid",
            message=(
                f"{record}: the decided amount must be more than 0.00 and at most the disputed "
                f"{format_cents(dispute.disputed_cents)}."
            ),
            record=record,
            field="amount",
            value=format_cents(amount) if isinstance(amount, int) else amount,
            hint=f"Enter an amount from 0.01 to {format_cents(dispute.disputed_cents)}, or leave it out to decide all of it.",
        )
    return amount
