"""Shared fixtures: every database test runs once on SQLite and once on PostgreSQL.

PostgreSQL is found through ``TEST_POSTGRES_URL`` (default: the local server on 127.0.0.1:5432
with trust authentication, database ``test``). The suite creates its own database there,
migrates it with Alembic, and drops it at the end. If PostgreSQL cannot be reached the
database tests fail with a clear message instead of being skipped, so a green run always
means both engines were tested.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, metadata
from premia.infra.migrations_runner import upgrade
from premia.infra.model_registry import import_all_tables
from premia.infra.settings import Environment, Settings
from premia.kernel.clock import FixedClock
from premia.staff.model import Actor
from premia.staff.permissions import Role

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ENGINES = ("sqlite", "postgresql")
TEST_KEY = Fernet.generate_key().decode("ascii")
SAMPLES_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


def postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _worker_suffix() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{worker}_{os.getpid()}_{uuid.uuid4().hex[:6]}"


def _create_postgres_database(name: str) -> str:
    admin_url = make_url(postgres_admin_url())
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {admin_url.render_as_string(hide_password=True)}: {exc.orig}. "
            "Start it (pg_ctlcluster <version> main start) or set TEST_POSTGRES_URL.",
            pytrace=False,
        )
    finally:
        admin.dispose()
    return admin_url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(make_url(postgres_admin_url()), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


class MigratedDatabases:
    """Creates migrated databases on demand and removes them when the session ends."""

    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir
        self.postgres_names: list[str] = []
        self.sqlite_template: Path | None = None

    def new_url(self, engine_name: str) -> str:
        if engine_name == "sqlite":
            return self._new_sqlite_url()
        name = f"premia_test_{_worker_suffix()}"
        url = _create_postgres_database(name)
        self.postgres_names.append(name)
        upgrade(url)
        return url

    def _new_sqlite_url(self) -> str:
        # Migrating once and copying the file keeps per-test SQLite databases cheap.
        if self.sqlite_template is None:
            template = self.tmp_dir / "template.db"
            upgrade(f"sqlite:///{template}")
            self.sqlite_template = template
        target = self.tmp_dir / f"premia_{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(self.sqlite_template, target)
        return f"sqlite:///{target}"

    def close(self) -> None:
        for name in self.postgres_names:
            _drop_postgres_database(name)


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedDatabases]:
    databases = MigratedDatabases(tmp_path_factory.mktemp("databases"))
    yield databases
    databases.close()


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest, migrated_databases: MigratedDatabases) -> Iterator[Engine]:
    """A migrated database per engine, shared by the tests of one worker."""
    url = migrated_databases.new_url(request.param)
    database_engine = make_engine(url)
    yield database_engine
    database_engine.dispose()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session inside an outer transaction that is rolled back after the test.

    Services flush and never commit, so everything a test writes disappears with the rollback.
    """
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


def make_settings(database_url: str = "sqlite:///unused.db", **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": Environment.TEST,
        "database_url": database_url,
        "encryption_key": TEST_KEY,
        "time_zone": "America/New_York",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_context(session: Session, *, role: Role = Role.ADMIN, username: str = "tester", instant: datetime | None = None) -> ServiceContext:
    return ServiceContext(
        session=session,
        actor=Actor(user_id=None, username=username, role=role),
        clock=FixedClock(instant or datetime(2026, 3, 2, 15, 0, tzinfo=UTC)),
        settings=make_settings(str(session.get_bind().engine.url)),
        channel="test",
    )


@pytest.fixture
def ctx(db_session: Session) -> ServiceContext:
    """A service context for an admin on 2026-03-02, on the current engine."""
    return make_context(db_session)


@pytest.fixture
def samples_dir() -> Path:
    if not SAMPLES_DIR.is_dir():
        pytest.skip(f"public sample files not found at {SAMPLES_DIR}; they live beside the repository in shared/samples")
    return SAMPLES_DIR


def truncate_all(engine: Engine, *, keep: tuple[str, ...] = ()) -> None:
    """Empty every table except ``keep``, for tests that must commit (CLI runs, threads)."""
    import_all_tables()
    existing = set(inspect(engine).get_table_names())
    tables = [table.name for table in reversed(metadata.sorted_tables) if table.name not in keep and table.name in existing]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(f'"{name}"' for name in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                connection.execute(text(f'DELETE FROM "{name}"'))
