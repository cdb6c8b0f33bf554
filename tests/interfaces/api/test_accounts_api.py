"""/api/v1/accounts: create, read with ETag, update with If-Match, problems, idempotency."""

from __future__ import annotations

from premia.staff.permissions import Role

NEW_ACCOUNT = {
    "kind": "individual",
    "holder": {
        "first_name": "Maria",
        "last_name": "Lopez",
        "birth_date": "1980-03-15",
        "ssn": "123-45-6789",
        "address": {"line1": "48 Oak Ave", "city": "Richmond", "state": "VA", "zip_code": "23220"},
    },
    "preferences": {"payment_mode": "quarterly"},
}


def _create(api, **headers):
    return api.client.post("/api/v1/accounts", json=NEW_ACCOUNT, headers=api.headers(**headers))


def test_create_and_read_account(api):
    created = _create(api)
    assert created.status_code == 201
    number = created.json()["account_number"]
    read = api.client.get(f"/api/v1/accounts/{number}", headers=api.headers())
    assert read.status_code == 200
    assert read.json()["holder"]["ssn"] == "•••-••-6789"
    assert read.headers["ETag"] == f'W/"{read.json()["version"]}"'


def test_spanish_holder_gets_spanish_account(api):
    body = {**NEW_ACCOUNT, "holder": {**NEW_ACCOUNT["holder"], "language": "es"}}
    created = api.client.post("/api/v1/accounts", json=body, headers=api.headers())
    number = created.json()["account_number"]
    read = api.client.get(f"/api/v1/accounts/{number}", headers=api.headers())
    assert created.status_code == 201
    # The preferences name no language, so the account takes the holder's.
    assert read.json()["preferences"]["language"] == "es"


def test_create_idempotent_with_key(api):
    first = _create(api, **{"Idempotency-Key": "create-1"})
    second = _create(api, **{"Idempotency-Key": "create-1"})
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    listed = api.client.get("/api/v1/accounts", params={"last_name": "Lopez", "birth_date": "1980-03-15"}, headers=api.headers())
    assert len(listed.json()["items"]) == 1


def test_duplicate_account_is_problem(api):
    _create(api)
    number = api.client.get("/api/v1/accounts", params={"last_name": "Lopez", "birth_date": "1980-03-15"}, headers=api.headers()).json()["items"][0]["holder"]["member_id"]
    again = api.client.post(
        "/api/v1/accounts", json={"kind": "individual", "holder_member_id": number}, headers=api.headers()
    )
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["code"] == "account.duplicate"


def test_invalid_state_names_field(api):
    body = {**NEW_ACCOUNT, "holder": {**NEW_ACCOUNT["holder"], "address": {**NEW_ACCOUNT["holder"]["address"], "state": "XX"}}}
    response = api.client.post("/api/v1/accounts", json=body, headers=api.headers())
    assert response.status_code == 422
    assert response.json()["field"] == "address.state"
    assert response.json()["hint"]


def test_patch_needs_if_match(api):
    created = _create(api).json()
    number = created["account_number"]
    etag = f'W/"{created["version"]}"'
    missing = api.client.patch(f"/api/v1/accounts/{number}/preferences", json={"due_day": 5}, headers=api.headers())
    assert missing.status_code == 428
    stale = api.client.patch(
        f"/api/v1/accounts/{number}/preferences", json={"due_day": 5}, headers=api.headers(**{"If-Match": 'W/"99"'})
    )
    assert stale.status_code == 412
    ok = api.client.patch(
        f"/api/v1/accounts/{number}/preferences", json={"due_day": 5}, headers=api.headers(**{"If-Match": etag})
    )
    assert ok.status_code == 200
    assert ok.json()["preferences"]["due_day"] == 5
    assert ok.headers["ETag"] == f'W/"{created["version"] + 1}"'


def test_missing_token_is_401(api):
    response = api.client.get("/api/v1/accounts/BA-000001")
    assert response.status_code == 401
    assert response.json()["code"] == "staff.session_invalid"


def test_csr_cannot_read_audit(api):
    response = api.client.get("/api/v1/audit", headers=api.headers(Role.CSR))
    assert response.status_code == 403
    assert response.json()["code"] == "staff.permission_denied"


def test_reads_are_audited_with_token_identity(api):
    number = _create(api).json()["account_number"]
    api.client.get(f"/api/v1/accounts/{number}", headers=api.headers(Role.CSR))
    rows = api.client.get("/api/v1/audit", params={"record_id": number}, headers=api.headers(Role.AUDITOR)).json()
    assert any(row["username"] == "csr-user" and row["action"] == "read" and row["channel"] == "api" for row in rows)


def test_amounts_are_strings(api):
    number = _create(api).json()["account_number"]
    summary = api.client.get(f"/api/v1/accounts/{number}/billing", headers=api.headers()).json()
    assert summary["balance"] == {"amount": "0.00", "currency": "USD"}


BANK = {
    "holder_name": "Maria Lopez",
    "routing_number": "091000019",
    "account_number": "4455667788",
    "account_type": "checking",
    "authorization_method": "online",
    "authorized_by": "Maria Lopez",
}
GROUP = {
    "group_number": "G-0501",
    "name": "Riverside Dental Group",
    "anniversary_month": 1,
    "address": {"line1": "1 Main St", "city": "Richmond", "state": "VA", "zip_code": "23220"},
}


def test_accounts_listed_in_pages(api):
    numbers = []
    for first_name in ("Ana", "Bea", "Cam"):
        holder = {**NEW_ACCOUNT["holder"], "first_name": first_name, "ssn": None}
        numbers.append(api.client.post("/api/v1/accounts", json={**NEW_ACCOUNT, "holder": holder}, headers=api.headers()).json()["account_number"])
    first = api.client.get("/api/v1/accounts", params={"limit": 2}, headers=api.headers()).json()
    second = api.client.get("/api/v1/accounts", params={"limit": 2, "cursor": first["next_cursor"]}, headers=api.headers()).json()
    assert [account["account_number"] for account in first["items"] + second["items"]] == sorted(numbers)
    assert second["next_cursor"] is None


def test_bank_account_masked(api):
    number = _create(api).json()["account_number"]
    added = api.client.post(f"/api/v1/accounts/{number}/bank-accounts", json=BANK, headers=api.headers(Role.BILLING))
    account = api.client.get(f"/api/v1/accounts/{number}", headers=api.headers(Role.CSR)).json()
    assert added.status_code == 201
    assert added.json()["account_number"] == "••••7788"
    assert added.json()["authorization"]["sec_code"] == "WEB"
    assert [bank["account_number"] for bank in account["bank_accounts"]] == ["••••7788"]


def test_bank_account_needs_permission(api):
    number = _create(api).json()["account_number"]
    response = api.client.post(f"/api/v1/accounts/{number}/bank-accounts", json=BANK, headers=api.headers(Role.CSR))
    assert response.status_code == 403


def test_bad_routing_number_is_problem(api):
    number = _create(api).json()["account_number"]
    response = api.client.post(
        f"/api/v1/accounts/{number}/bank-accounts", json={**BANK, "routing_number": "091000018"}, headers=api.headers(Role.BILLING)
    )
    assert response.status_code == 422
    assert response.json()["field"] == "routing_number"


def test_group_account_opened(api):
    group = api.client.post("/api/v1/employer-groups", json=GROUP, headers=api.headers())
    account = api.client.post("/api/v1/accounts", json={"kind": "group", "employer_group_number": "G-0501"}, headers=api.headers())
    read = api.client.get("/api/v1/employer-groups/G-0501", headers=api.headers(Role.CSR))
    assert group.status_code == 201
    assert account.json()["employer_group"] == {"group_number": "G-0501", "name": "Riverside Dental Group"}
    assert read.json()["anniversary_month"] == 1


def test_group_duplicate_is_conflict(api):
    api.client.post("/api/v1/employer-groups", json=GROUP, headers=api.headers())
    again = api.client.post("/api/v1/employer-groups", json=GROUP, headers=api.headers())
    assert again.status_code == 409
    assert again.json()["code"] == "group.duplicate"


def test_group_contribution_created_and_replaced(api):
    rule = {"kind": "employee_only_percent", "percent": "75"}
    created = api.client.post("/api/v1/employer-groups", json={**GROUP, "contribution": rule}, headers=api.headers())
    tiers = {"kind": "tier_amounts", "amounts": {"ee": "400", "es": "650", "ec": "600", "fam": "900"}}
    replaced = api.client.put(
        "/api/v1/employer-groups/G-0501/contribution", json={"contribution": tiers}, headers=api.headers(Role.BILLING)
    )
    removed = api.client.put("/api/v1/employer-groups/G-0501/contribution", json={"contribution": None}, headers=api.headers())

    assert created.status_code == 201
    assert created.json()["contribution"] == rule
    assert replaced.status_code == 200
    assert replaced.json()["contribution"]["amounts"] == {"ee": "400.00", "es": "650.00", "ec": "600.00", "fam": "900.00"}
    assert removed.json()["contribution"] is None


def test_group_contribution_invalid(api):
    api.client.post("/api/v1/employer-groups", json=GROUP, headers=api.headers())
    too_much = api.client.put(
        "/api/v1/employer-groups/G-0501/contribution",
        json={"contribution": {"kind": "member_percent", "employee_percent": "120"}},
        headers=api.headers(),
    )
    missing_tier = api.client.put(
        "/api/v1/employer-groups/G-0501/contribution",
        json={"contribution": {"kind": "tier_amounts", "amounts": {"ee": "400"}}},
        headers=api.headers(),
    )
    unknown_group = api.client.put(
        "/api/v1/employer-groups/G-9999/contribution",
        json={"contribution": {"kind": "employee_only_percent", "percent": "50"}},
        headers=api.headers(),
    )

    assert too_much.status_code == 422
    assert too_much.json()["code"] == "rating.invalid_contribution_percent"
    assert missing_tier.status_code == 422
    assert missing_tier.json()["code"] == "rating.incomplete_contribution_tiers"
    assert unknown_group.status_code == 404


def test_group_contribution_needs_write(api):
    api.client.post("/api/v1/employer-groups", json=GROUP, headers=api.headers())
    response = api.client.put(
        "/api/v1/employer-groups/G-0501/contribution",
        json={"contribution": {"kind": "employee_only_percent", "percent": "50"}},
        headers=api.headers(Role.CSR),
    )

    assert response.status_code == 403


def test_unknown_field_rejected(api):
    response = api.client.post("/api/v1/accounts", json={**NEW_ACCOUNT, "nickname": "M"}, headers=api.headers())
    assert response.status_code == 422
    assert response.json()["field"] == "nickname"


def test_nul_in_path_rejected(api):
    response = api.client.get("/api/v1/accounts/BA%00", headers=api.headers())
    assert response.status_code == 422
    assert response.json()["field"] == "account_number"
