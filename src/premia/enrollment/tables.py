"""Tables for policies, coverage spans, exchange amounts and the history of coverage changes.

Coverage spans are inclusive on both ends. A span is changed in place (for example a
retroactive termination sets its end date) and every change is kept in
``coverage_events``; the bill run recomputes what each member-month should cost from the
spans as they stand and bills the difference, so issued invoices are never edited.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, BigId, UtcDateTime


class Policy(Base):
    __tablename__ = "policies"
    __table_args__ = (Index("ix_policies_account_status", "billing_account_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_number: Mapped[str] = mapped_column(String(32), unique=True)
    exchange_policy_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"))
    subscriber_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    employer_group_id: Mapped[int | None] = mapped_column(ForeignKey("employer_groups.id"), index=True)
    plan_id: Mapped[str] = mapped_column(String(32), index=True)
    rating_area: Mapped[str] = mapped_column(String(32))
    market: Mapped[str] = mapped_column(String(16))
    on_exchange: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), index=True)
    effective_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(String(128))
    renewed_from_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    source: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    __mapper_args__ = {"version_id_col": version}


class CoverageSpan(Base):
    """One member's coverage on a policy from ``start_date`` to ``end_date`` (inclusive; None = open)."""

    __tablename__ = "coverage_spans"
    __table_args__ = (
        Index("ix_coverage_spans_policy", "policy_id", "start_date"),
        Index("ix_coverage_spans_person", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    relationship: Mapped[str] = mapped_column(String(20))
    tobacco: Mapped[bool] = mapped_column(Boolean, default=False)
    aptc_eligible: Mapped[bool] = mapped_column(Boolean, default=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ExchangeAmount(Base):
    """A monthly amount the exchange set for a policy (``person_id`` None) or one member.

    The exchange's APTC is the one billed; its premium, where present, is compared with
    Premia's own rating and may be billed in its place.
    """

    __tablename__ = "exchange_amounts"
    __table_args__ = (Index("ix_exchange_amounts_policy", "policy_id", "kind", "start_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    source_reference: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CoverageEvent(Base):
    """What changed on a policy or span, effective when, recorded when, from which source."""

    __tablename__ = "coverage_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    coverage_span_id: Mapped[int | None] = mapped_column(ForeignKey("coverage_spans.id"))
    event: Mapped[str] = mapped_column(String(32))
    effective_date: Mapped[date] = mapped_column(Date)
    detail: Mapped[str | None] = mapped_column(String(512))
    source: Mapped[str] = mapped_column(String(16))
    source_reference: Mapped[str | None] = mapped_column(String(128))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())

