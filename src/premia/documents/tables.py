"""Tables for rendered documents, their outbox of deliveries, print batches and bounced addresses.

A notice is rendered once into a ``documents`` row whose PDF file and SHA-256 are kept, so a
reprint serves the very bytes that were sent. Each channel the document takes (email, paper)
is one ``document_deliveries`` row: the outbox. Every try to send it is a
``delivery_attempts`` row, which proves what was sent, when, and with what reply.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, BigId, UtcDateTime


class Document(Base):
    """One notice rendered to HTML and PDF. Paths are relative to the documents folder.

    ``window_address`` is the postal address printed in the envelope window, or None when the
    document was rendered without one. Paper copies are mailed there and nowhere else.
    """

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), unique=True)
    document_type: Mapped[str] = mapped_column(String(32))
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    html_path: Mapped[str] = mapped_column(String(255))
    html_sha256: Mapped[str] = mapped_column(String(64))
    pdf_path: Mapped[str] = mapped_column(String(255))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int] = mapped_column(Integer)
    window_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    rendered_by: Mapped[str] = mapped_column(String(64))
    rendered_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PrintBatch(Base):
    """One run's paper documents: a single PDF and a manifest CSV for the print vendor."""

    __tablename__ = "print_batches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    pdf_path: Mapped[str] = mapped_column(String(255))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    manifest_path: Mapped[str] = mapped_column(String(255))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    document_count: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DocumentDelivery(Base):
    """One document on one channel: the outbox row.

    ``recipient`` is the email address, or the postal address on one line, that the document
    was (or will be) sent to. ``link_token`` is set when the email carried a portal link
    instead of the PDF.
    """

    __tablename__ = "document_deliveries"
    __table_args__ = (
        UniqueConstraint("document_id", "channel"),
        Index("ix_document_deliveries_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(String(512))
    message_id: Mapped[str | None] = mapped_column(String(255))
    link_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    print_batch_id: Mapped[int | None] = mapped_column(ForeignKey("print_batches.id"), index=True)
    sequence_in_batch: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DeliveryAttempt(Base):
    """One try to send a delivery, with the SMTP reply code where there was one."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("document_deliveries.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(24))
    smtp_code: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(String(512))


class UndeliverableEmail(Base):
    """An email address that hard-bounced. Documents for it go on paper until it is cleared."""

    __tablename__ = "undeliverable_emails"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    address: Mapped[str] = mapped_column(String(254), unique=True)
    smtp_code: Mapped[int] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(String(512))
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("document_deliveries.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cleared_by: Mapped[str | None] = mapped_column(String(64))


class ConfidentialRoute(Base):
    """A payer's request to receive documents at another address or by another method.

    While the route is in force (from ``starts_on``, until ``ends_on`` if set) every document
    of the account goes only there, bills included. The reason is not stored: the request
    reference points to the written request kept by member services.
    """

    __tablename__ = "confidential_routes"
    __table_args__ = (Index("ix_confidential_routes_account", "billing_account_id", "starts_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    billing_account_id: Mapped[int] = mapped_column(ForeignKey("billing_accounts.id"))
    delivery: Mapped[str] = mapped_column(String(8))
    email: Mapped[str | None] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(128))
    line1: Mapped[str | None] = mapped_column(String(128))
    line2: Mapped[str | None] = mapped_column(String(128))
    city: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str | None] = mapped_column(String(2))
    zip_code: Mapped[str | None] = mapped_column(String(9))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    request_reference: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
