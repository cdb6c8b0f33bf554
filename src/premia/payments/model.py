"""Payment states, channels and the codes the payment area stores (pure)."""

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


class ImportKind(StrEnum):
    """The kinds of payment file Premia imports."""

    NACHA_RETURNS = "nacha_returns"
    BAI2 = "bai2"
    CAMT = "camt"
    LOCKBOX = "lockbox"
    X12_820 = "x12_820"


class ImportStatus(StrEnum):
    """``running`` stays on a file whose import stopped part way; importing it again resumes it."""

    RUNNING = "running"
    COMPLETED = "completed"


class ItemOutcome(StrEnum):
    """The outcome of one line, loop or entry of an imported file."""

    POSTED = "posted"
    SUSPENSE = "suspense"
    RETURNED = "returned"
    CHANGED = "changed"
    RECORDED = "recorded"
    UNMATCHED = "unmatched"
    SKIPPED = "skipped"


class MatchRule(StrEnum):
    """The rule that tied a receipt to a billing account, or the reason it was not tied."""

    INVOICE_NUMBER = "invoice_number"
    ACCOUNT_NUMBER = "account_number"
    POLICY_NUMBER = "policy_number"
    EXCHANGE_POLICY = "exchange_policy"
    AMBIGUOUS = "ambiguous"
    NO_MATCH = "no_match"


class SuspenseStatus(StrEnum):
    OPEN = "open"
    APPLIED = "applied"
    REFUNDED = "refunded"


class RefundStatus(StrEnum):
    """A refund waits for a supervisor above the approval limit, then is paid by ACH or check."""

    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"
    RETURNED = "returned"


class RefundMethod(StrEnum):
    ACH = "ach"
    CHECK = "check"


class AchPurpose(StrEnum):
    """The reason Premia originated an ACH entry, which sets the NACHA entry description."""

    DRAFT = "draft"
    RETRY = "retry"
    RETURN_FEE = "return_fee"
    REFUND = "refund"


class AchEntryStatus(StrEnum):
    PENDING = "pending"
    SETTLED = "settled"
    RETURNED = "returned"


class Representment(StrEnum):
    """The state of a returned draft on the way to being presented again.

    Only R01 and R09 returns are ``eligible``; an entry becomes ``represented`` once a
    RETRY PYMT entry is sent for it, and ``exhausted`` when no further attempt is allowed.
    """

    ELIGIBLE = "eligible"
    REPRESENTED = "represented"
    EXHAUSTED = "exhausted"


class ReturnAction(StrEnum):
    """The step Premia takes for an ACH return beyond reversing the payment."""

    REPRESENT = "represent"
    DEACTIVATE_BANK_ACCOUNT = "deactivate_bank_account"
    REVOKE_AUTHORIZATION = "revoke_authorization"
    CONTACT_PAYER = "contact_payer"
    NONE = "none"


class ProcessorEventType(StrEnum):
    """Card processor events, for one processor transaction."""

    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"
    CHARGEBACK = "chargeback"


class EventOutcome(StrEnum):
    """``stale`` events are older than the last one applied to the transaction and change nothing."""

    APPLIED = "applied"
    NO_CHANGE = "no_change"
    STALE = "stale"
    DUPLICATE = "duplicate"
