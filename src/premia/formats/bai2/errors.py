"""Problem codes of the BAI2 reader, and the error that rejects a whole file.

Problems are :class:`~premia.kernel.errors.ValidationError` records kept as data: the reader
collects every one it finds, then raises :class:`Bai2FileRejected` with all of them, or
returns the file with the problems that are only warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from premia.kernel.errors import ValidationError


class Bai2Problem(StrEnum):
    EMPTY_FILE = "bai2.empty_file"
    NOT_UTF8 = "bai2.not_utf8"
    UNKNOWN_RECORD_CODE = "bai2.unknown_record_code"
    RECORD_OUT_OF_ORDER = "bai2.record_out_of_order"
    TRAILER_MISSING = "bai2.trailer_missing"
    UNSUPPORTED_VERSION = "bai2.unsupported_version"
    INVALID_FIELD = "bai2.invalid_field"
    RECORD_COUNT_MISMATCH = "bai2.record_count_mismatch"
    CONTROL_TOTAL_MISMATCH = "bai2.control_total_mismatch"
    ACCOUNT_COUNT_MISMATCH = "bai2.account_count_mismatch"
    GROUP_COUNT_MISMATCH = "bai2.group_count_mismatch"
    # Tolerated layouts, reported as warnings.
    CONTROL_TOTAL_BLANK = "bai2.control_total_blank"
    TIME_WITH_SECONDS = "bai2.time_with_seconds"
    TERMINATOR_MISSING = "bai2.terminator_missing"
    SEVERAL_RECORDS_PER_LINE = "bai2.several_records_per_line"
    RECORD_BROKEN_OVER_LINES = "bai2.record_broken_over_lines"
    FILE_REJECTED = "bai2.file_rejected"


@dataclass
class Bai2FileRejected(ValidationError):
    """A BAI2 file failed validation; ``problems`` lists every fault found, in file order."""

    problems: tuple[ValidationError, ...] = ()


def problem(
    code: Bai2Problem,
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


def reject(problems: list[ValidationError]) -> Bai2FileRejected:
    others = f" ({len(problems) - 1} more problems listed)" if len(problems) > 1 else ""
    return Bai2FileRejected(
        code=Bai2Problem.FILE_REJECTED,
        message=f"BAI2 file rejected: {problems[0].message}{others}",
        hint="Ask the bank to resend the report; nothing from this file was applied.",
        problems=tuple(problems),
    )
