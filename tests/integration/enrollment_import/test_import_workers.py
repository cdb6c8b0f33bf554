"""Imports with worker processes write the rows that an import without them writes."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from premia.accounts import service as accounts
from premia.accounts.model import Address, EmployerGroupInput, PersonInput, Sex
from premia.catalog.service import load_catalog
from premia.formats.x12 import FindingCode, MaintenanceType, Member834, Reference, RelationshipCode
from premia.importers.enrollment import ImportOptions, ImportResult, import_834, parallel
from premia.importers.enrollment.model import Rejection
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine
from tests.conftest import MigratedDatabases, make_context
from tests.integration.enrollment_import.conftest import DATA, SAMPLE_PLAN_MAP, count_rows
from tests.integration.enrollment_import.enrollment_files import coverage, interchange_text, member

# Tables an import writes, compared row by row. SSN ciphertexts take a random nonce each
# time, so they are compared decrypted instead.
WRITTEN_TABLES = (
    "persons",
    "person_history",
    "billing_accounts",
    "policies",
    "coverage_spans",
    "coverage_events",
    "exchange_amounts",
    "audit_log",
    "policy_changes",
    "import_files",
)
GROUP = "GRP-7"
# Small chunks, so the file below makes a dozen chunks for two workers.
CHUNK = 12
# A worker that cannot send exits at once. This only bounds the wait for one that blocks.
STOPPED_WORKER_SECONDS = 30


def _ssn(number: int) -> str:
    return f"{123 + number:03d}45{1000 + number:04d}"


def _family(number: int, *, dependents: int = 1, ssn: str | None = None, **extra: Any) -> list[Member834]:
    subscriber_id = f"S{number:04d}"
    amounts = {"premium_cents": 41_000 + number, "premium_total_cents": 41_000 + number}
    family = [
        member(
            subscriber_id,
            first_name=f"ANA{number}",
            ssn=ssn or _ssn(number),
            coverages=(coverage(exchange_policy_id=f"X-{number}"),),
            amounts=amounts,
            **extra,
        )
    ]
    for child in range(dependents):
        family.append(
            member(
                subscriber_id,
                first_name=f"KID{number}-{child}",
                relationship=RelationshipCode.CHILD,
                birth=date(2015, 3, 1 + child),
                ssn=_ssn(5_000 + number * 10 + child),
            )
        )
    return family


def _group_family(number: int) -> list[Member834]:
    (subscriber,) = _family(number, dependents=0)
    grouped = subscriber._replace(
        references=(*subscriber.references, Reference("1L", GROUP)),
        coverages=(coverage(plan=""),),
        reporting_categories=(),
    )
    return [grouped]


def _members() -> list[Member834]:
    """Return new families with every kind of member the workers leave to the writing process."""
    members: list[Member834] = []
    for number in range(1, 61):
        members += _family(number, dependents=number % 3)
        if number == 20:
            # A change for a family earlier in the file, and a member the import rejects.
            members.append(member("S0005", first_name="ANA5", maintenance=MaintenanceType.CHANGE))
            members.append(member("S0900", birth=None))
        if number in (40, 41):
            # The SSN of an earlier subscriber: one of the two families lands in a chunk of
            # the other worker, which cannot know that SSN was taken.
            members += _family(number + 861, dependents=0, ssn=_ssn(number - 30))
        if number == 50:
            ended = coverage(
                end=date(2026, 3, 31),
                maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION,
                exchange_policy_id="X-7",
            )
            members.append(
                member(
                    "S0007",
                    first_name="ANA7",
                    maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION,
                    coverages=(ended,),
                )
            )
    return members


def _prepare_database(ctx: ServiceContext) -> None:
    report = load_catalog(ctx, DATA / "import-catalog.yaml")
    assert report.status == "loaded", report.errors
    accounts.create_employer_group(
        ctx,
        EmployerGroupInput(
            group_number=GROUP,
            name="Employer seven",
            anniversary_month=1,
            address=Address("1 MAIN ST", "RICHMOND", "VA", "23219"),
        ),
    )


@contextmanager
def _fresh_context(
    migrated_databases: MigratedDatabases, engine_name: str = "sqlite"
) -> Iterator[tuple[ServiceContext, Engine]]:
    engine = make_engine(migrated_databases.new_url(engine_name))
    try:
        with Session(engine, expire_on_commit=False) as session:
            ctx = make_context(session)
            _prepare_database(ctx)
            session.commit()
            yield ctx, engine
    finally:
        engine.dispose()


def _import(ctx: ServiceContext, data: bytes, **options: Any) -> ImportResult:
    options.setdefault("tr3", False)
    options.setdefault("chunk_members", CHUNK)
    options.setdefault("plan_map", SAMPLE_PLAN_MAP)
    return import_834(ctx, data, file_name="workers.834", options=ImportOptions(**options))


def _table_rows(ctx: ServiceContext, engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row of the written tables, in id order, with SSNs decrypted."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in WRITTEN_TABLES:
            result = connection.execute(text(f'SELECT * FROM "{table}" ORDER BY id'))
            names = list(result.keys())
            found = []
            for row in result:
                values = dict(zip(names, row, strict=True))
                if values.get("ssn_ciphertext"):
                    values["ssn_ciphertext"] = ctx.cipher.decrypt(values["ssn_ciphertext"])
                if table == "import_files":
                    # The report names the workers used, the one value meant to differ.
                    report = values["report"]
                    # SQLite returns the JSON column as text, PostgreSQL as a dict.
                    report = json.loads(report) if isinstance(report, str) else dict(report)
                    report.pop("workers", None)
                    values["report"] = report
                found.append(tuple(values.items()))
            rows[table] = found
    return rows


def _report(result: ImportResult) -> dict[str, Any]:
    report = result.report.to_dict()
    report.pop("import_id", None)
    report.pop("workers")
    return report


def _run_both(
    migrated_databases: MigratedDatabases, data: bytes, engine_name: str = "sqlite", **options: Any
) -> tuple[ImportResult, ImportResult, dict[str, Any], dict[str, Any]]:
    results = []
    tables = []
    for workers in (0, 2):
        with _fresh_context(migrated_databases, engine_name) as (ctx, engine):
            results.append(_import(ctx, data, workers=workers, **options))
            ctx.session.commit()
            tables.append(_table_rows(ctx, engine))
    return results[0], results[1], tables[0], tables[1]


def test_workers_write_same_rows(migrated_databases: MigratedDatabases) -> None:
    data = interchange_text(_members()).encode("ascii")

    alone, with_workers, alone_rows, worker_rows = _run_both(migrated_databases, data, commit_every=25)

    assert _report(with_workers) == _report(alone)
    for table in WRITTEN_TABLES:
        assert worker_rows[table] == alone_rows[table], table
    assert alone.report.counts["members_applied"] > 120
    assert alone.report.counts["members_rejected"] == 1
    assert alone.report.rating_differences


def _with_reader_findings(text: str) -> str:
    """Return ``text`` with member loops the 834 reader rejects or warns about, in several chunks."""
    # A dependent's birth date that is no date: the reader rejects that loop alone.
    text = _replace_after(text, "INS*N*19*021*28*A~\nREF*0F*S0011~", "DMG*D8*20150301", "DMG*D8*20151399")
    # A subscriber the reader rejects: its dependents are rejected with it.
    text = _replace_after(text, "REF*0F*S0044~", "DMG*D8*19860520", "DMG*D8*19861340")
    # A date qualifier the guide does not allow: a warning, and the member is applied.
    return _replace_after(text, "REF*0F*S0052~", "DTP*007*D8*20260101", "DTP*999*D8*20260101")


def _replace_after(text: str, anchor: str, old: str, new: str) -> str:
    start = text.index(anchor)
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :]


def test_reader_findings_same_with_workers(migrated_databases: MigratedDatabases) -> None:
    data = _with_reader_findings(interchange_text(_members())).encode("ascii")

    alone, with_workers, alone_rows, worker_rows = _run_both(migrated_databases, data, commit_every=25)

    assert with_workers.report.workers == 2
    assert _report(with_workers) == _report(alone)
    assert with_workers.acknowledgment == alone.acknowledgment
    for table in WRITTEN_TABLES:
        assert worker_rows[table] == alone_rows[table], table
    rejected: dict[str | None, Rejection] = {}
    for rejection in alone.report.rejections:
        rejected.setdefault(rejection.subscriber_id, rejection)
    assert rejected["S0011"].code == FindingCode.INVALID_DATE.value
    assert "DMG02" in rejected["S0011"].reason
    assert rejected["S0044"].code == FindingCode.INVALID_DATE.value
    # S0044's subscriber and both its children, besides the member rejected in _members().
    assert alone.report.counts["members_rejected"] == 1 + 1 + 3
    assert any(warning.code == FindingCode.UNKNOWN_QUALIFIER.value for warning in alone.report.warnings)
    # The 999 gives the findings of every loop, read by whichever process.
    assert alone.acknowledgment is not None
    assert alone.acknowledgment.count("IK3*DMG*") == 2
    assert "IK5*E" in alone.acknowledgment


def test_workers_prepare_most_families(
    migrated_databases: MigratedDatabases, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[tuple[bool, int]] = []
    accepts = parallel.BulkEnrollment.accepts

    def recorded(self: Any, batch: Any) -> bool:
        accepted = accepts(self, batch)
        checked.append((accepted, len(batch.families)))
        return accepted

    monkeypatch.setattr(parallel.BulkEnrollment, "accepts", recorded)
    data = interchange_text(_members()).encode("ascii")

    with _fresh_context(migrated_databases) as (ctx, _):
        _import(ctx, data, workers=2)

    assert sum(families for accepted, families in checked if accepted) > 40
    assert any(not accepted for accepted, _ in checked)


def test_failed_worker_leaves_chunks_to_import(
    migrated_databases: MigratedDatabases, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepare = parallel._prepare_chunk
    calls = {"count": 0}

    def fails_on_third(loop: Any, bulk: Any, first: int, end: int) -> Any:
        calls["count"] += 1
        if calls["count"] == 3:
            raise RuntimeError("worker stopped")
        return prepare(loop, bulk, first, end)

    monkeypatch.setattr(parallel, "_prepare_chunk", fails_on_third)
    data = interchange_text(_members()).encode("ascii")

    alone, with_workers, alone_rows, worker_rows = _run_both(migrated_databases, data)

    assert _report(with_workers) == _report(alone)
    for table in WRITTEN_TABLES:
        assert worker_rows[table] == alone_rows[table], table


def test_group_family_left_to_writer(migrated_databases: MigratedDatabases) -> None:
    # The employer's account is created when its first family is applied, which workers
    # leave to the writing process. The rows are the same, but their ids come in another order.
    members = _members()
    members[60:60] = _group_family(900)
    data = interchange_text(members).encode("ascii")

    alone, with_workers, alone_rows, worker_rows = _run_both(migrated_databases, data)

    assert with_workers.report.counts == alone.report.counts
    assert with_workers.report.rejections == alone.report.rejections
    for table in WRITTEN_TABLES:
        assert len(worker_rows[table]) == len(alone_rows[table]), table
    group_accounts = [dict(row) for row in worker_rows["billing_accounts"] if dict(row)["kind"] == "group"]
    assert len(group_accounts) == 1
    group_policies = [dict(row) for row in worker_rows["policies"] if dict(row)["plan_id"] == "GROUP-HLT"]
    assert [policy["billing_account_id"] for policy in group_policies] == [group_accounts[0]["id"]]


def test_workers_capped_by_chunks(migrated_databases: MigratedDatabases) -> None:
    # 125 members in chunks of ten, each ending where a family ends, make 12 chunks: the first
    # is applied by the importing process, and the other 11 give two each to five workers.
    data = interchange_text(_members()).encode("ascii")

    with _fresh_context(migrated_databases) as (ctx, _):
        result = _import(ctx, data, workers=10, chunk_members=10)

    assert result.report.workers == 5
    assert result.report.to_dict()["workers"] == 5
    assert result.report.counts["members_rejected"] == 1


def test_small_file_uses_no_workers(
    import_text: Callable[..., ImportResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a file of a few chunks needs no workers")

    monkeypatch.setattr(parallel, "apply_with_workers", no_fork)

    result = import_text(interchange_text(_family(1)), workers=2)

    assert result.report.counts["members_applied"] == 2
    assert result.report.workers == 0


def test_person_only_in_transaction(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    # The person exists only in the import's own transaction, which the workers cannot read,
    # so the batch holding the family with their SSN is checked and applied here instead.
    accounts.create_person(
        ctx,
        PersonInput(
            first_name="ANA33", last_name="RIVERA", birth_date=date(1986, 5, 20), sex=Sex.FEMALE, ssn=_ssn(33)
        ),
    )
    data = interchange_text(_members())
    options = {"chunk_members": CHUNK, "plan_map": SAMPLE_PLAN_MAP}
    savepoint = ctx.session.begin_nested()
    alone = import_text(data, **options)
    alone_rows = count_rows(ctx)
    savepoint.rollback()

    with_workers = import_text(data, workers=2, **options)

    assert with_workers.report.counts == alone.report.counts
    assert with_workers.report.rejections == alone.report.rejections
    assert len(with_workers.report.rating_differences) == len(alone.report.rating_differences)
    assert count_rows(ctx) == alone_rows
    assert alone.report.counts["persons_created"] == alone_rows["persons"] - 1


def _stopped_and_resumed(
    migrated_databases: MigratedDatabases, monkeypatch: pytest.MonkeyPatch, data: bytes, workers: int
) -> tuple[ImportResult, dict[str, list[tuple[Any, ...]]]]:
    """Import ``data`` until its third commit, then resume it. Returns the resumed result and the rows."""
    commit = parallel.MemberLoop.commit_if_due
    commits = {"count": 0}

    def stops_after_third(self: Any, index: int) -> None:
        commit(self, index)
        commits["count"] += index in self.commits
        if commits["count"] == 3:
            raise RuntimeError("import stopped")

    with _fresh_context(migrated_databases) as (ctx, engine):
        monkeypatch.setattr(parallel.MemberLoop, "commit_if_due", stops_after_third)
        with pytest.raises(RuntimeError):
            _import(ctx, data, commit_every=25, workers=workers)
        ctx.session.rollback()
        monkeypatch.setattr(parallel.MemberLoop, "commit_if_due", commit)

        resumed = _import(ctx, data, commit_every=25, workers=workers, resume=True)
        ctx.session.commit()
        return resumed, _table_rows(ctx, engine)


def test_stopped_import_resumes_with_workers(
    migrated_databases: MigratedDatabases, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = interchange_text(_members()).encode("ascii")

    alone, alone_rows = _stopped_and_resumed(migrated_databases, monkeypatch, data, 0)
    with_workers, worker_rows = _stopped_and_resumed(migrated_databases, monkeypatch, data, 2)

    assert "import.resumed" in {warning.code for warning in with_workers.report.warnings}
    assert _report(with_workers) == _report(alone)
    for table in WRITTEN_TABLES:
        assert worker_rows[table] == alone_rows[table], table


def test_resumed_import_acknowledges_every_loop(
    migrated_databases: MigratedDatabases, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The resumed run reads again the loops before its last commit, for the 999 and the
    # report, and reports each rejection and warning once.
    data = _with_reader_findings(interchange_text(_members())).encode("ascii")
    with _fresh_context(migrated_databases) as (ctx, _):
        straight = _import(ctx, data, commit_every=25, workers=2)
        ctx.session.commit()

    resumed, _ = _stopped_and_resumed(migrated_databases, monkeypatch, data, 2)

    assert resumed.acknowledgment == straight.acknowledgment
    # The resumed run adds one warning: that it resumed.
    assert resumed.report.counts - straight.report.counts == {"warnings": 1}
    assert straight.report.counts - resumed.report.counts == {}
    assert sorted(_rejected_members(resumed)) == sorted(_rejected_members(straight))
    qualifier = FindingCode.UNKNOWN_QUALIFIER.value
    assert [warning.code for warning in resumed.report.warnings].count(qualifier) == 1


def _rejected_members(result: ImportResult) -> list[tuple[str | None, str]]:
    return [(rejection.subscriber_id, rejection.code) for rejection in result.report.rejections]


def test_workers_exit_without_reader(
    migrated_databases: MigratedDatabases, monkeypatch: pytest.MonkeyPatch
) -> None:
    # When the importing process is killed, its pipe ends close and nothing reads the pipes.
    # A worker that still held a reading end (its own or another worker's) would then block
    # on a full pipe instead of failing to send and exiting.
    left_running: list[str] = []

    def stops_reading(loop: Any, chunks: Any, receivers: list[Any]) -> None:
        for receiver in receivers:
            receiver.close()
        for process in multiprocessing.active_children():
            if process.name.startswith("premia-834-worker"):
                process.join(timeout=STOPPED_WORKER_SECONDS)
                if process.is_alive():
                    left_running.append(process.name)
        raise RuntimeError("import stopped")

    monkeypatch.setattr(parallel, "_write_chunks", stops_reading)
    # Chunks large enough that a worker's plans fill a pipe's buffer.
    members = [row for number in range(1, 401) for row in _family(number, dependents=2)]
    data = interchange_text(members).encode("ascii")

    with _fresh_context(migrated_databases) as (ctx, _), pytest.raises(RuntimeError):
        _import(ctx, data, workers=2, chunk_members=120)

    assert left_running == []


class TickingClock:
    """A clock one second later at each reading, so rows written later carry later times."""

    def __init__(self, start: datetime) -> None:
        self.instant = start

    def now(self) -> datetime:
        self.instant += timedelta(seconds=1)
        return self.instant


def _with_policy_id(family: list[Member834], policy_id: str) -> list[Member834]:
    subscriber = family[0]._replace(coverages=(coverage(exchange_policy_id=policy_id),))
    return [subscriber, *family[1:]]


def _new_families(numbers: range) -> list[Member834]:
    return [row for number in numbers for row in _family(number, dependents=1)]


def test_worker_view_out_of_date(migrated_databases: MigratedDatabases) -> None:
    # Family 601 shares an Exchange policy id with family 600 in the other worker's chunk, so
    # its batch is refused and it is rejected. Resent later with its own policy id, the
    # worker that claimed it still keeps its member ID claimed, and leaves it to the importing process.
    members = _new_families(range(1, 100))
    members[60:60] = _with_policy_id(_family(601, dependents=1), "X-601")
    members[38:38] = _with_policy_id(_family(601, dependents=1), "X-SHARED")
    members[24:24] = _with_policy_id(_family(600, dependents=1), "X-SHARED")
    data = interchange_text(members).encode("ascii")

    alone, with_workers, alone_rows, worker_rows = _run_both(migrated_databases, data)

    assert with_workers.report.workers == 2
    assert _report(with_workers) == _report(alone)
    for table in WRITTEN_TABLES:
        assert worker_rows[table] == alone_rows[table], table
    assert alone.report.counts["members_rejected"] == 2


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_failed_batch_applied_by_member(migrated_databases: MigratedDatabases, engine_name: str) -> None:
    # S0601 is created on the per-member path (its HD line is a change), then sent again as a
    # plain addition in the same chunk. That batch's insert fails on the member ID, and its
    # members are applied one by one, with or without workers. On PostgreSQL the ids come
    # from sequences, so reserving them twice would shift every later id.
    first = member("S0601", ssn=_ssn(601), coverages=(coverage(maintenance=MaintenanceType.CHANGE),))
    members = _new_families(range(1, 100))
    members[38:38] = _family(601, dependents=0, ssn=_ssn(999))
    members[37:37] = [first]
    data = interchange_text(members).encode("ascii")

    alone, with_workers, alone_rows, worker_rows = _run_both(migrated_databases, data, engine_name)

    assert with_workers.report.workers == 2
    assert _report(with_workers) == _report(alone)
    for table in WRITTEN_TABLES:
        assert worker_rows[table] == alone_rows[table], table


def test_prepared_rows_dated_when_written(migrated_databases: MigratedDatabases) -> None:
    # Workers prepare batches ahead of time. Their rows take the time they are written, so the
    # audit log's times follow its ids.
    data = interchange_text(_members()).encode("ascii")
    with _fresh_context(migrated_databases) as (ctx, engine):
        ctx.clock = TickingClock(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
        result = _import(ctx, data, workers=2, commit_every=25)
        ctx.session.commit()
        with engine.connect() as connection:
            times = list(connection.execute(text("SELECT occurred_at FROM audit_log ORDER BY id")).scalars())

    assert result.report.workers == 2
    assert times == sorted(times)
