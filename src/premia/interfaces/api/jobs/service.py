"""Use cases of the job resource: submit an upload, read a job, list jobs, retry a failed one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.interfaces.api.jobs.files import StoredUpload
from premia.interfaces.api.jobs.model import JobKind, JobStatus
from premia.interfaces.api.tables import ApiJob
from premia.kernel.errors import ConflictError, NotFoundError
from premia.staff.permissions import allows

RECORD_TYPE = "api_job"


def submit_job(
    ctx: ServiceContext, *, kind: JobKind, upload: StoredUpload, file_name: str, options: dict[str, Any]
) -> ApiJob:
    """Queue an import of a stored upload, to run as the current user."""
    _require_kind(ctx, kind)
    job = ApiJob(
        kind=kind.value,
        status=JobStatus.QUEUED.value,
        file_name=(file_name or "upload")[:256],
        file_path=upload.relative_path,
        file_sha256=upload.sha256,
        size_bytes=upload.size_bytes,
        options=options,
        submitted_user_id=ctx.actor.user_id,
        submitted_by=ctx.actor.username,
        submitted_role=str(ctx.actor.role),
        attempts=0,
        created_at=ctx.now(),
    )
    ctx.session.add(job)
    ctx.session.flush()
    audit.record(
        ctx,
        action="upload",
        record_type=RECORD_TYPE,
        record_id=job.id,
        detail={"kind": kind.value, "file": job.file_name, "sha256": upload.sha256, "bytes": upload.size_bytes},
    )
    return job


def get_job(ctx: ServiceContext, job_id: int) -> ApiJob:
    """Load a job of a kind the user's role may import."""
    job = ctx.session.get(ApiJob, job_id)
    if job is None:
        raise NotFoundError(
            code="api.job_not_found",
            message=f"No job has id {job_id}.",
            field="job_id",
            value=job_id,
            hint="List jobs with GET /api/v1/jobs.",
        )
    _require_kind(ctx, JobKind(job.kind))
    return job


def jobs_query(ctx: ServiceContext, *, kind: JobKind | None = None, status: JobStatus | None = None) -> Select[Any]:
    """Jobs of the kinds the user's role may import, optionally of one kind or status."""
    visible = [value.value for value in JobKind if all(allows(ctx.actor.role, permission) for permission in value.permissions)]
    query = select(ApiJob).where(ApiJob.kind.in_(visible))
    if kind is not None:
        _require_kind(ctx, kind)
        query = query.where(ApiJob.kind == kind.value)
    if status is not None:
        query = query.where(ApiJob.status == status.value)
    return query


def retry_job(ctx: ServiceContext, job_id: int) -> ApiJob:
    """Queue a failed job again; its importer skips whatever the failed run had already applied."""
    job = get_job(ctx, job_id)
    if JobStatus(job.status) is not JobStatus.FAILED:
        raise ConflictError(
            code="api.job_not_retryable",
            message=f"Job {job.id} is {job.status}; only a failed job can be retried.",
            record=f"api_job {job.id}",
            field="status",
            value=job.status,
            hint="Wait for a queued or running job to finish; a succeeded job has nothing left to do.",
        )
    job.status = JobStatus.QUEUED.value
    job.worker = None
    job.finished_at = None
    ctx.session.flush()
    audit.record(ctx, action="retry", record_type=RECORD_TYPE, record_id=job.id, detail={"kind": job.kind})
    return job


def _require_kind(ctx: ServiceContext, kind: JobKind) -> None:
    for permission in kind.permissions:
        ctx.require(permission)
