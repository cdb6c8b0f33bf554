"""Tables that record every enrollment file received, so no interchange is applied twice.

A row exists for each file that reached the importer, including files whose envelope was
rejected. The unique indexes cover only files that were applied (in whole or in part): a
rejected file changed nothing, so a corrected file may reuse its interchange control number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from premia.infra.db import Base, UtcDateTime

_APPLIED = text("status <> 'rejected'")


class ImportFile(Base):
    """One received file: who sent it, its content hash, what happened, the report and the 999.

    ``sender_id`` is ISA06 and ``control_number`` ISA13; both are None when the file has no
    readable ISA segment. ``applied_through`` counts the members whose batch has committed,
    so an import stopped part-way resumes after them instead of applying them again.
    """

    __tablename__ = "import_files"
    __table_args__ = (
        Index(
            "uq_import_files_kind_content_hash",
            "kind",
            "content_hash",
            unique=True,
            sqlite_where=_APPLIED,
            postgresql_where=_APPLIED,
        ),
        Index(
            "uq_import_files_kind_sender_control",
            "kind",
            "sender_id",
            "control_number",
            unique=True,
            sqlite_where=_APPLIED,
            postgresql_where=_APPLIED,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(256))
    content_hash: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sender_qualifier: Mapped[str | None] = mapped_column(String(2))
    sender_id: Mapped[str | None] = mapped_column(String(15))
    control_number: Mapped[str | None] = mapped_column(String(9))
    status: Mapped[str] = mapped_column(String(24), index=True)
    members_received: Mapped[int] = mapped_column(Integer, default=0)
    members_applied: Mapped[int] = mapped_column(Integer, default=0)
    members_rejected: Mapped[int] = mapped_column(Integer, default=0)
    applied_through: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, int] | None] = mapped_column(JSON)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    acknowledgment: Mapped[str | None] = mapped_column(Text)
    imported_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
