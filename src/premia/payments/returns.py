"""Import ACH returns and notifications of change, and act on each return code.

An entry is found by the trace number of the entry Premia sent. A returned draft's payment
is reversed: the row stays with status ``returned`` and a reversing entry undoes its
posting, so the invoice is open again from its original due date. Then the code decides:

| Codes | Action |
|---|---|
| R01, R09 | may be presented again, at most twice within 180 days |
| R02, R03, R04 | the bank account is deactivated and auto-draft stops; the payer is asked for a new method |
| R05, R07, R10, R29 | the debit authorization is revoked: the bank account is deactivated and auto-draft stops |
| R08 | the payer is contacted before any retry; nothing is presented again automatically |

The returned-payment fee is charged where configured, and a returned-payment notice is
recorded. A return that the ODFI dishonored (R61-R70 as the last addenda) leaves the
payment standing; a dishonor the RDFI contested (R71-R77) does not. A returned refund
credit puts the refunded credit back on the account. Notifications of change C01-C07
correct the stored bank details.
"""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select

from premia.accounts.tables import BankAccount, BillingAccount
from premia.audit import service as audit
from premia.formats.nacha import Entry, NachaFile, ReturnKind, ReturnReasonCode, read_nacha
from premia.infra.context import ServiceContext
from premia.kernel.money import format_cents
from premia.ledger import service as ledger
from premia.notices.model import NoticeType
from premia.notices.service import create_notice
from premia.payments.config import DEFAULT_CONFIG, PaymentsConfig
from premia.payments.fees import post_returned_payment_fee, returned_payment_fee_cents
from premia.payments.imports import ImportReport, begin_import, complete_import, content_sha256, record_item, report_for, stored_keys
from premia.payments.mandates import apply_change, deactivate_bank, stop_autodraft
from premia.payments.model import (
    AchEntryStatus,
    AchPurpose,
    ImportKind,
    ItemOutcome,
    RefundStatus,
    Representment,
    ReturnAction,
    SuspenseStatus,
)
from premia.payments.representment import representment_after_return
from premia.payments.service import lock_account, return_payment
from premia.payments.tables import AchEntry, Payment, PaymentImport, Refund, SuspenseItem

RETURN_ACTIONS: dict[ReturnReasonCode, ReturnAction] = {
    ReturnReasonCode.R01: ReturnAction.REPRESENT,
    ReturnReasonCode.R09: ReturnAction.REPRESENT,
    ReturnReasonCode.R02: ReturnAction.DEACTIVATE_BANK_ACCOUNT,
    ReturnReasonCode.R03: ReturnAction.DEACTIVATE_BANK_ACCOUNT,
    ReturnReasonCode.R04: ReturnAction.DEACTIVATE_BANK_ACCOUNT,
    ReturnReasonCode.R05: ReturnAction.REVOKE_AUTHORIZATION,
    ReturnReasonCode.R07: ReturnAction.REVOKE_AUTHORIZATION,
    ReturnReasonCode.R10: ReturnAction.REVOKE_AUTHORIZATION,
    ReturnReasonCode.R29: ReturnAction.REVOKE_AUTHORIZATION,
    ReturnReasonCode.R08: ReturnAction.CONTACT_PAYER,
}


def return_action(code: ReturnReasonCode) -> ReturnAction:
    """Return the action a return code calls for beyond reversing the payment."""
    return RETURN_ACTIONS.get(code, ReturnAction.NONE)


def import_nacha_returns(
    ctx: ServiceContext, content: bytes, *, file_name: str, as_of: date, config: PaymentsConfig = DEFAULT_CONFIG
) -> ImportReport:
    """Read a return or NOC file and act on every entry; a malformed file raises ``NachaFileRejected``."""
    nacha = read_nacha(content)
    control = _control_key(nacha, content)
    start = begin_import(ctx, kind=ImportKind.NACHA_RETURNS, file_name=file_name, content=content, control_key=control, as_of=as_of)
    if start.finished_before:
        return report_for(ctx, start.record, already_imported=True)

    keyed = [(_item_key(entry, control), entry) for entry in nacha.entries]
    stored = stored_keys(ctx, (key for key, _ in keyed))
    duplicates = 0
    for key, entry in keyed:
        if key in stored:
            duplicates += 1
            continue
        stored.add(key)
        if entry.returns:
            _handle_return(ctx, start.record, key, entry, as_of=as_of, config=config)
        elif entry.change is not None:
            _handle_change(ctx, start.record, key, entry)
        else:
            record_item(
                ctx,
                start.record,
                item_key=key,
                position=entry.record_number,
                amount_cents=entry.amount_cents,
                outcome=ItemOutcome.SKIPPED,
                explanation=f"Entry {entry.trace_number} carries no return or notification of change; nothing to do.",
                reference=entry.individual_id,
            )
    warnings = [warning.message for warning in nacha.warnings]
    return complete_import(ctx, start.record, duplicates=duplicates, warnings=warnings)


def _handle_return(
    ctx: ServiceContext, record: PaymentImport, key: str, entry: Entry, *, as_of: date, config: PaymentsConfig
) -> None:
    first = entry.returns[0]
    last = entry.returns[-1]
    code = first.reason_code
    sent = _sent_entry(ctx, first.original_trace_number)
    base = dict(item_key=key, position=entry.record_number, amount_cents=entry.amount_cents, reference=first.original_trace_number)
    if sent is None:
        record_item(
            ctx,
            record,
            **base,
            outcome=ItemOutcome.UNMATCHED,
            explanation=f"Return {code.value} ({code.reason}) is for trace number {first.original_trace_number}, "
            "which is not an entry Premia sent; nothing was reversed.",
        )
        return
    if last.kind is ReturnKind.DISHONORED:
        record_item(
            ctx,
            record,
            **base,
            outcome=ItemOutcome.RECORDED,
            billing_account_id=sent.billing_account_id,
            explanation=f"Return {code.value} was dishonored by the ODFI ({last.reason_code.value}: {last.reason_code.reason}); "
            "the payment stands.",
        )
        return
    if sent.purpose == AchPurpose.REFUND.value:
        explanation = _refund_returned(ctx, sent, code, as_of=as_of)
        record_item(ctx, record, **base, outcome=ItemOutcome.RETURNED, billing_account_id=sent.billing_account_id, explanation=explanation)
        return

    payment = ctx.session.get(Payment, sent.payment_id) if sent.payment_id else None
    assert payment is not None and payment.billing_account_id is not None
    account = lock_account(ctx, payment.billing_account_id)
    return_payment(ctx, payment, return_code=code.value, returned_on=as_of)
    sent.status = AchEntryStatus.RETURNED.value
    sent.return_code = code.value
    sent.returned_on = as_of
    steps = _act_on_code(ctx, account, sent, code, as_of=as_of, config=config)

    fee = 0
    if sent.purpose in (AchPurpose.DRAFT.value, AchPurpose.RETRY.value):
        fee = returned_payment_fee_cents(ctx, account, code, config.return_fee)
        if post_returned_payment_fee(ctx, account, amount_cents=fee, code=code, payment_id=payment.id, on=as_of) is None:
            fee = 0
    if fee:
        steps.append(f"a returned-payment fee of {format_cents(fee)} was charged")
    amount_due = ledger.account_balance(ctx, account.id)
    create_notice(
        ctx,
        notice_type=NoticeType.RETURNED_PAYMENT,
        billing_account_id=account.id,
        as_of=as_of,
        dedupe_key=f"payment:{payment.id}",
        payment_id=payment.id,
        data={
            "amount_cents": payment.amount_cents,
            "received_on": payment.received_on.isoformat(),
            "returned_on": as_of.isoformat(),
            "return_code": code.value,
            "fee_cents": fee,
            "amount_due_cents": amount_due,
            "action": return_action(code).value,
        },
    )
    record_item(
        ctx,
        record,
        **base,
        outcome=ItemOutcome.RETURNED,
        billing_account_id=account.id,
        payment_id=payment.id,
        explanation=f"Payment {payment.id} of {format_cents(payment.amount_cents)} returned {code.value} ({code.reason}); "
        + "; ".join(["the payment was reversed", *steps])
        + ".",
    )


def _act_on_code(
    ctx: ServiceContext, account: BillingAccount, sent: AchEntry, code: ReturnReasonCode, *, as_of: date, config: PaymentsConfig
) -> list[str]:
    """Apply the code's action to the mandate; return what was done, in words."""
    action = return_action(code)
    bank = ctx.session.get(BankAccount, sent.bank_account_id) if sent.bank_account_id else None
    steps: list[str] = []
    if action in (ReturnAction.DEACTIVATE_BANK_ACCOUNT, ReturnAction.REVOKE_AUTHORIZATION):
        what = "authorization revoked" if action is ReturnAction.REVOKE_AUTHORIZATION else code.reason
        reason = f"ACH return {code.value}: {what}"
        if bank is not None:
            deactivate_bank(ctx, bank, reason=reason)
            steps.append("the bank account was deactivated")
        if stop_autodraft(ctx, account, reason=reason):
            steps.append("auto-draft was stopped and the payer is asked for a new payment method")
    elif action is ReturnAction.CONTACT_PAYER:
        steps.append("the payer must be contacted before any retry")

    decision = representment_after_return(ctx, sent, code, returned_on=as_of, config=config)
    if decision is Representment.ELIGIBLE:
        steps.append("it will be presented again (RETRY PYMT)")
    elif decision is Representment.EXHAUSTED:
        steps.append("it cannot be presented again")
        if stop_autodraft(ctx, account, reason=f"ACH return {code.value} after the last allowed re-presentment"):
            steps.append("auto-draft was stopped")
    return steps


def _refund_returned(ctx: ServiceContext, sent: AchEntry, code: ReturnReasonCode, *, as_of: date) -> str:
    """Undo the payment and approval of a returned refund credit, so the credit is the payer's again."""
    sent.status = AchEntryStatus.RETURNED.value
    sent.return_code = code.value
    sent.returned_on = as_of
    refund = ctx.session.get(Refund, sent.refund_id) if sent.refund_id else None
    if refund is None or refund.status != RefundStatus.PAID.value:
        return f"Refund entry {sent.trace_number} returned {code.value}; the refund was not marked paid, so nothing was reversed."
    if refund.billing_account_id is not None:
        lock_account(ctx, refund.billing_account_id)
    for entry_id in (refund.paid_entry_id, refund.payable_entry_id):
        if entry_id is not None:
            ledger.reverse_entry(ctx, entry_id, entry_date=as_of, reason=f"refund {refund.id} returned {code.value}")
    refund.status = RefundStatus.RETURNED.value
    if refund.suspense_item_id is not None:
        item = ctx.session.get(SuspenseItem, refund.suspense_item_id)
        if item is not None:
            item.status = SuspenseStatus.OPEN.value
            item.refund_id = None
            item.resolution_note = f"refund {refund.id} returned {code.value}"
    ctx.session.flush()
    audit.record(ctx, action="return", record_type="refund", record_id=refund.id, detail={"code": code.value})
    amount = format_cents(refund.amount_cents)
    return f"Refund {refund.id} of {amount} returned {code.value} ({code.reason}); the credit is back on the account."


def _handle_change(ctx: ServiceContext, record: PaymentImport, key: str, entry: Entry) -> None:
    change = entry.change
    assert change is not None
    sent = _sent_entry(ctx, change.original_trace_number)
    base = dict(item_key=key, position=entry.record_number, amount_cents=0, reference=change.original_trace_number)
    if sent is None or sent.bank_account_id is None:
        record_item(
            ctx,
            record,
            **base,
            outcome=ItemOutcome.UNMATCHED,
            explanation=f"Notification of change {change.change_code.value} is for trace number {change.original_trace_number}, "
            "which is not an entry Premia sent; no bank details were changed.",
        )
        return
    bank = ctx.session.get(BankAccount, sent.bank_account_id)
    assert bank is not None
    changed = apply_change(ctx, bank, change)
    label = f"{change.change_code.value} ({change.change_code.correction})"
    if changed:
        outcome, explanation = ItemOutcome.CHANGED, f"{label}: updated {', '.join(changed)}."
    else:
        outcome, explanation = ItemOutcome.RECORDED, f"{label}: no stored detail needed changing."
    record_item(ctx, record, **base, outcome=outcome, billing_account_id=sent.billing_account_id, explanation=explanation)


def _sent_entry(ctx: ServiceContext, trace_number: str) -> AchEntry | None:
    """Find the newest entry Premia sent with this trace number (sequences restart after 9,999,999)."""
    return ctx.session.scalars(select(AchEntry).where(AchEntry.trace_number == trace_number).order_by(AchEntry.id.desc())).first()


def _item_key(entry: Entry, control: str) -> str:
    if entry.returns:
        codes = ",".join(addenda.reason_code.value for addenda in entry.returns)
        return f"nacha-return:{entry.returns[0].original_trace_number}:{codes}"
    if entry.change is not None:
        digest = hashlib.sha256(entry.change.corrected_data.encode("utf-8")).hexdigest()[:16]
        return f"nacha-noc:{entry.change.original_trace_number}:{entry.change.change_code.value}:{digest}"
    return f"nacha-entry:{control}:{entry.record_number}"


def _control_key(nacha: NachaFile, content: bytes) -> str:
    header = nacha.header
    if header is None:
        # A return extract has no file header; its content identifies it.
        return f"nacha:extract:{content_sha256(content)[:32]}"
    return (
        f"nacha:{header.immediate_origin.strip()}:{header.immediate_destination.strip()}:"
        f"{header.created_on.isoformat()}:{header.created_at or ''}:{header.file_id_modifier}"
    )
