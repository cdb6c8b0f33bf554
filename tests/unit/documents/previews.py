"""Write the first page of each sample document as a PNG, for review of the print layout.

Run from the repository root (needs ``pdftoppm`` from poppler-utils):

    .venv/bin/python -m tests.unit.documents.previews docs/documents
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from premia.documents.content import DocumentContent
from premia.documents.render import render_html, render_pdf
from tests.unit.documents import samples

RESOLUTION_DPI = 96


def sample_documents() -> dict[str, DocumentContent]:
    documents = {
        "invoice": samples.invoice_document(),
        "invoice_es": samples.invoice_document("es"),
        "list_bill": samples.list_bill_document(),
    }
    for notice_type, (content, _expected) in samples.letters().items():
        documents[notice_type.value] = content
    return documents


def write_previews(folder: Path) -> list[Path]:
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm is not installed; install poppler-utils to write previews")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        for name, content in sample_documents().items():
            pdf_path = Path(scratch) / f"{name}.pdf"
            pdf_path.write_bytes(render_pdf(render_html(content)).pdf)
            target = folder / name
            command = [
                "pdftoppm",
                "-png",
                "-r",
                str(RESOLUTION_DPI),
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf_path),
                str(target),
            ]
            subprocess.run(command, check=True)
            written.append(target.with_suffix(".png"))
    return written


if __name__ == "__main__":
    for path in write_previews(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/documents")):
        print(path)
