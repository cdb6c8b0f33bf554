"""Journal tables. Rows are inserted, never updated or deleted; corrections are reversing entries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, BigId, UtcDateTime


class JournalEntry(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (Index("ix_journal_entries_account_date", "billing_account_id", "entry_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_date: Mapped[date] = mapped_column(Date)
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(24))
    reference: Mapped[str | None] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(String(256))
    billing_account_id: Mapped[int | None] = mapped_column(ForeignKey("billing_accounts.id"))
    reverses_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    posted_by: Mapped[str] = mapped_column(String(64))


class JournalLine(Base):
    """One debit (positive) or credit (negative) in cents, tagged with what it belongs to."""

    __tablename__ = "journal_lines"
    __table_args__ = (
        Index("ix_journal_lines_account", "ledger_account", "billing_account_id"),
        Index("ix_journal_lines_invoice", "invoice_id"),
        Index("ix_journal_lines_policy_month", "policy_id", "coverage_month"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    ledger_account: Mapped[str] = mapped_column(String(8))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    billing_account_id: Mapped[int | None] = mapped_column(ForeignKey("billing_accounts.id"))
    invoice_id: Mapped[int | None] = mapped_column(BigInteger)
    invoice_line_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    payment_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    coverage_month: Mapped[date | None] = mapped_column(Date)
    cash_account: Mapped[str | None] = mapped_column(String(32))
    memo: Mapped[str | None] = mapped_column(String(256))
