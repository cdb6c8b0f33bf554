"""Scanning an 834 and reading its member loops later gives what reading it in one pass gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from premia.formats.x12 import (
    FindingCode,
    MemberText,
    RejectedMember,
    Scanned834,
    SetMembers,
    Severity,
    parse_834,
    scan_834,
)
from tests.formats.x12.conftest import enrollment_834

SUBSCRIBER = (
    "INS*Y*18*021*28*A~REF*0F*S100~REF*1L*GRP1~"
    "NM1*IL*1*DOE*ANA****34*123456789~DMG*D8*19800101*F~"
    "HD*021**HLT*PLAN1*FAM~DTP*348*D8*20260101~"
)
# An unknown date qualifier is a warning and the member is kept.
DEPENDENT_WITH_WARNING = (
    "INS*N*19*021*28*A~REF*0F*S100~DTP*998*D8*20260101~"
    "NM1*IL*1*DOE*BEA~DMG*D8*20100101*F~HD*021**HLT*PLAN1*FAM~DTP*348*D8*20260101~"
)
# A birth date that is no date rejects the member.
REJECTED_SUBSCRIBER = (
    "INS*Y*18*021*28*A~REF*0F*S200~"
    "NM1*IL*1*ROE*CAL****ZZ*M-200~DMG*D8*19801340*M~HD*021**HLT*PLAN1*IND~DTP*348*D8*20260101~"
)
# A REF*0F of a coverage loop is not the member's own.
DEPENDENT_OF_REJECTED = (
    "INS*N*19*021*28*A~REF*0F*S200~NM1*IL*1*ROE*DEE~DMG*D8*20120101*M~"
    "HD*021**HLT*PLAN1*IND~REF*0F*OTHER~DTP*348*D8*20260101~"
)
MEMBERS = SUBSCRIBER + DEPENDENT_WITH_WARNING + REJECTED_SUBSCRIBER + DEPENDENT_OF_REJECTED
# Three members are sent, so QTY*TO 5 is a control total warning.
HEADER = (
    "BGN*00*REF1*20260220*0900****2~REF*38*MASTER1~QTY*TO*5~"
    "N1*P5*SPONSOR*FI*541234567~N1*IN*INSURER*FI*987654321~"
)


def _file() -> str:
    return enrollment_834(MEMBERS, HEADER)


def test_later_reading_equals_one_pass() -> None:
    text = _file()

    whole = parse_834(text)

    assert scan_834(text).read_all() == whole
    assert scan_834(text, read_members=True).read_all() == whole
    codes = [(finding.code, finding.severity) for finding in whole.findings]
    assert (FindingCode.UNKNOWN_QUALIFIER, Severity.WARNING) in codes
    assert (FindingCode.INVALID_DATE, Severity.ERROR) in codes
    assert (FindingCode.CONTROL_TOTAL_MISMATCH, Severity.WARNING) in codes
    assert len(whole.members) == 3
    assert [rejected.subscriber_id for rejected in whole.rejected_members] == ["S200"]
    assert whole.rejected_members[0].is_subscriber is True


def test_loops_read_in_any_order() -> None:
    scanned = scan_834(_file())
    (pending,) = scanned.sets
    in_order = [SetMembers(pending.context).read(loop) for loop in pending.loops]

    reader = SetMembers(pending.context)
    backwards = [reader.read(loop) for loop in reversed(pending.loops)]

    assert backwards[::-1] == in_order
    assert [len(reading.findings) for reading in in_order] == [0, 1, 1, 0]
    assert isinstance(in_order[2].record, RejectedMember)


def test_heads_read_without_checks() -> None:
    (pending,) = scan_834(_file()).sets

    heads = [loop.head for loop in pending.loops]

    assert [(head.is_subscriber, head.subscriber_id) for head in heads] == [
        (True, "S100"),
        (False, "S100"),
        (True, "S200"),
        (False, "S200"),
    ]
    assert (heads[2].name_qualifier, heads[2].name_id) == ("ZZ", "M-200")
    assert all(loop.text and loop.reading is None for loop in pending.loops)


def test_scan_keeps_readings_when_asked() -> None:
    (pending,) = scan_834(_file(), read_members=True).sets

    assert all(isinstance(loop, MemberText) and loop.reading is not None for loop in pending.loops)
    assert all(loop.text == "" for loop in pending.loops)


def test_padded_elements_read_alike() -> None:
    # Spaces around elements take the tokenizer's trimming path, so the kept text has trimmed values.
    text = _file().replace("*DOE*", "* DOE *")

    scanned = scan_834(text)

    assert scanned.read_all() == parse_834(text)
    assert scanned.read_all().members[0].name.last_name == "DOE"


def _sample_files(samples_dir: Path) -> list[Path]:
    folder = samples_dir / "x12-834"
    if not folder.is_dir():
        pytest.skip(f"sample folder {folder} is missing")
    return sorted(path for path in folder.iterdir() if path.is_file())


@pytest.mark.samples
def test_samples_read_later_alike(samples_dir: Path) -> None:
    for path in _sample_files(samples_dir):
        whole = parse_834(path)
        scanned: Scanned834 = scan_834(path)

        assert scanned.read_all() == whole, path.name
        assert scanned.member_count == len(whole.members) + len(whole.rejected_members), path.name
        loops = [loop for pending in scanned.sets for loop in pending.loops]
        read = {member.position: member for member in whole.members}
        for loop in loops:
            member = read.get(loop.position)
            if member is not None:
                assert loop.head.is_subscriber == member.is_subscriber, path.name
                assert loop.head.subscriber_id == member.subscriber_id, path.name


def test_invalid_ins01_of_self_is_subscriber() -> None:
    # The reader rejects INS01 X, yet INS02 18 marks the loop as the subscriber's own.
    text = enrollment_834(REJECTED_SUBSCRIBER.replace("INS*Y*18", "INS*X*18") + DEPENDENT_OF_REJECTED, HEADER)

    (pending,) = scan_834(text).sets
    whole = parse_834(text)

    assert [loop.head.is_subscriber for loop in pending.loops] == [True, False]
    assert whole.rejected_members[0].is_subscriber is True


def test_impossible_date_hint() -> None:
    (rejected,) = parse_834(_file()).rejected_members

    (finding,) = rejected.findings
    assert finding.value == "19801340"
    assert finding.hint is not None
    assert "month is 01 to 12" in finding.hint
