"""Domain errors: a stable code, the record and field at fault, and a hint for the fix."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass
class DomainError(Exception):
    """A business rule or input check failed.

    ``code`` is stable and machine-readable (for example ``account.routing_number_invalid``);
    interfaces map it to an exit status or an HTTP status in one place. ``record`` names the
    record at fault (``billing_account BA-000012``), ``field`` the field, ``value`` the offending
    value where it is safe to show, and ``hint`` tells the user what to do next.
    """

    code: str
    message: str
    record: str | None = None
    field: str | None = None
    value: Any = None
    hint: str | None = None
    details: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        parts = [self.message]
        if self.hint:
            parts.append(self.hint)
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        for key in ("record", "field", "hint"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.value is not None:
            data["value"] = str(self.value)
        if self.details:
            data["details"] = self.details
        return data


class ValidationError(DomainError):
    """Input that breaks a rule: a bad value, a missing field, a date out of range."""


class NotFoundError(DomainError):
    """A referenced record does not exist."""


class ConflictError(DomainError):
    """The change clashes with stored state: a duplicate, a stale version, a closed period."""


class PermissionDeniedError(DomainError):
    """The acting user's role does not grant the action."""


def invalid(code: str, message: str, **context: Any) -> ValidationError:
    return ValidationError(code=code, message=message, **context)


def version_conflict(
    *, code: str, record: str, stored_version: int, expected_version: int, hint: str
) -> ConflictError:
    """Build the error for an edit based on an older version of ``record`` than the one stored."""
    return ConflictError(
        code=code,
        message=f"{record} was changed by someone else (version {stored_version}, you edited {expected_version}).",
        record=record,
        field="version",
        value=expected_version,
        hint=hint,
    )
