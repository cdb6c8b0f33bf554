"""/api/v1/suspense: list held money, apply an item to an account once, or refund it by check."""

from __future__ import annotations

from datetime import date

from premia.payments.lockbox import import_lockbox
from premia.staff.permissions import Role
from tests.interfaces.api.households import couple


def _hold(api, *amounts: str) -> None:
    """Import a lockbox batch whose checks name no invoice, so each goes to suspense."""
    rows = ["invoice_number,amount,received_on,payer_name"]
    rows += [f"PRM-2026-9999{index:02d},{amount},2026-01-28,R. Payer" for index, amount in enumerate(amounts)]
    with api.services() as ctx:
        import_lockbox(ctx, ("\n".join(rows) + "\n").encode("utf-8"), file_name="held.csv", as_of=date(2026, 1, 28))


def _open_items(api, role: Role = Role.FINANCE) -> list[dict]:
    return api.client.get("/api/v1/suspense", headers=api.headers(role)).json()["items"]


def test_suspense_lists_open_items(api):
    _hold(api, "239.40", "15.00")
    items = _open_items(api)
    assert [item["amount"]["amount"] for item in items] == ["239.40", "15.00"]
    assert items[0]["status"] == "open"
    assert items[0]["age_days"] == 33  # 2026-01-28 to 2026-03-02
    assert items[0]["overdue"] is False  # not older than 45 days


def test_suspense_apply_posts_once(api):
    household = couple(api)
    _hold(api, "239.40")
    (item,) = _open_items(api)
    body = {"account_number": household.account_number, "note": "coupon image shows the account number"}
    headers = api.headers(Role.BILLING, **{"Idempotency-Key": "apply-1"})
    applied = api.client.post(f"/api/v1/suspense/{item['item_id']}/application", json=body, headers=headers)
    replay = api.client.post(f"/api/v1/suspense/{item['item_id']}/application", json=body, headers=headers)
    again = api.client.post(f"/api/v1/suspense/{item['item_id']}/application", json=body, headers=api.headers(Role.BILLING))
    resolved = api.client.get(f"/api/v1/suspense/{item['item_id']}", headers=api.headers(Role.BILLING)).json()
    assert applied.status_code == 201
    assert applied.json()["amount"] == {"amount": "239.40", "currency": "USD"}
    assert applied.json()["received_on"] == "2026-01-28"
    assert replay.json() == applied.json()
    assert again.status_code == 409
    assert again.json()["code"] == "suspense.not_open"
    assert resolved["status"] == "applied"
    assert resolved["account_number"] == household.account_number
    assert _open_items(api) == []


def test_suspense_refund_by_check(api):
    _hold(api, "15.00")
    (item,) = _open_items(api)
    refund = api.client.post(f"/api/v1/suspense/{item['item_id']}/refund", json={"reason": "payer not insured with us"}, headers=api.headers())
    assert refund.status_code == 201
    assert refund.json()["method"] == "check"
    assert refund.json()["payee_name"] == "R. Payer"
    assert refund.json()["suspense_item_id"] == item["item_id"]


def test_suspense_filter_by_status(api):
    _hold(api, "15.00")
    applied = api.client.get("/api/v1/suspense", params={"status": "applied"}, headers=api.headers()).json()
    assert applied["items"] == []


def test_suspense_csr_forbidden(api):
    response = api.client.get("/api/v1/suspense", headers=api.headers(Role.CSR))
    assert response.status_code == 403


def _suspense_reads(api) -> list[dict]:
    rows = api.client.get("/api/v1/audit", params={"record_type": "suspense_item"}, headers=api.headers(Role.AUDITOR)).json()
    return [row for row in rows if row["username"] == "finance-user" and row["action"] in ("search", "read")]


def test_suspense_reads_audited(api):
    _hold(api, "239.40", "15.00")

    items = _open_items(api)
    api.client.get(f"/api/v1/suspense/{items[0]['item_id']}", headers=api.headers(Role.FINANCE))

    reads = _suspense_reads(api)
    assert sorted((row["action"], row["record_id"]) for row in reads) == sorted(
        [("search", str(items[0]["item_id"])), ("search", str(items[1]["item_id"])), ("read", str(items[0]["item_id"]))]
    )
