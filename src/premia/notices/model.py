"""Notice types and states (pure)."""

from __future__ import annotations

from enum import StrEnum


class NoticeType(StrEnum):
    INVOICE = "invoice"
    LIST_BILL = "list_bill"
    AUTODRAFT_PRENOTIFICATION = "autodraft_prenotification"
    PAYMENT_RECEIPT = "payment_receipt"
    RETURNED_PAYMENT = "returned_payment"
    DELINQUENCY = "delinquency"
    GRACE_SECOND = "grace_second"
    FINAL = "final"
    TERMINATION = "termination"
    PROVIDER_PEND = "provider_pend"
    RENEWAL = "renewal"
    CANCELLATION = "cancellation"
    REFUND = "refund"
    DISPUTE_OUTCOME = "dispute_outcome"
    SURVEY = "survey"


class NoticeStatus(StrEnum):
    """``pending`` notices wait for delivery; delivery moves them on."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"
