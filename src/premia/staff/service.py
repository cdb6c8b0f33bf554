"""Use cases for staff users and their login sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from premia.staff.model import Actor
from premia.staff.permissions import Permission, Role
from premia.staff.tables import StaffSession, StaffUser

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()


def count_users(ctx: ServiceContext) -> int:
    return ctx.session.scalar(select(func.count(StaffUser.id))) or 0


def add_user(
    ctx: ServiceContext,
    *,
    username: str,
    display_name: str,
    role: Role | str,
    password: str,
    email: str | None = None,
) -> StaffUser:
    """Create a staff user with an Argon2 password hash. Only admins may add users."""
    ctx.require(Permission.STAFF_MANAGE)
    name = username.strip().lower()
    if not name or not name.replace(".", "").replace("_", "").replace("-", "").isalnum():
        raise ValidationError(
            code="staff.invalid_username",
            message=f"Username {username!r} is not valid.",
            field="username",
            value=username,
            hint="Use letters, digits, dots, dashes or underscores.",
        )
    try:
        role_value = Role(role)
    except ValueError as exc:
        raise ValidationError(
            code="staff.unknown_role",
            message=f"Role {role!r} does not exist.",
            field="role",
            value=role,
            hint="Roles: " + ", ".join(r.value for r in Role) + ".",
        ) from exc
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            code="staff.password_too_short",
            message=f"The password is shorter than {MIN_PASSWORD_LENGTH} characters.",
            field="password",
            hint=f"Choose a passphrase of at least {MIN_PASSWORD_LENGTH} characters.",
        )
    if ctx.session.scalar(select(StaffUser.id).where(StaffUser.username == name)):
        raise ConflictError(
            code="staff.duplicate_username",
            message=f"User {name} already exists.",
            field="username",
            value=name,
            hint="Choose another username.",
        )
    user = StaffUser(
        username=name,
        display_name=display_name.strip() or name,
        email=email,
        role=role_value.value,
        password_hash=_hasher.hash(password),
        active=True,
        created_at=ctx.now(),
    )
    ctx.session.add(user)
    ctx.session.flush()
    audit.record(ctx, action="create", record_type="staff_user", record_id=name, fields=["role"])
    return user


def authenticate(ctx: ServiceContext, *, username: str, password: str) -> StaffUser:
    """Check a username and password; the error never says which of the two was wrong."""
    user = ctx.session.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
    failure = PermissionDeniedError(
        code="staff.login_failed",
        message="The username or password is not correct.",
        field="password",
        hint="Check both and try again; ask an administrator to reset a forgotten password.",
    )
    if user is None or not user.active:
        # Hash anyway so that a missing user takes as long as a wrong password.
        _hasher.hash(password)
        raise failure
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError) as exc:
        raise failure from exc
    return user


def start_session(ctx: ServiceContext, user: StaffUser, *, kind: str = "cli", hours: int | None = None) -> str:
    """Create a login session and return its bearer token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    now = ctx.now()
    ctx.session.add(
        StaffSession(
            user_id=user.id,
            token_hash=hash_token(token),
            kind=kind,
            created_at=now,
            expires_at=now + timedelta(hours=hours or ctx.settings.session_hours),
        )
    )
    ctx.session.flush()
    audit.record(ctx, action="login", record_type="staff_user", record_id=user.username, detail={"kind": kind})
    return token


def actor_for_token(ctx: ServiceContext, token: str) -> Actor:
    """Resolve a bearer token to its user; expired, revoked or unknown tokens are rejected."""
    row = ctx.session.scalar(select(StaffSession).where(StaffSession.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= ctx.now():
        raise PermissionDeniedError(
            code="staff.session_invalid",
            message="You are not logged in, or your session has expired.",
            field="session",
            hint="Log in again with `premia login USERNAME`.",
        )
    user = ctx.session.get(StaffUser, row.user_id)
    if user is None or not user.active:
        raise NotFoundError(
            code="staff.user_inactive",
            message="The user of this session is no longer active.",
            field="session",
            hint="Ask an administrator to reactivate the user.",
        )
    return Actor(user_id=user.id, username=user.username, role=Role(user.role))


def end_session(ctx: ServiceContext, token: str) -> None:
    row = ctx.session.scalar(select(StaffSession).where(StaffSession.token_hash == hash_token(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = ctx.now()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def list_users(ctx: ServiceContext) -> list[StaffUser]:
    ctx.require(Permission.STAFF_MANAGE)
    return list(ctx.session.scalars(select(StaffUser).order_by(StaffUser.username)).all())


def session_expiry(ctx: ServiceContext, token: str) -> datetime:
    row = ctx.session.scalar(select(StaffSession).where(StaffSession.token_hash == hash_token(token)))
    if row is None:
        raise NotFoundError(code="staff.session_invalid", message="Unknown session.", field="session")
    return row.expires_at
