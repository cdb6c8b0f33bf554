"""Readers return findings, never exceptions: damaged 834 and 820 files, and their 999s."""

from __future__ import annotations

from datetime import date, time

from hypothesis import given, settings
from hypothesis import strategies as st

from premia.formats.x12 import AcknowledgmentEnvelope, parse_820, parse_834, write_999
from tests.formats.x12.conftest import enrollment_834, payment_820

ENROLLMENT = enrollment_834(
    """
INS*Y*18*021*28*A***FT~
REF*0F*M-1~
DTP*356*D8*20260401~
NM1*IL*1*DOE*JOHN****34*123456789~
PER*IP**TE*5551234567~
N3*12 ELM ST~
N4*SPRINGFIELD*IL*62701**CY*17167~
DMG*D8*19800101*M~
HD*021**HLT**EMP~
DTP*348*D8*20260401~
REF*CE*12345IL0010001-01~
LS*2700~
LX*1~
N1*75*PRE AMT 1~
REF*9X*350.25~
LE*2700~
INS*N*19*024*07*A~
REF*0F*M-1~
DTP*357*D8*20260430~
NM1*IL*1*DOE*JUNIOR~
"""
)
PAYMENT = payment_820(
    """
BPR*I*450*C*NON************20260605~
TRN*3*TRACE-1*1234567890~
N1*PE*PREMIA HEALTH*FI*123456789~
ENT*1~
NM1*IL*1*DOE*JANE~
REF*POL*POLICY-1~
RMR*IK*APTC**500~
DTM*582****RD8*20260601-20260630~
ADX*-50*52~
"""
)
ENVELOPE = AcknowledgmentEnvelope("000000900", "900", date(2026, 4, 2), time(8, 30))
JUNK = st.text(alphabet=st.sampled_from("*~:^ 0123456789ABCDEFXYZ-.\n"), max_size=12)


@st.composite
def damaged(draw: st.DrawFn, text: str) -> str:
    """Return ``text`` with segments dropped, repeated or overwritten, or cut short."""
    segments = text.split("~")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        index = draw(st.integers(min_value=0, max_value=len(segments) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "overwrite", "element"]))
        if action == "drop" and len(segments) > 1:
            del segments[index]
        elif action == "repeat":
            segments.insert(index, segments[index])
        elif action == "overwrite":
            segments[index] = draw(JUNK)
        else:
            elements = segments[index].split("*")
            position = draw(st.integers(min_value=0, max_value=len(elements) - 1))
            elements[position] = draw(JUNK)
            segments[index] = "*".join(elements)
    damaged_text = "~".join(segments)
    return (
        damaged_text[: draw(st.integers(min_value=0, max_value=len(damaged_text)))]
        if draw(st.booleans())
        else (damaged_text)
    )


@settings(max_examples=200, deadline=None)
@given(text=damaged(ENROLLMENT))
def test_damaged_834_gives_findings(text: str) -> None:
    parsed = parse_834(text)

    for interchange in parsed.interchanges:
        write_999(interchange, parsed.findings, ENVELOPE)
    assert parsed.findings or parsed.members


@settings(max_examples=200, deadline=None)
@given(text=damaged(PAYMENT))
def test_damaged_820_gives_findings(text: str) -> None:
    parsed = parse_820(text)

    for interchange in parsed.interchanges:
        write_999(interchange, parsed.findings, ENVELOPE)
    assert parsed.findings or parsed.payments


def test_fixtures_are_clean() -> None:
    assert parse_834(ENROLLMENT).findings == ()
    assert parse_820(PAYMENT).findings == ()
