"""/api/v1/cases: open, read with ETag, change with If-Match, the transition table, and SLA clocks."""

from __future__ import annotations

from premia.staff.permissions import Role
from tests.interfaces.api.households import couple


def _open(api, member_id: str, **changes):
    body = {"case_type": "inquiry", "subject": "March invoice charged twice", "member_id": member_id} | changes
    return api.client.post("/api/v1/cases", json=body, headers=api.headers(Role.CSR))


def _etag(api, case_number: str) -> str:
    return api.client.get(f"/api/v1/cases/{case_number}", headers=api.headers(Role.CSR)).headers["ETag"]


def _post(api, case_number: str, action: str, body: dict | None, etag: str | None):
    headers = {"If-Match": etag} if etag else {}
    return api.client.post(f"/api/v1/cases/{case_number}/{action}", json=body, headers=api.headers(Role.CSR, **headers))


def test_case_open_and_read(api):
    household = couple(api, billed_through=None)
    created = _open(api, household.member_id)
    read = api.client.get(f"/api/v1/cases/{created.json()['case_number']}", headers=api.headers(Role.CSR))
    case = read.json()
    assert created.status_code == 201
    assert case["status"] == "new"
    assert case["queue"] == "member_services"
    assert case["account_number"] == household.account_number
    assert read.headers["ETag"] == f'W/"{case["version"]}"'


def test_case_change_needs_if_match(api):
    household = couple(api, billed_through=None)
    number = _open(api, household.member_id).json()["case_number"]
    missing = _post(api, number, "assignment", {"owner": "csr-user"}, None)
    stale = _post(api, number, "assignment", {"owner": "csr-user"}, 'W/"99"')
    assert missing.status_code == 428
    assert stale.status_code == 412
    assert stale.json()["code"] == "api.precondition_failed"


def test_case_workflow_with_etags(api):
    household = couple(api, billed_through=None)
    number = _open(api, household.member_id).json()["case_number"]
    assigned = _post(api, number, "assignment", {"owner": "csr-user"}, _etag(api, number))
    resolved = _post(api, number, "resolution", {"resolution": "Second charge was a duplicate print", "code": "answered"}, assigned.headers["ETag"])
    closed = _post(api, number, "closure", None, resolved.headers["ETag"])
    reopened = _post(api, number, "reopening", {"reason": "member called back"}, closed.headers["ETag"])
    assert assigned.json()["status"] == "open"
    assert assigned.json()["owner"] == "csr-user"
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolution_code"] == "answered"
    assert closed.json()["status"] == "closed"
    assert reopened.json()["status"] == "open"
    assert reopened.json()["reopen_count"] == 1


def test_case_transition_not_allowed(api):
    household = couple(api, billed_through=None)
    number = _open(api, household.member_id).json()["case_number"]
    response = _post(api, number, "closure", None, _etag(api, number))
    assert response.status_code == 409
    assert response.json()["code"] == "case.transition_not_allowed"
    assert "resolve" in response.json()["hint"]


def test_case_patch_pauses_clock(api):
    household = couple(api, billed_through=None)
    number = _open(api, household.member_id).json()["case_number"]
    response = api.client.patch(
        f"/api/v1/cases/{number}",
        json={"waiting_on_member": True, "note": "asked for the bank statement"},
        headers=api.headers(Role.CSR, **{"If-Match": _etag(api, number)}),
    )
    clocks = api.client.get(f"/api/v1/cases/{number}/clocks", params={"viewer_zone": "America/Los_Angeles"}, headers=api.headers(Role.CSR)).json()
    assert response.status_code == 200
    assert response.json()["status"] == "waiting_on_member"
    assert clocks["viewer_zone"] == "America/Los_Angeles"
    assert [clock["phase"] for clock in clocks["clocks"]] == ["stopped", "paused"]


def test_case_unknown_zone_is_problem(api):
    household = couple(api, billed_through=None)
    number = _open(api, household.member_id).json()["case_number"]
    response = api.client.get(f"/api/v1/cases/{number}/clocks", params={"viewer_zone": "Mars/Olympus"}, headers=api.headers(Role.CSR))
    assert response.status_code == 422
    assert response.json()["code"] == "case.viewer_zone_unknown"


def test_cases_filtered_and_paged(api):
    household = couple(api, billed_through=None)
    for subject in ("one", "two", "three"):
        _open(api, household.member_id, subject=subject)
    _open(api, household.member_id, case_type="complaint", subject="four")
    first = api.client.get("/api/v1/cases", params={"case_type": "inquiry", "limit": 2}, headers=api.headers(Role.CSR)).json()
    second = api.client.get(
        "/api/v1/cases", params={"case_type": "inquiry", "limit": 2, "cursor": first["next_cursor"]}, headers=api.headers(Role.CSR)
    ).json()
    assert [case["subject"] for case in first["items"] + second["items"]] == ["one", "two", "three"]
    assert second["next_cursor"] is None


def test_case_history_listed(api):
    household = couple(api)
    number = _open(api, household.member_id).json()["case_number"]
    assigned = _post(api, number, "assignment", {"owner": "csr-user"}, _etag(api, number))
    _post(api, number, "resolution", {"resolution": "Second charge was a duplicate print", "code": "answered"}, assigned.headers["ETag"])
    response = api.client.get(f"/api/v1/cases/{number}/events", headers=api.headers(Role.CSR))
    events = response.json()
    assert response.status_code == 200
    assert [event["action"] for event in events] == ["open", "assign", "resolve"]
    assert events[-1]["to_status"] == "resolved"
    assert events[-1]["note"] == "Second charge was a duplicate print"
