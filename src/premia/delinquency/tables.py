"""Tables for grace periods, status transitions, holds and the outbound 834 queue.

A policy has at most one open grace period; a partial unique index enforces it, so two
runs racing on one policy cannot both open one. Transitions are inserted and never
changed. A grace period row keeps the dates fixed when it opened, the last dunning stage
sent, and what a termination changed, so a reinstatement can put coverage back as it was.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, BigId, UtcDateTime


class GracePeriod(Base):
    __tablename__ = "grace_periods"
    __table_args__ = (
        Index(
            "uq_grace_periods_open_policy",
            "policy_id",
            unique=True,
            sqlite_where=text("outcome = 'open'"),
            postgresql_where=text("outcome = 'open'"),
        ),
        Index("ix_grace_periods_outcome_closed", "outcome", "closed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"))
    kind: Mapped[str] = mapped_column(String(16))
    rule_name: Mapped[str] = mapped_column(String(64))
    first_unpaid_month: Mapped[date] = mapped_column(Date)
    missed_due_date: Mapped[date] = mapped_column(Date)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    settle_by_due: Mapped[date] = mapped_column(Date)
    termination_basis: Mapped[str] = mapped_column(String(24))
    claims_pend_from: Mapped[date | None] = mapped_column(Date)
    termination_date: Mapped[date | None] = mapped_column(Date)
    planned_notices: Mapped[list[Any]] = mapped_column(JSON)
    last_stage: Mapped[str | None] = mapped_column(String(16))
    past_due_cents: Mapped[int] = mapped_column(BigInteger)
    opened_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16))
    closed_on: Mapped[date | None] = mapped_column(Date)
    restore: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DelinquencyTransition(Base):
    """One status change of one policy: from, to, why, on which as-of date, and the amounts behind it."""

    __tablename__ = "delinquency_transitions"
    __table_args__ = (Index("ix_delinquency_transitions_policy_as_of", "policy_id", "as_of"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"))
    grace_period_id: Mapped[int | None] = mapped_column(ForeignKey("grace_periods.id"))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    trigger: Mapped[str] = mapped_column(String(32))
    as_of: Mapped[date] = mapped_column(Date, index=True)
    effective_date: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(256))
    past_due_cents: Mapped[int] = mapped_column(BigInteger)
    open_cents: Mapped[int] = mapped_column(BigInteger)
    within_threshold_cents: Mapped[int] = mapped_column(BigInteger)
    disputed_cents: Mapped[int] = mapped_column(BigInteger)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DelinquencyHold(Base):
    """A dispute hold on part of one account, or a carrier-wide moratorium by state or ZIP prefix.

    A dispute names an invoice line (its amount, or ``amount_cents`` of it) or an amount
    on one policy of the account. A moratorium names a state or a ZIP code prefix and a
    date range. ``released_on`` ends a hold early; it counts until the day before.
    """

    __tablename__ = "delinquency_holds"
    __table_args__ = (Index("ix_delinquency_holds_kind_account", "kind", "billing_account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    billing_account_id: Mapped[int | None] = mapped_column(ForeignKey("billing_accounts.id"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    invoice_line_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_lines.id"))
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    state: Mapped[str | None] = mapped_column(String(2))
    zip_prefix: Mapped[str | None] = mapped_column(String(9))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(256))
    reference: Mapped[str | None] = mapped_column(String(64))
    placed_by: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    released_on: Mapped[date | None] = mapped_column(Date)
    released_by: Mapped[str | None] = mapped_column(String(64))


class Outbound834(Base):
    """An enrollment change Premia owes the exchange, queued until an 834 file carries it.

    ``data`` contains what the file needs (members, plan, dates) as it stood when the
    change was made. ``interchange_control_number`` is set when a file was written.
    """

    __tablename__ = "outbound_834"
    __table_args__ = (Index("ix_outbound_834_status", "status", "queued_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    transition_id: Mapped[int | None] = mapped_column(ForeignKey("delinquency_transitions.id"))
    kind: Mapped[str] = mapped_column(String(16))
    exchange_policy_id: Mapped[str | None] = mapped_column(String(64))
    maintenance_type: Mapped[str] = mapped_column(String(3))
    maintenance_reason: Mapped[str] = mapped_column(String(3))
    effective_date: Mapped[date] = mapped_column(Date)
    queued_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    dedupe_key: Mapped[str] = mapped_column(String(96), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    interchange_control_number: Mapped[int | None] = mapped_column(Integer)
    written_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
