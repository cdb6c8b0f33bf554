"""/api/v1/disputes: open on invoice lines, read with ETag, decide and approve with If-Match."""

from __future__ import annotations

from premia.staff.permissions import Role
from tests.interfaces.api.households import couple


def _open(api, household, amount: str | None = None, **headers: str):
    item = {"invoice_line_id": household.line_ids[0]} | ({"amount": {"amount": amount}} if amount else {})
    body = {"account_number": household.account_number, "items": [item], "reason": "charged for a month not covered"}
    return api.client.post("/api/v1/disputes", json=body, headers=api.headers(Role.CSR, **headers))


def _etag(api, number: str) -> str:
    return api.client.get(f"/api/v1/disputes/{number}", headers=api.headers(Role.CSR)).headers["ETag"]


def _decide(api, number: str, etag: str | None, role: Role = Role.SUPERVISOR, **body):
    headers = {"If-Match": etag} if etag else {}
    payload = {"outcome": "adjustment_credit", "note": "coverage started later"} | body
    return api.client.post(f"/api/v1/disputes/{number}/decision", json=payload, headers=api.headers(role, **headers))


def _balance(api, account_number: str) -> str:
    return api.client.get(f"/api/v1/accounts/{account_number}/billing", headers=api.headers()).json()["balance"]["amount"]


def test_disputable_lines_listed(api):
    household = couple(api)
    response = api.client.get(f"/api/v1/accounts/{household.account_number}/disputable-lines", headers=api.headers(Role.CSR))
    lines = response.json()["items"]
    assert [line["invoice_line_id"] for line in lines] == list(household.line_ids)
    assert lines[0]["disputable"] == {"amount": "488.80", "currency": "USD"}


def test_dispute_open_holds_amount(api):
    household = couple(api)
    response = _open(api, household, "100.00", **{"Idempotency-Key": "dispute-1"})
    replay = _open(api, household, "100.00", **{"Idempotency-Key": "dispute-1"})
    dispute = response.json()
    assert response.status_code == 201
    assert dispute["status"] == "open"
    assert dispute["disputed"] == {"amount": "100.00", "currency": "USD"}
    assert dispute["held"] == {"amount": "100.00", "currency": "USD"}
    assert replay.json()["dispute_number"] == dispute["dispute_number"]


def test_dispute_item_needs_one_target(api):
    household = couple(api)
    body = {"account_number": household.account_number, "items": [{}], "reason": "wrong"}
    response = api.client.post("/api/v1/disputes", json=body, headers=api.headers(Role.CSR))
    assert response.status_code == 422
    assert response.json()["code"] == "api.invalid_request"
    assert response.json()["field"] == "items.0"


def test_dispute_decision_credits(api):
    household = couple(api)
    number = _open(api, household, "100.00").json()["dispute_number"]
    by_csr = _decide(api, number, _etag(api, number), role=Role.CSR)
    decided = _decide(api, number, _etag(api, number))
    assert by_csr.status_code == 403
    assert decided.status_code == 200
    assert decided.json()["status"] == "credited"
    assert decided.json()["held"] == {"amount": "0.00", "currency": "USD"}
    assert decided.headers["ETag"] == f'W/"{decided.json()["version"]}"'
    assert _balance(api, household.account_number) == "1824.00"  # 1,924.00 - 100.00 credited


def test_dispute_decision_stale_etag(api):
    household = couple(api)
    number = _open(api, household, "100.00").json()["dispute_number"]
    etag = _etag(api, number)
    _decide(api, number, etag, outcome="denial")
    again = _decide(api, number, etag)
    assert again.status_code == 412
    assert again.json()["code"] == "api.precondition_failed"


def test_large_credit_waits_for_second_supervisor(api):
    household = couple(api)
    number = _open(api, household).json()["dispute_number"]  # the whole 488.80 line
    pending = _decide(api, number, _etag(api, number))
    own = api.client.post(
        f"/api/v1/disputes/{number}/approval", json={"approve": True}, headers=api.headers(Role.SUPERVISOR, **{"If-Match": pending.headers["ETag"]})
    )
    approved = api.client.post(
        f"/api/v1/disputes/{number}/approval", json={"approve": True}, headers=api.headers(Role.ADMIN, **{"If-Match": pending.headers["ETag"]})
    )
    # 488.80 is above the 250.00 approval amount.
    assert pending.json()["status"] == "pending_approval"
    assert own.status_code == 403
    assert own.json()["code"] == "dispute.self_approval"
    assert approved.json()["status"] == "credited"
    assert approved.json()["approved_by"] == "admin-user"


def test_disputes_listed_by_status(api):
    household = couple(api)
    _open(api, household, "10.00")
    open_ = api.client.get("/api/v1/disputes", params={"status": "open"}, headers=api.headers(Role.CSR)).json()
    denied = api.client.get("/api/v1/disputes", params={"status": "denied"}, headers=api.headers(Role.CSR)).json()
    assert len(open_["items"]) == 1
    assert denied["items"] == []
