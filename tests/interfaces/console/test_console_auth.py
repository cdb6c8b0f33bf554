"""Signing in and out, the idle time-out, CSRF on every form post, and the response headers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from premia.audit.tables import AuditEntry
from premia.infra.db import make_engine, make_session_factory
from premia.interfaces.console.mount import ROUTERS
from premia.interfaces.console.sessions import seal_session, signing_key
from premia.staff.permissions import Role
from premia.staff.tables import StaffSession
from tests.interfaces.console.conftest import NONCE_PATTERN, Console
from tests.interfaces.console.seed import NOW, PASSWORD, USERS

pytestmark = pytest.mark.database


def _login_form(console: Console) -> str:
    console.client.cookies.clear()
    page = console.client.get("/console/login")
    match = NONCE_PATTERN.search(page.text)
    assert match is not None
    return match.group(1)


def test_unsigned_visit_redirects_to_login(console_module: Console) -> None:
    console_module.client.cookies.clear()
    response = console_module.get(f"/accounts/{console_module.book.maria_account}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/console/login?next=/accounts/{console_module.book.maria_account}"


def test_login_wrong_password(console_module: Console) -> None:
    nonce = _login_form(console_module)
    response = console_module.client.post(
        "/console/login", data={"username": "casey", "password": "not-the-password", "login_nonce": nonce, "next": "/"}
    )
    assert response.status_code == 401
    assert "The username or password is not correct." in response.text
    assert "premia_console=" not in response.headers.get("set-cookie", "")


def test_login_needs_form_nonce(console_module: Console) -> None:
    _login_form(console_module)
    response = console_module.client.post(
        "/console/login", data={"username": "casey", "password": PASSWORD, "login_nonce": "forged", "next": "/"}
    )
    assert response.status_code == 403
    assert "The sign-in form expired" in response.text


def test_login_returns_to_next_page(console_module: Console) -> None:
    nonce = _login_form(console_module)
    target = f"/accounts/{console_module.book.maria_account}?tab=invoices"
    response = console_module.client.post(
        "/console/login", data={"username": "casey", "password": PASSWORD, "login_nonce": nonce, "next": target}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/console" + target


def test_login_ignores_next_off_site(console_module: Console) -> None:
    nonce = _login_form(console_module)
    response = console_module.client.post(
        "/console/login", data={"username": "casey", "password": PASSWORD, "login_nonce": nonce, "next": "//evil.example/x"}, follow_redirects=False
    )
    assert response.headers["location"] == "/console/"


def test_login_starts_console_session(console_module: Console) -> None:
    console_module.sign_in(Role.CSR)
    engine = make_engine(console_module.database_url)
    with make_session_factory(engine)() as session:
        kinds = set(session.scalars(select(StaffSession.kind)))
        logins = session.scalars(select(AuditEntry).where(AuditEntry.action == "login", AuditEntry.username == "casey")).all()
    engine.dispose()
    assert "console" in kinds
    assert any((entry.detail or {}).get("kind") == "console" for entry in logins)


def test_logout_ends_session(fresh_console: Console) -> None:
    session_cookie = fresh_console.client.cookies.get("premia_console")
    response = fresh_console.post("/logout", follow=False)
    assert response.status_code == 303
    fresh_console.client.cookies.set("premia_console", session_cookie or "", path="/console")
    again = fresh_console.get("/", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"].startswith("/console/login")


def test_idle_session_times_out(fresh_console: Console) -> None:
    fresh_console.clock.instant = NOW + timedelta(minutes=16)
    response = fresh_console.get("/", follow_redirects=True)
    assert response.url.path == "/console/login"
    assert "signed out after 15 minutes without activity" in response.text


def test_activity_keeps_session_alive(console: Console) -> None:
    for minutes in (10, 20, 30):
        console.clock.instant = NOW + timedelta(minutes=minutes)
        response = console.get("/", follow_redirects=False)
        assert response.status_code == 200, f"signed out at minute {minutes}"


def test_idle_session_ended_in_database(fresh_console: Console) -> None:
    token = fresh_console.client.cookies.get("premia_console") or ""
    fresh_console.clock.instant = NOW + timedelta(minutes=16)
    fresh_console.get("/", follow_redirects=False)
    # A fresh cookie for the same token, signed as if just used, must not bring the session back.
    key = signing_key(fresh_console.client.app.state.settings.require_encryption_key())  # type: ignore[attr-defined]
    fresh_console.client.cookies.set("premia_console", seal_session(key, token.split(".")[0], fresh_console.clock.instant), path="/console")
    response = fresh_console.get("/", follow_redirects=False)
    assert response.status_code == 303


def test_tampered_cookie_rejected(fresh_console: Console) -> None:
    value = fresh_console.client.cookies.get("premia_console") or ""
    token, stamp, signature = value.rsplit(".", 2)
    fresh_console.client.cookies.set("premia_console", f"{token}.{int(stamp) + 3600}.{signature}", path="/console")
    response = fresh_console.get("/", follow_redirects=False)
    assert response.status_code == 303


def test_htmx_request_redirects_whole_page(console_module: Console) -> None:
    console_module.client.cookies.clear()
    response = console_module.get("/cases/warnings", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/console/login")


def _post_routes() -> list[str]:
    paths = []
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and "POST" in route.methods and route.path != "/login":
                paths.append(re.sub(r"\{[^}]+\}", "1", route.path))
    return paths


def test_every_post_checks_csrf(console: Console) -> None:
    paths = _post_routes()
    assert len(paths) >= 20
    for path in paths:
        response = console.post(path, {"account_number": console.book.maria_account}, csrf=False)
        assert response.status_code == 403, f"{path} accepted a form without the CSRF token"
        assert "This form has expired" in response.text


def test_csrf_from_other_session_rejected(console: Console) -> None:
    stolen = console.csrf
    console.sign_in(Role.CSR)
    response = console.client.post(
        "/console/accounts/" + console.book.maria_account + "/payments",
        data={"csrf_token": stolen, "amount": "1.00", "method": "check", "reference": "x", "received_on": "2026-03-02"},
    )
    assert response.status_code == 403


def test_csrf_header_accepted(console: Console) -> None:
    response = console.client.post(
        "/console/accounts/" + console.book.maria_account + "/preferences",
        data={"form_id": "billing-contact", "language": "en"},
        headers={"X-CSRF-Token": console.csrf},
    )
    assert response.status_code == 422
    assert "Nothing was changed." in response.text


def test_security_headers(console: Console) -> None:
    response = console.get("/")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_session_cookie_flags(console_module: Console) -> None:
    nonce = _login_form(console_module)
    response = console_module.client.post(
        "/console/login", data={"username": USERS[Role.CSR][0], "password": PASSWORD, "login_nonce": nonce, "next": "/"}, follow_redirects=False
    )
    cookie = next(value for value in response.headers.get_list("set-cookie") if value.startswith("premia_console="))
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/console" in cookie


def test_root_redirects_to_console(console_module: Console) -> None:
    response = console_module.client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/console/"


def test_background_refresh_is_not_activity(console: Console) -> None:
    console.clock.instant = NOW + timedelta(minutes=5)
    response = console.get("/cases/warnings", headers={"HX-Request": "true", "X-Console-Background": "1"})
    assert response.status_code == 200
    assert "premia_console=" not in response.headers.get("set-cookie", "")


def test_page_visit_refreshes_cookie(console: Console) -> None:
    console.clock.instant = NOW + timedelta(minutes=5)
    response = console.get("/cases")
    assert "premia_console=" in response.headers.get("set-cookie", "")
