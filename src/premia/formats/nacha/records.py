"""Typed NACHA records as the reader returns them.

Amounts are integer cents. Routing numbers are nine digits with the check digit; the ODFI and
RDFI identifications of batch and addenda records are the first eight. Account numbers are
sensitive: they are left out of ``repr`` and only their last four characters appear in
messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum

from premia.formats.nacha.codes import (
    ChangeCode,
    ReturnKind,
    ReturnReasonCode,
    ServiceClass,
    StandardEntryClass,
    TransactionCode,
)
from premia.kernel.errors import ValidationError


def mask_account_number(account_number: str) -> str:
    """Return the account number with all but its last four characters hidden."""
    return "****" + account_number[-4:] if len(account_number) > 4 else "****"


class FileShape(StrEnum):
    """The completeness of a file's control structure."""

    COMPLETE = "complete"
    # Batch headers, entries and return or NOC addenda with no control records at all, as
    # some ACH gateways deliver returns. There are no counts or totals to verify.
    RETURN_EXTRACT = "return_extract"


@dataclass(frozen=True)
class FileHeader:
    record_number: int
    priority_code: str
    immediate_destination: str
    immediate_origin: str
    created_on: date
    created_at: time | None
    file_id_modifier: str
    immediate_destination_name: str
    immediate_origin_name: str
    reference_code: str


@dataclass(frozen=True)
class BatchHeader:
    record_number: int
    service_class: ServiceClass
    company_name: str
    company_discretionary_data: str
    company_id: str
    sec_code: StandardEntryClass
    entry_description: str
    descriptive_date: str
    # None when the field is blank or zeros, which return and NOC batches often carry.
    effective_entry_date: date | None
    # Julian day of settlement, filled in by the ACH operator; blank in files an originator sends.
    settlement_day: str
    originator_status_code: str
    odfi_identification: str
    batch_number: int


@dataclass(frozen=True)
class PaymentAddenda:
    """Addenda 05: free-form payment information for the entry."""

    record_number: int
    payment_information: str
    sequence_number: int
    entry_sequence_number: str


@dataclass(frozen=True)
class NotificationOfChange:
    """Addenda 98: the RDFI's request to correct the data of future entries."""

    record_number: int
    change_code: ChangeCode
    original_trace_number: str
    original_rdfi_identification: str
    # Can hold a new account number, so it stays out of repr.
    corrected_data: str = field(repr=False)
    trace_number: str

    @property
    def corrected_routing_number(self) -> str | None:
        if self.change_code in (ChangeCode.C02, ChangeCode.C03, ChangeCode.C07):
            return self.corrected_data[0:9].strip() or None
        return None

    @property
    def corrected_account_number(self) -> str | None:
        """The new DFI account number, which NACHA places in the corrected data of C01, C03, C06 and C07."""
        if self.change_code is ChangeCode.C01:
            return self.corrected_data[0:17].strip() or None
        if self.change_code is ChangeCode.C03:
            return self.corrected_data[12:29].strip() or None
        if self.change_code is ChangeCode.C06:
            return self.corrected_data[0:17].strip() or None
        if self.change_code is ChangeCode.C07:
            return self.corrected_data[9:26].strip() or None
        return None

    @property
    def corrected_transaction_code(self) -> str | None:
        if self.change_code is ChangeCode.C05:
            return self.corrected_data[0:2].strip() or None
        if self.change_code is ChangeCode.C06:
            return self.corrected_data[20:22].strip() or None
        if self.change_code is ChangeCode.C07:
            return self.corrected_data[26:28].strip() or None
        return None

    @property
    def corrected_name_or_id(self) -> str | None:
        """The new individual name (C04) or identification number (C09)."""
        if self.change_code in (ChangeCode.C04, ChangeCode.C09):
            return self.corrected_data[0:22].strip() or None
        return None


@dataclass(frozen=True)
class ReturnAddenda:
    """Addenda 99: a return, a dishonored return or a contested dishonored return.

    The fields after ``trace_number`` are filled only for the layouts that carry them.
    ``date_of_death`` belongs to plain returns (R14, R15). The return trace, settlement day and
    reason belong to dishonored and contested returns. The dishonored return fields and the two
    original dates belong to contested returns. Julian settlement days and the contested dates
    are kept as sent, because senders fill them inconsistently.
    """

    record_number: int
    kind: ReturnKind
    reason_code: ReturnReasonCode
    original_trace_number: str
    original_rdfi_identification: str
    addenda_information: str
    trace_number: str
    date_of_death: date | None = None
    return_trace_number: str | None = None
    return_settlement_day: str | None = None
    original_return_reason: str | None = None
    date_original_entry_returned: str | None = None
    original_settlement_day: str | None = None
    dishonored_return_trace_number: str | None = None
    dishonored_return_settlement_day: str | None = None
    dishonored_return_reason: str | None = None


@dataclass(frozen=True)
class Entry:
    """An entry detail record with its addenda and the batch fields that apply to it."""

    record_number: int
    transaction_code: TransactionCode
    rdfi_routing_number: str
    account_number: str = field(repr=False)
    amount_cents: int
    individual_id: str
    individual_name: str
    discretionary_data: str
    has_addenda: bool
    trace_number: str
    sec_code: StandardEntryClass
    effective_entry_date: date | None
    company_name: str
    company_id: str
    company_entry_description: str
    batch_number: int
    payment_addenda: tuple[PaymentAddenda, ...] = ()
    returns: tuple[ReturnAddenda, ...] = ()
    change: NotificationOfChange | None = None

    @property
    def account_last4(self) -> str:
        return self.account_number[-4:]

    @property
    def masked_account_number(self) -> str:
        return mask_account_number(self.account_number)

    @property
    def is_debit(self) -> bool:
        return self.transaction_code.is_debit

    @property
    def is_credit(self) -> bool:
        return self.transaction_code.is_credit

    @property
    def return_addenda(self) -> ReturnAddenda | None:
        """The first return addenda. A dishonored or contested return adds later ones."""
        return self.returns[0] if self.returns else None

    @property
    def addenda_count(self) -> int:
        return len(self.payment_addenda) + len(self.returns) + (1 if self.change else 0)


@dataclass(frozen=True)
class BatchControl:
    record_number: int
    service_class: ServiceClass
    entry_addenda_count: int
    entry_hash: int
    total_debit_cents: int
    total_credit_cents: int
    company_id: str
    odfi_identification: str
    batch_number: int


@dataclass(frozen=True)
class Batch:
    header: BatchHeader
    entries: tuple[Entry, ...]
    # None only in a return extract, which has no control records.
    control: BatchControl | None

    @property
    def total_debit_cents(self) -> int:
        return sum(entry.amount_cents for entry in self.entries if entry.is_debit)

    @property
    def total_credit_cents(self) -> int:
        return sum(entry.amount_cents for entry in self.entries if entry.is_credit)


@dataclass(frozen=True)
class FileControl:
    record_number: int
    batch_count: int
    block_count: int
    entry_addenda_count: int
    entry_hash: int
    total_debit_cents: int
    total_credit_cents: int


@dataclass(frozen=True)
class NachaFile:
    """A NACHA file that passed validation, with the warnings that did not reject it."""

    shape: FileShape
    header: FileHeader | None
    batches: tuple[Batch, ...]
    control: FileControl | None
    warnings: tuple[ValidationError, ...] = ()

    @property
    def entries(self) -> tuple[Entry, ...]:
        return tuple(entry for batch in self.batches for entry in batch.entries)

    @property
    def returned_entries(self) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if entry.returns)

    @property
    def changed_entries(self) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if entry.change is not None)

    @property
    def total_debit_cents(self) -> int:
        return sum(batch.total_debit_cents for batch in self.batches)

    @property
    def total_credit_cents(self) -> int:
        return sum(batch.total_credit_cents for batch in self.batches)
