"""Safe XML parsing and namespace-agnostic navigation for ISO 20022 documents.

Each camt version has its own namespace (``urn:iso:std:iso:20022:tech:xsd:camt.053.001.04``
and so on) while the element names stay the same, so elements are found by local name only.
"""

from __future__ import annotations

from typing import TypeAlias

from lxml import etree

from premia.formats.camt.errors import CamtProblem, problem
from premia.kernel.errors import ValidationError

Element: TypeAlias = etree._Element


def _safe_parser() -> etree.XMLParser:
    # No DTD loading, no entity expansion, no network: a bank file can never make the parser
    # read another file or contact a host. Huge-tree mode stays off, keeping libxml2's size limits.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )


def parse_document(data: bytes, problems: list[ValidationError]) -> Element | None:
    """Parse ``data`` into its root element, or add a problem and return None.

    A document with a DOCTYPE is rejected outright: ISO 20022 messages have none, and a DTD
    is how entity attacks start.
    """
    try:
        root = etree.fromstring(data, _safe_parser())
    except etree.XMLSyntaxError as exc:
        problems.append(_syntax_problem(data, exc))
        return None

    if root.getroottree().docinfo.doctype:
        problems.append(
            problem(
                CamtProblem.DTD_NOT_ALLOWED,
                "The document declares a DOCTYPE; ISO 20022 messages have none, so it was not read.",
                hint="Ask the bank for the message without a DOCTYPE declaration.",
            )
        )
        return None
    return root


def _syntax_problem(data: bytes, exc: etree.XMLSyntaxError) -> ValidationError:
    line, column = exc.position
    reason = exc.error_log[0].message if len(exc.error_log) else exc.msg
    body = data.rstrip()
    last_line = body.count(b"\n") + 1
    last_line_length = len(body) - (body.rfind(b"\n") + 1)
    # An error at the very end of the data means the parser ran out of input mid-document.
    if line >= last_line and column >= last_line_length:
        return problem(
            CamtProblem.TRUNCATED,
            f"The document ends before it is complete (line {line}, column {column}: {reason}); the file "
            "looks truncated.",
            value=f"line {line}",
            hint="The transfer was cut short; ask the bank to resend the whole file.",
        )
    return problem(
        CamtProblem.NOT_WELL_FORMED,
        f"The document is not well-formed XML (line {line}, column {column}: {reason}).",
        value=f"line {line}",
        hint="The file is damaged or is not XML; ask the bank to resend it.",
    )


def local_name(element: Element) -> str:
    return str(etree.QName(element).localname)


def namespace(element: Element) -> str | None:
    uri = etree.QName(element).namespace
    return str(uri) if uri else None


def children(element: Element | None, name: str) -> list[Element]:
    """Return the child elements called ``name``, in any namespace."""
    if element is None:
        return []
    return [child for child in element if isinstance(child.tag, str) and local_name(child) == name]


def find(element: Element | None, path: str) -> Element | None:
    """Follow a slash-separated path of local names and return the first match, or None."""
    current = element
    for name in path.split("/"):
        matches = children(current, name)
        if not matches:
            return None
        current = matches[0]
    return current


def find_all(element: Element | None, path: str) -> list[Element]:
    """Return every element at the end of a slash-separated path of local names."""
    level: list[Element] = [element] if element is not None else []
    for name in path.split("/"):
        level = [child for parent in level for child in children(parent, name)]
    return level


def text(element: Element | None, path: str | None = None) -> str | None:
    """Return the stripped text at ``path`` below ``element``, or of ``element`` itself.

    Returns None when the element is absent or empty.
    """
    target = find(element, path) if path else element
    if target is None or target.text is None:
        return None
    return target.text.strip() or None


def texts(element: Element | None, path: str) -> tuple[str, ...]:
    return tuple(value for node in find_all(element, path) if (value := text(node)) is not None)


def descendants(element: Element, name: str) -> list[Element]:
    """Return every element called ``name`` below ``element``, in document order."""
    return [node for node in element.iter() if isinstance(node.tag, str) and local_name(node) == name]
