"""The print batch: one PDF in ZIP order and a manifest with each document's pages and address."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from premia.documents.model import MailingAddress
from premia.documents.print_batch import MANIFEST_COLUMNS, PaperItem, build_batch
from premia.documents.render import layout


def _pages(count: int):
    breaks = "".join('<p style="break-before: page">page</p>' for _ in range(count - 1))
    return layout(f"<html><body><p>first</p>{breaks}</body></html>")


def _item(delivery_id: int, zip_code: str, pages: int) -> PaperItem:
    return PaperItem(
        delivery_id=delivery_id,
        document_id=delivery_id + 100,
        document_type="invoice",
        language="en",
        document_sha256=f"{delivery_id:064d}",
        address=MailingAddress(
            name=f"Payer {delivery_id}", line1="1 Main St", city="Richmond", state="VA", zip_code=zip_code
        ),
        pages=_pages(pages),
    )


@pytest.fixture(scope="module")
def batch():
    return build_batch(7, [_item(1, "23230", 2), _item(2, "22101", 1), _item(3, "23220", 3)])


def _rows(batch) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(batch.manifest.decode("utf-8"))))


def test_manifest_columns(batch):
    assert tuple(_rows(batch)[0]) == MANIFEST_COLUMNS


def test_manifest_in_zip_order(batch):
    assert [row["zip_code"] for row in _rows(batch)] == ["22101", "23220", "23230"]


def test_manifest_page_ranges(batch):
    rows = _rows(batch)
    # 1 page, then 3 pages from page 2, then 2 pages from page 5
    assert [(row["first_page"], row["page_count"]) for row in rows] == [("1", "1"), ("2", "3"), ("5", "2")]


def test_batch_pdf_holds_every_page(batch):
    # 1 + 3 + 2 = 6
    assert len(PdfReader(io.BytesIO(batch.pdf)).pages) == 6
    assert batch.page_count == 6


def test_manifest_names_batch_and_hash(batch):
    row = _rows(batch)[0]
    assert row["batch_id"] == "7"
    assert row["document_sha256"] == f"{2:064d}"
    assert row["sequence"] == "1"


def test_manifest_uses_crlf(batch):
    assert batch.manifest.count(b"\r\n") == 4


def test_empty_batch_rejected():
    with pytest.raises(ValueError):
        build_batch(8, [])
