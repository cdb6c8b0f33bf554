"""Invoices from the bill run, rendered, printed in a batch and reprinted exactly as sent."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from premia.accounts.model import Language
from premia.accounts.tables import Person
from premia.billing.tables import Invoice
from premia.documents.service import deliver_notices, reprint_document
from premia.documents.tables import Document, DocumentDelivery, PrintBatch
from premia.enrollment.tables import CoverageSpan
from premia.kernel.errors import ConflictError, PermissionDeniedError
from premia.notices.model import NoticeStatus
from premia.notices.tables import Notice
from premia.staff.permissions import Role
from tests.conftest import make_context
from tests.integration.documents.conftest import household_account, insure_couple, pdf_text


def _billed_couple(story, *, language: Language = Language.ENGLISH):
    # Ana born 1990-08-17: age 35 on 2026-01-01, 400.00 x 1.222 = 488.80
    # Bruno born 1991-02-03: age 34, 400.00 x 1.214 = 485.60
    account = household_account(story.at(date(2025, 12, 1)).ctx, language=language)
    policy = insure_couple(story, account)
    story.bill(date(2025, 12, 15))
    invoice = story.invoices(account)[0]
    return account, policy, invoice


def _document(ctx, invoice: Invoice) -> Document:
    notice = ctx.session.scalar(select(Notice).where(Notice.invoice_id == invoice.id))
    return ctx.session.scalar(select(Document).where(Document.notice_id == notice.id))


def _member_names(ctx, policy) -> list[str]:
    people = ctx.session.scalars(
        select(Person)
        .join(CoverageSpan, CoverageSpan.person_id == Person.id)
        .where(CoverageSpan.policy_id == policy.id)
    )
    return [f"{person.first_name} {person.last_name}" for person in people]


def test_invoice_pdf_shows_stored_facts(story, ctx, documents_dir):
    _account, policy, invoice = _billed_couple(story)

    deliver_notices(ctx, as_of=date(2025, 12, 15))

    text = pdf_text((documents_dir / _document(ctx, invoice).pdf_path).read_bytes())
    assert invoice.invoice_number in text
    # 488.80 + 485.60 = 974.40
    assert invoice.amount_due_cents == 97_440
    assert "Total amount due $974.40" in text
    assert "$488.80" in text
    assert "$485.60" in text
    # Due 2026-01-01, a holiday, moved to Friday 2026-01-02
    assert invoice.due_date == date(2026, 1, 2)
    assert "January 2, 2026" in text
    for name in _member_names(ctx, policy):
        assert name in text


def test_spanish_account_gets_spanish_invoice(story, ctx, documents_dir):
    _account, _policy, invoice = _billed_couple(story, language=Language.SPANISH)

    deliver_notices(ctx, as_of=date(2025, 12, 15))

    document = _document(ctx, invoice)
    text = pdf_text((documents_dir / document.pdf_path).read_bytes())
    assert document.language == "es"
    assert "Factura de prima" in text
    assert "Monto total a pagar $974.40" in text
    assert "2 de enero de 2026" in text
    assert "Total amount due" not in text


def test_paper_invoice_in_print_batch(story, ctx, documents_dir):
    _account, _policy, invoice = _billed_couple(story)

    report = deliver_notices(ctx, as_of=date(2025, 12, 15))

    document = _document(ctx, invoice)
    delivery = ctx.session.scalar(select(DocumentDelivery).where(DocumentDelivery.document_id == document.id))
    batch = ctx.session.get(PrintBatch, report.print_batch_id)
    assert report.printed == 1
    assert delivery.channel == "paper"
    assert delivery.status == "sent"
    assert delivery.print_batch_id == batch.id
    assert delivery.recipient == "Ana Lopez, 48 Oak Ave, Apt 2, Richmond, VA 23220"
    rows = list(
        csv.DictReader(io.StringIO((documents_dir / batch.manifest_path).read_text(encoding="utf-8")))
    )
    assert [row["document_id"] for row in rows] == [str(document.id)]
    assert rows[0]["document_sha256"] == document.pdf_sha256
    assert rows[0]["address_line1"] == "48 Oak Ave"
    assert (
        len(PdfReader(io.BytesIO((documents_dir / batch.pdf_path).read_bytes())).pages) == document.page_count
    )
    assert ctx.session.get(Notice, document.notice_id).status == NoticeStatus.SENT.value


def test_second_run_sends_nothing(story, ctx):
    _billed_couple(story)
    deliver_notices(ctx, as_of=date(2025, 12, 15))

    again = deliver_notices(ctx, as_of=date(2025, 12, 15))

    assert again.rendered == 0
    assert again.printed == 0
    assert again.print_batch_id is None
    assert ctx.session.scalar(select(func.count()).select_from(PrintBatch)) == 1
    assert ctx.session.scalar(select(func.count()).select_from(DocumentDelivery)) == 1


def test_notice_not_due_waits(story, ctx):
    _billed_couple(story)

    report = deliver_notices(ctx, as_of=date(2025, 12, 14))

    assert report.rendered == 0
    assert ctx.session.scalar(select(func.count()).select_from(Document)) == 0


def test_reprint_is_byte_identical(story, ctx, documents_dir):
    _account, _policy, invoice = _billed_couple(story)
    deliver_notices(ctx, as_of=date(2025, 12, 15))
    document = _document(ctx, invoice)
    path = documents_dir / document.pdf_path
    sent = path.read_bytes()

    reprint = reprint_document(ctx, document.id)

    assert reprint.pdf == sent
    assert reprint.document.pdf_sha256 == document.pdf_sha256

    path.write_bytes(sent + b"\n")
    with pytest.raises(ConflictError) as error:
        reprint_document(ctx, document.id)
    assert error.value.code == "documents.file_changed"


def test_csr_cannot_deliver(db_session):
    csr = make_context(db_session, role=Role.CSR)

    with pytest.raises(PermissionDeniedError):
        deliver_notices(csr, as_of=date(2025, 12, 15))
