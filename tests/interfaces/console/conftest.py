"""A console client on a seeded database per module, on SQLite and PostgreSQL.

The seed (staff users, the demo catalog, three accounts, three months of billing) is built
once per module and engine because Argon2 hashing and bill runs are too slow to repeat per
test. Tests that change data each work on their own records, so their order does not matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from premia.infra.db import make_engine, make_session_factory
from premia.interfaces.api.app import create_app
from premia.kernel.clock import FixedClock
from premia.staff.permissions import Role
from tests.conftest import ENGINES, MigratedDatabases, make_settings, truncate_all
from tests.interfaces.console.seed import NOW, PASSWORD, USERS, SeededBook, seed_book

CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')
NONCE_PATTERN = re.compile(r'name="login_nonce" value="([^"]+)"')


@dataclass
class Console:
    """A browser-like client: signs in as a role and submits forms with the page's CSRF token."""

    client: TestClient
    book: SeededBook
    database_url: str
    clock: FixedClock
    csrf: str = ""

    def sign_in(self, role: Role = Role.SUPERVISOR) -> Console:
        self.client.cookies.clear()
        page = self.client.get("/console/login")
        nonce = NONCE_PATTERN.search(page.text)
        assert nonce is not None, "the sign-in form has no nonce"
        response = self.client.post(
            "/console/login",
            data={"username": USERS[role][0], "password": PASSWORD, "login_nonce": nonce.group(1), "next": "/"},
            follow_redirects=True,
        )
        assert response.status_code == 200, response.text[:500]
        self.csrf = csrf_of(response)
        return self

    def get(self, path: str, **kwargs: object) -> Response:
        return self.client.get("/console" + path, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, data: dict[str, object] | None = None, *, follow: bool = True, csrf: bool = True) -> Response:
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf
        return self.client.post("/console" + path, data=form, follow_redirects=follow)  # type: ignore[arg-type]


def csrf_of(response: Response) -> str:
    match = CSRF_PATTERN.search(response.text)
    assert match is not None, "the page has no CSRF field"
    return match.group(1)


@pytest.fixture(scope="module", params=ENGINES)
def console_database(request: pytest.FixtureRequest, migrated_databases: MigratedDatabases) -> str:
    return migrated_databases.new_url(request.param)


@pytest.fixture(scope="module")
def console_module(console_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    folder: Path = tmp_path_factory.mktemp("console")
    settings = make_settings(console_database, documents_dir=str(folder / "documents"))
    engine = make_engine(console_database)
    with make_session_factory(engine)() as session, session.begin():
        book = seed_book(session, settings)
    clock = FixedClock(NOW)
    app = create_app(settings, clock=clock, jobs_dir=folder / "jobs", run_jobs=False)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield Console(client=client, book=book, database_url=console_database, clock=clock)
    app.state.engine.dispose()
    truncate_all(engine)
    engine.dispose()


@pytest.fixture
def console(console_module: Console) -> Iterator[Console]:
    """The module's console, signed in as a supervisor (who may do every console action but audit)."""
    console_module.clock.instant = NOW
    yield console_module.sign_in(Role.SUPERVISOR)
    console_module.clock.instant = NOW
