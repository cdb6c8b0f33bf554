"""/api/v1/payments: post once per Idempotency-Key, allocations, list by account, reversal, card events."""

from __future__ import annotations

from datetime import timedelta

from premia.accounts import service as accounts
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.staff.permissions import Role
from tests.interfaces.api.conftest import NOW
from tests.interfaces.api.households import couple


def _post(api, account_number: str, amount: str, role: Role = Role.ADMIN, **headers: str):
    body = {"account_number": account_number, "amount": {"amount": amount, "currency": "USD"}, "method": "check", "reference": "CHK 1001"}
    return api.client.post("/api/v1/payments", json=body, headers=api.headers(role, **headers))


def _balance(api, account_number: str) -> str:
    return api.client.get(f"/api/v1/accounts/{account_number}/billing", headers=api.headers()).json()["balance"]["amount"]


def test_payment_applied_oldest_first(api):
    household = couple(api)
    response = _post(api, household.account_number, "1000.00")
    payment = response.json()
    assert response.status_code == 201
    assert payment["status"] == "settled"
    assert payment["applied"] == {"amount": "1000.00", "currency": "USD"}
    assert payment["unapplied"] == {"amount": "0.00", "currency": "USD"}
    # January's 962.00 first, then 1000.00 - 962.00 = 38.00 of February.
    assert sorted((row["coverage_month"], row["amount"]["amount"]) for row in payment["allocations"]) == [
        ("2026-01", "962.00"),
        ("2026-02", "38.00"),
    ]


def test_payment_same_key_posts_once(api):
    household = couple(api)
    first = _post(api, household.account_number, "962.00", **{"Idempotency-Key": "pay-1"})
    second = _post(api, household.account_number, "962.00", **{"Idempotency-Key": "pay-1"})
    listed = api.client.get("/api/v1/payments", params={"account_number": household.account_number}, headers=api.headers()).json()
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(listed["items"]) == 1
    assert _balance(api, household.account_number) == "962.00"  # 1,924.00 billed - 962.00 paid


def test_payment_key_reused_is_conflict(api):
    household = couple(api)
    _post(api, household.account_number, "962.00", **{"Idempotency-Key": "pay-2"})
    other = _post(api, household.account_number, "10.00", **{"Idempotency-Key": "pay-2"})
    assert other.status_code == 409
    assert other.json()["code"] == "api.idempotency_key_reused"
    assert other.json()["field"] == "Idempotency-Key"


def test_payment_zero_is_problem(api):
    household = couple(api)
    response = _post(api, household.account_number, "0.00")
    assert response.status_code == 422
    assert response.json()["code"] == "payment.invalid_amount"
    assert response.json()["field"] == "amount"


def test_payment_float_amount_rejected(api):
    household = couple(api)
    body = {"account_number": household.account_number, "amount": {"amount": 962.0}, "method": "check"}
    response = api.client.post("/api/v1/payments", json=body, headers=api.headers())
    assert response.status_code == 422
    assert response.json()["code"] == "api.invalid_request"
    assert response.json()["field"] == "amount.amount"


def test_payment_sub_cent_amount_message(api):
    household = couple(api)
    body = {"account_number": household.account_number, "amount": {"amount": "12.345"}, "method": "check"}

    response = api.client.post("/api/v1/payments", json=body, headers=api.headers())

    assert response.status_code == 422
    assert response.json()["field"] == "amount.amount"
    assert response.json()["errors"][0]["message"] == "'12.345' is not an amount: write dollars with two decimal places, for example 968.00."


def test_payment_other_currency_message(api):
    household = couple(api)
    body = {"account_number": household.account_number, "amount": {"amount": "12.00", "currency": "EUR"}, "method": "check"}

    response = api.client.post("/api/v1/payments", json=body, headers=api.headers())

    assert response.status_code == 422
    assert "Premia bills in USD" in response.json()["detail"]


def test_payment_list_filters_and_pages(api):
    household = couple(api)
    other = couple(api, first_name="Bea")
    for amount in ("100.00", "200.00", "300.00"):
        _post(api, household.account_number, amount)
    _post(api, other.account_number, "50.00")
    first = api.client.get("/api/v1/payments", params={"account_number": household.account_number, "limit": 2}, headers=api.headers()).json()
    second = api.client.get(
        "/api/v1/payments",
        params={"account_number": household.account_number, "limit": 2, "cursor": first["next_cursor"]},
        headers=api.headers(),
    ).json()
    assert [payment["amount"]["amount"] for payment in first["items"]] == ["100.00", "200.00"]
    assert [payment["amount"]["amount"] for payment in second["items"]] == ["300.00"]
    assert second["next_cursor"] is None


def test_payment_reversal_reopens_invoice(api):
    household = couple(api)
    payment = _post(api, household.account_number, "962.00").json()
    csr = api.client.post(f"/api/v1/payments/{payment['payment_id']}/reversal", json={"reason": "bounced check"}, headers=api.headers(Role.CSR))
    reversed_ = api.client.post(
        f"/api/v1/payments/{payment['payment_id']}/reversal", json={"reason": "bounced check"}, headers=api.headers(Role.SUPERVISOR)
    )
    again = api.client.post(
        f"/api/v1/payments/{payment['payment_id']}/reversal", json={"reason": "bounced check"}, headers=api.headers(Role.SUPERVISOR)
    )
    assert csr.status_code == 403
    assert reversed_.status_code == 200
    assert reversed_.json()["status"] == "reversed"
    assert reversed_.json()["reversal_reason"] == "bounced check"
    assert again.status_code == 409
    assert again.json()["code"] == "payment.not_reversible"
    assert _balance(api, household.account_number) == "1924.00"  # both invoices open again


def test_payment_unknown_is_404(api):
    response = api.client.get("/api/v1/payments/999999", headers=api.headers())
    assert response.status_code == 404
    assert response.json()["code"] == "payment.not_found"


def _card_event(api, account_number: str, event_id: str, event_type: str, occurred_at: str):
    body = {
        "processor": "stripe",
        "event_id": event_id,
        "transaction_id": "T-9",
        "event_type": event_type,
        "occurred_at": occurred_at,
        "amount": {"amount": "962.00", "currency": "USD"},
        "account_number": account_number,
        "received_on": "2026-01-28",
    }
    return api.client.post("/api/v1/payments/card-events", json=body, headers=api.headers(Role.INTEGRATION))


def test_card_confirmed_twice_posts_once(api):
    household = couple(api)
    reply = _card_event(api, household.account_number, "reply:T-9", "succeeded", "2026-01-28T14:00:00.100Z")
    event = _card_event(api, household.account_number, "evt_1", "succeeded", "2026-01-28T14:00:00.180Z")
    redelivered = _card_event(api, household.account_number, "evt_1", "succeeded", "2026-01-28T14:00:00.180Z")
    payments = api.client.get("/api/v1/payments", params={"account_number": household.account_number}, headers=api.headers()).json()
    assert (reply.status_code, event.status_code, redelivered.status_code) == (200, 200, 200)
    assert reply.json()["outcome"] == "applied"
    assert redelivered.json()["outcome"] == "duplicate"
    assert len(payments["items"]) == 1
    assert payments["items"][0]["external_id"] == "stripe:T-9"
    assert _balance(api, household.account_number) == "962.00"  # 1,924.00 - 962.00, posted once


def test_card_event_stale_changes_nothing(api):
    household = couple(api)
    succeeded = _card_event(api, household.account_number, "E2", "succeeded", "2026-01-28T15:00:05Z")
    stale = _card_event(api, household.account_number, "E1", "processing", "2026-01-28T15:00:00Z")
    assert succeeded.json()["payment"]["status"] == "settled"
    assert stale.status_code == 200
    assert stale.json()["outcome"] == "stale"
    assert stale.json()["payment"]["status"] == "settled"


def test_card_event_naive_time_rejected(api):
    household = couple(api)
    response = _card_event(api, household.account_number, "E3", "succeeded", "2026-01-28T15:00:05")
    assert response.status_code == 422
    assert response.json()["code"] == "api.invalid_request"


def test_allocation_names_invoice_number(api):
    household = couple(api)

    payment = _post(api, household.account_number, "1000.00").json()

    # The allocation names the invoice as GET /invoices/{invoice_number} takes it.
    january, february = household.invoice_numbers[:2]
    assert sorted((row["coverage_month"], row["invoice_number"]) for row in payment["allocations"]) == [
        ("2026-01", january),
        ("2026-02", february),
    ]
    invoice = api.client.get(f"/api/v1/invoices/{payment['allocations'][0]['invoice_number']}", headers=api.headers())
    assert invoice.status_code == 200


def test_payment_sends_receipt(api):
    household = couple(api)
    response = _post(api, household.account_number, "962.00")
    with api.services() as ctx:
        account = accounts.get_account_row(ctx, household.account_number)
        kinds = [notice.notice_type for notice in notices_for(ctx, billing_account_id=account.id)]
    assert response.status_code == 201
    # Money received through a portal or IVR gets a receipt, as a payment posted by hand does.
    assert kinds.count(NoticeType.PAYMENT_RECEIPT.value) == 1


def test_payment_dated_after_today_rejected(api):
    household = couple(api)
    body = {
        "account_number": household.account_number,
        "amount": {"amount": "962.00", "currency": "USD"},
        "method": "check",
        "received_on": (NOW.date() + timedelta(days=1)).isoformat(),
    }
    response = api.client.post("/api/v1/payments", json=body, headers=api.headers())
    assert response.status_code == 422
    assert response.json()["code"] == "payment.received_in_future"
    assert response.json()["field"] == "received_on"
    assert _balance(api, household.account_number) == "1924.00"
