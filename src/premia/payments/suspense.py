"""Suspense: money received that no rule could tie to a billing account.

Receiving it posts Dr cash clearing / Cr suspense. A person then applies the item to the
right account or returns it to the payer as a refund. Applying posts a payment funded from
suspense and dated the day the money was received, because that date counts for grace
periods and binder deadlines. Every resolution is audited with who did it and why.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from premia.accounts import service as accounts
from premia.accounts.tables import BillingAccount
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError
from premia.kernel.money import format_cents
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind, LedgerAccount, LineSpec
from premia.payments.model import PaymentChannel, PaymentMethod, SuspenseStatus
from premia.payments.service import PostingResult, post_payment
from premia.payments.tables import SuspenseItem
from premia.staff.permissions import Permission


def put_in_suspense(
    ctx: ServiceContext,
    *,
    channel: PaymentChannel,
    method: PaymentMethod,
    received_on: date,
    amount_cents: int,
    cash_account: str,
    reason: str,
    payer_name: str | None = None,
    reference: str | None = None,
    bank_reference: str | None = None,
    idempotency_key: str | None = None,
    funding_account: LedgerAccount = LedgerAccount.CASH_CLEARING,
) -> SuspenseItem:
    """Hold a receipt in suspense with the reason it could not be matched.

    The journal entry is keyed by ``idempotency_key``, so a retried import cannot hold the
    same money twice. ``funding_account`` is suspense itself when an earlier suspense item
    is split into this one.
    """
    item = new_suspense_item(
        ctx,
        channel=channel,
        method=method,
        received_on=received_on,
        amount_cents=amount_cents,
        cash_account=cash_account,
        reason=reason,
        payer_name=payer_name,
        reference=reference,
        bank_reference=bank_reference,
    )
    entry = ledger.post_entry(
        ctx,
        kind=EntryKind.SUSPENSE,
        entry_date=received_on,
        lines=[
            LineSpec(
                account=funding_account,
                amount_cents=amount_cents,
                cash_account=cash_account if funding_account is LedgerAccount.CASH_CLEARING else None,
                memo=f"suspense item {item.id}",
            ),
            LineSpec(account=LedgerAccount.SUSPENSE, amount_cents=-amount_cents, memo=f"suspense item {item.id}"),
        ],
        reference=reference and reference[:128],
        description=f"unidentified receipt held in suspense (item {item.id})",
        idempotency_key=entry_key("suspense", idempotency_key) if idempotency_key else None,
    )
    item.receipt_entry_id = entry.id
    ctx.session.flush()
    return item


def new_suspense_item(
    ctx: ServiceContext,
    *,
    channel: PaymentChannel,
    method: PaymentMethod,
    received_on: date,
    amount_cents: int,
    cash_account: str,
    reason: str,
    payer_name: str | None = None,
    reference: str | None = None,
    bank_reference: str | None = None,
) -> SuspenseItem:
    """Add an open suspense item row. The caller posts the journal entry that credits its money to suspense."""
    if amount_cents == 0:
        raise ValidationError(
            code="suspense.zero_amount",
            message="A suspense item needs an amount other than 0.00.",
            field="amount",
            value=0,
        )
    item = SuspenseItem(
        channel=channel.value,
        method=method.value,
        received_on=received_on,
        amount_cents=amount_cents,
        cash_account=cash_account[:32],
        payer_name=(payer_name or None) and payer_name[:128],
        reference=(reference or None) and reference[:128],
        bank_reference=(bank_reference or None) and bank_reference[:64],
        reason=reason[:512],
        status=SuspenseStatus.OPEN.value,
        created_by=ctx.actor.username,
        created_at=ctx.now(),
    )
    ctx.session.add(item)
    ctx.session.flush()
    return item


def entry_key(prefix: str, key: str) -> str:
    """Build a journal idempotency key of at most 128 characters, hashing longer keys."""
    text = f"{prefix}:{key}"
    if len(text) <= 128:
        return text
    return f"{prefix}:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SuspenseView:
    """A suspense item as staff see it, with its age on the as-of date."""

    id: int
    received_on: date
    age_days: int
    overdue: bool
    amount_cents: int
    channel: str
    payer_name: str | None
    reference: str | None
    reason: str
    status: str
    account_number: str | None
    resolution_note: str | None

    def to_dict(self) -> dict[str, Any]:
        data = self.__dict__.copy()
        data["received_on"] = self.received_on.isoformat()
        data["amount"] = format_cents(data.pop("amount_cents"), thousands=False)
        return data


def list_suspense(
    ctx: ServiceContext,
    *,
    as_of: date,
    status: SuspenseStatus | None = SuspenseStatus.OPEN,
    max_age_days: int = 45,
    limit: int = 500,
) -> list[SuspenseView]:
    """List suspense items, oldest first; ``overdue`` marks those older than ``max_age_days``."""
    ctx.require(Permission.SUSPENSE_MANAGE)
    query = select(SuspenseItem).order_by(SuspenseItem.received_on, SuspenseItem.id).limit(limit)
    if status is not None:
        query = query.where(SuspenseItem.status == status.value)
    items = list(ctx.session.scalars(query))
    numbers = _account_numbers(ctx, {item.billing_account_id for item in items if item.billing_account_id})
    cutoff = as_of - timedelta(days=max_age_days)
    return [
        SuspenseView(
            id=item.id,
            received_on=item.received_on,
            age_days=(as_of - item.received_on).days,
            overdue=item.status == SuspenseStatus.OPEN.value and item.received_on < cutoff,
            amount_cents=item.amount_cents,
            channel=item.channel,
            payer_name=item.payer_name,
            reference=item.reference,
            reason=item.reason,
            status=item.status,
            account_number=numbers.get(item.billing_account_id or 0),
            resolution_note=item.resolution_note,
        )
        for item in items
    ]


def apply_suspense(ctx: ServiceContext, item_id: int, *, account_number: str, note: str) -> PostingResult:
    """Apply a suspense item to a billing account as of the day the money was received."""
    ctx.require(Permission.SUSPENSE_MANAGE)
    item = lock_open_item(ctx, item_id)
    note = _required_note(note)
    account = accounts.get_account_row(ctx, account_number)
    result = post_payment(
        ctx,
        billing_account_id=account.id,
        amount_cents=item.amount_cents,
        channel=PaymentChannel(item.channel),
        method=PaymentMethod(item.method),
        received_on=item.received_on,
        reference=item.reference,
        idempotency_key=f"suspense-apply:{item.id}",
        cash_account=item.cash_account,
        source=f"suspense item {item.id}",
        funding_account=LedgerAccount.SUSPENSE,
        permission=Permission.SUSPENSE_MANAGE,
    )
    resolve_item(ctx, item, status=SuspenseStatus.APPLIED, note=note, billing_account_id=account.id, payment_id=result.payment.id)
    audit.record(
        ctx,
        action="apply",
        record_type="suspense_item",
        record_id=item.id,
        detail={"account": account.account_number, "payment_id": result.payment.id, "note": note},
    )
    return result


def lock_open_item(ctx: ServiceContext, item_id: int) -> SuspenseItem:
    """Lock a suspense item that is still open and holds money to hand out."""
    item = ctx.session.scalar(select(SuspenseItem).where(SuspenseItem.id == item_id).with_for_update())
    if item is None:
        raise NotFoundError(
            code="suspense.not_found",
            message=f"Suspense item {item_id} does not exist.",
            field="item_id",
            value=item_id,
            hint="List open items with `premia suspense list`.",
        )
    if item.status != SuspenseStatus.OPEN.value:
        raise ConflictError(
            code="suspense.not_open",
            message=f"Suspense item {item_id} is already {item.status}.",
            record=f"suspense item {item_id}",
            field="status",
            value=item.status,
            hint="Only open items can be applied or refunded.",
        )
    if item.amount_cents <= 0:
        raise ConflictError(
            code="suspense.withheld_amount",
            message=f"Suspense item {item_id} is an amount of {format_cents(item.amount_cents)} withheld from a remittance.",
            record=f"suspense item {item_id}",
            field="amount",
            value=format_cents(item.amount_cents),
            hint="Book withheld amounts such as Exchange user fees in the general ledger; they cannot be applied or refunded.",
        )
    return item


def resolve_item(
    ctx: ServiceContext,
    item: SuspenseItem,
    *,
    status: SuspenseStatus,
    note: str,
    billing_account_id: int | None = None,
    payment_id: int | None = None,
    refund_id: int | None = None,
) -> None:
    item.status = status.value
    item.resolution_note = note[:256]
    item.billing_account_id = billing_account_id
    item.payment_id = payment_id
    item.refund_id = refund_id
    item.resolved_by = ctx.actor.username
    item.resolved_at = ctx.now()
    ctx.session.flush()


def _required_note(note: str) -> str:
    text = (note or "").strip()
    if not text:
        raise ValidationError(
            code="suspense.note_missing",
            message="Resolving a suspense item needs a note saying how the payer was identified.",
            field="note",
            hint="Say what tied the money to the account, for example the coupon image or a call with the payer.",
        )
    return text


def _account_numbers(ctx: ServiceContext, account_ids: set[int | None]) -> dict[int, str]:
    ids = {account_id for account_id in account_ids if account_id}
    if not ids:
        return {}
    return dict(ctx.session.execute(select(BillingAccount.id, BillingAccount.account_number).where(BillingAccount.id.in_(ids))).all())
