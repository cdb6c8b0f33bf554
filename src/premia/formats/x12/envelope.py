"""The envelope checks every reader runs.

The envelope is ISA/IEA around GS/GE around ST/SE. ``EnvelopeTracker`` checks, while the
segments stream past, that every trailer is present and agrees with its header. The pairs
are IEA02 and ISA13, IEA01 and the number of groups, GE02 and GS06, GE01 and the number of
transaction sets, SE02 and ST02, and SE01 and the number of segments from ST to SE. Any
such error rejects the whole interchange. Segments inside a transaction set go to a
``SetReader`` that the caller supplies for its transaction type.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Generic

from premia.formats.x12.envelope_headers import read_group_header, read_interchange_header
from premia.formats.x12.findings import Finding, FindingCode, FindingScope, Severity
from premia.formats.x12.interchange import (
    EnvelopeRules,
    FunctionalGroup,
    Interchange,
    OpenSet,
    SetContext,
    SetHeader,
    SetReader,
    SetT,
)
from premia.formats.x12.tokenizer import Delimiters

# TA1 (interchange acknowledgment) may stand between ISA and the first GS.
ENVELOPE_SEGMENTS = frozenset({"ISA", "GS", "ST", "SE", "GE", "IEA", "TA1"})


class _OpenGroup(Generic[SetT]):
    def __init__(self, header: FunctionalGroup[SetT]) -> None:
        self.header = header
        self.sets: list[SetT] = []
        self.control_numbers: set[str] = set()


class _OpenInterchange(Generic[SetT]):
    def __init__(self, header: Interchange[SetT]) -> None:
        self.header = header
        self.groups: list[FunctionalGroup[SetT]] = []


class _OpenSet(Generic[SetT]):
    def __init__(self, header: SetHeader, reader: SetReader[SetT]) -> None:
        self.header = header
        self.reader = reader


class EnvelopeTracker(Generic[SetT]):
    """Checks ISA/GS/ST/SE/GE/IEA as segments arrive and hands set content to set readers."""

    def __init__(self, rules: EnvelopeRules, open_set: OpenSet[SetT], delimiters: Delimiters) -> None:
        self.rules = rules
        self.open_set = open_set
        self.delimiters = delimiters
        self.findings: list[Finding] = []
        self.interchanges: list[Interchange[SetT]] = []
        self._interchange: _OpenInterchange[SetT] | None = None
        self._group: _OpenGroup[SetT] | None = None
        self._set: _OpenSet[SetT] | None = None
        self._stray_reported = False

    # One segment ----------------------------------------------------------------------

    def feed(self, first_position: int, batch: list[list[str]]) -> None:
        """Handle consecutive segments, passing runs of set content to the open set reader."""
        envelope_segments = ENVELOPE_SEGMENTS
        # Most batches of a large file contain no envelope segment, and this check runs in C.
        if envelope_segments.isdisjoint(map(itemgetter(0), batch)):
            self._content(first_position, batch)
            return
        start = 0
        for index, elements in enumerate(batch):
            if elements[0] in envelope_segments:
                if index > start:
                    self._content(first_position + start, batch[start:index])
                self.handle_envelope(first_position + index, elements)
                start = index + 1
        if start < len(batch):
            self._content(first_position + start, batch[start:] if start else batch)

    def _content(self, first_position: int, segments: list[list[str]]) -> None:
        if self._set is not None:
            self._set.reader.feed(first_position, segments)
        else:
            self._report_stray(first_position, segments[0][0])

    def handle_envelope(self, position: int, elements: list[str]) -> None:
        tag = elements[0]
        if tag == "ISA":
            self._open_interchange(position, elements)
        elif tag == "GS":
            self._open_group(position, elements)
        elif tag == "ST":
            self._open_set_segment(position, elements)
        elif tag == "SE":
            self._close_set(position, elements)
        elif tag == "GE":
            self._close_group(position, elements)
        elif tag == "IEA":
            self._close_interchange(position, elements)
        elif self._interchange is None or self._group is not None or self._interchange.groups:
            self._report_stray(position, tag)

    def finish(self, last_position: int) -> None:
        """Close whatever is still open at the end of the input, reporting the missing trailers."""
        if self._set is not None:
            self._missing_set_trailer(last_position, f"the file ends after segment {last_position}")
        if self._group is not None:
            self._missing_group_trailer(last_position, f"the file ends after segment {last_position}")
        if self._interchange is not None:
            self._envelope_error(
                FindingCode.INTERCHANGE_TRAILER_MISSING,
                "IEA",
                last_position,
                None,
                f"The file ends after segment {last_position} without the IEA trailer of interchange "
                f"{self._interchange.header.control_number}.",
                "Send the complete interchange, ending with IEA.",
            )
            self._store_interchange()

    # Interchange ----------------------------------------------------------------------

    def _open_interchange(self, position: int, elements: list[str]) -> None:
        if self._interchange is not None:
            self._close_interrupted_interchange(position)
        self._stray_reported = False
        header, findings = read_interchange_header(elements, position, self.delimiters)
        self.findings.extend(findings)
        self._interchange = _OpenInterchange(header)
        component = elements[16] if len(elements) > 16 else ""
        if self.interchanges and component != self.delimiters.component:
            self._envelope_error(
                FindingCode.DELIMITERS_CHANGED,
                "ISA",
                position,
                "ISA16",
                f"ISA16 component separator {component!r} differs from the first interchange's "
                f"{self.delimiters.component!r}.",
                "Send interchanges with different delimiters as separate files.",
            )

    def _close_interrupted_interchange(self, position: int) -> None:
        """Close an interchange that a new ISA interrupts, reporting its missing trailers."""
        if self._set is not None:
            self._missing_set_trailer(position, f"the next ISA at segment {position} comes first")
        if self._group is not None:
            self._missing_group_trailer(position, f"the next ISA at segment {position} comes first")
        assert self._interchange is not None
        self._envelope_error(
            FindingCode.INTERCHANGE_TRAILER_MISSING,
            "IEA",
            position,
            None,
            f"Interchange {self._interchange.header.control_number} has no IEA trailer before the next ISA.",
            "End every interchange with IEA before starting the next one.",
        )
        self._store_interchange()

    def _close_interchange(self, position: int, elements: list[str]) -> None:
        if self._interchange is None:
            self._report_stray(position, "IEA")
            return
        if self._set is not None:
            self._missing_set_trailer(position, f"IEA at segment {position} comes first")
        if self._group is not None:
            self._missing_group_trailer(position, f"IEA at segment {position} comes first")
        header = self._interchange.header
        declared_groups = elements[1] if len(elements) > 1 else ""
        trailer_control = elements[2] if len(elements) > 2 else ""
        received = len(self._interchange.groups)
        if not _same_count(declared_groups, received):
            self._envelope_error(
                FindingCode.GROUP_COUNT_MISMATCH,
                "IEA",
                position,
                "IEA01",
                f"IEA01 says {declared_groups!r} functional groups, but interchange {header.control_number} "
                f"has {received}.",
                "Set IEA01 to the number of GS segments in the interchange.",
                value=declared_groups,
            )
        if trailer_control != header.control_number:
            self._envelope_error(
                FindingCode.INTERCHANGE_CONTROL_NUMBER_MISMATCH,
                "IEA",
                position,
                "IEA02",
                f"IEA02 control number {trailer_control!r} does not match ISA13 {header.control_number!r}.",
                "Copy ISA13 into IEA02.",
                value=trailer_control,
            )
        self._store_interchange()

    def _store_interchange(self) -> None:
        assert self._interchange is not None
        header = self._interchange.header
        self.interchanges.append(header._replace(groups=tuple(self._interchange.groups)))
        self._interchange = None

    # Functional group -----------------------------------------------------------------

    def _open_group(self, position: int, elements: list[str]) -> None:
        if self._interchange is None:
            self._report_stray(position, "GS")
            return
        if self._set is not None:
            self._missing_set_trailer(position, f"the next GS at segment {position} comes first")
        if self._group is not None:
            self._missing_group_trailer(position, f"the next GS at segment {position} comes first")
        header, findings = read_group_header(
            elements, position, self.rules, self._interchange.header.control_number
        )
        self.findings.extend(findings)
        self._group = _OpenGroup(header)

    def _close_group(self, position: int, elements: list[str]) -> None:
        if self._group is None:
            self._report_stray(position, "GE")
            return
        if self._set is not None:
            self._missing_set_trailer(position, f"GE at segment {position} comes first")
        header = self._group.header
        declared_sets = elements[1] if len(elements) > 1 else ""
        trailer_control = elements[2] if len(elements) > 2 else ""
        received = len(self._group.sets)
        if not _same_count(declared_sets, received):
            self._envelope_error(
                FindingCode.SET_COUNT_MISMATCH,
                "GE",
                position,
                "GE01",
                f"GE01 says {declared_sets!r} transaction sets, but functional group {header.control_number} "
                f"has {received}.",
                "Set GE01 to the number of ST segments in the functional group.",
                value=declared_sets,
                group=header.control_number,
            )
        if not _same_control_number(trailer_control, header.control_number):
            self._envelope_error(
                FindingCode.GROUP_CONTROL_NUMBER_MISMATCH,
                "GE",
                position,
                "GE02",
                f"GE02 control number {trailer_control!r} does not match GS06 {header.control_number!r}.",
                "Copy GS06 into GE02.",
                value=trailer_control,
                group=header.control_number,
            )
        self._store_group()

    def _missing_group_trailer(self, position: int, reason: str) -> None:
        assert self._group is not None
        control_number = self._group.header.control_number
        self._envelope_error(
            FindingCode.GROUP_TRAILER_MISSING,
            "GE",
            position,
            None,
            f"Functional group {control_number} has no GE trailer: {reason}.",
            "End every functional group with GE.",
            group=control_number,
        )
        self._store_group()

    def _store_group(self) -> None:
        assert self._group is not None and self._interchange is not None
        self._interchange.groups.append(self._group.header._replace(sets=tuple(self._group.sets)))
        self._group = None

    # Transaction set ------------------------------------------------------------------

    def _open_set_segment(self, position: int, elements: list[str]) -> None:
        if self._group is None or self._interchange is None:
            self._report_stray(position, "ST")
            return
        if self._set is not None:
            self._missing_set_trailer(position, f"the next ST at segment {position} comes first")
        values = elements + [""] * (4 - len(elements))
        header = SetHeader(values[1], values[2], values[3], position)
        group = self._group.header.control_number
        context = SetContext(
            self.findings, self._interchange.header.control_number, group, header, self.delimiters
        )

        if header.control_number in self._group.control_numbers:
            context.add(
                FindingCode.DUPLICATE_SET_CONTROL_NUMBER,
                FindingScope.INTERCHANGE,
                "ST",
                position,
                "ST02",
                f"ST02 control number {header.control_number!r} is used twice in functional group {group}.",
                "Give every transaction set in a functional group its own control number.",
                value=header.control_number,
            )
        if not 4 <= len(header.control_number) <= 9:
            context.add(
                FindingCode.INVALID_VALUE,
                FindingScope.INTERCHANGE,
                "ST",
                position,
                "ST02",
                f"ST02 control number {header.control_number!r} is not 4 to 9 characters long.",
                "Send a transaction set control number of 4 to 9 characters.",
                value=header.control_number,
            )
        self._group.control_numbers.add(header.control_number)
        if self.rules.set_id is not None and header.set_id != self.rules.set_id:
            context.add(
                FindingCode.UNSUPPORTED_TRANSACTION_SET,
                FindingScope.TRANSACTION,
                "ST",
                position,
                "ST01",
                f"ST01 transaction set {header.set_id!r} is not {self.rules.set_id}.",
                f"Send {self.rules.set_id} transaction sets to this reader.",
                value=header.set_id,
            )
        self._set = _OpenSet(header, self.open_set(header, context))

    def _close_set(self, position: int, elements: list[str]) -> None:
        if self._set is None:
            self._report_stray(position, "SE")
            return
        header = self._set.header
        declared_count = elements[1] if len(elements) > 1 else ""
        trailer_control = elements[2] if len(elements) > 2 else ""
        counted = position - header.position + 1
        if not _same_count(declared_count, counted):
            self._set_error(
                FindingCode.SEGMENT_COUNT_MISMATCH,
                "SE",
                position,
                "SE01",
                f"SE01 says {declared_count!r} segments, but transaction set {header.control_number} has "
                f"{counted} from ST to SE.",
                "Set SE01 to the number of segments in the transaction set, counting ST and SE.",
                value=declared_count,
            )
        if trailer_control != header.control_number:
            self._set_error(
                FindingCode.SET_CONTROL_NUMBER_MISMATCH,
                "SE",
                position,
                "SE02",
                f"SE02 control number {trailer_control!r} does not match ST02 {header.control_number!r}.",
                "Copy ST02 into SE02.",
                value=trailer_control,
            )
        self._store_set(position)

    def _missing_set_trailer(self, position: int, reason: str) -> None:
        assert self._set is not None
        self._set_error(
            FindingCode.SET_TRAILER_MISSING,
            "SE",
            position,
            None,
            f"Transaction set {self._set.header.control_number} has no SE trailer: {reason}.",
            "End every transaction set with SE.",
        )
        self._store_set(position)

    def _store_set(self, position: int) -> None:
        assert self._set is not None and self._group is not None
        self._group.sets.append(self._set.reader.finish(position))
        self._set = None

    # Findings -------------------------------------------------------------------------

    def _report_stray(self, position: int, tag: str) -> None:
        # One finding per run of stray segments: a file with data after IEA would otherwise
        # produce one finding per segment.
        if self._stray_reported:
            return
        self._stray_reported = True
        self.findings.append(
            Finding(
                FindingCode.SEGMENT_OUT_OF_PLACE,
                Severity.ERROR,
                FindingScope.INTERCHANGE,
                tag,
                position,
                None,
                f"Segment {tag} at position {position} is outside the envelope it belongs in.",
                "Keep every segment inside ISA/IEA, GS/GE and ST/SE, in that nesting.",
                None,
                self._interchange.header.control_number if self._interchange else None,
                self._group.header.control_number if self._group else None,
                self._set.header.control_number if self._set else None,
            )
        )

    def _set_error(
        self,
        code: FindingCode,
        segment_id: str,
        position: int,
        element: str | None,
        message: str,
        hint: str,
        *,
        value: str | None = None,
    ) -> None:
        assert self._set is not None
        self._envelope_error(
            code,
            segment_id,
            position,
            element,
            message,
            hint,
            value=value,
            transaction=self._set.header.control_number,
        )

    def _envelope_error(
        self,
        code: FindingCode,
        segment_id: str,
        position: int,
        element: str | None,
        message: str,
        hint: str,
        *,
        value: str | None = None,
        severity: Severity = Severity.ERROR,
        group: str | None = None,
        transaction: str | None = None,
    ) -> None:
        interchange = self._interchange.header.control_number if self._interchange else None
        if group is None and self._group is not None:
            group = self._group.header.control_number
        self.findings.append(
            Finding(
                code,
                severity,
                FindingScope.INTERCHANGE,
                segment_id,
                position,
                element,
                message,
                hint,
                value,
                interchange,
                group,
                transaction,
            )
        )


def _same_count(declared: str, counted: int) -> bool:
    return declared.isdigit() and int(declared) == counted


def _same_control_number(trailer: str, header: str) -> bool:
    # GS06 and GE02 are numeric, so 0042 and 42 are the same number.
    if trailer == header:
        return True
    return trailer.isdigit() and header.isdigit() and int(trailer) == int(header)
