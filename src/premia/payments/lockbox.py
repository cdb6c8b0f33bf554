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

import hashlib
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
    record_item,
    reject_file,
    report_for,
    stored_keys,
)
from premia.payments.lockbox_deposits import StatementPostings, load_statement_postings, named_accounts
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
    # A CSV batch has no control numbers of its own, so its checks identify it: the same
    # checks sent again with other line endings, quoting or blank lines post nothing twice.
    control = f"lockbox:{batch_digest(batch.payments)}"
    start = begin_import(ctx, kind=ImportKind.LOCKBOX, file_name=file_name, content=content, control_key=control, as_of=as_of)
    if start.finished_before:
        return report_for(ctx, start.record, already_imported=True)

    # Each check is keyed by its place among the batch's checks, not by its line number, so a
    # blank line or a quoted line break in a resent file keeps every key the same.
    checks = [(f"{control}:{ordinal}", payment) for ordinal, payment in enumerate(batch.payments, start=1)]
    checks = _not_posted_by_statements(ctx, start.record, checks)
    receipts = [
        Receipt(
            item_key=item_key,
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
        for item_key, payment in checks
    ]
    _, duplicates = post_receipts(ctx, start.record, receipts, source=f"lockbox import {start.record.id}")
    warnings = [warning.message for warning in batch.warnings]
    return complete_import(ctx, start.record, duplicates=duplicates, warnings=warnings)


def _not_posted_by_statements(
    ctx: ServiceContext, record: PaymentImport, checks: list[tuple[str, LockboxPayment]]
) -> list[tuple[str, LockboxPayment]]:
    """Record the checks (with their item keys) a bank statement's lockbox credit already posted; return the others."""
    if not checks:
        return []
    stored = stored_keys(ctx, (item_key for item_key, _ in checks))
    days = [payment.received_on for _, payment in checks]
    postings: StatementPostings = load_statement_postings(ctx, min(days), max(days))
    if not postings.postings:
        return checks
    references = [(payment.invoice_number, payment.account_number, payment.memo) for _, payment in checks]
    accounts = named_accounts(ctx, references)
    remaining = []
    for (item_key, payment), account_id in zip(checks, accounts, strict=True):
        posting = None
        if item_key not in stored:
            posting = postings.posted_before(
                payment.amount_cents, payment.received_on, (payment.invoice_number, payment.account_number), account_id
            )
        if posting is None:
            remaining.append((item_key, payment))
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


def batch_digest(payments: Sequence[LockboxPayment]) -> str:
    """Return the SHA-256 of the batch's checks in order, each value as read, whatever the file's layout."""
    lines = [
        "|".join(
            [
                payment.invoice_number or "",
                str(payment.amount_cents),
                payment.received_on.isoformat(),
                payment.account_number or "",
                payment.check_number or "",
                payment.payer_name or "",
                payment.memo or "",
            ]
        )
        for payment in payments
    ]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()

