"""Field positions of the NACHA records, 1-based and inclusive as in the NACHA record layouts.

The reader slices records with these fields and the writer checks widths against them, so
both sides use one table.
"""

from __future__ import annotations

from dataclasses import dataclass

RECORD_LENGTH = 94
BLOCKING_FACTOR = 10
PADDING_RECORD = "9" * RECORD_LENGTH


@dataclass(frozen=True)
class Field:
    """One fixed-width field: its name and its first and last position in the 94-character record."""

    name: str
    start: int
    end: int

    @property
    def width(self) -> int:
        return self.end - self.start + 1

    def cut(self, record: str) -> str:
        return record[self.start - 1 : self.end]


class FileHeaderLayout:
    PRIORITY_CODE = Field("priority_code", 2, 3)
    IMMEDIATE_DESTINATION = Field("immediate_destination", 4, 13)
    IMMEDIATE_ORIGIN = Field("immediate_origin", 14, 23)
    CREATION_DATE = Field("file_creation_date", 24, 29)
    CREATION_TIME = Field("file_creation_time", 30, 33)
    FILE_ID_MODIFIER = Field("file_id_modifier", 34, 34)
    RECORD_SIZE = Field("record_size", 35, 37)
    BLOCKING_FACTOR = Field("blocking_factor", 38, 39)
    FORMAT_CODE = Field("format_code", 40, 40)
    DESTINATION_NAME = Field("immediate_destination_name", 41, 63)
    ORIGIN_NAME = Field("immediate_origin_name", 64, 86)
    REFERENCE_CODE = Field("reference_code", 87, 94)


class BatchHeaderLayout:
    SERVICE_CLASS = Field("service_class_code", 2, 4)
    COMPANY_NAME = Field("company_name", 5, 20)
    DISCRETIONARY_DATA = Field("company_discretionary_data", 21, 40)
    COMPANY_ID = Field("company_identification", 41, 50)
    SEC_CODE = Field("standard_entry_class_code", 51, 53)
    ENTRY_DESCRIPTION = Field("company_entry_description", 54, 63)
    DESCRIPTIVE_DATE = Field("company_descriptive_date", 64, 69)
    EFFECTIVE_ENTRY_DATE = Field("effective_entry_date", 70, 75)
    SETTLEMENT_DATE = Field("settlement_date", 76, 78)
    ORIGINATOR_STATUS = Field("originator_status_code", 79, 79)
    ODFI = Field("originating_dfi_identification", 80, 87)
    BATCH_NUMBER = Field("batch_number", 88, 94)


class EntryLayout:
    TRANSACTION_CODE = Field("transaction_code", 2, 3)
    RDFI = Field("receiving_dfi_identification", 4, 11)
    CHECK_DIGIT = Field("check_digit", 12, 12)
    ACCOUNT_NUMBER = Field("dfi_account_number", 13, 29)
    AMOUNT = Field("amount", 30, 39)
    INDIVIDUAL_ID = Field("individual_identification_number", 40, 54)
    INDIVIDUAL_NAME = Field("individual_name", 55, 76)
    DISCRETIONARY_DATA = Field("discretionary_data", 77, 78)
    ADDENDA_INDICATOR = Field("addenda_record_indicator", 79, 79)
    TRACE_NUMBER = Field("trace_number", 80, 94)


class AddendaLayout:
    TYPE = Field("addenda_type_code", 2, 3)


class PaymentAddendaLayout:
    PAYMENT_INFORMATION = Field("payment_related_information", 4, 83)
    SEQUENCE = Field("addenda_sequence_number", 84, 87)
    ENTRY_SEQUENCE = Field("entry_detail_sequence_number", 88, 94)


class ChangeAddendaLayout:
    CHANGE_CODE = Field("change_code", 4, 6)
    ORIGINAL_TRACE = Field("original_entry_trace_number", 7, 21)
    ORIGINAL_RDFI = Field("original_receiving_dfi_identification", 28, 35)
    CORRECTED_DATA = Field("corrected_data", 36, 64)
    TRACE_NUMBER = Field("trace_number", 80, 94)


class ReturnAddendaLayout:
    REASON_CODE = Field("return_reason_code", 4, 6)
    ORIGINAL_TRACE = Field("original_entry_trace_number", 7, 21)
    DATE_OF_DEATH = Field("date_of_death", 22, 27)
    ORIGINAL_RDFI = Field("original_receiving_dfi_identification", 28, 35)
    ADDENDA_INFORMATION = Field("addenda_information", 36, 79)
    TRACE_NUMBER = Field("trace_number", 80, 94)


class DishonoredReturnLayout:
    """Addenda 99 of a dishonored return (R61-R70), sent by the ODFI."""

    RETURN_TRACE = Field("return_trace_number", 39, 53)
    RETURN_SETTLEMENT_DATE = Field("return_settlement_date", 54, 56)
    RETURN_REASON = Field("return_reason_code", 57, 58)
    ADDENDA_INFORMATION = Field("addenda_information", 59, 79)


class ContestedReturnLayout:
    """Addenda 99 of a contested dishonored return (R71-R77), sent by the RDFI."""

    DATE_ORIGINAL_ENTRY_RETURNED = Field("date_original_entry_returned", 22, 27)
    ORIGINAL_SETTLEMENT_DATE = Field("original_settlement_date", 36, 38)
    RETURN_TRACE = Field("return_trace_number", 39, 53)
    RETURN_SETTLEMENT_DATE = Field("return_settlement_date", 54, 56)
    RETURN_REASON = Field("return_reason_code", 57, 58)
    DISHONORED_RETURN_TRACE = Field("dishonored_return_trace_number", 59, 73)
    DISHONORED_RETURN_SETTLEMENT_DATE = Field("dishonored_return_settlement_date", 74, 76)
    DISHONORED_RETURN_REASON = Field("dishonored_return_reason_code", 77, 78)


class BatchControlLayout:
    SERVICE_CLASS = Field("service_class_code", 2, 4)
    ENTRY_ADDENDA_COUNT = Field("entry_addenda_count", 5, 10)
    ENTRY_HASH = Field("entry_hash", 11, 20)
    TOTAL_DEBIT = Field("total_debit_entry_dollar_amount", 21, 32)
    TOTAL_CREDIT = Field("total_credit_entry_dollar_amount", 33, 44)
    COMPANY_ID = Field("company_identification", 45, 54)
    MESSAGE_AUTHENTICATION_CODE = Field("message_authentication_code", 55, 73)
    ODFI = Field("originating_dfi_identification", 80, 87)
    BATCH_NUMBER = Field("batch_number", 88, 94)


class FileControlLayout:
    BATCH_COUNT = Field("batch_count", 2, 7)
    BLOCK_COUNT = Field("block_count", 8, 13)
    ENTRY_ADDENDA_COUNT = Field("entry_addenda_count", 14, 21)
    ENTRY_HASH = Field("entry_hash", 22, 31)
    TOTAL_DEBIT = Field("total_debit_entry_dollar_amount", 32, 43)
    TOTAL_CREDIT = Field("total_credit_entry_dollar_amount", 44, 55)
