"""A small book of business for console tests, built through the services as staff would.

Three billing accounts on the demo catalog: Maria Lopez (off-exchange individual, with a
spouse and, from March, a child), James Carter (on the exchange with APTC) and an employer
group with two employees. Billing runs for January to March 2026; Maria and the group paid
January and February, and James paid only January, so he is in an APTC grace period on the test day,
March 2, 2026. February has four calls, three resolved cases with survey answers, one
suspense item and an exchange 834 with one member rejected; Maria has an open billing
inquiry case.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from premia.accounts import service as accounts
from premia.accounts.model import (
    AccountInput,
    AccountKind,
    Address,
    AuthorizationMethod,
    BankAccountInput,
    BankAccountType,
    BillingPreferences,
    Delivery,
    EmployerGroupInput,
    PersonInput,
    Sex,
)
from premia.accounts.model import PaymentMethod as AccountPaymentMethod
from premia.accounts.person_service import create_person
from premia.accounts.tables import BillingAccount, Person
from premia.billing.service import run_billing
from premia.billing.tables import Invoice
from premia.catalog.service import current_catalog, load_catalog
from premia.delinquency.service import run_delinquency
from premia.enrollment import service as enrollment
from premia.enrollment.model import ExchangeAmountKind, Market, PolicyStatus, Relationship
from premia.importers.enrollment import ImportOptions, import_834
from premia.infra.context import ServiceContext
from premia.infra.settings import Settings
from premia.kernel.clock import FixedClock
from premia.payments.autodraft import run_autodraft
from premia.payments.model import PaymentChannel, PaymentMethod
from premia.payments.service import post_payment
from premia.payments.suspense import put_in_suspense
from premia.rating import DEMO_CATALOG_PATH
from premia.rating.catalog import Catalog
from premia.servicing.cases import open_case, resolve_case
from premia.servicing.config import default_config
from premia.servicing.contacts import log_contact
from premia.servicing.model import (
    CaseInput,
    CasePriority,
    CaseType,
    ContactChannel,
    ContactDirection,
    ContactInput,
    ContactSubject,
    ResolutionCode,
)
from premia.servicing.surveys import answer_survey, send_survey
from premia.staff import service as staff
from premia.staff.model import Actor
from premia.staff.permissions import Role
from tests.integration.enrollment_import.enrollment_files import coverage, interchange_text, member

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PASSWORD = "correct-horse-battery"
OFF_EXCHANGE_PLAN = "12345VA0040001"
EXCHANGE_PLAN = "12345VA0020001"
GROUP_PLAN = "12345VA0050001"
AREA = "VA-2"
USERS = {
    Role.CSR: ("casey", "Casey Service"),
    Role.BILLING: ("blair", "Blair Billing"),
    Role.SUPERVISOR: ("sam", "Sam Supervisor"),
    Role.AUDITOR: ("alex", "Alex Auditor"),
    Role.ADMIN: ("avery", "Avery Admin"),
    Role.FINANCE: ("frankie", "Frankie Finance"),
}


@dataclass
class SeededBook:
    """Numbers of what the seed created, for tests to look up."""

    maria_account: str = ""
    maria_member_id: str = ""
    maria_spouse_member_id: str = ""
    james_account: str = ""
    james_member_id: str = ""
    group_account: str = ""
    maria_case: str = ""
    invoices: dict[str, list[str]] = field(default_factory=dict)
    suspense_item_id: int = 0
    import_id: int = 0


def seed_book(session: Session, settings: Settings) -> SeededBook:
    """Create staff, load the demo catalog and build the three accounts with three months of billing."""
    ctx = ServiceContext(session=session, actor=Actor.system("seed"), clock=FixedClock(datetime(2025, 11, 20, 15, tzinfo=UTC)), settings=settings, channel="test")
    for role, (username, display_name) in USERS.items():
        staff.add_user(ctx, username=username, display_name=display_name, role=role, password=PASSWORD)
    load_catalog(ctx, DEMO_CATALOG_PATH)
    book = SeededBook()
    richmond = Address(line1="48 Oak Ave", city="Richmond", state="VA", zip_code="23220")

    maria = accounts.create_account(
        ctx,
        AccountInput(
            kind=AccountKind.INDIVIDUAL,
            holder=PersonInput(
                first_name="Maria",
                last_name="Lopez",
                birth_date=date(1980, 3, 15),
                sex=Sex.FEMALE,
                ssn="123456789",
                residential_address=richmond,
                phone="8045550142",
                email="maria.lopez@example.com",
            ),
            preferences=BillingPreferences(delivery=Delivery.EMAIL, payer_email="maria.lopez@example.com"),
        ),
    )
    book.maria_account = maria.account_number
    maria_policy = _policy(ctx, maria.id, maria.person_id, OFF_EXCHANGE_PLAN, on_exchange=False)
    spouse = create_person(ctx, PersonInput(first_name="Luis", last_name="Lopez", birth_date=date(1978, 7, 2), sex=Sex.MALE))
    enrollment.add_member(ctx, maria_policy, person_id=spouse.id, relationship=Relationship.SPOUSE, start_date=date(2026, 1, 1))
    book.maria_member_id = _member_id(ctx, maria.person_id)
    book.maria_spouse_member_id = spouse.member_id

    james = accounts.create_account(
        ctx,
        AccountInput(
            kind=AccountKind.INDIVIDUAL,
            holder=PersonInput(first_name="James", last_name="Carter", birth_date=date(1966, 11, 30), sex=Sex.MALE, residential_address=richmond, phone="8045550199"),
        ),
    )
    book.james_account = james.account_number
    book.james_member_id = _member_id(ctx, james.person_id)
    james_policy = _policy(ctx, james.id, james.person_id, EXCHANGE_PLAN, on_exchange=True)
    enrollment.set_exchange_amount(ctx, james_policy, kind=ExchangeAmountKind.APTC, amount_cents=45000, start_date=date(2026, 1, 1))

    accounts.create_employer_group(
        ctx,
        EmployerGroupInput(group_number="G-1001", name="Riverside Dental Group", anniversary_month=1, address=richmond),
    )
    group = accounts.get_group_row(ctx, "G-1001")
    group_account = accounts.create_account(ctx, AccountInput(kind=AccountKind.GROUP, employer_group_number="G-1001"))
    book.group_account = group_account.account_number
    for first, birth in (("Nora", date(1985, 5, 5)), ("Omar", date(1991, 9, 9))):
        employee = create_person(ctx, PersonInput(first_name=first, last_name="Employee", birth_date=birth))
        enrollment.create_policy(
            ctx,
            enrollment.PolicyInput(
                billing_account_id=group_account.id,
                subscriber_person_id=employee.id,
                plan_id=GROUP_PLAN,
                rating_area=AREA,
                market=Market.SMALL_GROUP,
                state="VA",
                effective_date=date(2026, 1, 1),
                employer_group_id=group.id,
                status=PolicyStatus.ACTIVE,
            ),
        )

    catalog = current_catalog(ctx)
    _bill(ctx, catalog, date(2025, 12, 15))
    _pay_latest_invoice(ctx, maria.id, on=date(2025, 12, 30))
    _pay_latest_invoice(ctx, james.id, on=date(2025, 12, 31))
    _pay_latest_invoice(ctx, group_account.id, on=date(2025, 12, 29))
    _bill(ctx, catalog, date(2026, 1, 15))
    _pay_latest_invoice(ctx, maria.id, on=date(2026, 1, 29))
    _pay_latest_invoice(ctx, group_account.id, on=date(2026, 1, 28))
    # A child joins Maria's policy from March, so March's invoice differs from February's.
    child = create_person(ctx, PersonInput(first_name="Sofia", last_name="Lopez", birth_date=date(2014, 4, 20), sex=Sex.FEMALE))
    enrollment.add_member(ctx, maria_policy, person_id=child.id, relationship=Relationship.CHILD, start_date=date(2026, 3, 1))
    _bill(ctx, catalog, date(2026, 2, 15))
    # James's February premium was not paid by its due date, so he is in an APTC grace period.
    _at(ctx, date(2026, 2, 10))
    run_delinquency(ctx, as_of=date(2026, 2, 10))
    _service_history(ctx, [maria.account_number, james.account_number, group_account.account_number])
    _draft_group(ctx, group_account.account_number)

    _at(ctx, date(2026, 2, 20))
    case = open_case(
        ctx,
        CaseInput(case_type=CaseType.INQUIRY, subject="Asks why the March bill went up", priority=CasePriority.NORMAL, account_number=maria.account_number),
    )
    book.maria_case = case.case_number
    item = put_in_suspense(
        ctx,
        channel=PaymentChannel.LOCKBOX,
        method=PaymentMethod.CHECK,
        received_on=date(2026, 2, 27),
        amount_cents=12500,
        cash_account="OPERATING",
        reason="No invoice or account number on the coupon.",
        payer_name="Maria Lopez",
        reference="check 5521",
    )
    book.suspense_item_id = item.id
    book.import_id = _import_enrollment_file(ctx)
    book.invoices = {number: _invoice_numbers(session, number) for number in (maria.account_number, james.account_number, group_account.account_number)}
    ctx.clock = FixedClock(NOW)
    return book


def _policy(ctx: ServiceContext, account_id: int, person_id: int | None, plan_id: str, *, on_exchange: bool):  # type: ignore[no-untyped-def]
    assert person_id is not None
    return enrollment.create_policy(
        ctx,
        enrollment.PolicyInput(
            billing_account_id=account_id,
            subscriber_person_id=person_id,
            plan_id=plan_id,
            rating_area=AREA,
            market=Market.INDIVIDUAL,
            state="VA",
            effective_date=date(2026, 1, 1),
            on_exchange=on_exchange,
            status=PolicyStatus.ACTIVE,
        ),
    )


def _service_history(ctx: ServiceContext, account_numbers: list[str]) -> None:
    """February's calls: one repeat call within the FCR window, three resolved cases with survey answers."""
    quiet = replace(default_config(ctx.settings.time_zone), survey_after_resolution=False)
    calls = [
        (date(2026, 2, 3), account_numbers[0], ContactSubject.BILLING),
        (date(2026, 2, 4), account_numbers[1], ContactSubject.PAYMENTS),
        (date(2026, 2, 6), account_numbers[1], ContactSubject.PAYMENTS),
        (date(2026, 2, 11), account_numbers[2], ContactSubject.BILLING),
    ]
    for day, account_number, subject in calls:
        _at(ctx, day)
        log_contact(ctx, ContactInput(channel=ContactChannel.PHONE, direction=ContactDirection.INBOUND, subject=subject, account_number=account_number))
    for (day, account_number, _), score in zip(calls[:1] + calls[2:], (5, 4, 2), strict=True):
        _at(ctx, day)
        case = open_case(ctx, CaseInput(case_type=CaseType.INQUIRY, subject="Question about the invoice", account_number=account_number, owner="casey"))
        resolve_case(ctx, case.case_number, resolution="Explained the invoice lines.", code=ResolutionCode.ANSWERED, config=quiet)
        sent = send_survey(ctx, case, config=default_config(ctx.settings.time_zone))
        assert sent is not None
        answer_survey(ctx, sent.token, score)


def _draft_group(ctx: ServiceContext, account_number: str) -> None:
    """Put the employer on auto-draft and run the draft for its March list bill."""
    _at(ctx, date(2026, 2, 18))
    accounts.add_bank_account(
        ctx,
        account_number,
        BankAccountInput(
            holder_name="Riverside Dental Group",
            routing_number="021000021",
            account_number="987654321",
            account_type=BankAccountType.CHECKING,
            authorization_method=AuthorizationMethod.PAPER,
            authorized_by="Dr. Rivera",
        ),
    )
    accounts.update_preferences(ctx, account_number, {"payment_method": AccountPaymentMethod.ACH_AUTODRAFT, "autodraft_day": 1})
    for day in (date(2026, 2, 20), date(2026, 2, 27)):
        _at(ctx, day)
        run_autodraft(ctx, as_of=day)


def _import_enrollment_file(ctx: ServiceContext) -> int:
    """Import an exchange 834 received on February 20: one new family is applied, one member names an unknown plan."""
    _at(ctx, date(2026, 2, 20))
    text = interchange_text(
        [
            member("EX-2001", first_name="ROSA", last_name="DIAZ", birth=date(1990, 6, 1), coverages=(coverage(exchange_policy_id="FFM-2001"),)),
            member("EX-2002", first_name="OWEN", last_name="PRICE", birth=date(1975, 1, 9), coverages=(coverage(plan="99999VA9999999"),)),
        ],
        control_number="000000301",
    )
    result = import_834(ctx, text.encode("ascii"), file_name="exchange-2026-02-20.834", options=ImportOptions(tr3=False, as_of=date(2026, 2, 20)))
    assert result.report.import_id is not None
    return result.report.import_id


def _bill(ctx: ServiceContext, catalog: Catalog, day: date) -> None:
    _at(ctx, day)
    run_billing(ctx, catalog=catalog, as_of=day)


def _pay_latest_invoice(ctx: ServiceContext, account_id: int, *, on: date) -> None:
    """Pay the account's newest invoice's own charges in full by check on ``on``."""
    invoice = ctx.session.scalars(select(Invoice).where(Invoice.billing_account_id == account_id).order_by(Invoice.period_start.desc())).first()
    assert invoice is not None
    _at(ctx, on)
    post_payment(
        ctx,
        billing_account_id=account_id,
        amount_cents=invoice.current_charges_cents + invoice.adjustments_cents,
        channel=PaymentChannel.MANUAL,
        method=PaymentMethod.CHECK,
        received_on=on,
        reference=f"check for {invoice.invoice_number}",
    )


def _invoice_numbers(session: Session, account_number: str) -> list[str]:
    return list(
        session.scalars(
            select(Invoice.invoice_number)
            .join(BillingAccount, BillingAccount.id == Invoice.billing_account_id)
            .where(BillingAccount.account_number == account_number)
            .order_by(Invoice.period_start)
        )
    )


def _member_id(ctx: ServiceContext, person_id: int | None) -> str:
    person = ctx.session.get(Person, person_id)
    assert person is not None
    return person.member_id


def _at(ctx: ServiceContext, day: date) -> None:
    ctx.clock = FixedClock(datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC))
