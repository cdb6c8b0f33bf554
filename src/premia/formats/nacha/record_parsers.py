"""Parse single 94-character NACHA records into typed records, collecting a problem per bad field.

Each parser returns None when a field it cannot do without is invalid. The problem is already
recorded by then, so the reader can carry on and report the rest of the file.
"""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum
from typing import Any, TypeVar

from premia.formats.nacha.codes import (
    AddendaType,
    ChangeCode,
    ReturnKind,
    ReturnReasonCode,
    ServiceClass,
    StandardEntryClass,
    TransactionCode,
)
from premia.formats.nacha.errors import NachaProblem, problem
from premia.formats.nacha.layout import (
    AddendaLayout,
    BatchControlLayout,
    BatchHeaderLayout,
    ChangeAddendaLayout,
    ContestedReturnLayout,
    DishonoredReturnLayout,
    EntryLayout,
    Field,
    FileControlLayout,
    FileHeaderLayout,
    PaymentAddendaLayout,
    ReturnAddendaLayout,
)
from premia.formats.nacha.records import (
    BatchControl,
    BatchHeader,
    Entry,
    FileControl,
    FileHeader,
    NotificationOfChange,
    PaymentAddenda,
    ReturnAddenda,
)
from premia.formats.nacha.routing import routing_check_digit
from premia.kernel.errors import ValidationError

Addenda = PaymentAddenda | NotificationOfChange | ReturnAddenda
CodeT = TypeVar("CodeT", bound=StrEnum)


class RecordFields:
    """Reads the fields of one record; every invalid field adds a problem and clears ``valid``."""

    def __init__(self, record: str, record_number: int, label: str, problems: list[ValidationError]) -> None:
        self.record = record
        self.record_number = record_number
        self.label = label
        self.problems = problems
        self.valid = True

    def fail(
        self,
        field: Field,
        message: str,
        *,
        value: str | None,
        hint: str,
        code: NachaProblem = NachaProblem.INVALID_FIELD,
    ) -> None:
        self.valid = False
        self.problems.append(
            problem(code, message, record=self.label, field=field.name, value=value, hint=hint)
        )

    def text(self, field: Field) -> str:
        return field.cut(self.record).strip()

    def digits(self, field: Field) -> str:
        """Return a numeric field as its digit string, keeping leading zeros."""
        raw = field.cut(self.record)
        if not (raw.isascii() and raw.isdigit()):
            self.fail(
                field,
                f"{field.name} {raw!r} (positions {field.start}-{field.end}) must be {field.width} digits.",
                value=raw,
                hint="Numeric fields are right-justified and zero-filled.",
            )
            return "0" * field.width
        return raw

    def integer(self, field: Field) -> int:
        return int(self.digits(field))

    def optional_digits(self, field: Field) -> str | None:
        return None if not field.cut(self.record).strip() else self.digits(field)

    def yymmdd(self, field: Field) -> date | None:
        raw = field.cut(self.record)
        parsed = parse_yymmdd(raw)
        if parsed is None:
            self.fail(
                field,
                f"{field.name} {raw!r} is not a valid date.",
                value=raw,
                hint="Dates in NACHA records are written YYMMDD.",
            )
        return parsed

    def optional_yymmdd(self, field: Field) -> date | None:
        """Return None for a blank or all-zero date field, which senders use for 'no date'."""
        raw = field.cut(self.record)
        if raw.strip() in ("", "000000"):
            return None
        return self.yymmdd(field)

    def hhmm(self, field: Field) -> time | None:
        raw = field.cut(self.record)
        if not raw.strip():
            return None
        if raw.isdigit() and int(raw[:2]) < 24 and int(raw[2:]) < 60:
            return time(int(raw[:2]), int(raw[2:]))
        self.fail(
            field, f"{field.name} {raw!r} is not a valid time.", value=raw, hint="Times are written HHMM."
        )
        return None

    def code(self, field: Field, codes: type[CodeT], what: str) -> CodeT | None:
        raw = field.cut(self.record).strip()
        try:
            return codes(raw)
        except ValueError:
            self.fail(
                field,
                f"{field.name} {raw!r} is not a known {what}.",
                value=raw,
                hint=f"Use one of the NACHA {what}s.",
            )
            return None


def parse_yymmdd(raw: str) -> date | None:
    """Parse a NACHA YYMMDD date, reading years 70-99 as 1970-1999 and 00-69 as 2000-2069."""
    if len(raw) != 6 or not raw.isdigit():
        return None
    year = int(raw[0:2])
    try:
        return date(year + (1900 if year >= 70 else 2000), int(raw[2:4]), int(raw[4:6]))
    except ValueError:
        return None


def parse_file_header(fields: RecordFields) -> FileHeader | None:
    layout = FileHeaderLayout
    _expect_constant(
        fields, layout.RECORD_SIZE, "094", "Records are 94 characters, so the record size field is 094."
    )
    _expect_constant(
        fields, layout.BLOCKING_FACTOR, "10", "NACHA files are blocked in tens, so the blocking factor is 10."
    )
    _expect_constant(fields, layout.FORMAT_CODE, "1", "The format code is always 1.")
    modifier = fields.text(layout.FILE_ID_MODIFIER)
    if not (len(modifier) == 1 and modifier.isascii() and modifier.isalnum() and not modifier.islower()):
        fields.fail(
            layout.FILE_ID_MODIFIER,
            f"file_id_modifier {modifier!r} must be one upper-case letter or digit.",
            value=modifier,
            hint="Use A for the first file of the day, B for the second, and so on.",
        )
    created_on = fields.yymmdd(layout.CREATION_DATE)
    created_at = fields.hhmm(layout.CREATION_TIME)
    if not fields.valid or created_on is None:
        return None
    return FileHeader(
        record_number=fields.record_number,
        priority_code=fields.text(layout.PRIORITY_CODE),
        immediate_destination=fields.text(layout.IMMEDIATE_DESTINATION),
        immediate_origin=fields.text(layout.IMMEDIATE_ORIGIN),
        created_on=created_on,
        created_at=created_at,
        file_id_modifier=modifier,
        immediate_destination_name=fields.text(layout.DESTINATION_NAME),
        immediate_origin_name=fields.text(layout.ORIGIN_NAME),
        reference_code=fields.text(layout.REFERENCE_CODE),
    )


def _expect_constant(fields: RecordFields, field: Field, expected: str, hint: str) -> None:
    raw = field.cut(fields.record)
    if raw != expected:
        fields.fail(
            field,
            f"{field.name} is {raw!r}, expected {expected!r}.",
            value=raw,
            hint=hint,
            code=NachaProblem.FILE_HEADER_FORMAT,
        )


def parse_batch_header(fields: RecordFields) -> BatchHeader | None:
    layout = BatchHeaderLayout
    service_class = fields.code(layout.SERVICE_CLASS, ServiceClass, "service class code")
    sec_code = fields.code(layout.SEC_CODE, StandardEntryClass, "standard entry class code")
    if sec_code is StandardEntryClass.IAT:
        # IAT batches lay out their header, entries and addenda differently; this reader does not read them.
        fields.fail(
            layout.SEC_CODE,
            "IAT (international) batches are not supported.",
            value=sec_code.value,
            hint="Send international ACH entries in a separate file for manual handling.",
            code=NachaProblem.UNSUPPORTED_SEC_CODE,
        )
    effective_entry_date = fields.optional_yymmdd(layout.EFFECTIVE_ENTRY_DATE)
    odfi = fields.digits(layout.ODFI)
    batch_number = fields.integer(layout.BATCH_NUMBER)
    if not fields.valid or service_class is None or sec_code is None:
        return None
    return BatchHeader(
        record_number=fields.record_number,
        service_class=service_class,
        company_name=fields.text(layout.COMPANY_NAME),
        company_discretionary_data=fields.text(layout.DISCRETIONARY_DATA),
        company_id=fields.text(layout.COMPANY_ID),
        sec_code=sec_code,
        entry_description=fields.text(layout.ENTRY_DESCRIPTION),
        descriptive_date=fields.text(layout.DESCRIPTIVE_DATE),
        effective_entry_date=effective_entry_date,
        settlement_day=fields.text(layout.SETTLEMENT_DATE),
        originator_status_code=fields.text(layout.ORIGINATOR_STATUS),
        odfi_identification=odfi,
        batch_number=batch_number,
    )


def parse_entry(fields: RecordFields, batch: BatchHeader) -> Entry | None:
    """Parse an entry detail record; the batch header supplies the SEC code, dates and company."""
    layout = EntryLayout
    transaction_code = fields.code(layout.TRANSACTION_CODE, TransactionCode, "transaction code")
    rdfi = fields.digits(layout.RDFI)
    check_digit = fields.digits(layout.CHECK_DIGIT)
    amount_cents = fields.integer(layout.AMOUNT)
    trace_number = fields.digits(layout.TRACE_NUMBER)
    account_number = fields.text(layout.ACCOUNT_NUMBER)
    if not account_number:
        fields.fail(
            layout.ACCOUNT_NUMBER,
            "dfi_account_number is blank.",
            value=None,
            hint="Every entry names the receiver's account.",
        )
    indicator = layout.ADDENDA_INDICATOR.cut(fields.record)
    if indicator not in ("0", "1"):
        fields.fail(
            layout.ADDENDA_INDICATOR,
            f"addenda_record_indicator {indicator!r} must be 0 or 1.",
            value=indicator,
            hint="Write 1 when addenda records follow the entry and 0 when none do.",
        )
    if not fields.valid or transaction_code is None:
        return None

    routing_number = rdfi + check_digit
    expected_digit = routing_check_digit(rdfi)
    if int(check_digit) != expected_digit:
        fields.problems.append(
            problem(
                code=NachaProblem.ROUTING_CHECK_DIGIT,
                message=(
                    f"RDFI routing number {routing_number} has check digit {check_digit}, "
                    f"but its first eight digits {rdfi} need check digit {expected_digit}."
                ),
                record=fields.label,
                field=layout.CHECK_DIGIT.name,
                value=routing_number,
                hint="Confirm the receiver's routing number; a mistyped digit sends the entry to no bank.",
            )
        )
    if transaction_code.requires_zero_amount and amount_cents != 0:
        fields.problems.append(
            problem(
                code=NachaProblem.AMOUNT_NOT_ZERO,
                message=(
                    f"transaction code {transaction_code.value} is a prenote or zero-dollar entry, but "
                    f"its amount is {amount_cents} cents."
                ),
                record=fields.label,
                field=layout.AMOUNT.name,
                value=amount_cents,
                hint="Prenotes and zero-dollar entries carry an amount of zero.",
            )
        )

    return Entry(
        record_number=fields.record_number,
        transaction_code=transaction_code,
        rdfi_routing_number=routing_number,
        account_number=account_number,
        amount_cents=amount_cents,
        individual_id=fields.text(layout.INDIVIDUAL_ID),
        individual_name=fields.text(layout.INDIVIDUAL_NAME),
        discretionary_data=fields.text(layout.DISCRETIONARY_DATA),
        has_addenda=indicator == "1",
        trace_number=trace_number,
        sec_code=batch.sec_code,
        effective_entry_date=batch.effective_entry_date,
        company_name=batch.company_name,
        company_id=batch.company_id,
        company_entry_description=batch.entry_description,
        batch_number=batch.batch_number,
    )


def parse_addenda(fields: RecordFields) -> Addenda | None:
    addenda_type = fields.code(AddendaLayout.TYPE, AddendaType, "addenda type code")
    if addenda_type is AddendaType.PAYMENT_RELATED:
        return _parse_payment_addenda(fields)
    if addenda_type is AddendaType.NOTIFICATION_OF_CHANGE:
        return _parse_change_addenda(fields)
    if addenda_type is AddendaType.RETURN:
        return _parse_return_addenda(fields)
    return None


def _parse_payment_addenda(fields: RecordFields) -> PaymentAddenda | None:
    layout = PaymentAddendaLayout
    sequence_number = fields.integer(layout.SEQUENCE)
    entry_sequence = fields.digits(layout.ENTRY_SEQUENCE)
    if not fields.valid:
        return None
    return PaymentAddenda(
        record_number=fields.record_number,
        payment_information=layout.PAYMENT_INFORMATION.cut(fields.record).rstrip(),
        sequence_number=sequence_number,
        entry_sequence_number=entry_sequence,
    )


def _parse_change_addenda(fields: RecordFields) -> NotificationOfChange | None:
    layout = ChangeAddendaLayout
    change_code = fields.code(layout.CHANGE_CODE, ChangeCode, "change code")
    original_trace = fields.digits(layout.ORIGINAL_TRACE)
    original_rdfi = fields.digits(layout.ORIGINAL_RDFI)
    trace_number = fields.digits(layout.TRACE_NUMBER)
    if not fields.valid or change_code is None:
        return None
    return NotificationOfChange(
        record_number=fields.record_number,
        change_code=change_code,
        original_trace_number=original_trace,
        original_rdfi_identification=original_rdfi,
        corrected_data=layout.CORRECTED_DATA.cut(fields.record).rstrip(),
        trace_number=trace_number,
    )


def _parse_return_addenda(fields: RecordFields) -> ReturnAddenda | None:
    layout = ReturnAddendaLayout
    reason_code = fields.code(layout.REASON_CODE, ReturnReasonCode, "return reason code")
    original_trace = fields.digits(layout.ORIGINAL_TRACE)
    original_rdfi = fields.digits(layout.ORIGINAL_RDFI)
    trace_number = fields.digits(layout.TRACE_NUMBER)
    if reason_code is None:
        return None

    addenda = ReturnAddenda(
        record_number=fields.record_number,
        kind=reason_code.kind,
        reason_code=reason_code,
        original_trace_number=original_trace,
        original_rdfi_identification=original_rdfi,
        trace_number=trace_number,
        **_return_details(fields, reason_code.kind),
    )
    return addenda if fields.valid else None


def _return_details(fields: RecordFields, kind: ReturnKind) -> dict[str, Any]:
    """Read the fields between the original RDFI and the trace number, laid out by the kind of return."""
    if kind is ReturnKind.DISHONORED:
        return {
            "addenda_information": fields.text(DishonoredReturnLayout.ADDENDA_INFORMATION),
            **_dishonored_return_details(fields, DishonoredReturnLayout),
        }
    if kind is ReturnKind.CONTESTED_DISHONORED:
        contested = ContestedReturnLayout
        return {
            "addenda_information": "",
            **_dishonored_return_details(fields, contested),
            "date_original_entry_returned": fields.text(contested.DATE_ORIGINAL_ENTRY_RETURNED) or None,
            "original_settlement_day": fields.text(contested.ORIGINAL_SETTLEMENT_DATE) or None,
            "dishonored_return_trace_number": fields.optional_digits(contested.DISHONORED_RETURN_TRACE),
            "dishonored_return_settlement_day": fields.text(contested.DISHONORED_RETURN_SETTLEMENT_DATE) or None,
            "dishonored_return_reason": _reason_from_two_digits(fields.text(contested.DISHONORED_RETURN_REASON)),
        }
    return {
        "addenda_information": fields.text(ReturnAddendaLayout.ADDENDA_INFORMATION),
        "date_of_death": fields.optional_yymmdd(ReturnAddendaLayout.DATE_OF_DEATH),
    }


def _dishonored_return_details(
    fields: RecordFields, layout: type[DishonoredReturnLayout] | type[ContestedReturnLayout]
) -> dict[str, Any]:
    # Dishonored and contested returns place the fields of the earlier return at the same positions.
    return {
        "return_trace_number": fields.optional_digits(layout.RETURN_TRACE),
        "return_settlement_day": fields.text(layout.RETURN_SETTLEMENT_DATE) or None,
        "original_return_reason": _reason_from_two_digits(fields.text(layout.RETURN_REASON)),
    }


def _reason_from_two_digits(digits: str) -> str | None:
    """Dishonored and contested addenda quote earlier return codes without the R: 01 means R01."""
    return f"R{digits}" if digits else None


def parse_batch_control(fields: RecordFields) -> BatchControl | None:
    layout = BatchControlLayout
    service_class = fields.code(layout.SERVICE_CLASS, ServiceClass, "service class code")
    control = BatchControl(
        record_number=fields.record_number,
        service_class=service_class or ServiceClass.MIXED,
        entry_addenda_count=fields.integer(layout.ENTRY_ADDENDA_COUNT),
        entry_hash=fields.integer(layout.ENTRY_HASH),
        total_debit_cents=fields.integer(layout.TOTAL_DEBIT),
        total_credit_cents=fields.integer(layout.TOTAL_CREDIT),
        company_id=fields.text(layout.COMPANY_ID),
        odfi_identification=fields.digits(layout.ODFI),
        batch_number=fields.integer(layout.BATCH_NUMBER),
    )
    return control if fields.valid else None


def parse_file_control(fields: RecordFields) -> FileControl | None:
    layout = FileControlLayout
    control = FileControl(
        record_number=fields.record_number,
        batch_count=fields.integer(layout.BATCH_COUNT),
        block_count=fields.integer(layout.BLOCK_COUNT),
        entry_addenda_count=fields.integer(layout.ENTRY_ADDENDA_COUNT),
        entry_hash=fields.integer(layout.ENTRY_HASH),
        total_debit_cents=fields.integer(layout.TOTAL_DEBIT),
        total_credit_cents=fields.integer(layout.TOTAL_CREDIT),
    )
    return control if fields.valid else None
