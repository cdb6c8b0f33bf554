"""Problem codes of the camt reader, and the error that rejects a whole document.

Problems are :class:`~premia.kernel.errors.ValidationError` records kept as data: the reader
collects every one it finds, then raises :class:`CamtDocumentRejected` with all of them, or
returns the document with the problems that are only warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from premia.kernel.errors import ValidationError


class CamtProblem(StrEnum):
    NOT_WELL_FORMED = "camt.not_well_formed"
    TRUNCATED = "camt.truncated"
    DTD_NOT_ALLOWED = "camt.dtd_not_allowed"
    NOT_A_CAMT_DOCUMENT = "camt.not_a_camt_document"
    MISSING_ELEMENT = "camt.missing_element"
    INVALID_VALUE = "camt.invalid_value"
    # Consistency checks reported as warnings: a document may hold one page of a statement.
    BALANCE_MISMATCH = "camt.balance_mismatch"
    SUMMARY_MISMATCH = "camt.summary_mismatch"
    DETAILS_MISMATCH = "camt.details_mismatch"
    DOCUMENT_REJECTED = "camt.document_rejected"


@dataclass
class CamtDocumentRejected(ValidationError):
    """A camt document failed validation; ``problems`` lists every fault found, in document order."""

    problems: tuple[ValidationError, ...] = ()


def problem(
    code: CamtProblem,
    message: str,
    *,
    record: str | None = None,
    field: str | None = None,
    value: object = None,
    hint: str,
) -> ValidationError:
    """Build one problem; its message starts with the element it concerns, so it reads on its own."""
    text = f"{record[0].upper()}{record[1:]}: {message}" if record else message
    return ValidationError(code=code, message=text, record=record, field=field, value=value, hint=hint)


def reject(problems: list[ValidationError]) -> CamtDocumentRejected:
    others = f" ({len(problems) - 1} more problems listed)" if len(problems) > 1 else ""
    return CamtDocumentRejected(
        code=CamtProblem.DOCUMENT_REJECTED,
        message=f"camt document rejected: {problems[0].message}{others}",
        hint="Ask the bank to resend the document; nothing from it was applied.",
        problems=tuple(problems),
    )
