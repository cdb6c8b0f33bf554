"""Use cases for documents: deliver due notices, reprint a sent document, manage delivery routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from premia.accounts import rules
from premia.accounts import service as accounts
from premia.accounts.model import Address, Delivery
from premia.accounts.tables import Person
from premia.audit import service as audit
from premia.documents.delivery import DeliveryReport, Layouts, print_paper, queue_notices, send_emails
from premia.documents.mail import Mailer
from premia.documents.storage import DocumentStore
from premia.documents.tables import (
    ConfidentialRoute,
    DeliveryAttempt,
    Document,
    DocumentDelivery,
    PrintBatch,
    UndeliverableEmail,
)
from premia.infra.context import ServiceContext
from premia.kernel.errors import NotFoundError, ValidationError
from premia.staff.permissions import Permission


def document_store(ctx: ServiceContext) -> DocumentStore:
    return DocumentStore(Path(ctx.settings.documents_dir))


def deliver_notices(ctx: ServiceContext, *, as_of: date, mailer: Mailer | None = None) -> DeliveryReport:
    """Render the notices due on ``as_of``, send due emails and print one paper batch.

    Everything happens in the caller's transaction. ``mailer`` defaults to the SMTP server
    in settings; it is opened only when an email is due. Callers that want to commit
    between the steps (so a crash cannot undo a sent email) call the three steps below.
    """
    report = DeliveryReport(as_of=as_of)
    layouts: Layouts = {}
    queue_due_notices(ctx, as_of=as_of, report=report, layouts=layouts)
    send_due_emails(ctx, report=report, mailer=mailer)
    print_due_paper(ctx, as_of=as_of, report=report, layouts=layouts)
    return report


def queue_due_notices(
    ctx: ServiceContext, *, as_of: date, report: DeliveryReport, layouts: Layouts | None = None
) -> None:
    """Step 1: render each pending notice due by ``as_of`` and queue its deliveries."""
    ctx.require(Permission.NOTICES_DELIVER)
    queue_notices(
        ctx,
        as_of=as_of,
        store=document_store(ctx),
        report=report,
        layouts=layouts if layouts is not None else {},
    )


def send_due_emails(
    ctx: ServiceContext, *, report: DeliveryReport, mailer: Mailer | None = None, limit: int | None = None
) -> int:
    """Step 2: send up to ``limit`` queued emails whose time has come; return how many were tried."""
    ctx.require(Permission.NOTICES_DELIVER)
    return send_emails(ctx, mailer=mailer, store=document_store(ctx), report=report, limit=limit)


def print_due_paper(
    ctx: ServiceContext, *, as_of: date, report: DeliveryReport, layouts: Layouts | None = None
) -> PrintBatch | None:
    """Step 3: write one print batch with every queued paper delivery."""
    ctx.require(Permission.NOTICES_DELIVER)
    return print_paper(ctx, as_of=as_of, store=document_store(ctx), report=report, layouts=layouts)


@dataclass(frozen=True)
class Reprint:
    document: Document
    pdf: bytes


def reprint_document(ctx: ServiceContext, document_id: int) -> Reprint:
    """Return the stored PDF of a document, byte for byte as it was sent, after checking its hash."""
    document = get_document(ctx, document_id)
    pdf = document_store(ctx).read(
        document.pdf_path, sha256=document.pdf_sha256, record=f"document {document.id}"
    )
    audit.record(ctx, action="reprint", record_type="document", record_id=document.id)
    return Reprint(document=document, pdf=pdf)


def get_document(ctx: ServiceContext, document_id: int) -> Document:
    ctx.require(Permission.BILLING_READ)
    document = ctx.session.get(Document, document_id)
    if document is None:
        raise NotFoundError(
            code="documents.not_found",
            message=f"No document has id {document_id}.",
            field="document_id",
            value=document_id,
            hint="Document ids are listed by `premia notices deliver --json` and in the account's delivery history.",
        )
    return document


def document_record(ctx: ServiceContext, document: Document) -> dict[str, Any]:
    """Describe a document with its deliveries and every attempt, for display; the read is audited."""
    # The record names the recipient and the addresses the document went to.
    audit.record(ctx, action="read", record_type="document", record_id=document.id, fields=["deliveries"])
    deliveries = list(
        ctx.session.scalars(
            select(DocumentDelivery)
            .where(DocumentDelivery.document_id == document.id)
            .order_by(DocumentDelivery.id)
        )
    )
    attempts: dict[int, list[DeliveryAttempt]] = {delivery.id: [] for delivery in deliveries}
    if deliveries:
        for attempt in ctx.session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id.in_(attempts))
            .order_by(DeliveryAttempt.id)
        ):
            attempts[attempt.delivery_id].append(attempt)
    return {
        "document_id": document.id,
        "notice_id": document.notice_id,
        "document_type": document.document_type,
        "language": document.language,
        "pages": document.page_count,
        "pdf_sha256": document.pdf_sha256,
        "rendered_at": document.rendered_at.isoformat(),
        "deliveries": [
            {
                "delivery_id": delivery.id,
                "channel": delivery.channel,
                "recipient": delivery.recipient,
                "status": delivery.status,
                "attempts": delivery.attempts,
                "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
                "print_batch_id": delivery.print_batch_id,
                "last_error": delivery.last_error,
                "history": [
                    {
                        "at": attempt.attempted_at.isoformat(),
                        "outcome": attempt.outcome,
                        "smtp_code": attempt.smtp_code,
                        "detail": attempt.detail,
                    }
                    for attempt in attempts[delivery.id]
                ],
            }
            for delivery in deliveries
        ],
    }


def clear_undeliverable(ctx: ServiceContext, email: str) -> int:
    """Allow email to an address again once the payer confirms it works; return rows cleared."""
    ctx.require(Permission.MEMBER_WRITE)
    address = email.strip().lower()
    rows = list(
        ctx.session.scalars(
            select(UndeliverableEmail).where(
                UndeliverableEmail.address == address, UndeliverableEmail.cleared_at.is_(None)
            )
        )
    )
    for row in rows:
        row.cleared_at = ctx.now()
        row.cleared_by = ctx.actor.username
    for person in ctx.session.scalars(
        select(Person).where(func.lower(Person.email) == address, Person.email_undeliverable.is_(True))
    ):
        person.email_undeliverable = False
        audit.record(
            ctx,
            action="clear_email_undeliverable",
            record_type="person",
            record_id=person.member_id,
            fields=["email_undeliverable"],
        )
    ctx.session.flush()
    return len(rows)


def set_confidential_route(
    ctx: ServiceContext,
    *,
    account_number: str,
    delivery: Delivery,
    starts_on: date,
    request_reference: str,
    email: str | None = None,
    address: Address | None = None,
    name: str | None = None,
) -> ConfidentialRoute:
    """Send every document of the account only to the given address or by the given method.

    This honours a payer's request for confidential communications; bills are included.
    The request's reason is not stored here, only a reference to the written request.
    """
    ctx.require(Permission.MEMBER_WRITE)
    account = accounts.get_account_row(ctx, account_number)
    record = f"confidential route for {account.account_number}"
    delivery = rules.parse_choice(Delivery, delivery, field="delivery", record=record)
    reference = rules.require_text(request_reference, field="request_reference", record=record, max_length=64)
    if delivery in (Delivery.EMAIL, Delivery.BOTH) and not email:
        raise ValidationError(
            code="documents.route_email_missing",
            message=f"Delivery {delivery.value} needs an email address.",
            record=record,
            field="email",
            hint="Give the address the payer asked for, or choose paper delivery.",
        )
    if delivery in (Delivery.PAPER, Delivery.BOTH) and address is None:
        raise ValidationError(
            code="documents.route_address_missing",
            message=f"Delivery {delivery.value} needs a mailing address.",
            record=record,
            field="address",
            hint="Give the mailing address the payer asked for, or choose email delivery.",
        )
    route = ConfidentialRoute(
        billing_account_id=account.id,
        delivery=delivery.value,
        email=rules.normalize_email(email, record=record) if email else None,
        name=(name or "").strip() or None,
        starts_on=starts_on,
        request_reference=reference,
        recorded_by=ctx.actor.username,
        recorded_at=ctx.now(),
    )
    if address is not None:
        route.line1 = rules.require_text(address.line1, field="address.line1", record=record)
        route.line2 = (address.line2 or "").strip() or None
        route.city = rules.require_text(address.city, field="address.city", record=record, max_length=64)
        route.state = rules.normalize_state(address.state, field="address.state", record=record)
        route.zip_code = rules.normalize_zip(address.zip_code, field="address.zip_code", record=record)
    ctx.session.add(route)
    ctx.session.flush()
    fields = ["delivery", "starts_on", "request_reference"]
    if route.email:
        fields.append("email")
    if address is not None:
        fields.append("address")
    audit.record(
        ctx,
        action="set_confidential_route",
        record_type="billing_account",
        record_id=account.account_number,
        fields=fields,
    )
    return route


def end_confidential_route(ctx: ServiceContext, *, account_number: str, ends_on: date) -> int:
    """End the account's confidential routes on ``ends_on``; return how many were ended."""
    ctx.require(Permission.MEMBER_WRITE)
    account = accounts.get_account_row(ctx, account_number)
    routes = list(
        ctx.session.scalars(
            select(ConfidentialRoute).where(
                ConfidentialRoute.billing_account_id == account.id,
                (ConfidentialRoute.ends_on.is_(None)) | (ConfidentialRoute.ends_on > ends_on),
            )
        )
    )
    for route in routes:
        route.ends_on = ends_on
    ctx.session.flush()
    audit.record(
        ctx,
        action="end_confidential_route",
        record_type="billing_account",
        record_id=account.account_number,
        fields=["ends_on"],
    )
    return len(routes)
