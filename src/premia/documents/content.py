"""Document content: plain records that the templates read (pure: no database, no I/O).

Amounts are integer cents and dates are ``date`` values until the template formats them in
the document's language. Letter text is given as phrase keys with their values, so that the
same facts print in English or Spanish from one template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from premia.documents.model import MailingAddress
from premia.kernel.dates import Month
from premia.notices.model import NoticeType


@dataclass(frozen=True)
class Amount:
    """Cents to print as dollars, for example ``Amount(97_440)`` prints ``$974.40``."""

    cents: int


@dataclass(frozen=True)
class Carrier:
    name: str
    phone: str
    address_lines: tuple[str, ...]


@dataclass(frozen=True)
class MemberCharge:
    """One member's premium for one coverage month, as itemised on an invoice.

    ``gross_cents`` is the age-rated premium billed (prorated when ``days_covered`` is less
    than ``days_in_month``). ``aptc_cents`` is the tax credit the exchange pays, as a positive
    amount, and ``employer_cents`` the employer's contribution on a group bill.
    """

    member_name: str
    member_id: str
    relationship: str
    coverage_month: Month
    rated_age: int | None
    days_covered: int
    days_in_month: int
    gross_cents: int
    aptc_cents: int = 0
    employer_cents: int = 0

    @property
    def net_cents(self) -> int:
        """What the payer owes for the line: gross less the tax credit."""
        return self.gross_cents - self.aptc_cents

    @property
    def employee_cents(self) -> int:
        """The employee's part of a group premium: gross less the employer's contribution."""
        return self.gross_cents - self.employer_cents

    @property
    def partial_month(self) -> bool:
        return self.days_covered < self.days_in_month


@dataclass(frozen=True)
class Adjustment:
    """A correction for an earlier coverage month: coverage added (positive) or ended (negative)."""

    coverage_month: Month
    member_name: str
    kind: str
    amount_cents: int
    days_covered: int
    days_in_month: int


@dataclass(frozen=True)
class Fee:
    description: str
    amount_cents: int


@dataclass(frozen=True)
class Enrollment:
    """One employee's enrollment on a group list bill, with each covered member's charges."""

    subscriber_name: str
    member_id: str
    policy_number: str
    charges: tuple[MemberCharge, ...]

    @property
    def gross_cents(self) -> int:
        return sum(charge.gross_cents for charge in self.charges)

    @property
    def employer_cents(self) -> int:
        return sum(charge.employer_cents for charge in self.charges)

    @property
    def employee_cents(self) -> int:
        return sum(charge.employee_cents for charge in self.charges)


@dataclass(frozen=True)
class InvoiceContent:
    """An invoice's statement: activity since the last invoice, current charges and the total due.

    ``payments_cents`` is the signed change in the balance since the previous invoice other
    than fees (payments are negative). ``previous_balance_cents + payments_cents +
    fees_cents + adjustments_cents + current_charges_cents`` equals ``amount_due_cents``.
    ``credits_applied_cents`` is credit already on the account that this invoice used; it is
    part of ``payments_cents``, shown on its own for the payer's information.
    """

    invoice_number: str
    issue_date: date
    period_start: date
    period_end: date
    due_date: date
    previous_balance_cents: int
    payments_cents: int
    fees: tuple[Fee, ...]
    adjustments: tuple[Adjustment, ...]
    current_charges_cents: int
    gross_cents: int
    aptc_cents: int
    credits_applied_cents: int
    amount_due_cents: int
    charges: tuple[MemberCharge, ...]
    enrollments: tuple[Enrollment, ...] = ()
    autodraft_account_last4: str | None = None

    @property
    def fees_cents(self) -> int:
        return sum(fee.amount_cents for fee in self.fees)

    @property
    def adjustments_cents(self) -> int:
        return sum(adjustment.amount_cents for adjustment in self.adjustments)

    @property
    def employer_cents(self) -> int:
        return sum(enrollment.employer_cents for enrollment in self.enrollments)

    @property
    def employee_cents(self) -> int:
        return sum(enrollment.employee_cents for enrollment in self.enrollments)

    @property
    def has_aptc(self) -> bool:
        return self.aptc_cents != 0 or any(charge.aptc_cents for charge in self.charges)


@dataclass(frozen=True)
class GraceStatus:
    """The account's grace period, where one is running, and what happens if it is not cured.

    ``aptc`` marks the three-month grace period of members who receive the tax credit, in
    which claims for the second and third months are pended. ``claims_pended_from`` is the
    first service date whose claims are pended, in either kind of grace period.
    """

    in_grace: bool
    aptc: bool
    grace_end: date | None = None
    termination_date: date | None = None
    claims_pended: bool = False
    claims_pended_from: date | None = None


@dataclass(frozen=True)
class Coupon:
    """The tear-off remittance coupon returned with a mailed payment."""

    payer_name: str
    account_number: str
    invoice_number: str | None
    due_date: date | None
    amount_due_cents: int
    scan_line: str


@dataclass(frozen=True)
class Phrase:
    """A sentence from the phrase catalog with the values it names (Amount, date, str)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fact:
    """A labelled value in a letter's facts table."""

    label: str
    value: Any


@dataclass(frozen=True)
class LetterContent:
    """A letter's body: opening sentences, warnings set apart, facts, members named, closing.

    The first three facts are printed in the box beside the address; any others follow the
    opening sentences. ``warnings`` state what happens if the payer does nothing.
    """

    paragraphs: tuple[Phrase, ...]
    facts: tuple[Fact, ...] = ()
    warnings: tuple[Phrase, ...] = ()
    members: tuple[str, ...] = ()
    closing: tuple[Phrase, ...] = ()
    asks_for_payment: bool = False


@dataclass(frozen=True)
class DocumentContent:
    """Everything one document shows. Exactly one of ``invoice`` and ``letter`` is set."""

    notice_type: NoticeType
    language: str
    document_date: date
    reference: str
    carrier: Carrier
    recipient_name: str
    recipient_address: MailingAddress | None
    account_number: str
    policy_number: str | None = None
    invoice: InvoiceContent | None = None
    letter: LetterContent | None = None
    grace: GraceStatus | None = None
    coupon: Coupon | None = None
