"""Request and response models of billing accounts, persons' demographics, bank accounts and employer groups."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from premia.accounts.model import (
    AccountKind,
    Address,
    AuthorizationMethod,
    BankAccountType,
    Delivery,
    Language,
    PaymentMethod,
    PaymentMode,
    Sex,
)
from premia.interfaces.api.money import Money
from premia.interfaces.api.schemas.common import ApiDate, ApiInput

Name = Annotated[str, Field(min_length=1, max_length=64)]
Phone = Annotated[str, Field(max_length=32, description="Ten US digits; punctuation is ignored.")]
Email = Annotated[str, Field(max_length=254)]


class AddressIn(ApiInput):
    line1: str = Field(min_length=1, max_length=128)
    line2: str | None = Field(default=None, max_length=128)
    city: str = Field(min_length=1, max_length=64)
    state: str = Field(min_length=2, max_length=2)
    # Only the length is bounded here, so a short or malformed ZIP code gets the rules'
    # message (the value and the accepted forms) rather than a generic length error.
    zip_code: str = Field(min_length=1, max_length=10, description="Five digits or ZIP+4, such as 23220 or 23220-1234.")
    county_code: str | None = Field(default=None, max_length=8)

    def to_model(self) -> Address:
        return Address(
            line1=self.line1, line2=self.line2, city=self.city, state=self.state, zip_code=self.zip_code, county_code=self.county_code
        )


class HolderIn(ApiInput):
    first_name: Name
    last_name: Name
    birth_date: ApiDate
    sex: Sex = Sex.UNKNOWN
    ssn: str | None = Field(default=None, max_length=11, description="Nine digits; stored encrypted and shown masked.")
    address: AddressIn | None = None
    phone: Phone | None = None
    email: Email | None = None
    language: Language = Language.ENGLISH


class PreferencesIn(ApiInput):
    payment_method: PaymentMethod = PaymentMethod.INVOICE
    payment_mode: PaymentMode = PaymentMode.MONTHLY
    delivery: Delivery = Delivery.PAPER
    language: Language | None = Field(
        default=None, description="Language of invoices and notices; the holder's written language when omitted."
    )
    due_day: int = Field(default=1, ge=1, le=28)
    autodraft_day: int | None = Field(default=None, ge=1, le=28)
    payer_name: str | None = Field(default=None, max_length=128)
    payer_email: Email | None = None
    payer_phone: Phone | None = None


class AccountCreate(ApiInput):
    kind: AccountKind
    holder: HolderIn | None = None
    holder_member_id: str | None = Field(default=None, max_length=32)
    employer_group_number: str | None = Field(default=None, max_length=32)
    legal_entity: str = Field(default="MAIN", min_length=1, max_length=16)
    preferences: PreferencesIn = PreferencesIn()


class PreferencesPatch(ApiInput):
    payment_method: PaymentMethod | None = None
    payment_mode: PaymentMode | None = None
    delivery: Delivery | None = None
    language: Language | None = None
    due_day: int | None = Field(default=None, ge=1, le=28)
    autodraft_day: int | None = Field(default=None, ge=1, le=28)
    payer_name: str | None = Field(default=None, max_length=128)
    payer_email: Email | None = None
    payer_phone: Phone | None = None


class AddressOut(BaseModel):
    line1: str | None
    line2: str | None = None
    city: str | None
    state: str | None
    zip_code: str | None
    county_code: str | None = None


class PersonOut(BaseModel):
    """A person's demographics with the SSN masked to its last four digits."""

    member_id: str
    first_name: str
    middle_name: str | None
    last_name: str
    birth_date: date
    sex: str
    ssn: str
    address: AddressOut
    mailing_address: AddressOut | None
    phone: str | None
    email: str | None
    spoken_language: str
    written_language: str
    version: int


class PreferencesOut(BaseModel):
    payment_method: str
    payment_mode: str
    delivery: str
    language: str
    due_day: int
    autodraft_day: int | None
    payer_name: str | None
    payer_email: str | None
    payer_phone: str | None
    payer_address: AddressOut | None


class AuthorizationOut(BaseModel):
    """The payer's authorization of ACH debits: method, SEC code, who gave it and who recorded it."""

    method: str
    sec_code: str
    authorized_by: str
    authorized_at: datetime
    reference: str | None
    recorded_by: str


class BankAccountOut(BaseModel):
    id: int
    holder_name: str
    routing_number: str
    account_number: str = Field(description="Masked to the last four digits.")
    account_type: str
    status: str
    authorization: AuthorizationOut


class EmployerGroupRef(BaseModel):
    group_number: str
    name: str


class AccountOut(BaseModel):
    account_number: str
    kind: str
    status: str
    legal_entity: str
    holder_name: str
    holder: PersonOut | None
    employer_group: EmployerGroupRef | None
    preferences: PreferencesOut
    bank_accounts: list[BankAccountOut]
    version: int


class PolicyStandingOut(BaseModel):
    policy_number: str
    plan_id: str
    status: str
    effective_date: date
    end_date: date | None
    paid_through: date | None = Field(description="Last day payments fully cover, derived from the journal.")


class SummaryLineOut(BaseModel):
    coverage_month: str | None = Field(description="YYYY-MM; null for a fee.")
    policy_id: int | None
    person_id: int | None
    kind: str
    adjustment: bool
    amount: Money
    days: str = Field(description="Days covered / days in the month.")
    description: str


class SummaryInvoiceOut(BaseModel):
    invoice_number: str
    period: str = Field(description="First and last day of the billing period, as FIRST..LAST.")
    issue_date: date
    due_date: date
    previous_balance: Money
    payments_and_activity_since: Money
    current_charges: Money
    adjustments: Money
    credits_applied: Money
    amount_due: Money
    lines: list[SummaryLineOut]


class BillingSummaryOut(BaseModel):
    account_number: str
    balance: Money
    unapplied_credit: Money
    aging: dict[str, Money] = Field(description="Open receivable by days past due: current, 1-30, 31-60, 61-90, over 90.")
    policies: list[PolicyStandingOut]
    invoices: list[SummaryInvoiceOut]


class BankAccountIn(ApiInput):
    holder_name: str = Field(min_length=1, max_length=128)
    routing_number: str = Field(min_length=9, max_length=9, description="ABA routing number, nine digits.")
    account_number: str = Field(min_length=4, max_length=17)
    account_type: BankAccountType
    authorization_method: AuthorizationMethod = Field(description="paper (PPD), online (WEB) or telephone (TEL).")
    authorized_by: str = Field(min_length=1, max_length=128)
    authorization_reference: str | None = Field(default=None, max_length=128)


class ContributionRuleBody(ApiInput):
    """An employer contribution rule. Which fields it uses depends on ``kind``."""

    kind: Literal["employee_only_percent", "tier_amounts", "member_percent"] = Field(
        description=(
            "employee_only_percent: `percent` of the employee-only rate, whatever the tier; "
            "tier_amounts: a fixed dollar amount per coverage tier in `amounts`; "
            "member_percent: `employee_percent` of the employee's premium and `dependent_percent` "
            "(default the same) of each dependent's."
        )
    )
    percent: str | None = Field(default=None, max_length=12, examples=["75"])
    amounts: dict[Literal["ee", "es", "ec", "fam"], str] | None = Field(
        default=None, description="Dollars per tier: ee, es, ec and fam, all four.", examples=[{"ee": "400.00", "es": "650.00", "ec": "600.00", "fam": "900.00"}]
    )
    employee_percent: str | None = Field(default=None, max_length=12)
    dependent_percent: str | None = Field(default=None, max_length=12)

    def stored_form(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class ContributionPut(ApiInput):
    contribution: ContributionRuleBody | None = Field(description="The new rule, or null to remove it (a sub-group then uses its parent's).")


class EmployerGroupIn(ApiInput):
    group_number: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=128)
    anniversary_month: int = Field(ge=1, le=12, description="Month the group's plan year starts.")
    address: AddressIn
    tax_id: str | None = Field(default=None, max_length=16)
    parent_group_number: str | None = Field(default=None, max_length=32, description="Makes this group a sub-group of another.")
    contact_name: str | None = Field(default=None, max_length=128)
    contact_email: Email | None = None
    contact_phone: Phone | None = None
    contribution: ContributionRuleBody | None = None


class EmployerGroupOut(BaseModel):
    group_number: str
    name: str
    parent_group_number: str | None
    anniversary_month: int
    address: AddressOut
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    contribution: dict[str, Any] | None = Field(description="The group's own contribution rule in the stored form of ContributionRuleBody, or null.")


def money_of(text: str) -> Money:
    """A Money from the two-place amount text the billing queries return."""
    return Money(amount=text)


def summary_out(account_number: str, summary: dict[str, Any]) -> BillingSummaryOut:
    return BillingSummaryOut(
        account_number=account_number,
        balance=money_of(summary["balance"]),
        unapplied_credit=money_of(summary["unapplied_credit"]),
        aging={name: money_of(value) for name, value in summary["aging"].items()},
        policies=[PolicyStandingOut.model_validate(policy) for policy in summary["policies"]],
        invoices=[_summary_invoice(invoice) for invoice in summary["invoices"]],
    )


SUMMARY_AMOUNTS = ("previous_balance", "payments_and_activity_since", "current_charges", "adjustments", "credits_applied", "amount_due")


def _summary_invoice(invoice: dict[str, Any]) -> SummaryInvoiceOut:
    amounts = {key: money_of(invoice[key]) for key in SUMMARY_AMOUNTS}
    lines = [SummaryLineOut(**{**line, "amount": money_of(line["amount"])}) for line in invoice["lines"]]
    return SummaryInvoiceOut(
        invoice_number=invoice["invoice_number"],
        period=invoice["period"],
        issue_date=invoice["issue_date"],
        due_date=invoice["due_date"],
        lines=lines,
        **amounts,
    )
