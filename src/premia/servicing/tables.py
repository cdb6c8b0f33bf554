"""Tables of the service desk.

Cases, disputes and persons carry a ``version`` column that SQLAlchemy checks on every
update, so two staff saving the same record cannot overwrite each other silently. Case
events and contacts keep the history that SLA clocks and KPIs are computed from. Case
events are only inserted, and a contact changes only its verification and touched records.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, BigId, UtcDateTime


class AuthorizedParty(Base):
    """Someone other than the member who may act on a billing account, and what they may do.

    ``person_id`` limits the authority to one member; ``scopes`` lists protected actions.
    """

    __tablename__ = "authorized_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    name: Mapped[str] = mapped_column(String(128))
    relationship: Mapped[str] = mapped_column(String(64))
    authority: Mapped[str] = mapped_column(String(32))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    document_reference: Mapped[str | None] = mapped_column(String(128))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ServiceCase(Base):
    """A piece of service work with an owner, a queue, a status and SLA targets.

    The targets (business minutes) are copied from the configuration when the case opens.
    ``first_response_due_at`` and ``resolution_due_at`` are refreshed on every status change
    for sorting and are None while the clock is paused or stopped.
    """

    __tablename__ = "service_cases"
    __table_args__ = (
        Index("ix_service_cases_queue_status", "queue", "status"),
        Index("ix_service_cases_owner_status", "owner", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(32), unique=True)
    case_type: Mapped[str] = mapped_column(String(24))
    queue: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(24), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    billing_account_id: Mapped[int | None] = mapped_column(ForeignKey("billing_accounts.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    first_response_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    first_response_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolution_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolution: Mapped[str | None] = mapped_column(Text)
    resolution_code: Mapped[str | None] = mapped_column(String(16))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolution_count: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    opened_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CaseEvent(Base):
    """One thing that happened to a case. Status changes are the SLA clock's input."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_cases.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Contact(Base):
    """One interaction with a member, employer or agent, and how the caller was verified.

    ``touched`` lists the records the contact showed or changed as ``type:id`` strings.
    """

    __tablename__ = "service_contacts"
    __table_args__ = (
        Index("ix_service_contacts_account_subject", "billing_account_id", "subject", "started_at"),
        Index("ix_service_contacts_person_subject", "person_id", "subject", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    direction: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(16))
    party_kind: Mapped[str] = mapped_column(String(16))
    party_name: Mapped[str | None] = mapped_column(String(128))
    authorized_party_id: Mapped[int | None] = mapped_column(ForeignKey("authorized_parties.id"))
    billing_account_id: Mapped[int | None] = mapped_column(ForeignKey("billing_accounts.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("service_cases.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    handled_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    verification_method: Mapped[str | None] = mapped_column(String(16))
    verification_result: Mapped[str | None] = mapped_column(String(8))
    verification_level: Mapped[str | None] = mapped_column(String(8))
    verified_identifiers: Mapped[list[str] | None] = mapped_column(JSON)
    verified_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    touched: Mapped[list[str]] = mapped_column(JSON)


class Dispute(Base):
    """A payer's dispute of invoice lines or payments; its open items are held from collection."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_number: Mapped[str] = mapped_column(String(32), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_cases.id"), index=True)
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)
    reason: Mapped[str] = mapped_column(Text)
    disputed_cents: Mapped[int] = mapped_column(BigInteger)
    opened_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(24))
    decided_cents: Mapped[int | None] = mapped_column(BigInteger)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_note: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    approved_on: Mapped[date | None] = mapped_column(Date)
    refund_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class DisputeItem(Base):
    """One disputed invoice line or payment. The hold ends on ``released_on``.

    A disputed invoice line is also held in delinquency through ``delinquency_hold_id``,
    which is what the delinquency run reads; a disputed payment is held only here.
    """

    __tablename__ = "dispute_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"), index=True)
    invoice_line_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_lines.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    coverage_month: Mapped[date | None] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    credited_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    held_from: Mapped[date] = mapped_column(Date)
    released_on: Mapped[date | None] = mapped_column(Date)
    delinquency_hold_id: Mapped[int | None] = mapped_column(ForeignKey("delinquency_holds.id"))


class ExchangeChangeReport(Base):
    """A demographic change an exchange member asked for, left for the Marketplace to send."""

    __tablename__ = "exchange_change_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"))
    field: Mapped[str] = mapped_column(String(32))
    requested_value: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(24))
    flagged_on: Mapped[date] = mapped_column(Date)
    report_by: Mapped[date] = mapped_column(Date)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("service_contacts.id"))
    flagged_by: Mapped[str] = mapped_column(String(64))
    closed_on: Mapped[date | None] = mapped_column(Date)


class ClaimImport(Base):
    """One run of the claims status feed and what it did."""

    __tablename__ = "claim_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(256))
    file_digest: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ClaimRecord(Base):
    """The latest status of one claim as the claims system reported it."""

    __tablename__ = "claim_statuses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    claim_id: Mapped[str] = mapped_column(String(40), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    reported_member_id: Mapped[str] = mapped_column(String(32))
    service_from: Mapped[date] = mapped_column(Date)
    service_to: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    billed_cents: Mapped[int] = mapped_column(BigInteger)
    paid_cents: Mapped[int] = mapped_column(BigInteger)
    pend_reason: Mapped[str | None] = mapped_column(String(128))
    row_digest: Mapped[str] = mapped_column(String(64))
    import_id: Mapped[int] = mapped_column(ForeignKey("claim_imports.id"))
    first_imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CaseSurvey(Base):
    """A satisfaction survey sent after a case was resolved; only the token's hash is stored."""

    __tablename__ = "case_surveys"
    __table_args__ = (UniqueConstraint("case_id", "resolution_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_cases.id"), index=True)
    resolution_round: Mapped[int] = mapped_column(Integer)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"))
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)


class PersonMerge(Base):
    """A duplicate person merged into the surviving one, with counts of what moved."""

    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    target_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    reason: Mapped[str] = mapped_column(String(256))
    moved: Mapped[dict[str, int]] = mapped_column(JSON)
    merged_by: Mapped[str] = mapped_column(String(64))
    merged_at: Mapped[datetime] = mapped_column(UtcDateTime())
