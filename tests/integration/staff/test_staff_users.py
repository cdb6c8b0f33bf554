"""Staff users: Argon2 password hashes, authentication, and who may add users."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text

from premia.audit.tables import AuditEntry
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, DomainError, PermissionDeniedError, ValidationError
from premia.staff import service as staff
from premia.staff.permissions import Role
from premia.staff.service import _hasher as PRODUCTION_HASHER
from premia.staff.tables import StaffUser
from tests.conftest import make_context

pytestmark = pytest.mark.database


def test_production_hash_cost() -> None:
    # The OWASP Password Storage Cheat Sheet (2023 edition) sets argon2id's minimum at 19 MiB and 2 iterations.
    assert PRODUCTION_HASHER.type.name == "ID"
    assert PRODUCTION_HASHER.memory_cost >= 19 * 1024
    assert PRODUCTION_HASHER.time_cost >= 2


def test_add_user_stores_hash(ctx: ServiceContext, password: str) -> None:
    user = staff.add_user(ctx, username=" Casey.Service ", display_name="Casey Service", role="csr", password=password)

    (raw,) = [dict(row._mapping) for row in ctx.session.execute(text("SELECT * FROM staff_users"))]
    assert user.username == "casey.service"
    assert user.role == "csr"
    assert user.active
    assert raw["password_hash"].startswith("$argon2id$")
    assert password not in json.dumps(raw, default=str)
    assert PasswordHasher().verify(raw["password_hash"], password)


def test_add_user_audited(ctx: ServiceContext, password: str) -> None:
    staff.add_user(ctx, username="casey", display_name="", role=Role.CSR, password=password)

    entry = ctx.session.scalar(select(AuditEntry).where(AuditEntry.record_type == "staff_user"))
    assert entry is not None
    assert entry.action == "create"
    assert entry.record_id == "casey"
    assert entry.fields == ["role"]
    assert entry.username == "tester"


def test_display_name_defaults_to_username(ctx: ServiceContext, password: str) -> None:
    user = staff.add_user(ctx, username="casey", display_name="  ", role=Role.CSR, password=password)

    assert user.display_name == "casey"


def test_only_admin_adds_users(ctx: ServiceContext, password: str) -> None:
    supervisor = make_context(ctx.session, role=Role.SUPERVISOR, username="sam")

    with pytest.raises(PermissionDeniedError) as caught:
        staff.add_user(supervisor, username="casey", display_name="", role=Role.CSR, password=password)

    assert "staff.manage" in caught.value.message


def test_short_password_rejected(ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError) as caught:
        staff.add_user(ctx, username="casey", display_name="", role=Role.CSR, password="tooshort")

    assert caught.value.code == "staff.password_too_short"
    assert caught.value.field == "password"
    assert caught.value.value is None
    assert "tooshort" not in str(caught.value)


@pytest.mark.parametrize("username", ["", "casey service", "casey@example", "casey;drop"])
def test_invalid_username(ctx: ServiceContext, password: str, username: str) -> None:
    with pytest.raises(ValidationError) as caught:
        staff.add_user(ctx, username=username, display_name="", role=Role.CSR, password=password)

    assert caught.value.code == "staff.invalid_username"
    assert caught.value.field == "username"
    assert caught.value.value == username


def test_unknown_role(ctx: ServiceContext, password: str) -> None:
    with pytest.raises(ValidationError) as caught:
        staff.add_user(ctx, username="casey", display_name="", role="root", password=password)

    assert caught.value.code == "staff.unknown_role"
    assert caught.value.field == "role"
    assert caught.value.value == "root"


def test_duplicate_username(ctx: ServiceContext, stored_user: Callable[..., StaffUser], password: str) -> None:
    stored_user("casey")

    with pytest.raises(ConflictError) as caught:
        staff.add_user(ctx, username="CASEY", display_name="", role=Role.CSR, password=password)

    assert caught.value.code == "staff.duplicate_username"
    assert caught.value.value == "casey"


def test_authenticate_right_password(
    ctx: ServiceContext, stored_user: Callable[..., StaffUser], password: str
) -> None:
    stored = stored_user("casey")

    user = staff.authenticate(ctx, username=" Casey ", password=password)

    assert user.id == stored.id


def _login_error(ctx: ServiceContext, username: str, password: str) -> DomainError:
    with pytest.raises(PermissionDeniedError) as caught:
        staff.authenticate(ctx, username=username, password=password)
    return caught.value


def test_wrong_password_rejected(ctx: ServiceContext, stored_user: Callable[..., StaffUser], password: str) -> None:
    stored_user("casey")

    error = _login_error(ctx, "casey", password + "!")

    assert error.code == "staff.login_failed"
    assert password not in str(error)


def test_unknown_user_same_error(ctx: ServiceContext, stored_user: Callable[..., StaffUser], password: str) -> None:
    stored_user("casey")

    wrong_password = _login_error(ctx, "casey", "not the password at all")
    unknown_user = _login_error(ctx, "nobody", password)

    assert unknown_user.as_dict() == wrong_password.as_dict()
    assert "nobody" not in unknown_user.message


def test_inactive_user_same_error(ctx: ServiceContext, stored_user: Callable[..., StaffUser], password: str) -> None:
    stored_user("casey", active=False)

    error = _login_error(ctx, "casey", password)

    assert error.code == "staff.login_failed"


def test_corrupt_hash_is_login_failure(
    ctx: ServiceContext, stored_user: Callable[..., StaffUser], password: str
) -> None:
    stored_user("casey").password_hash = "not-an-argon2-hash"

    assert _login_error(ctx, "casey", password).code == "staff.login_failed"


def test_list_users_sorted(ctx: ServiceContext, stored_user: Callable[..., StaffUser]) -> None:
    stored_user("quinn", Role.BILLING)
    stored_user("avery", Role.AUDITOR)

    assert [user.username for user in staff.list_users(ctx)] == ["avery", "quinn"]
    assert staff.count_users(ctx) == 2


def test_list_users_needs_admin(ctx: ServiceContext) -> None:
    with pytest.raises(PermissionDeniedError):
        staff.list_users(make_context(ctx.session, role=Role.AUDITOR))
