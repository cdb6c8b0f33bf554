"""/api/v1/kpis: every KPI with its raw counts, the aging as money, monthly series and definitions."""

from __future__ import annotations

from premia.staff.permissions import Role
from tests.interfaces.api.households import couple


def test_kpis_for_period(api):
    household = couple(api)
    body = {"account_number": household.account_number, "amount": {"amount": "962.00"}, "method": "check", "received_on": "2026-01-02"}
    api.client.post("/api/v1/payments", json=body, headers=api.headers())
    response = api.client.get(
        "/api/v1/kpis", params={"first_day": "2026-01-01", "last_day": "2026-01-31", "as_of": "2026-03-02"}, headers=api.headers(Role.FINANCE)
    )
    report = response.json()
    collection = report["figures"]["premium_collection_rate"]
    assert response.status_code == 200
    assert collection["definition"] == "premium_collection_rate/v1"
    assert collection["unit"] == "percent"
    assert isinstance(collection["numerator"], int)
    assert report["aging"]["on"] == "2026-01-31"
    assert report["aging"]["total"]["currency"] == "USD"


def test_kpis_reversed_period_is_problem(api):
    response = api.client.get("/api/v1/kpis", params={"first_day": "2026-02-01", "last_day": "2026-01-01"}, headers=api.headers(Role.AUDITOR))
    assert response.status_code == 422
    assert response.json()["code"] == "kpi.period_reversed"


def test_kpis_monthly_series(api):
    response = api.client.get("/api/v1/kpis/monthly", params={"first_month": "2026-01", "last_month": "2026-03"}, headers=api.headers(Role.SUPERVISOR))
    assert [report["first_day"] for report in response.json()["reports"]] == ["2026-01-01", "2026-02-01", "2026-03-01"]


def test_kpi_definitions_listed(api):
    response = api.client.get("/api/v1/kpis/definitions", headers=api.headers(Role.AUDITOR))
    names = [definition["name"] for definition in response.json()]
    assert "days_sales_outstanding" in names
    assert all(definition["formula"] for definition in response.json())


def test_kpis_forbidden_to_csr(api):
    response = api.client.get("/api/v1/kpis", params={"first_day": "2026-01-01", "last_day": "2026-01-31"}, headers=api.headers(Role.CSR))
    assert response.status_code == 403


def test_trial_balance_balances(api):
    household = couple(api)
    body = {"account_number": household.account_number, "amount": {"amount": "962.00"}, "method": "check", "received_on": "2026-01-02"}
    api.client.post("/api/v1/payments", json=body, headers=api.headers())
    response = api.client.get("/api/v1/ledger/trial-balance", params={"as_of": "2026-03-02"}, headers=api.headers(Role.FINANCE))
    report = response.json()
    cash = next(row for row in report["accounts"] if row["code"] == "1010")
    assert response.status_code == 200
    assert report["balanced"] is True
    assert report["total_debit"] == report["total_credit"]
    assert cash["debit"]["amount"] == "962.00"


def test_trial_balance_needs_ledger_read(api):
    response = api.client.get("/api/v1/ledger/trial-balance", headers=api.headers(Role.CSR))
    assert response.status_code == 403
