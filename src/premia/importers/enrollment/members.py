"""The members of an import's accepted transaction sets, read from their loops when first needed.

The file is scanned first (``scan_834``): its envelope and set headers are checked, and each
member loop is kept as text. Without workers the scan reads each loop at once instead. The
import groups members into families from what the scan takes from each loop without checks
(``MemberHead``), and each member loop is then read in full by the process that applies or
prepares it. So a large file's member loops are read by
all the import's processes at once instead of by one before the others start.

The findings of each loop are kept, whichever process read it, so that the 999 and the
report list every finding of the file, as after reading it in one pass (``findings``).
"""

from __future__ import annotations

from typing import NamedTuple

from premia.formats.x12 import (
    Finding,
    Member834,
    MemberHead,
    MemberText,
    PendingSet,
    RejectedMember,
    Scanned834,
    SetMembers,
    merge_findings,
    read_set,
)
from premia.importers.enrollment.intake import TransactionInfo

Record = Member834 | RejectedMember


class LoopFindings(NamedTuple):
    """The outcome of a loop read in another process: whether the reader rejected it, and its findings."""

    rejected: bool
    findings: tuple[Finding, ...]


class ReaderFindings(NamedTuple):
    """Every finding of the reader in file order, and those of member loops and control totals alone."""

    all: tuple[Finding, ...]
    of_members: tuple[Finding, ...]


class _Set(NamedTuple):
    pending: PendingSet
    reader: SetMembers
    first: int
    end: int


class FileMembers:
    """The member loops of the accepted sets in file order, each with its set's header values.

    ``members[index]`` reads the loop (once, until ``release``) and returns the record, or
    the ``RejectedMember`` when the reader rejects it, with its ``TransactionInfo``.
    """

    def __init__(self, sets: list[tuple[PendingSet, TransactionInfo]]) -> None:
        self.loops: list[MemberText] = []
        self.infos: list[TransactionInfo] = []
        self.readers: list[SetMembers] = []
        self.sets: list[_Set] = []
        for pending, info in sets:
            reader = SetMembers(pending.context)
            first = len(self.loops)
            self.loops.extend(pending.loops)
            self.infos.extend([info] * len(pending.loops))
            self.readers.extend([reader] * len(pending.loops))
            self.sets.append(_Set(pending, reader, first, len(self.loops)))
        self.heads: list[MemberHead] = [loop.head for loop in self.loops]
        self.records: dict[int, Record] = {}
        self.read = bytearray(len(self.loops))
        self.found: dict[int, LoopFindings] = {}

    def __len__(self) -> int:
        return len(self.loops)

    def __getitem__(self, index: int) -> tuple[Record, TransactionInfo]:
        record = self.records.get(index)
        if record is None:
            record = self.records[index] = self._read(index)
        return record, self.infos[index]

    def _read(self, index: int) -> Record:
        record, findings = self.readers[index].read(self.loops[index])
        self.read[index] = 1
        if findings:
            self.found[index] = LoopFindings(isinstance(record, RejectedMember), findings)
        return record

    def release(self, first: int, end: int) -> None:
        """Drop the records of a finished chunk, keeping their findings."""
        records = self.records
        for index in range(first, end):
            records.pop(index, None)

    # Findings of loops read in other processes ---------------------------------------------

    def findings_between(self, first: int, end: int) -> dict[int, LoopFindings]:
        """Return the findings of the loops from ``first`` up to ``end``, for the process that keeps them."""
        return {index: found for index, found in self.found.items() if first <= index < end}

    def read_elsewhere(self, first: int, end: int, found: dict[int, LoopFindings]) -> None:
        """Record that another process read the loops from ``first`` up to ``end`` and what it found."""
        self.read[first:end] = b"\x01" * (end - first)
        self.found.update(found)

    def findings(self, scanned: Scanned834) -> ReaderFindings:
        """Return every finding of ``scanned`` in file order, reading here the loops no process read.

        Those are the loops of rejected sets and, when an import resumes, the loops before its
        last commit. A set's control totals are checked once all its loops are read.
        """
        later: list[Finding] = []
        accepted = {id(entry.pending): entry for entry in self.sets}
        for pending in scanned.sets:
            entry = accepted.get(id(pending))
            if entry is None:
                later.extend(read_set(pending)[1])
                continue
            for index in range(entry.first, entry.end):
                if not self.read[index]:
                    self._read(index)
            rejected = [index for index in range(entry.first, entry.end) if self._rejected(index)]
            for index in range(entry.first, entry.end):
                found = self.found.get(index)
                if found is not None:
                    later.extend(found.findings)
            members = entry.end - entry.first - len(rejected)
            subscribers = sum(head.is_subscriber for head in self.heads[entry.first : entry.end]) - sum(
                self.heads[index].is_subscriber for index in rejected
            )
            totals = pending.transaction.control_totals
            later.extend(entry.reader.control_totals(totals, members, subscribers, len(rejected)))
        return ReaderFindings(merge_findings([*scanned.findings, *later]), merge_findings(later))

    def _rejected(self, index: int) -> bool:
        found = self.found.get(index)
        return found is not None and found.rejected
