"""Reads for the enrollment import pages, and the parts of an import report they show.

The other operations pages read through their areas: bill runs in ``premia.billing.queries``,
the delinquency worklist in ``premia.delinquency.worklist``, ACH files in
``premia.payments.queries`` and suspense suggestions in ``premia.payments.suggestions``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from premia.audit import service as audit
from premia.importers.enrollment.tables import ImportFile
from premia.infra.context import ServiceContext
from premia.kernel.errors import NotFoundError
from premia.payments.tables import AchEntry
from premia.staff.permissions import Permission


# NOTE: these two reads belong in premia.importers.enrollment, which has no read functions for
# its import history yet. Move them there when that package gains them.
def import_history(ctx: ServiceContext, *, limit: int = 100) -> list[ImportFile]:
    """Enrollment files received, newest first."""
    ctx.require(Permission.ENROLLMENT_IMPORT)
    return list(ctx.session.scalars(select(ImportFile).order_by(ImportFile.id.desc()).limit(limit)))


def import_file(ctx: ServiceContext, import_id: int) -> ImportFile:
    ctx.require(Permission.ENROLLMENT_IMPORT)
    row = ctx.session.get(ImportFile, import_id)
    if row is None:
        raise NotFoundError(
            code="import.not_found",
            message=f"No enrollment import has id {import_id}.",
            field="import_id",
            value=import_id,
            hint="Pick the file from the import history.",
        )
    audit.record(ctx, action="read", record_type="import_file", record_id=row.id, fields=["report", "acknowledgment"])
    return row


def report_sections(report: dict[str, Any] | None) -> dict[str, Any]:
    """Return the parts of a stored enrollment import report that the page shows, with empty lists for missing parts.

    Counts of zero are left out, because a report counts every kind of change and most are zero.
    """
    report = report or {}
    return {
        "counts": {name: value for name, value in (report.get("counts") or {}).items() if value},
        "rejections": report.get("rejections") or [],
        "warnings": report.get("warnings") or [],
        "discrepancies": report.get("discrepancies") or [],
        "rating_differences": report.get("rating_differences") or [],
        "acknowledgment_code": report.get("acknowledgment_code"),
    }


def segment_lines(x12_text: str | None) -> list[str]:
    """Split an X12 document into one segment per line, whether or not it was written with line breaks."""
    if not x12_text:
        return []
    return [segment.strip() + "~" for segment in x12_text.split("~") if segment.strip()]


# NOTE: the ACH file's own purpose column contains "draft" for retry and fee files as well, so the
# page reads the purposes of each file's entries. Drop this once AchFile.purpose is right.
def ach_file_purposes(ctx: ServiceContext, file_ids: list[int]) -> dict[int, list[str]]:
    """Return the distinct purposes of each file's entries (draft, retry, return_fee, refund), sorted."""
    ctx.require(Permission.AUTODRAFT_RUN)
    if not file_ids:
        return {}
    purposes: dict[int, list[str]] = {file_id: [] for file_id in file_ids}
    rows = ctx.session.execute(
        select(AchEntry.file_id, AchEntry.purpose)
        .where(AchEntry.file_id.in_(file_ids))
        .distinct()
        .order_by(AchEntry.file_id, AchEntry.purpose)
    )
    for file_id, purpose in rows:
        purposes[file_id].append(purpose)
    return purposes
