"""Refunds of an account's credit, and of suspense items returned to their payers.

A refund is capped by the account's credit: its unapplied credit plus any
receivable items a credit pushed below zero, and never more than its net credit. Above the
configured limit a supervisor other than the requester approves it. Approval posts
Dr unapplied credit (or the credited receivable items, or suspense) / Cr refunds payable;
paying it (an ACH credit or a check) posts Dr refunds payable / Cr cash clearing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from premia.accounts import service as accounts
from premia.accounts.tables import BankAccount, BillingAccount, EmployerGroup, Person
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from premia.kernel.money import format_cents
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind, LedgerAccount, LineSpec
from premia.ledger.payables import account_credit
from premia.payments.config import DEFAULT_CONFIG, PaymentsConfig
from premia.payments.model import RefundMethod, RefundStatus, SuspenseStatus
from premia.payments.service import lock_account
from premia.payments.suspense import lock_open_item, resolve_item
from premia.payments.tables import Refund, SuspenseItem
from premia.staff.permissions import Permission


@dataclass(frozen=True)
class RefundView:
    id: int
    account_number: str | None
    suspense_item_id: int | None
    amount_cents: int
    method: str
    status: str
    payee_name: str
    reason: str
    approval_required: bool
    requested_by: str
    decided_by: str | None
    paid_on: date | None
    check_number: int | None

    @classmethod
    def of(cls, refund: Refund, account_number: str | None) -> RefundView:
        return cls(
            id=refund.id,
            account_number=account_number,
            suspense_item_id=refund.suspense_item_id,
            amount_cents=refund.amount_cents,
            method=refund.method,
            status=refund.status,
            payee_name=refund.payee_name,
            reason=refund.reason,
            approval_required=refund.approval_required,
            requested_by=refund.requested_by,
            decided_by=refund.decided_by,
            paid_on=refund.paid_on,
            check_number=refund.check_number,
        )

    def to_dict(self) -> dict[str, Any]:
        data = self.__dict__.copy()
        data["amount"] = format_cents(data.pop("amount_cents"), thousands=False)
        data["paid_on"] = self.paid_on.isoformat() if self.paid_on else None
        return data


def refundable_cents(ctx: ServiceContext, billing_account_id: int) -> int:
    """Return the maximum that may be refunded to the account now, in cents."""
    return account_credit(ctx, billing_account_id).refundable_cents


def request_refund(
    ctx: ServiceContext,
    *,
    account_number: str,
    amount_cents: int,
    method: RefundMethod,
    reason: str,
    requested_on: date,
    payee_name: str | None = None,
    idempotency_key: str | None = None,
    config: PaymentsConfig = DEFAULT_CONFIG,
) -> Refund:
    """Ask for a refund of the account's credit; within the approval limit it is approved at once."""
    ctx.require(Permission.REFUNDS_REQUEST)
    if idempotency_key:
        earlier = ctx.session.scalar(select(Refund).where(Refund.idempotency_key == idempotency_key))
        if earlier is not None:
            return earlier
    account = lock_account(ctx, accounts.get_account_row(ctx, account_number).id)
    record = f"billing_account {account.account_number}"
    _check_amount(amount_cents, record)
    reason = _required_text(reason, "reason", "Say why the money is paid back, for example 'termination credit'.")
    _check_within_credit(ctx, account, amount_cents)

    bank = _bank_for(ctx, account) if RefundMethod(method) is RefundMethod.ACH else None
    refund = Refund(
        billing_account_id=account.id,
        amount_cents=amount_cents,
        method=RefundMethod(method).value,
        status=RefundStatus.PENDING_APPROVAL.value,
        reason=reason[:256],
        payee_name=(payee_name or _payee_of(ctx, account))[:128],
        bank_account_id=bank.id if bank else None,
        requested_on=requested_on,
        requested_by=ctx.actor.username,
        requested_at=ctx.now(),
        approval_required=amount_cents > config.refund_approval_above_cents,
        idempotency_key=idempotency_key,
    )
    ctx.session.add(refund)
    ctx.session.flush()
    detail = {"account": account.account_number, "amount_cents": amount_cents}
    audit.record(ctx, action="request", record_type="refund", record_id=refund.id, detail=detail)
    if not refund.approval_required:
        _approve(ctx, refund, note=f"within the approval limit of {format_cents(config.refund_approval_above_cents)}")
    return refund


def refund_suspense(
    ctx: ServiceContext,
    item_id: int,
    *,
    payee_name: str,
    reason: str,
    requested_on: date,
    config: PaymentsConfig = DEFAULT_CONFIG,
) -> Refund:
    """Return a suspense item to its payer by check; above the approval limit a supervisor approves it."""
    ctx.require(Permission.SUSPENSE_MANAGE)
    item = lock_open_item(ctx, item_id)
    payee = _required_text(payee_name or item.payer_name or "", "payee", "Give the name the check is made out to.")
    reason = _required_text(reason, "reason", "Say why the money goes back, for example 'payer not insured with us'.")
    refund = Refund(
        suspense_item_id=item.id,
        amount_cents=item.amount_cents,
        method=RefundMethod.CHECK.value,
        status=RefundStatus.PENDING_APPROVAL.value,
        reason=reason[:256],
        payee_name=payee[:128],
        requested_on=requested_on,
        requested_by=ctx.actor.username,
        requested_at=ctx.now(),
        approval_required=item.amount_cents > config.refund_approval_above_cents,
    )
    ctx.session.add(refund)
    ctx.session.flush()
    resolve_item(ctx, item, status=SuspenseStatus.REFUNDED, note=reason, refund_id=refund.id)
    audit.record(ctx, action="refund", record_type="suspense_item", record_id=item.id, detail={"refund_id": refund.id, "reason": reason})
    if not refund.approval_required:
        _approve(ctx, refund, note=f"within the approval limit of {format_cents(config.refund_approval_above_cents)}")
    return refund


def approve_refund(ctx: ServiceContext, refund_id: int, *, note: str | None = None) -> Refund:
    """Approve, as a supervisor, a refund someone else requested, checking the cap again now."""
    ctx.require(Permission.REFUNDS_APPROVE)
    refund = _pending(ctx, refund_id)
    if refund.requested_by == ctx.actor.username:
        raise PermissionDeniedError(
            code="refund.self_approval",
            message=f"Refund {refund.id} was requested by {refund.requested_by}, who may not also approve it.",
            record=f"refund {refund.id}",
            field="approved_by",
            value=ctx.actor.username,
            hint="Ask another supervisor to approve it.",
        )
    if refund.billing_account_id is not None:
        account = lock_account(ctx, refund.billing_account_id)
        _check_within_credit(ctx, account, refund.amount_cents)
    _approve(ctx, refund, note=(note or "approved").strip())
    audit.record(ctx, action="approve", record_type="refund", record_id=refund.id, detail={"note": refund.decision_note})
    return refund


def reject_refund(ctx: ServiceContext, refund_id: int, *, note: str) -> Refund:
    """Turn a refund request down; a suspense item it would have paid out is open again."""
    ctx.require(Permission.REFUNDS_APPROVE)
    refund = _pending(ctx, refund_id)
    refund.status = RefundStatus.REJECTED.value
    refund.decided_by = ctx.actor.username
    refund.decided_at = ctx.now()
    refund.decision_note = _required_text(note, "note", "Say why the refund is turned down.")[:256]
    if refund.suspense_item_id is not None:
        item = ctx.session.get(SuspenseItem, refund.suspense_item_id)
        if item is not None:
            item.status = SuspenseStatus.OPEN.value
            item.refund_id = None
            item.resolution_note = f"refund {refund.id} rejected"
    ctx.session.flush()
    audit.record(ctx, action="reject", record_type="refund", record_id=refund.id, detail={"note": refund.decision_note})
    return refund


def list_refunds(ctx: ServiceContext, *, status: RefundStatus | None = None, limit: int = 500) -> list[RefundView]:
    ctx.require(Permission.REFUNDS_REQUEST)
    query = select(Refund, BillingAccount.account_number).outerjoin(BillingAccount, BillingAccount.id == Refund.billing_account_id)
    if status is not None:
        query = query.where(Refund.status == status.value)
    rows = ctx.session.execute(query.order_by(Refund.id).limit(limit)).all()
    # The list shows each payee's name, so each row is an audited read.
    for refund, _ in rows:
        audit.record(ctx, action="search", record_type="refund", record_id=refund.id)
    return [RefundView.of(refund, number) for refund, number in rows]


def account_refunds(ctx: ServiceContext, billing_account_id: int, account_number: str) -> list[RefundView]:
    """List the account's refunds in any status, newest first."""
    ctx.require(Permission.BILLING_READ)
    query = select(Refund).where(Refund.billing_account_id == billing_account_id).order_by(Refund.id.desc())
    return [RefundView.of(refund, account_number) for refund in ctx.session.scalars(query)]


def get_refund(ctx: ServiceContext, refund_id: int) -> Refund:
    refund = ctx.session.get(Refund, refund_id)
    if refund is None:
        raise NotFoundError(code="refund.not_found", message=f"Refund {refund_id} does not exist.", field="refund_id", value=refund_id)
    return refund


def _approve(ctx: ServiceContext, refund: Refund, *, note: str) -> None:
    """Post the refund as payable and mark it approved."""
    if refund.billing_account_id is not None:
        lines = _credit_lines(ctx, refund.billing_account_id, refund.amount_cents, refund.id)
    else:
        lines = [LineSpec(account=LedgerAccount.SUSPENSE, amount_cents=refund.amount_cents, memo=f"refund {refund.id}")]
    lines.append(
        LineSpec(
            account=LedgerAccount.REFUNDS_PAYABLE,
            amount_cents=-refund.amount_cents,
            billing_account_id=refund.billing_account_id,
            memo=f"refund {refund.id}",
        )
    )
    entry = ledger.post_entry(
        ctx,
        kind=EntryKind.REFUND,
        entry_date=refund.requested_on,
        lines=lines,
        reference=f"refund {refund.id}",
        description=f"refund {refund.id} approved: {refund.reason}"[:256],
        billing_account_id=refund.billing_account_id,
        idempotency_key=f"refund:{refund.id}:payable",
    )
    refund.payable_entry_id = entry.id
    refund.status = RefundStatus.APPROVED.value
    refund.decided_by = ctx.actor.username
    refund.decided_at = ctx.now()
    refund.decision_note = note[:256]
    ctx.session.flush()


def _credit_lines(ctx: ServiceContext, billing_account_id: int, amount_cents: int, refund_id: int) -> list[LineSpec]:
    """Debits that take ``amount_cents`` out of the account's credit: unapplied credit first, then credited items."""
    credit = account_credit(ctx, billing_account_id)
    lines: list[LineSpec] = []
    from_unapplied = min(credit.unapplied_cents, amount_cents)
    if from_unapplied > 0:
        lines.append(
            LineSpec(
                account=LedgerAccount.UNAPPLIED_CREDIT,
                amount_cents=from_unapplied,
                billing_account_id=billing_account_id,
                memo=f"refund {refund_id}",
            )
        )
    remaining = amount_cents - max(from_unapplied, 0)
    oldest_first = sorted(
        credit.receivable_credits, key=lambda item: (item.coverage_month or date.max, item.invoice_id or 0, item.person_id or 0)
    )
    for item in oldest_first:
        if remaining <= 0:
            break
        portion = min(item.credit_cents, remaining)
        lines.append(
            LineSpec(
                account=LedgerAccount.PREMIUM_RECEIVABLE,
                amount_cents=portion,
                billing_account_id=billing_account_id,
                invoice_id=item.invoice_id,
                invoice_line_id=item.invoice_line_id,
                policy_id=item.policy_id,
                person_id=item.person_id,
                coverage_month=item.coverage_month,
                memo=f"refund {refund_id}",
            )
        )
        remaining -= portion
    if remaining:
        # The cap was checked under the account lock just before, so this means the ledger changed underneath.
        raise ConflictError(
            code="refund.credit_changed",
            message=f"The account's credit no longer covers refund {refund_id}; {format_cents(remaining)} is missing.",
            record=f"refund {refund_id}",
            field="amount",
        )
    return lines


def _check_within_credit(ctx: ServiceContext, account: BillingAccount, amount_cents: int) -> None:
    available = refundable_cents(ctx, account.id)
    if amount_cents > available:
        raise ValidationError(
            code="refund.exceeds_credit",
            message=(
                f"A refund of {format_cents(amount_cents)} is more than billing account {account.account_number} "
                f"can refund; the refundable maximum is {format_cents(available)}."
            ),
            record=f"billing_account {account.account_number}",
            field="amount",
            value=format_cents(amount_cents),
            hint=f"Request at most {format_cents(available)}: the account's credit after what it still owes.",
            details={"refundable_cents": available},
        )


def _check_amount(amount_cents: int, record: str) -> None:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationError(
            code="refund.invalid_amount",
            message=f"A refund must be more than 0.00 (got {amount_cents!r} cents).",
            record=record,
            field="amount",
            value=amount_cents,
            hint="Give the amount to pay back, such as 381.42.",
        )


def _pending(ctx: ServiceContext, refund_id: int) -> Refund:
    refund = ctx.session.scalar(select(Refund).where(Refund.id == refund_id).with_for_update())
    if refund is None:
        raise NotFoundError(code="refund.not_found", message=f"Refund {refund_id} does not exist.", field="refund_id", value=refund_id)
    if refund.status != RefundStatus.PENDING_APPROVAL.value:
        raise ConflictError(
            code="refund.not_pending",
            message=f"Refund {refund_id} is {refund.status}, not waiting for approval.",
            record=f"refund {refund_id}",
            field="status",
            value=refund.status,
        )
    return refund


def _bank_for(ctx: ServiceContext, account: BillingAccount) -> BankAccount:
    bank = ctx.session.scalars(
        select(BankAccount)
        .where(BankAccount.billing_account_id == account.id, BankAccount.status == "active")
        .order_by(BankAccount.id.desc())
    ).first()
    if bank is None:
        raise ValidationError(
            code="refund.no_bank_account",
            message=f"Billing account {account.account_number} has no active bank account to send an ACH refund to.",
            record=f"billing_account {account.account_number}",
            field="method",
            value=RefundMethod.ACH.value,
            hint="Refund by check, or add the payer's bank account first.",
        )
    return bank


def _payee_of(ctx: ServiceContext, account: BillingAccount) -> str:
    if account.payer_name:
        return account.payer_name
    if account.person_id is not None:
        person = ctx.session.get(Person, account.person_id)
        if person is not None:
            return f"{person.first_name} {person.last_name}"
    if account.employer_group_id is not None:
        group = ctx.session.get(EmployerGroup, account.employer_group_id)
        if group is not None:
            return group.name
    return account.account_number


def _required_text(value: str, field: str, hint: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(code=f"refund.{field}_missing", message=f"The {field} is missing.", field=field, hint=hint)
    return text
