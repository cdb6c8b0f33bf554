"""Inputs and enumerations for the accounts area (pure: no database, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from premia.rating.contributions import ContributionRule


class AccountKind(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"


class AccountStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PaymentMethod(StrEnum):
    INVOICE = "invoice"
    ACH_AUTODRAFT = "ach_autodraft"
    CARD_ON_FILE = "card_on_file"


class PaymentMode(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMI_ANNUAL = "semi_annual"
    ANNUAL = "annual"

    @property
    def months(self) -> int:
        return {"monthly": 1, "quarterly": 3, "semi_annual": 6, "annual": 12}[self.value]


class Delivery(StrEnum):
    PAPER = "paper"
    EMAIL = "email"
    BOTH = "both"


class Language(StrEnum):
    ENGLISH = "en"
    SPANISH = "es"


class Sex(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


class ChangeSource(StrEnum):
    """Where a demographic change came from, kept in the person's history."""

    ENROLLMENT_834 = "834"
    STAFF = "staff"
    MEMBER = "member"


class BankAccountType(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"


class AuthorizationMethod(StrEnum):
    """How the payer authorized ACH debits; the NACHA SEC code follows from it."""

    PAPER = "paper"
    ONLINE = "online"
    TELEPHONE = "telephone"

    @property
    def sec_code(self) -> str:
        return {"paper": "PPD", "online": "WEB", "telephone": "TEL"}[self.value]


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    state: str
    zip_code: str
    line2: str | None = None
    county_code: str | None = None


@dataclass(frozen=True)
class PersonInput:
    first_name: str
    last_name: str
    birth_date: date
    sex: Sex = Sex.UNKNOWN
    middle_name: str | None = None
    name_suffix: str | None = None
    member_id: str | None = None
    ssn: str | None = None
    residential_address: Address | None = None
    mailing_address: Address | None = None
    phone: str | None = None
    email: str | None = None
    spoken_language: Language = Language.ENGLISH
    written_language: Language = Language.ENGLISH


@dataclass(frozen=True)
class BillingPreferences:
    """A billing account's preferences for billing and payment.

    ``language`` None opens the account in its holder's written language (English for an
    employer group), so a Spanish reader's invoices are in Spanish unless another is chosen.
    """

    payment_method: PaymentMethod = PaymentMethod.INVOICE
    payment_mode: PaymentMode = PaymentMode.MONTHLY
    delivery: Delivery = Delivery.PAPER
    language: Language | None = None
    due_day: int = 1
    autodraft_day: int | None = None
    payer_name: str | None = None
    payer_email: str | None = None
    payer_phone: str | None = None
    payer_address: Address | None = None


@dataclass(frozen=True)
class EmployerGroupInput:
    group_number: str
    name: str
    anniversary_month: int
    address: Address
    tax_id: str | None = None
    parent_group_number: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    # What the employer pays of each employee's premium; a sub-group without one uses its parent's.
    contribution: ContributionRule | None = None


@dataclass(frozen=True)
class BankAccountInput:
    holder_name: str
    routing_number: str
    account_number: str
    account_type: BankAccountType
    authorization_method: AuthorizationMethod
    authorized_by: str
    authorization_reference: str | None = None


@dataclass(frozen=True)
class AccountInput:
    """A new billing account: for a person (new or existing) or for an employer group."""

    kind: AccountKind
    preferences: BillingPreferences = field(default_factory=BillingPreferences)
    holder: PersonInput | None = None
    holder_member_id: str | None = None
    employer_group_number: str | None = None
    legal_entity: str = "MAIN"
