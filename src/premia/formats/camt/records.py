"""Typed camt.052, camt.053 and camt.054 records as the reader returns them.

Amounts are non-negative integer cents in the stated currency, with the credit/debit
indicator beside them. ``signed_amount_cents`` gives credits as positive values and debits as
negative values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from premia.formats.camt.codes import BalanceType, CamtMessageKind, CreditDebit, EntryStatus
from premia.kernel.errors import ValidationError


def signed(amount_cents: int, credit_debit: CreditDebit | None) -> int:
    return -amount_cents if credit_debit is CreditDebit.DEBIT else amount_cents


@dataclass(frozen=True)
class BankTransactionCode:
    """The ISO domain, family and sub-family (such as PMNT/RCDT/ESCT), and any proprietary code."""

    domain: str | None
    family: str | None
    subfamily: str | None
    proprietary: str | None

    def __str__(self) -> str:
        iso = "/".join(part for part in (self.domain, self.family, self.subfamily) if part)
        return iso or self.proprietary or ""


@dataclass(frozen=True)
class ReturnInformation:
    """Why a payment came back: an ISO reason code such as AC01 (wrong account number) or the bank's own."""

    reason_code: str | None
    proprietary_reason: str | None
    additional_information: tuple[str, ...]


@dataclass(frozen=True)
class TransactionDetails:
    """One underlying transaction of an entry (``TxDtls``)."""

    amount_cents: int | None
    currency: str | None
    credit_debit: CreditDebit | None
    message_id: str | None
    account_servicer_reference: str | None
    payment_information_id: str | None
    instruction_id: str | None
    end_to_end_id: str | None
    transaction_id: str | None
    mandate_id: str | None
    cheque_number: str | None
    bank_transaction_code: BankTransactionCode | None
    debtor_name: str | None
    creditor_name: str | None
    remittance_unstructured: tuple[str, ...]
    # Structured creditor references (CdtrRefInf/Ref), such as ISO 11649 RF references.
    creditor_references: tuple[str, ...]
    # Numbers of referred documents (RfrdDocInf/Nb), such as invoice numbers.
    referred_document_numbers: tuple[str, ...]
    return_information: ReturnInformation | None
    additional_information: str | None


@dataclass(frozen=True)
class EntryBatch:
    """Batch information of an entry that books several transactions as one amount (``Btch``)."""

    message_id: str | None
    payment_information_id: str | None
    number_of_transactions: int | None
    total_amount_cents: int | None
    currency: str | None
    credit_debit: CreditDebit | None


@dataclass(frozen=True)
class CamtEntry:
    """One booking on the account (``Ntry``), with its batch and transaction details."""

    index: int
    entry_reference: str | None
    amount_cents: int
    currency: str
    credit_debit: CreditDebit
    reversal: bool
    status: EntryStatus
    booking_date: date | None
    value_date: date | None
    account_servicer_reference: str | None
    bank_transaction_code: BankTransactionCode | None
    batches: tuple[EntryBatch, ...]
    transactions: tuple[TransactionDetails, ...]
    additional_information: str | None

    @property
    def signed_amount_cents(self) -> int:
        return signed(self.amount_cents, self.credit_debit)

    @property
    def is_credit(self) -> bool:
        return self.credit_debit is CreditDebit.CREDIT

    @property
    def number_of_transactions(self) -> int:
        """The batch's stated transaction count, else the number of transaction details, else 1."""
        stated = [
            batch.number_of_transactions for batch in self.batches if batch.number_of_transactions is not None
        ]
        if stated:
            return sum(stated)
        return len(self.transactions) or 1

    @property
    def return_reason_codes(self) -> tuple[str, ...]:
        return tuple(
            details.return_information.reason_code
            for details in self.transactions
            if details.return_information and details.return_information.reason_code
        )


@dataclass(frozen=True)
class Balance:
    # None when the bank sends a proprietary balance type, which is then in ``proprietary_type``.
    balance_type: BalanceType | None
    proprietary_type: str | None
    amount_cents: int
    currency: str
    credit_debit: CreditDebit
    balance_date: date | None

    @property
    def signed_amount_cents(self) -> int:
        return signed(self.amount_cents, self.credit_debit)


@dataclass(frozen=True)
class CamtAccount:
    iban: str | None
    other_id: str | None
    currency: str | None
    name: str | None
    owner_name: str | None

    @property
    def identifier(self) -> str:
        """The IBAN, or the other identification when the account has no IBAN."""
        return self.iban or self.other_id or ""


@dataclass(frozen=True)
class AccountReport:
    """One statement (``Stmt``), notification (``Ntfctn``) or report (``Rpt``) for one account."""

    report_id: str
    electronic_sequence_number: int | None
    created_at: datetime | None
    from_datetime: datetime | None
    to_datetime: datetime | None
    account: CamtAccount
    balances: tuple[Balance, ...]
    entries: tuple[CamtEntry, ...]

    def balance(self, balance_type: BalanceType) -> Balance | None:
        return next((balance for balance in self.balances if balance.balance_type is balance_type), None)


@dataclass(frozen=True)
class ApplicationHeader:
    """The head.001 business application header that some banks wrap around the document."""

    from_bic: str | None
    to_bic: str | None
    business_message_id: str | None
    message_definition: str | None
    created_at: datetime | None


@dataclass(frozen=True)
class CamtDocument:
    """A camt document that passed validation, with the warnings that did not reject it."""

    kind: CamtMessageKind
    # The full message identifier, such as camt.053.001.04, from the namespace or the application header.
    message_definition: str | None
    message_id: str
    created_at: datetime | None
    page_number: int | None
    last_page: bool | None
    application_header: ApplicationHeader | None
    reports: tuple[AccountReport, ...]
    warnings: tuple[ValidationError, ...] = ()

    @property
    def entries(self) -> tuple[CamtEntry, ...]:
        return tuple(entry for report in self.reports for entry in report.entries)
