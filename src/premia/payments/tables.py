"""Tables of the payment area.

A payment row is never deleted. Returns and reversals change its status and post new
journal entries, leaving the original entry as it was. Imported files are kept with their
content hash. Every line, loop or entry of a file is kept with a unique key built from the
file's own control numbers and the line's position, so importing a file again, or resuming
an import that stopped, posts nothing twice.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, BigId, UtcDateTime


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_account_received", "billing_account_id", "received_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    billing_account_id: Mapped[int | None] = mapped_column(ForeignKey("billing_accounts.id"))
    channel: Mapped[str] = mapped_column(String(24))
    method: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reference: Mapped[str | None] = mapped_column(String(128), index=True)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    cash_account: Mapped[str] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(128))
    settled_on: Mapped[date | None] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
    return_code: Mapped[str | None] = mapped_column(String(8))
    reversal_reason: Mapped[str | None] = mapped_column(String(256))
    posting_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PaymentImport(Base):
    """One imported payment file: its kind, content hash, control numbers and what it posted."""

    __tablename__ = "payment_imports"
    __table_args__ = (UniqueConstraint("kind", "content_sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(256))
    content_sha256: Mapped[str] = mapped_column(String(64))
    # The file's own identity, such as "ISA sender:ISA13" or a BAI2 sender, file id and date.
    control_key: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[date] = mapped_column(Date)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    imported_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class PaymentImportItem(Base):
    """The outcome of one line, loop or entry of an import, and the reason for it (the match explanation)."""

    __tablename__ = "payment_import_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("payment_imports.id"), index=True)
    item_key: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(16))
    match_rule: Mapped[str | None] = mapped_column(String(24))
    explanation: Mapped[str] = mapped_column(String(512))
    billing_account_id: Mapped[int | None] = mapped_column(ForeignKey("billing_accounts.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    suspense_item_id: Mapped[int | None] = mapped_column(ForeignKey("suspense_items.id"))
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))


class BankStatementLine(Base):
    """A credit or debit a bank reported on one of the carrier's accounts (BAI2 or camt).

    ``recognized_as`` names a Premia posting the line stands for that was not made from
    the line itself, such as the settlement of an auto-draft file or an 820 payment.
    """

    __tablename__ = "bank_statement_lines"
    __table_args__ = (Index("ix_bank_statement_lines_day", "booked_on", "bank_account"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("payment_imports.id"), index=True)
    item_key: Mapped[str] = mapped_column(String(200), unique=True)
    bank_account: Mapped[str] = mapped_column(String(34))
    booked_on: Mapped[date] = mapped_column(Date)
    is_credit: Mapped[bool] = mapped_column(Boolean)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    type_code: Mapped[str] = mapped_column(String(32))
    bank_reference: Mapped[str | None] = mapped_column(String(64))
    reference_text: Mapped[str | None] = mapped_column(String(256))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    suspense_item_id: Mapped[int | None] = mapped_column(ForeignKey("suspense_items.id"))
    recognized_as: Mapped[str | None] = mapped_column(String(128))
    # The day of the receipts a recognized line stands for. Reconciliation uses it to pair a
    # deposit the bank booked on another day with those receipts.
    receipts_on: Mapped[date | None] = mapped_column(Date)


class SuspenseItem(Base):
    """Money received that could not be tied to a billing account, waiting for a person.

    ``amount_cents`` is negative only for an amount withheld from a remittance (such as an
    Exchange user fee), which is kept here for finance to book.
    """

    __tablename__ = "suspense_items"
    __table_args__ = (Index("ix_suspense_items_status", "status", "received_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The channel and method the money came by; applying the item posts a payment with them.
    channel: Mapped[str] = mapped_column(String(24))
    method: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    cash_account: Mapped[str] = mapped_column(String(32))
    payer_name: Mapped[str | None] = mapped_column(String(128))
    reference: Mapped[str | None] = mapped_column(String(128))
    bank_reference: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16))
    receipt_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    billing_account_id: Mapped[int | None] = mapped_column(ForeignKey("billing_accounts.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    resolution_note: Mapped[str | None] = mapped_column(String(256))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Refund(Base):
    """Money paid back: an account's credit, or a suspense item returned to its payer."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    billing_account_id: Mapped[int | None] = mapped_column(ForeignKey("billing_accounts.id"), index=True)
    suspense_item_id: Mapped[int | None] = mapped_column(BigInteger)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(String(256))
    payee_name: Mapped[str] = mapped_column(String(128))
    bank_account_id: Mapped[int | None] = mapped_column(ForeignKey("bank_accounts.id"))
    requested_on: Mapped[date] = mapped_column(Date)
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    approval_required: Mapped[bool] = mapped_column(Boolean)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decision_note: Mapped[str | None] = mapped_column(String(256))
    payable_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    check_number: Mapped[int | None] = mapped_column(Integer, unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)


class AchFile(Base):
    """A NACHA file Premia built, kept whole so it can be written out again."""

    __tablename__ = "ach_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[date] = mapped_column(Date, index=True)
    entry_count: Mapped[int] = mapped_column(Integer)
    debit_total_cents: Mapped[int] = mapped_column(BigInteger)
    credit_total_cents: Mapped[int] = mapped_column(BigInteger)
    content_sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AchEntry(Base):
    """One entry of an ACH file, found again by its trace number when the bank returns it.

    A re-presented draft points at the chain's first entry through ``original_entry_id``
    and counts its ``attempt`` (1 or 2). The first entry's settlement date starts the
    re-presentment window.
    """

    __tablename__ = "ach_entries"
    __table_args__ = (Index("ix_ach_entries_account_status", "billing_account_id", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("ach_files.id"), index=True)
    trace_number: Mapped[str] = mapped_column(String(15), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    billing_account_id: Mapped[int | None] = mapped_column(ForeignKey("billing_accounts.id"))
    bank_account_id: Mapped[int | None] = mapped_column(ForeignKey("bank_accounts.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    effective_date: Mapped[date] = mapped_column(Date)
    individual_id: Mapped[str] = mapped_column(String(15))
    status: Mapped[str] = mapped_column(String(16))
    settled_on: Mapped[date | None] = mapped_column(Date)
    return_code: Mapped[str | None] = mapped_column(String(3))
    returned_on: Mapped[date | None] = mapped_column(Date)
    original_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ach_entries.id"))
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    representment: Mapped[str | None] = mapped_column(String(16), index=True)


class ProcessorEvent(Base):
    """A card processor event as received, whether or not it changed the payment."""

    __tablename__ = "processor_events"
    __table_args__ = (UniqueConstraint("processor", "event_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    processor: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(128))
    transaction_id: Mapped[str] = mapped_column(String(128), index=True)
    event_type: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    billing_account_id: Mapped[int | None] = mapped_column(ForeignKey("billing_accounts.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    applied: Mapped[bool] = mapped_column(Boolean)
