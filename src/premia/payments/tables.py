"""The payments table. A payment row is never deleted; returns and reversals change its status
and post new journal entries, leaving the original entry as it was."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String
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
