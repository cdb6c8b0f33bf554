"""NACHA code lists: record types, transaction codes, service classes, SEC codes, return and change codes."""

from __future__ import annotations

from enum import StrEnum


class RecordType(StrEnum):
    FILE_HEADER = "1"
    BATCH_HEADER = "5"
    ENTRY_DETAIL = "6"
    ADDENDA = "7"
    BATCH_CONTROL = "8"
    FILE_CONTROL = "9"


class AddendaType(StrEnum):
    PAYMENT_RELATED = "05"
    NOTIFICATION_OF_CHANGE = "98"
    RETURN = "99"


class ServiceClass(StrEnum):
    MIXED = "200"
    CREDITS_ONLY = "220"
    DEBITS_ONLY = "225"
    AUTOMATED_ACCOUNTING_ADVICES = "280"


class StandardEntryClass(StrEnum):
    """The SEC code of a batch: how the receiver authorised the entries and what layout they use."""

    ACK = "ACK"
    ADV = "ADV"
    ARC = "ARC"
    ATX = "ATX"
    BOC = "BOC"
    CCD = "CCD"
    CIE = "CIE"
    COR = "COR"
    CTX = "CTX"
    DNE = "DNE"
    ENR = "ENR"
    IAT = "IAT"
    MTE = "MTE"
    POP = "POP"
    POS = "POS"
    PPD = "PPD"
    RCK = "RCK"
    SHR = "SHR"
    TEL = "TEL"
    TRC = "TRC"
    TRX = "TRX"
    WEB = "WEB"
    XCK = "XCK"


class AccountType(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"
    GENERAL_LEDGER = "general_ledger"
    LOAN = "loan"


class EntryPurpose(StrEnum):
    """The purpose of a transaction code beyond the direction of the money."""

    LIVE = "live"
    PRENOTE = "prenote"
    ZERO_DOLLAR = "zero_dollar"
    RETURN_OR_NOC = "return_or_noc"


class TransactionCode(StrEnum):
    """Entry transaction codes: the first digit names the account type, the second the direction and purpose.

    Second digits 1 to 4 credit the receiver's account and 5 to 9 debit it. Digits 1 and 6 are
    returns and notifications of change, 2 and 7 live entries, 3 and 8 prenotes, and 4 and 9
    zero-dollar entries that carry remittance data.
    """

    CHECKING_CREDIT_RETURN = "21"
    CHECKING_CREDIT = "22"
    CHECKING_CREDIT_PRENOTE = "23"
    CHECKING_CREDIT_ZERO_DOLLAR = "24"
    CHECKING_DEBIT_RETURN = "26"
    CHECKING_DEBIT = "27"
    CHECKING_DEBIT_PRENOTE = "28"
    CHECKING_DEBIT_ZERO_DOLLAR = "29"
    SAVINGS_CREDIT_RETURN = "31"
    SAVINGS_CREDIT = "32"
    SAVINGS_CREDIT_PRENOTE = "33"
    SAVINGS_CREDIT_ZERO_DOLLAR = "34"
    SAVINGS_DEBIT_RETURN = "36"
    SAVINGS_DEBIT = "37"
    SAVINGS_DEBIT_PRENOTE = "38"
    SAVINGS_DEBIT_ZERO_DOLLAR = "39"
    LEDGER_CREDIT_RETURN = "41"
    LEDGER_CREDIT = "42"
    LEDGER_CREDIT_PRENOTE = "43"
    LEDGER_CREDIT_ZERO_DOLLAR = "44"
    LEDGER_DEBIT_RETURN = "46"
    LEDGER_DEBIT = "47"
    LEDGER_DEBIT_PRENOTE = "48"
    LEDGER_DEBIT_ZERO_DOLLAR = "49"
    LOAN_CREDIT_RETURN = "51"
    LOAN_CREDIT = "52"
    LOAN_CREDIT_PRENOTE = "53"
    LOAN_CREDIT_ZERO_DOLLAR = "54"
    LOAN_DEBIT_REVERSAL = "55"
    LOAN_DEBIT_RETURN = "56"

    @property
    def is_debit(self) -> bool:
        return self in _DEBIT_CODES

    @property
    def is_credit(self) -> bool:
        return self not in _DEBIT_CODES

    @property
    def account_type(self) -> AccountType:
        return _ACCOUNT_TYPES[self.value[0]]

    @property
    def purpose(self) -> EntryPurpose:
        if self is TransactionCode.LOAN_DEBIT_REVERSAL:
            return EntryPurpose.LIVE
        return _PURPOSES[self.value[1]]

    @property
    def requires_zero_amount(self) -> bool:
        return self.purpose in (EntryPurpose.PRENOTE, EntryPurpose.ZERO_DOLLAR)


_DEBIT_CODES = frozenset(code for code in TransactionCode if code.value[1] in "56789")

_ACCOUNT_TYPES = {
    "2": AccountType.CHECKING,
    "3": AccountType.SAVINGS,
    "4": AccountType.GENERAL_LEDGER,
    "5": AccountType.LOAN,
}

_PURPOSES = {
    "1": EntryPurpose.RETURN_OR_NOC,
    "2": EntryPurpose.LIVE,
    "3": EntryPurpose.PRENOTE,
    "4": EntryPurpose.ZERO_DOLLAR,
    "6": EntryPurpose.RETURN_OR_NOC,
    "7": EntryPurpose.LIVE,
    "8": EntryPurpose.PRENOTE,
    "9": EntryPurpose.ZERO_DOLLAR,
}


class ReturnKind(StrEnum):
    """The addenda-99 layout of a return."""

    RETURN = "return"
    DISHONORED = "dishonored"
    CONTESTED_DISHONORED = "contested_dishonored"


class ReturnReasonCode(StrEnum):
    """NACHA return reason codes, with the RDFI's short reason in ``RETURN_REASONS``."""

    R01 = "R01"
    R02 = "R02"
    R03 = "R03"
    R04 = "R04"
    R05 = "R05"
    R06 = "R06"
    R07 = "R07"
    R08 = "R08"
    R09 = "R09"
    R10 = "R10"
    R11 = "R11"
    R12 = "R12"
    R13 = "R13"
    R14 = "R14"
    R15 = "R15"
    R16 = "R16"
    R17 = "R17"
    R18 = "R18"
    R19 = "R19"
    R20 = "R20"
    R21 = "R21"
    R22 = "R22"
    R23 = "R23"
    R24 = "R24"
    R25 = "R25"
    R26 = "R26"
    R27 = "R27"
    R28 = "R28"
    R29 = "R29"
    R30 = "R30"
    R31 = "R31"
    R32 = "R32"
    R33 = "R33"
    R34 = "R34"
    R35 = "R35"
    R36 = "R36"
    R37 = "R37"
    R38 = "R38"
    R39 = "R39"
    R40 = "R40"
    R41 = "R41"
    R42 = "R42"
    R43 = "R43"
    R44 = "R44"
    R45 = "R45"
    R46 = "R46"
    R47 = "R47"
    R50 = "R50"
    R51 = "R51"
    R52 = "R52"
    R53 = "R53"
    R61 = "R61"
    R62 = "R62"
    R67 = "R67"
    R68 = "R68"
    R69 = "R69"
    R70 = "R70"
    R71 = "R71"
    R72 = "R72"
    R73 = "R73"
    R74 = "R74"
    R75 = "R75"
    R76 = "R76"
    R77 = "R77"
    R80 = "R80"
    R81 = "R81"
    R82 = "R82"
    R83 = "R83"
    R84 = "R84"
    R85 = "R85"

    @property
    def kind(self) -> ReturnKind:
        if self in _DISHONORED_CODES:
            return ReturnKind.DISHONORED
        if self in _CONTESTED_CODES:
            return ReturnKind.CONTESTED_DISHONORED
        return ReturnKind.RETURN

    @property
    def reason(self) -> str:
        return RETURN_REASONS[self]


# The ODFI dishonors a return with R61-R70; the RDFI contests that dishonor with R71-R77.
_DISHONORED_CODES = frozenset(
    {
        ReturnReasonCode.R61,
        ReturnReasonCode.R62,
        ReturnReasonCode.R67,
        ReturnReasonCode.R68,
        ReturnReasonCode.R69,
        ReturnReasonCode.R70,
    }
)
_CONTESTED_CODES = frozenset(
    {
        ReturnReasonCode.R71,
        ReturnReasonCode.R72,
        ReturnReasonCode.R73,
        ReturnReasonCode.R74,
        ReturnReasonCode.R75,
        ReturnReasonCode.R76,
        ReturnReasonCode.R77,
    }
)

RETURN_REASONS: dict[ReturnReasonCode, str] = {
    ReturnReasonCode.R01: "insufficient funds",
    ReturnReasonCode.R02: "account closed",
    ReturnReasonCode.R03: "no account or unable to locate account",
    ReturnReasonCode.R04: "invalid account number structure",
    ReturnReasonCode.R05: "unauthorized debit to a consumer account using a corporate SEC code",
    ReturnReasonCode.R06: "returned at the ODFI's request",
    ReturnReasonCode.R07: "authorization revoked by the customer",
    ReturnReasonCode.R08: "payment stopped",
    ReturnReasonCode.R09: "uncollected funds",
    ReturnReasonCode.R10: "customer says the originator is unknown or not authorized",
    ReturnReasonCode.R11: "customer says the entry does not follow the authorization",
    ReturnReasonCode.R12: "account sold to another financial institution",
    ReturnReasonCode.R13: "invalid ACH routing number",
    ReturnReasonCode.R14: "representative payee deceased",
    ReturnReasonCode.R15: "beneficiary or account holder deceased",
    ReturnReasonCode.R16: "account frozen or entry returned under OFAC instruction",
    ReturnReasonCode.R17: "file record edit criteria or questionable account number",
    ReturnReasonCode.R18: "improper effective entry date",
    ReturnReasonCode.R19: "amount field error",
    ReturnReasonCode.R20: "non-transaction account",
    ReturnReasonCode.R21: "invalid company identification",
    ReturnReasonCode.R22: "invalid individual ID number",
    ReturnReasonCode.R23: "credit entry refused by the receiver",
    ReturnReasonCode.R24: "duplicate entry",
    ReturnReasonCode.R25: "addenda error",
    ReturnReasonCode.R26: "mandatory field error",
    ReturnReasonCode.R27: "trace number error",
    ReturnReasonCode.R28: "routing number check digit error",
    ReturnReasonCode.R29: "corporate customer says the entry is not authorized",
    ReturnReasonCode.R30: "RDFI does not take part in check truncation",
    ReturnReasonCode.R31: "permissible return entry (CCD and CTX only)",
    ReturnReasonCode.R32: "RDFI cannot settle",
    ReturnReasonCode.R33: "return of an XCK entry",
    ReturnReasonCode.R34: "limited participation DFI",
    ReturnReasonCode.R35: "return of an improper debit entry",
    ReturnReasonCode.R36: "return of an improper credit entry",
    ReturnReasonCode.R37: "source document presented for payment",
    ReturnReasonCode.R38: "stop payment on the source document",
    ReturnReasonCode.R39: "improper source document",
    ReturnReasonCode.R40: "return of an ENR entry by a federal agency",
    ReturnReasonCode.R41: "invalid transaction code (ENR)",
    ReturnReasonCode.R42: "routing number or check digit error (ENR)",
    ReturnReasonCode.R43: "invalid DFI account number (ENR)",
    ReturnReasonCode.R44: "invalid individual ID number (ENR)",
    ReturnReasonCode.R45: "invalid individual or company name (ENR)",
    ReturnReasonCode.R46: "invalid representative payee indicator (ENR)",
    ReturnReasonCode.R47: "duplicate enrollment (ENR)",
    ReturnReasonCode.R50: "state law affecting RCK acceptance",
    ReturnReasonCode.R51: "item related to an RCK entry is ineligible or the RCK entry is improper",
    ReturnReasonCode.R52: "stop payment on an item related to an RCK entry",
    ReturnReasonCode.R53: "item and RCK entry both presented for payment",
    ReturnReasonCode.R61: "misrouted return",
    ReturnReasonCode.R62: "return of an erroneous or reversing debit",
    ReturnReasonCode.R67: "duplicate return",
    ReturnReasonCode.R68: "untimely return",
    ReturnReasonCode.R69: "field errors in the return",
    ReturnReasonCode.R70: "permissible return not accepted or not requested by the ODFI",
    ReturnReasonCode.R71: "misrouted dishonored return",
    ReturnReasonCode.R72: "untimely dishonored return",
    ReturnReasonCode.R73: "timely original return",
    ReturnReasonCode.R74: "corrected return",
    ReturnReasonCode.R75: "return is not a duplicate",
    ReturnReasonCode.R76: "no errors found",
    ReturnReasonCode.R77: "non-acceptance of an R62 dishonored return",
    ReturnReasonCode.R80: "IAT entry coding error",
    ReturnReasonCode.R81: "non-participant in the IAT program",
    ReturnReasonCode.R82: "invalid foreign receiving DFI identification",
    ReturnReasonCode.R83: "foreign receiving DFI unable to settle",
    ReturnReasonCode.R84: "entry not processed by the gateway",
    ReturnReasonCode.R85: "incorrectly coded outbound international payment",
}


class ChangeCode(StrEnum):
    """Notification-of-change codes: the correction the RDFI requests before the next entry."""

    C01 = "C01"
    C02 = "C02"
    C03 = "C03"
    C04 = "C04"
    C05 = "C05"
    C06 = "C06"
    C07 = "C07"
    C08 = "C08"
    C09 = "C09"
    C10 = "C10"
    C11 = "C11"
    C12 = "C12"
    C13 = "C13"
    C14 = "C14"
    C61 = "C61"
    C62 = "C62"
    C63 = "C63"
    C64 = "C64"
    C65 = "C65"
    C66 = "C66"
    C67 = "C67"
    C68 = "C68"
    C69 = "C69"

    @property
    def is_refused(self) -> bool:
        """Whether the code refuses an earlier NOC (C61-C69) instead of correcting an entry."""
        return self.value >= "C61"

    @property
    def correction(self) -> str:
        return CHANGE_CORRECTIONS[self]


CHANGE_CORRECTIONS: dict[ChangeCode, str] = {
    ChangeCode.C01: "incorrect DFI account number",
    ChangeCode.C02: "incorrect routing number",
    ChangeCode.C03: "incorrect routing number and DFI account number",
    ChangeCode.C04: "incorrect individual or receiving company name",
    ChangeCode.C05: "incorrect transaction code",
    ChangeCode.C06: "incorrect DFI account number and transaction code",
    ChangeCode.C07: "incorrect routing number, DFI account number and transaction code",
    ChangeCode.C08: "incorrect receiving DFI identification (IAT)",
    ChangeCode.C09: "incorrect individual identification number",
    ChangeCode.C10: "incorrect company name",
    ChangeCode.C11: "incorrect company identification",
    ChangeCode.C12: "incorrect company name and company identification",
    ChangeCode.C13: "addenda format error",
    ChangeCode.C14: "incorrect SEC code for an outbound international payment",
    ChangeCode.C61: "misrouted notification of change",
    ChangeCode.C62: "incorrect trace number",
    ChangeCode.C63: "incorrect company identification number",
    ChangeCode.C64: "incorrect individual identification number",
    ChangeCode.C65: "incorrectly formatted corrected data",
    ChangeCode.C66: "incorrect discretionary data",
    ChangeCode.C67: "routing number not from the original entry",
    ChangeCode.C68: "DFI account number not from the original entry",
    ChangeCode.C69: "incorrect transaction code",
}
