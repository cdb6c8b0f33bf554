"""The background thread that runs queued import jobs, one at a time, each in its own session.

An upload only stores the file and a ``queued`` job, so the request returns at once. The
runner claims the oldest queued job with a conditional update (so two processes never run
the same job), runs its import as the uploader, and records the result. While a job runs,
its ``heartbeat_at`` is refreshed. A ``running`` job whose heartbeat is older than
``stale_after`` was left by a process that stopped, so it is queued again. Running it again
is safe because every importer skips what it already applied.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from premia.infra.context import ServiceContext
from premia.infra.settings import Settings
from premia.interfaces.api.jobs.files import JobFiles
from premia.interfaces.api.jobs.imports import ImportOutcome, job_input, run_import
from premia.interfaces.api.jobs.model import JobStatus
from premia.interfaces.api.tables import ApiJob
from premia.kernel.clock import Clock
from premia.kernel.errors import DomainError, NotFoundError
from premia.staff.model import Actor
from premia.staff.permissions import Role
from premia.staff.tables import StaffUser

log = logging.getLogger("premia.api.jobs")

# Problems listed in a failed job's error; a rejected file can have thousands.
MAX_PROBLEMS = 100
CLAIM_ATTEMPTS = 5


class JobRunner:
    """Runs queued jobs on one thread until stopped; ``wake`` makes it look for work at once."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        settings: Settings,
        clock: Clock,
        files: JobFiles,
        poll_seconds: float = 2.0,
        heartbeat_seconds: float = 30.0,
        stale_after: timedelta = timedelta(minutes=10),
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.clock = clock
        self.files = files
        self.poll_seconds = poll_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.stale_after = stale_after
        self.worker_name = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:128]
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="premia-api-jobs", daemon=True)
        self._thread.start()
        log.info("job runner started", extra={"worker": self.worker_name})

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to stop after the job it is running, and wait up to ``timeout`` seconds."""
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        self._wake.set()
        thread.join(timeout)
        self._thread = None
        if thread.is_alive():
            log.warning("job runner still busy at shutdown; its job will be queued again", extra={"worker": self.worker_name})
        else:
            log.info("job runner stopped", extra={"worker": self.worker_name})

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.requeue_stale()
                job_id = self.claim_next()
            except SQLAlchemyError:
                log.exception("job runner could not read the job queue; retrying", extra={"worker": self.worker_name})
                job_id = None
            if job_id is None:
                self._wake.wait(self.poll_seconds)
                continue
            try:
                self.run_job(job_id)
            except Exception:
                # The job stays running with an old heartbeat, so it is queued again later.
                log.exception("job runner could not record the end of a job", extra={"job_id": job_id})
                self._wake.wait(self.poll_seconds)

    def requeue_stale(self) -> int:
        """Queue again the running jobs whose heartbeat stopped; return how many."""
        cutoff = self.clock.now() - self.stale_after
        with self.session_factory() as session, session.begin():
            count = session.execute(
                update(ApiJob)
                .where(ApiJob.status == JobStatus.RUNNING.value, ApiJob.heartbeat_at < cutoff)
                .values(status=JobStatus.QUEUED.value, worker=None)
            ).rowcount
        if count:
            log.warning("queued stale jobs again", extra={"count": count, "heartbeat_before": cutoff.isoformat()})
        return int(count or 0)

    def claim_next(self) -> int | None:
        """Mark the oldest queued job running for this worker and return its id, or None when none is queued."""
        for _ in range(CLAIM_ATTEMPTS):
            with self.session_factory() as session, session.begin():
                job_id = session.scalar(
                    select(ApiJob.id).where(ApiJob.status == JobStatus.QUEUED.value).order_by(ApiJob.id).limit(1)
                )
                if job_id is None:
                    return None
                now = self.clock.now()
                claimed = session.execute(
                    update(ApiJob)
                    .where(ApiJob.id == job_id, ApiJob.status == JobStatus.QUEUED.value)
                    .values(
                        status=JobStatus.RUNNING.value,
                        worker=self.worker_name,
                        attempts=ApiJob.attempts + 1,
                        started_at=now,
                        heartbeat_at=now,
                        finished_at=None,
                        result=None,
                        error=None,
                    )
                ).rowcount
            if claimed:
                return int(job_id)
        return None

    def run_job(self, job_id: int) -> None:
        """Run one claimed job as its uploader and record how it ended."""
        with self.session_factory() as session:
            job = session.get(ApiJob, job_id)
            if job is None:
                return
            session.expunge(job)
        log.info("import job started", extra={"job_id": job_id, "kind": job.kind, "attempt": job.attempts, "user": job.submitted_by})
        try:
            with self._heartbeat(job_id), self.session_factory() as session:
                ctx = ServiceContext(
                    session=session, actor=_uploader(session, job), clock=self.clock, settings=self.settings, channel="api"
                )
                try:
                    outcome = run_import(ctx, job_input(ctx, job, self.files))
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        except DomainError as error:
            log.info("import job rejected", extra={"job_id": job_id, "code": error.code})
            self._finish(job_id, JobStatus.FAILED, error=problem_of(error))
            return
        except Exception:
            log.exception("import job failed", extra={"job_id": job_id, "kind": job.kind})
            self._finish(
                job_id,
                JobStatus.FAILED,
                error={
                    "code": "api.job_failed",
                    "message": "The import stopped with an internal error, which was logged.",
                    "hint": f"Retry the job with POST /api/v1/jobs/{job_id}/retry; what it already applied is not applied again.",
                },
            )
            return
        self._record(job_id, outcome)

    def _record(self, job_id: int, outcome: ImportOutcome) -> None:
        output_path = None
        if outcome.output_text is not None:
            output_path = self.files.write_output(job_id, outcome.output_suffix, outcome.output_text)
        status = JobStatus.FAILED if outcome.error else JobStatus.SUCCEEDED
        self._finish(job_id, status, result=outcome.result, error=outcome.error, output_path=output_path)
        log.info("import job finished", extra={"job_id": job_id, "status": status.value})

    def _finish(
        self,
        job_id: int,
        status: JobStatus,
        *,
        result: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
        output_path: str | None = None,
    ) -> None:
        with self.session_factory() as session, session.begin():
            job = session.get(ApiJob, job_id)
            if job is None:
                return
            job.status = status.value
            job.result = result
            job.error = error
            job.output_path = output_path
            job.finished_at = self.clock.now()

    @contextmanager
    def _heartbeat(self, job_id: int) -> Iterator[None]:
        stopped = threading.Event()

        def beat() -> None:
            while not stopped.wait(self.heartbeat_seconds):
                self._beat(job_id, self.clock.now())

        thread = threading.Thread(target=beat, name=f"premia-api-job-{job_id}-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stopped.set()
            thread.join()

    def _beat(self, job_id: int, now: datetime) -> None:
        try:
            with self.session_factory() as session, session.begin():
                session.execute(
                    update(ApiJob).where(ApiJob.id == job_id, ApiJob.status == JobStatus.RUNNING.value).values(heartbeat_at=now)
                )
        except SQLAlchemyError:
            # SQLite lets one writer in at a time, so a long import can keep the heartbeat out.
            log.warning("job heartbeat not written", extra={"job_id": job_id}, exc_info=True)


def _uploader(session: Session, job: ApiJob) -> Actor:
    """Return the job's uploader as the actor, with the user's current role, so a revoked role stops the job."""
    user = session.get(StaffUser, job.submitted_user_id) if job.submitted_user_id is not None else None
    if user is None or not user.active:
        raise NotFoundError(
            code="staff.user_inactive",
            message=f"User {job.submitted_by}, who uploaded job {job.id}, is no longer active.",
            field="submitted_by",
            value=job.submitted_by,
            hint="Upload the file again as an active user.",
        )
    return Actor(user_id=user.id, username=user.username, role=Role(user.role))


def problem_of(error: DomainError) -> dict[str, Any]:
    """Build the job error for a domain error: code, message, field, hint and the listed problems."""
    problems = [problem.as_dict() for problem in getattr(error, "problems", ())[:MAX_PROBLEMS]]
    data = error.as_dict()
    if problems:
        data["problems"] = problems
    return data
