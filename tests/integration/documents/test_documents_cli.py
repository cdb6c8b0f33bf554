"""`notices deliver` and `documents show` run in-process against SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, AccountKind, Address, BillingPreferences, PersonInput
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory, transaction
from premia.infra.settings import load_settings
from premia.interfaces.cli.documents import documents_app, notices_app
from premia.interfaces.cli.runtime import SystemClock
from premia.notices.model import NoticeType
from premia.notices.service import create_notice
from premia.staff.model import Actor
from tests.integration.documents.conftest import CARRIER, pdf_text
from tests.interfaces.cli.conftest import (  # noqa: F401  (fixtures)
    cheap_hashing,
    clean_environment,
    cli_env,
    database_url,
    logged_in,
    login_as,
    module_postgres,
    restore_premia_logger,
)

app = typer.Typer()
app.add_typer(notices_app, name="notices")
app.add_typer(documents_app, name="documents")


@pytest.fixture
def documents_env(cli_env: Path, logged_in: str, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    folder = cli_env / "documents"
    monkeypatch.setenv("PREMIA_DOCUMENTS_DIR", str(folder))
    for name, value in CARRIER.items():
        monkeypatch.setenv(f"PREMIA_{name.upper()}", value)
    return folder


@pytest.fixture
def refund_notice(documents_env: Path) -> None:
    """A paper refund letter for Ana Lopez, due 2025-12-01."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            ctx = ServiceContext(
                session=session, actor=Actor.system("setup"), clock=SystemClock(), settings=settings
            )
            account = accounts.create_account(
                ctx,
                AccountInput(
                    kind=AccountKind.INDIVIDUAL,
                    holder=PersonInput(
                        first_name="Ana",
                        last_name="Lopez",
                        birth_date=date(1990, 8, 17),
                        residential_address=Address("48 Oak Ave", "Richmond", "VA", "23220"),
                    ),
                    preferences=BillingPreferences(),
                ),
            )
            create_notice(
                ctx,
                notice_type=NoticeType.REFUND,
                billing_account_id=account.id,
                as_of=date(2025, 12, 1),
                dedupe_key="cli:refund",
                data={"amount_cents": 47_940, "issued_on": "2025-12-01", "method": "check"},
            )
    finally:
        engine.dispose()


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_deliver_then_reprint(refund_notice, documents_env, tmp_path):
    delivered = _invoke("notices", "deliver", "--as-of", "2025-12-01", "--json")
    assert delivered.exit_code == 0, delivered.output
    report = json.loads(delivered.stdout)
    assert report["rendered"] == 1
    assert report["printed"] == 1
    document_id = report["documents"][0]["document_id"]

    output = tmp_path / "reprint.pdf"
    shown = _invoke("documents", "show", str(document_id), "--output", str(output), "--json")
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.stdout)
    stored = next((documents_env / "pdf").rglob(f"{record['pdf_sha256']}.pdf")).read_bytes()
    assert output.read_bytes() == stored
    assert record["deliveries"][0]["status"] == "sent"
    assert "$479.40" in pdf_text(stored)

    again = _invoke("notices", "deliver", "--as-of", "2025-12-01")
    assert again.exit_code == 0, again.output
    assert "rendered 0; emailed 0; printed 0" in again.stdout


def test_show_unknown_document(documents_env):
    shown = _invoke("documents", "show", "999")

    assert shown.exit_code == 1
    assert "No document has id 999." in shown.output


def test_deliver_without_carrier_settings(refund_notice, monkeypatch):
    monkeypatch.delenv("PREMIA_CARRIER_NAME")

    delivered = _invoke("notices", "deliver", "--as-of", "2025-12-01")

    assert delivered.exit_code == 1
    assert "PREMIA_CARRIER_NAME" in delivered.output
