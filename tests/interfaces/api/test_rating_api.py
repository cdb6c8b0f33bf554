"""/api/v1/rating/quotes: rate a household on the catalog in force, with the trace; nothing is stored."""

from __future__ import annotations

from premia.staff.permissions import Role
from tests.interfaces.api.catalog import load_test_catalog

HOUSEHOLD = {
    "plan_id": "OFFVA-SILVER",
    "area_id": "VA-1",
    "month": "2026-03",
    "members": [
        {"birth_date": "1990-08-17", "relationship": "subscriber"},
        {"birth_date": "1993-02-03", "relationship": "spouse"},
    ],
}


def test_quote_rates_members(api):
    load_test_catalog(api)
    response = api.client.post("/api/v1/rating/quotes", json=HOUSEHOLD, headers=api.headers(Role.INTEGRATION))
    result = response.json()["result"]
    assert response.status_code == 200
    # Ages on 2026-03-01: 35 (factor 1.222) and 33 (factor 1.198): 488.80 + 479.20 = 968.00
    assert result["totals"]["gross"] == {"amount": "968.00", "currency": "USD"}
    assert [member["gross"]["amount"] for member in result["members"]] == ["488.80", "479.20"]
    assert result["trace"]


def test_quote_unknown_plan_is_problem(api):
    load_test_catalog(api)
    response = api.client.post("/api/v1/rating/quotes", json={**HOUSEHOLD, "plan_id": "NOPE"}, headers=api.headers(Role.CSR))
    assert response.status_code == 404
    assert response.json()["field"] == "plan_id"


def test_quote_month_must_exist(api):
    response = api.client.post("/api/v1/rating/quotes", json={**HOUSEHOLD, "month": "2026-13"}, headers=api.headers(Role.CSR))
    assert response.status_code == 422
    assert response.json()["field"] == "month"


def test_quote_forbidden_to_finance(api):
    response = api.client.post("/api/v1/rating/quotes", json=HOUSEHOLD, headers=api.headers(Role.FINANCE))
    assert response.status_code == 403
