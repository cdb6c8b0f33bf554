"""Tokenizer: delimiters from the fixed-width ISA, trimming (BC-34), positions, streaming."""

from __future__ import annotations

from pathlib import Path

import pytest

from premia.formats.x12 import FindingCode, Severity, Tokenizer, iter_segments
from premia.formats.x12 import tokenizer as tokenizer_module
from premia.formats.x12.tokenizer import ISA_LENGTH, read_isa_layout
from tests.formats.x12.conftest import ISA_834, enrollment_834

BACKSLASH_ISA = (
    "ISA*00*          *00*          *ZZ*D00XXX         *ZZ*00AA           *070305"
    "*1832*^*00501*676048320*0*P*\\~"
)
REPETITION_BANG_ISA = (
    "ISA*00*          *00*          *ZZ*ORDHS          *ZZ*MB888880       *130312"
    "*0206*!*00501*000000238*0*P*:~"
)
VERSION_4010_ISA = (
    "ISA*00*          *00*          *ZZ*AAAA           *ZZ*BBBB           *050607"
    "*1650*U*00401*000296231*1*P*:~"
)
SHORT_ISA = "ISA*00*          *00*          *ZZ*SENDER*ZZ*RECEIVER*080503*1705*>*00501*000010216*0*T*:~"


def test_isa_length_is_106() -> None:
    assert len(ISA_834) == ISA_LENGTH


def test_delimiters_standard() -> None:
    layout = read_isa_layout(ISA_834)

    assert layout.delimiters is not None
    assert layout.delimiters.element == "*"
    assert layout.delimiters.repetition == "^"
    assert layout.delimiters.component == ":"
    assert layout.delimiters.segment == "~"
    assert layout.findings == []


def test_delimiters_backslash_component() -> None:
    layout = read_isa_layout(BACKSLASH_ISA)

    assert layout.delimiters is not None
    assert layout.delimiters.component == "\\"


def test_delimiters_bang_repetition() -> None:
    layout = read_isa_layout(REPETITION_BANG_ISA)

    assert layout.delimiters is not None
    assert layout.delimiters.repetition == "!"


def test_delimiters_4010_has_no_repetition() -> None:
    # ISA11 is the standards identifier U before 00501, not a repetition separator.
    layout = read_isa_layout(VERSION_4010_ISA)

    assert layout.delimiters is not None
    assert layout.delimiters.repetition is None


def test_short_isa_rejected_naming_width() -> None:
    layout = read_isa_layout(SHORT_ISA)

    assert len(layout.findings) == 1
    finding = layout.findings[0]
    assert finding.code is FindingCode.ISA_NOT_FIXED_WIDTH
    assert finding.severity is Severity.ERROR
    assert finding.segment_id == "ISA"
    # 106 - (15 - 6) - (15 - 8) = 90 characters.
    assert "90 characters long, not the fixed 106" in finding.message
    assert "ISA06 has 6 characters instead of 15" in finding.message
    assert "ISA08 has 8 characters instead of 15" in finding.message


def test_short_isa_lenient_is_warning() -> None:
    layout = read_isa_layout(SHORT_ISA, lenient=True)

    assert layout.delimiters is not None
    assert layout.delimiters.component == ":"
    assert layout.findings[0].severity is Severity.WARNING


def test_not_an_interchange() -> None:
    tokenizer = Tokenizer("GS*BE*A*B*20260401*0900*1*X*005010X220A1~")

    assert list(tokenizer.batches()) == []
    assert tokenizer.findings[0].code is FindingCode.NOT_AN_INTERCHANGE


def test_terminator_letter_rejected() -> None:
    layout = read_isa_layout(ISA_834[:-1] + "X")

    assert layout.delimiters is None
    assert layout.findings[0].code is FindingCode.NOT_AN_INTERCHANGE


def test_positions_start_at_isa() -> None:
    segments = list(iter_segments(enrollment_834("")))

    assert segments[0].position == 1
    assert segments[0].id == "ISA"
    assert [segment.position for segment in segments] == list(range(1, len(segments) + 1))
    assert segments[-1].id == "IEA"


def test_line_breaks_and_carriage_returns() -> None:
    text = enrollment_834("").replace("\n", "\r\n")
    ids = [segment.id for segment in iter_segments(text)]

    assert ids == ["ISA", "GS", "ST", "BGN", "N1", "N1", "SE", "GE", "IEA"]


def test_space_after_terminator() -> None:
    text = enrollment_834("").replace("~\n", "~ \n")
    ids = [segment.id for segment in iter_segments(text)]

    assert ids == ["ISA", "GS", "ST", "BGN", "N1", "N1", "SE", "GE", "IEA"]


def test_trim_keeps_inner_spaces() -> None:
    # BC-34: a trailing space after the member ID and the email, inner spaces in the address.
    text = enrollment_834(
        """
INS*Y*18*001*25*A***FT~
REF*0F*M-501 ~
NM1*IL*1*SUBSCRIBER*A~
PER*IP**EM*subscriber.a@example.org ~
N3*48 OAK AVE*APT 2~
"""
    )
    segments = {segment.id: segment for segment in iter_segments(text)}

    assert segments["REF"].elements == ["REF", "0F", "M-501"]
    assert segments["PER"].element(4) == "subscriber.a@example.org"
    assert segments["N3"].elements == ["N3", "48 OAK AVE", "APT 2"]


def test_trim_leading_space() -> None:
    text = enrollment_834("INS*Y*18*030*XN*A*C   **FT~\nREF*0F*  M-7~\n")
    segments = {segment.id: segment for segment in iter_segments(text)}

    assert segments["INS"].element(6) == "C"
    assert segments["REF"].element(2) == "M-7"


def test_element_beyond_end_is_empty() -> None:
    segment = next(iter_segments(enrollment_834("")))

    assert segment.element(40) == ""


def test_bytes_source() -> None:
    ids = [segment.id for segment in iter_segments(enrollment_834("").encode("ascii"))]

    assert ids[0] == "ISA"
    assert ids[-1] == "IEA"


def test_invalid_utf8_warns() -> None:
    text = enrollment_834("").encode("ascii").replace(b"SPONSOR CO", b"SPONSOR \xff\xfe")
    tokenizer = Tokenizer(text)
    list(tokenizer.batches())

    assert tokenizer.findings[0].code is FindingCode.INVALID_CHARACTER
    assert tokenizer.findings[0].severity is Severity.WARNING


def test_unterminated_last_segment_kept() -> None:
    text = enrollment_834("").rstrip().rstrip("~")
    segments = list(iter_segments(text))

    assert segments[-1].elements == ["IEA", "1", "000000101"]


def test_path_read_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks of 50 characters split segments and even the terminator's line break.
    monkeypatch.setattr(tokenizer_module, "CHUNK_CHARACTERS", 50)
    text = enrollment_834("INS*Y*18*021*28*A***FT~\nREF*0F*M-1~\nNM1*IL*1*DOE*JANE~\n" * 3)
    path = tmp_path / "chunked.834"
    path.write_text(text)

    from_path = [(segment.position, segment.elements) for segment in iter_segments(path)]
    from_text = [(segment.position, segment.elements) for segment in iter_segments(text)]

    assert from_path == from_text
    assert len(from_path) == 9 + 9  # nine envelope and header segments, three members of three


def test_small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenizer_module, "BATCH_SEGMENTS", 2)
    batches = list(Tokenizer(enrollment_834("")).batches())

    assert [len(batch) for _, batch in batches] == [2, 2, 2, 2, 1]
    assert [first for first, _ in batches] == [1, 3, 5, 7, 9]
