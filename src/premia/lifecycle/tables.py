"""Tables for renewal offers and for the record of each policy change.

A policy has at most one live (offered or accepted) renewal offer per renewal date. A
partial unique index enforces it, so two renewal runs at once cannot both renew a policy.
Declined and superseded offers stay as history, and a renewal run never offers a policy
again for a renewal date it already has an offer for.

A policy change row records who asked for what and when, the dates as asked and as
allowed, what the change altered (``restore``, so a reinstatement can put coverage back as
it was), and the refund the change leads to.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, UtcDateTime


class RenewalOffer(Base):
    """The renewal of one policy into the next plan year, with both premiums as the notice stated them."""

    __tablename__ = "renewal_offers"
    __table_args__ = (
        Index(
            "uq_renewal_offers_live_policy_date",
            "policy_id",
            "renewal_date",
            unique=True,
            sqlite_where=text("status IN ('offered', 'accepted')"),
            postgresql_where=text("status IN ('offered', 'accepted')"),
        ),
        Index("ix_renewal_offers_policy_date", "policy_id", "renewal_date"),
        Index("ix_renewal_offers_status_date", "status", "renewal_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    renewal_policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"))
    renewal_date: Mapped[date] = mapped_column(Date)
    plan_year: Mapped[int] = mapped_column(Integer)
    from_plan_id: Mapped[str] = mapped_column(String(32))
    to_plan_id: Mapped[str] = mapped_column(String(32))
    crosswalked: Mapped[bool] = mapped_column(Boolean)
    chosen_by_payer: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    previous_premium_cents: Mapped[int] = mapped_column(BigInteger)
    premium_cents: Mapped[int] = mapped_column(BigInteger)
    previous_aptc_cents: Mapped[int] = mapped_column(BigInteger)
    offered_on: Mapped[date] = mapped_column(Date)
    respond_by: Mapped[date] = mapped_column(Date)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_note: Mapped[str | None] = mapped_column(String(256))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PolicyChange(Base):
    """One plan change, member addition or removal, termination, cancellation or reinstatement."""

    __tablename__ = "policy_changes"
    __table_args__ = (
        Index("ix_policy_changes_policy_kind", "policy_id", "kind"),
        Index("ix_policy_changes_refund_state", "refund_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    related_policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    requested_on: Mapped[date] = mapped_column(Date)
    requested_date: Mapped[date | None] = mapped_column(Date)
    effective_date: Mapped[date | None] = mapped_column(Date)
    date_rule: Mapped[str | None] = mapped_column(String(256))
    reason: Mapped[str] = mapped_column(String(256))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    restore: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reversed_by_change_id: Mapped[int | None] = mapped_column(ForeignKey("policy_changes.id"))
    refund_state: Mapped[str] = mapped_column(String(20))
    refund_quote_cents: Mapped[int] = mapped_column(BigInteger)
    refund_cents: Mapped[int | None] = mapped_column(BigInteger)
    refund_id: Mapped[int | None] = mapped_column(ForeignKey("refunds.id"))
    refund_settled_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
