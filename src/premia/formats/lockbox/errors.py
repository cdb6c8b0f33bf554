"""Problem codes of the lockbox CSV reader, and the error that rejects a whole file."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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


@dataclass
class LockboxFileRejected(ValidationError):
    """The lockbox file as a whole cannot be read; ``problems`` lists why."""

    problems: tuple[ValidationError, ...] = ()


def problem(
    code: LockboxProblem,
    message: str,
    *,
    record: str | None = None,
    field: str | None = None,
    value: object = None,
    hint: str,
) -> ValidationError:
    """Build one problem; its message starts with the line it concerns, so it reads on its own."""
    text = f"{record[0].upper()}{record[1:]}: {message}" if record else message
    return ValidationError(code=code, message=text, record=record, field=field, value=value, hint=hint)


def reject(problems: list[ValidationError]) -> LockboxFileRejected:
    others = f" ({len(problems) - 1} more problems listed)" if len(problems) > 1 else ""
    return LockboxFileRejected(
        code=LockboxProblem.FILE_REJECTED,
        message=f"Lockbox file rejected: {problems[0].message}{others}",
        hint=problems[0].hint,
        problems=tuple(problems),
    )
