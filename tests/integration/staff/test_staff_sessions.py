"""Login sessions: bearer tokens stored only as hashes, and expired or revoked tokens rejected."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from premia.audit.tables import AuditEntry
from premia.infra.context import ServiceContext
from premia.kernel.errors import NotFoundError, PermissionDeniedError
from premia.staff import service as staff
from premia.staff.permissions import Role
from premia.staff.tables import StaffSession, StaffUser
from tests.conftest import make_context

pytestmark = pytest.mark.database

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_token_stored_only_as_hash(ctx: ServiceContext, stored_user: Callable[..., StaffUser]) -> None:
    token = staff.start_session(ctx, stored_user("casey"))

    (raw,) = [dict(row._mapping) for row in ctx.session.execute(text("SELECT * FROM staff_sessions"))]
    assert raw["token_hash"] == hashlib.sha256(token.encode("utf-8")).hexdigest()
    assert token not in json.dumps(raw, default=str)
    assert len(token) >= 40


def test_tokens_differ(ctx: ServiceContext, stored_user: Callable[..., StaffUser]) -> None:
    user = stored_user("casey")

    assert staff.start_session(ctx, user) != staff.start_session(ctx, user)


def test_session_lasts_configured_hours(ctx: ServiceContext, stored_user: Callable[..., StaffUser]) -> None:
    staff.start_session(ctx, stored_user("casey"), kind="console", hours=2)

    row = ctx.session.scalar(select(StaffSession))
    assert row is not None
    assert row.kind == "console"
    assert row.created_at == START
    assert row.expires_at == START + timedelta(hours=2)


def test_token_resolves_actor(ctx: ServiceContext, stored_user: Callable[..., StaffUser]) -> None:
    user = stored_user("casey", Role.CSR)
    token = staff.start_session(ctx, user)

    actor = staff.actor_for_token(ctx, token)

    assert actor.user_id == user.id
    assert actor.username == "casey"
    assert actor.role is Role.CSR


def test_login_audited(ctx: ServiceContext, stored_user: Callable[..., StaffUser]) -> None:
    staff.start_session(ctx, stored_user("casey"), kind="cli")

    entry = ctx.session.scalar(select(AuditEntry).where(AuditEntry.action == "login"))
    assert entry is not None
    assert entry.record_id == "casey"
    assert entry.detail == {"kind": "cli"}


def test_valid_until_expiry(
    ctx: ServiceContext, stored_user: Callable[..., StaffUser]
) -> None:
    token = staff.start_session(ctx, stored_user("casey"), hours=12)

    # 12 hours less one second after 15:00Z is still inside the session.
    almost = make_context(ctx.session, instant=START + timedelta(hours=12) - timedelta(seconds=1))

    assert staff.actor_for_token(almost, token).username == "casey"


def test_expired_token_rejected(
    ctx: ServiceContext, stored_user: Callable[..., StaffUser]
) -> None:
    token = staff.start_session(ctx, stored_user("casey"), hours=12)
    later = make_context(ctx.session, instant=START + timedelta(hours=12))

    with pytest.raises(PermissionDeniedError) as caught:
        staff.actor_for_token(later, token)

    assert caught.value.code == "staff.session_invalid"
    assert "premia login" in (caught.value.hint or "")


def test_default_length_from_settings(
    ctx: ServiceContext, stored_user: Callable[..., StaffUser]
) -> None:
    token = staff.start_session(ctx, stored_user("casey"))

    hours = ctx.settings.session_hours
    with pytest.raises(PermissionDeniedError):
        staff.actor_for_token(make_context(ctx.session, instant=START + timedelta(hours=hours)), token)


def test_revoked_token_rejected(ctx: ServiceContext, stored_user: Callable[..., StaffUser]) -> None:
    token = staff.start_session(ctx, stored_user("casey"))

    staff.end_session(ctx, token)

    with pytest.raises(PermissionDeniedError) as caught:
        staff.actor_for_token(ctx, token)
    assert caught.value.code == "staff.session_invalid"


def test_unknown_token_rejected(ctx: ServiceContext) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        staff.actor_for_token(ctx, "made-up-token")

    assert caught.value.code == "staff.session_invalid"


def test_deactivated_user_token_rejected(ctx: ServiceContext, stored_user: Callable[..., StaffUser]) -> None:
    user = stored_user("casey")
    token = staff.start_session(ctx, user)
    user.active = False

    with pytest.raises(NotFoundError) as caught:
        staff.actor_for_token(ctx, token)

    assert caught.value.code == "staff.user_inactive"


def test_end_unknown_session_is_harmless(ctx: ServiceContext) -> None:
    staff.end_session(ctx, "made-up-token")

    assert ctx.session.execute(text("SELECT count(*) FROM staff_sessions")).scalar() == 0
