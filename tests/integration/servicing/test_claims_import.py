"""Importing the claims status feed: rows rejected one by one, re-import harmless, grace pends explained."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from premia.accounts.tables import BillingAccount
from premia.kernel.errors import PermissionDeniedError, ValidationError
from premia.servicing.claims import claims_for_member, import_claims
from premia.servicing.contacts import log_contact
from premia.servicing.model import (
    CallerIdentifiers,
    ContactChannel,
    ContactDirection,
    ContactInput,
    ContactSubject,
    VerificationMethod,
)
from premia.servicing.tables import ClaimImport, ClaimRecord
from premia.servicing.verification import verify_caller
from tests.integration.servicing.conftest import Desk, count, utc

pytestmark = pytest.mark.database

NOW = utc(2026, 3, 2, 15, 0)
HEADER = "claim_id,member_id,service_from,service_to,status,billed_amount,paid_amount,pend_reason\n"
FEED = (
    HEADER
    + "C-100,MBR-3001,2026-02-03,2026-02-03,paid,250.00,180.00,\n"
    + "C-101,MBR-3001,2026-02-20,2026-02-22,pended,1200.00,0.00,grace_period\n"
    + "C-102,MBR-9999,2026-02-21,,received,90.00,0.00,\n"
    + "C-103,MBR-3001,2026-02-25,,paid,90.00,95.00,\n"
)


def write(tmp_path: Path, text: str, name: str = "claims.csv", *, bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_rows_rejected_one_by_one(desk: Desk, member: BillingAccount, tmp_path: Path) -> None:
    report = import_claims(desk.as_user("blake", NOW), write(tmp_path, FEED))

    assert report.rows == 4
    assert report.inserted == 2
    assert [(error.line, error.field) for error in report.rejected] == [(4, "member_id"), (5, "paid_amount")]
    assert count(desk.session, ClaimRecord) == 2


def test_reimport_changes_nothing(desk: Desk, member: BillingAccount, tmp_path: Path) -> None:
    path = write(tmp_path, FEED)
    import_claims(desk.as_user("blake", NOW), path)

    again = import_claims(desk.as_user("blake", NOW), path)

    assert again.inserted == 0
    assert again.updated == 0
    assert again.unchanged == 2
    assert count(desk.session, ClaimRecord) == 2
    assert count(desk.session, ClaimImport) == 2


def test_status_change_updates_claim(desk: Desk, member: BillingAccount, tmp_path: Path) -> None:
    import_claims(desk.as_user("blake", NOW), write(tmp_path, FEED))
    paid_later = HEADER + "C-101,MBR-3001,2026-02-20,2026-02-22,paid,1200.00,960.00,\n"

    report = import_claims(desk.as_user("blake", NOW), write(tmp_path, paid_later, "later.csv"))

    claim = desk.session.scalar(select(ClaimRecord).where(ClaimRecord.claim_id == "C-101"))
    assert report.updated == 1
    assert claim.status == "paid"
    assert claim.paid_cents == 96_000
    assert claim.pend_reason is None


def test_byte_order_mark_file(desk: Desk, member: BillingAccount, tmp_path: Path) -> None:
    report = import_claims(desk.as_user("blake", NOW), write(tmp_path, FEED, bom=True))

    assert report.inserted == 2


def test_missing_column_rejects_whole_file(desk: Desk, member: BillingAccount, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as raised:
        import_claims(
            desk.as_user("blake", NOW), write(tmp_path, "claim_id,member_id,status\nC-1,MBR-3001,paid\n")
        )

    assert raised.value.code == "claims.column_missing"
    assert count(desk.session, ClaimRecord) == 0


def test_grace_pend_shown_to_staff(desk: Desk, member: BillingAccount, tmp_path: Path) -> None:
    import_claims(desk.as_user("blake", NOW), write(tmp_path, FEED))

    claims = {claim.claim_id: claim for claim in claims_for_member(desk.as_user("casey", NOW), "MBR-3001")}

    assert claims["C-101"].status == "pended"
    assert claims["C-101"].pend_reason == "grace_period"
    assert "grace period" in (claims["C-101"].explanation or "")
    assert claims["C-100"].explanation is None
    assert claims["C-100"].paid == "180.00"


def test_claims_on_contact_need_verification(desk: Desk, member: BillingAccount, tmp_path: Path) -> None:
    import_claims(desk.as_user("blake", NOW), write(tmp_path, FEED))
    ctx = desk.as_user("casey", NOW)
    contact = log_contact(
        ctx,
        ContactInput(
            ContactChannel.PHONE, ContactDirection.INBOUND, ContactSubject.CLAIMS, member_id="MBR-3001"
        ),
    )

    with pytest.raises(PermissionDeniedError):
        claims_for_member(ctx, "MBR-3001", contact_id=contact.id)
    stated = CallerIdentifiers(
        member_id="MBR-3001", first_name="Maria", last_name="Lopez", birth_date=date(1980, 3, 15)
    )
    verify_caller(ctx, contact.id, method=VerificationMethod.IDENTIFIERS, identifiers=stated)

    assert len(claims_for_member(ctx, "MBR-3001", contact_id=contact.id)) == 2
    assert "claims:MBR-3001" in contact.touched


def test_csr_cannot_import(desk: Desk, member: BillingAccount, tmp_path: Path) -> None:
    with pytest.raises(PermissionDeniedError):
        import_claims(desk.as_user("casey", NOW), write(tmp_path, FEED))
