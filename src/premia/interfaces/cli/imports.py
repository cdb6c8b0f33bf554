"""`premia import`: files from trading partners, starting with 834 enrollment files.

Each importer is a subcommand of ``import_app``. An 834 import writes, for each file, the
999 acknowledgment and the JSON import report into the acknowledgment folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from premia.importers.enrollment import (
    ImportOptions,
    ImportResult,
    ImportStatus,
    default_workers,
    import_834,
    load_plan_map,
)
from premia.importers.enrollment.model import DEFAULT_TR3_MAX_BYTES, ImportReport
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory
from premia.interfaces.cli import runtime
from premia.kernel.dates import parse_date
from premia.kernel.errors import ValidationError

import_app = typer.Typer(help="Import files from Exchanges, employers and banks.", no_args_is_help=True)

DEFAULT_COMMIT_EVERY = 5_000


@import_app.command("834")
def import_834_files(
    files: list[Path] = typer.Argument(
        ..., exists=True, dir_okay=False, help="834 files to import, in order."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the import reports as JSON."),
    tr3: bool | None = typer.Option(
        None,
        "--tr3/--no-tr3",
        help="Run full TR3 validation with pyx12, or skip it. Default: on for files up to --tr3-max-bytes.",
    ),
    tr3_max_bytes: int = typer.Option(
        DEFAULT_TR3_MAX_BYTES,
        "--tr3-max-bytes",
        min=0,
        help="Largest file, in bytes, that TR3 validation runs on by default.",
    ),
    ack_dir: Path | None = typer.Option(
        None,
        "--ack-dir",
        file_okay=False,
        help="Folder for each file's 999 and JSON report. Default: the file's folder.",
    ),
    plan_map: Path | None = typer.Option(
        None,
        "--plan-map",
        exists=True,
        dir_okay=False,
        help="YAML map from HD03, HD04 and group numbers to catalog plans.",
    ),
    commit_every: int = typer.Option(
        DEFAULT_COMMIT_EVERY,
        "--commit-every",
        min=1,
        help="Commit after about this many members; --resume continues a stopped import from there.",
    ),
    lenient_isa: bool = typer.Option(
        False, "--lenient-isa", help="Accept an ISA segment that is not padded to 106 characters."
    ),
    resume: bool = typer.Option(
        False, "--resume", help="Continue an import of the same file that stopped part-way."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Business date of receipt, YYYY-MM-DD. Default: today."
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=0,
        help="Processes that prepare new families while the import writes; 0 turns them off. "
        "Default: one per CPU, at most 3, on a machine with more than one. Each needs two chunks "
        "of 5,000 members after the first, so files of up to 10,000 members use none.",
    ),
) -> None:
    """Apply 834 enrollment files once each; a file already imported changes nothing.

    Exits with status 1 when any file's status is rejected: its envelope was broken, or none
    of its members could be applied (the JSON report lists why each was rejected).
    """

    def body() -> None:
        options = ImportOptions(
            plan_map=load_plan_map(plan_map) if plan_map else ImportOptions().plan_map,
            tr3=tr3,
            tr3_max_bytes=tr3_max_bytes,
            commit_every=commit_every,
            lenient_isa=lenient_isa,
            resume=resume,
            as_of=parse_date(as_of, field="as_of") if as_of else None,
            workers=default_workers() if workers is None else workers,
        )
        reports = []
        for path in files:
            with _import_context() as ctx:
                result = import_834(ctx, path, options=options)
            written = _write_outputs(path, result, ack_dir)
            reports.append(result.report.to_dict() | {"outputs": [str(output) for output in written]})
            if not json_output:
                _echo_summary(path, result, written)
        if json_output:
            runtime.emit_json(reports)
        if any(report["status"] == ImportStatus.REJECTED.value for report in reports):
            raise typer.Exit(1)

    runtime.run(body)


@contextmanager
def _import_context() -> Iterator[ServiceContext]:
    """Yield a context for the logged-in user whose session the import may commit between batches.

    The shared unit of work keeps one transaction open until it ends, so the login is
    resolved there and the import gets a session of its own.
    """
    with runtime.unit_of_work() as login:
        actor = login.actor
    config = runtime.settings()
    engine = make_engine(config.database_url)
    try:
        with make_session_factory(engine)() as session:
            yield ServiceContext(
                session=session, actor=actor, clock=runtime.SystemClock(), settings=config, channel="cli"
            )
            session.commit()
    finally:
        engine.dispose()


def _write_outputs(path: Path, result: ImportResult, ack_dir: Path | None) -> list[Path]:
    """Write the JSON report and the 999 beside the file, or into ``ack_dir``.

    A duplicate's report goes to ``.duplicate.report.json``, so the report of the import that
    applied the file stays as it was written.
    """
    folder = ack_dir or path.parent
    duplicate = result.report.status is ImportStatus.DUPLICATE
    report_path = folder / f"{path.name}.{'duplicate.' if duplicate else ''}report.json"
    written = [report_path]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        report_path.write_text(json.dumps(result.report.to_dict(), indent=2) + "\n", encoding="utf-8")
        if result.acknowledgment is not None:
            acknowledgment_path = folder / f"{path.name}.999"
            acknowledgment_path.write_text(result.acknowledgment, encoding="ascii")
            written.append(acknowledgment_path)
    except OSError as error:
        raise ValidationError(
            code="import.output_not_written",
            message=f"The report and 999 of {path.name} could not be written to {folder}: {error.strerror}.",
            field="ack_dir",
            value=str(folder),
            hint="Give a writable folder with --ack-dir; the import itself is stored and will not run again.",
        ) from error
    return written


def _echo_differences(report: ImportReport) -> None:
    """Print what an audit or full file found different from Premia's records, and the rating differences.

    A full file changes nothing, so its discrepancies are what the enrollment team came for.
    """
    for discrepancy in report.discrepancies[:20]:
        member = discrepancy.member_id or discrepancy.subscriber_id
        typer.echo(
            f"  differs for {member}: {discrepancy.field} is {_shown(discrepancy.premia_value)} in Premia, "
            f"{_shown(discrepancy.file_value)} in the file"
        )
    if len(report.discrepancies) > 20:
        typer.echo(f"  ... and {len(report.discrepancies) - 20} more differences in the report")
    if report.rating_differences:
        typer.echo(f"  {len(report.rating_differences)} Exchange amounts differ from Premia's rating (listed in the report)")


def _shown(value: str | None) -> str:
    return "missing" if value is None else repr(value)


def _echo_summary(path: Path, result: ImportResult, written: list[Path]) -> None:
    report = result.report
    counts = report.counts_dict()
    line = (
        f"{path.name}: {report.status.value}, {counts['members_applied']} of {counts['members_received']} members applied, "
        f"{counts['members_rejected']} rejected"
    )
    if report.workers:
        line += f" ({report.workers} worker process{'es' if report.workers > 1 else ''})"
    if report.duplicate_of is not None:
        line = f"{path.name}: duplicate of import {report.duplicate_of}; nothing changed"
    colour = typer.colors.RED if report.status is ImportStatus.REJECTED else None
    typer.secho(line, fg=colour)
    if counts["audited"] and report.duplicate_of is None:
        # A full file (BGN08 4 or RX) or INS03 030 member counts as applied once compared.
        typer.echo(f"  {counts['audited']} of them compared with Premia's records only; nothing written for them")
    if report.duplicate_of is not None:
        # Only the warning states whether the earlier import finished. One that stopped
        # part-way continues with --resume, not by importing the file again.
        for warning in report.warnings:
            typer.echo(f"  {warning.message}")
    for rejection in report.rejections[:20]:
        where = f"{rejection.element or rejection.segment_id} at segment {rejection.position}"
        typer.echo(f"  rejected {rejection.scope.value} ({where}): {rejection.reason} [{rejection.code}]")
        if rejection.hint:
            typer.echo(f"    fix: {rejection.hint}")
    if len(report.rejections) > 20:
        typer.echo(f"  ... and {len(report.rejections) - 20} more rejections in the report")
    _echo_differences(report)
    for output in written:
        typer.echo(f"  wrote {output}")
