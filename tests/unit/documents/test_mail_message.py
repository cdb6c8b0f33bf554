"""The document email: what its text says and does not say, attached PDF or link."""

from __future__ import annotations

from datetime import UTC, datetime

from premia.accounts.model import Language
from premia.documents.mail import document_email, mime_message
from premia.documents.phrases import Texts

SENT_AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PDF = b"%PDF-1.7 sample"


def _email(language: Language = Language.ENGLISH, link: str | None = None):
    return document_email(
        Texts(language),
        carrier="Blue Ridge Health Plan",
        phone="1-800-555-0142",
        to="ana@example.org",
        message_id="<premia.7.abc@blueridge.example>",
        sent_at=SENT_AT,
        pdf=None if link else PDF,
        attachment_name="document-7.pdf",
        link=link,
    )


def test_attached_pdf_message():
    message = mime_message(_email(), sender="billing@blueridge.example")
    attachments = [part for part in message.iter_attachments()]
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_filename() == "document-7.pdf"
    assert attachments[0].get_content() == PDF


def test_headers():
    message = mime_message(_email(), sender="billing@blueridge.example")
    assert message["To"] == "ana@example.org"
    assert message["Message-ID"] == "<premia.7.abc@blueridge.example>"
    assert message["Subject"] == "A new document from Blue Ridge Health Plan is ready"


def test_body_names_carrier_and_phone():
    body = _email().body
    assert "Blue Ridge Health Plan" in body
    assert "1-800-555-0142" in body


def test_link_message_has_no_attachment():
    email = _email(link="https://portal.blueridge.example/documents/tok123")
    message = mime_message(email, sender="billing@blueridge.example")
    assert list(message.iter_attachments()) == []
    assert "https://portal.blueridge.example/documents/tok123" in email.body


def test_spanish_email():
    email = _email(Language.SPANISH)
    assert email.subject == "Tiene un nuevo documento de Blue Ridge Health Plan"
    assert "Servicios al Miembro" in email.body
