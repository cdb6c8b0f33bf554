"""Typed BAI2 records as the reader returns them.

Amounts are integers in the minor unit of the account's currency (cents for USD), as BAI2
writes them. Summary and trailer amounts carry a sign; transaction amounts are unsigned and
the type code gives the direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from premia.formats.bai2.codes import (
    LOCKBOX_TYPE_CODES,
    AsOfDateModifier,
    FundsType,
    GroupStatus,
    TypeCodeCategory,
    classify_type_code,
)
from premia.kernel.errors import ValidationError


@dataclass(frozen=True)
class FundsAvailability:
    """The funds-type field and the fields its type adds: S, V and D carry breakdowns or a value date."""

    funds_type: FundsType
    immediate_cents: int | None = None
    one_day_cents: int | None = None
    two_or_more_days_cents: int | None = None
    value_date: date | None = None
    value_time: time | None = None
    # (days until available, amount) pairs of funds type D.
    distribution: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class AccountSummary:
    """A status (balance) or summary amount of an 03 record."""

    type_code: str
    amount_cents: int | None
    item_count: int | None
    funds: FundsAvailability | None

    @property
    def category(self) -> TypeCodeCategory:
        return classify_type_code(self.type_code)


@dataclass(frozen=True)
class Bai2Transaction:
    """A 16 record with its 88 continuations."""

    line_number: int
    type_code: str
    amount_cents: int
    funds: FundsAvailability | None
    bank_reference: str
    customer_reference: str
    # The text field and each text continuation, stripped of surrounding blanks.
    text_parts: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.text_parts)

    @property
    def category(self) -> TypeCodeCategory:
        return classify_type_code(self.type_code)

    @property
    def is_credit(self) -> bool:
        return self.category is TypeCodeCategory.CREDIT

    @property
    def is_debit(self) -> bool:
        return self.category is TypeCodeCategory.DEBIT

    @property
    def is_lockbox_deposit(self) -> bool:
        return self.type_code in LOCKBOX_TYPE_CODES

    @property
    def reference_text(self) -> str | None:
        """The text to match against an invoice or account: the customer reference, else the free text."""
        return self.customer_reference or self.text or None


@dataclass(frozen=True)
class Bai2Account:
    line_number: int
    account_number: str
    # The 03 record's currency, or the group's when the 03 leaves it blank.
    currency: str
    summaries: tuple[AccountSummary, ...]
    transactions: tuple[Bai2Transaction, ...]
    # None when the 49 record leaves the control total blank.
    control_total_cents: int | None
    record_count: int

    @property
    def credits(self) -> tuple[Bai2Transaction, ...]:
        return tuple(transaction for transaction in self.transactions if transaction.is_credit)

    @property
    def debits(self) -> tuple[Bai2Transaction, ...]:
        return tuple(transaction for transaction in self.transactions if transaction.is_debit)

    def summary(self, type_code: str) -> AccountSummary | None:
        """Return the summary with ``type_code``, such as ``"015"`` for the closing ledger balance."""
        return next((summary for summary in self.summaries if summary.type_code == type_code), None)


@dataclass(frozen=True)
class Bai2Group:
    line_number: int
    ultimate_receiver_id: str
    originator_id: str
    status: GroupStatus
    as_of_date: date
    # time.max stands for the end of the day, written 2400 or 9999.
    as_of_time: time | None
    # The group's currency; BAI2 means USD when the field is blank.
    currency: str
    as_of_date_modifier: AsOfDateModifier | None
    accounts: tuple[Bai2Account, ...]
    control_total_cents: int | None
    account_count: int
    record_count: int


@dataclass(frozen=True)
class Bai2File:
    """A BAI2 file that passed validation, with the warnings that did not reject it."""

    sender_id: str
    receiver_id: str
    created_on: date
    created_at: time | None
    file_id: str
    version: str
    groups: tuple[Bai2Group, ...]
    control_total_cents: int | None
    group_count: int
    record_count: int
    warnings: tuple[ValidationError, ...] = ()

    @property
    def accounts(self) -> tuple[Bai2Account, ...]:
        return tuple(account for group in self.groups for account in group.accounts)


@dataclass(frozen=True)
class LockboxDeposit:
    """A lockbox credit on a bank account, ready for matching against invoices."""

    line_number: int
    account_number: str
    currency: str
    as_of_date: date
    type_code: str
    amount_cents: int
    bank_reference: str
    reference_text: str | None


def lockbox_deposits(bai2_file: Bai2File) -> tuple[LockboxDeposit, ...]:
    """List the lockbox deposit transactions (type codes 115, 116, 118) of every account, in file order."""
    return tuple(
        LockboxDeposit(
            line_number=transaction.line_number,
            account_number=account.account_number,
            currency=account.currency,
            as_of_date=group.as_of_date,
            type_code=transaction.type_code,
            amount_cents=transaction.amount_cents,
            bank_reference=transaction.bank_reference,
            reference_text=transaction.reference_text,
        )
        for group in bai2_file.groups
        for account in group.accounts
        for transaction in account.transactions
        if transaction.is_lockbox_deposit
    )
