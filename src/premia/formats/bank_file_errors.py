"""Problems found in a bank file, and the error that rejects the whole file.

Problems are :class:`~premia.kernel.errors.ValidationError` records kept as data: a reader
collects every one it finds, then raises :class:`BankFileRejected` with all of them, or
returns the file with the problems that are only warnings. The NACHA, BAI2, camt and
lockbox readers share these. Each keeps its own problem codes, so the error's ``code`` names
the format.
"""

from __future__ import annotations

from dataclasses import dataclass

from premia.kernel.errors import ValidationError


@dataclass
class BankFileRejected(ValidationError):
    """A bank file failed validation; ``problems`` lists every fault found, in file order."""

    problems: tuple[ValidationError, ...] = ()


def problem(
    code: str,
    message: str,
    *,
    record: str | None = None,
    field: str | None = None,
    value: object = None,
    hint: str,
) -> ValidationError:
    """Build one problem, its message prefixed with the record, element or line it concerns."""
    text = f"{record[0].upper()}{record[1:]}: {message}" if record else message
    return ValidationError(code=code, message=text, record=record, field=field, value=value, hint=hint)


def reject(code: str, subject: str, problems: list[ValidationError], hint: str) -> BankFileRejected:
    """Build the whole-file error for ``problems``, quoting the first in its message."""
    others = f" ({len(problems) - 1} more problems listed)" if len(problems) > 1 else ""
    return BankFileRejected(
        code=code,
        message=f"{subject} rejected: {problems[0].message}{others}",
        hint=hint,
        problems=tuple(problems),
    )
