"""/api/v1/contacts: log interactions, verify the caller, and show member data only after verification."""

from __future__ import annotations

from premia.staff.permissions import Role
from tests.interfaces.api.households import couple


def _log(api, member_id: str, **changes):
    body = {"channel": "phone", "direction": "inbound", "subject": "billing", "member_id": member_id} | changes
    return api.client.post("/api/v1/contacts", json=body, headers=api.headers(Role.CSR))


def _verify(api, contact_id: int, identifiers: dict):
    return api.client.post(
        f"/api/v1/contacts/{contact_id}/verification", json={"method": "identifiers", "identifiers": identifiers}, headers=api.headers(Role.CSR)
    )


def test_contact_logged_for_member(api):
    household = couple(api, billed_through=None)
    response = _log(api, household.member_id, notes="asked about the February bill")
    contact = response.json()
    assert response.status_code == 201
    assert contact["member_id"] == household.member_id
    assert contact["account_number"] == household.account_number
    assert contact["handled_by"] == "csr-user"


def test_member_data_needs_verification(api):
    household = couple(api, billed_through=None)
    contact = _log(api, household.member_id).json()
    before = api.client.get(f"/api/v1/contacts/{contact['contact_id']}/member", headers=api.headers(Role.CSR))
    identifiers = {"member_id": household.member_id, "first_name": "Ana", "last_name": "Subscriber", "birth_date": "1990-08-17"}
    verified = _verify(api, contact["contact_id"], identifiers)
    after = api.client.get(f"/api/v1/contacts/{contact['contact_id']}/member", headers=api.headers(Role.CSR))
    assert before.status_code == 403
    assert before.json()["code"] == "contact.not_verified"
    assert verified.json()["verification_result"] == "passed"
    assert verified.json()["verification_level"] == "basic"
    assert after.status_code == 200
    assert after.json()["member_id"] == household.member_id
    assert f"person:{household.member_id}" in api.client.get(f"/api/v1/contacts/{contact['contact_id']}", headers=api.headers(Role.CSR)).json()["touched"]


def test_wrong_birth_date_fails_verification(api):
    household = couple(api, billed_through=None)
    contact = _log(api, household.member_id).json()
    identifiers = {"member_id": household.member_id, "first_name": "Ana", "last_name": "Subscriber", "birth_date": "1990-08-18"}
    response = _verify(api, contact["contact_id"], identifiers)
    assert response.status_code == 200
    assert response.json()["verification_result"] == "failed"


def test_contacts_listed_by_member(api):
    household = couple(api, billed_through=None)
    other = couple(api, billed_through=None, first_name="Bea")
    for _ in range(3):
        _log(api, household.member_id)
    _log(api, other.member_id)
    first = api.client.get("/api/v1/contacts", params={"member_id": household.member_id, "limit": 2}, headers=api.headers(Role.CSR)).json()
    second = api.client.get(
        "/api/v1/contacts", params={"member_id": household.member_id, "limit": 2, "cursor": first["next_cursor"]}, headers=api.headers(Role.CSR)
    ).json()
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    assert {contact["member_id"] for contact in first["items"] + second["items"]} == {household.member_id}


def test_contacts_need_a_filter(api):
    response = api.client.get("/api/v1/contacts", headers=api.headers(Role.CSR))
    assert response.status_code == 422
    assert response.json()["code"] == "contact.filter_missing"


def test_contact_other_party_needs_name(api):
    household = couple(api, billed_through=None)
    response = _log(api, household.member_id, party_kind="representative")
    assert response.status_code == 422
    assert response.json()["code"] == "contact.party_name_missing"
    assert response.json()["field"] == "party_name"
