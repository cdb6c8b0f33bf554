"""The context every service call receives: the session, the acting user, a clock, settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from premia.infra.crypto import FieldCipher
from premia.infra.settings import Settings
from premia.kernel.clock import Clock
from premia.staff.model import Actor
from premia.staff.permissions import Permission, require


@dataclass
class ServiceContext:
    """One unit of work on behalf of one actor.

    ``channel`` records where the request came from (cli, api, console, batch) in the audit
    log. The session's transaction belongs to the caller: services flush, they never commit.
    """

    session: Session
    actor: Actor
    clock: Clock
    settings: Settings
    channel: str = "cli"
    extras: dict[str, object] = field(default_factory=dict)

    def require(self, permission: Permission) -> None:
        require(self.actor.role, permission, username=self.actor.username)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        """Today's carrier-local date, for checks such as a birth date in the future."""
        return self.clock.now().astimezone(ZoneInfo(self.settings.time_zone)).date()

    @cached_property
    def cipher(self) -> FieldCipher:
        return FieldCipher(self.settings.require_encryption_key())
