"""Every console page renders for the roles that use it."""

from __future__ import annotations

import pytest

from premia.staff.permissions import Role
from tests.interfaces.console.conftest import Console

pytestmark = pytest.mark.database


def test_pages_render(console: Console) -> None:
    book = console.book
    paths = [
        "/",
        f"/search?q={book.maria_account}",
        f"/accounts/{book.maria_account}",
        f"/accounts/{book.maria_account}?tab=invoices",
        f"/accounts/{book.maria_account}?tab=payments",
        f"/accounts/{book.maria_account}?tab=ledger",
        f"/accounts/{book.maria_account}?tab=notices",
        f"/accounts/{book.maria_account}?tab=service",
        f"/accounts/{book.maria_account}/invoices/{book.invoices[book.maria_account][-1]}/changes",
        f"/accounts/{book.group_account}",
        "/cases",
        f"/cases/{book.maria_case}",
        "/billing/runs",
        "/billing/runs?as_of=2026-03-15",
        "/billing/imports",
        "/billing/suspense",
        "/billing/delinquency",
        "/billing/autodraft",
        "/billing/reconciliation",
        "/billing/refunds",
        "/dashboard",
    ]
    for path in paths:
        response = console.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text[:3000]}"
