"""Counts, hashes and totals: compare what batch and file controls state with the entries present."""

from __future__ import annotations

from collections.abc import Iterable
from math import ceil

from premia.formats.nacha.codes import ServiceClass
from premia.formats.nacha.errors import NachaProblem, problem
from premia.formats.nacha.layout import BLOCKING_FACTOR
from premia.formats.nacha.records import Batch, Entry, FileShape, NachaFile
from premia.kernel.errors import ValidationError

HASH_MODULUS = 10**10


def entry_hash(entries: Iterable[Entry]) -> int:
    """Sum the eight-digit RDFI identifications and keep the last ten digits, as controls state it."""
    return sum(int(entry.rdfi_routing_number[:8]) for entry in entries) % HASH_MODULUS


def entry_addenda_count(entries: Iterable[Entry]) -> int:
    return sum(1 + entry.addenda_count for entry in entries)


def block_count(record_count: int) -> int:
    """Return the number of 10-record blocks needed for ``record_count`` records."""
    return ceil(record_count / BLOCKING_FACTOR)


def check_batch(batch: Batch, problems: list[ValidationError], warnings: list[ValidationError]) -> None:
    """Check a batch's entries against its header and control; add a problem per mismatch."""
    _check_service_class(batch, problems)
    _check_trace_numbers(batch, warnings)
    control = batch.control
    if control is None:
        return

    header = batch.header
    label = f"record {control.record_number} (batch control of batch {header.batch_number})"
    pairs = (
        ("service_class_code", header.service_class.value, control.service_class.value),
        ("company_identification", header.company_id, control.company_id),
        ("originating_dfi_identification", header.odfi_identification, control.odfi_identification),
        ("batch_number", header.batch_number, control.batch_number),
    )
    for field_name, in_header, in_control in pairs:
        if in_header != in_control:
            problems.append(
                problem(
                    code=NachaProblem.BATCH_CONTROL_MISMATCH,
                    message=(
                        f"{field_name} is {in_control!r} in the batch control but {in_header!r} in the "
                        "batch header."
                    ),
                    record=label,
                    field=field_name,
                    value=in_control,
                    hint="A batch control repeats these fields of its batch header.",
                )
            )

    _compare(
        problems,
        label,
        NachaProblem.ENTRY_COUNT_MISMATCH,
        "entry_addenda_count",
        control.entry_addenda_count,
        entry_addenda_count(batch.entries),
    )
    _compare(
        problems,
        label,
        NachaProblem.ENTRY_HASH_MISMATCH,
        "entry_hash",
        control.entry_hash,
        entry_hash(batch.entries),
    )
    _compare(
        problems,
        label,
        NachaProblem.DEBIT_TOTAL_MISMATCH,
        "total_debit_entry_dollar_amount",
        control.total_debit_cents,
        batch.total_debit_cents,
    )
    _compare(
        problems,
        label,
        NachaProblem.CREDIT_TOTAL_MISMATCH,
        "total_credit_entry_dollar_amount",
        control.total_credit_cents,
        batch.total_credit_cents,
    )


def check_file(
    nacha_file: NachaFile,
    records_through_control: int,
    padding_records: int,
    problems: list[ValidationError],
    warnings: list[ValidationError],
) -> None:
    """Check the file control against all batches and the file's blocking."""
    control = nacha_file.control
    if nacha_file.shape is FileShape.RETURN_EXTRACT or control is None:
        return

    entries = nacha_file.entries
    label = f"record {control.record_number} (file control)"
    _compare(
        problems,
        label,
        NachaProblem.BATCH_COUNT_MISMATCH,
        "batch_count",
        control.batch_count,
        len(nacha_file.batches),
    )
    _compare(
        problems,
        label,
        NachaProblem.ENTRY_COUNT_MISMATCH,
        "entry_addenda_count",
        control.entry_addenda_count,
        entry_addenda_count(entries),
    )
    _compare(
        problems,
        label,
        NachaProblem.ENTRY_HASH_MISMATCH,
        "entry_hash",
        control.entry_hash,
        entry_hash(entries),
    )
    _compare(
        problems,
        label,
        NachaProblem.DEBIT_TOTAL_MISMATCH,
        "total_debit_entry_dollar_amount",
        control.total_debit_cents,
        nacha_file.total_debit_cents,
    )
    _compare(
        problems,
        label,
        NachaProblem.CREDIT_TOTAL_MISMATCH,
        "total_credit_entry_dollar_amount",
        control.total_credit_cents,
        nacha_file.total_credit_cents,
    )
    _compare(
        problems,
        label,
        NachaProblem.BLOCK_COUNT_MISMATCH,
        "block_count",
        control.block_count,
        block_count(records_through_control),
    )

    needed_padding = -records_through_control % BLOCKING_FACTOR
    if padding_records != needed_padding:
        warnings.append(
            problem(
                code=NachaProblem.NOT_BLOCKED,
                message=(
                    f"The file has {records_through_control} records and {padding_records} padding records; "
                    f"a full block of 10 needs {needed_padding} padding records."
                ),
                record=label,
                hint="Most banks accept unblocked files; some require padding with records of 94 nines.",
            )
        )


def _check_service_class(batch: Batch, problems: list[ValidationError]) -> None:
    header = batch.header
    if header.service_class is ServiceClass.CREDITS_ONLY:
        wrong = [entry for entry in batch.entries if entry.is_debit]
        allowed = "credits"
    elif header.service_class is ServiceClass.DEBITS_ONLY:
        wrong = [entry for entry in batch.entries if entry.is_credit]
        allowed = "debits"
    else:
        return
    for entry in wrong:
        problems.append(
            problem(
                code=NachaProblem.SERVICE_CLASS_MISMATCH,
                message=(
                    f"batch {header.batch_number} has service class {header.service_class.value} "
                    f"({allowed} only), "
                    f"but the entry has transaction code {entry.transaction_code.value}."
                ),
                record=f"record {entry.record_number} (entry detail, trace {entry.trace_number})",
                field="transaction_code",
                value=entry.transaction_code.value,
                hint="Use service class 200 for a batch that mixes debits and credits.",
            )
        )


def _check_trace_numbers(batch: Batch, warnings: list[ValidationError]) -> None:
    odfi = batch.header.odfi_identification
    previous = ""
    for entry in batch.entries:
        label = f"record {entry.record_number} (entry detail, trace {entry.trace_number})"
        if not entry.trace_number.startswith(odfi):
            warnings.append(
                problem(
                    code=NachaProblem.TRACE_NUMBER,
                    message=(
                        f"trace number {entry.trace_number} does not start with the batch's ODFI "
                        f"identification {odfi}."
                    ),
                    record=label,
                    field="trace_number",
                    value=entry.trace_number,
                    hint=(
                        "Trace numbers are the ODFI's eight-digit routing prefix followed by a sequence "
                        "number."
                    ),
                )
            )
        if entry.trace_number <= previous:
            warnings.append(
                problem(
                    code=NachaProblem.TRACE_NUMBER,
                    message=(
                        f"trace number {entry.trace_number} is not greater than the previous entry's "
                        f"{previous}."
                    ),
                    record=label,
                    field="trace_number",
                    value=entry.trace_number,
                    hint="Trace numbers ascend within a batch.",
                )
            )
        previous = entry.trace_number


def _compare(
    problems: list[ValidationError],
    label: str,
    code: NachaProblem,
    field_name: str,
    stated: int,
    computed: int,
) -> None:
    if stated != computed:
        problems.append(
            problem(
                code=code,
                message=f"{field_name} states {stated}, but the records present give {computed}.",
                record=label,
                field=field_name,
                value=stated,
                hint="The control no longer matches the entries; the file was changed after it was built.",
            )
        )
