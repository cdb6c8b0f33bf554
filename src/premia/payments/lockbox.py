"""Import a lockbox batch (CSV): each check is posted to the account its coupon names, or held in suspense.

A check is matched by its invoice number (normalised, exact), then by the billing account
number on the coupon, then by the words of its memo, each compared whole. The batch is
checked as a whole first: any row the reader rejects rejects the batch, so a batch is
posted completely or not at all and its total still agrees with the bank's deposit.

A check that a bank statement's lockbox credit already posted (same amount, its invoice or
account number named, booked within five days) is recorded with a link to that payment
instead of posted again (``lockbox_deposits``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from premia.formats.lockbox import LockboxPayment, read_lockbox_csv
from premia.infra.context import ServiceContext
from premia.kernel.money import format_cents
from premia.payments.config import DEFAULT_CONFIG, PaymentsConfig
from premia.payments.imports import (
    ImportReport,
    begin_import,
    complete_import,
    content_sha256,
    record_item,
    reject_file,
    report_for,
    stored_keys,
)
from premia.payments.lockbox_deposits import StatementPostings, load_statement_postings
from premia.payments.model import ImportKind, ItemOutcome, PaymentChannel, PaymentMethod
from premia.payments.receipts import Receipt, post_receipts
from premia.payments.tables import PaymentImport


def import_lockbox(
    ctx: ServiceContext, content: bytes, *, file_name: str, as_of: date, config: PaymentsConfig = DEFAULT_CONFIG
) -> ImportReport:
    """Read a lockbox CSV batch and post its checks; a malformed batch raises and posts nothing."""
    batch = read_lockbox_csv(content)
    if batch.rejected_rows:
        raise reject_file(
            "lockbox.rows_rejected",
            "Lockbox batch",
            batch.rejected_rows,
            "Correct the listed rows and import the whole batch again; no check of it was posted.",
        )
    digest = content_sha256(content)
    # A CSV batch has no control numbers of its own, so its content identifies it.
    control = f"lockbox:{digest}"
    start = begin_import(ctx, kind=ImportKind.LOCKBOX, file_name=file_name, content=content, control_key=control, as_of=as_of)
    if start.finished_before:
        return report_for(ctx, start.record, already_imported=True)

    payments = _not_posted_by_statements(ctx, start.record, control, batch.payments)
    receipts = [
        Receipt(
            item_key=f"{control}:{payment.line_number}",
            position=payment.line_number,
            amount_cents=payment.amount_cents,
            received_on=payment.received_on,
            cash_account=config.deposit_account,
            channel=PaymentChannel.LOCKBOX,
            method=PaymentMethod.CHECK,
            references=(payment.invoice_number, payment.account_number, payment.memo),
            payer_name=payment.payer_name,
            bank_reference=payment.check_number,
        )
        for payment in payments
    ]
    _, duplicates = post_receipts(ctx, start.record, receipts, source=f"lockbox import {start.record.id}")
    warnings = [warning.message for warning in batch.warnings]
    return complete_import(ctx, start.record, duplicates=duplicates, warnings=warnings)


def _not_posted_by_statements(
    ctx: ServiceContext, record: PaymentImport, control: str, payments: Sequence[LockboxPayment]
) -> list[LockboxPayment]:
    """Record the checks a bank statement's lockbox credit already posted; return the others."""
    if not payments:
        return []
    stored = stored_keys(ctx, (f"{control}:{payment.line_number}" for payment in payments))
    postings: StatementPostings = load_statement_postings(
        ctx, min(payment.received_on for payment in payments), max(payment.received_on for payment in payments)
    )
    remaining = []
    for payment in payments:
        item_key = f"{control}:{payment.line_number}"
        posting = None
        if item_key not in stored:
            posting = postings.posted_before(
                payment.amount_cents, payment.received_on, (payment.invoice_number, payment.account_number)
            )
        if posting is None:
            remaining.append(payment)
            continue
        record_item(
            ctx,
            record,
            item_key=item_key,
            position=payment.line_number,
            amount_cents=payment.amount_cents,
            outcome=ItemOutcome.RECORDED,
            explanation=(
                f"The bank statement of import {posting.import_id} already posted this check of "
                f"{format_cents(payment.amount_cents)} as payment {posting.payment_id} on "
                f"{posting.booked_on.isoformat()}; recorded, not posted again."
            ),
            reference=payment.invoice_number or payment.account_number or payment.memo or None,
            payment_id=posting.payment_id,
        )
    return remaining
