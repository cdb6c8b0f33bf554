"""ISO 20022 cash-management codes used by camt.052, camt.053 and camt.054."""

from __future__ import annotations

from enum import StrEnum


class CamtMessageKind(StrEnum):
    """The message, named by the root element under ``Document``."""

    ACCOUNT_REPORT = "camt.052"
    STATEMENT = "camt.053"
    DEBIT_CREDIT_NOTIFICATION = "camt.054"


# The element that contains the message, and the element of each account report inside it.
MESSAGE_ELEMENTS = {
    "BkToCstmrAcctRpt": (CamtMessageKind.ACCOUNT_REPORT, "Rpt"),
    "BkToCstmrStmt": (CamtMessageKind.STATEMENT, "Stmt"),
    "BkToCstmrDbtCdtNtfctn": (CamtMessageKind.DEBIT_CREDIT_NOTIFICATION, "Ntfctn"),
}


class CreditDebit(StrEnum):
    CREDIT = "CRDT"
    DEBIT = "DBIT"


class EntryStatus(StrEnum):
    BOOKED = "BOOK"
    PENDING = "PDNG"
    INFORMATION = "INFO"
    FUTURE = "FUTR"


class BalanceType(StrEnum):
    """ISO balance type codes; banks may send a proprietary type instead."""

    OPENING_BOOKED = "OPBD"
    CLOSING_BOOKED = "CLBD"
    OPENING_AVAILABLE = "OPAV"
    CLOSING_AVAILABLE = "CLAV"
    FORWARD_AVAILABLE = "FWAV"
    INTERIM_AVAILABLE = "ITAV"
    INTERIM_BOOKED = "ITBD"
    PREVIOUSLY_CLOSED_BOOKED = "PRCD"
    EXPECTED = "XPCD"
    INFORMATION = "INFO"
