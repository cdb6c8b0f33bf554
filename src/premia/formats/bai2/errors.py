"""Problem codes of the BAI2 reader, and its whole-file error.

The problem records and the rejection error are the bank-file ones of
:mod:`premia.formats.bank_file_errors`; the reader collects every problem, then raises
:class:`Bai2FileRejected` with all of them.
"""

from __future__ import annotations

from enum import StrEnum

from premia.formats.bank_file_errors import BankFileRejected, problem
from premia.formats.bank_file_errors import reject as bank_file_reject
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


# One error type serves every bank-file format; the code bai2.file_rejected marks a BAI2 rejection.
Bai2FileRejected = BankFileRejected

__all__ = ["Bai2FileRejected", "Bai2Problem", "problem", "reject"]


def reject(problems: list[ValidationError]) -> Bai2FileRejected:
    return bank_file_reject(
        Bai2Problem.FILE_REJECTED,
        "BAI2 file",
        problems,
        hint="Ask the bank to resend the report; nothing from this file was applied.",
    )
