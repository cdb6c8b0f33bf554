"""A console client on a seeded database per module, on SQLite and PostgreSQL.

The seed (staff users, the demo catalog, three accounts, three months of billing) is built
once per module and engine because Argon2 hashing and bill runs are too slow to repeat per
test. Tests that change data each work on their own records, so their order does not matter.
"""

from __future__ import annotations

import re
from html import unescape
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from httpx import Response

from premia.infra.db import make_engine, make_session_factory
from premia.interfaces.api.app import create_app
from premia.kernel.clock import FixedClock
from premia.staff import service as staff_service
from premia.staff.permissions import Role
from tests.conftest import ENGINES, MigratedDatabases, make_settings
from tests.interfaces.console.seed import NOW, PASSWORD, USERS, SeededBook, seed_book

CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')
NONCE_PATTERN = re.compile(r'name="login_nonce" value="([^"]+)"')
FLASH_PATTERN = re.compile(r'<div class="flash" role="status">(.*?)</div>', re.S)


@dataclass
class Console:
    """A browser-like client: signs in as a role and submits forms with the page's CSRF token."""

    client: TestClient
    book: SeededBook
    database_url: str
    clock: FixedClock
    csrf: str = ""
    # Session cookie and CSRF token per role, so tests skip Argon2 and the sign-in round trip.
    signed_in: dict[Role, tuple[str, str]] = field(default_factory=dict)

    def sign_in(self, role: Role = Role.SUPERVISOR, *, fresh: bool = False) -> Console:
        """Use the role's session, signing in first when there is none yet.

        ``fresh`` signs in again and keeps the new session out of the cache, for tests that end it.
        """
        self.client.cookies.clear()
        if role in self.signed_in and not fresh:
            cookie, self.csrf = self.signed_in[role]
            self.client.cookies.set("premia_console", cookie, path="/console")
            return self
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
        if not fresh:
            self.signed_in[role] = (self.client.cookies.get("premia_console") or "", self.csrf)
        return self

    def get(self, path: str, **kwargs: object) -> Response:
        return self.client.get("/console" + path, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, data: dict[str, object] | None = None, *, follow: bool = True, csrf: bool = True) -> Response:
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf
        return self.client.post("/console" + path, data=form, follow_redirects=follow)  # type: ignore[arg-type]


    def scalar(self, query: Any) -> Any:
        """Read one value from the database the app writes to."""
        engine = make_engine(self.database_url)
        try:
            with make_session_factory(engine)() as session:
                return session.scalar(query)
        finally:
            engine.dispose()


def flash_of(html: str) -> str:
    """The status message a page shows after a change, as text."""
    match = FLASH_PATTERN.search(html)
    return unescape(match.group(1).strip()) if match else ""


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
    settings = make_settings(
        console_database,
        documents_dir=str(folder / "documents"),
        carrier_name="Demo Health Plan of Virginia",
        carrier_phone="1-800-555-0142",
        carrier_address="PO Box 1000|Richmond, VA 23218",
    )
    engine = make_engine(console_database)
    with pytest.MonkeyPatch.context() as patch:
        # Hash the seeded staff passwords with cheap Argon2 parameters; verifying reads them from the hash.
        patch.setattr(staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        with make_session_factory(engine)() as session, session.begin():
            book = seed_book(session, settings)
    clock = FixedClock(NOW)
    app = create_app(settings, clock=clock, jobs_dir=folder / "jobs", run_jobs=False)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield Console(client=client, book=book, database_url=console_database, clock=clock)
    # Each module has a database of its own, dropped at the end of the session.
    app.state.engine.dispose()
    engine.dispose()


@pytest.fixture
def fresh_console(console_module: Console) -> Iterator[Console]:
    """A supervisor's own new session, for tests that sign out, idle out or tamper with it."""
    console_module.clock.instant = NOW
    yield console_module.sign_in(Role.SUPERVISOR, fresh=True)
    console_module.clock.instant = NOW


@pytest.fixture
def console(console_module: Console) -> Iterator[Console]:
    """The module's console, signed in as a supervisor (who may do every console action but audit)."""
    console_module.clock.instant = NOW
    yield console_module.sign_in(Role.SUPERVISOR)
    console_module.clock.instant = NOW
