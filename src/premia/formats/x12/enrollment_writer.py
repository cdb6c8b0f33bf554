"""Write 834 files (005010X220A1) from ``Enrollment834`` records.

Premia sends effectuation and termination 834s and builds demonstration files with this
writer. Segments come out in the implementation guide's order, and everything the reader
keeps is written, so a file written here and read back gives equal records (apart from
positions). Rejected members are not written.
"""

from __future__ import annotations

from premia.formats.x12.elements import format_amount, format_d8, format_rd8, format_x12_time
from premia.formats.x12.enrollment_records import (
    Coverage,
    Demographics,
    Enrollment834,
    Member834,
    ReportingCategory,
)
from premia.formats.x12.envelope_writer import SegmentWriter, write_interchange
from premia.formats.x12.interchange import Interchange, SetHeader
from premia.formats.x12.segments import Address, Amount, EntityName, QualifiedDate, Reference
from premia.formats.x12.tokenizer import Delimiters

CONTACTS_PER_SEGMENT = 3


def write_834(
    interchange: Interchange[Enrollment834], *, delimiters: Delimiters | None = None, line_break: bool = True
) -> str:
    """Return the text of an 834 interchange with correct ISA padding, control numbers and counts.

    ``delimiters`` defaults to the interchange's own; ``line_break`` puts each segment on
    its own line, which X12 readers ignore and people find easier to read.
    """
    return write_interchange(interchange, write_enrollment_set, delimiters=delimiters, line_break=line_break)


def write_enrollment_set(writer: SegmentWriter, enrollment: Enrollment834) -> SetHeader:
    """Write the segments of one 834 transaction set between ST and SE."""
    beginning = enrollment.beginning
    if beginning is not None:
        writer.segment(
            "BGN",
            beginning.purpose.value,
            beginning.reference,
            format_d8(beginning.date),
            format_x12_time(beginning.time) if beginning.time else "",
            beginning.time_zone,
            beginning.original_reference,
            "",
            beginning.action.value if beginning.action else "",
        )
    _write_references(writer, enrollment.references)
    _write_dates(writer, enrollment.dates)
    for total in enrollment.control_totals:
        writer.segment("QTY", total.qualifier, str(total.quantity))
    parties = [party for party in (enrollment.sponsor, enrollment.payer) if party is not None]
    for party in (*parties, *enrollment.brokers):
        writer.segment("N1", party.role.value, party.name, party.id_qualifier, party.id)
    for member in enrollment.members:
        write_member(writer, member)
    return enrollment.header


def write_member(writer: SegmentWriter, member: Member834) -> None:
    """Write one member loop (2000 to 2700) in the 005010X220A1 order."""
    death = ("D8", format_d8(member.death_date)) if member.death_date else ("", "")
    writer.segment(
        "INS",
        "Y" if member.is_subscriber else "N",
        member.relationship.value,
        member.maintenance_type.value,
        member.maintenance_reason.value if member.maintenance_reason else "",
        member.benefit_status.value,
        member.medicare_plan,
        member.cobra_event,
        member.employment_status.value if member.employment_status else "",
        member.student_status,
        member.handicap,
        *death,
        "",
        "",
        "",
        "",
        member.birth_sequence,
    )
    _write_references(writer, member.references)
    _write_dates(writer, member.dates)

    _write_name(writer, member.name)
    for start in range(0, len(member.contacts), CONTACTS_PER_SEGMENT):
        pairs = member.contacts[start : start + CONTACTS_PER_SEGMENT]
        writer.segment(
            "PER", "IP", "", *(text for contact in pairs for text in (contact.kind.value, contact.value))
        )
    _write_address(writer, member.address)
    _write_demographics(writer, member.demographics)
    _write_amounts(writer, member.amounts)
    for language in member.languages:
        writer.segment("LUI", language.qualifier, language.code, language.description, language.use)

    if member.incorrect_name is not None:
        _write_name(writer, member.incorrect_name)
        _write_demographics(writer, member.incorrect_demographics)
    if member.mailing_address is not None:
        writer.segment("NM1", "31", "1")
        _write_address(writer, member.mailing_address)
    for other in member.other_names:
        _write_name(writer, other)

    for coverage in member.coverages:
        _write_coverage(writer, coverage)
    _write_reporting_categories(writer, member.reporting_categories)


def _write_coverage(writer: SegmentWriter, coverage: Coverage) -> None:
    writer.segment(
        "HD",
        coverage.maintenance_type.value,
        "",
        coverage.insurance_line.value,
        coverage.plan_description,
        coverage.coverage_level.value if coverage.coverage_level else "",
    )
    _write_dates(writer, coverage.dates)
    _write_amounts(writer, coverage.amounts)
    _write_references(writer, coverage.references)
    for number, provider in enumerate(coverage.providers, start=1):
        writer.segment("LX", str(number))
        _write_name(writer, provider)
    for coordination in coverage.coordination_of_benefits:
        writer.segment(
            "COB", coordination.responsibility, coordination.policy_number, coordination.coordination
        )
        _write_references(writer, coordination.references)
        _write_dates(writer, coordination.dates)


def _write_reporting_categories(writer: SegmentWriter, categories: tuple[ReportingCategory, ...]) -> None:
    if not categories:
        return
    writer.segment("LS", "2700")
    for category in categories:
        writer.segment("LX", category.number)
        writer.segment("N1", "75", category.name)
        _write_references(writer, category.references)
        _write_dates(writer, category.dates)
    writer.segment("LE", "2700")


def _write_name(writer: SegmentWriter, name: EntityName) -> None:
    writer.segment(
        "NM1",
        name.entity_code,
        name.entity_type,
        name.last_name,
        name.first_name,
        name.middle_name,
        name.prefix,
        name.suffix,
        name.id_qualifier,
        name.id,
    )


def _write_address(writer: SegmentWriter, address: Address | None) -> None:
    if address is None:
        return
    if address.line1 or address.line2:
        writer.segment("N3", address.line1, address.line2)
    county = ("CY", address.county_code) if address.county_code else ("", "")
    if address.city or address.state or address.postal_code or address.country or address.county_code:
        writer.segment("N4", address.city, address.state, address.postal_code, address.country, *county)


def _write_demographics(writer: SegmentWriter, demographics: Demographics | None) -> None:
    if demographics is None:
        return
    birth = ("D8", format_d8(demographics.birth_date)) if demographics.birth_date else ("", "")
    writer.segment(
        "DMG",
        *birth,
        demographics.gender.value if demographics.gender else "",
        demographics.marital_status.value if demographics.marital_status else "",
    )


def _write_references(writer: SegmentWriter, references: tuple[Reference, ...]) -> None:
    for reference in references:
        writer.segment("REF", reference.qualifier, reference.value)


def _write_dates(writer: SegmentWriter, dates: tuple[QualifiedDate, ...]) -> None:
    for entry in dates:
        if entry.end is None:
            writer.segment("DTP", entry.qualifier, "D8", format_d8(entry.start))
        else:
            writer.segment("DTP", entry.qualifier, "RD8", format_rd8(entry.start, entry.end))


def _write_amounts(writer: SegmentWriter, amounts: tuple[Amount, ...]) -> None:
    for amount in amounts:
        writer.segment("AMT", amount.qualifier, format_amount(amount.cents))
