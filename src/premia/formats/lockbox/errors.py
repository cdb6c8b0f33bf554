"""Problem codes of the lockbox CSV reader, and its whole-file error.

The problem records and the rejection error are the bank-file ones of
:mod:`premia.formats.bank_file_errors`; the reader collects every problem, then raises
:class:`LockboxFileRejected` with all of them.
"""

from __future__ import annotations

from enum import StrEnum

from premia.formats.bank_file_errors import BankFileRejected, problem
from premia.formats.bank_file_errors import reject as bank_file_reject
from premia.kernel.errors import ValidationError


class LockboxProblem(StrEnum):
    EMPTY_FILE = "lockbox.empty_file"
    NOT_UTF8 = "lockbox.not_utf8"
    UNREADABLE_CSV = "lockbox.unreadable_csv"
    MISSING_COLUMN = "lockbox.missing_column"
    DUPLICATE_COLUMN = "lockbox.duplicate_column"
    UNKNOWN_COLUMN = "lockbox.unknown_column"
    WRONG_FIELD_COUNT = "lockbox.wrong_field_count"
    INVALID_AMOUNT = "lockbox.invalid_amount"
    INVALID_DATE = "lockbox.invalid_date"
    FILE_REJECTED = "lockbox.file_rejected"


# One error type serves every bank-file format; the code lockbox.file_rejected marks a lockbox rejection.
LockboxFileRejected = BankFileRejected

__all__ = ["LockboxFileRejected", "LockboxProblem", "problem", "reject"]


def reject(problems: list[ValidationError]) -> LockboxFileRejected:
    return bank_file_reject(LockboxProblem.FILE_REJECTED, "Lockbox file", problems, hint=problems[0].hint)
