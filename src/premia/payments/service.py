"""The one payment service every channel uses: post, settle, return, reverse.

Posting a settled payment writes one balanced journal entry. Cash clearing is debited, or
suspense for money that waited there. The account's open receivables are credited oldest
first: premium before fees, and a month's members in proportion to what each owes. Anything
left becomes unapplied credit for the next invoice. The billing account row is locked
first and the open items are read only after the lock is held, so two payments posted to
one account at once queue instead of both applying to the same open items.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import make_transient_to_detached

from premia.accounts.tables import BillingAccount
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError
from premia.kernel.money import format_cents
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind, LedgerAccount, LineSpec
from premia.ledger.receivables import OpenItem, allocation_lines, open_items
from premia.ledger.tables import JournalLine
from premia.notices.model import NoticeType
from premia.notices.service import create_notice
from premia.payments.allocation import AllocationTarget, payable_items, policies_needing_status
from premia.payments.config import configured_payments
from premia.payments.model import PaymentChannel, PaymentMethod, PaymentStatus, SuspenseStatus
from premia.payments.tables import Payment, SuspenseItem
from premia.staff.permissions import Permission

log = logging.getLogger("premia.payments")


@dataclass
class PostingResult:
    """The outcome of a posting. ``replayed`` is True when an idempotency key returned an earlier posting."""

    payment: Payment
    applied_cents: int
    unapplied_cents: int
    allocations: list[dict[str, Any]] = field(default_factory=list)
    replayed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "payment_id": self.payment.id,
            "status": self.payment.status,
            "amount": format_cents(self.payment.amount_cents, thousands=False),
            "applied": format_cents(self.applied_cents, thousands=False),
            "unapplied": format_cents(self.unapplied_cents, thousands=False),
            "allocations": self.allocations,
            "replayed": self.replayed,
        }


# Columns a new payment leaves empty until it settles, returns or is reversed.
_NEW_PAYMENT = {
    "settled_on": None,
    "returned_on": None,
    "return_code": None,
    "reversal_reason": None,
    "posting_entry_id": None,
}
# Built once, because every posting runs them.
_INSERT_PAYMENT = Payment.__table__.insert()
_LOCK_ACCOUNT = select(BillingAccount).where(BillingAccount.id == bindparam("billing_account_id")).with_for_update()
_ACCOUNTS = BillingAccount.__table__
_LOCK_ACCOUNT_NUMBER = select(_ACCOUNTS.c.account_number).where(_ACCOUNTS.c.id == bindparam("billing_account_id")).with_for_update()


def lock_account(ctx: ServiceContext, billing_account_id: int) -> BillingAccount:
    """Lock a billing account row for the rest of the transaction (always lock accounts first)."""
    account = ctx.session.scalar(_LOCK_ACCOUNT, {"billing_account_id": billing_account_id})
    if account is None:
        raise NotFoundError(code="account.not_found", message=f"Billing account id {billing_account_id} does not exist.", field="account")
    return account


def _lock_account_number(ctx: ServiceContext, billing_account_id: int) -> str:
    """Lock the account row like :func:`lock_account`, reading only its number (no ORM object to build)."""
    number = ctx.session.scalar(_LOCK_ACCOUNT_NUMBER, {"billing_account_id": billing_account_id})
    if number is None:
        raise NotFoundError(code="account.not_found", message=f"Billing account id {billing_account_id} does not exist.", field="account")
    return str(number)


def check_received_on(received_on: date, *, today: date) -> date:
    """Return the day a payment posted by hand or through the API was received; raise when it is after today.

    Files from banks and processors may carry a later effective date, such as an ACH
    settlement day, so only the entry points for money received now make this check.
    """
    if received_on > today:
        raise ValidationError(
            code="payment.received_in_future",
            message=f"The payment is dated {received_on.isoformat()}, after today ({today.isoformat()}).",
            field="received_on",
            value=received_on.isoformat(),
            hint="Give the day the payment was received, today or earlier.",
        )
    return received_on


def post_payment(
    ctx: ServiceContext,
    *,
    billing_account_id: int,
    amount_cents: int,
    channel: PaymentChannel,
    method: PaymentMethod,
    received_on: date,
    reference: str | None = None,
    idempotency_key: str | None = None,
    external_id: str | None = None,
    status: PaymentStatus = PaymentStatus.SETTLED,
    cash_account: str | None = None,
    source: str | None = None,
    target: AllocationTarget | None = None,
    funding_account: LedgerAccount = LedgerAccount.CASH_CLEARING,
    send_receipt: bool = False,
    permission: Permission = Permission.PAYMENTS_POST,
) -> PostingResult:
    """Record a payment and, when it is settled, apply it to the account's open items.

    ``cash_account`` is the bank account the money was deposited to; without one it is the
    configured ``deposit_account`` (``PREMIA_PAYMENTS_CONFIG_FILE``), so a check posted by
    hand lands where the day's reconciliation looks for it.
    ``target`` limits the allocation to what a remittance line names. ``funding_account``
    is the account debited: cash clearing for money arriving now, suspense for money
    received earlier and applied from there. ``send_receipt`` records a payment receipt
    notice once the payment settles. ``permission`` is what the caller must hold: posting
    by hand needs payments.post, a file import payments.import, applying suspense
    suspense.manage.
    """
    ctx.require(permission)
    if amount_cents <= 0:
        # A retry of an accepted payment never has this amount, so a used key is a conflict.
        _raise_if_key_used(ctx, idempotency_key, external_id, billing_account_id, amount_cents)
        raise ValidationError(
            code="payment.invalid_amount",
            message=f"A payment must be more than 0.00 (got {format_cents(amount_cents)}).",
            field="amount",
            value=format_cents(amount_cents),
            hint="Enter the amount received; use a reversal or refund to take money back.",
        )
    try:
        account_number = _lock_account_number(ctx, billing_account_id)
    except NotFoundError:
        _raise_if_key_used(ctx, idempotency_key, external_id, billing_account_id, amount_cents)
        raise
    if idempotency_key or external_id:
        # Looked up once, under the lock. A retry that raced the first request waited for the
        # lock and now finds its payment, as a later retry does.
        replay = _replay(ctx, idempotency_key, external_id)
        if replay is not None:
            _check_replay_matches(replay, billing_account_id, amount_cents, idempotency_key)
            return _result_of(ctx, replay, replayed=True)
    payment = _insert_payment(
        ctx,
        billing_account_id=billing_account_id,
        channel=PaymentChannel(channel).value,
        method=PaymentMethod(method).value,
        amount_cents=amount_cents,
        received_on=received_on,
        reference=reference,
        external_id=external_id,
        idempotency_key=idempotency_key,
        cash_account=cash_account or configured_payments(ctx.settings).deposit_account,
        source=source,
    )
    audit.record(
        ctx,
        action="create",
        record_type="payment",
        record_id=payment.id,
        fields=["amount", "channel", "reference"],
        detail={"account": account_number},
    )
    if PaymentStatus(status) is PaymentStatus.SETTLED:
        return _settle_locked(
            ctx,
            payment,
            billing_account_id,
            settled_on=received_on,
            target=target,
            funding_account=funding_account,
            send_receipt=send_receipt,
        )
    return PostingResult(payment=payment, applied_cents=0, unapplied_cents=0)


def _insert_payment(ctx: ServiceContext, **fields: Any) -> Payment:
    """Insert a pending payment with one Core statement and return it as a persistent object.

    This costs less than adding the object and flushing it. Every column is given, so the
    object is complete, and later changes to it are flushed as an update in the usual way.
    """
    now = ctx.now()
    values = {
        **_NEW_PAYMENT,
        **fields,
        "status": PaymentStatus.PENDING.value,
        "created_by": ctx.actor.username,
        "created_at": now,
        "updated_at": now,
    }
    inserted = ctx.session.execute(_INSERT_PAYMENT, values)
    payment = Payment(id=int(inserted.inserted_primary_key[0]), **values)
    make_transient_to_detached(payment)
    ctx.session.add(payment)
    return payment


def settle_payment(
    ctx: ServiceContext,
    payment: Payment,
    *,
    settled_on: date,
    target: AllocationTarget | None = None,
    funding_account: LedgerAccount = LedgerAccount.CASH_CLEARING,
    send_receipt: bool = False,
    account: BillingAccount | None = None,
) -> PostingResult:
    """Make a pending payment final: post it and allocate it. Settling twice changes nothing.

    ``account`` is the payment's billing account when the caller already holds its lock.
    """
    if payment.status == PaymentStatus.SETTLED.value:
        return _result_of(ctx, payment, replayed=True)
    if payment.status != PaymentStatus.PENDING.value:
        # A return or reversal already decided this payment; a late settlement must not revive it.
        log.info("late settlement ignored", extra={"payment_id": payment.id, "status": payment.status})
        return _result_of(ctx, payment, replayed=True)
    assert payment.billing_account_id is not None
    if account is None or account.id != payment.billing_account_id:
        account = lock_account(ctx, payment.billing_account_id)
    return _settle_locked(
        ctx, payment, account.id, settled_on=settled_on, target=target, funding_account=funding_account, send_receipt=send_receipt
    )


def _settle_locked(
    ctx: ServiceContext,
    payment: Payment,
    billing_account_id: int,
    *,
    settled_on: date,
    target: AllocationTarget | None,
    funding_account: LedgerAccount,
    send_receipt: bool,
) -> PostingResult:
    """Settle a pending payment whose billing account row the caller has locked."""
    # Everything that decides the open items was flushed by the lock or by post_payment. What
    # may still be pending (post_payment's audit row) goes out with the payment's update below,
    # one flush instead of two.
    with ctx.session.no_autoflush:
        lines, entry_id = _post_allocation(
            ctx, payment, billing_account_id, settled_on=settled_on, target=target, funding_account=funding_account
        )
    payment.status = PaymentStatus.SETTLED.value
    payment.settled_on = settled_on
    payment.posting_entry_id = entry_id
    payment.updated_at = ctx.now()
    ctx.session.flush()
    if send_receipt:
        _record_receipt(ctx, payment, settled_on)
    return _summarize(payment, [(line.account.value, line.invoice_id, line.coverage_month, line.amount_cents) for line in lines])


def _post_allocation(
    ctx: ServiceContext,
    payment: Payment,
    billing_account_id: int,
    *,
    settled_on: date,
    target: AllocationTarget | None,
    funding_account: LedgerAccount,
) -> tuple[list[LineSpec], int]:
    """Apply the payment to the account's open items in one journal entry, and return its lines and the entry id."""
    items = open_items(ctx, billing_account_id)
    items = payable_items(items, target=target, policy_statuses=_policy_statuses(items))
    lines, applied = allocation_lines(items, payment.amount_cents, billing_account_id=billing_account_id, payment_id=payment.id)
    unapplied = payment.amount_cents - applied
    lines.append(
        LineSpec(
            account=funding_account,
            amount_cents=payment.amount_cents,
            payment_id=payment.id,
            cash_account=payment.cash_account if funding_account is LedgerAccount.CASH_CLEARING else None,
        )
    )
    if unapplied:
        lines.append(
            LineSpec(account=LedgerAccount.UNAPPLIED_CREDIT, amount_cents=-unapplied, billing_account_id=billing_account_id, payment_id=payment.id)
        )
    entry_id = ledger.post_entry_id(
        ctx,
        kind=EntryKind.PAYMENT,
        entry_date=settled_on,
        lines=lines,
        reference=payment.reference,
        description=f"{payment.channel} payment {payment.id}",
        billing_account_id=billing_account_id,
    )
    return lines, entry_id


def _policy_statuses(items: list[OpenItem]) -> dict[int, str]:
    # The open items carry their policy's status, read with them after the account lock.
    needed = policies_needing_status(items)
    return {item.policy_id: item.policy_status for item in items if item.policy_id in needed and item.policy_status is not None}


def _record_receipt(ctx: ServiceContext, payment: Payment, settled_on: date) -> None:
    assert payment.billing_account_id is not None
    create_notice(
        ctx,
        notice_type=NoticeType.PAYMENT_RECEIPT,
        billing_account_id=payment.billing_account_id,
        as_of=settled_on,
        dedupe_key=f"payment:{payment.id}",
        payment_id=payment.id,
        data={
            "amount_cents": payment.amount_cents,
            "received_on": payment.received_on.isoformat(),
            "balance_after_cents": ledger.account_balance(ctx, payment.billing_account_id),
        },
    )


def return_payment(ctx: ServiceContext, payment: Payment, *, return_code: str, returned_on: date) -> Payment:
    """Reverse the posting of a payment the bank sent back, reopening what it paid.

    The payment keeps its row with status ``returned``. The original journal entry stays and
    a reversing entry undoes it. Returning a payment twice changes nothing.
    """
    if payment.status == PaymentStatus.RETURNED.value:
        return payment
    if payment.status == PaymentStatus.REVERSED.value:
        raise ConflictError(
            code="payment.already_reversed",
            message=f"Payment {payment.id} was reversed by staff and cannot also be returned.",
            record=f"payment {payment.id}",
            field="status",
            value=payment.status,
        )
    if payment.billing_account_id is not None:
        lock_account(ctx, payment.billing_account_id)
    if payment.posting_entry_id is not None:
        ledger.reverse_entry(ctx, payment.posting_entry_id, entry_date=returned_on, reason=f"payment returned {return_code}")
    payment.status = PaymentStatus.RETURNED.value
    payment.returned_on = returned_on
    payment.return_code = return_code
    payment.updated_at = ctx.now()
    ctx.session.flush()
    audit.record(ctx, action="return", record_type="payment", record_id=payment.id, detail={"code": return_code})
    return payment


def reverse_payment(ctx: ServiceContext, payment_id: int, *, reason: str, on: date) -> Payment:
    """Reverse a posted payment as a supervisor's correction, keeping the reason on the payment."""
    ctx.require(Permission.PAYMENTS_REVERSE)
    payment = get_payment(ctx, payment_id)
    if not reason.strip():
        raise ValidationError(
            code="payment.reversal_reason_missing",
            message="A reversal needs a reason.",
            field="reason",
            hint="Say why the payment is reversed.",
        )
    if payment.status in {PaymentStatus.REVERSED.value, PaymentStatus.RETURNED.value}:
        raise ConflictError(
            code="payment.not_reversible",
            message=f"Payment {payment.id} is already {payment.status}.",
            record=f"payment {payment.id}",
            field="status",
            value=payment.status,
        )
    if payment.billing_account_id is not None:
        lock_account(ctx, payment.billing_account_id)
    if payment.posting_entry_id is not None:
        ledger.reverse_entry(ctx, payment.posting_entry_id, entry_date=on, reason=f"reversed: {reason}")
    payment.status = PaymentStatus.REVERSED.value
    payment.reversal_reason = reason.strip()
    payment.updated_at = ctx.now()
    _reopen_suspense_of(ctx, payment)
    ctx.session.flush()
    audit.record(ctx, action="reverse", record_type="payment", record_id=payment.id, detail={"reason": reason.strip()})
    return payment


def _reopen_suspense_of(ctx: ServiceContext, payment: Payment) -> None:
    """Reopen the suspense item a reversed payment was applied from, since its money is back in suspense."""
    item = ctx.session.scalar(select(SuspenseItem).where(SuspenseItem.payment_id == payment.id))
    if item is not None:
        item.status = SuspenseStatus.OPEN.value
        item.resolution_note = f"reopened: payment {payment.id} reversed"
        item.billing_account_id = None
        item.payment_id = None


def get_payment(ctx: ServiceContext, payment_id: int) -> Payment:
    payment = ctx.session.get(Payment, payment_id)
    if payment is None:
        raise NotFoundError(code="payment.not_found", message=f"Payment {payment_id} does not exist.", field="payment_id", value=payment_id)
    return payment


_BY_IDEMPOTENCY_KEY = select(Payment).where(Payment.idempotency_key == bindparam("key"))
_BY_EXTERNAL_ID = select(Payment).where(Payment.external_id == bindparam("key"))


def _replay(ctx: ServiceContext, idempotency_key: str | None, external_id: str | None) -> Payment | None:
    if idempotency_key:
        found = ctx.session.scalar(_BY_IDEMPOTENCY_KEY, {"key": idempotency_key})
        if found is not None:
            return found
    if external_id:
        return ctx.session.scalar(_BY_EXTERNAL_ID, {"key": external_id})
    return None


def _raise_if_key_used(
    ctx: ServiceContext, idempotency_key: str | None, external_id: str | None, billing_account_id: int, amount_cents: int
) -> None:
    """Raise the conflict a reused key gives before any other error about the request."""
    replay = _replay(ctx, idempotency_key, external_id)
    if replay is not None:
        _check_replay_matches(replay, billing_account_id, amount_cents, idempotency_key)


def _check_replay_matches(payment: Payment, billing_account_id: int, amount_cents: int, key: str | None) -> None:
    if payment.billing_account_id != billing_account_id or payment.amount_cents != amount_cents:
        raise ConflictError(
            code="payment.idempotency_key_reused",
            message=f"Idempotency key {key!r} was already used for a different payment ({payment.id}).",
            field="idempotency_key",
            value=key,
            hint="Use a new key for a new payment; reuse a key only to retry the same request.",
        )


def _result_of(ctx: ServiceContext, payment: Payment, *, replayed: bool = False) -> PostingResult:
    if payment.posting_entry_id is None:
        return PostingResult(payment=payment, applied_cents=0, unapplied_cents=0, replayed=replayed)
    rows = ctx.session.execute(
        select(JournalLine.ledger_account, JournalLine.invoice_id, JournalLine.coverage_month, JournalLine.amount_cents).where(
            JournalLine.entry_id == payment.posting_entry_id
        )
    ).all()
    return _summarize(payment, [tuple(row) for row in rows], replayed=replayed)


def _summarize(
    payment: Payment, lines: list[tuple[str, int | None, date | None, int]], *, replayed: bool = False
) -> PostingResult:
    """Sum a posting's journal lines into what it applied per invoice and coverage month."""
    receivable = LedgerAccount.PREMIUM_RECEIVABLE.value
    per_month: dict[tuple[int | None, date | None], int] = {}
    for account, invoice_id, month, cents in lines:
        if account == receivable:
            per_month[(invoice_id, month)] = per_month.get((invoice_id, month), 0) - int(cents)
    allocations = [
        {"invoice_id": invoice_id, "coverage_month": month.isoformat()[:7] if month else None, "amount": format_cents(cents, thousands=False)}
        for (invoice_id, month), cents in per_month.items()
    ]
    unapplied = -sum(int(cents) for account, _, _, cents in lines if account == LedgerAccount.UNAPPLIED_CREDIT.value)
    return PostingResult(
        payment=payment, applied_cents=sum(per_month.values()), unapplied_cents=unapplied, allocations=allocations, replayed=replayed
    )
