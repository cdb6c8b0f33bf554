"""`premia billing changes`: why a bill changed, on the book of tests/interfaces/bill_change_book.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from premia.billing import bill_change_service
from premia.infra.context import ServiceContext
from premia.kernel.errors import NotFoundError
from premia.staff.permissions import ROLE_PERMISSIONS, Permission, Role
from tests.conftest import ENGINES, TEST_KEY, MigratedDatabases
from tests.interfaces.bill_change_book import BillChangeBook, SeededDatabase, invoice_reads, seeded_database
from tests.interfaces.cli.conftest import Invoke, log_records, messages
from tests.interfaces.console.seed import PASSWORD, USERS

pytestmark = pytest.mark.database


@pytest.fixture(scope="module", params=ENGINES)
def seeded(
    request: pytest.FixtureRequest, migrated_databases: MigratedDatabases, tmp_path_factory: pytest.TempPathFactory
) -> SeededDatabase:
    """One seeded database per engine for the module, because the seed runs four bill runs."""
    return seeded_database(migrated_databases, request.param, tmp_path_factory.mktemp("documents"))


@pytest.fixture
def book(seeded: SeededDatabase, clean_environment: Path, monkeypatch: pytest.MonkeyPatch) -> BillChangeBook:
    """Point the CLI at the seeded database, with the key the seed encrypted with."""
    monkeypatch.setenv("PREMIA_DATABASE_URL", seeded.url)
    monkeypatch.setenv("PREMIA_ENCRYPTION_KEY", TEST_KEY)
    monkeypatch.setenv("PREMIA_SESSION_FILE", str(clean_environment / "session"))
    monkeypatch.setenv("PREMIA_ENVIRONMENT", "test")
    return seeded.book


def _log_in(premia: Invoke, role: Role) -> str:
    username = USERS[role][0]
    result = premia("login", username, "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    return username


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_changes_text_for_april(premia: Invoke, book: BillChangeBook) -> None:
    _log_in(premia, Role.CSR)

    result = premia("billing", "changes", book.account_number, book.april)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{book.april} of {book.account_number} compared with {book.march}"
    # March 548.72 + 593.94 + 290.70 = 1,433.36; April 548.72 + 296.97 - 103.15 = 742.54.
    assert lines[1] == "lines total 1,433.36 before and 742.54 now (-690.82); 1 line(s) unchanged"
    changes = [line for line in lines if not line.startswith(" ")][2:]
    assert changes == [
        # Luis covered through April 15: 593.94 x 15/30 = 296.97.
        "changed: Luis Lopez, premium, 2026-04 (2026-03 before): 593.94 -> 296.97 (-296.97)",
        "removed: Sofia Lopez, premium, 2026-03: 290.70 -> none (-290.70)",
        # Sofia's March 21-31 credited back: 290.70 x 11/31 = 103.15.
        "adjustment: Sofia Lopez, premium, 2026-03: none -> -103.15 (-103.15)",
    ]
    assert "  why: days covered changed from 31 of 31 to 15 of 30" in lines
    assert "  why: Sofia Lopez is no longer billed for premium" in lines
    assert (
        "  step age_factor for M000000006: band=0-14, age_factor=0.765 -> none "
        "(inputs: birth_date=2014-04-20, age_date=2026-01-01, age=11, curve=federal-default-2018)"
    ) in lines


def test_changes_json_for_april(premia: Invoke, book: BillChangeBook) -> None:
    _log_in(premia, Role.CSR)

    data = _json(premia("billing", "changes", book.account_number, book.april, "--json"))

    assert data["previous_invoice_number"] == book.march
    assert (data["previous_total"], data["current_total"], data["difference"]) == ("1433.36", "742.54", "-690.82")
    assert data["unchanged_lines"] == 1
    assert data["rating_steps_available"] is True
    amounts = [
        (item["kind"], item["member_name"], item["coverage_month"], item["previous_amount"], item["current_amount"], item["difference"])
        for item in data["changes"]
    ]
    assert amounts == [
        ("changed", "Luis Lopez", "2026-04", "593.94", "296.97", "-296.97"),
        ("removed", "Sofia Lopez", None, "290.70", None, "-290.70"),
        ("adjustment", "Sofia Lopez", "2026-03", None, "-103.15", "-103.15"),
    ]
    luis_total = data["changes"][0]["steps"][0]
    # The policy's monthly total before proration: March with Sofia, April without her.
    assert luis_total["step"] == "total"
    assert luis_total["previous"] == {"gross": "1433.36", "responsibility": "1433.36"}
    assert luis_total["current"] == {"gross": "1142.66", "responsibility": "1142.66"}


def test_changes_new_member_steps(premia: Invoke, book: BillChangeBook) -> None:
    _log_in(premia, Role.CSR)

    data = _json(premia("billing", "changes", book.account_number, book.march, "--json"))

    # 548.72 + 593.94 = 1142.66 in February; Sofia's 290.70 added in March: 1433.36.
    assert (data["previous_total"], data["current_total"], data["difference"]) == ("1142.66", "1433.36", "290.70")
    (sofia,) = data["changes"]
    assert (sofia["kind"], sofia["member_id"], sofia["previous_amount"], sofia["current_amount"]) == ("added", "M000000006", None, "290.70")
    assert [step["step"] for step in sofia["steps"]] == ["base_rate", "age_factor", "tobacco_factor", "rounding", "total"]
    assert sofia["steps"][3]["current"] == {"premium": "290.70"}
    assert sofia["steps"][3]["inputs"]["formula"] == "380.00 x 0.765 x 1"


def test_changes_first_invoice(premia: Invoke, book: BillChangeBook) -> None:
    _log_in(premia, Role.CSR)
    first = book.book.invoices[book.account_number][0]

    result = premia("billing", "changes", book.account_number, first)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{first} is the first invoice of {book.account_number}; every line is new."
    assert "added: Maria Lopez, premium, 2026-01: none -> 548.72 (+548.72)" in result.stdout


def test_changes_without_catalog(premia: Invoke, book: BillChangeBook, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_catalog(ctx: ServiceContext) -> None:
        raise NotFoundError(code="catalog.not_loaded", message="No rating catalog is loaded.", field="catalog")

    monkeypatch.setattr(bill_change_service, "current_catalog", no_catalog)
    _log_in(premia, Role.CSR)

    result = premia("billing", "changes", book.account_number, book.april)

    assert result.exit_code == 0, result.output
    assert "note: the rating steps could not be computed from the current catalog; amounts are as billed" in result.stdout
    # Only the adjustment keeps steps, from the trace stored with its line.
    step_owners = [line.split(":")[0] for line in result.stdout.splitlines() if line.startswith("  step ")]
    assert step_owners == [
        "  step base_rate for the policy",
        "  step age_factor for M000000006",
        "  step tobacco_factor for M000000006",
        "  step rounding for M000000006",
        "  step total for the policy",
    ]
    warnings = [record for record in log_records(result.stderr) if record.get("message") == "rating traces unavailable"]
    assert len(warnings) == 1
    assert warnings[0]["code"] == "catalog.not_loaded"


def test_changes_unknown_invoice(premia: Invoke, book: BillChangeBook) -> None:
    _log_in(premia, Role.CSR)

    result = premia("billing", "changes", book.account_number, "PRM-2026-999999")

    assert result.exit_code == 1
    printed = messages(result.stderr)
    assert f"error: Account {book.account_number} has no invoice 'PRM-2026-999999'." in printed
    assert "field: invoice_number" in printed
    assert f"`premia accounts show {book.account_number}`" in printed
    assert "code: invoice.not_found" in printed


def test_changes_unknown_account(premia: Invoke, book: BillChangeBook) -> None:
    _log_in(premia, Role.CSR)

    result = premia("billing", "changes", "BA-999999", book.april)

    assert result.exit_code == 1
    assert "field: account_number" in result.stderr
    assert "code: account.not_found" in result.stderr


def test_changes_needs_billing_read(premia: Invoke, book: BillChangeBook, seeded: SeededDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every role has billing.read, so the CSR role is narrowed for this test.
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.CSR, ROLE_PERMISSIONS[Role.CSR] - {Permission.BILLING_READ})
    username = _log_in(premia, Role.CSR)
    before = len(invoice_reads(seeded.url, book.april, username))

    result = premia("billing", "changes", book.account_number, book.april)

    assert result.exit_code == 1
    assert "may not perform billing.read" in result.stderr
    assert "code: staff.permission_denied" in result.stderr
    assert len(invoice_reads(seeded.url, book.april, username)) == before


def test_changes_audits_read(premia: Invoke, book: BillChangeBook, seeded: SeededDatabase) -> None:
    username = _log_in(premia, Role.BILLING)
    before = len(invoice_reads(seeded.url, book.april, username))

    result = premia("billing", "changes", book.account_number, book.april, "--json")

    assert result.exit_code == 0, result.output
    rows = invoice_reads(seeded.url, book.april, username)
    assert len(rows) == before + 1
    row = rows[-1]
    assert (row.action, row.channel, row.role) == ("read", "cli", "billing")
    assert row.fields == ["lines", "rating_trace"]
    assert row.detail == {"compared_with": book.march}
