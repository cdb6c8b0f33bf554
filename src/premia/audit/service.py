"""Write and read the audit log.

Every service that reads or changes member data calls :func:`record` inside its own
transaction, so the audit row commits or rolls back with the change it describes. Rows name
fields, never their values, so the log itself holds no SSN or bank number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from premia.audit.tables import AuditEntry
from premia.infra.context import ServiceContext
from premia.staff.permissions import Permission


def record(
    ctx: ServiceContext,
    *,
    action: str,
    record_type: str,
    record_id: str | int,
    fields: Iterable[str] | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit row for ``action`` on ``record_type``/``record_id`` by the context's actor."""
    entry = AuditEntry(
        occurred_at=ctx.now(),
        user_id=ctx.actor.user_id,
        username=ctx.actor.username,
        role=str(ctx.actor.role),
        channel=ctx.channel,
        action=action,
        record_type=record_type,
        record_id=str(record_id),
        fields=sorted(set(fields)) if fields is not None else None,
        detail=detail,
    )
    ctx.session.add(entry)
    return entry


def list_entries(
    ctx: ServiceContext,
    *,
    record_type: str | None = None,
    record_id: str | None = None,
    username: str | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> Sequence[AuditEntry]:
    """List audit rows by record or by user, newest first. Auditors and admins only."""
    ctx.require(Permission.AUDIT_READ)
    query = select(AuditEntry).order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc()).limit(limit)
    if record_type:
        query = query.where(AuditEntry.record_type == record_type)
    if record_id:
        query = query.where(AuditEntry.record_id == record_id)
    if username:
        query = query.where(AuditEntry.username == username)
    if since:
        query = query.where(AuditEntry.occurred_at >= since)
    return ctx.session.scalars(query).all()
