"""Run `premia` commands in-process against a migrated database on SQLite and on PostgreSQL.

SQLite gets a fresh copy of a migrated file per test. PostgreSQL gets one migrated database
per test module, emptied after each test, because creating and migrating one per test is slow.
Commands read their configuration from PREMIA_* variables, as in production.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory, transaction
from premia.infra.settings import load_settings
from premia.interfaces.cli.main import app
from premia.interfaces.cli.runtime import SystemClock
from premia.staff import service as staff_service
from premia.staff.model import Actor
from tests.conftest import MigratedDatabases, truncate_all

ADMIN_PASSWORD = "admin passphrase for tests"
# Argon2id with the lowest costs: the commands hash and verify as in production, only faster.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff_service, "_hasher", CHEAP_HASHER)


@pytest.fixture(autouse=True)
def restore_premia_logger() -> Iterator[None]:
    """Put the premia logger's handlers back after each test, because commands point it at the runner's stderr."""
    logger = logging.getLogger("premia")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    yield
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    for handler in handlers:
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = propagate


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Remove every PREMIA_ variable and work in an empty directory (no .env file)."""
    for name in list(os.environ):
        if name.upper().startswith("PREMIA_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def module_postgres(migrated_databases: MigratedDatabases) -> Iterator[tuple[str, Engine]]:
    url = migrated_databases.new_url("postgresql")
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, migrated_databases: MigratedDatabases) -> Iterator[str]:
    if request.param == "sqlite":
        yield migrated_databases.new_url("sqlite")
        return
    url, engine = request.getfixturevalue("module_postgres")
    yield url
    truncate_all(engine)


@pytest.fixture
def cli_env(clean_environment: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the CLI at the test database with its own key and session file."""
    monkeypatch.setenv("PREMIA_DATABASE_URL", database_url)
    monkeypatch.setenv("PREMIA_ENCRYPTION_KEY", Fernet.generate_key().decode("ascii"))
    monkeypatch.setenv("PREMIA_SESSION_FILE", str(clean_environment / "session"))
    monkeypatch.setenv("PREMIA_ENVIRONMENT", "test")
    return clean_environment


@pytest.fixture
def premia() -> Invoke:
    """Run one `premia` command: ``premia("accounts", "show", "BA-000001", input="...")``."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input)

    return invoke


@pytest.fixture
def admin(cli_env: Path, premia: Invoke) -> str:
    """Create the first admin through the CLI, log in as them and return the username."""
    added = premia("users", "add", "admin", "--role", "admin", "--name", "Avery Admin", "--password-stdin", input=ADMIN_PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    logged_in = premia("login", "admin", "--password-stdin", input=ADMIN_PASSWORD + "\n")
    assert logged_in.exit_code == 0, logged_in.output
    return "admin"


@pytest.fixture
def login_as(cli_env: Path) -> Callable[[str, str], None]:
    """Add a staff user with ``role`` and make them the CLI's logged-in user.

    This calls the staff services directly, as `users add` and `login` do, which saves two
    command runs per test. The tests in test_cli_users run those commands themselves.
    """

    def switch(username: str, role: str) -> None:
        settings = load_settings()
        engine = make_engine(settings.database_url)
        try:
            with transaction(make_session_factory(engine)) as session:
                ctx = ServiceContext(
                    session=session, actor=Actor.system("bootstrap"), clock=SystemClock(), settings=settings
                )
                user = staff_service.add_user(
                    ctx, username=username, display_name=username.title(), role=role, password=f"{username} passphrase"
                )
                token = staff_service.start_session(ctx, user)
        finally:
            engine.dispose()
        Path(settings.session_file).write_text(token + "\n", encoding="utf-8")

    return switch


@pytest.fixture
def logged_in(login_as: Callable[[str, str], None]) -> str:
    """Log in an admin named ``admin`` and return the username."""
    login_as("admin", "admin")
    return "admin"


def log_records(stderr: str) -> list[dict[str, object]]:
    """Return the JSON log lines that the premia logger wrote to stderr, parsed."""
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def messages(stderr: str) -> str:
    """Return stderr without the JSON log lines, which leaves the messages the command printed for the user."""
    return "\n".join(line for line in stderr.splitlines() if not line.startswith("{"))
