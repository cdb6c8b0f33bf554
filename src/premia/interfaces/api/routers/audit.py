"""GET /audit: who read or changed which record, for auditors."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel

from premia.audit import service as audit_service
from premia.interfaces.api.deps import Context, requires
from premia.interfaces.api.errors import problems
from premia.staff.permissions import Permission

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEntryOut(BaseModel):
    id: int
    occurred_at: datetime
    username: str
    role: str
    channel: str
    action: str
    record_type: str
    record_id: str
    fields: list[str] | None


@router.get("", response_model=list[AuditEntryOut], responses=problems(422), dependencies=[requires(Permission.AUDIT_READ)])
def list_audit(
    ctx: Context,
    record_type: str | None = None,
    record_id: str | None = None,
    username: str | None = None,
    since: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEntryOut]:
    """Audit rows, newest first, by record or by user."""
    entries = audit_service.list_entries(ctx, record_type=record_type, record_id=record_id, username=username, since=since, limit=limit)
    return [AuditEntryOut.model_validate(entry, from_attributes=True) for entry in entries]
