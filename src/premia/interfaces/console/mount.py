"""The console as a sub-application mounted on the API's FastAPI app at ``/console``.

It shares the host app's database, clock and settings (``app.state``), and keeps its own
error handling, so a failed console request renders an HTML page while the API's problem
details stay as they are.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import RequestResponseEndpoint

from premia.interfaces.api.errors import status_for
from premia.interfaces.console import (
    views_accounts,
    views_actions,
    views_auth,
    views_dashboard,
    views_home,
    views_lifecycle,
    views_operations,
    views_service,
)
from premia.interfaces.console.rendering import base_path, redirect, refresh_session_cookie, render
from premia.interfaces.console.sessions import DEFAULT_IDLE_TIMEOUT, signing_key
from premia.interfaces.console.web import ConsoleConfig, CsrfRejected, LoginRequired
from premia.kernel.errors import DomainError

log = logging.getLogger("premia.console")
STATIC_DIR = Path(__file__).parent / "static"
CONSOLE_PATH = "/console"
ROUTERS = [
    views_auth.router,
    views_home.router,
    views_accounts.router,
    views_actions.router,
    views_service.router,
    views_lifecycle.router,
    views_operations.router,
    views_dashboard.router,
]
# Pages hold member data, so browsers must not cache them or show them inside another site's frame.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def mount_console(app: FastAPI, *, idle_timeout: timedelta = DEFAULT_IDLE_TIMEOUT) -> FastAPI:
    """Mount the staff console on ``app`` at /console and send / there; return the console app.

    ``app`` must already carry ``state.settings``, ``state.session_factory`` and
    ``state.clock``, as :func:`premia.interfaces.api.app.create_app` sets them.
    """
    console = FastAPI(title="Premia console", openapi_url=None, docs_url=None, redoc_url=None)
    console.state.host = app
    console.state.console = ConsoleConfig(
        idle_timeout=idle_timeout,
        # Derived from the field-encryption key, so every worker and restart signs alike.
        key=signing_key(app.state.settings.require_encryption_key()),
    )
    console.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        console.include_router(router)
    _install_error_pages(console)
    console.middleware("http")(_session_and_headers)
    app.mount(CONSOLE_PATH, console)
    if not any(getattr(route, "path", None) == "/" for route in app.router.routes):
        app.add_api_route("/", _to_console, include_in_schema=False)
    return console


def _to_console() -> RedirectResponse:
    return RedirectResponse(CONSOLE_PATH + "/", status_code=307)


async def _session_and_headers(request: Request, call_next: RequestResponseEndpoint) -> Response:
    # Touch the state first so that the endpoint and this middleware share one state dict.
    _ = request.state
    response = await call_next(request)
    refresh_session_cookie(request, response)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _install_error_pages(console: FastAPI) -> None:
    @console.exception_handler(LoginRequired)
    async def _login_required(request: Request, error: LoginRequired) -> Response:
        target = "/login?next=" + quote(_current_path(request), safe="/")
        if request.headers.get("HX-Request"):
            # htmx would swap the login page into a fragment; send the whole page there instead.
            response = Response(status_code=204, headers={"HX-Redirect": base_path(request) + target})
            return response
        return redirect(request, target, flash=error.reason or None)

    @console.exception_handler(CsrfRejected)
    async def _csrf(request: Request, _: CsrfRejected) -> HTMLResponse:
        return _error_page(
            request,
            403,
            "This form has expired",
            "The form was sent without the security token of your session, so nothing was changed. "
            "Reload the page and submit the form again.",
        )

    @console.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> HTMLResponse:
        return _error_page(request, status_for(error), error.message, error.hint or "", code=error.code)

    @console.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> HTMLResponse:
        title = "Page not found" if error.status_code == 404 else str(error.detail)
        detail = "Check the address, or use the search to find the account." if error.status_code == 404 else ""
        return _error_page(request, error.status_code, title, detail)

    @console.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> HTMLResponse:
        log.exception("console request failed", extra={"path": request.url.path})
        return _error_page(request, 500, "Something went wrong", "The error was logged. Try again, or tell the Premia administrator.")


def _error_page(request: Request, status: int, title: str, detail: str, *, code: str | None = None) -> HTMLResponse:
    staff = getattr(request.state, "console_staff", None)
    return render(
        request,
        "error.html",
        staff=staff,
        status_code=status,
        page_title=title,
        title=title,
        detail=detail,
        code=code,
        status=status,
    )


def _current_path(request: Request) -> str:
    path = request.url.path.removeprefix(base_path(request)) or "/"
    return path + (f"?{request.url.query}" if request.url.query else "")
