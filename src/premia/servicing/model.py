"""Vocabulary of the service desk: contacts, verification, cases, disputes, claims (pure).

Every status and code is a ``StrEnum`` whose value is what the database stores and what the
CLI and API accept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class ContactChannel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    LETTER = "letter"
    PORTAL = "portal"


class ContactDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class PartyKind(StrEnum):
    """The other side of a contact."""

    MEMBER = "member"
    REPRESENTATIVE = "representative"
    EMPLOYER = "employer"
    AGENT = "agent"
    OTHER = "other"


class ContactSubject(StrEnum):
    """The topic of a contact. First contact resolution compares contacts by subject."""

    BILLING = "billing"
    PAYMENTS = "payments"
    CLAIMS = "claims"
    COVERAGE = "coverage"
    DEMOGRAPHICS = "demographics"
    ID_CARD = "id_card"
    DISPUTE = "dispute"
    COMPLAINT = "complaint"
    OTHER = "other"


class VerificationMethod(StrEnum):
    """The method used to check the caller's identity.

    ``identifiers``: the caller stated identifiers that are compared with the record.
    ``portal_session``: the member is logged in to the member portal.
    ``photo_id``: staff saw a government photo ID in person.
    """

    IDENTIFIERS = "identifiers"
    PORTAL_SESSION = "portal_session"
    PHOTO_ID = "photo_id"


class VerificationResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class AssuranceLevel(StrEnum):
    """``basic``: member ID, full name and date of birth. ``enhanced``: also ZIP code or SSN last four."""

    BASIC = "basic"
    ENHANCED = "enhanced"


class ProtectedAction(StrEnum):
    """An action a verified caller may take on a contact, each with the assurance level it needs."""

    VIEW_MEMBER_DATA = "view_member_data"
    DISCUSS_BILLING = "discuss_billing"
    DISCUSS_CLAIMS = "discuss_claims"
    CHANGE_DEMOGRAPHICS = "change_demographics"
    CHANGE_PAYMENT_METHOD = "change_payment_method"
    REQUEST_REFUND = "request_refund"

    @property
    def required_level(self) -> AssuranceLevel:
        if self in {ProtectedAction.CHANGE_PAYMENT_METHOD, ProtectedAction.REQUEST_REFUND}:
            return AssuranceLevel.ENHANCED
        return AssuranceLevel.BASIC


class AuthorityKind(StrEnum):
    """The legal basis on which someone other than the member may act for them.

    A personal representative (power of attorney, guardian, parent of a minor, executor) is
    treated as the member. An authorized person has a signed authorization limited to its
    scopes. A person involved in payment (a family member paying the bill) may discuss billing.
    """

    PERSONAL_REPRESENTATIVE = "personal_representative"
    AUTHORIZED_PERSON = "authorized_person"
    INVOLVED_IN_PAYMENT = "involved_in_payment"


class CaseType(StrEnum):
    INQUIRY = "inquiry"
    BILLING_DISPUTE = "billing_dispute"
    DEMOGRAPHIC_CHANGE = "demographic_change"
    COMPLAINT = "complaint"
    REFUND_REQUEST = "refund_request"


class CasePriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CaseStatus(StrEnum):
    """``waiting_on_member`` pauses the SLA clock; ``resolved`` and ``closed`` stop it."""

    NEW = "new"
    OPEN = "open"
    WAITING_ON_MEMBER = "waiting_on_member"
    RESOLVED = "resolved"
    CLOSED = "closed"


class CaseAction(StrEnum):
    ASSIGN = "assign"
    WAIT_ON_MEMBER = "wait_on_member"
    RESUME = "resume"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


class ResolutionCode(StrEnum):
    ANSWERED = "answered"
    CORRECTED = "corrected"
    CREDITED = "credited"
    REFUNDED = "refunded"
    DENIED = "denied"
    REFERRED = "referred"
    WITHDRAWN = "withdrawn"
    DUPLICATE = "duplicate"


class DisputeStatus(StrEnum):
    """``open`` and ``pending_approval`` hold the disputed amount from collection."""

    OPEN = "open"
    PENDING_APPROVAL = "pending_approval"
    CREDITED = "credited"
    REFUND_REQUESTED = "refund_requested"
    DENIED = "denied"

    @property
    def holds_collection(self) -> bool:
        return self in {DisputeStatus.OPEN, DisputeStatus.PENDING_APPROVAL}


class DisputeAction(StrEnum):
    DECIDE = "decide"
    APPROVE = "approve"
    REJECT = "reject"


class DisputeOutcome(StrEnum):
    ADJUSTMENT_CREDIT = "adjustment_credit"
    REFUND = "refund"
    DENIAL = "denial"

    @property
    def decided_status(self) -> DisputeStatus:
        return {
            DisputeOutcome.ADJUSTMENT_CREDIT: DisputeStatus.CREDITED,
            DisputeOutcome.REFUND: DisputeStatus.REFUND_REQUESTED,
            DisputeOutcome.DENIAL: DisputeStatus.DENIED,
        }[self]

    @property
    def resolution_code(self) -> ResolutionCode:
        return {
            DisputeOutcome.ADJUSTMENT_CREDIT: ResolutionCode.CREDITED,
            DisputeOutcome.REFUND: ResolutionCode.REFUNDED,
            DisputeOutcome.DENIAL: ResolutionCode.DENIED,
        }[self]


class ClaimStatus(StrEnum):
    RECEIVED = "received"
    PENDED = "pended"
    PAID = "paid"
    DENIED = "denied"


class ExchangeReportStatus(StrEnum):
    """A change an exchange member must report to the Marketplace, not applied by the carrier."""

    AWAITING_EXCHANGE = "awaiting_exchange"
    RECEIVED = "received"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class CallerIdentifiers:
    """The identifiers the caller stated, to compare with the member's record.

    Empty fields were not requested.
    """

    member_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None
    zip_code: str | None = None
    ssn_last4: str | None = None


@dataclass(frozen=True)
class ContactInput:
    """One interaction to log. ``member_id`` or ``account_number`` names who it was about."""

    channel: ContactChannel
    direction: ContactDirection
    subject: ContactSubject
    party_kind: PartyKind = PartyKind.MEMBER
    party_name: str | None = None
    member_id: str | None = None
    account_number: str | None = None
    case_number: str | None = None
    notes: str | None = None
    authorized_party_id: int | None = None


@dataclass(frozen=True)
class CaseInput:
    case_type: CaseType
    subject: str
    priority: CasePriority = CasePriority.NORMAL
    description: str | None = None
    member_id: str | None = None
    account_number: str | None = None
    queue: str | None = None
    owner: str | None = None
    contact_id: int | None = None


@dataclass(frozen=True)
class AuthorizedPartyInput:
    """Someone allowed to act on an account: their name, relationship, authority and scopes.

    ``member_id`` limits the authority to one member of the account; ``None`` covers all.
    """

    name: str
    relationship: str
    authority: AuthorityKind
    effective_from: date
    scopes: frozenset[ProtectedAction] = field(default_factory=frozenset)
    member_id: str | None = None
    document_reference: str | None = None
    effective_to: date | None = None


@dataclass(frozen=True)
class DisputedItem:
    """One disputed invoice line or payment and the amount in dispute, in cents.

    ``amount_cents`` of ``None`` disputes the whole line or payment.
    """

    invoice_line_id: int | None = None
    payment_id: int | None = None
    amount_cents: int | None = None
