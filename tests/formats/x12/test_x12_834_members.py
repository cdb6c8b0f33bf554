"""834 member loops written inline: values, Exchange amounts, per-member rejection, header checks."""

from __future__ import annotations

from datetime import date

from premia.formats.x12 import (
    ContactKind,
    CoverageEndKind,
    FindingCode,
    FindingScope,
    MaintenanceReason,
    MaintenanceType,
    Member834,
    RejectedMember,
    Severity,
    coverage_end,
    parse_834,
)
from tests.formats.x12.conftest import enrollment_834


def only_member(text: str) -> Member834:
    parsed = parse_834(text)
    assert parsed.findings == ()
    (member,) = parsed.members
    return member


def test_bc34_values_trimmed() -> None:
    # BC-34: trailing spaces after the member ID and the email must not reach matching.
    parsed = parse_834(
        enrollment_834(
            """
INS*Y*18*001*25*A***FT~
REF*0F*M-501 ~
NM1*IL*1*SUBSCRIBER*A~
PER*IP**EM*subscriber.a@example.org ~
N3*48 OAK AVE*APT 2~
"""
        )
    )
    (member,) = parsed.accepted_members()

    assert parsed.findings == ()
    assert member.subscriber_id == "M-501"
    assert member.email == "subscriber.a@example.org"
    assert member.address is not None
    assert (member.address.line1, member.address.line2) == ("48 OAK AVE", "APT 2")
    assert member.maintenance_type is MaintenanceType.CHANGE
    assert member.maintenance_reason is MaintenanceReason.CHANGE_IN_IDENTIFYING_DATA


def test_bad_member_rejected_alone() -> None:
    parsed = parse_834(
        enrollment_834(
            """
INS*Y*18*021*28*A***FT~
REF*0F*M-1~
NM1*IL*1*DOE*JOHN~
INS*N*99*021*28*A~
REF*0F*M-1~
NM1*IL*1*DOE*JANE~
DMG*D8*20260231*F~
INS*N*19*021*28*A~
REF*0F*M-1~
NM1*IL*1*DOE*JUNIOR~
"""
        )
    )
    (rejected,) = parsed.rejected_members

    assert parsed.is_rejected is False
    assert [member.name.first_name for member in parsed.accepted_members()] == ["JOHN", "JUNIOR"]
    assert isinstance(rejected, RejectedMember)
    assert rejected.subscriber_id == "M-1"
    assert rejected.name is not None and rejected.name.first_name == "JANE"
    # INS is segment 10: ISA, GS, ST, BGN, N1, N1, then the first member's INS, REF, NM1.
    assert rejected.position == 10
    assert [(finding.element, finding.code) for finding in rejected.findings] == [
        ("DMG02", FindingCode.INVALID_DATE),
        ("INS02", FindingCode.INVALID_CODE),
    ]
    assert {finding.scope for finding in rejected.findings} == {FindingScope.MEMBER}
    assert {finding.member_position for finding in rejected.findings} == {10}
    assert rejected.findings[0].position == 13


def test_every_bad_ins_element_reported() -> None:
    parsed = parse_834(enrollment_834("INS*X*18*999*28*Q~\nREF*0F*M-1~\nNM1*IL*1*DOE*JOHN~\n"))
    (rejected,) = parsed.rejected_members

    assert [finding.element for finding in rejected.findings] == ["INS01", "INS03", "INS05"]


def test_exchange_amounts() -> None:
    member = only_member(
        enrollment_834(
            """
INS*Y*18*021*EC*A***FT~
REF*0F*0000012345~
REF*17*F1~
DTP*356*D8*20260101~
NM1*IL*1*DOE*JANE****34*123456789~
DMG*D8*19800101*F~
HD*021**HLT**IND~
DTP*348*D8*20260101~
REF*CE*12345IL0010001-01~
LS*2700~
LX*1~
N1*75*PRE AMT 1~
REF*9X*350.25~
DTP*007*D8*20260101~
LX*2~
N1*75*APTC AMT~
REF*9X*100~
LX*3~
N1*75*TOT RES AMT~
REF*9X*250.25~
LX*4~
N1*75*RATING AREA~
REF*9X*R-IL001~
LE*2700~
"""
        )
    )
    amounts = member.exchange_amounts

    assert amounts.premium_cents == 35025
    assert amounts.aptc_cents == 10000
    # 350.25 - 100.00 = 250.25 left for the member to pay.
    assert amounts.responsibility_cents == 25025
    assert amounts.rating_area == "R-IL001"
    assert amounts.csr_cents is None
    assert member.coverages[0].class_of_contract == "12345IL0010001-01"
    assert member.reporting_categories[0].dates[0].start == date(2026, 1, 1)


def test_bad_exchange_amount_rejects_member() -> None:
    parsed = parse_834(
        enrollment_834(
            """
INS*Y*18*021*EC*A***FT~
REF*0F*0000012345~
NM1*IL*1*DOE*JANE~
LS*2700~
LX*1~
N1*75*PRE AMT 1~
REF*9X*35O.25~
LE*2700~
"""
        )
    )
    (finding,) = parsed.rejected_members[0].findings

    assert finding.code is FindingCode.INVALID_AMOUNT
    assert finding.segment_id == "REF"
    assert finding.value == "35O.25"


def test_missing_subscriber_id_and_name() -> None:
    parsed = parse_834(enrollment_834("INS*Y*18*021*28*A***FT~\nDMG*D8*19800101*F~\n"))
    findings = parsed.rejected_members[0].findings

    assert [(finding.code, finding.segment_id) for finding in findings] == [
        (FindingCode.REQUIRED_SEGMENT_MISSING, "REF"),
        (FindingCode.REQUIRED_SEGMENT_MISSING, "NM1"),
    ]


def test_termination_needs_end_date() -> None:
    parsed = parse_834(enrollment_834("INS*Y*18*024*07*A~\nREF*0F*M-1~\nNM1*IL*1*DOE*JOHN~\n"))
    (finding,) = parsed.rejected_members[0].findings

    assert finding.code is FindingCode.REQUIRED_SEGMENT_MISSING
    assert finding.segment_id == "DTP"


def test_unknown_segment_rejects_member() -> None:
    parsed = parse_834(enrollment_834("INS*Y*18*021*28*A~\nREF*0F*M-1~\nNM1*IL*1*DOE*JOHN~\nXYZ*1~\n"))
    (finding,) = parsed.rejected_members[0].findings

    assert finding.code is FindingCode.UNKNOWN_SEGMENT
    assert finding.segment_id == "XYZ"


def test_unknown_contact_kind_rejects_member() -> None:
    parsed = parse_834(
        enrollment_834("INS*Y*18*021*28*A~\nREF*0F*M-1~\nNM1*IL*1*DOE*JOHN~\nPER*IP**ZZ*123~\n")
    )
    (finding,) = parsed.rejected_members[0].findings

    assert finding.element == "PER03"
    assert finding.code is FindingCode.INVALID_CODE


def test_contacts_and_date_range() -> None:
    member = only_member(
        enrollment_834(
            """
INS*Y*18*021*28*A***FT~
REF*0F*M-1~
DTP*356*RD8*20260101-20261231~
NM1*IL*1*DOE*JOHN~
PER*IP**TE*5551234567*CP*5557654321*EM*john@example.org~
"""
        )
    )

    assert member.dates[0].start == date(2026, 1, 1)
    assert member.dates[0].end == date(2026, 12, 31)
    assert [contact.kind for contact in member.contacts] == [
        ContactKind.TELEPHONE,
        ContactKind.CELL_PHONE,
        ContactKind.EMAIL,
    ]
    assert member.email == "john@example.org"


def test_control_totals_checked() -> None:
    header = """
BGN*00*REF-101*20260401*0900****2~
QTY*TO*3~
QTY*ET*1~
N1*P5*SPONSOR CO*FI*123456789~
N1*IN*PREMIA HEALTH*FI*987654321~
"""
    members = "INS*Y*18*021*28*A~\nREF*0F*M-1~\nNM1*IL*1*DOE*JOHN~\n"
    parsed = parse_834(enrollment_834(members, header=header))
    (finding,) = parsed.findings

    assert finding.code is FindingCode.CONTROL_TOTAL_MISMATCH
    assert finding.severity is Severity.WARNING
    assert "QTY*TO says 3 but the transaction set has 1" in finding.message
    assert parsed.accepted_members() == parsed.members


def test_missing_bgn_rejects_set() -> None:
    header = "N1*P5*SPONSOR CO*FI*123456789~\nN1*IN*PREMIA HEALTH*FI*987654321~\n"
    parsed = parse_834(enrollment_834("INS*Y*18*021*28*A~\nREF*0F*M-1~\nNM1*IL*1*DOE*JOHN~\n", header=header))
    (finding,) = parsed.findings

    assert finding.code is FindingCode.REQUIRED_SEGMENT_MISSING
    assert finding.segment_id == "BGN"
    assert finding.scope is FindingScope.TRANSACTION
    assert parsed.transactions[0].beginning is None
    assert len(parsed.members) == 1
    assert parsed.accepted_members() == ()


def test_missing_insurer_rejects_set() -> None:
    header = "BGN*00*REF-101*20260401*0900****2~\nN1*P5*SPONSOR CO*FI*123456789~\n"
    parsed = parse_834(enrollment_834("", header=header))

    assert [(finding.code, finding.segment_id) for finding in parsed.findings] == [
        (FindingCode.REQUIRED_SEGMENT_MISSING, "N1")
    ]
    assert "N1*IN insurer" in parsed.findings[0].message


def test_bad_bgn_date_rejects_set() -> None:
    header = "BGN*00*REF-101*20261301*0900****2~\nN1*P5*S*FI*1~\nN1*IN*P*FI*2~\n"
    parsed = parse_834(enrollment_834("", header=header))
    (finding,) = parsed.findings

    assert (finding.code, finding.element, finding.scope) == (
        FindingCode.INVALID_DATE,
        "BGN03",
        FindingScope.TRANSACTION,
    )


def test_cancellation_end_equals_start() -> None:
    member = only_member(
        enrollment_834(
            """
INS*Y*18*024*14*A~
REF*0F*M-1~
NM1*IL*1*DOE*JOHN~
HD*024**HLT~
DTP*348*D8*20260401~
DTP*349*D8*20260401~
"""
        )
    )
    end = coverage_end(member)

    assert end is not None
    assert end.kind is CoverageEndKind.CANCELLATION
    assert end.last_covered_day is None
    assert end.start == date(2026, 4, 1)


def test_termination_after_start() -> None:
    member = only_member(
        enrollment_834(
            """
INS*Y*18*024*59*A~
REF*0F*M-1~
DTP*357*D8*20260430~
NM1*IL*1*DOE*JOHN~
HD*024**HLT~
DTP*348*D8*20260101~
"""
        )
    )
    end = coverage_end(member)

    assert end is not None
    assert end.kind is CoverageEndKind.TERMINATION
    assert end.last_covered_day == date(2026, 4, 30)
    assert member.maintenance_reason is MaintenanceReason.NON_PAYMENT
