"""Demographic changes keep their history: old and new value, source, reference, user and time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from premia.accounts import person_service
from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, Address, ChangeSource, PersonInput
from premia.accounts.tables import Person
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from premia.staff.permissions import Role
from tests.conftest import make_context

pytestmark = pytest.mark.database

LATER = datetime(2026, 3, 9, 14, 30, tzinfo=UTC)


@pytest.fixture
def member_id(ctx: ServiceContext, holder: Callable[..., PersonInput]) -> str:
    return person_service.create_person(ctx, holder(member_id="MBR-3001")).member_id


def test_creation_recorded(ctx: ServiceContext, member_id: str) -> None:
    (created,) = person_service.person_history(ctx, member_id)

    assert created["field"] == "created"
    assert created["new_value"] == "MBR-3001"
    assert created["source"] == "staff"
    assert created["changed_by"] == "tester"
    assert created["changed_at"] == "2026-03-02T15:00:00+00:00"


def test_change_records_old_and_new(
    ctx: ServiceContext, member_id: str
) -> None:
    csr = make_context(ctx.session, role=Role.CSR, username="casey", instant=LATER)

    person_service.update_person(csr, member_id, {"phone": "804-555-0199", "email": "m.lopez@example.org"})

    changes = {row["field"]: row for row in person_service.person_history(ctx, member_id)[1:]}
    assert set(changes) == {"phone", "email"}
    assert changes["phone"]["old_value"] == "8045550142"
    assert changes["phone"]["new_value"] == "8045550199"
    assert changes["email"]["old_value"] == "maria.lopez@example.org"
    assert changes["email"]["new_value"] == "m.lopez@example.org"
    assert changes["phone"]["changed_by"] == "casey"
    assert changes["phone"]["source"] == "staff"
    assert changes["phone"]["changed_at"] == "2026-03-09T14:30:00+00:00"


def test_source_and_reference_kept(ctx: ServiceContext, member_id: str) -> None:
    person_service.update_person(
        ctx,
        member_id,
        {"last_name": "Lopez-Garcia"},
        source=ChangeSource.ENROLLMENT_834,
        source_reference="ISA 000000123 INS line 4",
    )

    change = person_service.person_history(ctx, member_id)[-1]
    assert change["field"] == "last_name"
    assert change["old_value"] == "Lopez"
    assert change["new_value"] == "Lopez-Garcia"
    assert change["source"] == "834"
    assert change["source_reference"] == "ISA 000000123 INS line 4"


def test_member_source(ctx: ServiceContext, member_id: str) -> None:
    person_service.update_person(ctx, member_id, {"written_language": "es"}, source=ChangeSource.MEMBER)

    change = person_service.person_history(ctx, member_id)[-1]
    assert change["field"] == "written_language"
    assert change["old_value"] == "en"
    assert change["new_value"] == "es"
    assert change["source"] == "member"


def test_address_change_per_column(ctx: ServiceContext, member_id: str) -> None:
    moved = Address("7 Pine Rd", "Henrico", "va", "23228")

    person_service.update_person(ctx, member_id, {"address": moved})

    changes = {row["field"]: (row["old_value"], row["new_value"]) for row in person_service.person_history(ctx, member_id)[1:]}
    assert changes == {
        "address_line1": ("48 Oak Ave", "7 Pine Rd"),
        "address_line2": ("Apt 2", None),
        "city": ("Richmond", "Henrico"),
        "zip_code": ("23220", "23228"),
    }
    assert person_service.get_person(ctx, member_id).address["state"] == "VA"


def test_birth_date_change(ctx: ServiceContext, member_id: str) -> None:
    person_service.update_person(ctx, member_id, {"birth_date": "1980-05-13"})

    change = person_service.person_history(ctx, member_id)[-1]
    assert change["old_value"] == "1980-03-15"
    assert change["new_value"] == "1980-05-13"
    assert person_service.get_person(ctx, member_id).birth_date == "1980-05-13"


def test_ssn_change_same_last_four_recorded(ctx: ServiceContext, member_id: str) -> None:
    # 123-45-6789 -> 234-56-6789: the masked values match, but the number changed.
    person_service.update_person(ctx, member_id, {"ssn": "234-56-6789"})

    change = person_service.person_history(ctx, member_id)[-1]
    assert change["field"] == "ssn"
    assert change["old_value"] == "•••-••-6789"
    assert change["new_value"] == "•••-••-6789"


def test_ssn_removed(ctx: ServiceContext, member_id: str) -> None:
    person_service.update_person(ctx, member_id, {"ssn": None})

    change = person_service.person_history(ctx, member_id)[-1]
    assert change["field"] == "ssn"
    assert change["old_value"] == "•••-••-6789"
    assert change["new_value"] is None
    assert person_service.get_person(ctx, member_id).ssn == ""


def test_same_value_is_no_change(ctx: ServiceContext, member_id: str) -> None:
    person = person_service.update_person(ctx, member_id, {"phone": "(804) 555-0142", "ssn": "123456789"})

    assert len(person_service.person_history(ctx, member_id)) == 1
    assert person.version == 1


def test_version_counts_changes(ctx: ServiceContext, member_id: str) -> None:
    person_service.update_person(ctx, member_id, {"phone": "804-555-0100"}, expected_version=1)

    person = person_service.update_person(ctx, member_id, {"phone": "804-555-0101"}, expected_version=2)

    assert person.version == 3


def test_stale_version_rejected(ctx: ServiceContext, member_id: str) -> None:
    person_service.update_person(ctx, member_id, {"phone": "804-555-0100"}, expected_version=1)

    with pytest.raises(ConflictError) as caught:
        person_service.update_person(ctx, member_id, {"phone": "804-555-0101"}, expected_version=1)

    assert caught.value.code == "person.version_conflict"
    assert caught.value.field == "version"
    assert caught.value.value == 1
    assert "version 2" in caught.value.message
    assert person_service.get_person(ctx, member_id).phone == "8045550100"
    assert len(person_service.person_history(ctx, member_id)) == 2


def test_unknown_field_rejected(ctx: ServiceContext, member_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        person_service.update_person(ctx, member_id, {"member_id": "MBR-9999"})

    assert caught.value.code == "person.unknown_field"
    assert caught.value.field == "member_id"


def test_invalid_birth_date_text(ctx: ServiceContext, member_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        person_service.update_person(ctx, member_id, {"birth_date": "15/03/1980"})

    assert caught.value.field == "birth_date"
    assert caught.value.value == "15/03/1980"


def test_future_birth_date_rejected(ctx: ServiceContext, member_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        person_service.update_person(ctx, member_id, {"birth_date": date(2027, 1, 1)})

    assert caught.value.code == "person.birth_date_in_future"


def test_invalid_language_named(ctx: ServiceContext, member_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        person_service.update_person(ctx, member_id, {"spoken_language": "fr"})

    assert caught.value.field == "spoken_language"
    assert caught.value.value == "fr"


def test_unknown_member(ctx: ServiceContext) -> None:
    with pytest.raises(NotFoundError) as caught:
        person_service.update_person(ctx, "MBR-0000", {"phone": "804-555-0100"})

    assert caught.value.code == "person.not_found"
    assert caught.value.value == "MBR-0000"


def test_auditor_cannot_change(
    ctx: ServiceContext, member_id: str
) -> None:
    with pytest.raises(PermissionDeniedError):
        person_service.update_person(make_context(ctx.session, role=Role.AUDITOR), member_id, {"phone": "804-555-0100"})



def test_account_follows_written_language(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    account = accounts.create_account(ctx, individual())
    member_id = ctx.session.get(Person, account.person_id).member_id

    person_service.update_person(ctx, member_id, {"written_language": "es"}, source=ChangeSource.MEMBER)

    # The account was in the holder's old language, so notices now go out in Spanish.
    assert account.language == "es"



def test_account_paid_by_other_kept(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    account = accounts.create_account(ctx, individual())
    member_id = ctx.session.get(Person, account.person_id).member_id
    account.payer_name = "Pat Payer"

    person_service.update_person(ctx, member_id, {"written_language": "es"}, source=ChangeSource.MEMBER)

    # Notices go to the payer, whose language the holder's change does not tell.
    assert account.language == "en"
