"""Staff users and a cheap Argon2 hasher, so that password tests take milliseconds.

The cheap hasher keeps the algorithm (argon2id) and lowers only time and memory cost. A
separate test checks the cost parameters Premia uses in production.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from argon2 import PasswordHasher

from premia.infra.context import ServiceContext
from premia.staff import service as staff_service
from premia.staff.permissions import Role
from premia.staff.tables import StaffUser

PASSWORD = "correct horse battery staple"


CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff_service, "_hasher", CHEAP_HASHER)


@pytest.fixture(scope="session")
def password_hash() -> str:
    return CHEAP_HASHER.hash(PASSWORD)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def stored_user(ctx: ServiceContext, password_hash: str) -> Callable[..., StaffUser]:
    """Insert a staff user whose password is ``PASSWORD``."""

    def build(username: str = "casey", role: Role = Role.CSR, *, active: bool = True) -> StaffUser:
        user = StaffUser(
            username=username,
            display_name=username.title(),
            role=role.value,
            password_hash=password_hash,
            active=active,
            created_at=ctx.now(),
        )
        ctx.session.add(user)
        ctx.session.flush()
        return user

    return build

