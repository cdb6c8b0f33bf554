"""The notices table: what is owed to whom, dated, tied to the records it is about."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, BigId, UtcDateTime


class Notice(Base):
    """One notice to a payer. ``dedupe_key`` stops a rerun from creating the same notice twice."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_status_send", "status", "send_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    notice_type: Mapped[str] = mapped_column(String(32))
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"), index=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    payment_id: Mapped[int | None] = mapped_column(BigInteger)
    as_of: Mapped[date] = mapped_column(Date)
    send_on: Mapped[date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
