"""/api/v1/invoices: invoices with lines, filters, pagination, the PDF, and problems."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from pypdf import PdfReader

from premia.staff.permissions import Role
from tests.interfaces.api.households import couple


def test_invoice_lines_as_money(api):
    household = couple(api)
    response = api.client.get(f"/api/v1/invoices/{household.invoice_numbers[0]}", headers=api.headers())
    invoice = response.json()
    assert response.status_code == 200
    assert invoice["period_start"] == "2026-01-01"
    # 2026-01-01 is New Year's Day, so the due date moves to the next banking day.
    assert invoice["due_date"] == "2026-01-02"
    assert [line["amount"] for line in invoice["lines"]] == [
        {"amount": "488.80", "currency": "USD"},  # 400.00 x 1.222
        {"amount": "473.20", "currency": "USD"},  # 400.00 x 1.183
    ]
    assert invoice["amount_due"] == {"amount": "962.00", "currency": "USD"}  # 488.80 + 473.20
    assert [line["member_id"] for line in invoice["lines"]] == [household.member_id, household.spouse_member_id]


def test_invoice_list_by_account(api):
    household = couple(api)
    couple(api, first_name="Other")
    response = api.client.get("/api/v1/invoices", params={"account_number": household.account_number}, headers=api.headers())
    numbers = [invoice["invoice_number"] for invoice in response.json()["items"]]
    assert numbers == list(household.invoice_numbers)


def test_invoice_second_carries_balance(api):
    household = couple(api)
    second = api.client.get(f"/api/v1/invoices/{household.invoice_numbers[1]}", headers=api.headers()).json()
    assert second["previous_balance"] == {"amount": "962.00", "currency": "USD"}
    assert second["amount_due"] == {"amount": "1924.00", "currency": "USD"}  # 962.00 + 962.00


def test_invoice_list_pages(api):
    household = couple(api)
    first = api.client.get("/api/v1/invoices", params={"limit": 1}, headers=api.headers()).json()
    second = api.client.get("/api/v1/invoices", params={"limit": 1, "cursor": first["next_cursor"]}, headers=api.headers()).json()
    assert [invoice["invoice_number"] for invoice in first["items"]] == [household.invoice_numbers[0]]
    assert [invoice["invoice_number"] for invoice in second["items"]] == [household.invoice_numbers[1]]
    assert first["next_cursor"] is not None
    assert second["next_cursor"] is None


def test_invoice_filter_by_due_date(api):
    household = couple(api)
    response = api.client.get(
        "/api/v1/invoices",
        params={"account_number": household.account_number, "due_from": "2026-02-01"},
        headers=api.headers(),
    )
    assert [invoice["invoice_number"] for invoice in response.json()["items"]] == [household.invoice_numbers[1]]


def test_invoice_unknown_is_problem(api):
    response = api.client.get("/api/v1/invoices/PRM-1999-000001", headers=api.headers())
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "invoice.not_found"
    assert response.json()["field"] == "invoice_number"
    assert response.json()["hint"]


def test_invoice_bad_cursor_is_problem(api):
    response = api.client.get("/api/v1/invoices", params={"cursor": "not-a-cursor"}, headers=api.headers())
    assert response.status_code == 422
    assert response.json()["code"] == "api.invalid_cursor"
    assert response.json()["field"] == "cursor"


def test_invoice_pdf_rendered(api):
    household = couple(api, billed_through=date(2025, 12, 15))
    response = api.client.get(f"/api/v1/invoices/{household.invoice_numbers[0]}/pdf", headers=api.headers(Role.CSR))
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert household.invoice_numbers[0] in text
    assert "962.00" in text


def test_invoice_read_is_audited(api):
    household = couple(api)
    api.client.get(f"/api/v1/invoices/{household.invoice_numbers[0]}", headers=api.headers(Role.CSR))
    rows = api.client.get("/api/v1/audit", params={"record_id": household.invoice_numbers[0]}, headers=api.headers(Role.AUDITOR)).json()
    assert [(row["username"], row["action"], row["channel"]) for row in rows] == [("csr-user", "read", "api")]
