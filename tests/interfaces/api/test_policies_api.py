"""/api/v1/policies: enroll, list with filters, read with members and paid-through date, and delinquency status."""

from __future__ import annotations

from datetime import date

from premia.delinquency.service import run_delinquency
from premia.staff.permissions import Role
from tests.interfaces.api.households import couple

NEW_HOLDER = {
    "kind": "individual",
    "holder": {"first_name": "Rosa", "last_name": "Diaz", "birth_date": "1984-06-01"},
}


def _new_account(api) -> dict:
    return api.client.post("/api/v1/accounts", json=NEW_HOLDER, headers=api.headers()).json()


def _policy_body(account: dict, **changes) -> dict:
    body = {
        "account_number": account["account_number"],
        "subscriber_member_id": account["holder"]["member_id"],
        "plan_id": "OFFVA-SILVER",
        "rating_area": "VA-1",
        "market": "individual",
        "state": "VA",
        "effective_date": "2026-04-01",
    }
    return body | changes


def test_policy_create_and_read(api):
    account = _new_account(api)
    created = api.client.post("/api/v1/policies", json=_policy_body(account), headers=api.headers(Role.BILLING))
    read = api.client.get(f"/api/v1/policies/{created.json()['policy_number']}", headers=api.headers(Role.CSR))
    policy = read.json()
    assert created.status_code == 201
    assert policy["status"] == "pending"
    assert policy["account_number"] == account["account_number"]
    assert [(member["member_id"], member["relationship"], member["start_date"]) for member in policy["members"]] == [
        (account["holder"]["member_id"], "subscriber", "2026-04-01")
    ]


def test_policy_create_idempotent(api):
    account = _new_account(api)
    headers = api.headers(Role.BILLING, **{"Idempotency-Key": "policy-1"})
    first = api.client.post("/api/v1/policies", json=_policy_body(account), headers=headers)
    second = api.client.post("/api/v1/policies", json=_policy_body(account), headers=headers)
    listed = api.client.get("/api/v1/policies", params={"account_number": account["account_number"]}, headers=api.headers()).json()
    assert second.json()["policy_number"] == first.json()["policy_number"]
    assert len(listed["items"]) == 1


def test_policy_end_before_start_is_problem(api):
    account = _new_account(api)
    response = api.client.post("/api/v1/policies", json=_policy_body(account, end_date="2026-03-31"), headers=api.headers())
    assert response.status_code == 422
    assert response.json()["code"] == "policy.end_before_start"
    assert response.json()["field"] == "end_date"


def test_policy_unknown_subscriber_is_404(api):
    account = _new_account(api)
    response = api.client.post("/api/v1/policies", json=_policy_body(account, subscriber_member_id="M404"), headers=api.headers())
    assert response.status_code == 404
    assert response.json()["code"] == "person.not_found"


def test_policy_list_by_member_and_status(api):
    household = couple(api, billed_through=None)
    couple(api, billed_through=None, first_name="Bea")
    by_spouse = api.client.get("/api/v1/policies", params={"member_id": household.spouse_member_id}, headers=api.headers()).json()
    pending = api.client.get("/api/v1/policies", params={"status": "pending"}, headers=api.headers()).json()
    assert [policy["policy_number"] for policy in by_spouse["items"]] == [household.policy_number]
    assert pending["items"] == []


def test_policy_list_pages(api):
    first_household = couple(api, billed_through=None)
    second_household = couple(api, billed_through=None, first_name="Bea")
    first = api.client.get("/api/v1/policies", params={"limit": 1}, headers=api.headers()).json()
    second = api.client.get("/api/v1/policies", params={"limit": 1, "cursor": first["next_cursor"]}, headers=api.headers()).json()
    assert [policy["policy_number"] for policy in first["items"] + second["items"]] == [
        first_household.policy_number,
        second_household.policy_number,
    ]
    assert second["next_cursor"] is None


def test_delinquency_status_in_grace(api):
    household = couple(api)
    with api.services(username="setup") as ctx:
        # January's 962.00, due 2026-01-02, is unpaid: a 31-day grace period from 2026-01-03.
        run_delinquency(ctx, as_of=date(2026, 1, 5))
    status = api.client.get(f"/api/v1/policies/{household.policy_number}/delinquency", headers=api.headers(Role.CSR)).json()
    transitions = api.client.get(
        "/api/v1/delinquency/transitions", params={"policy_number": household.policy_number}, headers=api.headers()
    ).json()
    assert status["status"] == "grace"
    assert status["in_grace"] is True
    assert status["grace_period"]["start_date"] == "2026-01-03"
    assert status["grace_period"]["end_date"] == "2026-02-02"  # 2026-01-03 + 30 days, 31 days in all
    assert [(row["from_status"], row["to_status"]) for row in transitions["items"]] == [("active", "grace")]
    assert status["recent_transitions"] == transitions["items"]


def test_delinquency_transitions_read_audited(api):
    household = couple(api)
    with api.services(username="setup") as ctx:
        run_delinquency(ctx, as_of=date(2026, 1, 5))

    api.client.get("/api/v1/delinquency/transitions", params={"policy_number": household.policy_number}, headers=api.headers(Role.BILLING))
    rows = api.client.get("/api/v1/audit", params={"record_id": household.policy_number}, headers=api.headers(Role.AUDITOR)).json()

    searches = [row for row in rows if row["username"] == "billing-user" and row["action"] == "search"]
    assert len(searches) == 1
    assert searches[0]["record_type"] == "policy"
    assert searches[0]["channel"] == "api"
