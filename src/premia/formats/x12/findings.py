"""Findings: the errors and warnings a reader returns as data instead of raising.

A reader collects every finding in one pass, so one run reports every problem of a file.
Each finding names the segment, its position, the element, a stable code, a message and a
hint for the fix. Its scope is the unit an error rejects: the whole interchange, one
transaction set, or one 834 member.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class FindingScope(StrEnum):
    """The unit that an error rejects. A warning concerns the unit but rejects nothing."""

    INTERCHANGE = "interchange"
    TRANSACTION = "transaction"
    MEMBER = "member"


class FindingCode(StrEnum):
    # Interchange envelope (ISA, IEA) and delimiters.
    NOT_AN_INTERCHANGE = "x12.not_an_interchange"
    ISA_NOT_FIXED_WIDTH = "x12.isa_not_fixed_width"
    DELIMITERS_CHANGED = "x12.delimiters_changed"
    INVALID_CHARACTER = "x12.invalid_character"
    INTERCHANGE_CONTROL_NUMBER_MISMATCH = "x12.interchange_control_number_mismatch"
    DUPLICATE_INTERCHANGE_CONTROL_NUMBER = "x12.duplicate_interchange_control_number"
    GROUP_COUNT_MISMATCH = "x12.group_count_mismatch"
    INTERCHANGE_TRAILER_MISSING = "x12.interchange_trailer_missing"
    # Functional group (GS, GE).
    GROUP_CONTROL_NUMBER_MISMATCH = "x12.group_control_number_mismatch"
    SET_COUNT_MISMATCH = "x12.transaction_set_count_mismatch"
    GROUP_TRAILER_MISSING = "x12.group_trailer_missing"
    # Transaction set (ST, SE).
    SET_CONTROL_NUMBER_MISMATCH = "x12.transaction_set_control_number_mismatch"
    SEGMENT_COUNT_MISMATCH = "x12.segment_count_mismatch"
    SET_TRAILER_MISSING = "x12.transaction_set_trailer_missing"
    DUPLICATE_SET_CONTROL_NUMBER = "x12.duplicate_transaction_set_control_number"
    UNSUPPORTED_TRANSACTION_SET = "x12.unsupported_transaction_set"
    UNSUPPORTED_VERSION = "x12.unsupported_version"
    SEGMENT_OUT_OF_PLACE = "x12.segment_out_of_place"
    # Segments and elements inside a transaction set.
    UNKNOWN_SEGMENT = "x12.unknown_segment"
    REQUIRED_SEGMENT_MISSING = "x12.required_segment_missing"
    REQUIRED_ELEMENT_MISSING = "x12.required_element_missing"
    INVALID_CODE = "x12.invalid_code"
    UNKNOWN_QUALIFIER = "x12.unknown_qualifier"
    INVALID_DATE = "x12.invalid_date"
    INVALID_TIME = "x12.invalid_time"
    INVALID_AMOUNT = "x12.invalid_amount"
    INVALID_VALUE = "x12.invalid_value"
    # Totals that a file states about itself.
    CONTROL_TOTAL_MISMATCH = "x12.control_total_mismatch"
    PAYMENT_TOTAL_MISMATCH = "x12.payment_total_mismatch"
    # Findings of the TR3 (implementation guide) validator.
    TR3_INTERCHANGE_ERROR = "x12.tr3_interchange_error"
    TR3_GROUP_ERROR = "x12.tr3_group_error"
    TR3_SET_ERROR = "x12.tr3_transaction_set_error"
    TR3_SEGMENT_ERROR = "x12.tr3_segment_error"
    TR3_ELEMENT_ERROR = "x12.tr3_element_error"
    TR3_UNAVAILABLE = "x12.tr3_unavailable"


class Finding(NamedTuple):
    """One error or warning about an X12 file.

    ``position`` counts segments from 1 at the first ISA of the file. ``element`` names the
    element as the implementation guides do (``SE01``, ``INS02``), or is None when the whole
    segment is at fault. ``interchange``, ``group`` and ``transaction`` are the ISA13, GS06
    and ST02 control numbers around the finding, where known. ``member_position`` is the
    position of the INS segment of the 834 member that an error rejects. ``syntax_code`` is
    the X12 acknowledgment code when the validator supplied one (TR3 findings); otherwise the
    999 writer derives it from ``code``.
    """

    code: FindingCode
    severity: Severity
    scope: FindingScope
    segment_id: str
    position: int
    element: str | None
    message: str
    hint: str | None = None
    value: str | None = None
    interchange: str | None = None
    group: str | None = None
    transaction: str | None = None
    member_position: int | None = None
    syntax_code: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def describe(self) -> str:
        """Return the finding as one line for logs and rejection reports."""
        place = f"{self.segment_id} segment {self.position}"
        if self.element:
            place = f"{self.element} in {place}"
        text = f"{self.severity}: {place}: {self.message}"
        if self.hint:
            text = f"{text} {self.hint}"
        return text


def has_errors(findings: list[Finding] | tuple[Finding, ...], scope: FindingScope | None = None) -> bool:
    """Return whether any finding is an error, optionally only errors of one scope."""
    return any(finding.is_error and (scope is None or finding.scope is scope) for finding in findings)
