"""Lockbox batches as CSV, and the reference normalisation used to match them to invoices."""

from premia.formats.lockbox.errors import LockboxFileRejected, LockboxProblem
from premia.formats.lockbox.reader import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    LockboxBatch,
    LockboxPayment,
    read_lockbox_csv,
)
from premia.formats.lockbox.reference import normalize_reference, references_match

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "LockboxBatch",
    "LockboxFileRejected",
    "LockboxPayment",
    "LockboxProblem",
    "normalize_reference",
    "read_lockbox_csv",
    "references_match",
]
