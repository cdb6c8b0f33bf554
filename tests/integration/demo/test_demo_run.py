"""`premia demo` on a small book: the journal balances, the KPIs are computed, the console has its data.

One run (60 subscribers, 3 months ending 2026-12-04) is shared by the module's tests; it
takes about 10 seconds of CPU.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from premia.billing.tables import Invoice
from premia.documents.tables import Document, PrintBatch
from premia.enrollment.tables import Policy
from premia.importers.enrollment.tables import ImportFile
from premia.infra.db import make_engine
from premia.interfaces.cli.admin import login, logout
from premia.interfaces.cli.main import app
from premia.interfaces.cli.metrics import kpi
from premia.ledger.model import EntryKind
from premia.ledger.tables import JournalEntry
from premia.metrics import KpiName
from premia.payments.model import PaymentChannel
from premia.payments.tables import AchFile, Payment
from premia.servicing.model import CaseStatus
from premia.servicing.tables import CaseSurvey, Contact, ServiceCase
from premia.staff.permissions import Role
from premia.staff.tables import StaffUser


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    database = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(
        app,
        ["demo", "--database", str(database), "--subscribers", "60", "--months", "3", "--as-of", "2026-12-04", "--no-serve", "--json"],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), database


@pytest.fixture(scope="module")
def engine(demo_run) -> Iterator[Engine]:
    _, database = demo_run
    demo_engine = make_engine(f"sqlite:///{database}")
    yield demo_engine
    demo_engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as demo_session:
        yield demo_session


def count(session: Session, *conditions, table=None) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(table) if table is not None else select(func.count())
    return int(session.scalar(query.where(*conditions)) or 0)


def test_journal_balances(demo_run):
    summary, _ = demo_run
    assert summary["journal_imbalance_cents"] == 0


def test_kpis_are_computed(demo_run):
    figures = demo_run[0]["kpis"]["figures"]
    assert set(figures) == {name.value for name in KpiName}
    for name in ("first_contact_resolution", "premium_collection_rate", "days_sales_outstanding", "autodraft_return_rate"):
        assert figures[name]["denominator"] > 0, name
        assert figures[name]["value"] is not None, name


def test_kpis_keep_definition_versions(demo_run):
    figure = demo_run[0]["kpis"]["figures"]["premium_collection_rate"]
    assert figure["definition"] == "premium_collection_rate/v1"


def test_staff_users_for_each_role(session):
    roles = set(session.scalars(select(StaffUser.role)))
    assert roles == {Role.ADMIN.value, Role.BILLING.value, Role.CSR.value, Role.SUPERVISOR.value, Role.AUDITOR.value}


def test_logins_in_summary(demo_run):
    logins = demo_run[0]["logins"]
    assert set(logins) == {"admin", "billing", "csr", "supervisor", "auditor"}
    assert all(len(password) >= 12 for password in logins.values())


def test_enrollment_came_from_834_files(session):
    assert count(session, ImportFile.status == "accepted", table=ImportFile) >= 2
    assert count(session, Policy.exchange_policy_id.is_not(None), table=Policy) > 0


def test_every_month_billed(session):
    months = set(session.scalars(select(Invoice.period_start)))
    assert len(months) >= 4


def test_payments_by_every_channel(session):
    channels = set(session.scalars(select(Payment.channel).distinct()))
    expected = {PaymentChannel.ACH_AUTODRAFT.value, PaymentChannel.LOCKBOX.value, PaymentChannel.EMPLOYER_820.value}
    assert expected <= channels


def test_exchange_paid_aptc(session):
    assert count(session, JournalEntry.kind == EntryKind.APTC_REMITTANCE.value, table=JournalEntry) > 0


def test_drafts_sent_and_returned(session):
    assert count(session, table=AchFile) > 0
    assert count(session, Payment.status == "returned", table=Payment) > 0


def test_delinquency_moved_policies(session):
    statuses = set(session.scalars(select(Policy.status).distinct()))
    assert "grace" in statuses or "terminated" in statuses or "cancelled" in statuses


def test_service_desk_worked(session):
    assert count(session, table=Contact) > 0
    assert count(session, ServiceCase.status == CaseStatus.RESOLVED.value, table=ServiceCase) > 0
    assert count(session, CaseSurvey.score.is_not(None), table=CaseSurvey) > 0


def test_paper_batch_printed(session):
    assert count(session, table=PrintBatch) == 1
    assert count(session, table=Document) > 0


def test_files_kept_for_the_user(demo_run):
    _, database = demo_run
    folder = database.with_name(f"{database.stem}-files")
    assert any((folder / "834").glob("*.834"))
    assert any((folder / "lockbox").glob("*.csv"))
    assert any((folder / "820").glob("*.x12"))


@pytest.fixture
def kpi_cli(demo_run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`premia login` and `premia kpi` against the demo database, logged in as the supervisor."""
    summary, _ = demo_run
    monkeypatch.chdir(tmp_path)
    for name in [name for name in os.environ if name.startswith("PREMIA_")]:
        monkeypatch.delenv(name)
    for name, value in summary["environment"].items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PREMIA_SESSION_FILE", str(tmp_path / "session"))
    cli = typer.Typer()
    cli.command("login")(login)
    cli.command("kpi")(kpi)
    cli.command("logout")(logout)
    runner = CliRunner()
    logged_in = runner.invoke(cli, ["login", "supervisor", "--password-stdin"], input=summary["logins"]["supervisor"] + "\n")
    assert logged_in.exit_code == 0, logged_in.output
    return lambda *args: runner.invoke(cli, ["kpi", *args])


def test_kpi_command_matches_demo(demo_run, kpi_cli):
    result = kpi_cli("--from", "2026-10-01", "--to", "2026-12-04", "--as-of", "2026-12-04", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)["figures"]
    expected = demo_run[0]["kpis"]["figures"]
    assert figures["premium_collection_rate"] == expected["premium_collection_rate"]
    assert figures["first_contact_resolution"] == expected["first_contact_resolution"]


def test_kpi_command_prints_table(kpi_cli):
    result = kpi_cli("--from", "2026-10-01", "--to", "2026-11-30", "--as-of", "2026-12-04", "--monthly", "--business", "individual")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Premium collection rate") == 2
    assert "individual" in result.stdout


def test_kpi_command_rejects_segment(kpi_cli):
    result = kpi_cli("--from", "2026-10-01", "--to", "2026-11-30", "--market", "medicare")
    assert result.exit_code == 1
    assert "Unknown market" in result.output
