"""`premia demo` on a small book: the journal balances, the KPIs are computed, the console has its data.

One run (60 subscribers, 3 months ending 2026-12-04) is shared by the module's tests; it
takes about 10 seconds of CPU. The demo's last day falls after the individual renewals
open (October 15), so the book has its 2027 renewals.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from datetime import UTC, date, datetime
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from premia.billing.tables import Invoice
from premia.documents.tables import Document, PrintBatch
from premia.billing.service import run_billing
from premia.catalog.service import current_catalog
from premia.enrollment.model import Market, PolicyStatus
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.clock import FixedClock
from premia.lifecycle.tables import RenewalOffer
from premia.notices.model import NoticeStatus
from premia.notices.tables import Notice
from premia.staff.model import Actor
from premia.importers.enrollment.tables import ImportFile
from premia.demo.setup import demo_settings
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


RENEWAL_DATE = date(2027, 1, 1)


def test_individual_policies_renewed(session):
    # Individual policies renew on January 1. The demo's employer groups renew on their
    # anniversary in mid-year, after the demo ends.
    in_force_at_year_end = (
        Policy.market == Market.INDIVIDUAL.value,
        Policy.status.in_([PolicyStatus.ACTIVE.value, PolicyStatus.GRACE.value]),
        Policy.effective_date < RENEWAL_DATE,
        (Policy.end_date.is_(None)) | (Policy.end_date >= date(2026, 12, 31)),
    )
    offered = select(RenewalOffer.policy_id).where(RenewalOffer.renewal_date == RENEWAL_DATE)
    assert count(session, *in_force_at_year_end) > 0
    assert count(session, *in_force_at_year_end, Policy.id.not_in(offered)) == 0


def test_renewals_send_notices(session):
    offers = count(session, RenewalOffer.renewal_date == RENEWAL_DATE, table=RenewalOffer)
    with_notice = count(session, RenewalOffer.renewal_date == RENEWAL_DATE, RenewalOffer.notice_id.is_not(None), table=RenewalOffer)
    assert offers > 0
    assert with_notice == offers


def test_december_bill_run_has_no_failures(demo_run, session):
    summary, database = demo_run
    environment = summary["environment"]
    settings = demo_settings(environment["PREMIA_DATABASE_URL"], database, Path(environment["PREMIA_DOCUMENTS_DIR"]))
    ctx = ServiceContext(
        session=session,
        actor=Actor(None, "billing", Role.BILLING),
        clock=FixedClock(datetime(2026, 12, 15, 13, 0, tzinfo=UTC)),
        settings=settings,
        channel="batch",
    )
    report = run_billing(ctx, catalog=current_catalog(ctx), as_of=date(2026, 12, 15), dry_run=True)
    failures = [(outcome.account_number, outcome.error) for outcome in report.outcomes if outcome.error]
    assert report.issued > 0
    assert failures == []


def test_pending_notices_explained(demo_run, session):
    pending = count(session, Notice.status == NoticeStatus.PENDING.value, table=Notice)
    steps = {item["step"] for item in demo_run[0]["skipped"]}
    assert pending > 0
    assert "notice delivery" in steps
