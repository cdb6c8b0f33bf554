"""Jinja2 templates, the values every page receives, flash messages and redirects."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from premia.interfaces.console import formatting
from premia.interfaces.console.sessions import (
    CSRF_FIELD,
    CSRF_HEADER,
    FLASH_COOKIE,
    SESSION_COOKIE,
    open_value,
    seal_session,
    seal_value,
)
from premia.interfaces.console.web import Staff, console_config, host_clock, host_settings
from premia.kernel.clock import today_in
from premia.staff.permissions import Permission

TEMPLATES_DIR = Path(__file__).parent / "templates"
_FLASH_PURPOSE = "flash"
BACKGROUND_HEADER = "X-Console-Background"


def _form_key() -> str:
    """Return a random key for one rendered form, so that submitting it twice posts once."""
    return secrets.token_urlsafe(16)


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        money=formatting.money,
        money_text=formatting.money_text,
        day=formatting.day,
        month=formatting.month_label,
        label=formatting.label,
        tone=formatting.tone,
        percent=formatting.percent,
        phone=formatting.phone_number,
        duration=formatting.duration,
        period=formatting.period_label,
        memo=formatting.memo,
    )
    environment.globals.update(payment_method_note=formatting.payment_method_note, Permission=Permission, csrf_field=CSRF_FIELD, csrf_header=CSRF_HEADER, form_key=_form_key)
    return environment


TEMPLATES = _environment()


def base_path(request: Request) -> str:
    """Return the console's URL prefix, such as ``/console``, however the app is mounted."""
    return request.scope.get("root_path", "").rstrip("/")


def render(
    request: Request,
    template: str,
    *,
    staff: Staff | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a template with the values every page uses (staff, flash message, dates in the carrier's zone)."""
    settings = host_settings(request)
    time_zone = settings.time_zone
    values = {
        "request": request,
        "staff": staff,
        "base": base_path(request),
        "flash": _read_flash(request),
        "carrier_name": settings.carrier_name or "Premia",
        "when": lambda value, blank="\u2014": formatting.moment(value, time_zone, blank=blank),
        "nav": context.pop("nav", ""),
        "page_title": context.pop("page_title", "Premia"),
        "today": _today(request),
        **context,
    }
    html = TEMPLATES.get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code)
    if values["flash"] is not None:
        response.delete_cookie(FLASH_COOKIE, path=base_path(request) or "/")
    return response


def redirect(request: Request, path: str, *, flash: str | None = None) -> RedirectResponse:
    """Send the browser to a console page after a change (post, redirect, get)."""
    response = RedirectResponse(base_path(request) + path, status_code=303)
    if flash:
        config = console_config(request)
        response.set_cookie(
            FLASH_COOKIE,
            seal_value(config.key, _FLASH_PURPOSE, flash),
            path=base_path(request) or "/",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
    return response


def refresh_session_cookie(request: Request, response: Response) -> None:
    """Move the session cookie's last-request time to now, which is what keeps it from idling out.

    Requests a page makes by itself (``X-Console-Background``, such as the SLA warnings that
    refresh every two minutes) are not activity, so they leave the time as it was.
    """
    token = getattr(request.state, "console_token", None)
    if token is None or request.headers.get(BACKGROUND_HEADER):
        return
    config = console_config(request)
    set_session_cookie(request, response, seal_session(config.key, token, host_clock(request).now()))


def set_session_cookie(request: Request, response: Response, value: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        path=base_path(request) or "/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _read_flash(request: Request) -> str | None:
    return open_value(console_config(request).key, _FLASH_PURPOSE, request.cookies.get(FLASH_COOKIE))


def _today(request: Request) -> date:
    return today_in(host_clock(request), host_settings(request).time_zone)
