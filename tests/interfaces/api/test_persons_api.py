"""/api/v1/persons: demographics with ETag and If-Match, history pages, eligibility and merges."""

from __future__ import annotations

from premia.staff.permissions import Role
from tests.interfaces.api.households import couple

NEW_ADDRESS = {"line1": "48 Oak Ave", "line2": "Apt 2", "city": "Richmond", "state": "VA", "zip_code": "23220"}


def _read(api, member_id: str, role: Role = Role.ADMIN):
    return api.client.get(f"/api/v1/persons/{member_id}", headers=api.headers(role))


def _patch(api, member_id: str, body: dict, etag: str | None):
    headers = {"If-Match": etag} if etag else {}
    return api.client.patch(f"/api/v1/persons/{member_id}", json=body, headers=api.headers(**headers))


def test_person_read_masks_and_tags(api):
    household = couple(api, billed_through=None)
    response = _read(api, household.member_id, Role.CSR)
    person = response.json()
    assert response.status_code == 200
    assert person["first_name"] == "Ana"
    assert person["birth_date"] == "1990-08-17"
    assert response.headers["ETag"] == f'W/"{person["version"]}"'


def test_person_update_needs_if_match(api):
    household = couple(api, billed_through=None)
    missing = _patch(api, household.member_id, {"phone": "804-555-0100"}, None)
    assert missing.status_code == 428
    assert missing.json()["code"] == "api.precondition_required"
    assert missing.json()["field"] == "If-Match"


def test_person_update_stale_etag(api):
    household = couple(api, billed_through=None)
    etag = _read(api, household.member_id).headers["ETag"]
    first = _patch(api, household.member_id, {"phone": "804-555-0100"}, etag)
    second = _patch(api, household.member_id, {"email": "ana@example.org"}, etag)
    assert first.status_code == 200
    assert second.status_code == 412
    assert second.json()["code"] == "api.precondition_failed"
    assert second.json()["hint"]


def test_person_update_applies_and_records(api):
    household = couple(api, billed_through=None)
    etag = _read(api, household.member_id).headers["ETag"]
    response = _patch(api, household.member_id, {"address": NEW_ADDRESS, "email": "ana@example.org"}, etag)
    body = response.json()
    history = api.client.get(f"/api/v1/persons/{household.member_id}/history", headers=api.headers()).json()
    assert response.status_code == 200
    assert body["applied"] == ["address", "email"]
    assert body["person"]["address"]["line1"] == "48 Oak Ave"
    assert body["person"]["email"] == "ana@example.org"
    assert response.headers["ETag"] == f'W/"{body["person"]["version"]}"'
    assert {"field": "email", "new": "ana@example.org", "source": "staff"} in [
        {"field": entry["field"], "new": entry["new_value"], "source": entry["source"]} for entry in history["items"]
    ]


def test_person_name_change_needs_document(api):
    household = couple(api, billed_through=None)
    etag = _read(api, household.member_id).headers["ETag"]
    response = _patch(api, household.member_id, {"last_name": "Lopez"}, etag)
    assert response.status_code == 422
    assert response.json()["code"] == "demographics.name_change_undocumented"
    assert response.json()["field"] == "document_reference"


def test_person_unknown_field_rejected(api):
    household = couple(api, billed_through=None)
    etag = _read(api, household.member_id).headers["ETag"]
    response = _patch(api, household.member_id, {"ssn": "123456789"}, etag)
    assert response.status_code == 422
    assert response.json()["code"] == "api.invalid_request"
    assert response.json()["field"] == "ssn"


def test_person_history_pages(api):
    household = couple(api, billed_through=None)
    etag = _read(api, household.member_id).headers["ETag"]
    _patch(api, household.member_id, {"phone": "804-555-0100", "email": "ana@example.org"}, etag)
    first = api.client.get(f"/api/v1/persons/{household.member_id}/history", params={"limit": 2}, headers=api.headers()).json()
    rest = api.client.get(
        f"/api/v1/persons/{household.member_id}/history", params={"limit": 2, "cursor": first["next_cursor"]}, headers=api.headers()
    ).json()
    # created, phone, email: three entries on two pages
    assert [entry["field"] for entry in first["items"] + rest["items"]] == ["created", "phone", "email"]
    assert rest["next_cursor"] is None


def test_person_unknown_is_404(api):
    response = _read(api, "M404")
    assert response.status_code == 404
    assert response.json()["code"] == "person.not_found"


def test_eligibility_covered_on_date(api):
    household = couple(api)
    response = api.client.get(f"/api/v1/persons/{household.member_id}/eligibility", params={"on": "2026-01-15"}, headers=api.headers())
    answer = response.json()
    assert response.status_code == 200
    assert answer["covered"] is True
    assert answer["policy_number"] == household.policy_number
    assert answer["paid_through"] is None


def test_eligibility_before_coverage(api):
    household = couple(api)
    answer = api.client.get(f"/api/v1/persons/{household.member_id}/eligibility", params={"on": "2025-12-31"}, headers=api.headers()).json()
    assert answer["covered"] is False
    assert answer["claims"] == "deny"


def test_merge_into_self_rejected(api):
    household = couple(api, billed_through=None)
    body = {"source_member_id": household.member_id, "target_member_id": household.member_id, "reason": "duplicate"}
    response = api.client.post("/api/v1/persons/merges", json=body, headers=api.headers())
    still_there = _read(api, household.member_id)
    assert response.status_code == 422
    assert response.json()["code"] == "person.merge_into_self"
    assert still_there.status_code == 200


def test_merge_moves_coverage(api):
    household = couple(api, billed_through=None)
    other = couple(api, billed_through=None, first_name="Bea")
    # The other policy's spouse is a duplicate of the first household's subscriber.
    body = {"source_member_id": other.spouse_member_id, "target_member_id": household.member_id, "reason": "same person, misspelt"}
    response = api.client.post("/api/v1/persons/merges", json=body, headers=api.headers(**{"Idempotency-Key": "merge-1"}))
    replay = api.client.post("/api/v1/persons/merges", json=body, headers=api.headers(**{"Idempotency-Key": "merge-1"}))
    back = api.client.post(
        "/api/v1/persons/merges",
        json={"source_member_id": household.member_id, "target_member_id": other.spouse_member_id, "reason": "undo"},
        headers=api.headers(),
    )
    policy = api.client.get(f"/api/v1/policies/{other.policy_number}", headers=api.headers()).json()
    assert response.status_code == 201
    assert response.json()["target_member_id"] == household.member_id
    assert replay.json() == response.json()
    assert back.status_code == 409
    assert back.json()["code"] == "person.already_merged"
    assert [member["member_id"] for member in policy["members"]] == [other.member_id, household.member_id]


def test_short_zip_named_in_problem(api):
    household = couple(api)
    etag = _read(api, household.member_id).headers["ETag"]
    response = _patch(api, household.member_id, {"address": {**NEW_ADDRESS, "zip_code": "2203"}}, etag)
    problem = response.json()
    assert response.status_code == 422
    assert problem["code"] == "address.invalid_zip"
    assert "2203" in problem["detail"]
