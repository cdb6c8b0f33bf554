"""Import a lockbox batch (CSV): each check is posted to the account its coupon names, or held in suspense.

A check is matched by its invoice number (normalised, exact), then by the billing account
number on the coupon, then by the words of its memo, each compared whole. The batch is
checked as a whole first: any row the reader rejects rejects the batch, so a batch is
posted completely or not at all and its total still agrees with the bank's deposit.
"""

from __future__ import annotations

from datetime import date

from premia.formats.lockbox import read_lockbox_csv
from premia.infra.context import ServiceContext
from premia.payments.config import DEFAULT_CONFIG, PaymentsConfig
from premia.payments.imports import ImportReport, begin_import, complete_import, content_sha256, reject_file, report_for
from premia.payments.model import ImportKind, PaymentChannel, PaymentMethod
from premia.payments.receipts import Receipt, post_receipts


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
        for payment in batch.payments
    ]
    _, duplicates = post_receipts(ctx, start.record, receipts, source=f"lockbox import {start.record.id}")
    warnings = [warning.message for warning in batch.warnings]
    return complete_import(ctx, start.record, duplicates=duplicates, warnings=warnings)
