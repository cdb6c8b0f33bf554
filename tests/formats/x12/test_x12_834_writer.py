"""834 writer: padding, control numbers and counts, and round trips (write, read, same records)."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from premia.formats.x12 import (
    Address,
    Beginning,
    BenefitStatus,
    Contact,
    ContactKind,
    Coverage,
    CoverageLevel,
    Demographics,
    EmploymentStatus,
    Enrollment834,
    EntityName,
    FunctionalGroup,
    Gender,
    InsuranceLine,
    Interchange,
    MaintenanceReason,
    MaintenanceType,
    Member834,
    Party,
    PartyRole,
    QualifiedDate,
    Reference,
    RelationshipCode,
    SetHeader,
    TransactionAction,
    TransactionPurpose,
    UsageIndicator,
    exchange_categories,
    iter_segments,
    parse_834,
    read_interchanges,
    without_positions,
    write_834,
)
from premia.kernel.errors import ValidationError
from tests.formats.x12.conftest import sample_path

APRIL_FIRST = date(2026, 4, 1)


def subscriber(number: int, *, first_name: str = "JANE", premium_cents: int = 35025) -> Member834:
    return Member834(
        is_subscriber=True,
        relationship=RelationshipCode.SELF,
        maintenance_type=MaintenanceType.ADDITION,
        maintenance_reason=MaintenanceReason.INITIAL_ENROLLMENT,
        benefit_status=BenefitStatus.ACTIVE,
        name=EntityName("IL", "1", "DOE", first_name, "Q", id_qualifier="34", id=f"{number:09d}"),
        employment_status=EmploymentStatus.FULL_TIME,
        references=(Reference("0F", f"M{number:07d}"), Reference("1L", "GRP001")),
        dates=(QualifiedDate("356", APRIL_FIRST),),
        contacts=(
            Contact(ContactKind.TELEPHONE, "5551234567"),
            Contact(ContactKind.EMAIL, "jane@example.org"),
        ),
        address=Address("12 ELM ST", "APT 2", "SPRINGFIELD", "IL", "62701", county_code="17167"),
        demographics=Demographics(date(1980, 1, 31), Gender.FEMALE),
        coverages=(
            Coverage(
                MaintenanceType.ADDITION,
                InsuranceLine.HEALTH,
                "SILVER PPO",
                CoverageLevel.EMPLOYEE_ONLY,
                dates=(QualifiedDate("348", APRIL_FIRST),),
                references=(Reference("CE", "12345IL0010001-01"),),
            ),
        ),
        reporting_categories=exchange_categories(
            premium_cents=premium_cents,
            aptc_cents=10000,
            responsibility_cents=premium_cents - 10000,
            rating_area="R-IL001",
            effective=APRIL_FIRST,
        ),
    )


def enrollment_interchange(
    members: tuple[Member834, ...], *, control_number: str = "000000042"
) -> Interchange:
    enrollment = Enrollment834(
        SetHeader("834", "0001", "005010X220A1"),
        Beginning(
            TransactionPurpose.ORIGINAL,
            "EFF-2026-04",
            APRIL_FIRST,
            time(9, 30),
            action=TransactionAction.CHANGE,
        ),
        sponsor=Party(PartyRole.SPONSOR, "SPONSOR CO", "FI", "123456789"),
        payer=Party(PartyRole.INSURER, "PREMIA HEALTH", "FI", "987654321"),
        references=(Reference("38", "MASTER-1"),),
        members=members,
    )
    group = FunctionalGroup(
        "BE", "PREMIA", "SPONSORCO", APRIL_FIRST, time(9, 30), "42", "005010X220A1", (enrollment,)
    )
    return Interchange(
        "ZZ",
        "PREMIA",
        "ZZ",
        "SPONSORCO",
        APRIL_FIRST,
        time(9, 30),
        control_number,
        "00501",
        UsageIndicator.TEST,
        False,
        (group,),
    )


def test_isa_padded_to_106() -> None:
    text = write_834(enrollment_interchange((subscriber(1),)))
    isa = text.split("\n")[0]

    assert len(isa) == 106
    assert isa[3] == "*"
    assert isa.endswith("*:~")
    assert "*PREMIA         *" in isa


def test_counts_and_control_numbers() -> None:
    text = write_834(enrollment_interchange((subscriber(1), subscriber(2))))
    segments = list(iter_segments(text))
    by_id = {segment.id: segment for segment in segments}
    st_position = by_id["ST"].position
    se_position = by_id["SE"].position

    assert by_id["SE"].elements[1:] == [str(se_position - st_position + 1), "0001"]
    assert by_id["GE"].elements[1:] == ["1", "42"]
    assert by_id["IEA"].elements[1:] == ["1", "000000042"]
    assert by_id["ISA"].element(13) == "000000042"
    assert read_interchanges(text).findings == ()


def test_hand_built_round_trip() -> None:
    original = enrollment_interchange((subscriber(1), subscriber(2, first_name="JOHN", premium_cents=41000)))
    parsed = parse_834(write_834(original))

    assert parsed.findings == ()
    assert without_positions(parsed.interchanges[0]) == without_positions(original)


def test_exchange_amounts_round_trip() -> None:
    parsed = parse_834(write_834(enrollment_interchange((subscriber(7, premium_cents=41000),))))
    amounts = parsed.members[0].exchange_amounts

    assert amounts.premium_cents == 41000
    assert amounts.aptc_cents == 10000
    # 410.00 - 100.00 = 310.00.
    assert amounts.responsibility_cents == 31000


def test_without_line_breaks() -> None:
    text = write_834(enrollment_interchange((subscriber(1),)), line_break=False)

    assert "\n" not in text
    assert parse_834(text).findings == ()


def test_delimiter_in_value_raises() -> None:
    member = subscriber(1)._replace(name=EntityName("IL", "1", "DOE*SMITH", "JANE"))

    with pytest.raises(ValidationError) as raised:
        write_834(enrollment_interchange((member,)))

    assert raised.value.field == "NM103"
    assert raised.value.code == "x12.delimiter_in_value"


def test_isa_value_too_long_raises() -> None:
    interchange = enrollment_interchange((subscriber(1),))._replace(sender_id="A-SENDER-ID-LONGER-THAN-15")

    with pytest.raises(ValidationError) as raised:
        write_834(interchange)

    assert raised.value.field == "ISA06"


@pytest.mark.samples
@pytest.mark.parametrize(
    "name",
    [
        "lfh-add-dependent.834",
        "lfh-cancel-dependent.834",
        "lfh-change-subscriber-information.834",
        "lfh-enroll-employee-multiple-products.834",
        "lfh-terminate-subscriber-eligibility.834",
        "pyx12-834_deident_family.txt",
        "pyx12-834_deident_term.txt",
        "pyx12-834_ls_le_ls.txt",
        "pyx12-multiple_st_loops.txt",
        "edge-lfh-enroll-employee-managed-care-dtp358.834",
        "edge-pyx12-example834_5010-backslash-subelement.txt",
    ],
)
def test_sample_round_trip(samples_dir: Path, name: str) -> None:
    original = parse_834(sample_path(samples_dir, "x12-834", name))
    written = parse_834(write_834(original.interchanges[0]))

    assert written.errors == ()
    assert without_positions(written.interchanges) == without_positions(original.interchanges)


def test_generated_file_quick_check() -> None:
    members = tuple(subscriber(number) for number in range(1, 2001))
    text = write_834(enrollment_interchange(members))
    parsed = parse_834(text)

    assert parsed.findings == ()
    assert len(parsed.accepted_members()) == 2000
    assert parsed.members[-1].subscriber_id == "M0002000"
    # 2,000 members x 35,025 cents premium.
    assert sum(member.exchange_amounts.premium_cents or 0 for member in parsed.members) == 70_050_000


names = (
    st.text(alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ '-.0123456789"), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))


@settings(max_examples=150, deadline=None)
@given(
    last_name=names,
    first_name=names,
    birth_date=days,
    begin=days,
    relationship=st.sampled_from(list(RelationshipCode)),
    maintenance_type=st.sampled_from(list(MaintenanceType)),
    line=st.sampled_from(list(InsuranceLine)),
    premium_cents=st.integers(min_value=0, max_value=10_000_000),
)
def test_member_round_trip_property(
    last_name: str,
    first_name: str,
    birth_date: date,
    begin: date,
    relationship: RelationshipCode,
    maintenance_type: MaintenanceType,
    line: InsuranceLine,
    premium_cents: int,
) -> None:
    member = subscriber(1, premium_cents=premium_cents)._replace(
        relationship=relationship,
        maintenance_type=maintenance_type,
        name=EntityName("IL", "1", last_name, first_name),
        demographics=Demographics(birth_date, Gender.UNKNOWN),
        dates=(QualifiedDate("356", begin), QualifiedDate("357", begin)),
        coverages=(Coverage(maintenance_type, line, dates=(QualifiedDate("348", begin),)),),
    )
    parsed = parse_834(write_834(enrollment_interchange((member,))))

    assert parsed.findings == ()
    assert without_positions(parsed.members[0]) == without_positions(member)
