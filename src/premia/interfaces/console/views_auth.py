"""Sign in and sign out of the console."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from premia.interfaces.console.rendering import base_path, redirect, render, set_session_cookie
from premia.interfaces.console.sessions import LOGIN_COOKIE, SESSION_COOKIE, new_login_nonce, open_value, seal_session, seal_value
from premia.interfaces.console.web import Posted, console_config, host_clock, read_form, unit_of_work
from premia.kernel.errors import DomainError
from premia.staff import service as staff_service
from premia.staff.model import Actor
from premia.staff.permissions import Role

log = logging.getLogger("premia.console")
router = APIRouter()
_LOGIN_PURPOSE = "login"
LOGIN_NONCE_FIELD = "login_nonce"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    return _login_form(request, next_path=next)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await read_form(request)
    next_path = _safe_next(form.text("next"))
    config = console_config(request)
    expected = open_value(config.key, _LOGIN_PURPOSE, request.cookies.get(LOGIN_COOKIE))
    if expected is None or expected != form.text(LOGIN_NONCE_FIELD):
        return _login_form(request, next_path=next_path, error="The sign-in form expired. Please sign in again.", status_code=403)

    username = form.text("username") or ""
    try:
        with unit_of_work(request, Actor.system("anonymous")) as ctx:
            user = staff_service.authenticate(ctx, username=username, password=form.values.get("password", ""))
            ctx.actor = Actor(user_id=user.id, username=user.username, role=Role(user.role))
            token = staff_service.start_session(ctx, user, kind="console")
    except DomainError as error:
        log.warning("console sign-in failed", extra={"username": username.strip().lower()})
        return _login_form(request, next_path=next_path, error=error.message, username=username, status_code=401)

    response = redirect(request, next_path)
    set_session_cookie(request, response, seal_session(config.key, token, host_clock(request).now()))
    response.delete_cookie(LOGIN_COOKIE, path=base_path(request) or "/")
    return response


@router.post("/logout")
def logout(request: Request, posted: Posted) -> Response:
    with unit_of_work(request, posted.staff.actor) as ctx:
        staff_service.end_session(ctx, posted.staff.token)
    request.state.console_token = None
    response = redirect(request, "/login", flash="You are signed out.")
    response.delete_cookie(SESSION_COOKIE, path=base_path(request) or "/")
    return response


def _login_form(
    request: Request,
    *,
    next_path: str,
    error: str | None = None,
    username: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    nonce = new_login_nonce()
    response = render(
        request,
        "login.html",
        staff=None,
        status_code=status_code,
        page_title="Sign in",
        error=error,
        username=username,
        next_path=_safe_next(next_path),
        login_nonce=nonce,
        nonce_field=LOGIN_NONCE_FIELD,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        seal_value(console_config(request).key, _LOGIN_PURPOSE, nonce),
        path=base_path(request) or "/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


def _safe_next(path: str | None) -> str:
    """Return ``path`` if it is inside the console, else ``/``, so the sign-in page cannot send anyone to another site."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path
