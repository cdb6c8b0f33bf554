"""999 acknowledgments: AK1/AK2/IK3/IK4/IK5/AK9 content, TA1 for envelope errors, valid envelope."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from premia.formats.x12 import (
    AcknowledgmentEnvelope,
    GroupAcknowledgmentCode,
    SetAcknowledgmentCode,
    acknowledge,
    iter_segments,
    parse_820,
    parse_834,
    read_interchanges,
    write_999,
)
from tests.formats.x12.conftest import (
    HEADER_834,
    ISA_834,
    enrollment_834,
    interchange,
    payment_820,
    sample_path,
    transaction_set,
)

ENVELOPE = AcknowledgmentEnvelope("000000900", "900", date(2026, 4, 2), time(8, 30))
MEMBER = "INS*Y*18*021*28*A***FT~\nREF*0F*M-1~\nNM1*IL*1*DOE*JOHN~\n"


def segment_texts(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


def body_segments(text: str) -> list[str]:
    """The acknowledgment segments between ST and SE."""
    return [
        line
        for line in segment_texts(text)
        if line.split("*")[0] not in {"ISA", "GS", "ST", "SE", "GE", "IEA"}
    ]


def test_accepted_set() -> None:
    parsed = parse_834(enrollment_834(MEMBER))
    text = write_999(parsed.interchanges[0], parsed.findings, ENVELOPE)

    assert body_segments(text) == [
        "AK1*BE*1*005010X220A1~",
        "AK2*834*0001*005010X220A1~",
        "IK5*A~",
        "AK9*A*1*1*1~",
    ]


def test_envelope_is_valid_and_reversed() -> None:
    parsed = parse_834(enrollment_834(MEMBER))
    text = write_999(parsed.interchanges[0], parsed.findings, ENVELOPE)
    reading = read_interchanges(text)
    reply = reading.interchanges[0]

    assert reading.findings == ()
    assert len(segment_texts(text)[0]) == 106
    assert (reply.sender_id, reply.receiver_id) == ("PREMIAHEALTH", "SPONSORCO")
    assert reply.control_number == "000000900"
    assert reply.groups[0].functional_id == "FA"
    assert reply.groups[0].version == "005010X231A1"
    assert reply.groups[0].sets[0].header.set_id == "999"
    assert (reply.groups[0].sender_code, reply.groups[0].receiver_code) == ("RECEIVER", "SENDER")


def test_member_error_accepted_with_errors() -> None:
    members = MEMBER + "INS*N*99*021*28*A~\nREF*0F*M-1~\nNM1*IL*1*DOE*JANE~\nDMG*D8*20260231*F~\n"
    parsed = parse_834(enrollment_834(members))
    text = write_999(parsed.interchanges[0], parsed.findings, ENVELOPE)

    # The second INS is segment 8 of the set (ST 1, BGN 2, N1 3 and 4, first member 5 to 7);
    # its DMG is segment 11.
    assert body_segments(text) == [
        "AK1*BE*1*005010X220A1~",
        "AK2*834*0001*005010X220A1~",
        "IK3*INS*8**8~",
        "IK4*2**7*99~",
        "IK3*DMG*11**8~",
        "IK4*2**8*20260231~",
        "IK5*E*5~",
        "AK9*E*1*1*1~",
    ]


def test_segment_count_rejects_set() -> None:
    parsed = parse_834(enrollment_834(MEMBER).replace("SE*8*0001~", "SE*7*0001~"))
    group = acknowledge(parsed.interchanges[0], parsed.findings).groups[0]

    assert group.status is GroupAcknowledgmentCode.REJECTED
    assert group.sets[0].status is SetAcknowledgmentCode.REJECTED
    assert group.sets[0].codes == ("4",)
    assert (group.declared_sets, group.received_sets, group.accepted_sets) == (1, 1, 0)


def test_broken_set_rejects_every_group() -> None:
    # A wrong SE01 breaks the envelope, so the import rejects the whole file. The 999 must
    # not tell the sender that the other set was accepted.
    good = transaction_set("834", "0001", "005010X220A1", HEADER_834 + MEMBER)
    broken = transaction_set("834", "0002", "005010X220A1", HEADER_834 + MEMBER)
    broken[-1] = "SE*7*0002~"
    parsed = parse_834(interchange(ISA_834, "BE", "005010X220A1", [good, broken]))

    group = acknowledge(parsed.interchanges[0], parsed.findings).groups[0]

    assert [ack.status for ack in group.sets] == [SetAcknowledgmentCode.ACCEPTED, SetAcknowledgmentCode.REJECTED]
    assert group.status is GroupAcknowledgmentCode.REJECTED
    assert (group.declared_sets, group.received_sets, group.accepted_sets) == (2, 2, 0)


def test_group_count_rejects_group() -> None:
    parsed = parse_834(enrollment_834(MEMBER).replace("GE*1*1~", "GE*3*1~"))
    text = write_999(parsed.interchanges[0], parsed.findings, ENVELOPE)

    assert "AK9*R*3*1*0*5~" in text
    assert "IK5*A~" in text


def test_unknown_segment_rejects_set() -> None:
    header = "BGN*00*REF-101*20260401*0900****2~\nN1*P5*S*FI*1~\n"
    parsed = parse_834(enrollment_834(MEMBER, header=header))
    set_ack = acknowledge(parsed.interchanges[0], parsed.findings).groups[0].sets[0]

    assert set_ack.status is SetAcknowledgmentCode.REJECTED
    assert [(note.segment_id, note.position_in_set, note.code) for note in set_ack.segments] == [
        ("N1", 2, "3")
    ]


def test_interchange_error_gives_ta1() -> None:
    parsed = parse_834(enrollment_834(MEMBER).replace("IEA*1*000000101", "IEA*1*000000999"))
    text = write_999(parsed.interchanges[0], parsed.findings, ENVELOPE)

    assert segment_texts(text)[1:] == ["TA1*000000101*260401*0900*R*001~", "IEA*0*000000900~"]
    assert read_interchanges(text).findings == ()


def test_stray_segment_in_group_gives_ta1() -> None:
    parsed = parse_834(enrollment_834(MEMBER).replace("GE*1*1~", "REF*0F*STRAY~\nGE*1*1~"))
    acknowledgment = acknowledge(parsed.interchanges[0], parsed.findings)

    assert acknowledgment.rejection is not None
    assert acknowledgment.rejection.note_code == "024"


def test_payment_total_mismatch() -> None:
    body = "BPR*I*20*C*NON~\nTRN*1*T*1~\nENT*1~\nRMR*IK*APTC**10~\n"
    parsed = parse_820(payment_820(body))
    text = write_999(parsed.interchanges[0], parsed.findings, ENVELOPE)

    assert body_segments(text)[1:] == [
        "AK2*820*0001*005010X306~",
        "IK3*BPR*2**8~",
        "IK4*2**I12*20~",
        "IK5*R*5~",
        "AK9*R*1*1*0~",
    ]


def test_set_control_numbers_per_group() -> None:
    parsed = parse_834(enrollment_834(MEMBER))
    interchange = parsed.interchanges[0]
    second_group = interchange.groups[0]._replace(control_number="2")
    doubled = interchange._replace(groups=(interchange.groups[0], second_group))
    text = write_999(doubled, parsed.findings, ENVELOPE)
    st_segments = [segment.elements for segment in iter_segments(text) if segment.id == "ST"]

    assert st_segments == [["ST", "999", "0001", "005010X231A1"], ["ST", "999", "0002", "005010X231A1"]]
    assert read_interchanges(text).findings == ()


@pytest.mark.samples
@pytest.mark.parametrize(
    ("name", "note_code"),
    [
        ("malformed-834-isa-not-fixed-width.834", "022"),
        ("malformed-834-missing-iea.834", "023"),
        ("malformed-834-iea-control-mismatch.txt", "001"),
    ],
)
def test_malformed_sample_ta1(samples_dir: Path, name: str, note_code: str) -> None:
    parsed = parse_834(sample_path(samples_dir, "x12-834", name))
    acknowledgment = acknowledge(parsed.interchanges[0], parsed.findings)

    assert acknowledgment.rejection is not None
    assert acknowledgment.rejection.note_code == note_code
    assert acknowledgment.groups == ()


@pytest.mark.samples
def test_wrong_se_count_sample(samples_dir: Path) -> None:
    parsed = parse_834(sample_path(samples_dir, "x12-834", "malformed-834-wrong-se-count.txt"))
    text = write_999(parsed.interchanges[0], parsed.findings, ENVELOPE)

    assert body_segments(text) == [
        "AK1*BE*100002*005010X220A1~",
        "AK2*834*0001*005010X220A1~",
        "IK5*R*4~",
        "AK9*R*1*1*0~",
    ]


@pytest.mark.samples
def test_dtp358_sample_warning(samples_dir: Path) -> None:
    parsed = parse_834(
        sample_path(samples_dir, "x12-834", "edge-lfh-enroll-employee-managed-care-dtp358.834")
    )
    text = write_999(parsed.interchanges[0], parsed.findings, ENVELOPE)

    # DTP*358 is segment 8 of the set; I6 is "code value not used in implementation".
    assert "IK3*DTP*8**8~\nIK4*1**I6*358~\nIK5*E*5~\nAK9*E*1*1*1~" in text
