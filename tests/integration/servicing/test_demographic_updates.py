"""Demographic updates: verified contact, history with source, exchange flags, returned mail, versions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from premia.accounts import person_service
from premia.accounts.model import Address, Delivery
from premia.accounts.tables import BillingAccount, Person
from premia.audit.tables import AuditEntry
from premia.kernel.errors import ConflictError, PermissionDeniedError, ValidationError
from premia.servicing.contacts import log_contact
from premia.servicing.demographics import (
    exchange_reports,
    record_returned_mail,
    update_demographics,
)
from premia.servicing.model import (
    CallerIdentifiers,
    ContactChannel,
    ContactDirection,
    ContactInput,
    ContactSubject,
    VerificationMethod,
)
from premia.servicing.verification import verify_caller
from tests.integration.servicing.conftest import Desk, utc

pytestmark = pytest.mark.database

NOW = utc(2026, 3, 2, 15, 0)
NEW_HOME = Address("9 Elm St", "Norfolk", "VA", "23510")


def verified_call(desk: Desk) -> int:
    ctx = desk.as_user("casey", NOW)
    data = ContactInput(
        ContactChannel.PHONE, ContactDirection.INBOUND, ContactSubject.DEMOGRAPHICS, member_id="MBR-3001"
    )
    contact = log_contact(ctx, data, config=desk.config)
    stated = CallerIdentifiers(
        member_id="MBR-3001", first_name="Maria", last_name="Lopez", birth_date=date(1980, 3, 15)
    )
    verify_caller(ctx, contact.id, method=VerificationMethod.IDENTIFIERS, identifiers=stated)
    return contact.id


def history(desk: Desk) -> dict[str, dict]:
    rows = person_service.person_history(desk.as_user("sam", NOW), "MBR-3001")
    return {row["field"]: row for row in rows}


def test_phone_change_on_verified_contact(desk: Desk, member: BillingAccount) -> None:
    contact_id = verified_call(desk)

    result = update_demographics(
        desk.as_user("casey", NOW), "MBR-3001", {"phone": "804-555-0199"}, contact_id=contact_id
    )

    changes = history(desk)
    assert result.applied == ["phone"]
    assert changes["phone"]["old_value"] == "8045550142"
    assert changes["phone"]["new_value"] == "8045550199"
    assert changes["phone"]["source"] == "member"
    assert changes["phone"]["source_reference"] == f"contact {contact_id}"


def test_change_on_unverified_contact_rejected(desk: Desk, member: BillingAccount) -> None:
    ctx = desk.as_user("casey", NOW)
    contact = log_contact(
        ctx,
        ContactInput(
            ContactChannel.PHONE, ContactDirection.INBOUND, ContactSubject.DEMOGRAPHICS, member_id="MBR-3001"
        ),
    )

    with pytest.raises(PermissionDeniedError):
        update_demographics(ctx, "MBR-3001", {"phone": "804-555-0199"}, contact_id=contact.id)

    person = desk.session.scalar(select(Person).where(Person.member_id == "MBR-3001"))
    assert person.phone == "8045550142"


def test_exchange_member_address_flagged(story, desk: Desk, member: BillingAccount) -> None:
    story.policy(member, effective=date(2026, 1, 1), on_exchange=True)
    contact_id = verified_call(desk)

    result = update_demographics(
        desk.as_user("casey", NOW),
        "MBR-3001",
        {"address": NEW_HOME, "email": "maria@example.net"},
        contact_id=contact_id,
        on=date(2026, 3, 2),
    )

    person = desk.session.scalar(select(Person).where(Person.member_id == "MBR-3001"))
    (report,) = exchange_reports(desk.as_user("casey", NOW), member_id="MBR-3001")
    assert result.flagged == ["address"]
    assert result.applied == ["email"]
    assert person.city == "Richmond"
    assert person.email == "maria@example.net"
    assert report.requested_value["value"]["city"] == "Norfolk"
    # flagged 2026-03-02 + 30 days = 2026-04-01
    assert report.report_by == date(2026, 4, 1)


def test_off_exchange_address_applied(story, desk: Desk, member: BillingAccount) -> None:
    story.policy(member, effective=date(2026, 1, 1))
    contact_id = verified_call(desk)

    result = update_demographics(
        desk.as_user("casey", NOW), "MBR-3001", {"address": NEW_HOME}, contact_id=contact_id
    )

    person = desk.session.scalar(select(Person).where(Person.member_id == "MBR-3001"))
    assert result.flagged == []
    assert person.city == "Norfolk"


def test_name_change_needs_document(desk: Desk, member: BillingAccount) -> None:
    ctx = desk.as_user("blake", NOW)

    with pytest.raises(ValidationError) as raised:
        update_demographics(ctx, "MBR-3001", {"last_name": "Lopez-Garcia"})
    update_demographics(
        ctx, "MBR-3001", {"last_name": "Lopez-Garcia"}, document_reference="marriage certificate 2026-88"
    )

    changes = history(desk)
    assert raised.value.code == "demographics.name_change_undocumented"
    assert changes["last_name"]["source"] == "staff"
    assert changes["last_name"]["source_reference"] == "marriage certificate 2026-88"


def test_birth_date_not_changeable_here(desk: Desk, member: BillingAccount) -> None:
    with pytest.raises(ValidationError) as raised:
        update_demographics(desk.as_user("blake", NOW), "MBR-3001", {"birth_date": "1980-03-16"})

    assert raised.value.field == "birth_date"


def test_returned_mail_flags_address(desk: Desk, member: BillingAccount) -> None:
    person = record_returned_mail(desk.as_user("blake", NOW), "MBR-3001", received_on=date(2026, 3, 2))

    flagged = person.address_returned
    update_demographics(desk.as_user("blake", NOW), "MBR-3001", {"address": NEW_HOME})

    changes = history(desk)
    assert flagged is True
    assert changes["address_returned"]["source_reference"] == "returned mail 2026-03-02"
    assert person.address_returned is False


def test_mailing_preference_updates_account(desk: Desk, member: BillingAccount) -> None:
    version = member.version

    result = update_demographics(
        desk.as_user("blake", NOW), "MBR-3001", {"delivery": Delivery.EMAIL}, expected_account_version=version
    )

    assert result.applied == ["delivery"]
    assert member.delivery == "email"
    assert result.account_version == version + 1


def test_stale_person_version_is_conflict(desk: Desk, member: BillingAccount) -> None:
    person = desk.session.scalar(select(Person).where(Person.member_id == "MBR-3001"))
    seen = person.version
    update_demographics(
        desk.as_user("blake", NOW), "MBR-3001", {"phone": "804-555-0100"}, expected_version=seen
    )

    with pytest.raises(ConflictError) as raised:
        update_demographics(
            desk.as_user("casey", NOW), "MBR-3001", {"email": "other@example.org"}, expected_version=seen
        )

    assert raised.value.code == "person.version_conflict"
    assert person.email == "maria.lopez@example.org"


def test_update_is_audited(desk: Desk, member: BillingAccount) -> None:
    update_demographics(desk.as_user("blake", NOW), "MBR-3001", {"phone": "804-555-0100"})

    entry = desk.session.scalars(
        select(AuditEntry).where(AuditEntry.record_id == "MBR-3001", AuditEntry.action == "update")
    ).all()[-1]
    assert entry.fields == ["phone"]
    assert entry.username == "blake"
