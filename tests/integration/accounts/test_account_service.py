"""Opening individual and group billing accounts, sub-groups, preferences and bank accounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from premia.accounts import person_service
from premia.accounts import service as accounts
from premia.accounts.model import (
    AccountInput,
    AccountKind,
    Address,
    BankAccountInput,
    BillingPreferences,
    Delivery,
    EmployerGroupInput,
    Language,
    PaymentMethod,
    PaymentMode,
    PersonInput,
)
from premia.accounts.tables import BankAccount, EmployerGroup
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError

pytestmark = pytest.mark.database


def test_individual_account_with_holder(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    account = accounts.create_account(ctx, individual())

    view = accounts.get_account(ctx, account.account_number)
    assert view.account_number == f"BA-{account.id:06d}"
    assert view.kind == "individual"
    assert view.status == "open"
    assert view.legal_entity == "MAIN"
    assert view.holder_name == "Maria Lopez"
    assert view.holder is not None
    assert view.holder.member_id.startswith("M")
    assert view.holder.birth_date == "1980-03-15"
    assert view.holder.address["state"] == "VA"
    assert view.holder.phone == "8045550142"
    assert view.employer_group is None


def test_default_preferences(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    account = accounts.create_account(ctx, individual())

    preferences = accounts.get_account(ctx, account.account_number).preferences
    assert preferences["payment_method"] == "invoice"
    assert preferences["payment_mode"] == "monthly"
    assert preferences["delivery"] == "paper"
    assert preferences["language"] == "en"
    assert preferences["due_day"] == 1
    assert preferences["autodraft_day"] is None


def test_account_for_existing_person(ctx: ServiceContext, holder: Callable[..., PersonInput]) -> None:
    person = person_service.create_person(ctx, holder(member_id="EX-0001"))

    account = accounts.create_account(ctx, AccountInput(kind=AccountKind.INDIVIDUAL, holder_member_id="EX-0001"))

    assert account.person_id == person.id
    assert account.holder_key == f"person:{person.id}"


def test_language_follows_spanish_holder(ctx: ServiceContext, holder: Callable[..., PersonInput]) -> None:
    person_service.create_person(ctx, holder(member_id="EX-0002", written_language=Language.SPANISH))

    account = accounts.create_account(ctx, AccountInput(kind=AccountKind.INDIVIDUAL, holder_member_id="EX-0002"))

    # No language was asked for, so invoices go out in the language the holder reads.
    assert account.language == "es"


def test_chosen_language_overrides_holder(ctx: ServiceContext, holder: Callable[..., PersonInput]) -> None:
    spanish = holder(written_language=Language.SPANISH)
    data = AccountInput(
        kind=AccountKind.INDIVIDUAL, holder=spanish, preferences=BillingPreferences(language=Language.ENGLISH)
    )

    account = accounts.create_account(ctx, data)

    assert account.language == "en"


def test_chosen_preferences_stored(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    data = individual()
    preferences = BillingPreferences(
        payment_mode=PaymentMode.QUARTERLY,
        delivery=Delivery.BOTH,
        language=Language.SPANISH,
        due_day=15,
        payer_name="Jose Lopez",
        payer_email="Jose.Lopez@example.org",
        payer_phone="(804) 555-0100",
        payer_address=Address("9 Elm St", "Richmond", "va", "23220-1234"),
    )

    account = accounts.create_account(ctx, AccountInput(kind=data.kind, holder=data.holder, preferences=preferences))

    stored = accounts.get_account(ctx, account.account_number).preferences
    assert stored["payment_mode"] == "quarterly"
    assert stored["delivery"] == "both"
    assert stored["language"] == "es"
    assert stored["due_day"] == 15
    assert stored["payer_phone"] == "8045550100"
    assert stored["payer_address"] == {
        "line1": "9 Elm St",
        "line2": None,
        "city": "Richmond",
        "state": "VA",
        "zip_code": "232201234",
    }


def test_group_account(ctx: ServiceContext, employer: Callable[..., EmployerGroupInput]) -> None:
    group = accounts.create_employer_group(ctx, employer())

    account = accounts.create_account(ctx, AccountInput(kind=AccountKind.GROUP, employer_group_number="G-0901"))

    view = accounts.get_account(ctx, account.account_number)
    assert view.kind == "group"
    assert view.holder is None
    assert view.holder_name == "Riverside Machine Works"
    assert view.employer_group == {"group_number": "G-0901", "name": "Riverside Machine Works"}
    assert account.employer_group_id == group.id
    assert group.anniversary_month == 9
    assert group.zip_code == "23510"


def test_sub_groups_billed_separately(ctx: ServiceContext, employer: Callable[..., EmployerGroupInput]) -> None:
    parent = accounts.create_employer_group(ctx, employer())
    norfolk = accounts.create_employer_group(
        ctx, employer("G-0901-01", "Riverside Machine Works, Norfolk plant", parent_group_number="G-0901")
    )
    richmond = accounts.create_employer_group(
        ctx, employer("G-0901-02", "Riverside Machine Works, Richmond office", parent_group_number="G-0901")
    )

    first = accounts.create_account(ctx, AccountInput(kind=AccountKind.GROUP, employer_group_number="G-0901-01"))
    second = accounts.create_account(ctx, AccountInput(kind=AccountKind.GROUP, employer_group_number="G-0901-02"))

    assert norfolk.parent_id == parent.id
    assert richmond.parent_id == parent.id
    assert parent.parent_id is None
    assert first.account_number != second.account_number
    children = ctx.session.scalars(select(EmployerGroup.group_number).where(EmployerGroup.parent_id == parent.id))
    assert sorted(children) == ["G-0901-01", "G-0901-02"]


def test_sub_group_unknown_parent(ctx: ServiceContext, employer: Callable[..., EmployerGroupInput]) -> None:
    with pytest.raises(NotFoundError) as caught:
        accounts.create_employer_group(ctx, employer("G-0902-01", parent_group_number="G-0902"))

    assert caught.value.field == "group_number"
    assert caught.value.value == "G-0902"


def test_duplicate_group_number(ctx: ServiceContext, employer: Callable[..., EmployerGroupInput]) -> None:
    accounts.create_employer_group(ctx, employer())

    with pytest.raises(ConflictError) as caught:
        accounts.create_employer_group(ctx, employer(name="Another employer"))

    assert caught.value.code == "group.duplicate"
    assert caught.value.field == "group_number"
    assert caught.value.value == "G-0901"


def test_group_account_unknown_group(ctx: ServiceContext) -> None:
    with pytest.raises(NotFoundError) as caught:
        accounts.create_account(ctx, AccountInput(kind=AccountKind.GROUP, employer_group_number="G-9999"))

    assert caught.value.code == "group.not_found"
    assert caught.value.value == "G-9999"


def test_second_legal_entity_allowed(ctx: ServiceContext, holder: Callable[..., PersonInput]) -> None:
    person_service.create_person(ctx, holder(member_id="EX-0002"))
    accounts.create_account(ctx, AccountInput(kind=AccountKind.INDIVIDUAL, holder_member_id="EX-0002"))

    other = accounts.create_account(
        ctx, AccountInput(kind=AccountKind.INDIVIDUAL, holder_member_id="EX-0002", legal_entity="life")
    )

    assert other.legal_entity == "LIFE"


def test_update_preferences(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    account = accounts.create_account(ctx, individual())
    version = account.version

    accounts.update_preferences(
        ctx,
        account.account_number,
        {"payment_mode": "annual", "delivery": Delivery.EMAIL, "payer_email": "maria.lopez@example.org"},
        expected_version=version,
    )

    view = accounts.get_account(ctx, account.account_number)
    assert view.preferences["payment_mode"] == "annual"
    assert view.preferences["delivery"] == "email"
    assert view.version == version + 1


def test_stale_version_conflict(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    account = accounts.create_account(ctx, individual())
    seen = account.version
    accounts.update_preferences(ctx, account.account_number, {"due_day": 10}, expected_version=seen)

    with pytest.raises(ConflictError) as caught:
        accounts.update_preferences(ctx, account.account_number, {"due_day": 20}, expected_version=seen)

    assert caught.value.code == "account.version_conflict"
    assert caught.value.field == "version"
    assert caught.value.value == seen
    assert accounts.get_account(ctx, account.account_number).preferences["due_day"] == 10


def test_email_delivery_needs_address(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    account = accounts.create_account(ctx, individual())

    with pytest.raises(ValidationError) as caught:
        accounts.update_preferences(ctx, account.account_number, {"delivery": "email"})

    assert caught.value.code == "preferences.email_missing"
    assert caught.value.field == "payer_email"


def test_unknown_preference(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    account = accounts.create_account(ctx, individual())

    with pytest.raises(ValidationError) as caught:
        accounts.update_preferences(ctx, account.account_number, {"favourite_colour": "green"})

    assert caught.value.code == "preferences.unknown_field"
    assert caught.value.field == "favourite_colour"


def test_invalid_preference_choice(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    account = accounts.create_account(ctx, individual())

    with pytest.raises(ValidationError) as caught:
        accounts.update_preferences(ctx, account.account_number, {"payment_mode": "weekly"})

    assert caught.value.code == "field.invalid_choice"
    assert caught.value.field == "payment_mode"
    assert caught.value.value == "weekly"


def test_autodraft_needs_bank_account(
    ctx: ServiceContext, individual: Callable[..., AccountInput], bank: Callable[..., BankAccountInput]
) -> None:
    account = accounts.create_account(ctx, individual())

    with pytest.raises(ValidationError) as caught:
        accounts.update_preferences(ctx, account.account_number, {"payment_method": "ach_autodraft"})
    accounts.add_bank_account(ctx, account.account_number, bank())
    accounts.update_preferences(ctx, account.account_number, {"payment_method": "ach_autodraft", "autodraft_day": 5})

    assert caught.value.code == "preferences.autodraft_without_bank_account"
    preferences = accounts.get_account(ctx, account.account_number).preferences
    assert preferences["payment_method"] == "ach_autodraft"
    assert preferences["autodraft_day"] == 5


def test_autodraft_day_defaults_to_due_day(
    ctx: ServiceContext, individual: Callable[..., AccountInput], bank: Callable[..., BankAccountInput]
) -> None:
    account = accounts.create_account(ctx, individual())
    accounts.add_bank_account(ctx, account.account_number, bank())

    accounts.update_preferences(ctx, account.account_number, {"payment_method": "ach_autodraft", "due_day": 12})

    assert accounts.get_account(ctx, account.account_number).preferences["autodraft_day"] == 12


def test_bank_account_recorded_with_authorization(
    ctx: ServiceContext, individual: Callable[..., AccountInput], bank: Callable[..., BankAccountInput]
) -> None:
    account = accounts.create_account(ctx, individual())

    view = accounts.add_bank_account(ctx, account.account_number, bank())

    assert view.routing_number == "051000017"
    assert view.account_number == "••••6789"
    assert view.status == "active"
    assert view.authorization["method"] == "telephone"
    assert view.authorization["sec_code"] == "TEL"
    assert view.authorization["authorized_by"] == "Maria Lopez"
    assert view.authorization["reference"] == "call 2026-0142"
    assert view.authorization["recorded_by"] == "tester"
    assert view.authorization["authorized_at"] == "2026-03-02T15:00:00+00:00"


def test_new_bank_account_replaces_old(
    ctx: ServiceContext, individual: Callable[..., AccountInput], bank: Callable[..., BankAccountInput]
) -> None:
    account = accounts.create_account(ctx, individual())
    accounts.add_bank_account(ctx, account.account_number, bank())

    accounts.add_bank_account(ctx, account.account_number, bank(account_number="99887766", routing_number="021000021"))

    rows = ctx.session.scalars(
        select(BankAccount).where(BankAccount.billing_account_id == account.id).order_by(BankAccount.id)
    ).all()
    assert [row.status for row in rows] == ["inactive", "active"]
    assert rows[0].deactivation_reason == "replaced"
    assert rows[0].deactivated_at is not None
    assert rows[1].account_last4 == "7766"


def test_unknown_account(ctx: ServiceContext) -> None:
    with pytest.raises(NotFoundError) as caught:
        accounts.get_account(ctx, "BA-999999")

    assert caught.value.code == "account.not_found"
    assert caught.value.field == "account_number"
    assert caught.value.value == "BA-999999"


def test_member_id_assigned_from_row(ctx: ServiceContext, holder: Callable[..., PersonInput]) -> None:
    person = person_service.create_person(ctx, holder())

    assert person.member_id == f"M{person.id:09d}"


def test_holder_created_as_of_context_date(ctx: ServiceContext, holder: Callable[..., PersonInput]) -> None:
    # The context's clock reads 2026-03-02, and a newborn born that day is accepted.
    person = person_service.create_person(ctx, holder(first_name="Baby", birth_date=date(2026, 3, 2), ssn=None))

    assert person.birth_date == date(2026, 3, 2)
    assert person.ssn_ciphertext is None
