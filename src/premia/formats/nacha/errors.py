"""Problem codes of the NACHA reader and writer, and the error that rejects a whole file.

Problems are :class:`~premia.kernel.errors.ValidationError` records kept as data: the reader
collects every one it finds, then raises :class:`NachaFileRejected` with all of them, or
returns the file with the problems that are only warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from premia.kernel.errors import ValidationError


class NachaProblem(StrEnum):
    # Characters and record lengths.
    EMPTY_FILE = "nacha.empty_file"
    INVALID_CHARACTER = "nacha.invalid_character"
    EMPTY_RECORD = "nacha.empty_record"
    RECORD_LENGTH = "nacha.record_length"
    RECORD_PADDED = "nacha.record_padded"
    NO_LINE_BREAKS = "nacha.no_line_breaks"
    # Record order and file structure.
    UNKNOWN_RECORD_TYPE = "nacha.unknown_record_type"
    RECORD_OUT_OF_ORDER = "nacha.record_out_of_order"
    FILE_HEADER_MISSING = "nacha.file_header_missing"
    FILE_CONTROL_MISSING = "nacha.file_control_missing"
    BATCH_CONTROL_MISSING = "nacha.batch_control_missing"
    RETURN_EXTRACT = "nacha.return_extract"
    FILE_HEADER_FORMAT = "nacha.file_header_format"
    NOT_BLOCKED = "nacha.not_blocked"
    # Fields.
    INVALID_FIELD = "nacha.invalid_field"
    UNSUPPORTED_SEC_CODE = "nacha.unsupported_sec_code"
    ROUTING_CHECK_DIGIT = "nacha.routing_check_digit"
    AMOUNT_NOT_ZERO = "nacha.amount_not_zero"
    ADDENDA_INDICATOR_MISMATCH = "nacha.addenda_indicator_mismatch"
    ADDENDA_SEQUENCE = "nacha.addenda_sequence"
    MULTIPLE_RETURN_ADDENDA = "nacha.multiple_return_addenda"
    TRACE_NUMBER = "nacha.trace_number"
    # Controls: counts, hashes and totals a file states about itself.
    SERVICE_CLASS_MISMATCH = "nacha.service_class_mismatch"
    BATCH_CONTROL_MISMATCH = "nacha.batch_control_mismatch"
    ENTRY_COUNT_MISMATCH = "nacha.entry_addenda_count_mismatch"
    ENTRY_HASH_MISMATCH = "nacha.entry_hash_mismatch"
    DEBIT_TOTAL_MISMATCH = "nacha.debit_total_mismatch"
    CREDIT_TOTAL_MISMATCH = "nacha.credit_total_mismatch"
    BATCH_COUNT_MISMATCH = "nacha.batch_count_mismatch"
    BLOCK_COUNT_MISMATCH = "nacha.block_count_mismatch"
    # Whole-file outcomes.
    FILE_REJECTED = "nacha.file_rejected"
    BUILD_REJECTED = "nacha.build_rejected"


@dataclass
class NachaFileRejected(ValidationError):
    """A NACHA file, or a request to build one, failed validation.

    ``problems`` contains every fault found, in file order, each naming its record and field.
    """

    problems: tuple[ValidationError, ...] = ()


def problem(
    code: NachaProblem,
    message: str,
    *,
    record: str | None = None,
    field: str | None = None,
    value: object = None,
    hint: str,
) -> ValidationError:
    """Build one problem; its message starts with the record it concerns, so it reads on its own."""
    text = f"{record[0].upper()}{record[1:]}: {message}" if record else message
    return ValidationError(code=code, message=text, record=record, field=field, value=value, hint=hint)


def reject(code: NachaProblem, subject: str, problems: list[ValidationError], hint: str) -> NachaFileRejected:
    """Build the whole-file error for ``problems``, quoting the first in its message."""
    others = f" ({len(problems) - 1} more problems listed)" if len(problems) > 1 else ""
    return NachaFileRejected(
        code=code,
        message=f"{subject} rejected: {problems[0].message}{others}",
        hint=hint,
        problems=tuple(problems),
    )
