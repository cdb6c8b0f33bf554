"""Document emails: the message (no health information in it) and the SMTP client that sends it.

The body states only that a document is ready and how to reach the carrier. Member names,
amounts and dates travel in the attached PDF (or behind the portal link), never in the
message text or subject. Each message has a Message-ID derived from the delivery and the
document's hash, so a retry of the same delivery carries the same ID.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol, Self

from premia.documents.model import AttemptOutcome, is_hard_bounce
from premia.documents.phrases import Texts
from premia.infra.settings import Settings

log = logging.getLogger("premia.documents")

SMTP_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    body: str
    message_id: str
    sent_at: datetime
    attachment: bytes | None = None
    attachment_name: str | None = None


@dataclass(frozen=True)
class SendResult:
    outcome: AttemptOutcome
    smtp_code: int | None
    detail: str


class Mailer(Protocol):
    def send(self, email: OutgoingEmail) -> SendResult: ...

    def close(self) -> None: ...


def document_email(
    texts: Texts,
    *,
    carrier: str,
    phone: str,
    to: str,
    message_id: str,
    sent_at: datetime,
    pdf: bytes | None,
    attachment_name: str,
    link: str | None,
) -> OutgoingEmail:
    """Build the email for one document, with the PDF attached or a portal link when ``link`` is given."""
    if link is not None:
        body = texts("email_body_link", carrier=carrier, phone=phone, link=link)
        return OutgoingEmail(
            to=to,
            subject=texts("email_subject", carrier=carrier),
            body=body,
            message_id=message_id,
            sent_at=sent_at,
        )
    body = texts("email_body_attached", carrier=carrier, phone=phone)
    return OutgoingEmail(
        to=to,
        subject=texts("email_subject", carrier=carrier),
        body=body,
        message_id=message_id,
        sent_at=sent_at,
        attachment=pdf,
        attachment_name=attachment_name,
    )


def mime_message(email: OutgoingEmail, *, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.sent_at)
    message["Message-ID"] = email.message_id
    message.set_content(email.body)
    if email.attachment is not None:
        message.add_attachment(
            email.attachment, maintype="application", subtype="pdf", filename=email.attachment_name
        )
    return message


class SmtpMailer:
    """Mail sender that uses the SMTP server in settings, over one connection reused for the run."""

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_from:
            raise ValueError("PREMIA_SMTP_FROM is missing; set it to the sender address of document emails")
        self.settings = settings
        self.sender = settings.smtp_from
        self._connection: smtplib.SMTP | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, email: OutgoingEmail) -> SendResult:
        """Send one message and classify the server's reply.

        A 5xx reply to RCPT TO is a hard bounce: the address is rejected for good. Every
        other failure (4xx replies, a refused or dropped connection, a rejected sender or
        message) is temporary and the delivery is tried again later.
        """
        message = mime_message(email, sender=self.sender)
        try:
            connection = self._connect()
            connection.send_message(message, from_addr=self.sender, to_addrs=[email.to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            detail = f"RCPT TO rejected: {code} {_text(reply)}"
            outcome = AttemptOutcome.HARD_BOUNCE if is_hard_bounce(code) else AttemptOutcome.TEMPORARY_FAILURE
            return SendResult(outcome=outcome, smtp_code=code, detail=detail)
        except smtplib.SMTPResponseException as exc:
            # The connection state after a rejected sender or message is unknown: start over.
            self.close()
            return SendResult(
                AttemptOutcome.TEMPORARY_FAILURE, exc.smtp_code, f"{exc.smtp_code} {_text(exc.smtp_error)}"
            )
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            return SendResult(AttemptOutcome.TEMPORARY_FAILURE, None, f"{type(exc).__name__}: {exc}")
        return SendResult(AttemptOutcome.SENT, 250, "accepted")

    def close(self) -> None:
        if self._connection is None:
            return
        connection, self._connection = self._connection, None
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError) as exc:
            log.info("closing the SMTP connection failed", extra={"error": str(exc)})
            connection.close()

    def _connect(self) -> smtplib.SMTP:
        if self._connection is not None:
            return self._connection
        settings = self.settings
        connection = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            connection.ehlo()
            if settings.smtp_starttls:
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if settings.smtp_username:
                connection.login(settings.smtp_username, settings.smtp_password or "")
        except (smtplib.SMTPException, OSError):
            connection.close()
            raise
        self._connection = connection
        return connection


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
