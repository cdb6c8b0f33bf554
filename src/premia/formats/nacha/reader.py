"""Read a NACHA ACH file into typed records, checking lengths, order, check digits, counts and totals.

:func:`read_nacha` returns a :class:`NachaFile` or raises :class:`NachaFileRejected` listing
every problem found. Two real-world oddities are read with a warning instead of rejected:

- Lines shorter than 94 characters that end in a non-blank character. A writer that strips
  trailing blanks leaves exactly that, so the line is padded back with blanks. A short line
  that still ends in a blank lost characters some other way, and is rejected.
- A return extract: batch headers, entries and return or NOC addenda with no control records
  at all (see :func:`_decide_shape`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from premia.formats.nacha.codes import RecordType
from premia.formats.nacha.controls import check_batch, check_file
from premia.formats.nacha.errors import NachaProblem, problem, reject
from premia.formats.nacha.layout import PADDING_RECORD, RECORD_LENGTH, EntryLayout
from premia.formats.nacha.record_parsers import (
    Addenda,
    RecordFields,
    parse_addenda,
    parse_batch_control,
    parse_batch_header,
    parse_entry,
    parse_file_control,
    parse_file_header,
)
from premia.formats.nacha.records import (
    Batch,
    BatchControl,
    BatchHeader,
    Entry,
    FileControl,
    FileHeader,
    FileShape,
    NachaFile,
    NotificationOfChange,
    PaymentAddenda,
    ReturnAddenda,
)
from premia.kernel.errors import ValidationError

REJECTION_HINT = "Ask the sender for a corrected file; nothing from this file was applied."

_RECORD_NAMES: dict[str, str] = {
    RecordType.FILE_HEADER: "file header",
    RecordType.BATCH_HEADER: "batch header",
    RecordType.ENTRY_DETAIL: "entry detail",
    RecordType.ADDENDA: "addenda",
    RecordType.BATCH_CONTROL: "batch control",
    RecordType.FILE_CONTROL: "file control",
}


def read_nacha(content: str | bytes) -> NachaFile:
    """Parse and validate a NACHA file.

    Raises :class:`~premia.formats.nacha.errors.NachaFileRejected` with every problem when the
    file is not sound. The returned file carries the warnings for oddities it tolerated.
    """
    problems: list[ValidationError] = []
    warnings: list[ValidationError] = []

    records = split_records(content, problems, warnings)
    if problems:
        raise reject(NachaProblem.FILE_REJECTED, "NACHA file", problems, REJECTION_HINT)
    if not records:
        problems.append(
            problem(NachaProblem.EMPTY_FILE, "The file contains no records.", hint=REJECTION_HINT)
        )
        raise reject(NachaProblem.FILE_REJECTED, "NACHA file", problems, REJECTION_HINT)

    shape = _decide_shape(records, problems, warnings)
    assembler = _Assembler(shape, problems, warnings)
    for record_number, record in records:
        assembler.add(record_number, record)
    nacha_file = assembler.finish()

    if not assembler.damaged:
        for batch in nacha_file.batches:
            check_batch(batch, problems, warnings)
        check_file(
            nacha_file, assembler.records_through_control, assembler.padding_records, problems, warnings
        )
    if problems:
        raise reject(NachaProblem.FILE_REJECTED, "NACHA file", problems, REJECTION_HINT)
    return replace(nacha_file, warnings=tuple(warnings))


# The UTF-8 byte order mark EF BB BF as it reads once decoded as Latin-1 (split_records).
UTF8_MARK_AS_LATIN1 = "\xef\xbb\xbf"


def split_records(
    content: str | bytes, problems: list[ValidationError], warnings: list[ValidationError]
) -> list[tuple[int, str]]:
    """Split the file into numbered 94-character records, checking characters and lengths."""
    text = content.decode("latin-1") if isinstance(content, bytes) else content
    # An editor that saves as UTF-8 may put a byte order mark first. It is no part of the
    # first record, so it is dropped with a warning instead of rejecting the file.
    for mark in (UTF8_MARK_AS_LATIN1, "\ufeff"):
        if text.startswith(mark):
            text = text.removeprefix(mark)
            warnings.append(
                problem(
                    code=NachaProblem.BYTE_ORDER_MARK,
                    message="The file starts with a UTF-8 byte order mark, which was ignored.",
                    hint="Save NACHA files as plain ASCII text.",
                )
            )
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()

    if len(lines) == 1 and len(lines[0]) > RECORD_LENGTH and len(lines[0]) % RECORD_LENGTH == 0:
        single = lines[0]
        lines = [single[start : start + RECORD_LENGTH] for start in range(0, len(single), RECORD_LENGTH)]
        warnings.append(
            problem(
                code=NachaProblem.NO_LINE_BREAKS,
                message=(
                    f"The file has no line breaks; it was split into {len(lines)} records of 94 characters."
                ),
                hint="Most banks expect one record per line.",
            )
        )

    records: list[tuple[int, str]] = []
    padded: list[int] = []
    for record_number, line in enumerate(lines, start=1):
        if not _has_valid_characters(record_number, line, problems):
            continue
        if not line:
            problems.append(
                problem(
                    code=NachaProblem.EMPTY_RECORD,
                    message="the line is empty.",
                    record=f"record {record_number}",
                    hint="Remove blank lines between records.",
                )
            )
            continue
        if len(line) > RECORD_LENGTH or (len(line) < RECORD_LENGTH and line.endswith(" ")):
            problems.append(_length_problem(record_number, line))
            continue
        if len(line) < RECORD_LENGTH:
            padded.append(record_number)
            line = line.ljust(RECORD_LENGTH)
        records.append((record_number, line))

    if padded:
        listed = ", ".join(str(number) for number in padded)
        warnings.append(
            problem(
                code=NachaProblem.RECORD_PADDED,
                message=f"Records {listed} were shorter than 94 characters and were padded with blanks.",
                field="record_length",
                hint="The sender strips trailing blanks; ask for full 94-character records.",
            )
        )
    return records


def _has_valid_characters(record_number: int, line: str, problems: list[ValidationError]) -> bool:
    if line.isascii() and line.isprintable():
        return True
    for position, character in enumerate(line, start=1):
        if not " " <= character <= "~":
            problems.append(
                problem(
                    code=NachaProblem.INVALID_CHARACTER,
                    message=(
                        f"the character {character!r} at position {position} is not allowed; NACHA "
                        "records are printable ASCII."
                    ),
                    record=f"record {record_number}",
                    value=repr(character),
                    hint="Save the file as plain ASCII text.",
                )
            )
            return False
    return True


def _length_problem(record_number: int, line: str) -> ValidationError:
    detail = "longer than" if len(line) > RECORD_LENGTH else "shorter than"
    reason = (
        ""
        if len(line) > RECORD_LENGTH
        else " It ends in a blank, so it was not merely stripped of trailing blanks."
    )
    return problem(
        code=NachaProblem.RECORD_LENGTH,
        message=f"the record is {len(line)} characters long, {detail} the 94 NACHA requires.{reason}",
        record=f"record {record_number}",
        field="record_length",
        value=len(line),
        hint="Every NACHA record is exactly 94 characters; the file was cut or edited.",
    )


def _decide_shape(
    records: list[tuple[int, str]], problems: list[ValidationError], warnings: list[ValidationError]
) -> FileShape:
    """Decide whether the file is a complete NACHA file or a return extract.

    A NACHA file carries every control record: file header, a batch control per batch and a
    file control. One shape without them is accepted: batch headers, entries and return (99)
    or NOC (98) addenda with no file header, no batch control and no file control at all.
    Some ACH gateways deliver returns this way. Such an extract states no count or total, so
    nothing in it can contradict itself, and each return names the trace of the entry it
    reverses. The reader also requires every entry in it to carry a return or NOC addenda.

    A file that has some control records but not others, such as batch controls without a
    file header and file control, is a NACHA file that lost records on the way, and it is
    rejected because nothing shows what else went missing.
    """
    types = [record[0] for _, record in records]
    has_file_control = any(
        record[0] == RecordType.FILE_CONTROL and record != PADDING_RECORD for _, record in records
    )
    has_controls = RecordType.FILE_HEADER in types or RecordType.BATCH_CONTROL in types or has_file_control

    if not has_controls and types[0] == RecordType.BATCH_HEADER:
        warnings.append(
            problem(
                code=NachaProblem.RETURN_EXTRACT,
                message=(
                    "The file has no file header, batch controls or file control; it was read as a "
                    "return extract."
                ),
                hint=(
                    "Counts and totals could not be checked. Reconcile the returns against the original "
                    "entries by trace number."
                ),
            )
        )
        return FileShape.RETURN_EXTRACT

    if types[0] != RecordType.FILE_HEADER:
        first_name = _RECORD_NAMES.get(types[0], "record of unknown type")
        problems.append(
            problem(
                code=NachaProblem.FILE_HEADER_MISSING,
                message=(
                    "the file does not start with a file header (record type 1); this first record is "
                    f"a {first_name}."
                ),
                record=f"record {records[0][0]}",
                hint=(
                    "A file may omit control records only when it omits all of them and holds only returns "
                    "or NOCs; this one has control records, so records are missing."
                ),
            )
        )
    return FileShape.COMPLETE


@dataclass
class _OpenEntry:
    entry: Entry | None
    payment_addenda: list[PaymentAddenda] = field(default_factory=list)
    returns: list[ReturnAddenda] = field(default_factory=list)
    changes: list[NotificationOfChange] = field(default_factory=list)


@dataclass
class _OpenBatch:
    header: BatchHeader | None
    entries: list[_OpenEntry] = field(default_factory=list)


class _Assembler:
    """Builds batches from records in file order, reporting records out of place."""

    def __init__(
        self, shape: FileShape, problems: list[ValidationError], warnings: list[ValidationError]
    ) -> None:
        self.shape = shape
        self.problems = problems
        self.warnings = warnings
        self.header: FileHeader | None = None
        self.control: FileControl | None = None
        self.batches: list[Batch] = []
        self.open_batch: _OpenBatch | None = None
        self.seen_file_header = False
        self.seen_file_control = False
        self.records_through_control = 0
        self.padding_records = 0
        # A record that failed to parse makes the counts and totals meaningless, so they are not checked.
        self.damaged = False

    def add(self, record_number: int, record: str) -> None:
        if self.seen_file_control:
            self._after_file_control(record_number, record)
            return
        self.records_through_control += 1
        record_type = record[0]
        if record_type == RecordType.FILE_HEADER:
            self._file_header(record_number, record)
        elif record_type == RecordType.BATCH_HEADER:
            self._batch_header(record_number, record)
        elif record_type == RecordType.ENTRY_DETAIL:
            self._entry(record_number, record)
        elif record_type == RecordType.ADDENDA:
            self._addenda(record_number, record)
        elif record_type == RecordType.BATCH_CONTROL:
            self._batch_control(record_number, record)
        elif record_type == RecordType.FILE_CONTROL and record != PADDING_RECORD:
            self._file_control(record_number, record)
        elif record == PADDING_RECORD:
            self._out_of_order(record_number, "padding record", "before the file control")
        else:
            self.damaged = True
            self.problems.append(
                problem(
                    code=NachaProblem.UNKNOWN_RECORD_TYPE,
                    message=(
                        f"record type {record_type!r} is unknown; NACHA record types are 1, 5, 6, 7, 8 and 9."
                    ),
                    record=f"record {record_number}",
                    field="record_type_code",
                    value=record_type,
                    hint="The file is damaged or is not an ACH file.",
                )
            )

    def finish(self) -> NachaFile:
        if self.open_batch is not None:
            if self.shape is FileShape.COMPLETE:
                self._missing_batch_control(self.open_batch, "at the end of the file")
            self._close_batch(None)
        if self.shape is FileShape.COMPLETE and not self.seen_file_control:
            self.damaged = True
            self.problems.append(
                problem(
                    code=NachaProblem.FILE_CONTROL_MISSING,
                    message="The file has no file control record (record type 9).",
                    hint="The file was cut short or edited; ask for the whole file.",
                )
            )
        return NachaFile(
            shape=self.shape, header=self.header, batches=tuple(self.batches), control=self.control
        )

    def _fields(self, record_number: int, record: str, label: str | None = None) -> RecordFields:
        name = _RECORD_NAMES[RecordType(record[0])]
        return RecordFields(record, record_number, label or f"record {record_number} ({name})", self.problems)

    def _file_header(self, record_number: int, record: str) -> None:
        if self.seen_file_header or record_number != 1:
            self._out_of_order(record_number, "file header", "after other records")
            return
        self.seen_file_header = True
        self.header = parse_file_header(self._fields(record_number, record))
        self.damaged |= self.header is None

    def _batch_header(self, record_number: int, record: str) -> None:
        if self.open_batch is not None:
            if self.shape is FileShape.COMPLETE:
                self._missing_batch_control(
                    self.open_batch, f"before the batch header in record {record_number}"
                )
            self._close_batch(None)
        header = parse_batch_header(self._fields(record_number, record))
        self.damaged |= header is None
        self.open_batch = _OpenBatch(header)

    def _entry(self, record_number: int, record: str) -> None:
        if self.open_batch is None:
            self._out_of_order(record_number, "entry detail", "outside a batch")
            return
        trace = EntryLayout.TRACE_NUMBER.cut(record).strip()
        fields = self._fields(record_number, record, f"record {record_number} (entry detail, trace {trace})")
        entry = parse_entry(fields, self.open_batch.header) if self.open_batch.header else None
        self.damaged |= entry is None
        self.open_batch.entries.append(_OpenEntry(entry))

    def _addenda(self, record_number: int, record: str) -> None:
        if self.open_batch is None or not self.open_batch.entries:
            self._out_of_order(record_number, "addenda", "without an entry detail before it")
            return
        addenda = parse_addenda(self._fields(record_number, record))
        self.damaged |= addenda is None
        _attach(self.open_batch.entries[-1], addenda)

    def _batch_control(self, record_number: int, record: str) -> None:
        if self.open_batch is None:
            self._out_of_order(record_number, "batch control", "without a batch header before it")
            return
        control = parse_batch_control(self._fields(record_number, record))
        self.damaged |= control is None
        self._close_batch(control)

    def _file_control(self, record_number: int, record: str) -> None:
        if self.open_batch is not None:
            self._missing_batch_control(self.open_batch, f"before the file control in record {record_number}")
            self._close_batch(None)
        self.seen_file_control = True
        self.control = parse_file_control(self._fields(record_number, record))
        self.damaged |= self.control is None

    def _after_file_control(self, record_number: int, record: str) -> None:
        if record == PADDING_RECORD:
            self.padding_records += 1
        else:
            self._out_of_order(record_number, f"record of type {record[0]!r}", "after the file control")

    def _close_batch(self, control: BatchControl | None) -> None:
        batch = self.open_batch
        self.open_batch = None
        if batch is None or batch.header is None:
            return
        entries = tuple(
            self._finish_entry(open_entry) for open_entry in batch.entries if open_entry.entry is not None
        )
        self.batches.append(Batch(header=batch.header, entries=entries, control=control))

    def _finish_entry(self, open_entry: _OpenEntry) -> Entry:
        entry = open_entry.entry
        assert entry is not None
        label = f"record {entry.record_number} (entry detail, trace {entry.trace_number})"
        addenda_count = len(open_entry.payment_addenda) + len(open_entry.returns) + len(open_entry.changes)

        if entry.has_addenda != (addenda_count > 0):
            self.problems.append(
                problem(
                    code=NachaProblem.ADDENDA_INDICATOR_MISMATCH,
                    message=(
                        f"the entry's addenda record indicator is {int(entry.has_addenda)}, "
                        f"but {addenda_count} addenda records follow it."
                    ),
                    record=label,
                    field=EntryLayout.ADDENDA_INDICATOR.name,
                    value=int(entry.has_addenda),
                    hint="Set the indicator to 1 exactly when addenda records follow the entry.",
                )
            )
        if open_entry.payment_addenda:
            self._check_payment_addenda_sequence(entry, open_entry.payment_addenda, label)
        if len(open_entry.changes) > 1:
            self.problems.append(
                problem(
                    code=NachaProblem.ADDENDA_SEQUENCE,
                    message=(
                        f"the entry carries {len(open_entry.changes)} NOC addenda; an entry carries at "
                        "most one."
                    ),
                    record=label,
                    hint="Send each notification of change as its own entry.",
                )
            )
        if len(open_entry.returns) > 1:
            kinds = ", ".join(
                f"{addenda.reason_code.value} ({addenda.kind.value})" for addenda in open_entry.returns
            )
            self.warnings.append(
                problem(
                    code=NachaProblem.MULTIPLE_RETURN_ADDENDA,
                    message=(
                        f"the entry carries {len(open_entry.returns)} return addenda: {kinds}. NACHA "
                        "allows one per entry."
                    ),
                    record=label,
                    hint="All were kept in order; the first is the original return.",
                )
            )
        if self.shape is FileShape.RETURN_EXTRACT and not open_entry.returns and not open_entry.changes:
            self.problems.append(
                problem(
                    code=NachaProblem.FILE_HEADER_MISSING,
                    message=(
                        "the file has no control records, but this entry is neither a return nor a "
                        "notification of change."
                    ),
                    record=label,
                    hint=(
                        "Only a file of returns or NOCs may omit its control records; originated entries "
                        "need a complete file."
                    ),
                )
            )
        if addenda_count == 0:
            return entry
        return replace(
            entry,
            payment_addenda=tuple(open_entry.payment_addenda),
            returns=tuple(open_entry.returns),
            change=open_entry.changes[0] if open_entry.changes else None,
        )

    def _check_payment_addenda_sequence(
        self, entry: Entry, addenda: list[PaymentAddenda], label: str
    ) -> None:
        entry_sequence = entry.trace_number[-7:]
        for expected, payment in enumerate(addenda, start=1):
            if payment.sequence_number != expected or payment.entry_sequence_number != entry_sequence:
                self.problems.append(
                    problem(
                        code=NachaProblem.ADDENDA_SEQUENCE,
                        message=(
                            f"addenda record {payment.record_number} has sequence "
                            f"{payment.sequence_number} and entry sequence "
                            f"{payment.entry_sequence_number}; expected {expected} and {entry_sequence}."
                        ),
                        record=label,
                        field="addenda_sequence_number",
                        hint=(
                            "Number addenda from 1 and repeat the last seven digits of the entry's trace "
                            "number."
                        ),
                    )
                )

    def _missing_batch_control(self, batch: _OpenBatch, where: str) -> None:
        self.damaged = True
        number = batch.header.batch_number if batch.header else "?"
        record = f"record {batch.header.record_number} (batch header)" if batch.header else None
        self.problems.append(
            problem(
                code=NachaProblem.BATCH_CONTROL_MISSING,
                message=f"batch {number} has no batch control record {where}.",
                record=record,
                hint="Each batch ends with a batch control (record type 8).",
            )
        )

    def _out_of_order(self, record_number: int, what: str, where: str) -> None:
        self.damaged = True
        self.problems.append(
            problem(
                code=NachaProblem.RECORD_OUT_OF_ORDER,
                message=f"a {what} is out of place {where}.",
                record=f"record {record_number}",
                hint=(
                    "Records run: file header, then per batch a batch header, entries with their addenda "
                    "and a batch control, then the file control."
                ),
            )
        )


def _attach(open_entry: _OpenEntry, addenda: Addenda | None) -> None:
    if isinstance(addenda, PaymentAddenda):
        open_entry.payment_addenda.append(addenda)
    elif isinstance(addenda, ReturnAddenda):
        open_entry.returns.append(addenda)
    elif isinstance(addenda, NotificationOfChange):
        open_entry.changes.append(addenda)
