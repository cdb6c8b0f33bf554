"""Records of the X12 envelope: interchange (ISA/IEA), functional group (GS/GE), set header (ST).

Readers return ``Interchange`` records whose groups hold the transaction sets of their type
(``Enrollment834``, ``Remittance820`` or ``RawSet``). ``SetContext`` is what a set reader
is given to know where it is and to report findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, time
from typing import Generic, NamedTuple, Protocol, TypeVar

from premia.formats.x12.codes import UsageIndicator
from premia.formats.x12.elements import ElementError
from premia.formats.x12.findings import Finding, FindingCode, FindingScope, Severity
from premia.formats.x12.tokenizer import Delimiters

SetT = TypeVar("SetT")
SetT_co = TypeVar("SetT_co", covariant=True)


class SetHeader(NamedTuple):
    """The ST segment: transaction set id (``834``), control number (ST02), guide (ST03)."""

    set_id: str
    control_number: str
    implementation: str = ""
    position: int = 0


class FunctionalGroup(NamedTuple, Generic[SetT]):
    """A GS/GE functional group and the transaction sets read from it.

    ``date`` and ``time`` are None only when GS04 or GS05 was invalid, which is reported.
    """

    functional_id: str
    sender_code: str
    receiver_code: str
    date: date | None
    time: time | None
    control_number: str
    version: str
    sets: tuple[SetT, ...] = ()
    position: int = 0


class Interchange(NamedTuple, Generic[SetT]):
    """An ISA/IEA interchange: sender ISA05/ISA06, receiver ISA07/ISA08, ISA13 and ISA15.

    ``date`` (ISA09), ``time`` (ISA10) and ``usage`` (ISA15) are None only when the sent
    value was invalid, which is reported as an error.
    """

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: date | None
    time: time | None
    control_number: str
    version: str
    usage: UsageIndicator | None
    acknowledgment_requested: bool
    groups: tuple[FunctionalGroup[SetT], ...] = ()
    delimiters: Delimiters = Delimiters()
    position: int = 1


class EnvelopeRules(NamedTuple):
    """The transaction set id, versions and functional identifier a reader accepts (None: any)."""

    set_id: str | None
    versions: frozenset[str] | None
    functional_id: str | None


ANY_TRANSACTION_SET = EnvelopeRules(None, None, None)


class SetContext:
    """The control numbers around a transaction set, its delimiters, and the list of findings."""

    def __init__(
        self, findings: list[Finding], interchange: str, group: str, header: SetHeader, delimiters: Delimiters
    ) -> None:
        self.findings = findings
        self.interchange = interchange
        self.group = group
        self.header = header
        self.delimiters = delimiters

    def add(
        self,
        code: FindingCode,
        scope: FindingScope,
        segment_id: str,
        position: int,
        element: str | None,
        message: str,
        hint: str | None = None,
        *,
        value: str | None = None,
        severity: Severity = Severity.ERROR,
        member_position: int | None = None,
    ) -> Finding:
        finding = Finding(
            code,
            severity,
            scope,
            segment_id,
            position,
            element,
            message,
            hint,
            value,
            self.interchange,
            self.group,
            self.header.control_number,
            member_position,
        )
        self.findings.append(finding)
        return finding

    def add_element_error(
        self,
        error: ElementError,
        scope: FindingScope,
        segment_id: str,
        position: int,
        member_position: int | None = None,
    ) -> Finding:
        return self.add(
            error.code,
            scope,
            segment_id,
            position,
            error.element,
            error.message,
            error.hint,
            value=error.value,
            member_position=member_position,
        )


class SetReader(Protocol[SetT_co]):
    """Reads the segments between ST and SE into one transaction set record.

    ``feed`` receives consecutive segments, the first at ``first_position``; one set's
    segments may arrive in several calls.
    """

    def feed(self, first_position: int, segments: list[list[str]]) -> None: ...

    def finish(self, end_position: int) -> SetT_co: ...


OpenSet = Callable[[SetHeader, SetContext], SetReader[SetT]]


class EnvelopeReading(NamedTuple, Generic[SetT]):
    interchanges: tuple[Interchange[SetT], ...]
    findings: tuple[Finding, ...]


def without_positions(record: object) -> object:
    """Return ``record`` with every ``position`` field set to 0, recursively.

    Positions record where a record was read, not what it contains, so a record written and
    read back compares equal to the original once both have been passed through here.
    """
    if isinstance(record, tuple) and hasattr(record, "_fields"):
        values = {name: without_positions(getattr(record, name)) for name in record._fields}
        if "position" in values:
            values["position"] = 0
        return type(record)(**values)
    if isinstance(record, tuple):
        return tuple(without_positions(item) for item in record)
    return record


def iter_sets(interchanges: Iterable[Interchange[SetT]]) -> Iterable[SetT]:
    """Yield every transaction set of every group of ``interchanges``, in file order."""
    for interchange in interchanges:
        for group in interchange.groups:
            yield from group.sets
