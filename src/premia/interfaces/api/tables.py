"""Tables of the HTTP API: stored responses of idempotent POSTs, and background import jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, BigId, UtcDateTime


class IdempotentResponse(Base):
    __tablename__ = "api_idempotent_responses"
    __table_args__ = (UniqueConstraint("username", "idempotency_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(128))
    method_path: Mapped[str] = mapped_column(String(256))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class ApiJob(Base):
    """An uploaded file waiting for, or processed by, the background import runner.

    ``file_path`` is relative to the jobs folder. The uploader's user id, name and role are
    kept so the runner imports with their identity. ``heartbeat_at`` is refreshed while the
    job runs; a running job whose heartbeat is old was left by a stopped process and is
    queued again. ``attempts`` counts runs started, so a rerun can resume where the last
    one stopped. ``output_path`` names a file the import wrote back, such as an 834's 999.
    """

    __tablename__ = "api_jobs"
    __table_args__ = (Index("ix_api_jobs_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(256))
    file_path: Mapped[str] = mapped_column(String(512))
    file_sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    output_path: Mapped[str | None] = mapped_column(String(512))
    submitted_user_id: Mapped[int | None] = mapped_column(Integer)
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_role: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
