"""Search, the account 360° view by role, "why did my bill change", invoice PDFs and audited reads."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from premia.audit.tables import AuditEntry
from premia.infra.db import make_engine, make_session_factory
from premia.staff.permissions import Role
from tests.interfaces.console.conftest import Console

pytestmark = pytest.mark.database


def _audit_rows(console: Console, **filters: str) -> list[AuditEntry]:
    engine = make_engine(console.database_url)
    with make_session_factory(engine)() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        for name, value in filters.items():
            query = query.where(getattr(AuditEntry, name) == value)
        rows = list(session.scalars(query))
    engine.dispose()
    return rows


def _result_accounts(html: str) -> list[str]:
    return re.findall(r'class="hit-name" href="/console/accounts/(BA-\d+)"', html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Lopez", "maria_account"),
        ("Maria Lopez", "maria_account"),
        ("Lopez, Luis", "maria_account"),
        ("M000000001", "maria_account"),
        ("BA-000002", "james_account"),
        ("(804) 555-0199", "james_account"),
        ("maria.lopez@example.com", "maria_account"),
        ("Riverside", "group_account"),
    ],
)
def test_search_finds_account(console: Console, query: str, expected: str) -> None:
    response = console.get("/search", params={"q": query})
    assert response.status_code == 200
    assert set(_result_accounts(response.text)) == {getattr(console.book, expected)}


def test_search_lists_each_member_found(console: Console) -> None:
    response = console.get("/search", params={"q": "Lopez", "kind": "name"})
    # Maria, her spouse Luis and her daughter Sofia are all covered on Maria's account.
    assert _result_accounts(response.text) == [console.book.maria_account] * 3


def test_search_by_invoice_number(console: Console) -> None:
    number = console.book.invoices[console.book.james_account][0]
    response = console.get("/search", params={"q": number})
    assert _result_accounts(response.text) == [console.book.james_account]


def test_search_by_birth_date(console: Console) -> None:
    response = console.get("/search", params={"birth_date": "1966-11-30"})
    assert _result_accounts(response.text) == [console.book.james_account]


def test_search_name_narrowed_by_birth_date(console: Console) -> None:
    response = console.get("/search", params={"q": "Lopez", "birth_date": "1999-01-01"})
    assert _result_accounts(response.text) == []
    assert "No account matches" in response.text


def test_search_dependent_finds_account(console: Console) -> None:
    response = console.get("/search", params={"q": console.book.maria_spouse_member_id, "kind": "member_id"})
    assert _result_accounts(response.text) == [console.book.maria_account]
    assert "Luis Lopez" in response.text


def test_search_bad_phone(console: Console) -> None:
    response = console.get("/search", params={"q": "555", "kind": "phone"})
    assert response.status_code == 422
    assert "is not a ten-digit phone number" in response.text


def test_search_audits_each_hit(console: Console) -> None:
    before = len(_audit_rows(console, action="search", record_id=console.book.james_account))
    console.get("/search", params={"q": "Carter"})
    after = _audit_rows(console, action="search", record_id=console.book.james_account)
    assert len(after) == before + 1
    assert after[-1].channel == "console"
    assert after[-1].username == "sam"


def test_account_header_figures(console: Console) -> None:
    response = console.get(f"/accounts/{console.book.james_account}")
    assert response.status_code == 200
    # James paid January only; February (539.14 net of APTC) is past due and March is billed.
    assert "In grace" in response.text
    assert "Jan 31, 2026" in response.text
    assert "$539.14" in response.text


def test_account_read_audited(console: Console) -> None:
    console.get(f"/accounts/{console.book.maria_account}?tab=payments")
    rows = _audit_rows(console, action="read", record_id=console.book.maria_account)
    assert rows[-1].detail == {"view": "console_360"}
    assert "payments" in (rows[-1].fields or [])


def test_members_and_coverage(console: Console) -> None:
    response = console.get(f"/accounts/{console.book.maria_account}")
    for name in ("Maria Lopez", "Luis Lopez", "Sofia Lopez"):
        assert name in response.text
    assert "Mar 1, 2026" in response.text


def test_demographics_hidden_without_contact(console: Console) -> None:
    response = console.get(f"/accounts/{console.book.maria_account}?tab=service")
    assert "48 Oak Ave" not in response.text
    assert "Mar 15, 1980" not in response.text


def test_invoices_tab_lists_lines(console: Console) -> None:
    response = console.get(f"/accounts/{console.book.maria_account}?tab=invoices")
    for number in console.book.invoices[console.book.maria_account]:
        assert number in response.text
    assert "2026-03 premium (rated, age 11)" in response.text


def test_payments_show_allocations(console: Console) -> None:
    response = console.get(f"/accounts/{console.book.maria_account}?tab=payments")
    assert "applied to Jan 2026" in response.text
    assert "applied to Feb 2026" in response.text


def test_ledger_running_balance(console: Console) -> None:
    response = console.get(f"/accounts/{console.book.group_account}?tab=ledger")
    assert response.status_code == 200
    assert "Invoice" in response.text


def test_ledger_memo_words(console: Console) -> None:
    response = console.get(f"/accounts/{console.book.maria_account}?tab=ledger")
    assert response.status_code == 200
    assert "Invoice for January 2026" in response.text
    assert "invoice for 2026-" not in response.text


def test_bill_change_names_new_member(console: Console) -> None:
    march = console.book.invoices[console.book.maria_account][-1]
    response = console.get(f"/accounts/{console.book.maria_account}/invoices/{march}/changes")
    assert response.status_code == 200
    assert "Sofia Lopez is billed for premium this time but was not before" in response.text
    # Maria's and Luis's full months cost the same in February and March, so only Sofia's line differs.
    assert response.text.count("class=\"change\"") == 1
    assert "Age factor" in response.text


def test_bill_change_fragment_for_htmx(console: Console) -> None:
    march = console.book.invoices[console.book.maria_account][-1]
    response = console.get(f"/accounts/{console.book.maria_account}/invoices/{march}/changes", headers={"HX-Request": "true"})
    assert "<html" not in response.text
    assert "What changed from" in response.text


def test_first_invoice_has_no_previous(console: Console) -> None:
    first = console.book.invoices[console.book.maria_account][0]
    response = console.get(f"/accounts/{console.book.maria_account}/invoices/{first}/changes")
    assert "is the first invoice" in response.text


def test_unknown_invoice_not_found(console: Console) -> None:
    response = console.get(f"/accounts/{console.book.maria_account}/invoices/PRM-2026-999999/changes")
    assert response.status_code == 404
    assert "has no invoice" in response.text


def test_invoice_pdf_preview(console: Console) -> None:
    number = console.book.invoices[console.book.maria_account][0]
    response = console.get(f"/accounts/{console.book.maria_account}/invoices/{number}.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_unknown_account_not_found(console: Console) -> None:
    response = console.get("/accounts/BA-999999")
    assert response.status_code == 404
    assert "No billing account has number" in response.text


def test_auditor_sees_audit_trail(console_module: Console) -> None:
    console_module.sign_in(Role.AUDITOR)
    response = console_module.get(f"/accounts/{console_module.book.maria_account}?tab=audit")
    assert response.status_code == 200
    assert "Audit trail" in response.text
    assert "console" in response.text


def test_csr_has_no_audit_tab(console_module: Console) -> None:
    console_module.sign_in(Role.CSR)
    response = console_module.get(f"/accounts/{console_module.book.maria_account}?tab=audit")
    assert "tab=audit" not in response.text
    assert "Rows name fields, never their values" not in response.text


def test_csr_sees_no_reverse_button(console_module: Console) -> None:
    console_module.sign_in(Role.CSR)
    response = console_module.get(f"/accounts/{console_module.book.maria_account}?tab=payments")
    assert "Post payment" in response.text
    assert "Reverse payment" not in response.text


def test_auditor_sees_no_actions(console_module: Console) -> None:
    console_module.sign_in(Role.AUDITOR)
    response = console_module.get(f"/accounts/{console_module.book.maria_account}?tab=service")
    assert response.status_code == 200
    assert "Start contact" not in response.text
    assert "Open dispute" not in response.text


def test_finance_cannot_see_contacts(console_module: Console) -> None:
    console_module.sign_in(Role.FINANCE)
    response = console_module.get(f"/accounts/{console_module.book.maria_account}?tab=service")
    assert response.status_code == 200
    assert "Contact history" not in response.text
