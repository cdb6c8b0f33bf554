"""NACHA ACH files: a reader that validates structure and controls, and a writer for PPD entries."""

from premia.formats.nacha.codes import (
    ChangeCode,
    ReturnKind,
    ReturnReasonCode,
    ServiceClass,
    StandardEntryClass,
    TransactionCode,
)
from premia.formats.nacha.errors import NachaFileRejected, NachaProblem
from premia.formats.nacha.reader import read_nacha
from premia.formats.nacha.records import (
    Batch,
    BatchControl,
    BatchHeader,
    Entry,
    FileControl,
    FileHeader,
    FileShape,
    NachaFile,
    NotificationOfChange,
    PaymentAddenda,
    ReturnAddenda,
)
from premia.formats.nacha.routing import is_valid_routing_number, routing_check_digit

__all__ = [
    "Batch",
    "BatchControl",
    "BatchHeader",
    "ChangeCode",
    "Entry",
    "FileControl",
    "FileHeader",
    "FileShape",
    "NachaFile",
    "NachaFileRejected",
    "NachaProblem",
    "NotificationOfChange",
    "PaymentAddenda",
    "ReturnAddenda",
    "ReturnKind",
    "ReturnReasonCode",
    "ServiceClass",
    "StandardEntryClass",
    "TransactionCode",
    "is_valid_routing_number",
    "read_nacha",
    "routing_check_digit",
]
