"""Rendering: every document type to HTML and PDF, read back with pypdf.

Each type is rendered once for the whole module, because a PDF takes a few tenths of a second.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from premia.documents.content import GraceStatus
from premia.documents.model import RENDERED_TYPES
from premia.documents.render import render_html, render_pdf
from premia.documents.scanline import is_valid_scan_line
from premia.notices.model import NoticeType
from tests.unit.documents import samples


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def rendered() -> dict[str, dict[str, Any]]:
    """HTML, PDF bytes, page count and extracted text of each sample document."""
    contents = {
        "invoice": samples.invoice_document(),
        "invoice_es": samples.invoice_document("es"),
        "list_bill": samples.list_bill_document(),
    }
    for notice_type, (content, _expected) in samples.letters().items():
        contents[notice_type.value] = content
    results = {}
    for name, content in contents.items():
        html = render_html(content)
        pdf = render_pdf(html)
        results[name] = {"html": html, "pdf": pdf.pdf, "pages": pdf.page_count, "text": _text(pdf.pdf)}
    return results


def test_invoice_shows_number_and_dates(rendered):
    text = rendered["invoice"]["text"]
    assert samples.INVOICE_NUMBER in text
    assert "February 15, 2026" in text  # invoice date
    assert "March 2, 2026" in text  # due date
    assert "March 2026" in text  # coverage period


def test_invoice_shows_amounts(rendered):
    text = rendered["invoice"]["text"]
    # 974.40 - 999.40 + 25.00 + 10.93 + 622.46 = 633.39
    assert "Total amount due $633.39" in text
    assert "Previous balance $974.40" in text
    assert "-$999.40" in text
    assert "$10.93" in text  # Carla, February, 1 of 28 days
    assert "$1,122.46" in text  # 488.80 + 485.60 + 148.06
    assert "-$500.00" in text  # APTC 300.00 + 200.00
    assert "$622.46" in text  # 1,122.46 - 500.00


def test_invoice_itemises_members(rendered):
    text = rendered["invoice"]["text"]
    for name in samples.MEMBERS:
        assert name in text
    assert "$488.80 -$300.00 $188.80" in text  # Ana: 488.80 - 300.00
    assert "15/31 $148.06" in text  # Carla from March 17


def test_invoice_coupon_scan_line(rendered):
    text = rendered["invoice"]["text"]
    line = samples.invoice_document().coupon.scan_line
    assert line in text
    assert is_valid_scan_line(line)
    assert line.split()[2].startswith("0000063339")


def test_invoice_states_consequences(rendered):
    text = " ".join(rendered["invoice"]["text"].split())
    assert "three months" in text
    assert "How to pay" in text


def test_spanish_invoice_text(rendered):
    text = rendered["invoice_es"]["text"]
    assert "Factura de prima" in text
    assert "Monto total a pagar $633.39" in text
    assert "2 de marzo de 2026" in text
    assert "marzo de 2026" in text
    assert "Cónyuge" in text
    assert "Total amount due" not in text


def test_taglines_skip_own_language(rendered):
    english = rendered["invoice"]["text"]
    spanish = rendered["invoice_es"]["text"]
    assert "Español:" in english
    assert "English:" not in english
    assert "English:" in spanish
    assert "Español:" not in spanish
    assert "Tiếng Việt:" in spanish


def test_list_bill_roster_split(rendered):
    text = rendered["list_bill"]["text"]
    for name in ("Dana Reyes", "Eli Reyes", "Farah Khan"):
        assert name in text
    # Gross 1,552.00 = employer 1,164.00 + employee 388.00
    assert "$1,552.00 $1,164.00 $388.00" in text
    assert "$488.80 $366.60 $122.20" in text  # Dana: 75% of 488.80 from the employer
    assert "Attn: Pat Morgan" in text


def test_list_bill_roster_order(rendered):
    text = rendered["list_bill"]["text"]
    assert text.index("Farah Khan") < text.index("Dana Reyes")


@pytest.mark.parametrize("notice_type", sorted(set(samples.letters()), key=str))
def test_letter_states_its_facts(rendered, notice_type):
    _content, expected = samples.letters()[notice_type]
    text = " ".join(rendered[notice_type.value]["text"].split())
    for phrase in expected:
        assert phrase in text


def test_dunning_letter_has_coupon(rendered):
    text = rendered[NoticeType.DELINQUENCY.value]["text"]
    assert "Amount enclosed" in text
    assert "Detach here" in text


def test_receipt_has_no_coupon(rendered):
    text = rendered[NoticeType.PAYMENT_RECEIPT.value]["text"]
    assert "Amount enclosed" not in text


def test_every_rendered_type_has_sample(rendered):
    assert {NoticeType(name) for name in rendered if name in NoticeType._value2member_map_} == set(
        RENDERED_TYPES
    )


def test_same_html_same_pdf(rendered, monkeypatch):
    # fontTools stamps each embedded font subset with the current time; with that pinned,
    # nothing else in the PDF may vary between two renderings of the same HTML.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first = render_pdf(rendered["invoice"]["html"])
    second = render_pdf(rendered["invoice"]["html"])
    assert first.pdf == second.pdf


def test_first_page_fits_invoice_summary(rendered):
    first_page = PdfReader(io.BytesIO(rendered["invoice"]["pdf"])).pages[0].extract_text()
    assert "Total amount due $633.39" in first_page
    assert samples.invoice_document().coupon.scan_line in first_page


def test_stored_text_is_escaped():
    content = samples.invoice_document()
    statement = replace(
        content.invoice, charges=(replace(samples.carla_charge(), member_name="<img src=x>Carla"),)
    )
    html = render_html(replace(content, invoice=statement))
    assert "&lt;img src=x&gt;Carla" in html
    assert "<img src=x>" not in html


def test_network_resource_refused():
    html = render_html(samples.invoice_document()).replace(
        "</body>", '<img src="http://127.0.0.1:9/logo.png"></body>'
    )
    with pytest.raises(FatalURLFetchingError):
        render_pdf(html)


def test_file_outside_templates_refused(tmp_path):
    outside = tmp_path / "logo.css"
    outside.write_text("body { color: red; }", encoding="utf-8")
    html = render_html(samples.invoice_document()).replace(
        "</head>", f'<link rel="stylesheet" href="{outside.as_uri()}"></head>'
    )
    with pytest.raises(FatalURLFetchingError):
        render_pdf(html)


def test_invoice_days_grace_pend_wording():
    # A state grace period counted in days that pends claims from 2026-03-03: the invoice names
    # that date and does not describe the three-month grace period of APTC members.
    grace = GraceStatus(
        in_grace=True,
        aptc=False,
        grace_end=date(2026, 4, 2),
        termination_date=date(2026, 2, 28),
        claims_pended=True,
        claims_pended_from=date(2026, 3, 3),
    )
    for language, pended, aptc_sentence in (
        ("en", "from March 3, 2026 on", "second and third"),
        ("es", "a partir del 3 de marzo de 2026", "segundo y tercer"),
    ):
        html = " ".join(render_html(replace(samples.invoice_document(language), grace=grace)).split())
        assert pended in html
        assert aptc_sentence not in html
