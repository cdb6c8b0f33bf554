"""Envelope checks: every trailer present and agreeing with its header, or the interchange is rejected."""

from __future__ import annotations

from datetime import date, time

from premia.formats.x12 import (
    FindingCode,
    FindingScope,
    Severity,
    UsageIndicator,
    parse_834,
    read_interchanges,
)
from tests.formats.x12.conftest import enrollment_834

VALID = enrollment_834(
    """
INS*Y*18*021*28*A***FT~
REF*0F*M-1~
NM1*IL*1*DOE*JANE~
"""
)


def error_codes(text: str) -> list[FindingCode]:
    return [finding.code for finding in read_interchanges(text).findings if finding.is_error]


def test_valid_has_no_findings() -> None:
    reading = read_interchanges(VALID)

    assert reading.findings == ()


def test_interchange_header_fields() -> None:
    interchange = read_interchanges(VALID).interchanges[0]

    assert interchange.sender_qualifier == "ZZ"
    assert interchange.sender_id == "SPONSORCO"
    assert interchange.receiver_id == "PREMIAHEALTH"
    assert interchange.control_number == "000000101"
    assert interchange.date == date(2026, 4, 1)
    assert interchange.time == time(9, 0)
    assert interchange.usage is UsageIndicator.TEST
    assert interchange.version == "00501"
    assert interchange.acknowledgment_requested is False


def test_group_and_set_headers() -> None:
    group = read_interchanges(VALID).interchanges[0].groups[0]
    raw_set = group.sets[0]

    assert group.functional_id == "BE"
    assert group.control_number == "1"
    assert group.version == "005010X220A1"
    assert group.date == date(2026, 4, 1)
    assert raw_set.header.set_id == "834"
    assert raw_set.header.control_number == "0001"
    assert raw_set.header.position == 3
    # BGN, two N1 and the member's INS, REF and NM1.
    assert [segment.id for segment in raw_set.segments] == ["BGN", "N1", "N1", "INS", "REF", "NM1"]


def test_keep_segments_off() -> None:
    raw_set = read_interchanges(VALID, keep_segments=False).interchanges[0].groups[0].sets[0]

    assert raw_set.segments == ()


def test_segment_count_mismatch() -> None:
    text = VALID.replace("SE*8*0001~", "SE*7*0001~")
    finding = read_interchanges(text).findings[0]

    assert finding.code is FindingCode.SEGMENT_COUNT_MISMATCH
    assert finding.element == "SE01"
    assert finding.scope is FindingScope.INTERCHANGE
    assert finding.transaction == "0001"
    # ST, BGN, N1, N1, INS, REF, NM1, SE: 8 segments.
    assert "'7'" in finding.message
    assert " 8 from ST to SE" in finding.message


def test_set_control_number_mismatch() -> None:
    assert error_codes(VALID.replace("SE*8*0001~", "SE*8*0002~")) == [FindingCode.SET_CONTROL_NUMBER_MISMATCH]


def test_group_count_mismatch() -> None:
    assert error_codes(VALID.replace("GE*1*1~", "GE*2*1~")) == [FindingCode.SET_COUNT_MISMATCH]


def test_group_control_number_mismatch() -> None:
    assert error_codes(VALID.replace("GE*1*1~", "GE*1*2~")) == [FindingCode.GROUP_CONTROL_NUMBER_MISMATCH]


def test_group_control_number_leading_zeros() -> None:
    # GS06 and GE02 are numbers: 1 and 0001 agree.
    assert error_codes(VALID.replace("GE*1*1~", "GE*1*0001~")) == []


def test_interchange_group_count_mismatch() -> None:
    assert error_codes(VALID.replace("IEA*1*", "IEA*3*")) == [FindingCode.GROUP_COUNT_MISMATCH]


def test_interchange_control_number_mismatch() -> None:
    finding = read_interchanges(VALID.replace("IEA*1*000000101", "IEA*1*000000099")).findings[0]

    assert finding.code is FindingCode.INTERCHANGE_CONTROL_NUMBER_MISMATCH
    assert finding.element == "IEA02"
    assert "'000000099'" in finding.message
    assert "'000000101'" in finding.message


def test_missing_se() -> None:
    text = VALID.replace("SE*8*0001~\n", "")
    reading = read_interchanges(text)

    assert [finding.code for finding in reading.findings] == [FindingCode.SET_TRAILER_MISSING]
    assert reading.findings[0].segment_id == "SE"
    # The set is still read, so an acknowledgment can name it.
    assert reading.interchanges[0].groups[0].sets[0].header.control_number == "0001"


def test_missing_ge() -> None:
    assert error_codes(VALID.replace("GE*1*1~\n", "")) == [FindingCode.GROUP_TRAILER_MISSING]


def test_missing_iea() -> None:
    reading = read_interchanges(VALID.replace("IEA*1*000000101~\n", ""))

    assert [finding.code for finding in reading.findings] == [FindingCode.INTERCHANGE_TRAILER_MISSING]
    assert len(reading.interchanges) == 1


def test_missing_all_trailers() -> None:
    text = VALID.split("SE*")[0]

    assert error_codes(text) == [
        FindingCode.SET_TRAILER_MISSING,
        FindingCode.GROUP_TRAILER_MISSING,
        FindingCode.INTERCHANGE_TRAILER_MISSING,
    ]


def test_st_outside_group() -> None:
    text = VALID.replace("GS*BE*SENDER*RECEIVER*20260401*0900*1*X*005010X220A1~\n", "")

    assert FindingCode.SEGMENT_OUT_OF_PLACE in error_codes(text)


def test_data_after_iea_reported_once() -> None:
    text = VALID + "REF*0F*STRAY~\nREF*0F*STRAY~\n"

    assert error_codes(text) == [FindingCode.SEGMENT_OUT_OF_PLACE]


def test_duplicate_set_control_number() -> None:
    first_set = VALID[VALID.index("ST*") : VALID.index("GE*")]
    text = VALID.replace("GE*1*1~", first_set + "GE*2*1~")

    assert error_codes(text) == [FindingCode.DUPLICATE_SET_CONTROL_NUMBER]


def test_two_interchanges() -> None:
    second = VALID.replace("000000101", "000000102")
    reading = read_interchanges(VALID + second)

    assert reading.findings == ()
    assert [interchange.control_number for interchange in reading.interchanges] == ["000000101", "000000102"]
    assert reading.interchanges[1].position == 13


def test_invalid_isa_date() -> None:
    text = VALID.replace("*260401*0900*", "*261341*0900*", 1)
    finding = read_interchanges(text).findings[0]

    assert finding.code is FindingCode.INVALID_DATE
    assert finding.element == "ISA09"


def test_invalid_usage_indicator() -> None:
    text = VALID.replace("*0*T*:~", "*0*X*:~", 1)
    reading = read_interchanges(text)

    assert reading.findings[0].code is FindingCode.INVALID_CODE
    assert reading.findings[0].element == "ISA15"
    assert reading.interchanges[0].usage is None


def test_unknown_isa_version_warns() -> None:
    text = VALID.replace("*00501*000000101*", "*00601*000000101*", 1)
    finding = read_interchanges(text).findings[0]

    assert finding.code is FindingCode.UNSUPPORTED_VERSION
    assert finding.severity is Severity.WARNING


def test_wrong_set_type_for_reader() -> None:
    parsed = parse_834(VALID.replace("ST*834*", "ST*820*"))

    assert parsed.findings[0].code is FindingCode.UNSUPPORTED_TRANSACTION_SET
    assert parsed.findings[0].element == "ST01"


def test_wrong_group_version_warns() -> None:
    parsed = parse_834(VALID.replace("*X*005010X220A1~", "*X*004010X095A1~"))
    finding = parsed.findings[0]

    assert finding.code is FindingCode.UNSUPPORTED_VERSION
    assert finding.severity is Severity.WARNING
    assert len(parsed.members) == 1
