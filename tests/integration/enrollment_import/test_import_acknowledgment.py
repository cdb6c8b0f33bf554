"""A 999 acknowledges every interchange: accepted, accepted with errors noted, or rejected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from premia.formats.x12 import QualifiedDate
from premia.importers.enrollment import ImportResult
from premia.infra.context import ServiceContext
from tests.integration.enrollment_import.conftest import count_rows
from tests.integration.enrollment_import.enrollment_files import interchange_text, member

pytestmark = pytest.mark.database

BAD_BIRTH_DATE = "DMG*D8*19860230*F~"


def segments(acknowledgment: str | None) -> list[str]:
    assert acknowledgment is not None
    return [line.rstrip("~") for line in acknowledgment.splitlines()]


def test_clean_file_accepted(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    result = import_text(interchange_text([member("A-1")]))
    lines = segments(result.acknowledgment)

    assert result.report.acknowledgment_code == "A"
    assert "AK1*BE*1*005010X220A1" in lines
    assert "IK5*A" in lines
    assert "AK9*A*1*1*1" in lines
    # The 999 goes back to the sender: ISA08 is the sender of the 834.
    assert lines[0].split("*")[8].strip() == "EXCHANGE"


def test_member_error_noted(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    text = interchange_text([member("A-1"), member("B-1")])
    second = text.index("DMG*D8*19860520*F~", text.index("DMG*D8*19860520*F~") + 1)
    text = text[:second] + BAD_BIRTH_DATE + text[second + len(BAD_BIRTH_DATE) :]

    result = import_text(text)
    lines = segments(result.acknowledgment)

    # The other member was applied, so the set is accepted with the error noted (IK5 E).
    assert result.report.acknowledgment_code == "E"
    assert any(line.startswith("IK3*DMG*") for line in lines)
    assert "IK4*2**8*19860230" in lines
    assert "IK5*E*5" in lines
    assert count_rows(ctx)["persons"] == 1


def test_envelope_error_rejected(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    text = interchange_text([member("A-1")]).replace("IEA*1*000000101", "IEA*1*000000102")

    result = import_text(text)
    lines = segments(result.acknowledgment)

    assert result.report.acknowledgment_code == "R"
    assert any(line.startswith("TA1*000000101*") and line.endswith("*R*001") for line in lines)


def test_tr3_findings_noted_not_rejecting(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    # DTP*358 is not a qualifier 005010X220A1 allows in loop 2000; Premia keeps the member.
    text = interchange_text([member("A-1", dates=(QualifiedDate("358", date(2026, 1, 1)),))])

    result = import_text(text, tr3=True)
    lines = segments(result.acknowledgment)

    assert result.report.tr3["ran"] is True
    assert result.report.tr3["errors"] >= 1
    assert result.report.status == "accepted"
    assert result.report.acknowledgment_code == "E"
    assert any(line.startswith("IK3*DTP*") for line in lines)
    assert count_rows(ctx)["persons"] == 1


def test_tr3_skipped_above_size(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    result = import_text(interchange_text([member("A-1")]), tr3=None, tr3_max_bytes=100)

    assert result.report.tr3 == {"ran": False, "reason": "file larger than 100 bytes"}


def _two_sets(second_count: str) -> str:
    """Return an interchange with two transaction sets, the second with SE01 ``second_count``."""
    text = interchange_text([member("A-1")])
    start, end = text.index("ST*834*0001"), text.index("GE*1*1~")
    second = text[start:end].replace("ST*834*0001", "ST*834*0002").replace("SE*14*0001", f"SE*{second_count}*0002")
    second = second.replace("REF*0F*A-1", "REF*0F*B-1")
    return text[:end] + second + "GE*2*1~" + text[end + len("GE*1*1~") :]


def test_broken_set_rejects_every_set(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    # A wrong SE01 breaks the envelope: nothing is applied, and the 999 rejects both sets' group.
    result = import_text(_two_sets("13"))
    lines = segments(result.acknowledgment)

    assert result.report.status.value == "rejected"
    assert result.report.counts["transaction_sets_rejected"] == 2
    assert result.report.acknowledgment_code == "R"
    assert "IK5*R*4" in lines
    assert "AK9*R*2*2*0" in lines
    assert count_rows(ctx)["persons"] == 0


def test_two_clean_sets_accepted(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    result = import_text(_two_sets("14"))

    assert result.report.counts["members_applied"] == 2
    assert "AK9*A*2*2*2" in segments(result.acknowledgment)


def test_fault_found_twice_noted_once(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    # TR3 validation and Premia's reader both find the impossible birth date.
    text = interchange_text([member("A-1"), member("B-1")])
    second = text.index("DMG*D8*19860520*F~", text.index("DMG*D8*19860520*F~") + 1)
    text = text[:second] + BAD_BIRTH_DATE + text[second + len(BAD_BIRTH_DATE) :]

    lines = segments(import_text(text, tr3=True).acknowledgment)

    assert lines.count("IK4*2**8*19860230") == 1
