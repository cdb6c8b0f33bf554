"""Render document content to HTML (Jinja2) and to PDF (WeasyPrint).

Rendering never touches the network. The URL fetcher serves only files from the templates
folder and stops the rendering on any other URL. A stray link in a template or in stored
data therefore fails loudly instead of sending a request. Fonts are the system's DejaVu
fonts, found through fontconfig. Two renderings of the same HTML differ only in the
timestamp fontTools writes into each embedded font subset (pinned by SOURCE_DATE_EPOCH), so
the PDF that was sent is kept as a file rather than rendered again for a reprint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.request import url2pathname

import weasyprint
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from weasyprint.urls import URLFetcher

from premia.documents.content import DocumentContent
from premia.documents.phrases import Texts, document_language, taglines

TEMPLATES_DIR = Path(__file__).parent / "templates"


class LocalFilesOnly(URLFetcher):
    """A WeasyPrint URL fetcher that serves files under the templates folder and nothing else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.startswith("file:"):
            raise ValueError(f"rejected {url}: documents may not load network resources")
        path = Path(url2pathname(url.removeprefix("file:").split("?")[0])).resolve()
        if not path.is_relative_to(TEMPLATES_DIR.resolve()):
            raise ValueError(f"rejected {url}: documents may load files from {TEMPLATES_DIR} only")
        return super().fetch(url, headers)


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    page_count: int


def _css_string(value: object) -> Markup:
    """Escape text for a double-quoted CSS string inside a <style> element."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(text)


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["css_string"] = _css_string
    return environment


ENVIRONMENT = _environment()


def template_name(content: DocumentContent) -> str:
    return "invoice.html" if content.invoice is not None else "letter.html"


def render_html(content: DocumentContent) -> str:
    """Render the document as a complete HTML page in its language."""
    texts = Texts(document_language(content.language))
    template = ENVIRONMENT.get_template(template_name(content))
    return template.render(doc=content, t=texts, taglines=taglines())


def layout(html: str) -> weasyprint.Document:
    """Lay the HTML out in pages, ready to write as a PDF or to join into a print batch."""
    return weasyprint.HTML(
        string=html, base_url=str(TEMPLATES_DIR) + "/", url_fetcher=LocalFilesOnly()
    ).render()


def render_pdf(html: str) -> RenderedPdf:
    document = layout(html)
    return RenderedPdf(pdf=document.write_pdf(), page_count=len(document.pages))


def join_pdf(documents: Sequence[weasyprint.Document]) -> bytes:
    """Write one PDF with every page of ``documents`` in order, for a print batch."""
    if not documents:
        raise ValueError("a print batch needs at least one document")
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
