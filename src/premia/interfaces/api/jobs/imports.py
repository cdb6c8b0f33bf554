"""Run one job's import with the importer of its kind.

Each importer keeps its own record of what it applied, keyed by the file's control numbers
and each item's position. Running a job again after a crash therefore applies only what the
crashed run had not committed. An 834 resumes after its last commit, an 820 skips the loops
already stored, and the other importers run in one transaction, which committed everything
or nothing. A file imported before is reported as such and changes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from premia.importers.enrollment import ImportOptions, ImportStatus, import_834
from premia.infra.context import ServiceContext
from premia.interfaces.api.jobs.files import JobFiles
from premia.interfaces.api.jobs.model import JobKind
from premia.interfaces.api.tables import ApiJob
from premia.payments.bank_files import import_bai2, import_camt
from premia.payments.config import configured_payments
from premia.payments.lockbox import import_lockbox
from premia.payments.remittance_820 import import_820
from premia.payments.returns import import_nacha_returns
from premia.servicing.claims import import_claims

# An 834 commits after about this many members, so a stopped job resumes near where it stopped.
COMMIT_EVERY_MEMBERS = 2_000
# An 820 commits after each chunk of this many policy loops, for the same reason.
CHUNK_LOOPS = 1_000


@dataclass(frozen=True)
class ImportOutcome:
    """The result of a job's import: its report, the error of a rejected file, and any file it wrote back.

    ``error`` is set when the file was rejected as a whole, with the importer's code, message
    and hint. ``output_text`` is a reply file for the sender, such as an 834's 999.
    """

    result: dict[str, Any]
    error: dict[str, Any] | None = None
    output_text: str | None = None
    output_suffix: str = ""


@dataclass(frozen=True)
class JobInput:
    """A job's file and options as its import needs them."""

    kind: JobKind
    file_name: str
    content: bytes
    as_of: date
    lenient_isa: bool
    rerun: bool


def job_input(ctx: ServiceContext, job: ApiJob, files: JobFiles) -> JobInput:
    options = job.options or {}
    as_of = date.fromisoformat(options["as_of"]) if options.get("as_of") else ctx.today()
    return JobInput(
        kind=JobKind(job.kind),
        file_name=job.file_name,
        content=files.read(job.file_path),
        as_of=as_of,
        lenient_isa=bool(options.get("lenient_isa", False)),
        rerun=job.attempts > 1,
    )


def run_import(ctx: ServiceContext, data: JobInput) -> ImportOutcome:
    """Import the job's file with its kind's importer; domain errors propagate to the runner."""
    return IMPORTERS[data.kind](ctx, data)


def _enrollment_834(ctx: ServiceContext, data: JobInput) -> ImportOutcome:
    options = ImportOptions(
        commit_every=COMMIT_EVERY_MEMBERS,
        lenient_isa=data.lenient_isa,
        as_of=data.as_of,
        resume=data.rerun,
    )
    result = import_834(ctx, data.content, file_name=data.file_name, options=options)
    report = result.report.to_dict()
    error = None
    if result.report.status is ImportStatus.REJECTED:
        first = result.report.rejections[0] if result.report.rejections else None
        error = {
            "code": "x12_834.rejected",
            "message": f"The 834 file {data.file_name} was rejected as a whole; nothing of it was applied.",
            "field": (first.element or first.segment_id) if first else None,
            "hint": "Send the 999 back to the sender, who corrects the file and sends it again.",
        }
    return ImportOutcome(result=report, error=error, output_text=result.acknowledgment, output_suffix=".999")


def _remittance_820(ctx: ServiceContext, data: JobInput) -> ImportOutcome:
    report = import_820(
        ctx,
        data.content,
        file_name=data.file_name,
        as_of=data.as_of,
        config=configured_payments(ctx.settings),
        lenient_isa=data.lenient_isa,
        checkpoint=ctx.session.commit,
        chunk_size=CHUNK_LOOPS,
    )
    return ImportOutcome(result=report.to_dict())


def _nacha_returns(ctx: ServiceContext, data: JobInput) -> ImportOutcome:
    config = configured_payments(ctx.settings)
    report = import_nacha_returns(
        ctx, data.content, file_name=data.file_name, as_of=data.as_of, config=config
    )
    return ImportOutcome(result=report.to_dict())


def _bai2(ctx: ServiceContext, data: JobInput) -> ImportOutcome:
    return ImportOutcome(result=import_bai2(ctx, data.content, file_name=data.file_name, as_of=data.as_of).to_dict())


def _camt(ctx: ServiceContext, data: JobInput) -> ImportOutcome:
    return ImportOutcome(result=import_camt(ctx, data.content, file_name=data.file_name, as_of=data.as_of).to_dict())


def _lockbox(ctx: ServiceContext, data: JobInput) -> ImportOutcome:
    config = configured_payments(ctx.settings)
    report = import_lockbox(ctx, data.content, file_name=data.file_name, as_of=data.as_of, config=config)
    return ImportOutcome(result=report.to_dict())


def _claims(ctx: ServiceContext, data: JobInput) -> ImportOutcome:
    # The claims importer reads a path and reports its file name, so the upload is written
    # under its original name in a folder of its own.
    with tempfile.TemporaryDirectory(prefix="premia-claims-") as folder:
        path = Path(folder) / (Path(data.file_name).name or "claims.csv")
        path.write_bytes(data.content)
        report = import_claims(ctx, path)
    return ImportOutcome(result=report.to_dict())


IMPORTERS: dict[JobKind, Callable[[ServiceContext, JobInput], ImportOutcome]] = {
    JobKind.ENROLLMENT_834: _enrollment_834,
    JobKind.REMITTANCE_820: _remittance_820,
    JobKind.NACHA_RETURNS: _nacha_returns,
    JobKind.BAI2: _bai2,
    JobKind.CAMT: _camt,
    JobKind.LOCKBOX: _lockbox,
    JobKind.CLAIMS: _claims,
}
