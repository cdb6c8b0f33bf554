"""Request plumbing shared by every console view: the host app's database and clock, the
logged-in staff member, the CSRF check on submitted forms, and the unit of work."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import UploadFile

from premia.infra.context import ServiceContext
from premia.infra.settings import Settings
from premia.interfaces.console.forms import FormFields
from premia.interfaces.console.sessions import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    CookieProblem,
    CookieRejection,
    csrf_matches,
    csrf_token,
    open_session,
)
from premia.kernel.clock import Clock
from premia.kernel.errors import DomainError
from premia.staff import service as staff_service
from premia.staff.model import Actor
from premia.staff.permissions import Permission, allows
from premia.staff.tables import StaffUser

log = logging.getLogger("premia.console")
CHANNEL = "console"


@dataclass(frozen=True)
class ConsoleConfig:
    """Settings of the mounted console: the idle time-out and the key that signs its cookies."""

    idle_timeout: timedelta
    key: bytes


@dataclass(frozen=True)
class Staff:
    """The staff member behind a request, with the session token and its CSRF token."""

    token: str
    actor: Actor
    display_name: str
    csrf: str

    def can(self, permission: Permission | str) -> bool:
        return allows(self.actor.role, Permission(permission))


@dataclass(frozen=True)
class Submission:
    """A form posted by a logged-in staff member whose CSRF token matched."""

    staff: Staff
    form: FormFields


class LoginRequired(Exception):
    """The request has no valid console session; ``reason``, when not empty, is shown on the login page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CsrfRejected(Exception):
    """A form was posted without the session's CSRF token."""


def host_settings(request: Request) -> Settings:
    return request.app.state.host.state.settings


def host_clock(request: Request) -> Clock:
    return request.app.state.host.state.clock


def console_config(request: Request) -> ConsoleConfig:
    return request.app.state.console


def _session_factory(request: Request) -> sessionmaker[Session]:
    return request.app.state.host.state.session_factory


@contextmanager
def unit_of_work(request: Request, actor: Actor) -> Iterator[ServiceContext]:
    """Open one transaction on behalf of ``actor``, committed on success and rolled back on any error."""
    with _session_factory(request)() as session, session.begin():
        yield ServiceContext(
            session=session,
            actor=actor,
            clock=host_clock(request),
            settings=host_settings(request),
            channel=CHANNEL,
        )


def current_staff(request: Request) -> Staff:
    """Resolve the session cookie to a staff member, or raise :class:`LoginRequired`.

    A session idle for longer than the time-out is ended in the database as well, so the
    token cannot be used again even with an older cookie.
    """
    config = console_config(request)
    now = host_clock(request).now()
    opened = open_session(config.key, request.cookies.get(SESSION_COOKIE), now=now, idle_timeout=config.idle_timeout)
    if isinstance(opened, CookieRejection):
        if opened.token is not None:
            _end_session(request, opened.token)
            minutes = int(config.idle_timeout.total_seconds() // 60)
            raise LoginRequired(f"You were signed out after {minutes} minutes without activity.")
        raise LoginRequired("" if opened.problem is CookieProblem.MISSING else "Your session is not valid; please sign in again.")
    try:
        with unit_of_work(request, Actor.system("console")) as ctx:
            actor = staff_service.actor_for_token(ctx, opened.token)
            user = ctx.session.get(StaffUser, actor.user_id)
            display_name = user.display_name if user else actor.username
    except DomainError as error:
        raise LoginRequired("Your session has ended; please sign in again.") from error
    staff = Staff(token=opened.token, actor=actor, display_name=display_name, csrf=csrf_token(config.key, opened.token))
    request.state.console_token = opened.token
    request.state.console_staff = staff
    return staff


CurrentStaff = Annotated[Staff, Depends(current_staff)]


async def submission(request: Request, staff: CurrentStaff) -> Submission:
    """Read a posted form and check its CSRF token (form field or ``X-CSRF-Token`` header)."""
    fields = await read_form(request)
    submitted = request.headers.get(CSRF_HEADER) or fields.text(CSRF_FIELD)
    if not csrf_matches(console_config(request).key, staff.token, submitted):
        log.warning("console form rejected: CSRF token missing or wrong", extra={"path": request.url.path, "username": staff.actor.username})
        raise CsrfRejected()
    return Submission(staff=staff, form=fields)


Posted = Annotated[Submission, Depends(submission)]


async def read_form(request: Request) -> FormFields:
    form = await request.form()
    items: list[tuple[str, Any]] = [(name, "" if isinstance(value, UploadFile) else value) for name, value in form.multi_items()]
    return FormFields.of(items)


def _end_session(request: Request, token: str) -> None:
    with unit_of_work(request, Actor.system("console")) as ctx:
        staff_service.end_session(ctx, token)
