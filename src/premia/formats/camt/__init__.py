"""ISO 20022 camt.052, camt.053 and camt.054 bank-to-customer messages, read version-agnostically."""

from premia.formats.camt.codes import BalanceType, CamtMessageKind, CreditDebit, EntryStatus
from premia.formats.camt.errors import CamtDocumentRejected, CamtProblem
from premia.formats.camt.reader import read_camt
from premia.formats.camt.records import (
    AccountReport,
    ApplicationHeader,
    Balance,
    BankTransactionCode,
    CamtAccount,
    CamtDocument,
    CamtEntry,
    EntryBatch,
    ReturnInformation,
    TransactionDetails,
)

__all__ = [
    "AccountReport",
    "ApplicationHeader",
    "Balance",
    "BalanceType",
    "BankTransactionCode",
    "CamtAccount",
    "CamtDocument",
    "CamtDocumentRejected",
    "CamtEntry",
    "CamtMessageKind",
    "CamtProblem",
    "CreditDebit",
    "EntryBatch",
    "EntryStatus",
    "ReturnInformation",
    "TransactionDetails",
    "read_camt",
]
