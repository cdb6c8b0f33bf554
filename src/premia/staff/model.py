"""The acting user as services see it."""

from __future__ import annotations

from dataclasses import dataclass

from premia.staff.permissions import Role


@dataclass(frozen=True)
class Actor:
    """Who performs an action: a staff user, an API client, or a batch job run by one."""

    user_id: int | None
    username: str
    role: Role

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The actor for maintenance run outside any login, such as the first admin's creation."""
        return cls(user_id=None, username=name, role=Role.ADMIN)
