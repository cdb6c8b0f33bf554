"""An API client on a committed database per engine, on SQLite and PostgreSQL, with a token for every role.

One app per engine serves every API test module: creating a PostgreSQL database, migrating
it and hashing a password per role take seconds, so they are done once. After each test
every table but the staff users and their sessions is emptied with DELETE, which takes
milliseconds where TRUNCATE takes over a second on PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory, metadata
from premia.infra.model_registry import import_all_tables
from premia.interfaces.api.app import create_app
from premia.kernel.clock import FixedClock
from premia.staff import service as staff
from premia.staff.model import Actor
from premia.staff.permissions import Role
from tests.conftest import ENGINES, MigratedDatabases, make_settings

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PASSWORD = "correct-horse-battery"
KEEP_TABLES = ("staff_users", "staff_sessions")
CARRIER = {
    "carrier_name": "Blue Ridge Health Plan",
    "carrier_phone": "1-800-555-0142",
    "carrier_address": "PO Box 26110|Richmond, VA 23261-6110",
}
JOB_TIMEOUT_SECONDS = 60


@dataclass
class ApiHarness:
    client: TestClient
    database_url: str
    engine: Engine
    session_factory: sessionmaker[Any]
    settings: Any
    jobs_dir: Path
    tokens: dict[Role, str] = field(default_factory=dict)

    def headers(self, role: Role = Role.ADMIN, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **extra}

    @contextmanager
    def services(self, *, instant: datetime = NOW, username: str = "admin-user") -> Iterator[ServiceContext]:
        """A committed unit of work for setting up data through the services, as the admin."""
        with self.session_factory() as session, session.begin():
            yield ServiceContext(
                session=session,
                actor=Actor(user_id=None, username=username, role=Role.ADMIN),
                clock=FixedClock(instant),
                settings=self.settings,
                channel="test",
            )

    def wait_for_job(self, job_id: int, role: Role = Role.ADMIN) -> dict[str, Any]:
        """Poll the job until it has finished and return it."""
        deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
        while True:
            job = self.client.get(f"/api/v1/jobs/{job_id}", headers=self.headers(role)).json()
            if job["status"] in ("succeeded", "failed"):
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} still {job['status']} after {JOB_TIMEOUT_SECONDS} s")
            time.sleep(0.05)


def empty_tables(engine: Engine) -> None:
    import_all_tables()
    names = [table.name for table in reversed(metadata.sorted_tables) if table.name not in KEEP_TABLES]
    with engine.begin() as connection:
        for name in names:
            connection.execute(text(f'DELETE FROM "{name}"'))


@pytest.fixture(scope="session", params=ENGINES)
def api_database(request: pytest.FixtureRequest, migrated_databases: MigratedDatabases) -> str:
    return migrated_databases.new_url(request.param)


@pytest.fixture(scope="session")
def api_module(api_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiHarness]:
    """One app, job runner and set of staff tokens per engine."""
    settings = make_settings(api_database, documents_dir=str(tmp_path_factory.mktemp("documents")), **CARRIER)
    engine = make_engine(api_database)
    factory = make_session_factory(engine)
    tokens: dict[Role, str] = {}
    with factory() as session, session.begin():
        ctx = ServiceContext(session=session, actor=Actor.system("bootstrap"), clock=FixedClock(NOW), settings=settings, channel="test")
        for role in Role:
            user = staff.add_user(ctx, username=f"{role.value}-user", display_name=role.value, role=role, password=PASSWORD)
            tokens[role] = staff.start_session(ctx, user, kind="api")
    jobs_dir = tmp_path_factory.mktemp("jobs")
    app = create_app(settings, clock=FixedClock(NOW), jobs_dir=jobs_dir)
    # Jobs are picked up when their upload commits; a short poll only matters for jobs queued by hand.
    app.state.job_runner.poll_seconds = 0.2
    with TestClient(app) as client:
        yield ApiHarness(
            client=client,
            database_url=api_database,
            engine=engine,
            session_factory=factory,
            settings=settings,
            jobs_dir=jobs_dir,
            tokens=tokens,
        )
    app.state.engine.dispose()
    engine.dispose()


@pytest.fixture
def api(api_module: ApiHarness) -> Iterator[ApiHarness]:
    """The engine's client; every table but the staff users and their sessions is emptied after each test."""
    yield api_module
    empty_tables(api_module.engine)
