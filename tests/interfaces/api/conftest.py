"""An API client on a committed database per test, on SQLite and PostgreSQL, with staff tokens."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory
from premia.interfaces.api.app import create_app
from premia.kernel.clock import FixedClock
from premia.staff import service as staff
from premia.staff.model import Actor
from premia.staff.permissions import Role
from tests.conftest import ENGINES, MigratedDatabases, make_settings, truncate_all

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PASSWORD = "correct-horse-battery"


@dataclass
class ApiHarness:
    client: TestClient
    database_url: str
    tokens: dict[Role, str] = field(default_factory=dict)

    def headers(self, role: Role = Role.ADMIN, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **extra}


@pytest.fixture(scope="module", params=ENGINES)
def api_database(request: pytest.FixtureRequest, migrated_databases: MigratedDatabases) -> str:
    return migrated_databases.new_url(request.param)


@pytest.fixture(scope="module")
def api_module(api_database: str) -> Iterator[ApiHarness]:
    """One app and one set of staff tokens per module; Argon2 hashing is too slow to repeat per test."""
    settings = make_settings(api_database)
    engine = make_engine(api_database)
    factory = make_session_factory(engine)
    tokens: dict[Role, str] = {}
    with factory() as session, session.begin():
        ctx = ServiceContext(session=session, actor=Actor.system("bootstrap"), clock=FixedClock(NOW), settings=settings, channel="test")
        for role in Role:
            user = staff.add_user(ctx, username=f"{role.value}-user", display_name=role.value, role=role, password=PASSWORD)
            tokens[role] = staff.start_session(ctx, user, kind="api")
    app = create_app(settings, clock=FixedClock(NOW))
    with TestClient(app) as client:
        yield ApiHarness(client=client, database_url=api_database, tokens=tokens)
    app.state.engine.dispose()
    truncate_all(engine)
    engine.dispose()


@pytest.fixture
def api(api_module: ApiHarness) -> Iterator[ApiHarness]:
    """The module's client; every table but the staff users and their sessions is emptied after each test."""
    yield api_module
    engine = make_engine(api_module.database_url)
    truncate_all(engine, keep=("staff_users", "staff_sessions"))
    engine.dispose()
