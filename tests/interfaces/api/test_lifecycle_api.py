"""Renewals and policy changes: members added and removed, plan changes, termination, cancellation, renewal runs."""

from __future__ import annotations

from premia.staff.permissions import Role
from tests.interfaces.api.catalog import load_test_catalog
from tests.interfaces.api.households import couple

CHILD = {"first_name": "Cam", "last_name": "Subscriber", "birth_date": "2015-05-05"}


def _post(api, path: str, body: dict, role: Role = Role.BILLING, **headers: str):
    return api.client.post(f"/api/v1{path}", json=body, headers=api.headers(role, **headers))


def _policy(api, number: str) -> dict:
    return api.client.get(f"/api/v1/policies/{number}", headers=api.headers()).json()


def test_child_added_from_requested_date(api):
    load_test_catalog(api)
    household = couple(api)
    child = _post(api, "/persons", CHILD).json()["member_id"]
    added = _post(
        api, f"/policies/{household.policy_number}/members", {"member_id": child, "relationship": "child", "effective": "2026-02-01"}
    )
    members = _policy(api, household.policy_number)["members"]
    assert added.status_code == 201
    assert added.json()["change"] == "member_added"
    assert added.json()["start_date"] == "2026-02-01"
    assert [(member["member_id"], member["start_date"]) for member in members][-1] == (child, "2026-02-01")


def test_member_removed_on_last_day(api):
    load_test_catalog(api)
    household = couple(api)
    body = {"member_id": household.spouse_member_id, "last_day": "2026-02-14"}
    removed = _post(api, f"/policies/{household.policy_number}/member-removals", body, **{"Idempotency-Key": "remove-b"})
    replay = _post(api, f"/policies/{household.policy_number}/member-removals", body, **{"Idempotency-Key": "remove-b"})
    spouse = next(member for member in _policy(api, household.policy_number)["members"] if member["member_id"] == household.spouse_member_id)
    assert removed.status_code == 200
    assert removed.json()["last_covered_day"] == "2026-02-14"
    assert replay.json() == removed.json()
    assert spouse["end_date"] == "2026-02-14"


def test_subscriber_cannot_be_removed(api):
    load_test_catalog(api)
    household = couple(api)
    response = _post(api, f"/policies/{household.policy_number}/member-removals", {"member_id": household.member_id, "last_day": "2026-02-14"})
    assert response.status_code == 422
    assert response.json()["code"] == "lifecycle.subscriber_removed"
    assert response.json()["field"] == "member_id"


def test_plan_change_continues_policy(api):
    load_test_catalog(api)
    household = couple(api)
    changed = _post(api, f"/policies/{household.policy_number}/plan-changes", {"plan_id": "OFFVA-GOLD", "effective": "2026-04-01"})
    old = _policy(api, household.policy_number)
    new = _policy(api, changed.json()["new_policy_number"])
    assert changed.status_code == 201
    assert old["status"] == "terminated"
    assert old["end_date"] == "2026-03-31"
    assert new["plan_id"] == "OFFVA-GOLD"
    assert new["effective_date"] == "2026-04-01"
    assert {member["member_id"] for member in new["members"]} == {household.member_id, household.spouse_member_id}


def test_termination_ends_policy(api):
    load_test_catalog(api)
    household = couple(api)
    response = _post(api, f"/policies/{household.policy_number}/termination", {"last_day": "2026-03-31", "reason": "moved out of state"})
    policy = _policy(api, household.policy_number)
    assert response.status_code == 200
    assert response.json()["last_covered_day"] == "2026-03-31"
    assert response.json()["expected_credit"]["currency"] == "USD"
    assert policy["status"] == "terminated"
    assert policy["end_date"] == "2026-03-31"


def test_termination_of_terminated_is_problem(api):
    load_test_catalog(api)
    household = couple(api)
    body = {"last_day": "2026-03-31", "reason": "moved out of state"}
    _post(api, f"/policies/{household.policy_number}/termination", body)
    again = _post(api, f"/policies/{household.policy_number}/termination", body)
    assert again.status_code == 409
    assert again.json()["code"] == "lifecycle.status_not_allowed"


def test_pending_policy_cancelled(api):
    load_test_catalog(api)
    account = api.client.post(
        "/api/v1/accounts",
        json={"kind": "individual", "holder": {"first_name": "Rosa", "last_name": "Diaz", "birth_date": "1984-06-01"}},
        headers=api.headers(),
    ).json()
    policy = _post(
        api,
        "/policies",
        {
            "account_number": account["account_number"],
            "subscriber_member_id": account["holder"]["member_id"],
            "plan_id": "OFFVA-SILVER",
            "rating_area": "VA-1",
            "market": "individual",
            "state": "VA",
            "effective_date": "2026-04-01",
        },
    ).json()
    cancelled = _post(api, f"/policies/{policy['policy_number']}/cancellation", {"reason": "bought coverage elsewhere"})
    assert cancelled.status_code == 200
    assert cancelled.json()["cancelled_from"] == "2026-04-01"
    assert _policy(api, policy["policy_number"])["status"] == "cancelled"


def test_renewal_run_offers_next_year(api):
    load_test_catalog(api)
    household = couple(api)
    run = _post(api, "/renewal-runs", {"as_of": "2026-10-15"}, **{"Idempotency-Key": "renewals-2026-10-15"})
    (result,) = [row for row in run.json()["policies"] if row["policy_number"] == household.policy_number]
    declined = _post(api, f"/policies/{household.policy_number}/renewal/decline", {"reason": "moving abroad"})
    assert run.status_code == 201
    assert result["outcome"] == "renewed"
    assert result["renewal_date"] == "2027-01-01"
    assert result["to_plan_id"] == "OFFVA-SILVER"
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"


def test_renewal_run_needs_permission(api):
    response = _post(api, "/renewal-runs", {"as_of": "2026-10-15"}, role=Role.CSR)
    assert response.status_code == 403
