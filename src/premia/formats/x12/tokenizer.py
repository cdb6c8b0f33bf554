"""Split X12 text into segments, reading the delimiters from the fixed-width ISA segment.

The ISA segment is 106 characters long, so its fourth character is the element separator,
character 105 the component separator and character 106 the segment terminator. Whitespace
after a terminator (line breaks, carriage returns, a stray space) is ignored, and every
element value loses its leading and trailing spaces while inner spaces stay. A path is read
in chunks, so a large file never has to fit in memory as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from itertools import count, repeat
from pathlib import Path
from typing import NamedTuple

from premia.formats.x12.findings import Finding, FindingCode, FindingScope, Severity

ISA_LENGTH = 106
# Widths of ISA01 to ISA16, which pad the ISA segment to exactly 106 characters.
ISA_ELEMENT_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
CHUNK_CHARACTERS = 1 << 20
# Segments per batch. Small batches keep few element lists alive at once, which keeps the
# garbage collector's passes short; large batches save per-batch overhead.
BATCH_SEGMENTS = 2048

Source = bytes | str | Path


class Delimiters(NamedTuple):
    """The four X12 delimiters; ``repetition`` is None before version 00501."""

    element: str = "*"
    repetition: str | None = "^"
    component: str = ":"
    segment: str = "~"


class Segment(NamedTuple):
    """One segment: ``elements[0]`` is the segment id, so ``elements[1]`` is element 01."""

    position: int
    elements: list[str]

    @property
    def id(self) -> str:
        return self.elements[0]

    def element(self, index: int) -> str:
        """Return element ``index`` (1-based), or an empty string when the segment is shorter."""
        return self.elements[index] if index < len(self.elements) else ""


# Builds a Segment from a (position, elements) pair without a Python-level call. Streaming
# 100,000 members took about a fifth less time than with Segment._make when measured.
make_segment = partial(tuple.__new__, Segment)


class IsaLayout(NamedTuple):
    """The delimiters and length read from an ISA segment, and the findings about it."""

    delimiters: Delimiters | None
    length: int
    findings: list[Finding]


def read_isa_layout(text: str, *, lenient: bool = False, position: int = 1) -> IsaLayout:
    """Read the delimiters from the ISA segment at the start of ``text``.

    A segment that is not exactly 106 characters is an error naming each element whose width
    is wrong. With ``lenient`` it is a warning, and the delimiters are read from where the
    separators actually are, for partners that do not pad the ISA fields.
    """
    if not text.startswith("ISA") or len(text) < 4:
        return IsaLayout(None, 0, [_not_an_interchange(text, position)])

    separator = text[3]
    separator_indexes = _find_isa_separators(text, separator)
    if len(separator_indexes) < 16 or separator_indexes[-1] + 2 >= len(text):
        return IsaLayout(None, 0, [_not_an_interchange(text, position)])

    last = separator_indexes[-1]
    component = text[last + 1]
    terminator = text[last + 2]
    length = last + 3
    if terminator.isalnum() or terminator == separator or component == separator:
        finding = _isa_finding(
            FindingCode.NOT_AN_INTERCHANGE,
            f"The ISA segment ends with terminator {terminator!r}, which cannot separate segments.",
            "Use a segment terminator that is not a letter, a digit or the element separator.",
            position,
            element="ISA16",
        )
        return IsaLayout(None, length, [finding])

    ends = [*separator_indexes[1:], last + 2]
    values = [text[start + 1 : end] for start, end in zip(separator_indexes, ends, strict=True)]
    findings = _check_isa_widths(values, length, lenient=lenient, position=position)
    version = values[11]
    repetition = values[10] if version >= "00501" and not values[10].isalnum() else None
    return IsaLayout(Delimiters(separator, repetition, component, terminator), length, findings)


def _find_isa_separators(text: str, separator: str) -> list[int]:
    indexes: list[int] = []
    index = 3
    # A padded ISA has its 16th separator at index 103; 300 characters leave room for
    # over-long fields, which are reported, not guessed at.
    while len(indexes) < 16 and index != -1 and index < 300:
        indexes.append(index)
        index = text.find(separator, index + 1)
    return indexes


def _check_isa_widths(values: list[str], length: int, *, lenient: bool, position: int) -> list[Finding]:
    wrong = [
        f"ISA{number:02d} has {len(value)} characters instead of {width}"
        for number, (value, width) in enumerate(zip(values, ISA_ELEMENT_WIDTHS, strict=True), start=1)
        if len(value) != width
    ]
    if length == ISA_LENGTH and not wrong:
        return []
    detail = "; ".join(wrong) if wrong else "the element widths add up wrong"
    message = f"The ISA segment is {length} characters long, not the fixed {ISA_LENGTH}: {detail}."
    if lenient:
        message += " The delimiters were read from the separators instead."
    return [
        _isa_finding(
            FindingCode.ISA_NOT_FIXED_WIDTH,
            message,
            "Pad every ISA element with trailing spaces (or leading zeros for ISA13) to its fixed width.",
            position,
            severity=Severity.WARNING if lenient else Severity.ERROR,
        )
    ]


def _not_an_interchange(text: str, position: int) -> Finding:
    start = text[:20]
    return _isa_finding(
        FindingCode.NOT_AN_INTERCHANGE,
        f"The text does not start with a complete ISA segment (it starts with {start!r}).",
        "Send an X12 interchange that begins with the 106-character ISA segment.",
        position,
    )


def _isa_finding(
    code: FindingCode,
    message: str,
    hint: str,
    position: int,
    *,
    element: str | None = None,
    severity: Severity = Severity.ERROR,
) -> Finding:
    return Finding(code, severity, FindingScope.INTERCHANGE, "ISA", position, element, message, hint)


class Tokenizer:
    """Streams the segments of one X12 file and collects the findings about its delimiters.

    ``batches()`` yields the segments as batches of element lists. The readers use it
    because it keeps the cost per segment low. ``segments()`` yields one ``Segment`` at a
    time for other callers. ``delimiters`` is set once the first ISA has been read.
    """

    def __init__(self, source: Source, *, lenient_isa: bool = False) -> None:
        self.source = source
        self.lenient_isa = lenient_isa
        self.findings: list[Finding] = []
        self.delimiters: Delimiters | None = None
        self.pending = ""
        self.isa_length = 0

    def segments(self) -> Iterator[Segment]:
        for first_position, batch in self.batches():
            yield from map(make_segment, zip(count(first_position), batch))

    def batches(self) -> Iterator[tuple[int, list[list[str]]]]:
        """Yield ``(position of the first segment, element lists)`` for each chunk of text."""
        chunks = _text_chunks(self.source)
        first = _first_chunk(chunks)
        layout = read_isa_layout(first, lenient=self.lenient_isa)
        self.findings.extend(layout.findings)
        if layout.delimiters is None:
            return
        self.delimiters = layout.delimiters
        self.isa_length = layout.length
        self._check_characters(first, 1)

        position = 1
        self.pending = first
        for chunk in chunks:
            self._check_characters(chunk, position)
            for batch in self._split(self.pending + chunk):
                yield position, batch
                position += len(batch)
        for batch in self._split(self.pending):
            yield position, batch
            position += len(batch)
        if self.pending.strip():
            # The last segment has no terminator: keep it, so the trailer checks can judge it.
            yield position, [self._elements(self.pending.strip())]

    def _split(self, text: str) -> Iterator[list[list[str]]]:
        """Yield the complete segments of ``text`` in batches; keep the unterminated rest."""
        assert self.delimiters is not None
        separator = self.delimiters.element
        parts = text.split(self.delimiters.segment)
        self.pending = parts.pop()
        # Trimming each element costs a Python loop per segment, so it runs only on chunks
        # where some element starts or ends with a space. Spaces at the very start or end of
        # a segment go with the segment's own strip(). The first ISA is padded by design and
        # is skipped; a later ISA in the same chunk only makes that chunk take the slow path.
        skip, self.isa_length = self.isa_length, 0
        padded = text.find(separator + " ", skip) != -1 or text.find(" " + separator, skip) != -1
        separators = repeat(separator)
        for start in range(0, len(parts), BATCH_SEGMENTS):
            raw_segments = filter(None, map(str.strip, parts[start : start + BATCH_SEGMENTS]))
            if padded:
                batch = [[value.strip() for value in raw.split(separator)] for raw in raw_segments]
            else:
                batch = list(map(str.split, raw_segments, separators))
            if start == 0 and skip and batch:
                batch[0] = [value.strip() for value in batch[0]]
            yield batch

    def _elements(self, raw: str) -> list[str]:
        assert self.delimiters is not None
        return [value.strip() for value in raw.split(self.delimiters.element)]

    def _check_characters(self, chunk: str, position: int) -> None:
        if "\ufffd" in chunk and not any(f.code is FindingCode.INVALID_CHARACTER for f in self.findings):
            self.findings.append(
                Finding(
                    FindingCode.INVALID_CHARACTER,
                    Severity.WARNING,
                    FindingScope.INTERCHANGE,
                    "ISA",
                    position,
                    None,
                    "The file contains bytes that are not valid UTF-8; they were replaced by U+FFFD.",
                    "Send the file as ASCII or UTF-8 text.",
                )
            )


def _text_chunks(source: Source) -> Iterator[str]:
    if isinstance(source, Path):
        with source.open(encoding="utf-8", errors="replace", newline="") as stream:
            while chunk := stream.read(CHUNK_CHARACTERS):
                yield chunk
    elif isinstance(source, bytes):
        yield source.decode("utf-8", errors="replace")
    else:
        yield source


def _first_chunk(chunks: Iterator[str]) -> str:
    """Return enough text to hold the ISA segment, without a byte order mark or leading whitespace."""
    first = ""
    for chunk in chunks:
        first = (first + chunk).lstrip("\ufeff \t\r\n")
        if len(first) >= 2 * ISA_LENGTH:
            break
    return first


def iter_segments(source: Source, *, lenient_isa: bool = False) -> Iterator[Segment]:
    """Yield the segments of ``source`` with their 1-based positions.

    Findings about the ISA segment are dropped here; use ``Tokenizer`` to keep them.
    """
    yield from Tokenizer(source, lenient_isa=lenient_isa).segments()
