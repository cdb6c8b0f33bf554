"""The service desk commands, run in-process on a migrated SQLite database with a supervisor logged in."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
import typer
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from typer.testing import CliRunner, Result

from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, AccountKind, Address, PersonInput
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory, transaction
from premia.infra.settings import load_settings
from premia.interfaces.cli import servicing
from premia.interfaces.cli.runtime import SystemClock
from premia.staff import service as staff_service
from premia.staff.model import Actor
from tests.conftest import MigratedDatabases

app = typer.Typer()
app.add_typer(servicing.contacts_app, name="contacts")
app.add_typer(servicing.cases_app, name="cases")
app.add_typer(servicing.disputes_app, name="disputes")
app.add_typer(servicing.persons_app, name="persons")
import_app = typer.Typer()
import_app.command("claims")(servicing.import_claims)
app.add_typer(import_app, name="import")


@pytest.fixture
def desk_cli(migrated_databases: MigratedDatabases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A database with member MBR-3001 and supervisor ``sam`` logged in to the CLI."""
    for name in list(os.environ):
        if name.upper().startswith("PREMIA_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PREMIA_DATABASE_URL", migrated_databases.new_url("sqlite"))
    monkeypatch.setenv("PREMIA_ENCRYPTION_KEY", Fernet.generate_key().decode("ascii"))
    monkeypatch.setenv("PREMIA_SESSION_FILE", str(tmp_path / "session"))
    monkeypatch.setenv("PREMIA_ENVIRONMENT", "test")
    monkeypatch.setattr(
        staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )

    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            ctx = ServiceContext(
                session=session, actor=Actor.system("bootstrap"), clock=SystemClock(), settings=settings
            )
            user = staff_service.add_user(
                ctx, username="sam", display_name="Sam", role="supervisor", password="sam passphrase ok"
            )
            token = staff_service.start_session(ctx, user)
            accounts.create_account(
                ctx,
                AccountInput(
                    kind=AccountKind.INDIVIDUAL,
                    holder=PersonInput(
                        first_name="Maria",
                        last_name="Lopez",
                        birth_date=date(1980, 3, 15),
                        member_id="MBR-3001",
                        residential_address=Address("48 Oak Ave", "Richmond", "VA", "23220"),
                        email="maria.lopez@example.org",
                    ),
                ),
            )
    finally:
        engine.dispose()
    Path(settings.session_file).write_text(token + "\n", encoding="utf-8")
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args))

    return invoke


def data(result: Result) -> object:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_contact_case_and_update_flow(desk_cli, tmp_path: Path) -> None:
    contact = data(
        desk_cli(
            "contacts",
            "log",
            "--channel",
            "phone",
            "--subject",
            "billing",
            "--member-id",
            "MBR-3001",
            "--json",
        )
    )
    verified = data(
        desk_cli(
            "contacts",
            "verify",
            str(contact["id"]),
            "--member-id",
            "MBR-3001",
            "--first-name",
            "Maria",
            "--last-name",
            "Lopez",
            "--birth-date",
            "1980-03-15",
            "--json",
        )
    )
    opened = data(
        desk_cli(
            "cases",
            "open",
            "--type",
            "inquiry",
            "--subject",
            "Premium went up",
            "--member-id",
            "MBR-3001",
            "--contact",
            str(contact["id"]),
            "--json",
        )
    )
    number = opened["case_number"]
    assigned = data(desk_cli("cases", "assign", number, "sam", "--version", str(opened["version"]), "--json"))
    stale = desk_cli("cases", "assign", number, "sam", "--version", str(opened["version"]))
    waiting = data(desk_cli("cases", "update", number, "--waiting", "--json"))
    resolved = data(
        desk_cli(
            "cases",
            "resolve",
            number,
            "--resolution",
            "Explained the age change",
            "--code",
            "answered",
            "--json",
        )
    )
    reopened = data(desk_cli("cases", "reopen", number, "--reason", "Member called back", "--json"))
    listed = data(desk_cli("cases", "list", "--member-id", "MBR-3001", "--json"))
    clocks = data(desk_cli("cases", "clock", number, "--zone", "America/Los_Angeles", "--json"))
    updated = data(
        desk_cli(
            "persons",
            "update",
            "MBR-3001",
            "--phone",
            "804-555-0199",
            "--contact",
            str(contact["id"]),
            "--json",
        )
    )

    assert verified["verification_result"] == "passed"
    assert assigned["status"] == "open"
    assert stale.exit_code == 1
    assert "changed by someone else" in stale.output
    assert waiting["status"] == "waiting_on_member"
    assert resolved["status"] == "resolved"
    assert reopened["status"] == "open"
    assert [row["case_number"] for row in listed] == [number]
    assert [row["clock"] for row in clocks] == ["first_response", "resolution"]
    assert updated["applied"] == ["phone"]


def test_import_claims_reports_rejections(desk_cli, tmp_path: Path) -> None:
    feed = tmp_path / "claims.csv"
    feed.write_text(
        "claim_id,member_id,service_from,status,billed_amount,paid_amount,pend_reason\n"
        "C-1,MBR-3001,2026-02-03,pended,100.00,0.00,grace_period\n"
        "C-2,MBR-0000,2026-02-03,paid,100.00,90.00,\n",
        encoding="utf-8",
    )

    report = data(desk_cli("import", "claims", str(feed), "--json"))
    text = desk_cli("import", "claims", str(feed))

    assert report["inserted"] == 1
    assert report["rejected"] == 1
    assert report["errors"][0]["field"] == "member_id"
    assert "0 new" in text.output
    assert "1 unchanged" in text.output


def test_dispute_on_unknown_line_fails_clearly(desk_cli) -> None:
    result = desk_cli("disputes", "open", "BA-000001", "--reason", "Wrong amount", "--line", "999999")

    assert result.exit_code == 1
    assert "invoice line 999999" in result.output


def test_case_history_and_close(desk_cli) -> None:
    opened = data(
        desk_cli("cases", "open", "--type", "inquiry", "--subject", "Premium went up", "--member-id", "MBR-3001", "--json")
    )
    number = opened["case_number"]
    desk_cli("cases", "update", number, "--note", "Explained the age change", "--json")
    desk_cli("cases", "resolve", number, "--resolution", "Answered on the call", "--code", "answered", "--json")
    closed = data(desk_cli("cases", "close", number, "--json"))
    history = data(desk_cli("cases", "history", number, "--json"))

    assert closed["status"] == "closed"
    assert [event["action"] for event in history][0] == "open"
    assert "Explained the age change" in [event["note"] for event in history]
    assert history[-1]["to_status"] == "closed"
