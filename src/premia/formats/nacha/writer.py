"""Build NACHA files of PPD entries: premium drafts, re-presented drafts, return fees and refunds.

The writer checks every request first and raises
:class:`~premia.formats.nacha.errors.NachaFileRejected` listing all problems, so a file is
either complete and balanced or not written at all. Trace numbers are the ODFI's eight-digit
routing prefix and a seven-digit sequence that runs across the whole file, from
``first_trace_sequence`` in the order the entries are given.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from premia.formats.nacha.codes import ServiceClass, StandardEntryClass, TransactionCode
from premia.formats.nacha.controls import HASH_MODULUS, block_count
from premia.formats.nacha.errors import NachaProblem, problem, reject
from premia.formats.nacha.layout import (
    BLOCKING_FACTOR,
    PADDING_RECORD,
    BatchHeaderLayout,
    EntryLayout,
    FileHeaderLayout,
)
from premia.formats.nacha.routing import is_valid_routing_number
from premia.kernel.banking_days import is_banking_day
from premia.kernel.errors import ValidationError

MAX_ENTRY_AMOUNT_CENTS = 10**10 - 1
MAX_TOTAL_CENTS = 10**12 - 1
MAX_TRACE_SEQUENCE = 10**7 - 1
FILE_ID_MODIFIERS = string.ascii_uppercase + string.digits

# PPD entries Premia originates: live debits for premiums and fees, live credits for refunds,
# and prenotes for both.
WRITABLE_CODES = frozenset(
    {
        TransactionCode.CHECKING_CREDIT,
        TransactionCode.CHECKING_CREDIT_PRENOTE,
        TransactionCode.CHECKING_DEBIT,
        TransactionCode.CHECKING_DEBIT_PRENOTE,
        TransactionCode.SAVINGS_CREDIT,
        TransactionCode.SAVINGS_CREDIT_PRENOTE,
        TransactionCode.SAVINGS_DEBIT,
        TransactionCode.SAVINGS_DEBIT_PRENOTE,
    }
)


class EntryDescription(StrEnum):
    """Company entry descriptions; NACHA requires the exact words for re-presented drafts and return fees."""

    PREMIUM = "PREMIUM"
    RETRY_PAYMENT = "RETRY PYMT"
    RETURN_FEE = "RETURN FEE"
    REFUND = "REFUND"

# The classes of consumer authorizations Premia drafts under: a signed form, online, telephone.
WRITTEN_ENTRY_CLASSES = frozenset({StandardEntryClass.PPD, StandardEntryClass.WEB, StandardEntryClass.TEL})
PAYMENT_TYPE_CODES = frozenset({"R", "S"})


@dataclass(frozen=True)
class Originator:
    """The carrier as originator, and the bank that receives the file.

    ``immediate_destination`` is the nine-digit routing number of the bank or ACH operator that
    receives the file. ``immediate_origin`` is the ten-character identifier that bank assigned,
    often ``1`` and the tax ID, or a routing number. ``odfi_routing_number`` is the nine-digit
    routing number of the originating bank, whose first eight digits go into batch headers and
    trace numbers.
    """

    immediate_destination: str
    immediate_destination_name: str
    immediate_origin: str
    immediate_origin_name: str
    company_name: str
    company_id: str
    odfi_routing_number: str


@dataclass(frozen=True)
class OutgoingEntry:
    """One entry to send. ``individual_id`` is Premia's reference, such as the invoice number.

    ``payment_type_code`` fills the two characters of discretionary data; WEB and TEL debits
    carry ``R`` there for a recurring payment and ``S`` for a single one.
    """

    transaction_code: TransactionCode
    routing_number: str
    account_number: str = field(repr=False)
    amount_cents: int
    individual_id: str
    individual_name: str
    payment_type_code: str = ""


@dataclass(frozen=True)
class OutgoingBatch:
    """Entries that share an entry description, an effective entry date and how they were authorized.

    ``standard_entry_class`` is the SEC code of the authorization: PPD for a signed form,
    WEB for one given online and TEL for one given by telephone.
    """

    entry_description: str
    effective_entry_date: date
    entries: Sequence[OutgoingEntry]
    descriptive_date: str = ""
    standard_entry_class: StandardEntryClass = StandardEntryClass.PPD


def write_nacha(
    *,
    originator: Originator,
    batches: Sequence[OutgoingBatch],
    created_at: datetime,
    file_id_modifier: str = "A",
    first_trace_sequence: int = 1,
    reference_code: str = "",
) -> str:
    """Return the text of a blocked NACHA file with one batch per ``OutgoingBatch``.

    Every line ends in a newline. Individual names and the destination and origin names are
    reduced to ASCII and cut to their field widths. Any other field that does not fit is an error.
    """
    problems: list[ValidationError] = []
    _check_originator(originator, file_id_modifier, reference_code, problems)
    _check_batches(batches, created_at.date(), first_trace_sequence, problems)
    if problems:
        raise reject(
            NachaProblem.BUILD_REJECTED,
            "NACHA file request",
            problems,
            "Correct the listed entries and build the file again.",
        )

    odfi = originator.odfi_routing_number[:8]
    lines = [_file_header(originator, created_at, file_id_modifier, reference_code)]
    sequence = first_trace_sequence
    file_hash = file_debit = file_credit = file_count = 0

    for batch_number, batch in enumerate(batches, start=1):
        debit = sum(entry.amount_cents for entry in batch.entries if entry.transaction_code.is_debit)
        credit = sum(entry.amount_cents for entry in batch.entries if entry.transaction_code.is_credit)
        service_class = _service_class(batch)
        lines.append(_batch_header(originator, batch, service_class, odfi, batch_number))

        batch_hash = 0
        for entry in batch.entries:
            lines.append(_entry_line(entry, f"{odfi}{sequence:07d}"))
            batch_hash += int(entry.routing_number[:8])
            sequence += 1

        count = len(batch.entries)
        # The message authentication code (19) and reserved (6) positions stay blank.
        lines.append(
            f"8{service_class.value}{count:06d}{batch_hash % HASH_MODULUS:010d}{debit:012d}{credit:012d}"
            f"{_text(originator.company_id, 10)}{'':25}{odfi}{batch_number:07d}"
        )
        file_hash += batch_hash
        file_debit += debit
        file_credit += credit
        file_count += count

    records = len(lines) + 1
    lines.append(
        f"9{len(batches):06d}{block_count(records):06d}{file_count:08d}{file_hash % HASH_MODULUS:010d}"
        f"{file_debit:012d}{file_credit:012d}{'':39}"
    )
    lines.extend([PADDING_RECORD] * (-records % BLOCKING_FACTOR))
    return "\n".join(lines) + "\n"


def _file_header(
    originator: Originator, created_at: datetime, file_id_modifier: str, reference_code: str
) -> str:
    return (
        f"101{' ' + originator.immediate_destination}{originator.immediate_origin:>10}"
        f"{created_at:%y%m%d%H%M}{file_id_modifier}094101"
        f"{_text(originator.immediate_destination_name, 23)}{_text(originator.immediate_origin_name, 23)}"
        f"{_text(reference_code, 8)}"
    )


def _batch_header(
    originator: Originator, batch: OutgoingBatch, service_class: ServiceClass, odfi: str, batch_number: int
) -> str:
    return (
        f"5{service_class.value}{_text(originator.company_name, 16)}{'':20}"
        f"{_text(originator.company_id, 10)}{batch.standard_entry_class.value}{_text(batch.entry_description, 10)}"
        f"{_text(batch.descriptive_date, 6)}{batch.effective_entry_date:%y%m%d}"
        f"   1{odfi}{batch_number:07d}"
    )


def _entry_line(entry: OutgoingEntry, trace_number: str) -> str:
    return (
        f"6{entry.transaction_code.value}{entry.routing_number}{entry.account_number:<17}{entry.amount_cents:010d}"
        f"{_text(entry.individual_id, 15)}{_text(entry.individual_name, 22)}{_text(entry.payment_type_code, 2)}0{trace_number}"
    )


def _service_class(batch: OutgoingBatch) -> ServiceClass:
    has_debits = any(entry.transaction_code.is_debit for entry in batch.entries)
    has_credits = any(entry.transaction_code.is_credit for entry in batch.entries)
    if has_debits and has_credits:
        return ServiceClass.MIXED
    return ServiceClass.DEBITS_ONLY if has_debits else ServiceClass.CREDITS_ONLY


def _text(value: str, width: int) -> str:
    """Left-justify an alphanumeric field, reduced to ASCII and cut to ``width``."""
    return to_ascii(value)[:width].ljust(width)


def to_ascii(value: str) -> str:
    """Drop accents and any character outside printable ASCII (``José Núñez`` becomes ``Jose Nunez``)."""
    if value.isascii() and value.isprintable():
        return value.strip()
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(character for character in decomposed if " " <= character <= "~").strip()


def _check_originator(
    originator: Originator, file_id_modifier: str, reference_code: str, problems: list[ValidationError]
) -> None:
    label = "originator"
    for name, value in (
        ("immediate_destination", originator.immediate_destination),
        ("odfi_routing_number", originator.odfi_routing_number),
    ):
        if not is_valid_routing_number(value):
            problems.append(
                problem(
                    NachaProblem.ROUTING_CHECK_DIGIT,
                    f"{name} {value!r} is not a valid nine-digit routing number.",
                    record=label,
                    field=name,
                    value=value,
                    hint="Copy the routing number from the bank agreement.",
                )
            )

    _check_width(
        problems,
        label,
        "immediate_origin",
        originator.immediate_origin,
        FileHeaderLayout.IMMEDIATE_ORIGIN.width,
    )
    _check_width(
        problems, label, "company_name", originator.company_name, BatchHeaderLayout.COMPANY_NAME.width
    )
    _check_width(problems, label, "company_id", originator.company_id, BatchHeaderLayout.COMPANY_ID.width)
    _check_width(
        problems,
        label,
        "reference_code",
        reference_code,
        FileHeaderLayout.REFERENCE_CODE.width,
        required=False,
    )

    if len(file_id_modifier) != 1 or file_id_modifier not in FILE_ID_MODIFIERS:
        problems.append(
            problem(
                NachaProblem.INVALID_FIELD,
                f"file_id_modifier {file_id_modifier!r} must be one upper-case letter or digit.",
                record=label,
                field="file_id_modifier",
                value=file_id_modifier,
                hint="Use A for the first file of the day, B for the second, and so on.",
            )
        )


def _check_batches(
    batches: Sequence[OutgoingBatch],
    created_on: date,
    first_trace_sequence: int,
    problems: list[ValidationError],
) -> None:
    entry_total = sum(len(batch.entries) for batch in batches)
    if entry_total == 0:
        problems.append(
            problem(
                NachaProblem.BUILD_REJECTED,
                "the request holds no entries.",
                record="file",
                hint="Send no file when nothing is due; a $0.00 invoice needs no draft.",
            )
        )
    if first_trace_sequence < 1 or first_trace_sequence + entry_total - 1 > MAX_TRACE_SEQUENCE:
        problems.append(
            problem(
                NachaProblem.TRACE_NUMBER,
                f"trace sequence {first_trace_sequence} leaves no room for {entry_total} entries in seven "
                "digits.",
                record="file",
                field="first_trace_sequence",
                value=first_trace_sequence,
                hint="Start the sequence at 1 or continue from the last number sent.",
            )
        )

    for batch_number, batch in enumerate(batches, start=1):
        label = f"batch {batch_number}"
        _check_width(
            problems,
            label,
            "entry_description",
            batch.entry_description,
            BatchHeaderLayout.ENTRY_DESCRIPTION.width,
        )
        _check_width(
            problems,
            label,
            "descriptive_date",
            batch.descriptive_date,
            BatchHeaderLayout.DESCRIPTIVE_DATE.width,
            required=False,
        )
        if batch.standard_entry_class not in WRITTEN_ENTRY_CLASSES:
            allowed = ", ".join(sorted(WRITTEN_ENTRY_CLASSES))
            problems.append(
                problem(
                    NachaProblem.BUILD_REJECTED,
                    f"standard entry class {batch.standard_entry_class.value} is not one Premia writes.",
                    record=label,
                    field="standard_entry_class",
                    value=batch.standard_entry_class.value,
                    hint=f"Use one of: {allowed}.",
                )
            )
        _check_effective_date(batch, label, created_on, problems)
        if not batch.entries:
            problems.append(
                problem(
                    NachaProblem.BUILD_REJECTED,
                    "the batch has no entries.",
                    record=label,
                    hint="Leave empty batches out.",
                )
            )

        debit = sum(entry.amount_cents for entry in batch.entries if entry.transaction_code.is_debit)
        credit = sum(entry.amount_cents for entry in batch.entries if entry.transaction_code.is_credit)
        if max(debit, credit) > MAX_TOTAL_CENTS:
            problems.append(
                problem(
                    NachaProblem.BUILD_REJECTED,
                    "the batch total does not fit the 12-digit control field.",
                    record=label,
                    hint="Split the entries into more batches.",
                )
            )
        for entry_number, entry in enumerate(batch.entries, start=1):
            _check_entry(entry, f"{label} entry {entry_number}", problems)
            _check_payment_type(batch, entry, f"{label} entry {entry_number}", problems)


def _check_effective_date(
    batch: OutgoingBatch, label: str, created_on: date, problems: list[ValidationError]
) -> None:
    effective = batch.effective_entry_date
    if not is_banking_day(effective):
        problems.append(
            problem(
                NachaProblem.INVALID_FIELD,
                f"effective entry date {effective} is not a banking day.",
                record=label,
                field="effective_entry_date",
                value=effective,
                hint="Move the date to the next banking day.",
            )
        )
    if effective < created_on:
        problems.append(
            problem(
                NachaProblem.INVALID_FIELD,
                f"effective entry date {effective} is before the file's creation date {created_on}.",
                record=label,
                field="effective_entry_date",
                value=effective,
                hint="An ACH entry cannot settle in the past.",
            )
        )


def _check_payment_type(
    batch: OutgoingBatch, entry: OutgoingEntry, label: str, problems: list[ValidationError]
) -> None:
    """Check that a WEB or TEL debit states whether it is recurring (R) or a single payment (S)."""
    if batch.standard_entry_class is StandardEntryClass.PPD or not entry.transaction_code.is_debit:
        return
    if entry.payment_type_code not in PAYMENT_TYPE_CODES:
        problems.append(
            problem(
                NachaProblem.INVALID_FIELD,
                f"a {batch.standard_entry_class.value} debit needs payment type code R or S, not "
                f"{entry.payment_type_code!r}.",
                record=label,
                field="payment_type_code",
                value=entry.payment_type_code,
                hint="Send R for a recurring draft and S for a single payment.",
            )
        )


def _check_entry(entry: OutgoingEntry, label: str, problems: list[ValidationError]) -> None:
    code = entry.transaction_code
    if code not in WRITABLE_CODES:
        problems.append(
            problem(
                NachaProblem.INVALID_FIELD,
                f"transaction code {code.value} is not a PPD checking or savings debit, credit or prenote.",
                record=label,
                field="transaction_code",
                value=code.value,
                hint="Use 27 or 37 for drafts, 22 or 32 for refunds, and 28, 38, 23 or 33 for prenotes.",
            )
        )
    if not is_valid_routing_number(entry.routing_number):
        problems.append(
            problem(
                NachaProblem.ROUTING_CHECK_DIGIT,
                f"routing number {entry.routing_number!r} is not nine digits with a valid check digit.",
                record=label,
                field="routing_number",
                value=entry.routing_number,
                hint="Correct the payer's bank details before drafting.",
            )
        )

    account = entry.account_number
    if (
        not account
        or len(account) > EntryLayout.ACCOUNT_NUMBER.width
        or to_ascii(account) != account
        or " " in account
    ):
        # The message leaves the value out: account numbers never appear in errors.
        problems.append(
            problem(
                NachaProblem.INVALID_FIELD,
                "the DFI account number must be 1 to 17 printable ASCII characters without blanks.",
                record=label,
                field="account_number",
                hint="Correct the payer's bank details before drafting.",
            )
        )

    _check_amount(entry, label, problems)
    _check_width(
        problems, label, "individual_id", entry.individual_id, EntryLayout.INDIVIDUAL_ID.width, required=False
    )
    if not to_ascii(entry.individual_name):
        problems.append(
            problem(
                NachaProblem.INVALID_FIELD,
                "the individual name is blank once reduced to ASCII.",
                record=label,
                field="individual_name",
                hint="Give the account holder's name.",
            )
        )


def _check_amount(entry: OutgoingEntry, label: str, problems: list[ValidationError]) -> None:
    amount = entry.amount_cents
    if isinstance(amount, bool) or not isinstance(amount, int):
        message, hint = f"amount {amount!r} must be integer cents.", "Pass amounts as int cents."
    elif entry.transaction_code.requires_zero_amount:
        if amount == 0:
            return
        message, hint = (
            f"a prenote carries no amount, but {amount} cents were given.",
            "Send prenotes with an amount of zero.",
        )
    elif not 0 < amount <= MAX_ENTRY_AMOUNT_CENTS:
        message = f"amount {amount} cents must be between 1 and {MAX_ENTRY_AMOUNT_CENTS}."
        hint = "Leave $0.00 items out of the file; a zero balance needs no draft."
    else:
        return
    problems.append(
        problem(
            NachaProblem.INVALID_FIELD, message, record=label, field="amount_cents", value=amount, hint=hint
        )
    )


def _check_width(
    problems: list[ValidationError], label: str, name: str, value: str, width: int, *, required: bool = True
) -> None:
    ascii_value = to_ascii(value)
    if ascii_value != value.strip():
        message, hint = (
            f"{name} {value!r} has characters outside printable ASCII.",
            "Use plain ASCII letters, digits and punctuation.",
        )
    elif len(ascii_value) > width:
        message, hint = (
            f"{name} {value!r} is longer than its {width} characters.",
            f"Shorten {name} to {width} characters.",
        )
    elif required and not ascii_value:
        message, hint = f"{name} is blank.", f"Fill in {name}."
    else:
        return
    problems.append(
        problem(NachaProblem.INVALID_FIELD, message, record=label, field=name, value=value, hint=hint)
    )
