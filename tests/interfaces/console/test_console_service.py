"""Contacts and caller verification, member details on a verified contact, cases and disputes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from premia.accounts.tables import Person
from premia.audit.tables import AuditEntry
from premia.servicing.tables import Contact, Dispute, ServiceCase
from premia.staff.permissions import Role
from tests.interfaces.console.conftest import Console, flash_of

pytestmark = pytest.mark.database

CONTACT_LOCATION = re.compile(r"contact=(\d+)")


def _start_contact(console: Console, account: str, member_id: str, **overrides: str) -> int:
    form = {"channel": "phone", "direction": "inbound", "subject": "billing", "party_kind": "member", "member": member_id}
    form.update(overrides)
    response = console.post(f"/accounts/{account}/contacts", form)
    match = CONTACT_LOCATION.search(str(response.url))
    assert match is not None, response.text[:2000]
    return int(match.group(1))


def _verify(console: Console, contact_id: int, member_id: str, **stated: str):  # type: ignore[no-untyped-def]
    form = {"member": member_id, "method": "identifiers"}
    form.update(stated)
    return console.post(f"/contacts/{contact_id}/verify", form)


MARIA_IDENTIFIERS = {
    "stated_member_id": "M000000001",
    "stated_first_name": "maria",
    "stated_last_name": "LOPEZ",
    "stated_birth_date": "1980-03-15",
}


def test_start_contact(console: Console) -> None:
    contact_id = _start_contact(console, console.book.maria_account, console.book.maria_member_id)
    page = console.get(f"/accounts/{console.book.maria_account}?tab=service&contact={contact_id}")
    handler = console.scalar(select(Contact.handled_by).where(Contact.id == contact_id))
    assert handler == "sam"
    assert "Not verified" in page.text
    assert "Verify the caller" in page.text
    assert "Record verification" in page.text


def test_contact_with_others_needs_name(console: Console) -> None:
    before = console.scalar(select(func.count(Contact.id)))
    response = console.post(
        f"/accounts/{console.book.maria_account}/contacts",
        {"channel": "phone", "direction": "inbound", "subject": "billing", "party_kind": "representative", "member": console.book.maria_member_id},
    )
    assert response.status_code == 422
    assert "needs the caller&#39;s name" in response.text
    assert console.scalar(select(func.count(Contact.id))) == before


def test_verification_shows_member_details(console: Console) -> None:
    account = console.book.maria_account
    contact_id = _start_contact(console, account, console.book.maria_member_id)
    response = _verify(console, contact_id, console.book.maria_member_id, **MARIA_IDENTIFIERS)
    assert flash_of(response.text) == "Caller verified with basic assurance."
    assert "48 Oak Ave" in response.text
    assert "Mar 15, 1980" in response.text
    assert "***-**-6789" in response.text or "6789" in response.text
    reads = console.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.record_type == "person", AuditEntry.action == "read", AuditEntry.record_id == console.book.maria_member_id)
    )
    assert reads >= 1


def test_failed_verification_hides_details(console: Console) -> None:
    account = console.book.maria_account
    contact_id = _start_contact(console, account, console.book.maria_member_id)
    response = _verify(console, contact_id, console.book.maria_member_id, **{**MARIA_IDENTIFIERS, "stated_birth_date": "1981-03-15"})
    result = console.scalar(select(Contact.verification_result).where(Contact.id == contact_id))
    assert response.status_code == 422
    assert "do not match the member&#39;s record" in response.text
    assert "48 Oak Ave" not in response.text
    assert result == "failed"


def test_enhanced_verification_with_zip(console: Console) -> None:
    contact_id = _start_contact(console, console.book.maria_account, console.book.maria_member_id)
    response = _verify(console, contact_id, console.book.maria_member_id, **MARIA_IDENTIFIERS, stated_zip_code="23220")
    level = console.scalar(select(Contact.verification_level).where(Contact.id == contact_id))
    assert flash_of(response.text) == "Caller verified with enhanced assurance."
    assert level == "enhanced"


def test_contact_of_other_account_ignored(console: Console) -> None:
    contact_id = _start_contact(console, console.book.maria_account, console.book.maria_member_id)
    _verify(console, contact_id, console.book.maria_member_id, **MARIA_IDENTIFIERS)
    response = console.get(f"/accounts/{console.book.james_account}?tab=service&contact={contact_id}")
    assert "48 Oak Ave" not in response.text
    assert "Contact " + str(contact_id) + " in progress" not in response.text


def test_change_phone_on_verified_contact(console: Console) -> None:
    account = console.book.maria_account
    contact_id = _start_contact(console, account, console.book.maria_member_id)
    page = _verify(console, contact_id, console.book.maria_member_id, **MARIA_IDENTIFIERS)
    version = re.search(r'name="version" value="(\d+)"', page.text.split('action="/console/contacts/')[1])
    assert version is not None
    response = console.post(
        f"/contacts/{contact_id}/demographics",
        {"member_id": console.book.maria_member_id, "version": version.group(1), "line1": "48 Oak Ave", "city": "Richmond", "state": "VA", "zip_code": "23220", "phone": "804-555-0123"},
    )
    phone = console.scalar(select(Person.phone).where(Person.member_id == console.book.maria_member_id))
    touched = console.scalar(select(Contact.touched).where(Contact.id == contact_id))
    assert flash_of(response.text) == "Saved: phone."
    assert phone == "8045550123"
    assert f"person:{console.book.maria_member_id}" in touched


def test_change_refused_without_verification(console: Console) -> None:
    contact_id = _start_contact(console, console.book.maria_account, console.book.maria_member_id)
    response = console.post(f"/contacts/{contact_id}/demographics", {"member_id": console.book.maria_member_id, "email": "new@example.com"})
    email = console.scalar(select(Person.email).where(Person.member_id == console.book.maria_member_id))
    assert response.status_code == 422
    assert "is not verified for this member" in response.text
    assert email == "maria.lopez@example.com"


def test_open_case_assigned_to_me(console: Console) -> None:
    response = console.post(
        f"/accounts/{console.book.james_account}/cases",
        {"case_type": "inquiry", "priority": "high", "subject": "Grace period questions", "assign_to_me": "yes"},
    )
    case = console.scalar(select(ServiceCase).where(ServiceCase.subject == "Grace period questions"))
    assert flash_of(response.text) == f"Case {case.case_number} opened in the member services queue."
    assert case.owner == "sam"
    assert case.status == "open"


def test_open_case_needs_subject(console: Console) -> None:
    response = console.post(f"/accounts/{console.book.james_account}/cases", {"case_type": "inquiry", "priority": "normal", "subject": ""})
    assert response.status_code == 422
    assert "Subject is required." in response.text


def test_assign_and_resolve_case(console_module: Console) -> None:
    console_module.sign_in(Role.CSR)
    case_number = console_module.book.maria_case
    version = console_module.scalar(select(ServiceCase.version).where(ServiceCase.case_number == case_number))
    assigned = console_module.post(f"/cases/{case_number}/assign", {"owner": "casey", "version": str(version), "back": f"/cases/{case_number}"})
    version = console_module.scalar(select(ServiceCase.version).where(ServiceCase.case_number == case_number))
    resolved = console_module.post(
        f"/cases/{case_number}/resolve",
        {"code": "answered", "resolution": "Explained Sofia's new premium line.", "version": str(version), "back": f"/cases/{case_number}"},
    )
    status = console_module.scalar(select(ServiceCase.status).where(ServiceCase.case_number == case_number))
    assert flash_of(assigned.text) == f"Case {case_number} assigned to casey."
    assert flash_of(resolved.text) == f"Case {case_number} resolved (answered)."
    assert status == "resolved"
    assert resolved.url.path == f"/console/cases/{case_number}"


def test_stale_case_version_rejected(console: Console) -> None:
    console.post(f"/accounts/{console.book.group_account}/cases", {"case_type": "inquiry", "priority": "normal", "subject": "Stale version check"})
    case_number = console.scalar(select(ServiceCase.case_number).where(ServiceCase.subject == "Stale version check"))
    response = console.post(f"/cases/{case_number}/assign", {"owner": "sam", "version": "99", "back": f"/cases/{case_number}"})
    assert response.status_code == 422
    assert "was changed by someone else" in response.text


def test_wait_on_member_pauses_case(console: Console) -> None:
    console.post(f"/accounts/{console.book.group_account}/cases", {"case_type": "inquiry", "priority": "normal", "subject": "Waiting for the roster"})
    case_number = console.scalar(select(ServiceCase.case_number).where(ServiceCase.subject == "Waiting for the roster"))
    response = console.post(f"/cases/{case_number}/wait", {"waiting": "yes", "back": f"/cases/{case_number}"})
    status = console.scalar(select(ServiceCase.status).where(ServiceCase.case_number == case_number))
    assert flash_of(response.text) == f"Case {case_number} is waiting on the member; its clock is paused."
    assert status == "waiting_on_member"


def test_case_page_shows_clocks(console: Console) -> None:
    response = console.get(f"/cases/{console.book.maria_case}")
    assert response.status_code == 200
    assert "First response" in response.text
    assert "Resolution" in response.text


def test_case_queue_filters(console: Console) -> None:
    console.post(f"/accounts/{console.book.group_account}/cases", {"case_type": "refund_request", "priority": "normal", "subject": "Refund of the December overpayment"})
    billing = console.get("/cases", params={"queue": "billing"})
    member_services = console.get("/cases", params={"queue": "member_services"})
    assert "Refund of the December overpayment" in billing.text
    assert "Refund of the December overpayment" not in member_services.text


def test_open_and_deny_dispute(console: Console) -> None:
    account = console.book.maria_account
    page = console.get(f"/accounts/{account}?tab=service")
    line_ids = re.findall(r'name="line" value="(\d+)"', page.text)
    response = console.post(f"/accounts/{account}/disputes", {"line": line_ids[-1], "reason": "Sofia was not enrolled for March"})
    dispute = console.scalar(select(Dispute).where(Dispute.reason == "Sofia was not enrolled for March"))
    assert flash_of(response.text) == f"Dispute {dispute.dispute_number} opened; $290.70 is held from collection."
    decided = console.post(f"/disputes/{dispute.dispute_number}/decide", {"outcome": "denial", "note": "Enrollment form on file.", "version": str(dispute.version)})
    status = console.scalar(select(Dispute.status).where(Dispute.id == dispute.id))
    assert flash_of(decided.text) == f"Dispute {dispute.dispute_number} decided: denied."
    assert status == "denied"


def test_dispute_needs_lines(console: Console) -> None:
    response = console.post(f"/accounts/{console.book.maria_account}/disputes", {"reason": "something is wrong"})
    assert response.status_code == 422
    assert "name at least one invoice line or payment" in response.text


def test_csr_cannot_decide_dispute(console_module: Console) -> None:
    account = console_module.book.group_account
    console_module.sign_in(Role.CSR)
    page = console_module.get(f"/accounts/{account}?tab=service")
    line_ids = re.findall(r'name="line" value="(\d+)"', page.text)
    console_module.post(f"/accounts/{account}/disputes", {"line": line_ids[0], "reason": "Employee left in December"})
    dispute = console_module.scalar(select(Dispute).where(Dispute.reason == "Employee left in December"))
    response = console_module.post(f"/disputes/{dispute.dispute_number}/decide", {"outcome": "adjustment_credit", "note": "ok"})
    status = console_module.scalar(select(Dispute.status).where(Dispute.id == dispute.id))
    assert response.status_code == 422
    assert "may not perform disputes.decide" in response.text
    assert status == "open"
