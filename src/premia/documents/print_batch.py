"""Paper delivery: one PDF per run and a manifest CSV that a print and mail vendor reads.

Documents are ordered by ZIP code (then document id), which is the order presorted mail
is handed to the postal service. For each document the manifest names its pages in the
batch PDF, its mailing address and the SHA-256 of the stored document. The vendor splits
the batch by those pages, and the carrier can prove what each envelope held.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import weasyprint

from premia.documents.model import MailingAddress
from premia.documents.render import join_pdf

MANIFEST_COLUMNS = (
    "batch_id",
    "sequence",
    "delivery_id",
    "document_id",
    "document_type",
    "language",
    "first_page",
    "page_count",
    "recipient_name",
    "attention",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip_code",
    "document_sha256",
)


@dataclass(frozen=True)
class PaperItem:
    """One document to print: its layout, where it goes, and what identifies it."""

    delivery_id: int
    document_id: int
    document_type: str
    language: str
    document_sha256: str
    address: MailingAddress
    pages: weasyprint.Document


@dataclass(frozen=True)
class BatchFiles:
    pdf: bytes
    manifest: bytes
    page_count: int
    ordered: tuple[PaperItem, ...]


def mail_order(items: Sequence[PaperItem]) -> list[PaperItem]:
    return sorted(items, key=lambda item: (item.address.zip_code, item.document_id))


def build_batch(batch_id: int, items: Sequence[PaperItem]) -> BatchFiles:
    """Build the batch PDF and its manifest for ``items``, in mailing order."""
    ordered = mail_order(items)
    rows = []
    first_page = 1
    for sequence, item in enumerate(ordered, start=1):
        page_count = len(item.pages.pages)
        address = item.address
        rows.append(
            {
                "batch_id": batch_id,
                "sequence": sequence,
                "delivery_id": item.delivery_id,
                "document_id": item.document_id,
                "document_type": item.document_type,
                "language": item.language,
                "first_page": first_page,
                "page_count": page_count,
                "recipient_name": address.name,
                "attention": address.attention or "",
                "address_line1": address.line1,
                "address_line2": address.line2 or "",
                "city": address.city,
                "state": address.state,
                "zip_code": address.zip_display,
                "document_sha256": item.document_sha256,
            }
        )
        first_page += page_count

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return BatchFiles(
        pdf=join_pdf([item.pages for item in ordered]),
        manifest=buffer.getvalue().encode("utf-8"),
        page_count=first_page - 1,
        ordered=tuple(ordered),
    )
