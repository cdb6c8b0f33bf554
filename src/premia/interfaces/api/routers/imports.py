"""File imports as background jobs: POST /imports/{kind} stores the file and returns a job to poll.

Kinds: 834 enrollment, 820 remittance, NACHA returns, BAI2 and camt bank statements, lockbox
batches and the claims status feed. The upload returns 202 with the job at once; GET
/jobs/{id} shows its status (queued, running, succeeded, failed), the import report and,
for a file rejected as a whole, the importer's problems.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlalchemy import event
from sqlalchemy.orm import Session

from premia.interfaces.api.deps import Context, IdempotencyKey, idempotent, requires, requires_any
from premia.interfaces.api.errors import problems
from premia.interfaces.api.jobs import service as jobs
from premia.interfaces.api.jobs.files import JobFiles
from premia.interfaces.api.jobs.model import IMPORT_PERMISSIONS, JobKind, JobStatus
from premia.interfaces.api.paging import Cursor, Limit, Page, keyset_page
from premia.interfaces.api.schemas.common import ApiDate, IdPath
from premia.interfaces.api.tables import ApiJob
from premia.kernel.errors import NotFoundError

imports_router = APIRouter(prefix="/imports", tags=["imports"])
jobs_router = APIRouter(prefix="/jobs", tags=["imports"])

KIND_SUMMARIES = {
    JobKind.ENROLLMENT_834: "Import an X12 834 enrollment file",
    JobKind.REMITTANCE_820: "Import an X12 820 payment file (Exchange or employer)",
    JobKind.NACHA_RETURNS: "Import a NACHA file of ACH returns and notifications of change",
    JobKind.BAI2: "Import a BAI2 bank statement",
    JobKind.CAMT: "Import a camt.052, camt.053 or camt.054 bank statement",
    JobKind.LOCKBOX: "Import a lockbox batch (CSV)",
    JobKind.CLAIMS: "Import the claims status feed (CSV)",
}


class JobOptions(BaseModel):
    as_of: date | None = Field(default=None, description="Business date of the import; the carrier's today when null.")
    lenient_isa: bool = Field(default=False, description="834 and 820: read an ISA segment not padded to 106 characters.")


class JobError(BaseModel):
    """Why a job failed: the importer's error code, message, field and hint, and the problems it listed."""

    code: str
    message: str
    record: str | None = None
    field: str | None = None
    value: str | None = None
    hint: str | None = None
    details: dict[str, Any] | None = None
    problems: list[dict[str, Any]] | None = None


class JobOut(BaseModel):
    job_id: int
    kind: JobKind
    status: JobStatus
    file_name: str
    file_sha256: str
    size_bytes: int
    options: JobOptions
    submitted_by: str
    attempts: int = Field(description="Runs started; a rerun after a crash or retry adds one.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None = Field(description="The importer's report once the job has run.")
    error: JobError | None
    output_url: str | None = Field(description="Reply file the import wrote, such as an 834's 999 acknowledgment.")


def job_out(job: ApiJob) -> JobOut:
    return JobOut(
        job_id=job.id,
        kind=JobKind(job.kind),
        status=JobStatus(job.status),
        file_name=job.file_name,
        file_sha256=job.file_sha256,
        size_bytes=job.size_bytes,
        options=JobOptions.model_validate(job.options or {}),
        submitted_by=job.submitted_by,
        attempts=job.attempts,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        result=job.result,
        error=JobError.model_validate(job.error) if job.error else None,
        output_url=f"/api/v1/jobs/{job.id}/output" if job.output_path else None,
    )


def _wake_runner(request: Request) -> Callable[[Session], None]:
    def wake(_: Session) -> None:
        runner = getattr(request.app.state, "job_runner", None)
        if runner is not None:
            runner.wake()

    return wake


def _upload_route(kind: JobKind) -> Callable[..., Any]:
    def upload(
        request: Request,
        ctx: Context,
        file: Annotated[UploadFile, File(description="The file as received from the sender.")],
        as_of: Annotated[ApiDate | None, Form(description="Business date of the import; today when omitted.")] = None,
        lenient_isa: Annotated[bool, Form(description="834 and 820: accept an ISA segment not padded to 106 characters.")] = False,
        idempotency_key: IdempotencyKey = None,
    ) -> Any:
        files: JobFiles = request.app.state.job_files
        file_name = file.filename or f"upload.{kind.value}"
        stored = files.save_upload(file.file, file_name=file_name)
        options = JobOptions(as_of=as_of, lenient_isa=lenient_isa).model_dump(mode="json")
        payload = {"kind": kind.value, "sha256": stored.sha256, "file_name": file_name, "options": options}

        def handler() -> tuple[int, Any]:
            job = jobs.submit_job(ctx, kind=kind, upload=stored, file_name=file_name, options=options)
            # The runner must only look once the job row is committed.
            event.listen(ctx.session, "after_commit", _wake_runner(request), once=True)
            return 202, job_out(job)

        try:
            response = idempotent(ctx, request, idempotency_key, payload, handler)
        except BaseException:
            files.discard(stored.relative_path)
            raise
        if response.headers.get("Idempotent-Replayed"):
            files.discard(stored.relative_path)
        return response

    upload.__name__ = f"import_{kind.name.lower()}"
    upload.__doc__ = (
        "Store the file and queue its import; returns 202 with the job to poll at GET /jobs/{job_id}. "
        "The same file imported twice changes nothing the second time."
    )
    return upload


for _kind in JobKind:
    imports_router.add_api_route(
        f"/{_kind.value.replace('_', '-')}",
        _upload_route(_kind),
        methods=["POST"],
        status_code=202,
        response_model=JobOut,
        summary=KIND_SUMMARIES[_kind],
        dependencies=[requires(*_kind.permissions)],
        responses=problems(409, 413, 422),
    )


@jobs_router.get("", response_model=Page[JobOut], responses=problems(422), dependencies=[requires_any(*IMPORT_PERMISSIONS)])
def list_jobs(
    ctx: Context,
    kind: JobKind | None = None,
    status: JobStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[JobOut]:
    """List jobs of the kinds your role may import, oldest first."""
    rows, next_cursor = keyset_page(ctx, jobs.jobs_query(ctx, kind=kind, status=status), ApiJob.id, limit=limit, cursor=cursor)
    return Page[JobOut](items=[job_out(job) for job in rows], next_cursor=next_cursor)


@jobs_router.get("/{job_id}", response_model=JobOut, responses=problems(404, 422), dependencies=[requires_any(*IMPORT_PERMISSIONS)])
def get_job(job_id: IdPath, ctx: Context) -> JobOut:
    """Return one job: its status and, once it has run, the import report or the reason it failed."""
    return job_out(jobs.get_job(ctx, job_id))


@jobs_router.get(
    "/{job_id}/output",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "The reply file"}, **problems(404, 422)},
    dependencies=[requires_any(*IMPORT_PERMISSIONS)],
)
def job_output(job_id: IdPath, ctx: Context, request: Request) -> PlainTextResponse:
    """Return the file the import wrote back for the sender, such as an 834's 999 acknowledgment."""
    job = jobs.get_job(ctx, job_id)
    if not job.output_path:
        raise NotFoundError(
            code="api.job_output_missing",
            message=f"Job {job.id} ({job.kind}, {job.status}) has no reply file.",
            field="job_id",
            value=job_id,
            hint="Only 834 imports write a reply file (the 999), once they have run.",
        )
    files: JobFiles = request.app.state.job_files
    return PlainTextResponse(files.read(job.output_path).decode("utf-8"))


@jobs_router.post(
    "/{job_id}/retry", status_code=202, response_model=JobOut, responses=problems(404, 409, 422), dependencies=[requires_any(*IMPORT_PERMISSIONS)]
)
def retry_job(job_id: IdPath, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Queue a failed job again; whatever its failed run applied is not applied twice."""

    def handler() -> tuple[int, Any]:
        job = jobs.retry_job(ctx, job_id)
        event.listen(ctx.session, "after_commit", _wake_runner(request), once=True)
        return 202, job_out(job)

    return idempotent(ctx, request, idempotency_key, {"job_id": job_id}, handler)
