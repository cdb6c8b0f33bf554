"""BAI2 balance and transaction reports: a reader that checks structure, counts and control totals."""

from premia.formats.bai2.codes import (
    LOCKBOX_TYPE_CODES,
    AsOfDateModifier,
    FundsType,
    GroupStatus,
    RecordCode,
    TypeCodeCategory,
    classify_type_code,
)
from premia.formats.bai2.errors import Bai2FileRejected, Bai2Problem
from premia.formats.bai2.reader import read_bai2
from premia.formats.bai2.records import (
    AccountSummary,
    Bai2Account,
    Bai2File,
    Bai2Group,
    Bai2Transaction,
    FundsAvailability,
    LockboxDeposit,
    lockbox_deposits,
)

__all__ = [
    "LOCKBOX_TYPE_CODES",
    "AccountSummary",
    "AsOfDateModifier",
    "Bai2Account",
    "Bai2File",
    "Bai2FileRejected",
    "Bai2Group",
    "Bai2Problem",
    "Bai2Transaction",
    "FundsAvailability",
    "FundsType",
    "GroupStatus",
    "LockboxDeposit",
    "RecordCode",
    "TypeCodeCategory",
    "classify_type_code",
    "lockbox_deposits",
    "read_bai2",
]
