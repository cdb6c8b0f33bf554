"""/api/v1/refunds: a refund is capped by the account's credit; approval and rejection."""

from __future__ import annotations

from premia.staff.permissions import Role
from tests.interfaces.api.households import couple


def _pay(api, account_number: str, amount: str) -> None:
    body = {"account_number": account_number, "amount": {"amount": amount}, "method": "check", "reference": "CHK 77"}
    assert api.client.post("/api/v1/payments", json=body, headers=api.headers()).status_code == 201


def _request(api, account_number: str, amount: str, role: Role = Role.CSR, **headers: str):
    body = {"account_number": account_number, "amount": {"amount": amount}, "method": "check", "reason": "overpayment"}
    return api.client.post("/api/v1/refunds", json=body, headers=api.headers(role, **headers))


def test_refund_above_credit_rejected(api):
    household = couple(api)
    _pay(api, household.account_number, "2000.00")  # 2,000.00 - 1,924.00 billed = 76.00 credit
    response = _request(api, household.account_number, "100.00")
    assert response.status_code == 422
    assert response.json()["code"] == "refund.exceeds_credit"
    assert response.json()["field"] == "amount"
    assert "76.00" in response.json()["detail"]


def test_refund_of_credit_then_nothing_left(api):
    household = couple(api)
    _pay(api, household.account_number, "2000.00")
    refund = _request(api, household.account_number, "76.00")
    penny = _request(api, household.account_number, "0.01")
    summary = api.client.get(f"/api/v1/accounts/{household.account_number}/billing", headers=api.headers()).json()
    assert refund.status_code == 201
    # 76.00 is within the 500.00 approval limit, so it is approved at once.
    assert refund.json()["status"] == "approved"
    assert refund.json()["amount"] == {"amount": "76.00", "currency": "USD"}
    assert penny.status_code == 422
    assert summary["unapplied_credit"] == {"amount": "0.00", "currency": "USD"}


def test_refund_same_key_once(api):
    household = couple(api)
    _pay(api, household.account_number, "2000.00")
    first = _request(api, household.account_number, "30.00", **{"Idempotency-Key": "refund-1"})
    second = _request(api, household.account_number, "30.00", **{"Idempotency-Key": "refund-1"})
    listed = api.client.get("/api/v1/refunds", params={"account_number": household.account_number}, headers=api.headers()).json()
    assert second.json() == first.json()
    assert len(listed["items"]) == 1


def test_large_refund_needs_other_supervisor(api):
    household = couple(api)
    _pay(api, household.account_number, "2600.00")  # 2,600.00 - 1,924.00 = 676.00 credit
    refund = _request(api, household.account_number, "676.00", role=Role.SUPERVISOR).json()
    own = api.client.post(f"/api/v1/refunds/{refund['refund_id']}/approval", json={"note": "ok"}, headers=api.headers(Role.SUPERVISOR))
    other = api.client.post(f"/api/v1/refunds/{refund['refund_id']}/approval", json={"note": "checked"}, headers=api.headers(Role.ADMIN))
    assert refund["status"] == "pending_approval"
    assert refund["approval_required"] is True
    assert own.status_code == 403
    assert own.json()["code"] == "refund.self_approval"
    assert other.status_code == 200
    assert other.json()["status"] == "approved"


def test_refund_rejection(api):
    household = couple(api)
    _pay(api, household.account_number, "2600.00")
    refund = _request(api, household.account_number, "676.00").json()
    rejected = api.client.post(
        f"/api/v1/refunds/{refund['refund_id']}/rejection", json={"note": "payer asked to keep the credit"}, headers=api.headers(Role.SUPERVISOR)
    )
    read = api.client.get(f"/api/v1/refunds/{refund['refund_id']}", headers=api.headers(Role.FINANCE))
    assert rejected.json()["status"] == "rejected"
    assert read.json()["status"] == "rejected"
