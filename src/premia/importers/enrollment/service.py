"""Import an 834 file: check it, apply it once, and acknowledge it with a 999 and a JSON report.

The steps, in order:

1. Read the file and its SHA-256. A file already applied (the same content) is reported as
   a duplicate and changes nothing; its stored 999 is returned again. Other content under
   a sender's ISA06 and ISA13 already applied is a new file reusing the control number: it
   is rejected whole with a TA1 (note 025) and changes nothing.
2. The file is scanned: envelope and structure checks always run, and each member loop is
   kept to be read in full by the process that applies it (see ``members``). Full TR3
   validation with pyx12 runs when the options ask for it (by default on files of at most
   1 MB); its findings go to the 999 and the report and never reject anything.
3. An envelope error rejects the whole file: the ``import_files`` row records the
   rejection, and nothing else is written.
4. Otherwise each member transaction is applied in its own savepoint, and a rejected member
   never undoes the valid members beside it. A member loop the reader rejects is reported
   in its place among the others. With ``commit_every`` the import commits
   between families. An import stopped part-way stays ``in_progress``; importing the same
   file again with ``resume`` continues after its last commit, and without it is reported
   as a duplicate, so two runs never apply the same members at once by accident.
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from premia.audit import service as audit
from premia.catalog.service import current_catalog
from premia.formats.x12 import (
    Finding,
    FindingCode,
    FindingScope,
    Parsed834,
    PendingSet,
    Scanned834,
    Severity,
    scan_834,
)
from premia.importers.enrollment.acknowledgments import (
    AcknowledgmentText,
    as_notes,
    extra_interchange_findings,
    write_acknowledgment,
)
from premia.importers.enrollment.applier import Applier
from premia.importers.enrollment.bulk import BulkEnrollment
from premia.importers.enrollment.families import family_keys
from premia.importers.enrollment.intake import TransactionInfo
from premia.importers.enrollment.member_loop import MemberLoop, commit_points, family_chunks
from premia.importers.enrollment.members import FileMembers
from premia.importers.enrollment.model import (
    Count,
    ImportOptions,
    ImportReport,
    ImportStatus,
    ImportWarning,
    Rejection,
    RejectionScope,
)
from premia.importers.enrollment.parallel import apply_with_workers, usable_workers
from premia.importers.enrollment.payers import Payers
from premia.importers.enrollment.plans import PlanResolver
from premia.importers.enrollment.run import ImportRun
from premia.importers.enrollment.tables import ImportFile
from premia.infra.context import ServiceContext
from premia.staff.permissions import Permission

log = logging.getLogger(__name__)

KIND = "834"
IMPORT_GC_THRESHOLD = 50_000
# Negative: a size in KiB rather than in pages, as PRAGMA cache_size takes it.
SQLITE_IMPORT_CACHE_KIB = -65_536
ENROLLMENT_GUIDE = "005010X220A1"


@dataclass(frozen=True)
class ImportResult:
    """The import report and the acknowledgment text (None when the file had no readable ISA)."""

    report: ImportReport
    acknowledgment: str | None


def import_834(
    ctx: ServiceContext,
    source: Path | bytes,
    *,
    file_name: str | None = None,
    options: ImportOptions | None = None,
) -> ImportResult:
    """Import one 834 file; see the module docstring for the steps and guarantees."""
    ctx.require(Permission.ENROLLMENT_IMPORT)
    # Demographic changes go through the person service, which needs member.write too.
    ctx.require(Permission.MEMBER_WRITE)
    options = options or ImportOptions()
    data = source.read_bytes() if isinstance(source, Path) else source
    name = file_name or (source.name if isinstance(source, Path) else "834")
    content_hash = hashlib.sha256(data).hexdigest()
    with _collection_deferred() as scanned_records_made:
        # With workers, each member loop is read by the process that applies it.
        scanned = scan_834(data, lenient_isa=options.lenient_isa, read_members=options.workers <= 0)
        scanned_records_made()
        return _import_scanned(ctx, scanned, data, name, content_hash, options)


@contextmanager
def _larger_sqlite_cache(ctx: ServiceContext) -> Iterator[None]:
    """Give SQLite a page cache of 64 MiB while the import runs, then restore the connection's own.

    The indexes of persons and the audit log grow past SQLite's default cache of 2 MiB in
    a large file, and every insert then reads index pages back from the operating system.
    The larger cache took about 8% off the CPU time of 100,000 members in one comparison
    on a loaded machine, so take it as an estimate. Only memory
    changes: durability and locking stay as the engine sets them. The import goes on in
    a transaction after this (the import_files row is written last), so setting the size
    back opens none that would not be opened anyway.
    """
    connection = ctx.session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = {SQLITE_IMPORT_CACHE_KIB}")
    yield
    # NOTE: when the import raises, the pooled connection keeps the larger cache, because
    # a failed transaction cannot run the PRAGMA until the caller rolls it back.
    ctx.session.connection().exec_driver_sql(f"PRAGMA cache_size = {int(previous)}")


@contextmanager
def _collection_deferred() -> Iterator[Callable[[], None]]:
    """Keep garbage collection away from the scanned file, which lives until the import ends.

    A file of 100,000 members is millions of objects. Collection stays off while the file
    is scanned, and the function this yields is called once its records exist: it moves
    every object alive to a generation that collections skip (``gc.freeze``), then turns
    collection back on. Turned back on before the freeze, the first collection walked
    every record the reader had made, about half a second at 100,000 members.

    The rows of a chunk are also many objects that live until the chunk is written, so
    collections run less often meanwhile. A first-generation threshold of 50,000 instead
    of 700 took about 5% off the import's CPU time in one comparison (20,000 members on
    SQLite). Everything is put back as it was when the import ends.
    """
    threshold = gc.get_threshold()
    was_enabled = gc.isenabled()

    def resume_collection() -> None:
        gc.freeze()
        gc.set_threshold(IMPORT_GC_THRESHOLD, *threshold[1:])
        if was_enabled:
            gc.enable()

    gc.disable()
    try:
        yield resume_collection
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def _import_scanned(
    ctx: ServiceContext, scanned: Scanned834, data: bytes, name: str, content_hash: str, options: ImportOptions
) -> ImportResult:
    first = scanned.interchanges[0] if scanned.interchanges else None
    report = ImportReport(
        file_name=name,
        sender_qualifier=first.sender_qualifier if first else None,
        content_hash=content_hash,
        status=ImportStatus.IN_PROGRESS,
        size_bytes=len(data),
        sender_id=first.sender_id if first else None,
        control_number=first.control_number if first else None,
    )

    previous = _applied_import(ctx, content_hash, report.sender_id, report.control_number)
    if previous is not None and previous.content_hash != content_hash and first is not None:
        # Other content under an interchange control number the sender already used is a new
        # file reusing the number, not a resend: it is rejected whole with TA1 note 025, and
        # the earlier import's acknowledgment is never returned for it.
        reused = _reused_control_number(first.control_number, report.sender_id, previous)
        parsed = scanned.read_all()
        return _reject_file(ctx, report, parsed, [*parsed.findings, reused])
    resuming = (
        previous is not None
        and previous.status == ImportStatus.IN_PROGRESS
        and previous.content_hash == content_hash
    )
    if previous is not None and not (resuming and options.resume):
        return _duplicate(ctx, report, previous)

    # Findings after the reader's: more than one interchange, and TR3's.
    appended = extra_interchange_findings(scanned.interchanges)
    appended.extend(_tr3_findings(data, scanned, options, report))
    if (
        any(
            finding.is_error and finding.scope is FindingScope.INTERCHANGE
            for finding in (*scanned.findings, *appended)
        )
        or first is None
    ):
        parsed = scanned.read_all()
        return _reject_file(ctx, report, parsed, [*parsed.findings, *appended])

    catalog = current_catalog(ctx)
    row = previous or _new_row(ctx, report)
    report.import_id = row.id
    skip = 0
    if previous is not None:
        skip = previous.applied_through
        _resume_report(report, previous)
    if options.commit_every:
        ctx.session.commit()

    run = ImportRun(ctx, report, catalog, Payers(ctx, catalog, report), options.as_of or ctx.today(), row.id)
    members = FileMembers(_accepted_transactions(scanned))
    if skip == 0:
        _report_rejected_sets(scanned, report, [*scanned.findings, *appended])
    with _larger_sqlite_cache(ctx):
        _apply(
            run,
            row,
            members,
            options,
            skip,
            catalog_resolver=PlanResolver(catalog, options.plan_map, first.sender_id),
        )

    # The member loops' own warnings are reported once every loop is read, after the members
    # applied, so a resumed import reports those of the loops before its last commit too.
    reader = members.findings(scanned)
    _report_warnings(list(reader.of_members), report)
    report.status = _final_status(report)
    acknowledgment = write_acknowledgment(
        scanned.interchanges,
        [*reader.all, *appended],
        import_id=row.id,
        moment=ctx.now(),
        time_zone=ctx.settings.time_zone,
    )
    _finish_row(ctx, row, report, acknowledgment)
    if options.commit_every:
        ctx.session.commit()
    return ImportResult(report, acknowledgment.text if acknowledgment else None)


# Idempotency ------------------------------------------------------------------------------


def _applied_import(
    ctx: ServiceContext, content_hash: str, sender_id: str | None, control_number: str | None
) -> ImportFile | None:
    """Return the applied (or in-progress) import of the same content or the same interchange."""
    same = [ImportFile.content_hash == content_hash]
    if sender_id is not None and control_number is not None:
        same.append((ImportFile.sender_id == sender_id) & (ImportFile.control_number == control_number))
    query = select(ImportFile).where(
        ImportFile.kind == KIND, ImportFile.status != ImportStatus.REJECTED.value, or_(*same)
    )
    return ctx.session.scalars(query.order_by(ImportFile.id).limit(1)).first()


def _reused_control_number(control_number: str | None, sender_id: str | None, previous: ImportFile) -> Finding:
    return Finding(
        code=FindingCode.DUPLICATE_INTERCHANGE_CONTROL_NUMBER,
        severity=Severity.ERROR,
        scope=FindingScope.INTERCHANGE,
        segment_id="ISA",
        position=1,
        element="ISA13",
        message=(
            f"ISA13 {control_number} from sender {sender_id} was already used by import {previous.id} "
            f"({previous.file_name}), whose content differs from this file's."
        ),
        hint="Send a new file with its own interchange control number; to resend the earlier file, send it unchanged.",
        value=control_number,
        interchange=control_number,
    )


def _duplicate(ctx: ServiceContext, report: ImportReport, previous: ImportFile) -> ImportResult:
    # The message gives the carrier-local day of the earlier import, as its 999 does.
    received_on = previous.received_at.astimezone(ZoneInfo(ctx.settings.time_zone)).date()
    report.status = ImportStatus.DUPLICATE
    report.duplicate_of = previous.id
    same_content = previous.content_hash == report.content_hash
    if previous.status == ImportStatus.IN_PROGRESS:
        message = (
            f"Import {previous.id} of this {'file' if same_content else 'interchange'} started on "
            f"{received_on:%Y-%m-%d} and has not finished; nothing was changed. If it stopped, "
            "import the same file again with resume to continue after its last commit."
        )
    else:
        message = (
            f"This {'file' if same_content else 'interchange'} was already imported as import {previous.id} "
            f"on {received_on:%Y-%m-%d} (sender {previous.sender_id}, ISA13 {previous.control_number}); "
            "nothing was changed."
        )
    report.warn(ImportWarning("import.duplicate", message, 1, "ISA13"))
    report.acknowledgment_code = (previous.report or {}).get("acknowledgment_code")
    audit.record(
        ctx,
        action="import_duplicate",
        record_type="import_file",
        record_id=previous.id,
        detail={"file": report.file_name, "content_hash": report.content_hash},
    )
    log.info("834 duplicate", extra={"import_id": previous.id, "file_name": report.file_name})
    return ImportResult(report, previous.acknowledgment)


# Validation --------------------------------------------------------------------------------


def _tr3_findings(
    data: bytes, scanned: Scanned834, options: ImportOptions, report: ImportReport
) -> list[Finding]:
    if not options.runs_tr3(len(data)):
        reason = "turned off" if options.tr3 is False else f"file larger than {options.tr3_max_bytes} bytes"
        report.tr3 = {"ran": False, "reason": reason}
        return []
    from premia.formats.x12 import validate_tr3

    # When the reader found GS08 005010X220A1, pyx12 may take the guide from GS08 itself.
    # Naming the guide makes validate_tr3 look GS08 up in the raw text first, which fails
    # when a space or CRLF follows the segment terminator (premia.formats.x12.tr3).
    versions = {group.version for interchange in scanned.interchanges for group in interchange.groups}
    expected = None if versions == {ENROLLMENT_GUIDE} else ENROLLMENT_GUIDE
    found = validate_tr3(data.decode("utf-8", errors="replace"), expected)
    report.tr3 = {
        "ran": True,
        "errors": sum(finding.is_error for finding in found),
        "warnings": sum(not finding.is_error for finding in found),
    }
    return as_notes(found)


def _reject_file(
    ctx: ServiceContext, report: ImportReport, parsed: Parsed834, findings: list[Finding]
) -> ImportResult:
    """Record a file whose envelope is broken: one ``import_files`` row and nothing else."""
    for finding in findings:
        if finding.is_error and finding.scope is FindingScope.INTERCHANGE:
            report.reject(_rejection(finding, RejectionScope.INTERCHANGE))
    _report_warnings(findings, report)
    report.status = ImportStatus.REJECTED
    report.count(Count.TRANSACTION_SETS_REJECTED, len(parsed.transactions))
    report.count(Count.MEMBERS_RECEIVED, _member_count(parsed))
    report.count(Count.MEMBERS_REJECTED, _member_count(parsed))
    row = _new_row(ctx, report)
    report.import_id = row.id
    acknowledgment = write_acknowledgment(
        parsed.interchanges, findings, import_id=row.id, moment=ctx.now(), time_zone=ctx.settings.time_zone
    )
    _finish_row(ctx, row, report, acknowledgment)
    log.info("834 file rejected", extra={"import_id": row.id, "file_name": report.file_name})
    return ImportResult(report, acknowledgment.text if acknowledgment else None)


def _accepted_transactions(scanned: Scanned834) -> list[tuple[PendingSet, TransactionInfo]]:
    interchange = scanned.interchanges[0]
    transactions = []
    for pending in scanned.accepted_sets():
        transaction = pending.transaction
        beginning = transaction.beginning
        info = TransactionInfo(
            control_number=transaction.header.control_number,
            action=beginning.action if beginning else None,
            sender_id=interchange.sender_id,
            sponsor=transaction.sponsor,
            master_policy_number=transaction.master_policy_number,
            file_effective=transaction.file_effective_date,
        )
        transactions.append((pending, info))
    return transactions


def _report_rejected_sets(scanned: Scanned834, report: ImportReport, findings: list[Finding]) -> None:
    """Report the rejected transaction sets with their members, and the warnings of the scan and TR3."""
    accepted = set(map(id, scanned.accepted_sets()))
    for pending in scanned.sets:
        if id(pending) not in accepted:
            report.count(Count.MEMBERS_RECEIVED, len(pending.loops))
            report.count(Count.MEMBERS_REJECTED, len(pending.loops))
    for finding in findings:
        if finding.is_error and finding.scope is FindingScope.TRANSACTION:
            report.reject(_rejection(finding, RejectionScope.TRANSACTION))
    _report_warnings(findings, report)


def _report_warnings(findings: list[Finding], report: ImportReport) -> None:
    """Report the reader's warnings and every TR3 finding, which are warnings by then."""
    for finding in findings:
        if not finding.is_error:
            report.warn(
                ImportWarning(
                    finding.code.value,
                    finding.message,
                    finding.position,
                    finding.element,
                    finding.member_position,
                )
            )


def _rejection(finding: Finding, scope: RejectionScope) -> Rejection:
    return Rejection(
        scope=scope,
        code=finding.code.value,
        reason=finding.message,
        segment_id=finding.segment_id,
        position=finding.position,
        element=finding.element,
        hint=finding.hint,
        transaction=finding.transaction,
        member_position=finding.member_position,
    )


# Applying -----------------------------------------------------------------------------------


def _apply(
    run: ImportRun,
    row: ImportFile,
    members: FileMembers,
    options: ImportOptions,
    skip: int,
    *,
    catalog_resolver: PlanResolver,
) -> None:
    """Apply every member after the first ``skip``, a chunk of whole families at a time.

    With ``options.workers``, other processes prepare the new families of most chunks while
    this one writes (see ``parallel``).
    """
    applier = Applier(run, catalog_resolver, as_of=run.as_of)
    bulk = BulkEnrollment(run, catalog_resolver, applier) if options.bulk else None
    keys = family_keys(run.ctx, members.heads, members.infos)
    loop = MemberLoop(run, row, members, keys, applier, bulk, commit_points(keys, skip, options.commit_every))
    chunks = list(family_chunks(keys, skip, options.chunk_members))
    workers = usable_workers(options.workers, len(chunks), run.ctx.session.get_bind().engine)
    if bulk is not None and workers:
        run.report.workers = workers
        apply_with_workers(loop, chunks, workers, catalog_resolver)
    else:
        for first, end in chunks:
            loop.apply_chunk(first, end)
    loop.finish()


def _resume_report(report: ImportReport, previous: ImportFile) -> None:
    if previous.report:
        report.restore_from(previous.report)
    report.warn(
        ImportWarning(
            "import.resumed",
            f"Import {previous.id} stopped after {previous.applied_through} members and resumed from there.",
            1,
        )
    )


def _final_status(report: ImportReport) -> ImportStatus:
    counts = report.counts
    if counts[Count.MEMBERS_REJECTED.value] == 0 and counts[Count.TRANSACTION_SETS_REJECTED.value] == 0:
        return ImportStatus.ACCEPTED
    if counts[Count.MEMBERS_APPLIED.value] == 0:
        return ImportStatus.REJECTED
    return ImportStatus.PARTIALLY_ACCEPTED


# The import_files row --------------------------------------------------------------------------


def _new_row(ctx: ServiceContext, report: ImportReport) -> ImportFile:
    row = ImportFile(
        kind=KIND,
        file_name=report.file_name[:256],
        content_hash=report.content_hash,
        size_bytes=report.size_bytes,
        # A broken ISA may carry longer values than the columns; the report keeps them whole.
        sender_qualifier=_cut(report.sender_qualifier, 2),
        sender_id=_cut(report.sender_id, 15),
        control_number=_cut(report.control_number, 9),
        status=report.status.value,
        imported_by=ctx.actor.username,
        received_at=ctx.now(),
    )
    ctx.session.add(row)
    ctx.session.flush()
    return row


def _finish_row(
    ctx: ServiceContext, row: ImportFile, report: ImportReport, acknowledgment: AcknowledgmentText | None
) -> None:
    report.acknowledgment_code = acknowledgment.code if acknowledgment else None
    counts = report.counts_dict()
    row.status = report.status.value
    row.members_received = counts[Count.MEMBERS_RECEIVED.value]
    row.members_applied = counts[Count.MEMBERS_APPLIED.value]
    row.members_rejected = counts[Count.MEMBERS_REJECTED.value]
    row.counts = counts
    row.report = report.to_dict()
    row.acknowledgment = acknowledgment.text if acknowledgment else None
    row.finished_at = ctx.now()
    audit.record(
        ctx,
        action="import",
        record_type="import_file",
        record_id=row.id,
        detail={"file": report.file_name, "status": report.status.value, "members": row.members_received},
    )
    ctx.session.flush()
    log.info(
        "834 import finished",
        extra={
            "import_id": row.id,
            "status": report.status.value,
            "applied": row.members_applied,
            "rejected": row.members_rejected,
        },
    )


def _member_count(parsed: Parsed834) -> int:
    return len(parsed.members) + len(parsed.rejected_members)


def _cut(value: str | None, length: int) -> str | None:
    return value[:length] if value is not None else None
