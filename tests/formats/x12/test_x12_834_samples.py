"""The public 834 samples: valid and edge files parse to the expected members, malformed ones are rejected."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from premia.formats.x12 import (
    BenefitStatus,
    ContactKind,
    CoverageEndKind,
    CoverageLevel,
    EmploymentStatus,
    FindingCode,
    Gender,
    InsuranceLine,
    MaintenanceReason,
    MaintenanceType,
    Parsed834,
    RelationshipCode,
    Severity,
    TransactionAction,
    coverage_end,
    parse_834,
)
from tests.formats.x12.conftest import sample_path

pytestmark = pytest.mark.samples


def parsed(samples_dir: Path, name: str) -> Parsed834:
    return parse_834(sample_path(samples_dir, "x12-834", name))


def test_add_dependent(samples_dir: Path) -> None:
    result = parsed(samples_dir, "lfh-add-dependent.834")
    transaction = result.transactions[0]
    (member,) = result.members

    assert result.findings == ()
    assert transaction.master_policy_number == "ABCD012354"
    assert transaction.beginning is not None
    assert transaction.beginning.date == date(1998, 5, 20)
    assert transaction.beginning.action is TransactionAction.CHANGE
    assert transaction.sponsor is not None and transaction.sponsor.id == "999888777"
    assert transaction.payer is not None and transaction.payer.id == "654456654"
    assert member.is_subscriber is False
    assert member.relationship is RelationshipCode.CHILD
    assert member.maintenance_type is MaintenanceType.ADDITION
    assert member.maintenance_reason is MaintenanceReason.ACTIVE
    assert member.subscriber_id == "123456789"
    assert member.group_policy_number == "123456001"
    assert [(entry.qualifier, entry.start) for entry in member.dates] == [("351", date(1998, 5, 15))]
    assert (member.name.last_name, member.name.first_name, member.name.middle_name) == ("DOE", "JOHN", "P")
    assert (member.name.id_qualifier, member.member_id) == ("34", "103229876")
    assert member.birth_date == date(1977, 8, 16)
    assert member.gender is Gender.MALE
    assert [(name.entity_code, name.last_name) for name in member.other_names] == [
        ("M8", "PENN STATE UNIVERSITY")
    ]
    assert [(coverage.insurance_line, coverage.begin) for coverage in member.coverages] == [
        (InsuranceLine.HEALTH, date(1996, 6, 1))
    ]


def test_cancel_dependent(samples_dir: Path) -> None:
    result = parsed(samples_dir, "lfh-cancel-dependent.834")
    (member,) = result.members

    assert result.findings == ()
    assert member.relationship is RelationshipCode.CHILD
    assert member.maintenance_type is MaintenanceType.CANCELLATION_OR_TERMINATION
    assert member.maintenance_reason is MaintenanceReason.TERMINATION_OF_BENEFITS
    assert member.eligibility_end == date(1996, 8, 1)


def test_cancel_dependent_end_kind(samples_dir: Path) -> None:
    (member,) = parsed(samples_dir, "lfh-cancel-dependent.834").members

    # The file carries no start date. Coverage that Premia stores from 1996-08-01 never took effect.
    cancelled = coverage_end(member, coverage_start=date(1996, 8, 1))
    # Coverage held from 1996-06-01 ran two months before ending.
    terminated = coverage_end(member, coverage_start=date(1996, 6, 1))

    assert cancelled is not None and cancelled.kind is CoverageEndKind.CANCELLATION
    assert cancelled.last_covered_day is None
    assert terminated is not None and terminated.kind is CoverageEndKind.TERMINATION
    assert terminated.last_covered_day == date(1996, 8, 1)


def test_change_subscriber_information(samples_dir: Path) -> None:
    result = parsed(samples_dir, "lfh-change-subscriber-information.834")
    (member,) = result.members

    assert result.findings == ()
    assert member.is_subscriber is True
    assert member.relationship is RelationshipCode.SELF
    assert member.maintenance_type is MaintenanceType.CHANGE
    assert member.maintenance_reason is MaintenanceReason.CHANGE_IN_IDENTIFYING_DATA
    assert (member.name.first_name, member.name.middle_name) == ("JAMES", "")
    assert member.birth_date == date(1950, 4, 15)
    assert member.incorrect_name is not None
    assert (member.incorrect_name.first_name, member.incorrect_name.middle_name) == ("JAMES", "E")
    assert member.incorrect_demographics is not None
    assert member.incorrect_demographics.birth_date == date(1950, 4, 16)
    assert coverage_end(member) is None


def test_enroll_multiple_products(samples_dir: Path) -> None:
    result = parsed(samples_dir, "lfh-enroll-employee-multiple-products.834")
    (member,) = result.members

    assert result.findings == ()
    assert member.employment_status is EmploymentStatus.FULL_TIME
    assert member.eligibility_begin == date(1996, 5, 23)
    assert [(contact.kind, contact.value) for contact in member.contacts] == [
        (ContactKind.HOME_PHONE, "7172343334"),
        (ContactKind.WORK_PHONE, "7172341240"),
    ]
    assert member.phone == "7172343334"
    assert member.address is not None
    assert (member.address.line1, member.address.line2) == ("100 MARKET ST", "APT 30")
    assert (member.address.city, member.address.state, member.address.postal_code) == (
        "CAMP HILL",
        "PA",
        "17011",
    )
    assert member.address.county_code == "CUMBERLAND"
    assert [coverage.insurance_line for coverage in member.coverages] == [
        InsuranceLine.HEALTH,
        InsuranceLine.VISION,
    ]
    assert [coverage.begin for coverage in member.coverages] == [date(1996, 6, 1), date(1996, 6, 1)]


def test_terminate_subscriber(samples_dir: Path) -> None:
    result = parsed(samples_dir, "lfh-terminate-subscriber-eligibility.834")
    (member,) = result.members
    end = coverage_end(member)

    assert result.findings == ()
    assert member.maintenance_type is MaintenanceType.CANCELLATION_OR_TERMINATION
    assert member.maintenance_reason is MaintenanceReason.TERMINATION_OF_EMPLOYMENT
    assert member.employment_status is EmploymentStatus.TERMINATED
    assert member.eligibility_end == date(1996, 8, 1)
    assert end is not None and end.kind is CoverageEndKind.TERMINATION


def test_family(samples_dir: Path) -> None:
    result = parsed(samples_dir, "pyx12-834_deident_family.txt")
    subscriber, spouse, child = result.members

    assert result.findings == ()
    assert [member.relationship for member in result.members] == [
        RelationshipCode.SELF,
        RelationshipCode.SPOUSE,
        RelationshipCode.CHILD,
    ]
    assert [member.is_subscriber for member in result.members] == [True, False, False]
    assert [member.subscriber_id for member in result.members] == ["M000002", "M000003", "M000004"]
    assert [member.name.first_name for member in result.members] == ["ROBERT", "MARY", "MICHAEL"]
    assert {member.eligibility_begin for member in result.members} == {date(2026, 4, 1)}
    assert subscriber.coverages[0].coverage_level is CoverageLevel.FAMILY
    assert subscriber.coverages[0].insurance_line is InsuranceLine.PREFERRED_PROVIDER_ORGANIZATION
    assert spouse.gender is Gender.FEMALE
    assert child.birth_date == date(2010, 6, 12)
    assert child.coverages == ()


def test_two_terminations(samples_dir: Path) -> None:
    result = parsed(samples_dir, "pyx12-834_deident_term.txt")
    ends = [coverage_end(member) for member in result.members]

    assert result.findings == ()
    assert [member.name.last_name for member in result.members] == ["JONES", "BROWN"]
    assert [member.benefit_status for member in result.members] == [BenefitStatus.TEFRA, BenefitStatus.TEFRA]
    assert [member.coverages[0].end for member in result.members] == [date(2026, 3, 31), date(2026, 3, 31)]
    assert [end.kind if end else None for end in ends] == [CoverageEndKind.TERMINATION] * 2
    assert [end.last_covered_day if end else None for end in ends] == [date(2026, 3, 31)] * 2


def test_reporting_categories(samples_dir: Path) -> None:
    result = parsed(samples_dir, "pyx12-834_ls_le_ls.txt")
    (member,) = result.members
    categories = member.reporting_categories

    assert result.findings == ()
    assert result.interchanges[0].delimiters.repetition == "!"
    assert member.name.entity_code == "74"
    assert member.subscriber_id == "REF OF"
    assert member.client_number == "REF 23"
    assert member.coverages[0].references[0].qualifier == "17"
    assert len(categories) == 13
    assert (categories[0].number, categories[0].name, categories[0].value) == ("1", "NEWBORN INDICATOR", "Y")
    assert categories[1].dates[0].start == date(2013, 6, 15)
    assert categories[11].references[0].qualifier == "9X"
    # AMT*P3*82.25 is the premium amount when no PRE AMT 1 category is sent.
    assert member.exchange_amounts.premium_cents == 8225
    assert [language.use for language in member.languages] == ["7", "5"]
    assert member.mailing_address is not None and member.mailing_address.city == "SALEM"
    assert [name.entity_code for name in member.other_names] == ["QD", "GD"]
    assert [cob.policy_number for cob in member.coverages[0].coordination_of_benefits] == ["D183", "J375"]
    assert member.address is not None and member.address.county_code == "033"


def test_multiple_transaction_sets(samples_dir: Path) -> None:
    result = parsed(samples_dir, "pyx12-multiple_st_loops.txt")

    assert result.findings == ()
    assert [transaction.header.control_number for transaction in result.transactions] == [
        "0001",
        "0002",
        "0003",
        "0004",
    ]
    assert [
        transaction.beginning.action if transaction.beginning else None for transaction in result.transactions
    ] == [TransactionAction.VERIFY] * 4
    # AMT*P3*45.34 follows HD, so it is the coverage line's premium amount (loop 2300).
    assert [member.coverages[0].amounts[0].cents for member in result.members] == [4534] * 4
    assert [member.exchange_amounts.premium_cents for member in result.members] == [4534] * 4
    assert [member.maintenance_type for member in result.members] == [MaintenanceType.AUDIT_OR_COMPARE] * 4


def test_edge_dtp358_warns(samples_dir: Path) -> None:
    result = parsed(samples_dir, "edge-lfh-enroll-employee-managed-care-dtp358.834")
    (member,) = result.members

    assert result.is_rejected is False
    assert result.errors == ()
    assert [(finding.code, finding.position, finding.element) for finding in result.warnings] == [
        (FindingCode.UNKNOWN_QUALIFIER, 10, "DTP01")
    ]
    assert ("358", date(1996, 5, 23)) in [(entry.qualifier, entry.start) for entry in member.dates]
    assert [(provider.entity_code, provider.last_name) for provider in member.coverages[0].providers] == [
        ("P3", "BROWN")
    ]
    assert result.accepted_members() == (member,)


def test_edge_backslash_component(samples_dir: Path) -> None:
    result = parsed(samples_dir, "edge-pyx12-example834_5010-backslash-subelement.txt")
    interchange = result.interchanges[0]
    (member,) = result.members

    assert result.findings == ()
    assert interchange.delimiters.component == "\\"
    assert interchange.date == date(2007, 3, 5)
    assert interchange.groups[0].date == date(2015, 3, 5)
    assert result.transactions[0].beginning is not None
    assert result.transactions[0].beginning.reference == "88880070301  00"
    assert member.medicare_plan == "C"
    assert member.coverages[0].references[0].value == "E  1F"


@pytest.mark.parametrize(
    ("name", "code", "segment_id", "words"),
    [
        ("malformed-834-isa-not-fixed-width.834", FindingCode.ISA_NOT_FIXED_WIDTH, "ISA", ["ISA06", "106"]),
        ("malformed-834-missing-iea.834", FindingCode.INTERCHANGE_TRAILER_MISSING, "IEA", ["IEA trailer"]),
        ("malformed-834-wrong-se-count.txt", FindingCode.SEGMENT_COUNT_MISMATCH, "SE", ["'24'", "25"]),
        (
            "malformed-834-iea-control-mismatch.txt",
            FindingCode.INTERCHANGE_CONTROL_NUMBER_MISMATCH,
            "IEA",
            ["000000099", "000000003"],
        ),
    ],
)
def test_malformed_rejected(
    samples_dir: Path, name: str, code: FindingCode, segment_id: str, words: list[str]
) -> None:
    result = parsed(samples_dir, name)
    (error,) = result.errors

    assert result.is_rejected is True
    assert result.accepted_members() == ()
    assert error.code is code
    assert error.segment_id == segment_id
    assert error.severity is Severity.ERROR
    for word in words:
        assert word in error.message


def test_every_sample_classified(samples_dir: Path) -> None:
    folder = samples_dir / "x12-834"
    for path in sorted(folder.iterdir()):
        result = parse_834(path)
        if path.name.startswith("malformed-"):
            assert result.is_rejected, path.name
        else:
            assert not result.is_rejected, path.name
            assert result.errors == (), path.name
            assert result.members, path.name
