"""Problem codes of the NACHA reader and writer, and their whole-file error.

The problem records and the rejection error are the bank-file ones of
:mod:`premia.formats.bank_file_errors`; the reader collects every problem, then raises
:class:`NachaFileRejected` with all of them.
"""

from __future__ import annotations

from enum import StrEnum

from premia.formats.bank_file_errors import BankFileRejected, problem, reject


class NachaProblem(StrEnum):
    # Characters and record lengths.
    EMPTY_FILE = "nacha.empty_file"
    INVALID_CHARACTER = "nacha.invalid_character"
    EMPTY_RECORD = "nacha.empty_record"
    RECORD_LENGTH = "nacha.record_length"
    RECORD_PADDED = "nacha.record_padded"
    NO_LINE_BREAKS = "nacha.no_line_breaks"
    BYTE_ORDER_MARK = "nacha.byte_order_mark"
    # Record order and file structure.
    UNKNOWN_RECORD_TYPE = "nacha.unknown_record_type"
    RECORD_OUT_OF_ORDER = "nacha.record_out_of_order"
    FILE_HEADER_MISSING = "nacha.file_header_missing"
    FILE_CONTROL_MISSING = "nacha.file_control_missing"
    BATCH_CONTROL_MISSING = "nacha.batch_control_missing"
    RETURN_EXTRACT = "nacha.return_extract"
    FILE_HEADER_FORMAT = "nacha.file_header_format"
    NOT_BLOCKED = "nacha.not_blocked"
    # Fields.
    INVALID_FIELD = "nacha.invalid_field"
    UNSUPPORTED_SEC_CODE = "nacha.unsupported_sec_code"
    ROUTING_CHECK_DIGIT = "nacha.routing_check_digit"
    AMOUNT_NOT_ZERO = "nacha.amount_not_zero"
    ADDENDA_INDICATOR_MISMATCH = "nacha.addenda_indicator_mismatch"
    ADDENDA_SEQUENCE = "nacha.addenda_sequence"
    MULTIPLE_RETURN_ADDENDA = "nacha.multiple_return_addenda"
    TRACE_NUMBER = "nacha.trace_number"
    # Controls: counts, hashes and totals a file states about itself.
    SERVICE_CLASS_MISMATCH = "nacha.service_class_mismatch"
    BATCH_CONTROL_MISMATCH = "nacha.batch_control_mismatch"
    ENTRY_COUNT_MISMATCH = "nacha.entry_addenda_count_mismatch"
    ENTRY_HASH_MISMATCH = "nacha.entry_hash_mismatch"
    DEBIT_TOTAL_MISMATCH = "nacha.debit_total_mismatch"
    CREDIT_TOTAL_MISMATCH = "nacha.credit_total_mismatch"
    BATCH_COUNT_MISMATCH = "nacha.batch_count_mismatch"
    BLOCK_COUNT_MISMATCH = "nacha.block_count_mismatch"
    # Whole-file outcomes.
    FILE_REJECTED = "nacha.file_rejected"
    BUILD_REJECTED = "nacha.build_rejected"


# One error type serves every bank-file format. The NACHA writer raises it too, for a file it
# cannot build, and the codes nacha.file_rejected and nacha.build_rejected tell the two apart.
NachaFileRejected = BankFileRejected

__all__ = ["NachaFileRejected", "NachaProblem", "problem", "reject"]
