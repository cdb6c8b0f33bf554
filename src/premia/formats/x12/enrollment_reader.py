"""Read 834 Benefit Enrollment and Maintenance files (005010X220A1) into typed records.

Reading takes two steps. ``scan_834`` streams the file: the envelope checks run as segments
arrive, the header of each transaction set is read into an ``Enrollment834``, and each
member loop is kept as its segments (``MemberText``). ``SetMembers`` then reads member loops
into records, each on its own and in any order, so that a large file's members can be read
by the processes that apply them. ``parse_834`` does both steps and returns the records of
every member. Nothing is raised for bad data; every problem is a ``Finding`` in the result.
"""

from __future__ import annotations

from operator import attrgetter, itemgetter
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
from premia.formats.x12.enrollment_member import MEMBER_NAME_CODES, PADDING, MemberReader, subscriber_loop
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


class MemberHead(NamedTuple):
    """Values the import takes from a member loop before reading it: its family and its member ID."""

    is_subscriber: bool
    subscriber_id: str
    name_qualifier: str
    name_id: str


class MemberReading(NamedTuple):
    """One member loop read: the record, or the rejection, and every finding about the loop."""

    record: Member834 | RejectedMember
    findings: tuple[Finding, ...]


# Segments that end the member's own loop (2000). LE ends a reporting loop and returns to it.
MEMBER_LOOP_ENDS = frozenset({"NM1", "HD", "DSB", "COB", "LS"})
COVERAGE_LOOP_STARTS = frozenset({"HD", "COB"})


class MemberText(NamedTuple):
    """One member loop, from its INS to the next INS or SE.

    A scan that reads members keeps the ``reading``. Otherwise the scan keeps the loop's
    ``text``, its segments joined again with the file's delimiters, for ``SetMembers`` to
    read later. Text takes far less memory than split segments: 407 MB against 1,081 MB at
    the peak of a 100,000-member import with workers, in one measurement. A process that reads it also splits it into
    fresh objects instead of walking segments scattered over the heap.
    """

    position: int
    head: MemberHead
    text: str = ""
    reading: MemberReading | None = None


def member_head(segments: list[list[str]]) -> MemberHead:
    """Return INS01, the REF*0F of the member's own loop and NM108/NM109 of its name (loop 2100A).

    Without a REF*0F in its own loop (which the reader rejects), the first REF*0F of the
    loop is used instead, so that the dependents carrying it stay with the rejected member.

    These are read as sent, without the checks of ``MemberReader``, so that the import
    can group a large file into families before any member is read in full. The REF*0F
    comes before the name in the guide's order, so the search usually ends at the name.
    """
    ins = segments[0]
    subscriber_id = ""
    # A REF*0F outside the member's own loop, for a loop the reader rejects for that.
    misplaced_id = ""
    name: list[str] | None = None
    # Whether the segment is in the member's own loop (2000), or in a coverage or
    # other-coverage loop, whose NM1 names a provider or another payer.
    own_loop = True
    coverage_loop = False
    for index in range(1, len(segments)):
        elements = segments[index]
        tag = elements[0]
        if tag == "REF":
            if not subscriber_id and len(elements) > 2 and elements[1] == "0F":
                if own_loop:
                    subscriber_id = elements[2]
                elif not misplaced_id:
                    misplaced_id = elements[2]
        elif tag == "NM1":
            if name is None and not coverage_loop and len(elements) > 1 and elements[1] in MEMBER_NAME_CODES:
                name = elements + PADDING
            own_loop = False
            if name is not None and subscriber_id:
                break
        elif tag == "LE":
            own_loop, coverage_loop = True, False
        elif tag in MEMBER_LOOP_ENDS:
            own_loop = False
            coverage_loop = coverage_loop or tag in COVERAGE_LOOP_STARTS
    name_qualifier, name_id = (name[8], name[9]) if name is not None else ("", "")
    return MemberHead(subscriber_loop(ins), subscriber_id or misplaced_id, name_qualifier, name_id)


class PendingSet(NamedTuple):
    """A transaction set whose envelope and header are read and whose member loops are not yet."""

    transaction: Enrollment834
    context: SetContext
    loops: tuple[MemberText, ...]


class SetMembers:
    """Reads the member loops of one transaction set, each on its own.

    Each reading keeps its own findings; ``merge_findings`` puts them in file order with the
    scan's. Reading a loop twice gives equal records and findings.
    """

    def __init__(self, context: SetContext) -> None:
        self.context = context
        self.findings: list[Finding] = []
        own = SetContext(
            self.findings, context.interchange, context.group, context.header, context.delimiters
        )
        self.reader = MemberReader(own, context.delimiters.component)
        self.separator = context.delimiters.element
        self.terminator = context.delimiters.segment

    def read(self, loop: MemberText) -> MemberReading:
        """Return the loop's reading, reading its text when the scan kept only that."""
        if loop.reading is not None:
            return loop.reading
        separator = self.separator
        segments = [segment.split(separator) for segment in loop.text.split(self.terminator)]
        return self.read_segments(loop.position, segments)

    def read_segments(self, position: int, segments: list[list[str]]) -> MemberReading:
        record = self.reader.read(position, segments)
        findings = tuple(self.findings)
        self.findings.clear()
        return MemberReading(record, findings)

    def control_totals(
        self, totals: tuple[ControlTotal, ...], members: int, subscribers: int, rejected: int
    ) -> list[Finding]:
        """Compare the set's QTY control ``totals`` with the members read, warning of each difference.

        ``members`` counts the loops read cleanly, ``subscribers`` the subscribers among
        them, and ``rejected`` the loops rejected.
        """
        counts = {"TO": members + rejected, "ET": subscribers, "DT": members - subscribers}
        found: list[Finding] = []
        context = self.context
        own = SetContext(found, context.interchange, context.group, context.header, context.delimiters)
        for total in totals:
            counted = counts.get(total.qualifier)
            # A rejected member may not show whether it is a subscriber or a dependent, so only
            # the overall total is checked when some were rejected.
            if counted is None or (rejected and total.qualifier != "TO"):
                continue
            if counted != total.quantity:
                own.add(
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
        return found


class EnrollmentSetReader:
    """Reads the header of one 834 transaction set, and its member loops when ``read_members`` is set."""

    def __init__(
        self, header: SetHeader, context: SetContext, pending: list[PendingSet], *, read_members: bool
    ) -> None:
        self.header = header
        self.context = context
        self.pending = pending
        self.members = SetMembers(context) if read_members else None
        self.loops: list[MemberText] = []
        self.member_start = 0
        self.member_segments: list[list[str]] | None = None
        self.beginning: Beginning | None = None
        self.parties: list[Party] = []
        self.references: list[Reference] = []
        self.dates: list[QualifiedDate] = []
        self.control_totals: list[ControlTotal] = []
        self.header_failed = False
        self.separator = context.delimiters.element
        self.terminator = context.delimiters.segment

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
        sponsor = next((party for party in self.parties if party.role is PartyRole.SPONSOR), None)
        payer = next((party for party in self.parties if party.role is PartyRole.INSURER), None)
        brokers = tuple(
            party for party in self.parties if party.role not in (PartyRole.SPONSOR, PartyRole.INSURER)
        )
        transaction = Enrollment834(
            header=self.header,
            beginning=self.beginning,
            sponsor=sponsor,
            payer=payer,
            brokers=brokers,
            references=tuple(self.references),
            dates=tuple(self.dates),
            control_totals=tuple(self.control_totals),
        )
        self.pending.append(PendingSet(transaction, self.context, tuple(self.loops)))
        return transaction

    def _finish_member(self) -> None:
        assert self.member_segments is not None
        segments = self.member_segments
        head = member_head(segments)
        if self.members is not None:
            # Read while the segments are fresh in the processor's cache.
            reading = self.members.read_segments(self.member_start, segments)
            self.loops.append(MemberText(self.member_start, head, reading=reading))
        else:
            text = self.terminator.join(map(self.separator.join, segments))
            self.loops.append(MemberText(self.member_start, head, text))
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
        return accepted_sets(self.interchanges, self.findings)


def accepted_sets(
    interchanges: tuple[Interchange[Enrollment834], ...], findings: tuple[Finding, ...] | list[Finding]
) -> tuple[Enrollment834, ...]:
    """Return the sets that no interchange or transaction set error rejects, in file order."""
    rejected_interchanges, rejected_sets = _rejections(findings)
    if None in rejected_interchanges:
        return ()
    accepted: list[Enrollment834] = []
    for interchange in interchanges:
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


def _rejections(
    findings: tuple[Finding, ...] | list[Finding],
) -> tuple[set[str | None], set[tuple[str | None, ...]]]:
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


class Scanned834(NamedTuple):
    """An 834 file with its envelope and set headers read and its member loops not yet read.

    ``interchanges`` hold each set without members, and ``findings`` are those of the envelope
    and the set headers, in file order. ``sets`` has one ``PendingSet`` per transaction set,
    in file order, with its member loops.
    """

    interchanges: tuple[Interchange[Enrollment834], ...]
    findings: tuple[Finding, ...]
    sets: tuple[PendingSet, ...]

    @property
    def member_count(self) -> int:
        """Every member loop of the file, in accepted and rejected sets alike."""
        return sum(len(pending.loops) for pending in self.sets)

    def accepted_sets(self) -> tuple[PendingSet, ...]:
        """Return the sets that no envelope or set header error rejects, in file order."""
        accepted = set(map(id, accepted_sets(self.interchanges, self.findings)))
        return tuple(pending for pending in self.sets if id(pending.transaction) in accepted)

    def read_all(self) -> Parsed834:
        """Read every member loop and return the file as ``parse_834`` does."""
        found = list(self.findings)
        read_sets: dict[int, Enrollment834] = {}
        for pending in self.sets:
            transaction, findings = read_set(pending)
            found.extend(findings)
            read_sets[id(pending.transaction)] = transaction
        return Parsed834(_with_sets(self.interchanges, read_sets), merge_findings(found))


def read_set(pending: PendingSet) -> tuple[Enrollment834, list[Finding]]:
    """Read every member loop of ``pending``: the set with its members, and the findings they gave."""
    reader = SetMembers(pending.context)
    found: list[Finding] = []
    members: list[Member834] = []
    rejected: list[RejectedMember] = []
    for loop in pending.loops:
        record, findings = reader.read(loop)
        found.extend(findings)
        if isinstance(record, RejectedMember):
            rejected.append(record)
        else:
            members.append(record)
    subscribers = sum(member.is_subscriber for member in members)
    totals = pending.transaction.control_totals
    found.extend(reader.control_totals(totals, len(members), subscribers, len(rejected)))
    transaction = pending.transaction._replace(members=tuple(members), rejected_members=tuple(rejected))
    return transaction, found


def merge_findings(findings: list[Finding]) -> tuple[Finding, ...]:
    """Put the scan's findings and those of member loops read later in file order.

    The sort is stable, so findings at one segment keep the order in which they were made,
    the scan's first. That is the order of a reading in one pass.
    """
    return tuple(sorted(findings, key=attrgetter("position")))


def _with_sets(
    interchanges: tuple[Interchange[Enrollment834], ...], read_sets: dict[int, Enrollment834]
) -> tuple[Interchange[Enrollment834], ...]:
    return tuple(
        interchange._replace(
            groups=tuple(
                group._replace(sets=tuple(read_sets.get(id(each), each) for each in group.sets))
                for group in interchange.groups
            )
        )
        for interchange in interchanges
    )


def scan_834(source: Source, *, lenient_isa: bool = False, read_members: bool = False) -> Scanned834:
    """Check the envelope of an 834 file and read its set headers, keeping the member loops.

    With ``read_members`` each loop is read as soon as the scan reaches its end, which is the
    fastest way to read all of them in one process. Without it, each loop is kept as text for
    ``SetMembers`` to read when and where it is needed. ``source`` and ``lenient_isa`` are as
    for ``parse_834``.
    """
    pending: list[PendingSet] = []

    def open_set(header: SetHeader, context: SetContext) -> EnrollmentSetReader:
        return EnrollmentSetReader(header, context, pending, read_members=read_members)

    reading = read_envelope(source, ENROLLMENT_RULES, open_set, lenient_isa=lenient_isa)
    return Scanned834(reading.interchanges, reading.findings, tuple(pending))


def parse_834(source: Source, *, lenient_isa: bool = False) -> Parsed834:
    """Read an 834 file into interchanges of ``Enrollment834`` sets and a list of findings.

    ``source`` is the file's text, its bytes, or a ``Path`` read in chunks. With
    ``lenient_isa`` an ISA segment that is not padded to 106 characters is a warning instead
    of an error rejecting the interchange.
    """
    return scan_834(source, lenient_isa=lenient_isa, read_members=True).read_all()
