"""Tables for bill runs, invoices, invoice lines and gapless invoice-number series.

Two constraints make a repeated or concurrent bill run harmless: one invoice per billing
account and period start, and one regular (non-adjustment) line per member, coverage month,
policy and kind. A run that races another fails on them, rolls back the chunk it was
writing and bills those accounts again from what the other run committed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, BigId, UtcDateTime


class InvoiceNumberSeries(Base):
    """The next invoice number of one legal entity; locked while an invoice is numbered."""

    __tablename__ = "invoice_number_series"

    legal_entity: Mapped[str] = mapped_column(String(16), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16))
    next_number: Mapped[int] = mapped_column(Integer)


class BillRun(Base):
    __tablename__ = "bill_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16))
    invoices_issued: Mapped[int] = mapped_column(Integer, default=0)
    already_billed: Mapped[int] = mapped_column(Integer, default=0)
    total_billed_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    started_by: Mapped[str] = mapped_column(String(64))


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("billing_account_id", "period_start"),
        UniqueConstraint("legal_entity", "invoice_number"),
        Index("ix_invoices_account_due", "billing_account_id", "due_date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_number: Mapped[str] = mapped_column(String(32))
    legal_entity: Mapped[str] = mapped_column(String(16))
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"))
    bill_run_id: Mapped[int | None] = mapped_column(ForeignKey("bill_runs.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    previous_balance_cents: Mapped[int] = mapped_column(BigInteger)
    payments_since_cents: Mapped[int] = mapped_column(BigInteger)
    current_charges_cents: Mapped[int] = mapped_column(BigInteger)
    adjustments_cents: Mapped[int] = mapped_column(BigInteger)
    credits_applied_cents: Mapped[int] = mapped_column(BigInteger)
    amount_due_cents: Mapped[int] = mapped_column(BigInteger)
    gross_premium_cents: Mapped[int] = mapped_column(BigInteger)
    aptc_cents: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (
        Index(
            "uq_invoice_lines_regular_member_month",
            "policy_id",
            "person_id",
            "coverage_month",
            "kind",
            unique=True,
            sqlite_where=text("adjustment = 0"),
            postgresql_where=text("adjustment = false"),
        ),
        Index("ix_invoice_lines_account_month", "billing_account_id", "coverage_month"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    coverage_month: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    adjustment: Mapped[bool] = mapped_column(Boolean, default=False)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    employer_share_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    days_covered: Mapped[int] = mapped_column(Integer)
    days_in_month: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(256))
    trace: Mapped[list[Any] | None] = mapped_column(JSON)
