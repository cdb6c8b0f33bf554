"""The outbox run: render due notices, send emails with retries, print the paper batch.

Three steps, each safe to repeat:

1. ``queue_notices`` renders every pending notice that is due and has no document yet,
   stores its HTML and PDF, and queues one delivery per channel the route allows.
2. ``send_emails`` sends queued emails whose retry time has come. A 5xx reply to RCPT TO
   marks the address undeliverable and sends the document on paper instead; other failures
   wait with growing delays and go to paper after the last attempt.
3. ``print_paper`` joins every queued paper delivery into one batch PDF with a manifest.

A delivery that is sent is never picked up again, and a notice that has a document is
never rendered again, so running the same day twice sends nothing twice.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date
from email.utils import parseaddr
from typing import Any

import weasyprint
from sqlalchemy import func, or_, select

from premia.accounts.tables import BillingAccount, Person
from premia.audit import service as audit
from premia.documents.context import build_content
from premia.documents.mail import Mailer, SendResult, SmtpMailer, document_email
from premia.documents.model import (
    MAX_EMAIL_ATTEMPTS,
    RENDERED_TYPES,
    AttemptOutcome,
    Channel,
    DeliveryStatus,
    MailingAddress,
    Recipient,
    choose_route,
    retry_delay,
)
from premia.documents.phrases import Texts, document_language
from premia.documents.print_batch import PaperItem, build_batch
from premia.documents.recipients import carrier_from_settings, is_undeliverable, recipient_for
from premia.documents.render import layout, render_html
from premia.documents.storage import DocumentStore
from premia.documents.tables import (
    DeliveryAttempt,
    Document,
    DocumentDelivery,
    PrintBatch,
    UndeliverableEmail,
)
from premia.infra.context import ServiceContext
from premia.kernel.errors import DomainError, ValidationError
from premia.notices.model import NoticeStatus
from premia.notices.tables import Notice

log = logging.getLogger("premia.documents")

Layouts = dict[int, weasyprint.Document]


@dataclass
class DeliveryReport:
    """Counts and files of one delivery run.

    ``documents`` lists the documents rendered in the run with their channels, and ``errors``
    the notices that could not be rendered, with the reason.
    """

    as_of: date
    rendered: int = 0
    emailed: int = 0
    printed: int = 0
    retrying: int = 0
    bounced: int = 0
    failed: int = 0
    held: int = 0
    print_batch_id: int | None = None
    print_batch_pdf: str | None = None
    print_batch_manifest: str | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return data


def queue_notices(
    ctx: ServiceContext, *, as_of: date, store: DocumentStore, report: DeliveryReport, layouts: Layouts
) -> None:
    """Render each due notice once and queue its deliveries."""
    # Checked once up front: without the carrier's details no document can be rendered.
    carrier_from_settings(ctx.settings)
    due = ctx.session.scalars(
        select(Notice)
        .outerjoin(Document, Document.notice_id == Notice.id)
        .where(
            Notice.status == NoticeStatus.PENDING.value,
            Notice.send_on <= as_of,
            Notice.notice_type.in_([notice_type.value for notice_type in RENDERED_TYPES]),
            Document.id.is_(None),
        )
        .order_by(Notice.send_on, Notice.id)
        # A second run at the same time skips the notices this one is rendering (PostgreSQL;
        # SQLite runs one writer at a time anyway).
        .with_for_update(of=Notice, skip_locked=True)
    ).all()
    for notice in due:
        try:
            with ctx.session.begin_nested():
                _queue_one(ctx, notice, as_of=as_of, store=store, report=report, layouts=layouts)
        except (DomainError, ValueError) as exc:
            notice.status = NoticeStatus.FAILED.value
            error = (
                exc.as_dict()
                if isinstance(exc, DomainError)
                else {"code": "documents.render_failed", "message": str(exc)}
            )
            report.errors.append({"notice_id": notice.id, **error})
            log.error("notice could not be rendered", extra={"notice_id": notice.id, "error": str(exc)})


def send_emails(
    ctx: ServiceContext,
    *,
    mailer: Mailer | None,
    store: DocumentStore,
    report: DeliveryReport,
    limit: int | None = None,
) -> int:
    """Send queued emails that are due now; return how many deliveries were tried."""
    now = ctx.now()
    query = (
        select(DocumentDelivery, Document)
        .join(Document, Document.id == DocumentDelivery.document_id)
        .where(
            DocumentDelivery.channel == Channel.EMAIL.value,
            DocumentDelivery.status == DeliveryStatus.QUEUED.value,
            or_(DocumentDelivery.next_attempt_at.is_(None), DocumentDelivery.next_attempt_at <= now),
        )
        .order_by(DocumentDelivery.id)
        .with_for_update(of=DocumentDelivery, skip_locked=True)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = ctx.session.execute(query).all()
    if not rows:
        return 0

    sender = _require_sender(ctx)
    own_mailer = mailer is None
    active = mailer or SmtpMailer(ctx.settings)
    try:
        for delivery, document in rows:
            _send_one(ctx, delivery, document, mailer=active, sender=sender, store=store, report=report)
    finally:
        if own_mailer:
            active.close()
    return len(rows)


def print_paper(
    ctx: ServiceContext,
    *,
    as_of: date,
    store: DocumentStore,
    report: DeliveryReport,
    layouts: Layouts | None = None,
) -> PrintBatch | None:
    """Put every queued paper delivery into one print batch; None when there is nothing to print."""
    rows = ctx.session.execute(
        select(DocumentDelivery, Document)
        .join(Document, Document.id == DocumentDelivery.document_id)
        .where(
            DocumentDelivery.channel == Channel.PAPER.value,
            DocumentDelivery.status == DeliveryStatus.QUEUED.value,
            DocumentDelivery.print_batch_id.is_(None),
        )
        .order_by(DocumentDelivery.id)
        .with_for_update(of=DocumentDelivery, skip_locked=True)
    ).all()
    if not rows:
        return None

    layouts = layouts if layouts is not None else {}
    items = []
    for delivery, document in rows:
        pages = layouts.get(document.id)
        if pages is None:
            # Laid out again from the stored HTML, which gives the pages of the stored PDF.
            html = store.read(
                document.html_path, sha256=document.html_sha256, record=f"document {document.id}"
            )
            pages = layout(html.decode("utf-8"))
        items.append(
            PaperItem(
                delivery_id=delivery.id,
                document_id=document.id,
                document_type=document.document_type,
                language=document.language,
                document_sha256=document.pdf_sha256,
                address=address_from_record(document.window_address),
                pages=pages,
            )
        )

    now = ctx.now()
    batch = PrintBatch(
        as_of=as_of,
        pdf_path="",
        pdf_sha256="",
        manifest_path="",
        manifest_sha256="",
        document_count=len(items),
        page_count=0,
        created_by=ctx.actor.username,
        created_at=now,
    )
    ctx.session.add(batch)
    ctx.session.flush()
    files = build_batch(batch.id, items)
    # NOTE: the files are written before the transaction commits. If it rolls back, the batch
    # id can be taken again and its files are overwritten. A vendor must therefore collect
    # only the batches that `premia notices deliver` reported.
    name = f"print/{as_of.isoformat()}/batch-{batch.id:06d}"
    pdf_file = store.put_named(f"{name}.pdf", files.pdf)
    manifest_file = store.put_named(f"{name}.csv", files.manifest)
    batch.pdf_path, batch.pdf_sha256 = pdf_file.path, pdf_file.sha256
    batch.manifest_path, batch.manifest_sha256 = manifest_file.path, manifest_file.sha256
    batch.page_count = files.page_count

    deliveries = {delivery.id: (delivery, document) for delivery, document in rows}
    for sequence, item in enumerate(files.ordered, start=1):
        delivery, document = deliveries[item.delivery_id]
        delivery.status = DeliveryStatus.SENT.value
        delivery.attempts += 1
        delivery.sent_at = now
        delivery.print_batch_id = batch.id
        delivery.sequence_in_batch = sequence
        _record_attempt(
            ctx,
            delivery,
            SendResult(AttemptOutcome.PRINTED, None, f"print batch {batch.id}, item {sequence}"),
        )
        _settle_notice(ctx, document)
    ctx.session.flush()

    report.printed += len(items)
    report.print_batch_id = batch.id
    report.print_batch_pdf = str(store.root / batch.pdf_path)
    report.print_batch_manifest = str(store.root / batch.manifest_path)
    log.info(
        "print batch written",
        extra={"print_batch_id": batch.id, "documents": len(items), "pages": files.page_count},
    )
    return batch


def mark_undeliverable(
    ctx: ServiceContext, email: str, *, smtp_code: int, detail: str, delivery_id: int | None
) -> None:
    """Record a hard bounce, and flag every person who has this email address."""
    address = email.strip().lower()
    row = ctx.session.scalar(select(UndeliverableEmail).where(UndeliverableEmail.address == address))
    if row is None:
        ctx.session.add(
            UndeliverableEmail(
                address=address,
                smtp_code=smtp_code,
                detail=detail[:512],
                delivery_id=delivery_id,
                recorded_at=ctx.now(),
            )
        )
    elif row.cleared_at is not None:
        # The address was cleared once and bounced again: the same row records the new bounce.
        row.smtp_code, row.detail, row.delivery_id, row.recorded_at = (
            smtp_code,
            detail[:512],
            delivery_id,
            ctx.now(),
        )
        row.cleared_at = row.cleared_by = None
    for person in ctx.session.scalars(select(Person).where(func.lower(Person.email) == address)):
        if not person.email_undeliverable:
            person.email_undeliverable = True
            audit.record(
                ctx,
                action="mark_email_undeliverable",
                record_type="person",
                record_id=person.member_id,
                fields=["email_undeliverable"],
            )
    ctx.session.flush()


def address_record(address: MailingAddress | None) -> dict[str, Any] | None:
    return dataclasses.asdict(address) if address is not None else None


def address_from_record(record: dict[str, Any] | None) -> MailingAddress:
    if record is None:
        raise ValueError("a paper delivery needs the document's window address")
    return MailingAddress(**record)


def _queue_one(
    ctx: ServiceContext,
    notice: Notice,
    *,
    as_of: date,
    store: DocumentStore,
    report: DeliveryReport,
    layouts: Layouts,
) -> None:
    account = ctx.session.get(BillingAccount, notice.billing_account_id)
    if account is None:
        raise ValueError(
            f"notice {notice.id} names billing account id {notice.billing_account_id}, which does not exist"
        )
    recipient, preference = recipient_for(ctx, account, on=as_of)
    route = choose_route(preference, recipient)

    content = build_content(ctx, notice, recipient)
    html = render_html(content)
    pages = layout(html)
    html_file = store.put(html.encode("utf-8"), kind="html", suffix=".html")
    pdf_file = store.put(pages.write_pdf(), kind="pdf", suffix=".pdf")
    document = Document(
        notice_id=notice.id,
        document_type=notice.notice_type,
        billing_account_id=account.id,
        language=content.language,
        html_path=html_file.path,
        html_sha256=html_file.sha256,
        pdf_path=pdf_file.path,
        pdf_sha256=pdf_file.sha256,
        page_count=len(pages.pages),
        window_address=address_record(recipient.address),
        rendered_by=ctx.actor.username,
        rendered_at=ctx.now(),
    )
    ctx.session.add(document)
    ctx.session.flush()
    layouts[document.id] = pages
    report.rendered += 1

    if not route.channels:
        _add_delivery(
            ctx, document, Channel.PAPER, recipient="", status=DeliveryStatus.HELD, error=route.held_reason
        )
        report.held += 1
        log.warning("document held", extra={"document_id": document.id, "reason": route.held_reason})
    for channel in route.channels:
        _add_delivery(ctx, document, channel, recipient=_recipient_text(channel, recipient))
    _settle_notice(ctx, document)
    report.documents.append(
        {
            "document_id": document.id,
            "notice_id": notice.id,
            "document_type": document.document_type,
            "channels": [channel.value for channel in route.channels],
            "held": route.held_reason,
        }
    )


def _send_one(
    ctx: ServiceContext,
    delivery: DocumentDelivery,
    document: Document,
    *,
    mailer: Mailer,
    sender: str,
    store: DocumentStore,
    report: DeliveryReport,
) -> None:
    record = f"document {document.id}"
    if is_undeliverable(ctx, delivery.recipient):
        # An earlier delivery bounced from this address, possibly earlier in this run.
        delivery.status = DeliveryStatus.BOUNCED.value
        delivery.last_error = "not sent: the address is marked undeliverable"
        report.bounced += 1
        _paper_instead(ctx, document, report)
        _settle_notice(ctx, document)
        return

    carrier = carrier_from_settings(ctx.settings)
    link_base = ctx.settings.document_link_base
    link = f"{link_base.rstrip('/')}/{delivery.link_token}" if link_base and delivery.link_token else None
    pdf = None if link else store.read(document.pdf_path, sha256=document.pdf_sha256, record=record)
    delivery.message_id = (
        delivery.message_id or f"<premia.{delivery.id}.{document.pdf_sha256[:16]}@{_domain(sender)}>"
    )
    email = document_email(
        Texts(document_language(document.language)),
        carrier=carrier.name,
        phone=carrier.phone,
        to=delivery.recipient,
        message_id=delivery.message_id,
        sent_at=ctx.now(),
        pdf=pdf,
        attachment_name=f"document-{document.id}.pdf",
        link=link,
    )
    result = mailer.send(email)
    delivery.attempts += 1
    _record_attempt(ctx, delivery, result)
    ids = {
        "delivery_id": delivery.id,
        "document_id": document.id,
        "attempt": delivery.attempts,
        "smtp_code": result.smtp_code,
    }

    if result.outcome is AttemptOutcome.SENT:
        delivery.status = DeliveryStatus.SENT.value
        delivery.sent_at = ctx.now()
        delivery.next_attempt_at = None
        delivery.last_error = None
        report.emailed += 1
        log.info("document emailed", extra=ids)
    elif result.outcome is AttemptOutcome.HARD_BOUNCE:
        delivery.status = DeliveryStatus.BOUNCED.value
        delivery.last_error = result.detail[:512]
        mark_undeliverable(
            ctx,
            delivery.recipient,
            smtp_code=result.smtp_code or 550,
            detail=result.detail,
            delivery_id=delivery.id,
        )
        report.bounced += 1
        log.warning("document email bounced; sending on paper", extra=ids)
        _paper_instead(ctx, document, report)
    elif delivery.attempts >= MAX_EMAIL_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED.value
        delivery.last_error = result.detail[:512]
        delivery.next_attempt_at = None
        report.failed += 1
        log.error(
            "document email failed after the last attempt; sending on paper",
            extra={**ids, "error": result.detail},
        )
        _paper_instead(ctx, document, report)
    else:
        delivery.last_error = result.detail[:512]
        delivery.next_attempt_at = ctx.now() + retry_delay(delivery.attempts)
        report.retrying += 1
        log.warning("document email failed; will retry", extra={**ids, "error": result.detail})
    _settle_notice(ctx, document)
    ctx.session.flush()


def _paper_instead(ctx: ServiceContext, document: Document, report: DeliveryReport) -> None:
    """Queue a paper copy of a document whose email cannot be delivered, unless one exists."""
    existing = ctx.session.scalar(
        select(DocumentDelivery).where(
            DocumentDelivery.document_id == document.id, DocumentDelivery.channel == Channel.PAPER.value
        )
    )
    if existing is not None:
        return
    if document.window_address is None:
        # The PDF has no address in its window, so it cannot be mailed as it was rendered.
        _add_delivery(
            ctx,
            document,
            Channel.PAPER,
            recipient="",
            status=DeliveryStatus.HELD,
            error="no mailing address for a paper copy",
        )
        report.held += 1
        return
    address = address_from_record(document.window_address)
    _add_delivery(ctx, document, Channel.PAPER, recipient=address.one_line())


def _add_delivery(
    ctx: ServiceContext,
    document: Document,
    channel: Channel,
    *,
    recipient: str,
    status: DeliveryStatus = DeliveryStatus.QUEUED,
    error: str | None = None,
) -> DocumentDelivery:
    link_token = None
    if channel is Channel.EMAIL and ctx.settings.document_link_base:
        link_token = secrets.token_urlsafe(24)
    delivery = DocumentDelivery(
        document_id=document.id,
        channel=channel.value,
        recipient=recipient[:512],
        status=status.value,
        attempts=0,
        last_error=error,
        link_token=link_token,
        created_at=ctx.now(),
    )
    ctx.session.add(delivery)
    ctx.session.flush()
    return delivery


def _record_attempt(ctx: ServiceContext, delivery: DocumentDelivery, result: SendResult) -> None:
    ctx.session.add(
        DeliveryAttempt(
            delivery_id=delivery.id,
            attempted_at=ctx.now(),
            outcome=result.outcome.value,
            smtp_code=result.smtp_code,
            detail=result.detail[:512],
        )
    )


def _settle_notice(ctx: ServiceContext, document: Document) -> None:
    """Mark the notice sent once a delivery is sent and none waits, or failed when none can be sent."""
    ctx.session.flush()
    statuses = set(
        ctx.session.scalars(
            select(DocumentDelivery.status).where(DocumentDelivery.document_id == document.id)
        )
    )
    notice = ctx.session.get(Notice, document.notice_id)
    if notice is None or DeliveryStatus.QUEUED.value in statuses:
        return
    if DeliveryStatus.SENT.value in statuses:
        notice.status = NoticeStatus.SENT.value
    else:
        notice.status = NoticeStatus.FAILED.value


def _recipient_text(channel: Channel, recipient: Recipient) -> str:
    if channel is Channel.EMAIL:
        return recipient.email or ""
    return recipient.address.one_line() if recipient.address else ""


def _require_sender(ctx: ServiceContext) -> str:
    sender = ctx.settings.smtp_from
    if not sender or "@" not in parseaddr(sender)[1]:
        raise ValidationError(
            code="documents.smtp_from_missing",
            message="Emails are due but PREMIA_SMTP_FROM is not set to a sender address.",
            field="PREMIA_SMTP_FROM",
            value=sender,
            hint="Set PREMIA_SMTP_FROM, for example billing@carrier.example.",
        )
    return sender


def _domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2]
