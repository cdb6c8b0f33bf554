"""Build and write 999 implementation acknowledgments (005010X231A1) from reader findings.

``acknowledge`` turns an interchange and its findings into typed acknowledgment records.
Each functional group gets an AK1 and an AK9. Each transaction set gets an AK2, its IK3
segment notes and IK4 element notes, and the IK5 result (A accepted, E accepted with
errors, R rejected).
An error in the ISA/IEA envelope gets a TA1 rejecting the interchange instead,
because none of its groups were processed. Any other error that rejects the interchange
(a set's broken SE, for one) rejects every group in its AK9. ``write_999`` writes those records as X12.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, time
from enum import StrEnum
from typing import Any, NamedTuple

from premia.formats.x12.codes import Implementation, UsageIndicator
from premia.formats.x12.envelope_writer import SegmentWriter, write_interchange
from premia.formats.x12.findings import Finding, FindingCode, FindingScope
from premia.formats.x12.interchange import FunctionalGroup, Interchange, SetHeader
from premia.formats.x12.tokenizer import Delimiters

# TA105 note codes for errors in the ISA/IEA envelope.
INTERCHANGE_NOTE_CODES = {
    FindingCode.INTERCHANGE_CONTROL_NUMBER_MISMATCH: "001",
    FindingCode.GROUP_COUNT_MISMATCH: "021",
    FindingCode.ISA_NOT_FIXED_WIDTH: "022",
    FindingCode.INTERCHANGE_TRAILER_MISSING: "023",
    FindingCode.SEGMENT_OUT_OF_PLACE: "024",
    FindingCode.DELIMITERS_CHANGED: "027",
    FindingCode.NOT_AN_INTERCHANGE: "022",
    FindingCode.DUPLICATE_INTERCHANGE_CONTROL_NUMBER: "025",
}
ISA_ELEMENT_NOTE_CODES = {"ISA09": "014", "ISA10": "015", "ISA13": "018", "ISA15": "020"}
# AK905 codes for functional group errors.
GROUP_ERROR_CODES = {
    FindingCode.GROUP_TRAILER_MISSING: "3",
    FindingCode.GROUP_CONTROL_NUMBER_MISMATCH: "4",
    FindingCode.SET_COUNT_MISMATCH: "5",
}
# IK502 codes for transaction set errors.
SET_ERROR_CODES = {
    FindingCode.UNSUPPORTED_TRANSACTION_SET: "1",
    FindingCode.SET_TRAILER_MISSING: "2",
    FindingCode.SET_CONTROL_NUMBER_MISMATCH: "3",
    FindingCode.SEGMENT_COUNT_MISMATCH: "4",
    FindingCode.DUPLICATE_SET_CONTROL_NUMBER: "23",
}
SEGMENTS_IN_ERROR = "5"
# IK304 codes for a segment that is itself at fault.
SEGMENT_ERROR_CODES = {
    FindingCode.UNKNOWN_SEGMENT: "6",
    FindingCode.SEGMENT_OUT_OF_PLACE: "7",
    FindingCode.REQUIRED_SEGMENT_MISSING: "3",
}
SEGMENT_HAS_ELEMENT_ERRORS = "8"
# IK403 codes for element errors. The balancing and control-total checks have no code of
# their own in 005010X231A1; I12 (implementation pattern match failure) is the closest.
ELEMENT_ERROR_CODES = {
    FindingCode.REQUIRED_ELEMENT_MISSING: "1",
    FindingCode.INVALID_VALUE: "6",
    FindingCode.INVALID_AMOUNT: "6",
    FindingCode.INVALID_CODE: "7",
    FindingCode.INVALID_DATE: "8",
    FindingCode.INVALID_TIME: "9",
    FindingCode.UNKNOWN_QUALIFIER: "I6",
    FindingCode.CONTROL_TOTAL_MISMATCH: "I12",
    FindingCode.PAYMENT_TOTAL_MISMATCH: "I12",
}
GROUP_SEGMENTS = frozenset({"GS", "GE"})
SET_SEGMENTS = frozenset({"ST", "SE"})
INTERCHANGE_SEGMENTS = frozenset({"ISA", "IEA"})
SEGMENT_ID = re.compile(r"[A-Z0-9]{2,3}")
# The 999 echoes letters, digits and this punctuation from the acknowledged file; any
# other character could be one of the 999's own delimiters.
ECHO_PUNCTUATION = frozenset(" .-/")


class SetAcknowledgmentCode(StrEnum):
    """IK501."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    REJECTED = "R"


class GroupAcknowledgmentCode(StrEnum):
    """AK901."""

    ACCEPTED = "A"
    ACCEPTED_WITH_ERRORS = "E"
    PARTIALLY_ACCEPTED = "P"
    REJECTED = "R"


class ElementNote(NamedTuple):
    """An IK4 segment: element position (IK401), error code (IK403) and the bad value (IK404)."""

    position: str
    code: str
    bad_value: str = ""


class SegmentNote(NamedTuple):
    """An IK3 segment: segment id, position within the transaction set (ST is 1) and IK304."""

    segment_id: str
    position_in_set: int
    code: str
    elements: tuple[ElementNote, ...] = ()


class SetAcknowledgment(NamedTuple):
    """AK2 to IK5 for one transaction set."""

    set_id: str
    control_number: str
    implementation: str
    status: SetAcknowledgmentCode
    codes: tuple[str, ...] = ()
    segments: tuple[SegmentNote, ...] = ()


class GroupAcknowledgment(NamedTuple):
    """AK1 to AK9 for one functional group; counts are AK902, AK903 and AK904."""

    functional_id: str
    control_number: str
    version: str
    status: GroupAcknowledgmentCode
    declared_sets: int
    received_sets: int
    accepted_sets: int
    codes: tuple[str, ...] = ()
    sets: tuple[SetAcknowledgment, ...] = ()


class InterchangeRejection(NamedTuple):
    """A TA1 segment rejecting the interchange: ISA13, ISA09, ISA10 and the TA105 note code."""

    control_number: str
    date: date | None
    time: time | None
    note_code: str


class Acknowledgment(NamedTuple):
    """The reply to one interchange: a TA1 rejection, or one 999 per functional group."""

    rejection: InterchangeRejection | None
    groups: tuple[GroupAcknowledgment, ...]


class AcknowledgmentEnvelope(NamedTuple):
    """Control numbers, date and time of the acknowledgment interchange Premia sends.

    ``usage`` defaults to the acknowledged interchange's ISA15.
    """

    interchange_control_number: str
    group_control_number: str
    date: date
    time: time
    usage: UsageIndicator | None = None


def acknowledge(interchange: Interchange[Any], findings: Sequence[Finding]) -> Acknowledgment:
    """Return the acknowledgment of ``interchange`` from the findings about it."""
    own = [finding for finding in findings if finding.interchange in (interchange.control_number, None)]
    rejection = _interchange_rejection(interchange, own)
    if rejection is not None:
        return Acknowledgment(rejection, ())
    # An error inside a group can still break the interchange (a set's SE01 count, say). The
    # importer then rejects the whole file, so every group is rejected, not only that set.
    interchange_rejected = any(finding.is_error and finding.scope is FindingScope.INTERCHANGE for finding in own)
    groups = tuple(_acknowledge_group(group, own, interchange_rejected) for group in interchange.groups)
    return Acknowledgment(None, groups)


def _interchange_rejection(
    interchange: Interchange[Any], findings: list[Finding]
) -> InterchangeRejection | None:
    for finding in findings:
        # A segment between SE and GE belongs to no set, so it is an interchange content error.
        stray_in_group = finding.code is FindingCode.SEGMENT_OUT_OF_PLACE and finding.transaction is None
        if not finding.is_error or (finding.group is not None and not stray_in_group):
            continue
        code = INTERCHANGE_NOTE_CODES.get(finding.code)
        # An invalid ISA element value has its own note code, unless the finding names a
        # fault with a more precise one (a duplicate ISA13 is 025, not 018).
        if finding.segment_id == "ISA" and finding.element in ISA_ELEMENT_NOTE_CODES and finding.code is not FindingCode.DUPLICATE_INTERCHANGE_CONTROL_NUMBER:
            code = ISA_ELEMENT_NOTE_CODES[finding.element]
        if finding.code is FindingCode.TR3_INTERCHANGE_ERROR:
            code = finding.syntax_code or "024"
        if code is None and finding.segment_id in INTERCHANGE_SEGMENTS:
            code = "024"
        if code is not None:
            return InterchangeRejection(
                _echo(interchange.control_number), interchange.date, interchange.time, code
            )
    return None


def _acknowledge_group(
    group: FunctionalGroup[Any], findings: list[Finding], interchange_rejected: bool
) -> GroupAcknowledgment:
    own = [finding for finding in findings if _same_number(finding.group, group.control_number)]
    group_findings = [finding for finding in own if finding.transaction is None and _is_group_level(finding)]
    sets = tuple(_acknowledge_set(_set_header(transaction), own) for transaction in group.sets)

    codes = tuple(sorted({_group_code(finding) for finding in group_findings if finding.is_error}))
    declared = next(
        (
            int(finding.value)
            for finding in group_findings
            if finding.code is FindingCode.SET_COUNT_MISMATCH and finding.value and finding.value.isdigit()
        ),
        len(sets),
    )
    accepted = sum(ack.status is not SetAcknowledgmentCode.REJECTED for ack in sets)
    if codes or interchange_rejected or (sets and accepted == 0):
        status = GroupAcknowledgmentCode.REJECTED
        accepted = 0
    elif accepted < len(sets):
        status = GroupAcknowledgmentCode.PARTIALLY_ACCEPTED
    elif any(ack.status is SetAcknowledgmentCode.ACCEPTED_WITH_ERRORS for ack in sets):
        status = GroupAcknowledgmentCode.ACCEPTED_WITH_ERRORS
    else:
        status = GroupAcknowledgmentCode.ACCEPTED
    return GroupAcknowledgment(
        _echo(group.functional_id),
        _echo(group.control_number),
        _echo(group.version),
        status,
        declared,
        len(sets),
        accepted,
        codes,
        sets,
    )


def _acknowledge_set(header: SetHeader, findings: list[Finding]) -> SetAcknowledgment:
    own = [finding for finding in findings if finding.transaction == header.control_number]
    set_findings = [finding for finding in own if _is_set_level(finding)]
    segment_findings = [finding for finding in own if not _is_set_level(finding)]

    codes = {_set_code(finding) for finding in set_findings if finding.is_error}
    notes = _segment_notes(header, segment_findings)
    rejecting = any(
        finding.is_error and finding.scope is not FindingScope.MEMBER for finding in segment_findings
    )
    if codes or rejecting:
        status = SetAcknowledgmentCode.REJECTED
        if rejecting:
            codes.add(SEGMENTS_IN_ERROR)
    elif notes:
        status = SetAcknowledgmentCode.ACCEPTED_WITH_ERRORS
        codes.add(SEGMENTS_IN_ERROR)
    else:
        status = SetAcknowledgmentCode.ACCEPTED
    return SetAcknowledgment(
        _echo(header.set_id),
        _echo(header.control_number),
        _echo(header.implementation),
        status,
        tuple(sorted(codes)),
        notes,
    )


def _segment_notes(header: SetHeader, findings: list[Finding]) -> tuple[SegmentNote, ...]:
    """Group element findings under one IK3 per segment, in file order."""
    notes: dict[tuple[int, str], list[ElementNote]] = {}
    segment_codes: dict[tuple[int, str], str] = {}
    for finding in sorted(findings, key=lambda item: item.position):
        key = (finding.position, finding.segment_id)
        elements = notes.setdefault(key, [])
        if finding.element and finding.code not in SEGMENT_ERROR_CODES:
            note = _element_note(finding)
            # TR3 validation and Premia's reader can both find the same fault.
            if note not in elements:
                elements.append(note)
            segment_codes.setdefault(key, SEGMENT_HAS_ELEMENT_ERRORS)
        else:
            segment_codes[key] = _segment_code(finding)
    return tuple(
        SegmentNote(
            # A damaged segment id can contain anything; "UNK" stands for one with no usable letters.
            _echo(segment_id)[:3] or "UNK",
            max(position - header.position + 1, 1),
            segment_codes[(position, segment_id)],
            tuple(elements),
        )
        for (position, segment_id), elements in notes.items()
    )


def _element_note(finding: Finding) -> ElementNote:
    code = finding.syntax_code if finding.code is FindingCode.TR3_ELEMENT_ERROR else None
    code = code or ELEMENT_ERROR_CODES.get(finding.code, "6")
    element = finding.element or ""
    digits = element[len(element.rstrip("0123456789")) :]
    bad_value = finding.value or ""
    # IK404 carries the bad value only when it is short and cannot break the 999's own syntax.
    if len(bad_value) > 99 or _echo(bad_value) != bad_value:
        bad_value = ""
    return ElementNote(str(int(digits)) if digits else "1", code, bad_value)


def _echo(value: str) -> str:
    """Return ``value`` with every character removed that could be a delimiter of the 999."""
    return "".join(character for character in value if character.isalnum() or character in ECHO_PUNCTUATION)


def _segment_code(finding: Finding) -> str:
    if finding.code is FindingCode.TR3_SEGMENT_ERROR and finding.syntax_code:
        return finding.syntax_code
    if finding.code is FindingCode.UNKNOWN_SEGMENT and not SEGMENT_ID.fullmatch(finding.segment_id):
        return "1"
    return SEGMENT_ERROR_CODES.get(finding.code, SEGMENT_HAS_ELEMENT_ERRORS)


def _set_code(finding: Finding) -> str:
    if finding.code is FindingCode.TR3_SET_ERROR and finding.syntax_code:
        return finding.syntax_code
    if finding.code is FindingCode.INVALID_VALUE and finding.element == "ST02":
        return "7"
    return SET_ERROR_CODES.get(finding.code, SEGMENTS_IN_ERROR)


def _group_code(finding: Finding) -> str:
    if finding.code is FindingCode.TR3_GROUP_ERROR and finding.syntax_code:
        return finding.syntax_code
    if finding.code is FindingCode.UNSUPPORTED_TRANSACTION_SET:
        return "1"
    if finding.code is FindingCode.UNSUPPORTED_VERSION:
        return "2"
    if finding.code is FindingCode.INVALID_VALUE and finding.element == "GS06":
        return "6"
    return GROUP_ERROR_CODES.get(finding.code, "5")


def _is_group_level(finding: Finding) -> bool:
    return (
        finding.segment_id in GROUP_SEGMENTS
        or finding.code in GROUP_ERROR_CODES
        or (finding.code is FindingCode.TR3_GROUP_ERROR)
    )


def _is_set_level(finding: Finding) -> bool:
    return (
        finding.segment_id in SET_SEGMENTS
        or finding.code in SET_ERROR_CODES
        or finding.code is FindingCode.TR3_SET_ERROR
    )


def _same_number(finding_group: str | None, control_number: str) -> bool:
    return finding_group is not None and (
        finding_group == control_number
        or (
            finding_group.isdigit() and control_number.isdigit() and int(finding_group) == int(control_number)
        )
    )


def _set_header(transaction: Any) -> SetHeader:
    header = getattr(transaction, "header", None)
    if not isinstance(header, SetHeader):
        raise TypeError(
            f"a transaction set record must have a SetHeader as .header, got {type(transaction).__name__}"
        )
    return header


def write_999(
    interchange: Interchange[Any],
    findings: Sequence[Finding],
    envelope: AcknowledgmentEnvelope,
    *,
    delimiters: Delimiters | None = None,
    line_break: bool = True,
) -> str:
    """Return the acknowledgment interchange for ``interchange``: a TA1, or 999 sets.

    The acknowledgment goes back to the sender, so its ISA sender is the original receiver
    and the other way round.
    """
    acknowledgment = acknowledge(interchange, findings)
    return write_acknowledgment(
        interchange, acknowledgment, envelope, delimiters=delimiters or Delimiters(), line_break=line_break
    )


def write_acknowledgment(
    interchange: Interchange[Any],
    acknowledgment: Acknowledgment,
    envelope: AcknowledgmentEnvelope,
    *,
    delimiters: Delimiters,
    line_break: bool = True,
) -> str:
    """Write ``acknowledgment`` as an interchange addressed to the sender of ``interchange``."""
    groups: tuple[FunctionalGroup[GroupAcknowledgment], ...] = ()
    if acknowledgment.groups:
        # The 999 goes back to the application that sent the first acknowledged group.
        first = interchange.groups[0]
        groups = (
            FunctionalGroup(
                "FA",
                _echo(first.receiver_code),
                _echo(first.sender_code),
                envelope.date,
                envelope.time,
                envelope.group_control_number,
                Implementation.ACKNOWLEDGMENT_999.value,
                acknowledgment.groups,
            ),
        )
    # The addresses come from the acknowledged file, which may be damaged, so they are cut to
    # the ISA widths (2 for a qualifier, 15 for an id) and cleaned of possible delimiters.
    reply: Interchange[GroupAcknowledgment] = Interchange(
        _echo(interchange.receiver_qualifier)[:2],
        _echo(interchange.receiver_id)[:15],
        _echo(interchange.sender_qualifier)[:2],
        _echo(interchange.sender_id)[:15],
        envelope.date,
        envelope.time,
        envelope.interchange_control_number,
        "00501",
        envelope.usage or interchange.usage or UsageIndicator.PRODUCTION,
        False,
        groups,
        delimiters,
    )
    leading: tuple[tuple[str, ...], ...] = ()
    if acknowledgment.rejection is not None:
        leading = (_ta1_segment(acknowledgment.rejection),)

    numbers = iter(range(1, len(groups[0].sets) + 1 if groups else 1))

    def write_set(writer: SegmentWriter, group: GroupAcknowledgment) -> SetHeader:
        header = SetHeader("999", f"{next(numbers):04d}", Implementation.ACKNOWLEDGMENT_999.value)
        _write_group_acknowledgment(writer, group)
        return header

    return write_interchange(
        reply, write_set, delimiters=delimiters, line_break=line_break, leading_segments=leading
    )


def _ta1_segment(rejection: InterchangeRejection) -> tuple[str, ...]:
    return (
        "TA1",
        rejection.control_number,
        rejection.date.strftime("%y%m%d") if rejection.date else "000000",
        rejection.time.strftime("%H%M") if rejection.time else "0000",
        "R",
        rejection.note_code,
    )


def _write_group_acknowledgment(writer: SegmentWriter, group: GroupAcknowledgment) -> None:
    writer.segment("AK1", group.functional_id, group.control_number, group.version)
    for acknowledgment in group.sets:
        writer.segment(
            "AK2", acknowledgment.set_id, acknowledgment.control_number, acknowledgment.implementation
        )
        for note in acknowledgment.segments:
            writer.segment("IK3", note.segment_id, str(note.position_in_set), "", note.code)
            for element in note.elements:
                writer.segment("IK4", element.position, "", element.code, element.bad_value)
        writer.segment("IK5", acknowledgment.status.value, *acknowledgment.codes[:5])
    writer.segment(
        "AK9",
        group.status.value,
        str(group.declared_sets),
        str(group.received_sets),
        str(group.accepted_sets),
        *group.codes[:5],
    )
