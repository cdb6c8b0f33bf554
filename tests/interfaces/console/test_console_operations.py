"""Billing operations pages: bill run preview and issue, suspense, imports, delinquency,
auto-draft files, reconciliation, the refund queue and the KPI dashboard."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from premia.billing.tables import BillRun, Invoice
from premia.payments.tables import SuspenseItem
from premia.staff.permissions import Role
from tests.interfaces.console.conftest import Console, flash_of

pytestmark = pytest.mark.database


def test_bill_run_preview_writes_nothing(console: Console) -> None:
    runs = console.scalar(select(func.count(BillRun.id)))
    invoices = console.scalar(select(func.count(Invoice.id)))
    response = console.get("/billing/runs", params={"as_of": "2026-03-15"})
    assert response.status_code == 200
    # April for the three seeded accounts, and January to April for the family the 834 added: 3 + 4 = 7.
    assert "Issue 7 invoices" in response.text
    assert console.scalar(select(func.count(BillRun.id))) == runs
    assert console.scalar(select(func.count(Invoice.id))) == invoices


def test_bill_run_preview_bad_date(console: Console) -> None:
    response = console.get("/billing/runs", params={"as_of": "2026-02-30"})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text


def test_csr_cannot_open_bill_runs(console_module: Console) -> None:
    console_module.sign_in(Role.CSR)
    response = console_module.get("/billing/runs")
    assert response.status_code == 403
    assert "may not perform billing.run" in response.text


def test_suspense_queue_suggests_account(console: Console) -> None:
    response = console.get("/billing/suspense")
    assert response.status_code == 200
    assert "check 5521" in response.text
    assert "the payer name &#39;Maria Lopez&#39; matches the holder&#39;s name" in response.text


def test_apply_suspense_item(console: Console) -> None:
    item_id = console.book.suspense_item_id
    response = console.post(f"/billing/suspense/{item_id}/apply", {"account_number": console.book.maria_account, "note": "Coupon name matches; member confirmed by phone"})
    status = console.scalar(select(SuspenseItem.status).where(SuspenseItem.id == item_id))
    assert flash_of(response.text).startswith(f"Suspense item {item_id} applied to {console.book.maria_account} as payment #")
    assert status == "applied"


def test_apply_suspense_needs_note(console: Console) -> None:
    response = console.post(f"/billing/suspense/{console.book.suspense_item_id}/apply", {"account_number": console.book.maria_account, "note": ""})
    assert response.status_code == 422
    assert "How the payer was identified is required." in response.text


def test_delinquency_worklist(console: Console) -> None:
    response = console.get("/billing/delinquency")
    assert response.status_code == 200
    assert console.book.james_account in response.text
    assert "3 months (APTC)" in response.text
    assert "Apr 30, 2026" in response.text


def test_import_history(console: Console) -> None:
    response = console.get("/billing/imports")
    assert response.status_code == 200
    assert "exchange-2026-02-20.834" in response.text
    assert "Partially accepted" in response.text


def test_import_report_and_999(console: Console) -> None:
    response = console.get(f"/billing/imports/{console.book.import_id}")
    acknowledgment = console.get(f"/billing/imports/{console.book.import_id}/999")
    assert "enrollment.unknown_plan" in response.text
    assert "EX-2002" in response.text
    assert "AK9*A*1*1*1~" in response.text
    assert acknowledgment.status_code == 200
    assert acknowledgment.text.startswith("ISA*")
    assert "attachment" in acknowledgment.headers["content-disposition"]


def test_unknown_import_not_found(console: Console) -> None:
    response = console.get("/billing/imports/999")
    assert response.status_code == 404


def test_autodraft_files(console: Console) -> None:
    response = console.get("/billing/autodraft")
    download = console.get("/billing/autodraft/1.ach")
    assert response.status_code == 200
    # The employer's March list bill: Nora and Omar, 1,183.70 in all.
    assert "$1,183.70" in response.text
    assert download.status_code == 200
    assert download.text.startswith("101")


def test_autodraft_purpose_from_entries(console: Console) -> None:
    response = console.get("/billing/autodraft")
    assert response.status_code == 200
    # The seeded files hold first presentments only.
    assert "<td>Draft</td>" in response.text


def test_dashboard_month_without_data(console: Console) -> None:
    # On Mar 2 no March contact has finished its 7-day window, so March has no FCR figure.
    response = console.get("/dashboard", params={"from": "2026-01", "to": "2026-03"})
    assert response.status_code == 200
    assert "Mar: no data" in response.text


def test_reconciliation_day(console: Console) -> None:
    response = console.get("/billing/reconciliation", params={"date": "2026-02-27"})
    assert response.status_code == 200
    assert "Reconciliation for Feb 27, 2026" in response.text


def test_refund_queue(console: Console) -> None:
    response = console.get("/billing/refunds")
    assert response.status_code == 200
    assert "Waiting for approval" in response.text


def test_dashboard_shows_kpis(console: Console) -> None:
    response = console.get("/dashboard", params={"from": "2026-01", "to": "2026-03"})
    assert response.status_code == 200
    # February: four calls, one of them a repeat within 7 days, so 3 of 4 were resolved at first contact.
    assert "75.0%" in response.text
    # Survey scores 5, 4 and 2: two of the three scores are 4 or 5.
    assert "66.7%" in response.text
    assert "first_contact_resolution/v1" in response.text
    assert 'role="img"' in response.text


def test_dashboard_filter_fragment(console: Console) -> None:
    response = console.get("/dashboard", params={"from": "2026-01", "to": "2026-03", "business": "group"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Group" in response.text


def test_dashboard_bad_filter(console: Console) -> None:
    response = console.get("/dashboard", params={"market": "moon"})
    assert response.status_code == 422


def test_csr_cannot_open_dashboard(console_module: Console) -> None:
    console_module.sign_in(Role.CSR)
    response = console_module.get("/dashboard")
    assert response.status_code == 403
