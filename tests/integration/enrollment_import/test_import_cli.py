"""`premia import 834`: reports and 999s written beside each file, status 1 for a rejected file."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import typer
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from typer.testing import CliRunner, Result

from premia.catalog.service import load_catalog
from premia.formats.x12 import TransactionAction
from premia.importers.enrollment.member_loop import MemberLoop
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory, transaction
from premia.infra.settings import load_settings
from premia.interfaces.cli.imports import import_app
from premia.interfaces.cli.runtime import SystemClock
from premia.staff import service as staff_service
from premia.staff.model import Actor
from tests.conftest import MigratedDatabases
from tests.integration.enrollment_import.conftest import DATA
from tests.integration.enrollment_import.enrollment_files import interchange_text, member

Invoke = Callable[..., Result]


@pytest.fixture
def premia(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_databases: MigratedDatabases
) -> Iterator[Invoke]:
    """Run `premia import ...` on a migrated SQLite copy, logged in as an admin, with the test catalog."""
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
                ctx, username="admin", display_name="Admin", role="admin", password="admin passphrase"
            )
            token = staff_service.start_session(ctx, user)
            load_catalog(ctx, DATA / "import-catalog.yaml")
    finally:
        engine.dispose()
    Path(settings.session_file).write_text(token + "\n", encoding="utf-8")

    logger = logging.getLogger("premia")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    app = typer.Typer()
    app.add_typer(import_app, name="import")
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    for handler in handlers:
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = propagate


def test_import_writes_report_and_999(premia: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "inbound" / "enrollment.834"
    source.parent.mkdir()
    source.write_text(interchange_text([member("A-1"), member("B-1")]), encoding="ascii")

    result = premia("import", "834", str(source), "--ack-dir", str(tmp_path / "acks"), "--no-tr3")
    report = json.loads((tmp_path / "acks" / "enrollment.834.report.json").read_text(encoding="utf-8"))
    acknowledgment = (tmp_path / "acks" / "enrollment.834.999").read_text(encoding="ascii")

    assert result.exit_code == 0, result.output
    assert "enrollment.834: accepted, 2 of 2 members applied, 0 rejected" in result.output
    assert report["counts"]["members_applied"] == 2
    assert report["status"] == "accepted"
    assert "AK9*A*1*1*1~" in acknowledgment


def test_second_run_is_duplicate(premia: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "enrollment.834"
    source.write_text(interchange_text([member("A-1")]), encoding="ascii")

    premia("import", "834", str(source), "--no-tr3")
    again = premia("import", "834", str(source), "--no-tr3", "--json")
    reports = json.loads(again.stdout)

    first_report = json.loads((tmp_path / "enrollment.834.report.json").read_text(encoding="utf-8"))
    assert again.exit_code == 0, again.output
    assert reports[0]["status"] == "duplicate"
    assert reports[0]["duplicate_of"] == 1
    assert (tmp_path / "enrollment.834.999").is_file()
    # The duplicate's report is written beside the first import's, which stays as it was.
    assert first_report["status"] == "accepted"
    assert (tmp_path / "enrollment.834.duplicate.report.json").is_file()


def test_rejected_file_exits_1(premia: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "broken.834"
    source.write_text(
        interchange_text([member("A-1")]).replace("IEA*1*000000101", "IEA*1*000000999"), encoding="ascii"
    )

    result = premia("import", "834", str(source), "--no-tr3")

    assert result.exit_code == 1
    assert "broken.834: rejected" in result.output
    assert "IEA02 at segment" in result.output
    assert "[x12.interchange_control_number_mismatch]" in result.output


def test_rejection_shows_its_fix(premia: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "broken.834"
    source.write_text(
        interchange_text([member("A-1")]).replace("IEA*1*000000101", "IEA*1*000000999"), encoding="ascii"
    )

    result = premia("import", "834", str(source), "--no-tr3")

    assert "    fix: " in result.output


def test_full_file_shows_differences(premia: Invoke, tmp_path: Path) -> None:
    source = tmp_path / "verify.834"
    source.write_text(interchange_text([member("V-1")], action=TransactionAction.VERIFY), encoding="ascii")

    result = premia("import", "834", str(source), "--no-tr3")

    # A full file changes nothing, so what differs is printed, not only written to the report.
    assert result.exit_code == 0, result.output
    assert "differs for V-1: member is missing in Premia" in result.output
    assert "1 of them compared with Premia's records only; nothing written for them" in result.output


def test_duplicate_of_stopped_import(premia: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "enrollment.834"
    source.write_text(interchange_text([member("A-1"), member("B-1")]), encoding="ascii")
    commit = MemberLoop.commit_if_due

    def stops_after_first_commit(self: MemberLoop, index: int) -> None:
        commit(self, index)
        if index in self.commits:
            raise RuntimeError("import stopped")

    monkeypatch.setattr(MemberLoop, "commit_if_due", stops_after_first_commit)
    stopped = premia("import", "834", str(source), "--no-tr3", "--commit-every", "1")
    monkeypatch.setattr(MemberLoop, "commit_if_due", commit)

    again = premia("import", "834", str(source), "--no-tr3")

    assert stopped.exit_code != 0
    assert again.exit_code == 0, again.output
    # The summary line alone would read as if the file had been applied in full.
    assert "enrollment.834: duplicate of import 1" in again.output
    assert "has not finished" in again.output
