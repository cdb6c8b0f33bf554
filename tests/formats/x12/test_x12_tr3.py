"""TR3 validation through pyx12: findings in Premia's shape, in memory only, feeding the 999."""

from __future__ import annotations

from pathlib import Path

import pytest

from premia.formats.x12 import (
    FindingCode,
    SetAcknowledgmentCode,
    Severity,
    acknowledge,
    parse_834,
    validate_tr3,
)
from tests.formats.x12.conftest import enrollment_834, payment_820, sample_path

MEMBER = """
INS*Y*18*021*28*A***FT~
REF*0F*M-1~
DTP*356*D8*20260401~
NM1*IL*1*DOE*JOHN****34*123456789~
DMG*D8*19800101*M~
HD*021**HLT**EMP~
DTP*348*D8*20260401~
"""


def test_valid_fragment_has_no_findings() -> None:
    assert validate_tr3(enrollment_834(MEMBER), "005010X220A1") == []


def test_element_error() -> None:
    findings = validate_tr3(enrollment_834(MEMBER.replace("DMG*D8*19800101*M~", "DMG*D8*19800101*Q~")))
    codes = {(finding.code, finding.element, finding.syntax_code) for finding in findings}

    assert (FindingCode.TR3_ELEMENT_ERROR, "DMG03", "7") in codes
    assert {finding.transaction for finding in findings} == {"0001"}


def test_version_mismatch() -> None:
    (finding,) = validate_tr3(enrollment_834(MEMBER), "005010X218")

    assert finding.code is FindingCode.UNSUPPORTED_VERSION
    assert finding.value == "005010X220A1"


def test_exchange_820_unavailable() -> None:
    body = "BPR*I*10*C*NON~\nTRN*1*T*1~\nENT*1~\nRMR*IK*APTC**10~\n"
    (finding,) = validate_tr3(payment_820(body))

    assert finding.code is FindingCode.TR3_UNAVAILABLE
    assert finding.severity is Severity.WARNING
    assert "005010X306" in finding.message


def test_not_x12() -> None:
    (finding,) = validate_tr3("not an interchange")

    assert finding.code is FindingCode.TR3_INTERCHANGE_ERROR


def test_findings_feed_999() -> None:
    text = enrollment_834(MEMBER.replace("DMG*D8*19800101*M~", "DMG*D8*19800101*Q~"))
    parsed = parse_834(text)
    findings = [*parsed.findings, *validate_tr3(text)]
    set_ack = acknowledge(parsed.interchanges[0], findings).groups[0].sets[0]

    # DMG is segment 9 of the set: ST, BGN, N1, N1, INS, REF, DTP, NM1, DMG.
    assert set_ack.status is SetAcknowledgmentCode.REJECTED
    assert [(note.segment_id, note.position_in_set, note.code) for note in set_ack.segments] == [
        ("DMG", 9, "8")
    ]
    assert set_ack.segments[0].elements[0].position == "3"
    assert set_ack.segments[0].elements[0].code == "7"


@pytest.mark.samples
def test_samples_untouched(samples_dir: Path) -> None:
    folder = sample_path(samples_dir, "x12-834", "lfh-add-dependent.834").parent
    before = {path.name: path.stat().st_mtime_ns for path in folder.iterdir()}

    findings = validate_tr3((folder / "lfh-add-dependent.834").read_text(), "005010X220A1")

    assert findings == []
    assert {path.name: path.stat().st_mtime_ns for path in folder.iterdir()} == before


@pytest.mark.samples
@pytest.mark.parametrize(
    ("name", "code", "syntax_code"),
    [
        ("malformed-834-wrong-se-count.txt", FindingCode.TR3_SET_ERROR, "4"),
        ("malformed-834-iea-control-mismatch.txt", FindingCode.TR3_INTERCHANGE_ERROR, "001"),
        ("edge-lfh-enroll-employee-managed-care-dtp358.834", FindingCode.TR3_SEGMENT_ERROR, "1"),
    ],
)
def test_sample_findings(samples_dir: Path, name: str, code: FindingCode, syntax_code: str) -> None:
    findings = validate_tr3(sample_path(samples_dir, "x12-834", name).read_text())

    assert [(finding.code, finding.syntax_code) for finding in findings] == [(code, syntax_code)]


@pytest.mark.samples
def test_sample_820(samples_dir: Path) -> None:
    text = sample_path(samples_dir, "x12-820", "derived-pyx12-820-5010X218-individual-remit.txt").read_text()

    assert validate_tr3(text, "005010X218") == []
