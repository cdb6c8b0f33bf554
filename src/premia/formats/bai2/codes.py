"""BAI2 code lists: record codes, funds types, group status, as-of-date modifiers and type-code ranges."""

from __future__ import annotations

from enum import StrEnum


class RecordCode(StrEnum):
    FILE_HEADER = "01"
    GROUP_HEADER = "02"
    ACCOUNT_IDENTIFIER = "03"
    TRANSACTION_DETAIL = "16"
    CONTINUATION = "88"
    ACCOUNT_TRAILER = "49"
    GROUP_TRAILER = "98"
    FILE_TRAILER = "99"

    @property
    def description(self) -> str:
        return _RECORD_DESCRIPTIONS[self]


_RECORD_DESCRIPTIONS = {
    RecordCode.FILE_HEADER: "file header",
    RecordCode.GROUP_HEADER: "group header",
    RecordCode.ACCOUNT_IDENTIFIER: "account identifier",
    RecordCode.TRANSACTION_DETAIL: "transaction detail",
    RecordCode.CONTINUATION: "continuation",
    RecordCode.ACCOUNT_TRAILER: "account trailer",
    RecordCode.GROUP_TRAILER: "group trailer",
    RecordCode.FILE_TRAILER: "file trailer",
}


class FundsType(StrEnum):
    """When deposited funds become available, as a summary or transaction states it."""

    IMMEDIATE = "0"
    ONE_DAY = "1"
    TWO_OR_MORE_DAYS = "2"
    # Immediate, one-day and two-or-more-day amounts follow.
    DISTRIBUTED = "S"
    # A value date and an optional value time follow.
    VALUE_DATED = "V"
    # A count of (days, amount) pairs follows.
    DISTRIBUTED_BY_DAYS = "D"
    UNKNOWN = "Z"


class GroupStatus(StrEnum):
    UPDATE = "1"
    DELETION = "2"
    CORRECTION = "3"
    TEST_ONLY = "4"


class AsOfDateModifier(StrEnum):
    INTERIM_PREVIOUS_DAY = "1"
    FINAL_PREVIOUS_DAY = "2"
    INTERIM_SAME_DAY = "3"
    FINAL_SAME_DAY = "4"


class TypeCodeCategory(StrEnum):
    """The class of a BAI type code, given by its numeric range."""

    STATUS = "status"
    CREDIT = "credit"
    DEBIT = "debit"
    LOAN = "loan"
    # 800-999: non-monetary and bank-specific custom codes, whose direction the bank defines.
    OTHER = "other"


def classify_type_code(type_code: str) -> TypeCodeCategory:
    """Classify a three-digit type code: 001-099 status, 100-399 credits, 400-699 debits, 700-799 loans."""
    number = int(type_code)
    if number < 100:
        return TypeCodeCategory.STATUS
    if number < 400:
        return TypeCodeCategory.CREDIT
    if number < 700:
        return TypeCodeCategory.DEBIT
    if number < 800:
        return TypeCodeCategory.LOAN
    return TypeCodeCategory.OTHER


# Detail type codes of lockbox deposits: 115 lockbox deposit, 116 item in lockbox deposit,
# 118 lockbox adjustment credit.
LOCKBOX_TYPE_CODES = frozenset({"115", "116", "118"})
