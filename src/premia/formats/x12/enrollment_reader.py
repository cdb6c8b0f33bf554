"""Read 834 Benefit Enrollment and Maintenance files (005010X220A1) into typed records.

``parse_834`` streams the file: the envelope checks run as segments arrive, the header of
each transaction set is read into an ``Enrollment834``, and each member loop is handed to
``MemberReader`` as soon as the next INS starts. Nothing is raised for bad data; every
problem is a ``Finding`` in the result.
"""

from __future__ import annotations

from operator import itemgetter
from typing import NamedTuple

from premia.formats.x12.codes import Implementation, PartyRole, TransactionAction, TransactionPurpose
from premia.formats.x12.elements import (
    ElementError,
    parse_code,
    parse_d8,
    parse_dated_value,
    parse_x12_time,
    require,
)
from premia.formats.x12.enrollment_member import PADDING, MemberReader
from premia.formats.x12.enrollment_records import (
    Beginning,
    ControlTotal,
    Enrollment834,
    Member834,
    RejectedMember,
)
from premia.formats.x12.findings import Finding, FindingCode, FindingScope, Severity
from premia.formats.x12.interchange import EnvelopeRules, Interchange, SetContext, SetHeader, iter_sets
from premia.formats.x12.interchange_reader import read_envelope
from premia.formats.x12.segments import Party, QualifiedDate, Reference
from premia.formats.x12.tokenizer import Source

ENROLLMENT_RULES = EnvelopeRules("834", frozenset({Implementation.ENROLLMENT_834.value}), "BE")
# Header segments that 005010X220A1 allows and Premia does not keep (party address and
# contact lines, broker account).
SKIPPED_HEADER_SEGMENTS = frozenset({"N2", "N3", "N4", "PER", "ACT"})
HEADER_PARTY_ROLES = {
    "P5": PartyRole.SPONSOR,
    "IN": PartyRole.INSURER,
    "BO": PartyRole.BROKER,
    "TV": PartyRole.THIRD_PARTY_ADMINISTRATOR,
}


class EnrollmentSetReader:
    """Reads one 834 transaction set; member loops go to ``MemberReader`` one at a time."""

    def __init__(self, header: SetHeader, context: SetContext) -> None:
        self.header = header
        self.context = context
        self.member_reader = MemberReader(context, context.delimiters.component)
        self.members: list[Member834] = []
        self.rejected: list[RejectedMember] = []
        self.member_start = 0
        self.member_segments: list[list[str]] | None = None
        self.beginning: Beginning | None = None
        self.parties: list[Party] = []
        self.references: list[Reference] = []
        self.dates: list[QualifiedDate] = []
        self.control_totals: list[ControlTotal] = []
        self.header_failed = False

    def feed(self, first_position: int, segments: list[list[str]]) -> None:
        start = 0
        for index in _indexes_of("INS", list(map(itemgetter(0), segments))):
            if index > start:
                self._add(first_position + start, segments[start:index])
            if self.member_segments is not None:
                self._finish_member()
            self.member_start = first_position + index
            self.member_segments = [segments[index]]
            start = index + 1
        if start < len(segments):
            self._add(first_position + start, segments[start:])

    def _add(self, first_position: int, segments: list[list[str]]) -> None:
        if self.member_segments is not None:
            self.member_segments.extend(segments)
            return
        for offset, elements in enumerate(segments):
            self._header_segment(first_position + offset, elements)

    def finish(self, end_position: int) -> Enrollment834:
        if self.member_segments is not None:
            self._finish_member()
        self._check_required_header()
        self._check_control_totals()
        sponsor = next((party for party in self.parties if party.role is PartyRole.SPONSOR), None)
        payer = next((party for party in self.parties if party.role is PartyRole.INSURER), None)
        brokers = tuple(
            party for party in self.parties if party.role not in (PartyRole.SPONSOR, PartyRole.INSURER)
        )
        return Enrollment834(
            header=self.header,
            beginning=self.beginning,
            sponsor=sponsor,
            payer=payer,
            brokers=brokers,
            references=tuple(self.references),
            dates=tuple(self.dates),
            control_totals=tuple(self.control_totals),
            members=tuple(self.members),
            rejected_members=tuple(self.rejected),
        )

    def _finish_member(self) -> None:
        assert self.member_segments is not None
        result = self.member_reader.read(self.member_start, self.member_segments)
        if isinstance(result, RejectedMember):
            self.rejected.append(result)
        else:
            self.members.append(result)
        self.member_segments = None

    # Header ---------------------------------------------------------------------------

    def _header_segment(self, position: int, elements: list[str]) -> None:
        tag = elements[0]
        values = elements + PADDING
        try:
            if tag == "BGN":
                self.beginning = _beginning(values, position)
            elif tag == "REF":
                self.references.append(
                    Reference(
                        require(values[1], "REF01", "reference qualifier"),
                        require(values[2], "REF02", "reference value"),
                        position,
                    )
                )
            elif tag == "DTP":
                start, end = parse_dated_value(values[2], values[3], "DTP03")
                self.dates.append(
                    QualifiedDate(require(values[1], "DTP01", "date qualifier"), start, end, position)
                )
            elif tag == "QTY":
                self.control_totals.append(_control_total(values, position))
            elif tag == "N1":
                self.parties.append(_party(values, position))
            elif tag not in SKIPPED_HEADER_SEGMENTS:
                self._header_error(
                    FindingCode.UNKNOWN_SEGMENT,
                    tag,
                    position,
                    None,
                    f"Segment {tag} is not part of an 834 header.",
                    "Remove the segment or correct its id.",
                )
        except ElementError as error:
            self.context.add_element_error(error, FindingScope.TRANSACTION, tag, position)
            self.header_failed = True

    def _check_required_header(self) -> None:
        first = self.header.position + 1
        if self.beginning is None and not self.header_failed:
            self._header_error(
                FindingCode.REQUIRED_SEGMENT_MISSING,
                "BGN",
                first,
                None,
                f"Transaction set {self.header.control_number} has no BGN segment.",
                "Send BGN right after ST.",
            )
        roles = {party.role for party in self.parties}
        for role, label in ((PartyRole.SPONSOR, "N1*P5 plan sponsor"), (PartyRole.INSURER, "N1*IN insurer")):
            if role not in roles:
                self._header_error(
                    FindingCode.REQUIRED_SEGMENT_MISSING,
                    "N1",
                    first,
                    None,
                    f"Transaction set {self.header.control_number} has no {label}.",
                    f"Send the {label} loop before the first INS.",
                )

    def _check_control_totals(self) -> None:
        subscribers = sum(member.is_subscriber for member in self.members)
        counts = {
            "TO": len(self.members) + len(self.rejected),
            "ET": subscribers,
            "DT": len(self.members) - subscribers,
        }
        for total in self.control_totals:
            counted = counts.get(total.qualifier)
            # A rejected member may not show whether it is a subscriber or a dependent, so only
            # the overall total is checked when some were rejected.
            if counted is None or (self.rejected and total.qualifier != "TO"):
                continue
            if counted != total.quantity:
                self.context.add(
                    FindingCode.CONTROL_TOTAL_MISMATCH,
                    FindingScope.TRANSACTION,
                    "QTY",
                    total.position,
                    "QTY02",
                    f"QTY*{total.qualifier} says {total.quantity} but the transaction set has {counted}.",
                    "Correct the control total or send the missing members.",
                    value=str(total.quantity),
                    severity=Severity.WARNING,
                )

    def _header_error(
        self, code: FindingCode, segment_id: str, position: int, element: str | None, message: str, hint: str
    ) -> None:
        self.context.add(code, FindingScope.TRANSACTION, segment_id, position, element, message, hint)


def _indexes_of(tag: str, tags: list[str]) -> list[int]:
    """Return the indexes of ``tag`` in ``tags``; list.index does the scanning in C."""
    indexes: list[int] = []
    start = 0
    try:
        while True:
            start = tags.index(tag, start)
            indexes.append(start)
            start += 1
    except ValueError:
        return indexes


def _beginning(values: list[str], position: int) -> Beginning:
    return Beginning(
        purpose=parse_code(TransactionPurpose, values[1], "BGN01"),
        reference=require(values[2], "BGN02", "transaction set reference number"),
        date=parse_d8(values[3], "BGN03"),
        time=parse_x12_time(values[4], "BGN04") if values[4] else None,
        time_zone=values[5],
        original_reference=values[6],
        action=parse_code(TransactionAction, values[8], "BGN08"),
        position=position,
    )


def _control_total(values: list[str], position: int) -> ControlTotal:
    qualifier = require(values[1], "QTY01", "quantity qualifier")
    quantity = values[2]
    if not quantity.isdigit():
        raise ElementError(
            FindingCode.INVALID_VALUE,
            "QTY02",
            f"QTY02 quantity {quantity!r} is not a whole number.",
            "Send the control total as a whole number.",
            quantity,
        )
    return ControlTotal(qualifier, int(quantity), position)


def _party(values: list[str], position: int) -> Party:
    role = HEADER_PARTY_ROLES.get(values[1])
    if role is None:
        allowed = ", ".join(HEADER_PARTY_ROLES)
        raise ElementError(
            FindingCode.INVALID_CODE,
            "N101",
            f"N101 {values[1]!r} is not a party of the 834 header.",
            f"Use one of: {allowed}.",
            values[1],
        )
    return Party(role, values[2], values[3], values[4], position)


class Parsed834(NamedTuple):
    """Everything read from one 834 file: the interchanges and every finding about them."""

    interchanges: tuple[Interchange[Enrollment834], ...]
    findings: tuple[Finding, ...]

    @property
    def transactions(self) -> tuple[Enrollment834, ...]:
        return tuple(iter_sets(self.interchanges))

    @property
    def members(self) -> tuple[Member834, ...]:
        """Every member that parsed cleanly, including those of rejected sets or interchanges."""
        return tuple(member for transaction in self.transactions for member in transaction.members)

    @property
    def rejected_members(self) -> tuple[RejectedMember, ...]:
        return tuple(
            rejected for transaction in self.transactions for rejected in transaction.rejected_members
        )

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.is_error)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if not finding.is_error)

    @property
    def is_rejected(self) -> bool:
        """Whether an envelope error rejects the file (an interchange in it, or all of it)."""
        return any(
            finding.is_error and finding.scope is FindingScope.INTERCHANGE for finding in self.findings
        )

    def accepted_members(self) -> tuple[Member834, ...]:
        """Return the members an importer may apply: clean members of accepted sets and interchanges."""
        return tuple(member for transaction in self.accepted_transactions() for member in transaction.members)

    def accepted_transactions(self) -> tuple[Enrollment834, ...]:
        rejected_interchanges, rejected_sets = _rejections(self.findings)
        if None in rejected_interchanges:
            return ()
        accepted: list[Enrollment834] = []
        for interchange in self.interchanges:
            if interchange.control_number in rejected_interchanges:
                continue
            for group in interchange.groups:
                for transaction in group.sets:
                    key = (
                        interchange.control_number,
                        group.control_number,
                        transaction.header.control_number,
                    )
                    if key not in rejected_sets:
                        accepted.append(transaction)
        return tuple(accepted)


def _rejections(findings: tuple[Finding, ...]) -> tuple[set[str | None], set[tuple[str | None, ...]]]:
    interchanges: set[str | None] = set()
    sets: set[tuple[str | None, ...]] = set()
    for finding in findings:
        if not finding.is_error:
            continue
        if finding.scope is FindingScope.INTERCHANGE:
            interchanges.add(finding.interchange)
        elif finding.scope is FindingScope.TRANSACTION:
            sets.add((finding.interchange, finding.group, finding.transaction))
    return interchanges, sets


def parse_834(source: Source, *, lenient_isa: bool = False) -> Parsed834:
    """Read an 834 file into interchanges of ``Enrollment834`` sets and a list of findings.

    ``source`` is the file's text, its bytes, or a ``Path`` read in chunks. With
    ``lenient_isa`` an ISA segment that is not padded to 106 characters is a warning instead
    of an error rejecting the interchange.
    """
    reading = read_envelope(source, ENROLLMENT_RULES, EnrollmentSetReader, lenient_isa=lenient_isa)
    return Parsed834(reading.interchanges, reading.findings)
