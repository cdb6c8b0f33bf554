"""Helpers that wrap X12 fragments written inline in tests into complete interchanges.

The tests contain the segments they check in the X12 format itself. These helpers add the
ISA/GS/ST header and the SE/GE/IEA trailer with correct counts, so a fragment stays short.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

ISA_834 = (
    "ISA*00*          *00*          *ZZ*SPONSORCO      *ZZ*PREMIAHEALTH   "
    "*260401*0900*^*00501*000000101*0*T*:~"
)
ISA_820 = (
    "ISA*00*          *00*          *ZZ*PAYERCO        *ZZ*PREMIAHEALTH   "
    "*260605*0900*^*00501*000000201*0*T*:~"
)
HEADER_834 = """
BGN*00*REF-101*20260401*0900****2~
N1*P5*SPONSOR CO*FI*123456789~
N1*IN*PREMIA HEALTH*FI*987654321~
"""


def segments_of(text: str) -> list[str]:
    """Split a fragment into segment texts, one per terminator, dropping blank lines."""
    return [part.strip("\r\n") + "~" for part in text.split("~") if part.strip()]


def transaction_set(set_id: str, control_number: str, implementation: str, body: str) -> list[str]:
    segments = segments_of(body)
    count = len(segments) + 2
    return [f"ST*{set_id}*{control_number}*{implementation}~", *segments, f"SE*{count}*{control_number}~"]


def interchange(
    isa: str, functional_id: str, version: str, sets: list[list[str]], group_control: str = "1"
) -> str:
    """Return a complete interchange around ``sets`` with correct GE01 and IEA01."""
    control_number = isa.split("*")[13]
    lines = [
        isa,
        f"GS*{functional_id}*SENDER*RECEIVER*20260401*0900*{group_control}*X*{version}~",
        *[segment for transaction in sets for segment in transaction],
        f"GE*{len(sets)}*{group_control}~",
        f"IEA*1*{control_number}~",
    ]
    return "\n".join(lines) + "\n"


def enrollment_834(members: str, header: str = HEADER_834) -> str:
    """Return an 834 interchange with one transaction set: ``header`` then ``members``."""
    body = header + members
    return interchange(ISA_834, "BE", "005010X220A1", [transaction_set("834", "0001", "005010X220A1", body)])


def payment_820(body: str, implementation: str = "005010X306") -> str:
    """Return an 820 interchange with one transaction set holding ``body``."""
    return interchange(ISA_820, "RA", implementation, [transaction_set("820", "0001", implementation, body)])


def sample_path(samples_dir: Path, folder: str, name: str) -> Path:
    path = samples_dir / folder / name
    if not path.is_file():
        pytest.skip(f"sample file {path} is missing")
    return path


APRIL_FIRST = date(2026, 4, 1)
