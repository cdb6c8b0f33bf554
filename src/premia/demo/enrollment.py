"""Enroll the demo book: write its 834 files, import them, then set up each payer's billing preferences.

Employer rosters go through the 834 importer like every other file. The importer rates a
group at the employer's address and finds its rating area by ZIP code. When the catalog's
areas list counties only, as the demo catalog does, it rejects the roster, so the demo
enrolls the same employees through the enrollment service and lists that in its summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from premia.accounts import person_service
from premia.accounts import service as accounts
from premia.accounts.model import (
    AccountInput,
    AccountKind,
    Address,
    AuthorizationMethod,
    BankAccountInput,
    BankAccountType,
    Delivery,
    PaymentMethod,
    PersonInput,
    Sex,
)
from premia.accounts.service import get_group_row
from premia.accounts.tables import BillingAccount
from premia.demo import enrollment_files
from premia.demo.book import EmployerGroup, Household, HouseholdKind, PayBy
from premia.demo.world import DemoWorld
from premia.enrollment import service as enrollment
from premia.enrollment.model import Market, PolicyStatus
from premia.importers.enrollment import ImportOptions, ImportResult, import_834
from premia.importers.enrollment.model import ImportStatus
from premia.infra.context import ServiceContext

NO_RATING_AREA = "enrollment.no_rating_area"
TR3_MAX_BYTES = 100_000


def enroll_lead_cohort(world: DemoWorld, received: date) -> None:
    """Enroll the first employer's roster and the early direct enrollees, covered from the lead month."""
    book = world.book
    first_group = book.groups[0]
    start = first_group.coverage_start
    early = [h for h in book.of_kind(HouseholdKind.DIRECT) if h.coverage_start == start]
    text = enrollment_files.direct_file(early, received=received, control_number=world.next_control_number())
    _import(world, "direct-early.834", text, received)
    _enroll_group(world, first_group, received)
    world.load_accounts()
    set_up_payers(world, [*early, *book.employees_of(first_group.profile.group_number)], received)


def enroll_main_book(world: DemoWorld, received: date) -> None:
    """Enroll the Exchange's file, the direct-enrollment file and the second employer's roster."""
    book = world.book
    start = book.groups[1].coverage_start
    exchange = [h for h in book.households if h.kind.on_exchange]
    direct = [h for h in book.of_kind(HouseholdKind.DIRECT) if h.coverage_start == start]
    exchange_text = enrollment_files.exchange_file(exchange, received=received, control_number=world.next_control_number())
    _import(world, "exchange.834", exchange_text, received)
    direct_text = enrollment_files.direct_file(direct, received=received, control_number=world.next_control_number())
    _import(world, "direct.834", direct_text, received)
    for group in book.groups[1:]:
        _enroll_group(world, group, received)
    world.load_accounts()
    employees = [h for group in book.groups[1:] for h in book.employees_of(group.profile.group_number)]
    set_up_payers(world, [*exchange, *direct, *employees], received)


def _import(world: DemoWorld, name: str, text: str, received: date) -> ImportResult:
    path = world.write_file("834", name, text)
    ctx = world.ctx("billing", world.at(received, 2, 30))
    # Full TR3 validation (pyx12) reads about a thousand members a second, so only the
    # employer rosters, the smallest files, get it. The envelope and structure checks always run.
    options = ImportOptions(as_of=received, tr3_max_bytes=TR3_MAX_BYTES)
    result = import_834(ctx, path.read_bytes(), file_name=name, options=options)
    world.commit()
    counts = result.report.counts_dict()
    world.count("834 files imported")
    world.count("834 members applied", counts["members_applied"])
    world.count("834 members rejected", counts["members_rejected"])
    world.echo(
        f"   {name}: {result.report.status.value}, {counts['members_applied']} members applied, "
        f"{counts['members_rejected']} rejected"
    )
    return result


def _enroll_group(world: DemoWorld, group: EmployerGroup, received: date) -> None:
    profile = group.profile
    employees = world.book.employees_of(profile.group_number)
    name = f"group-{profile.group_number}.834"
    text = enrollment_files.group_file(group, employees, received=received, control_number=world.next_control_number())
    result = _import(world, name, text, received)
    report = result.report
    codes = {rejection.code for rejection in report.rejections}
    if report.status is ImportStatus.REJECTED and NO_RATING_AREA in codes:
        reason = next(rejection.reason for rejection in report.rejections if rejection.code == NO_RATING_AREA)
        world.skip(
            f"834 import of {profile.name}'s roster",
            f"{reason} The employees were enrolled through the enrollment service instead.",
        )
        ctx = world.ctx("billing", world.at(received, 3, 0))
        for household in employees:
            _enroll_employee(ctx, group, household)
        world.commit()


def _enroll_employee(ctx: ServiceContext, group: EmployerGroup, household: Household) -> None:
    """Create the employee, the dependents and the group policy on the group's list-bill account."""
    group_row = get_group_row(ctx, group.profile.group_number)
    account = ctx.session.scalar(select(BillingAccount).where(BillingAccount.employer_group_id == group_row.id))
    if account is None:
        account = accounts.create_account(ctx, AccountInput(kind=AccountKind.GROUP, employer_group_number=group_row.group_number))
    people = []
    for index, member in enumerate(household.members):
        people.append(
            person_service.create_person(
                ctx,
                PersonInput(
                    first_name=member.first_name.title(),
                    last_name=member.last_name.title(),
                    birth_date=member.birth_date,
                    sex=Sex(member.sex),
                    member_id=household.subscriber_id if index == 0 else f"{household.subscriber_id}-{index + 1:02d}",
                    ssn=member.ssn,
                    residential_address=_address(household) if index == 0 else None,
                    phone=household.phone if index == 0 else None,
                    email=household.email if index == 0 else None,
                ),
            )
        )
    policy = enrollment.create_policy(
        ctx,
        enrollment.PolicyInput(
            billing_account_id=account.id,
            subscriber_person_id=people[0].id,
            plan_id=household.plan_id,
            rating_area=group.profile.residence.area_id,
            market=Market.SMALL_GROUP,
            state="VA",
            effective_date=household.coverage_start,
            employer_group_id=group_row.id,
            status=PolicyStatus.ACTIVE,
        ),
    )
    for member, person in zip(household.members[1:], people[1:], strict=True):
        enrollment.add_member(ctx, policy, person_id=person.id, relationship=member.relationship, start_date=household.coverage_start)


def set_up_payers(world: DemoWorld, households: Sequence[Household], on: date) -> None:
    """Record each payer's delivery choice, email and, for auto-draft payers, the bank account and mandate."""
    ctx = world.ctx("billing", world.at(on, 10, 0))
    for household in households:
        if household.employer is not None:
            continue
        found = world.account_of(household)
        if found is None:
            continue
        changes: dict[str, object] = {}
        if household.delivery is not Delivery.PAPER:
            changes["delivery"] = household.delivery
            changes["payer_email"] = household.email
        if household.pay_by is PayBy.AUTODRAFT and household.bank is not None:
            accounts.add_bank_account(
                ctx,
                found.account_number,
                BankAccountInput(
                    holder_name=household.payer_name.title(),
                    routing_number=household.bank.routing_number,
                    account_number=household.bank.account_number,
                    account_type=BankAccountType.CHECKING,
                    authorization_method=AuthorizationMethod.ONLINE,
                    authorized_by=household.payer_name.title(),
                    authorization_reference=f"enrollment {household.subscriber_id}",
                ),
            )
            changes["payment_method"] = PaymentMethod.ACH_AUTODRAFT
            world.count("auto-draft mandates")
        if changes:
            accounts.update_preferences(ctx, found.account_number, changes)
    world.commit()


def _address(household: Household) -> Address:
    residence = household.residence
    return Address(household.street.title(), residence.city.title(), "VA", residence.zip_code, county_code=residence.county)
