"""Problem codes of the camt reader, and its whole-document error.

The problem records and the rejection error are the bank-file ones of
:mod:`premia.formats.bank_file_errors`; the reader collects every problem, then raises
:class:`CamtDocumentRejected` with all of them.
"""

from __future__ import annotations

from enum import StrEnum

from premia.formats.bank_file_errors import BankFileRejected, problem
from premia.formats.bank_file_errors import reject as bank_file_reject
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


# One error type serves every bank-file format; the code camt.document_rejected marks a camt rejection.
CamtDocumentRejected = BankFileRejected

__all__ = ["CamtDocumentRejected", "CamtProblem", "problem", "reject"]


def reject(problems: list[ValidationError]) -> CamtDocumentRejected:
    return bank_file_reject(
        CamtProblem.DOCUMENT_REJECTED,
        "camt document",
        problems,
        hint="Ask the bank to resend the document; nothing from it was applied.",
    )
