"""Build and keep the NACHA files Premia originates: drafts, re-presentments, return fees, refunds.

Each file is written by :func:`premia.formats.nacha.write_nacha` and stored whole with
one row per entry, so a return or notification of change finds the entry again by its
trace number. Trace sequences continue across files and start again at 1 after 9,999,999.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from premia.accounts.model import BankAccountType
from premia.accounts.tables import BankAccount
from premia.formats.nacha import TransactionCode
from premia.formats.nacha.writer import EntryDescription, OutgoingBatch, OutgoingEntry, write_nacha
from premia.infra.context import ServiceContext
from premia.payments.config import PaymentsConfig
from premia.payments.model import AchEntryStatus, AchPurpose
from premia.payments.tables import AchEntry, AchFile

MAX_TRACE_SEQUENCE = 9_999_999
FILE_ID_MODIFIERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
DESCRIPTIONS = {
    AchPurpose.DRAFT: EntryDescription.PREMIUM,
    AchPurpose.RETRY: EntryDescription.RETRY_PAYMENT,
    AchPurpose.RETURN_FEE: EntryDescription.RETURN_FEE,
    AchPurpose.REFUND: EntryDescription.REFUND,
}


@dataclass(frozen=True)
class PlannedEntry:
    """An entry to originate, before it has a trace number."""

    purpose: AchPurpose
    bank: BankAccount
    amount_cents: int
    individual_id: str
    billing_account_id: int | None
    refund_id: int | None = None
    original_entry_id: int | None = None
    attempt: int = 0


def transaction_code(purpose: AchPurpose, account_type: str) -> TransactionCode:
    """27 or 37 debits a checking or savings account; 22 or 32 credits it (refunds)."""
    savings = account_type == BankAccountType.SAVINGS.value
    if purpose is AchPurpose.REFUND:
        return TransactionCode.SAVINGS_CREDIT if savings else TransactionCode.CHECKING_CREDIT
    return TransactionCode.SAVINGS_DEBIT if savings else TransactionCode.CHECKING_DEBIT


def originate(
    ctx: ServiceContext,
    *,
    file_purpose: AchPurpose,
    as_of: date,
    effective_date: date,
    planned: Sequence[PlannedEntry],
    config: PaymentsConfig,
) -> tuple[AchFile, list[AchEntry]]:
    """Write one NACHA file with a batch per purpose, store it and its entries, and return them."""
    groups = [(purpose, [entry for entry in planned if entry.purpose is purpose]) for purpose in AchPurpose]
    groups = [(purpose, entries) for purpose, entries in groups if entries]
    ordered = [entry for _, entries in groups for entry in entries]

    first_sequence = _next_sequence(ctx, len(ordered))
    batches = [
        OutgoingBatch(
            entry_description=DESCRIPTIONS[purpose].value,
            effective_entry_date=effective_date,
            entries=[
                OutgoingEntry(
                    transaction_code=transaction_code(purpose, entry.bank.account_type),
                    routing_number=entry.bank.routing_number,
                    account_number=ctx.cipher.decrypt(entry.bank.account_number_ciphertext),
                    amount_cents=entry.amount_cents,
                    individual_id=entry.individual_id,
                    individual_name=entry.bank.holder_name,
                )
                for entry in entries
            ],
        )
        for purpose, entries in groups
    ]
    originator = config.originator.as_originator()
    text = write_nacha(
        originator=originator,
        batches=batches,
        created_at=ctx.now(),
        file_id_modifier=_file_id_modifier(ctx, as_of),
        first_trace_sequence=first_sequence,
    )

    debits = sum(entry.amount_cents for entry in ordered if entry.purpose is not AchPurpose.REFUND)
    ach_file = AchFile(
        purpose=file_purpose.value,
        as_of=as_of,
        entry_count=len(ordered),
        debit_total_cents=debits,
        credit_total_cents=sum(entry.amount_cents for entry in ordered) - debits,
        content_sha256=hashlib.sha256(text.encode("ascii")).hexdigest(),
        content=text,
        created_by=ctx.actor.username,
        created_at=ctx.now(),
    )
    ctx.session.add(ach_file)
    ctx.session.flush()

    odfi = originator.odfi_routing_number[:8]
    rows = [
        AchEntry(
            file_id=ach_file.id,
            trace_number=f"{odfi}{first_sequence + offset:07d}",
            purpose=entry.purpose.value,
            billing_account_id=entry.billing_account_id,
            bank_account_id=entry.bank.id,
            refund_id=entry.refund_id,
            amount_cents=entry.amount_cents,
            effective_date=effective_date,
            individual_id=entry.individual_id[:15],
            status=AchEntryStatus.PENDING.value,
            original_entry_id=entry.original_entry_id,
            attempt=entry.attempt,
        )
        for offset, entry in enumerate(ordered)
    ]
    ctx.session.add_all(rows)
    ctx.session.flush()
    return ach_file, rows


def _next_sequence(ctx: ServiceContext, count: int) -> int:
    last = ctx.session.scalar(select(AchEntry.trace_number).order_by(AchEntry.id.desc()).limit(1))
    following = int(last[8:]) + 1 if last else 1
    if following + count - 1 > MAX_TRACE_SEQUENCE:
        return 1
    return following


def _file_id_modifier(ctx: ServiceContext, as_of: date) -> str:
    """Return A for the day's first file and B for the second, which NACHA uses to tell same-day files apart."""
    earlier = ctx.session.scalar(select(func.count(AchFile.id)).where(AchFile.as_of == as_of)) or 0
    return FILE_ID_MODIFIERS[int(earlier) % len(FILE_ID_MODIFIERS)]
