"""Contacts: verification before member data is shown, authorities on file, and FCR from stored contacts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from premia.accounts.tables import BillingAccount
from premia.audit.tables import AuditEntry
from premia.kernel.errors import PermissionDeniedError
from premia.servicing import metrics
from premia.servicing.contacts import contacts_for, log_contact, member_details
from premia.servicing.model import (
    AuthorityKind,
    AuthorizedPartyInput,
    CallerIdentifiers,
    ContactChannel,
    ContactDirection,
    ContactInput,
    ContactSubject,
    PartyKind,
    ProtectedAction,
    VerificationMethod,
)
from premia.servicing.representatives import add_authorized_party, revoke_authorized_party
from premia.servicing.tables import Contact
from premia.servicing.verification import require_verified, verify_caller
from tests.integration.servicing.conftest import Desk, utc

pytestmark = pytest.mark.database

NOW = utc(2026, 3, 2, 15, 0)
RIGHT = CallerIdentifiers(
    member_id="MBR-3001", first_name="Maria", last_name="Lopez", birth_date=date(1980, 3, 15)
)
WRONG_BIRTH = CallerIdentifiers(
    member_id="MBR-3001", first_name="Maria", last_name="Lopez", birth_date=date(1980, 5, 13)
)


def call(desk: Desk, at=NOW, **fields) -> Contact:
    data = ContactInput(
        **{
            "channel": ContactChannel.PHONE,
            "direction": ContactDirection.INBOUND,
            "subject": ContactSubject.BILLING,
            "member_id": "MBR-3001",
            **fields,
        }
    )
    return log_contact(desk.as_user("casey", at), data, config=desk.config)


def test_contact_defaults_to_member_account(desk: Desk, member: BillingAccount) -> None:
    contact = call(desk)

    (view,) = contacts_for(desk.as_user("casey", NOW), member_id="MBR-3001")
    assert contact.billing_account_id == member.id
    assert view.account_number == member.account_number
    assert view.handled_by == "casey"


def test_member_data_needs_verification(desk: Desk, member: BillingAccount) -> None:
    contact = call(desk)

    with pytest.raises(PermissionDeniedError) as raised:
        member_details(desk.as_user("casey", NOW), contact.id)

    assert raised.value.code == "contact.not_verified"
    assert contact.touched == []


def test_wrong_birth_date_fails_verification(desk: Desk, member: BillingAccount) -> None:
    contact = call(desk)

    verify_caller(
        desk.as_user("casey", NOW), contact.id, method=VerificationMethod.IDENTIFIERS, identifiers=WRONG_BIRTH
    )

    assert contact.verification_result == "failed"
    assert contact.verified_identifiers == ["member_id", "full_name"]
    with pytest.raises(PermissionDeniedError):
        member_details(desk.as_user("casey", NOW), contact.id)


def test_verified_caller_sees_member(desk: Desk, member: BillingAccount) -> None:
    contact = call(desk)
    verify_caller(
        desk.as_user("casey", NOW), contact.id, method=VerificationMethod.IDENTIFIERS, identifiers=RIGHT
    )

    view = member_details(desk.as_user("casey", NOW), contact.id)

    assert view.member_id == "MBR-3001"
    assert view.ssn.endswith("6789")
    assert "123" not in view.ssn
    assert contact.verification_method == "identifiers"
    assert contact.verification_level == "basic"
    assert "person:MBR-3001" in contact.touched
    read = desk.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "read", AuditEntry.record_id == "MBR-3001")
    ).all()
    assert read[-1].detail == {"contact": contact.id}


def test_refund_needs_enhanced_verification(desk: Desk, member: BillingAccount) -> None:
    contact = call(desk)
    ctx = desk.as_user("casey", NOW)
    verify_caller(ctx, contact.id, method=VerificationMethod.IDENTIFIERS, identifiers=RIGHT)

    with pytest.raises(PermissionDeniedError) as raised:
        require_verified(ctx, contact, person_id=member.person_id, action=ProtectedAction.REQUEST_REFUND)
    verify_caller(
        ctx,
        contact.id,
        method=VerificationMethod.IDENTIFIERS,
        identifiers=CallerIdentifiers(**{**vars(RIGHT), "zip_code": "23220"}),
    )
    require_verified(ctx, contact, person_id=member.person_id, action=ProtectedAction.REQUEST_REFUND)

    assert raised.value.code == "contact.assurance_too_low"
    assert contact.verification_level == "enhanced"


def test_representative_needs_authority(desk: Desk, member: BillingAccount) -> None:
    contact = call(desk, party_kind=PartyKind.REPRESENTATIVE, party_name="Ana Lopez")
    verify_caller(
        desk.as_user("casey", NOW), contact.id, method=VerificationMethod.IDENTIFIERS, identifiers=RIGHT
    )

    with pytest.raises(PermissionDeniedError) as raised:
        member_details(desk.as_user("casey", NOW), contact.id)

    assert raised.value.code == "contact.not_authorized"


def test_personal_representative_treated_as_member(desk: Desk, member: BillingAccount) -> None:
    party = add_authorized_party(
        desk.as_user("casey", NOW),
        member.account_number,
        AuthorizedPartyInput(
            name="Ana Lopez",
            relationship="daughter",
            authority=AuthorityKind.PERSONAL_REPRESENTATIVE,
            effective_from=date(2026, 1, 1),
            document_reference="POA-2026-014",
        ),
    )
    contact = call(desk, party_kind=PartyKind.REPRESENTATIVE, authorized_party_id=party.id)
    verify_caller(
        desk.as_user("casey", NOW), contact.id, method=VerificationMethod.IDENTIFIERS, identifiers=RIGHT
    )

    view = member_details(desk.as_user("casey", NOW), contact.id)

    assert view.member_id == "MBR-3001"
    assert contact.party_name == "Ana Lopez"


def test_revoked_authority_allows_nothing(desk: Desk, member: BillingAccount) -> None:
    ctx = desk.as_user("casey", NOW)
    party = add_authorized_party(
        ctx,
        member.account_number,
        AuthorizedPartyInput(
            name="Ana Lopez",
            relationship="daughter",
            authority=AuthorityKind.AUTHORIZED_PERSON,
            effective_from=date(2026, 1, 1),
            scopes=frozenset({ProtectedAction.VIEW_MEMBER_DATA}),
            document_reference="AUTH-77",
        ),
    )
    revoke_authorized_party(ctx, party.id, on=date(2026, 2, 1))
    contact = call(desk, party_kind=PartyKind.REPRESENTATIVE, authorized_party_id=party.id)
    verify_caller(ctx, contact.id, method=VerificationMethod.IDENTIFIERS, identifiers=RIGHT)

    with pytest.raises(PermissionDeniedError):
        member_details(ctx, contact.id)


def test_payer_may_not_see_demographics(desk: Desk, member: BillingAccount) -> None:
    ctx = desk.as_user("casey", NOW)
    party = add_authorized_party(
        ctx,
        member.account_number,
        AuthorizedPartyInput(
            name="Luis Lopez",
            relationship="son",
            authority=AuthorityKind.INVOLVED_IN_PAYMENT,
            effective_from=date(2026, 1, 1),
        ),
    )
    contact = call(desk, party_kind=PartyKind.REPRESENTATIVE, authorized_party_id=party.id)
    verify_caller(ctx, contact.id, method=VerificationMethod.IDENTIFIERS, identifiers=RIGHT)

    require_verified(ctx, contact, person_id=member.person_id, action=ProtectedAction.DISCUSS_BILLING)
    with pytest.raises(PermissionDeniedError):
        member_details(ctx, contact.id)


def test_repeat_on_day_six_and_day_eight(desk: Desk, member: BillingAccount) -> None:
    first = utc(2026, 3, 2, 15, 0)
    call(desk, at=first)
    call(desk, at=first + timedelta(days=6))
    call(desk, at=first + timedelta(days=14))
    # The carrier calling back is not a repeat contact.
    call(desk, at=first + timedelta(days=15), direction=ContactDirection.OUTBOUND)
    supervisor = desk.as_user("sam", utc(2026, 5, 1, 12, 0))

    counts = metrics.fcr_report(
        supervisor, first_day=date(2026, 3, 1), last_day=date(2026, 3, 31), config=desk.config
    )

    # day 0 is followed on day 6 (repeat); day 6 is followed on day 14, 8 days later (resolved);
    # day 14 has no follow-up (resolved)
    assert counts.contacts == 3
    assert counts.repeated == 1
    assert counts.resolved_first_contact == 2
    assert counts.pending == 0
    assert str(counts.rate_percent) == "66.7"


def test_fcr_needs_kpi_permission(desk: Desk) -> None:
    with pytest.raises(PermissionDeniedError):
        metrics.fcr_report(
            desk.as_user("casey", NOW),
            first_day=date(2026, 3, 1),
            last_day=date(2026, 3, 31),
            config=desk.config,
        )
