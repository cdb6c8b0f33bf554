"""Payment states and channels (pure)."""

from __future__ import annotations

from enum import StrEnum


class PaymentStatus(StrEnum):
    """``pending`` money is expected but not yet final (an ACH draft before settlement)."""

    PENDING = "pending"
    SETTLED = "settled"
    RETURNED = "returned"
    REVERSED = "reversed"


class PaymentChannel(StrEnum):
    ACH_AUTODRAFT = "ach_autodraft"
    LOCKBOX = "lockbox"
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    EXCHANGE_820 = "exchange_820"
    EMPLOYER_820 = "employer_820"
    MANUAL = "manual"


class PaymentMethod(StrEnum):
    """The instrument, for manual postings and receipts."""

    ACH = "ach"
    CHECK = "check"
    TRANSFER = "transfer"
    MONEY_ORDER = "money_order"
    CARD = "card"
    EXCHANGE = "exchange"


DEFAULT_CASH_ACCOUNT = "OPERATING"
