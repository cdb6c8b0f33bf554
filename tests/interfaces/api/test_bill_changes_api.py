"""GET /api/v1/accounts/{n}/invoices/{invoice}/changes on the book of tests/interfaces/bill_change_book.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from premia.audit.tables import AuditEntry
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory
from premia.interfaces.api.app import create_app
from premia.kernel.clock import FixedClock
from premia.staff import service as staff
from premia.staff.model import Actor
from premia.staff.permissions import ROLE_PERMISSIONS, Permission, Role
from premia.staff.tables import StaffUser
from tests.conftest import ENGINES, MigratedDatabases
from tests.interfaces.api.conftest import NOW
from tests.interfaces.bill_change_book import BillChangeBook, invoice_reads, seeded_database
from tests.interfaces.console.seed import USERS

pytestmark = pytest.mark.database


@dataclass(frozen=True)
class SeededApi:
    client: TestClient
    database_url: str
    book: BillChangeBook
    tokens: dict[Role, str]

    def changes(self, invoice_number: str, *, role: Role = Role.CSR, account_number: str | None = None) -> Response:
        path = f"/api/v1/accounts/{account_number or self.book.account_number}/invoices/{invoice_number}/changes"
        return self.client.get(path, headers={"Authorization": f"Bearer {self.tokens[role]}"})

    def invoice_reads(self, invoice_number: str, role: Role) -> list[AuditEntry]:
        return invoice_reads(self.database_url, invoice_number, USERS[role][0])


@pytest.fixture(scope="module", params=ENGINES)
def seeded(
    request: pytest.FixtureRequest, migrated_databases: MigratedDatabases, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SeededApi]:
    """One seeded database and app per engine for the module, because the seed runs four bill runs."""
    database = seeded_database(migrated_databases, request.param, tmp_path_factory.mktemp("documents"))
    engine = make_engine(database.url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            ctx = ServiceContext(
                session=session, actor=Actor.system("bootstrap"), clock=FixedClock(NOW), settings=database.settings, channel="test"
            )
            tokens = {}
            for role, (username, _) in USERS.items():
                user = session.scalar(select(StaffUser).where(StaffUser.username == username))
                assert user is not None
                tokens[role] = staff.start_session(ctx, user, kind="api")
    finally:
        engine.dispose()
    app = create_app(database.settings, clock=FixedClock(NOW), jobs_dir=tmp_path_factory.mktemp("jobs"), run_jobs=False)
    with TestClient(app) as client:
        yield SeededApi(client=client, database_url=database.url, book=database.book, tokens=tokens)
    app.state.engine.dispose()


def _money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


def test_changes_for_april(seeded: SeededApi) -> None:
    book = seeded.book

    response = seeded.changes(book.april)

    assert response.status_code == 200
    data = response.json()
    assert (data["account_number"], data["invoice_number"], data["previous_invoice_number"]) == (book.account_number, book.april, book.march)
    # March 548.72 + 593.94 + 290.70 = 1433.36; April 548.72 + 296.97 - 103.15 = 742.54.
    assert data["previous_total"] == _money("1433.36")
    assert data["current_total"] == _money("742.54")
    assert data["difference"] == _money("-690.82")
    assert data["unchanged_lines"] == 1
    assert data["rating_steps_available"] is True
    amounts = [
        (item["kind"], item["member_name"], item["coverage_month"], item["previous_amount"], item["current_amount"], item["difference"])
        for item in data["changes"]
    ]
    assert amounts == [
        # Luis covered through April 15: 593.94 x 15/30 = 296.97.
        ("changed", "Luis Lopez", "2026-04", _money("593.94"), _money("296.97"), _money("-296.97")),
        ("removed", "Sofia Lopez", None, _money("290.70"), None, _money("-290.70")),
        # Sofia's March 21-31 credited back: 290.70 x 11/31 = 103.15.
        ("adjustment", "Sofia Lopez", "2026-03", None, _money("-103.15"), _money("-103.15")),
    ]
    luis, sofia, credit = data["changes"]
    assert luis["previous_coverage_month"] == "2026-03"
    assert luis["reasons"] == ["days covered changed from 31 of 31 to 15 of 30"]
    assert sofia["reasons"] == ["Sofia Lopez is no longer billed for premium"]
    assert credit["reasons"][0].startswith("a credit correcting Mar 2026")
    removed_age = next(step for step in sofia["steps"] if step["step"] == "age_factor")
    assert removed_age == {
        "step": "age_factor",
        "member_id": "M000000006",
        "previous": {"band": "0-14", "age_factor": "0.765"},
        "current": None,
        "inputs": {"birth_date": "2014-04-20", "age_date": "2026-01-01", "age": "11", "curve": "federal-default-2018"},
    }


def test_changes_new_member_steps(seeded: SeededApi) -> None:
    response = seeded.changes(seeded.book.march)

    data = response.json()
    # 548.72 + 593.94 = 1142.66 in February; Sofia's 290.70 added in March: 1433.36.
    assert data["difference"] == _money("290.70")
    (sofia,) = data["changes"]
    assert (sofia["kind"], sofia["member_id"], sofia["previous_amount"], sofia["current_amount"]) == ("added", "M000000006", None, _money("290.70"))
    assert [step["step"] for step in sofia["steps"]] == ["base_rate", "age_factor", "tobacco_factor", "rounding", "total"]
    assert sofia["steps"][3]["current"] == {"premium": "290.70"}


def test_changes_first_invoice(seeded: SeededApi) -> None:
    first = seeded.book.book.invoices[seeded.book.account_number][0]

    data = seeded.changes(first).json()

    assert data["previous_invoice_number"] is None
    assert data["previous_total"] == _money("0.00")
    # Maria 548.72 + Luis 593.94 = 1142.66, both new.
    assert data["current_total"] == _money("1142.66")
    assert [item["kind"] for item in data["changes"]] == ["added", "added"]


def test_changes_unknown_invoice(seeded: SeededApi) -> None:
    response = seeded.changes("PRM-2026-999999")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invoice.not_found"
    assert problem["field"] == "invoice_number"
    assert problem["record"] == f"billing_account {seeded.book.account_number}"
    assert f"GET /api/v1/invoices?account_number={seeded.book.account_number}" in problem["hint"]


def test_changes_unknown_account(seeded: SeededApi) -> None:
    response = seeded.changes(seeded.book.april, account_number="BA-999999")

    assert response.status_code == 404
    assert response.json()["code"] == "account.not_found"


def test_changes_needs_billing_read(seeded: SeededApi, monkeypatch: pytest.MonkeyPatch) -> None:
    # Every role has billing.read, so the CSR role is narrowed for this test.
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.CSR, ROLE_PERMISSIONS[Role.CSR] - {Permission.BILLING_READ})
    before = len(seeded.invoice_reads(seeded.book.april, Role.CSR))

    response = seeded.changes(seeded.book.april, role=Role.CSR)

    assert response.status_code == 403
    assert response.json()["code"] == "staff.permission_denied"
    assert len(seeded.invoice_reads(seeded.book.april, Role.CSR)) == before


def test_changes_audits_read(seeded: SeededApi) -> None:
    before = len(seeded.invoice_reads(seeded.book.april, Role.BILLING))

    response = seeded.changes(seeded.book.april, role=Role.BILLING)

    assert response.status_code == 200
    rows = seeded.invoice_reads(seeded.book.april, Role.BILLING)
    assert len(rows) == before + 1
    row = rows[-1]
    assert (row.action, row.channel, row.role) == ("read", "api", "billing")
    assert row.fields == ["lines", "rating_trace"]
    assert row.detail == {"compared_with": seeded.book.march}


def test_changes_amounts_described(seeded: SeededApi) -> None:
    schemas = seeded.client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    totals = schemas["BillChangeOut"]["properties"]
    line = schemas["LineChangeOut"]["properties"]

    assert totals["difference"]["description"].startswith("Signed difference current_total - previous_total")
    assert line["difference"]["description"].startswith("Signed difference current_amount - previous_amount")
    for properties, names in ((totals, ("previous_total", "current_total")), (line, ("previous_amount", "current_amount"))):
        for name in names:
            assert "in dollars" in properties[name]["description"], name
