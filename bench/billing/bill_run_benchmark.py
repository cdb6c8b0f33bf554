"""Bill-run benchmark: the bill run against the raw cost of writing the rows it writes.

For each engine and size the script
1. creates a fresh database (a SQLite file, or a PostgreSQL database it creates and drops on
   127.0.0.1:5432), migrates it, bulk-loads N policies (``seed_data``) and clones it;
2. runs ``run_billing`` for one as-of date on the first copy and commits, timing it and
   taking the process's peak resident memory;
3. exports every row the run wrote (invoices, invoice lines, journal entries and lines,
   notices) and writes the same rows into the clone with the engine's fastest bulk path:
   ``COPY FROM STDIN`` on PostgreSQL, one transaction of ``executemany`` on SQLite;
4. prints the ratio of the two times and writes the figures as JSON.

Each phase runs in its own process, so the memory figure is the bill run's alone.

    .venv/bin/python bench/billing/bill_run_benchmark.py --policies 100000 --engines sqlite postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seed_data import AS_OF, COLUMNS, TABLE_ORDER, bench_catalog, seed_batches
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
WRITTEN_TABLES = ("invoices", "invoice_lines", "journal_entries", "journal_lines", "notices")
EXPORT_CHUNK = 50_000
SQLITE_PRAGMAS = ("PRAGMA foreign_keys = ON", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, nargs="+", default=[100_000], help="numbers of policies to run, for example 100000 1000000")
    parser.add_argument("--engines", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--chunk-size", type=int, default=2000, help="accounts per bill-run chunk")
    parser.add_argument("--workdir", default="/tmp/premia-bill-run-bench", help="folder for SQLite files and exported rows")
    parser.add_argument("--output", default=None, help="JSON file to append the results to")
    parser.add_argument("--seed", type=int, default=20260615)
    parser.add_argument("--keep", action="store_true", help="keep the databases and files afterwards")
    args = parser.parse_args()

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for policies in args.policies:
        for engine in args.engines:
            result = run_case(engine, policies, args, workdir)
            results.append(result)
            print(json.dumps(result, indent=2), flush=True)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as handle:
            for result in results:
                handle.write(json.dumps(result) + "\n")


def run_case(engine: str, policies: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    tag = f"{policies}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    billed_url, raw_url = _database_urls(engine, tag, workdir)
    case = {"billed_url": billed_url, "raw_url": raw_url, "policies": policies, "seed": args.seed, "chunk_size": args.chunk_size}
    export_dir = workdir / f"export_{tag}"
    try:
        prepared = _phase("prepare", case)
        billed = _phase("billrun", case)
        _phase("export", {**case, "export_dir": str(export_dir)})
        raw = _phase("raw", {**case, "export_dir": str(export_dir)})
    finally:
        if not args.keep:
            _drop(engine, billed_url, raw_url)
            shutil.rmtree(export_dir, ignore_errors=True)
    return {
        "engine": engine,
        "policies": policies,
        "members": prepared["members"],
        "chunk_size": args.chunk_size,
        "seed_seconds": prepared["seconds"],
        "bill_run_seconds": billed["seconds"],
        "bill_run_cpu_seconds": billed["cpu_seconds"],
        "bill_run_peak_rss_mb": billed["peak_rss_mb"],
        "rss_before_run_mb": billed["rss_before_mb"],
        "invoices": billed["invoices"],
        "rows_written": raw["rows"],
        "raw_write_seconds": raw["seconds"],
        "raw_write_cpu_seconds": raw["cpu_seconds"],
        "ratio": round(billed["seconds"] / raw["seconds"], 2),
        "rating_cache": billed["rating_cache"],
        "python": platform.python_version(),
        "load_average_after": [round(value, 1) for value in os.getloadavg()],
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _database_urls(engine: str, tag: str, workdir: Path) -> tuple[str, str]:
    if engine == "sqlite":
        return f"sqlite:///{workdir / f'billed_{tag}.db'}", f"sqlite:///{workdir / f'raw_{tag}.db'}"
    admin = make_url(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL))
    return (
        admin.set(database=f"premia_bench_billed_{tag}").render_as_string(hide_password=False),
        admin.set(database=f"premia_bench_raw_{tag}").render_as_string(hide_password=False),
    )


def _phase(name: str, options: dict[str, Any]) -> dict[str, Any]:
    """Run one phase in a fresh interpreter and return the JSON it prints last."""
    completed = subprocess.run(
        [sys.executable, __file__, "--phase", name, json.dumps(options)],
        check=True,
        capture_output=True,
        text=True,
    )
    if completed.stderr.strip():
        print(completed.stderr, file=sys.stderr)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _admin_engine(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _drop(engine: str, billed_url: str, raw_url: str) -> None:
    if engine == "sqlite":
        for url in (billed_url, raw_url):
            path = Path(make_url(url).database or "")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin = _admin_engine(billed_url)
    with admin.connect() as connection:
        for url in (billed_url, raw_url):
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


# Phases, each run in its own process.


def phase_prepare(options: dict[str, Any]) -> dict[str, Any]:
    from premia.billing.bulk import PostgresBulkWriter, SqliteBulkWriter
    from premia.infra.migrations_runner import upgrade

    billed_url = options["billed_url"]
    is_postgres = billed_url.startswith("postgresql")
    if is_postgres:
        admin = _admin_engine(billed_url)
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{make_url(billed_url).database}"'))
        admin.dispose()
    upgrade(billed_url)

    started = time.perf_counter()
    adapter = PostgresBulkWriter if is_postgres else SqliteBulkWriter
    members = 0
    with _raw_connection(billed_url) as raw:
        for batch in seed_batches(options["policies"], seed=options["seed"], adapt_date=adapter.adapt_date, adapt_timestamp=adapter.adapt_timestamp):
            for table in TABLE_ORDER:
                _write(raw, is_postgres, table, COLUMNS[table], batch.rows[table])
            members += len(batch.rows["coverage_spans"])
        if is_postgres:
            for table in TABLE_ORDER:
                raw.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM \"{table}\"))")
        raw.commit()
        if is_postgres:
            raw.autocommit = True
            raw.execute("VACUUM ANALYZE")
        else:
            raw.execute("ANALYZE")
    seconds = time.perf_counter() - started

    _clone(billed_url, options["raw_url"], is_postgres)
    return {"seconds": round(seconds, 2), "members": members}


def phase_billrun(options: dict[str, Any]) -> dict[str, Any]:
    from premia.billing.rating_cache import RatingCache
    from premia.billing.service import run_billing
    from premia.infra.context import ServiceContext
    from premia.infra.db import make_engine, make_session_factory
    from premia.infra.settings import Settings
    from premia.kernel.clock import FixedClock
    from premia.staff.model import Actor

    catalog = bench_catalog()
    engine = make_engine(options["billed_url"])
    factory = make_session_factory(engine)
    settings = Settings(_env_file=None, database_url=options["billed_url"])  # type: ignore[call-arg]
    rss_before = _peak_rss_mb()
    caches: list[RatingCache] = []
    original_init = RatingCache.__init__

    def remember_cache(self: RatingCache, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        caches.append(self)

    RatingCache.__init__ = remember_cache  # type: ignore[method-assign]

    started = time.perf_counter()
    cpu_started = time.process_time()
    with factory() as session, session.begin():
        ctx = ServiceContext(
            session=session,
            actor=Actor.system("bench"),
            clock=FixedClock(datetime(AS_OF.year, AS_OF.month, AS_OF.day, 6, 0, tzinfo=UTC)),
            settings=settings,
            channel="batch",
        )
        report = run_billing(ctx, catalog=catalog, as_of=AS_OF, chunk_size=options["chunk_size"])
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    engine.dispose()
    cache = caches[0] if caches else None
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "peak_rss_mb": _peak_rss_mb(),
        "rss_before_mb": rss_before,
        "invoices": report.issued,
        "failed": report.failed,
        "rating_cache": {"hits": cache.hits, "misses": cache.misses} if cache else None,
    }


def phase_export(options: dict[str, Any]) -> dict[str, Any]:
    billed_url = options["billed_url"]
    export_dir = Path(options["export_dir"])
    export_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    with _raw_connection(billed_url) as raw:
        for table in ("bill_runs", *WRITTEN_TABLES):
            path = export_dir / table
            if billed_url.startswith("postgresql"):
                with open(path, "wb") as handle, raw.cursor() as cursor:
                    with cursor.copy(f'COPY (SELECT * FROM "{table}" ORDER BY id) TO STDOUT') as copy:
                        for data in copy:
                            handle.write(data)
                counts[table] = raw.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            else:
                cursor = raw.execute(f'SELECT * FROM "{table}" ORDER BY id')
                counts[table] = 0
                with open(path, "wb") as handle:
                    while rows := cursor.fetchmany(EXPORT_CHUNK):
                        pickle.dump(rows, handle, protocol=pickle.HIGHEST_PROTOCOL)
                        counts[table] += len(rows)
    return {"rows": counts}


def phase_raw(options: dict[str, Any]) -> dict[str, Any]:
    raw_url = options["raw_url"]
    export_dir = Path(options["export_dir"])
    is_postgres = raw_url.startswith("postgresql")
    counts = {}
    with _raw_connection(raw_url) as raw:
        # The bill run's own record comes first and is not timed: invoices refer to it.
        counts["bill_runs"] = _load_table(raw, is_postgres, "bill_runs", export_dir / "bill_runs")[1]
        raw.commit()
        if not is_postgres:
            raw.execute("BEGIN IMMEDIATE")
        seconds = 0.0
        cpu_started = time.process_time()
        for table in WRITTEN_TABLES:
            spent, rows = _load_table(raw, is_postgres, table, export_dir / table)
            seconds += spent
            counts[table] = rows
        started = time.perf_counter()
        raw.commit()
        seconds += time.perf_counter() - started
        # Includes reading the exported chunks, so it is a little above the writes alone.
        cpu_seconds = time.process_time() - cpu_started
    counts.pop("bill_runs")
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2), "rows": counts}


def _load_table(raw: Any, is_postgres: bool, table: str, path: Path) -> tuple[float, int]:
    """Write an exported table; return the seconds spent in the database calls and the row count."""
    if is_postgres:
        started = time.perf_counter()
        with open(path, "rb") as handle, raw.cursor() as cursor, cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
            while data := handle.read(1 << 20):
                copy.write(data)
        spent = time.perf_counter() - started
        return spent, raw.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    spent = 0.0
    count = 0
    with open(path, "rb") as handle:
        while True:
            try:
                rows = pickle.load(handle)
            except EOFError:
                break
            placeholders = ", ".join("?" for _ in rows[0])
            started = time.perf_counter()
            raw.executemany(f'INSERT INTO "{table}" VALUES ({placeholders})', rows)
            spent += time.perf_counter() - started
            count += len(rows)
    return spent, count


def _write(raw: Any, is_postgres: bool, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    column_list = ", ".join(f'"{name}"' for name in columns)
    if is_postgres:
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({column_list}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in columns)
    raw.executemany(f'INSERT INTO "{table}" ({column_list}) VALUES ({placeholders})', rows)


class _raw_connection:
    """A DBAPI connection (psycopg, or sqlite3 in an explicit transaction) to ``url``, closed on exit."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)

    def __enter__(self) -> Any:
        if self.url.get_backend_name() == "postgresql":
            import psycopg

            self.connection = psycopg.connect(
                host=self.url.host, port=self.url.port or 5432, user=self.url.username, password=self.url.password, dbname=self.url.database
            )
        else:
            self.connection = _SqliteConnection(self.url.database or "")
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()


class _SqliteConnection:
    """sqlite3 with Premia's pragmas, where ``commit`` ends the transaction that ``BEGIN IMMEDIATE`` opened."""

    def __init__(self, path: str) -> None:
        self.raw = sqlite3.connect(path, isolation_level=None)
        for pragma in SQLITE_PRAGMAS:
            self.raw.execute(pragma)
        self.raw.execute("BEGIN IMMEDIATE")

    def execute(self, statement: str, *parameters: Any) -> sqlite3.Cursor:
        return self.raw.execute(statement, *parameters)

    def executemany(self, statement: str, rows: Any) -> sqlite3.Cursor:
        return self.raw.executemany(statement, rows)

    def commit(self) -> None:
        if self.raw.in_transaction:
            self.raw.execute("COMMIT")

    def close(self) -> None:
        self.raw.close()


def _clone(billed_url: str, raw_url: str, is_postgres: bool) -> None:
    if is_postgres:
        admin = _admin_engine(billed_url)
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{make_url(raw_url).database}" TEMPLATE "{make_url(billed_url).database}"'))
        admin.dispose()
        return
    shutil.copyfile(make_url(billed_url).database or "", make_url(raw_url).database or "")


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


PHASES = {"prepare": phase_prepare, "billrun": phase_billrun, "export": phase_export, "raw": phase_raw}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--phase":
        print(json.dumps(PHASES[sys.argv[2]](json.loads(sys.argv[3]))))
    else:
        main()
