"""Build and keep the NACHA files Premia originates: drafts, re-presentments, return fees, refunds.

Each file is written by :func:`premia.formats.nacha.write_nacha` and stored whole with
one row per entry, so a return or notification of change finds the entry again by its
trace number. Trace sequences continue across files and start again at 1 after 9,999,999.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from premia.accounts.model import BankAccountType
from premia.accounts.tables import BankAccount
from premia.formats.nacha import StandardEntryClass, TransactionCode
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


# WEB and TEL debits state whether they are recurring. A draft and its re-presentment use
# the member's standing authorization, and a returned-payment fee is a single payment.
PAYMENT_TYPES = {
    AchPurpose.DRAFT: "R",
    AchPurpose.RETRY: "R",
    AchPurpose.RETURN_FEE: "S",
    AchPurpose.REFUND: "",
}


def entry_class(entry: PlannedEntry) -> StandardEntryClass:
    """Return the SEC code of an entry: its mandate's (PPD, WEB or TEL) for a debit, PPD for a refund credit."""
    if entry.purpose is AchPurpose.REFUND:
        return StandardEntryClass.PPD
    return StandardEntryClass(entry.bank.sec_code)


def originate(
    ctx: ServiceContext,
    *,
    file_purpose: AchPurpose,
    as_of: date,
    effective_date: date,
    planned: Sequence[PlannedEntry],
    config: PaymentsConfig,
) -> tuple[AchFile, list[AchEntry]]:
    """Write one NACHA file with a batch per purpose and class of authorization, store it and its entries, and return them."""
    groups: dict[tuple[AchPurpose, StandardEntryClass], list[PlannedEntry]] = {}
    for purpose in AchPurpose:
        for entry in planned:
            if entry.purpose is purpose:
                groups.setdefault((purpose, entry_class(entry)), []).append(entry)
    ordered = [entry for entries in groups.values() for entry in entries]

    first_sequence = _next_sequence(ctx, len(ordered))
    batches = [
        OutgoingBatch(
            entry_description=DESCRIPTIONS[purpose].value,
            effective_entry_date=effective_date,
            standard_entry_class=sec,
            entries=[
                OutgoingEntry(
                    transaction_code=transaction_code(purpose, entry.bank.account_type),
                    routing_number=entry.bank.routing_number,
                    account_number=ctx.cipher.decrypt(entry.bank.account_number_ciphertext),
                    amount_cents=entry.amount_cents,
                    individual_id=entry.individual_id,
                    individual_name=entry.bank.holder_name,
                    payment_type_code=PAYMENT_TYPES[purpose] if sec is not StandardEntryClass.PPD else "",
                )
                for entry in entries
            ],
        )
        for (purpose, sec), entries in groups.items()
    ]
    originator = config.originator.as_originator()
    text = write_nacha(
        originator=originator,
        batches=batches,
        created_at=file_created_at(ctx, as_of),
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


def file_created_at(ctx: ServiceContext, as_of: date) -> datetime:
    """Return the creation date and time the file header carries: the run's as-of date, carrier-local.

    A run for today takes the current local time. A run for another day, such as one that
    catches up after an outage, is dated that day at midnight, so its effective dates are
    checked against the business date it was run for and not against the wall clock.
    """
    local = ctx.now().astimezone(ZoneInfo(ctx.settings.time_zone))
    if local.date() == as_of:
        return local
    return datetime.combine(as_of, time(0, 0), tzinfo=local.tzinfo)


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
