"""Benchmark the 834 import: members per second on SQLite and PostgreSQL, with and without TR3.

For each engine the script creates an empty database: a temporary SQLite file, or a
PostgreSQL database on the server at BENCH_POSTGRES_URL (by default the local one on
127.0.0.1:5432 with trust authentication), which is dropped afterwards. It migrates the
database, loads the demo catalog, and times ``import_834`` on a generated file of new
family enrollments, as `premia import 834` runs it (commits every 5,000 members, bulk
path on, a worker process per CPU), and again in one process (``workers`` 0).

Full TR3 validation (pyx12) is far slower than the import, so it is timed on a smaller
file (``--tr3-members``), once through the import and once on its own.

The script also times a plain parse of the large file (split into segments and elements),
which gives the speed of the machine it runs on, and reports each import without TR3 as a
share of that rate.

Usage (from the repository root): python -m bench.enrollment.run_import [--members 100000] [--tr3-members 2000]
                                  [--engines sqlite postgresql] [--workers N] [--json RESULTS.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.enrollment.generate_834 import DEMO_CATALOG, generate
from premia.accounts.tables import Person
from premia.catalog.service import load_catalog
from premia.enrollment.tables import CoverageSpan, Policy
from premia.importers.enrollment import ImportOptions, default_workers, import_834
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine
from premia.infra.migrations_runner import upgrade
from premia.infra.settings import Environment, Settings
from premia.kernel.clock import FixedClock
from premia.staff.model import Actor
from premia.staff.permissions import Role

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
COMMIT_EVERY = 5_000
# Receipt a few weeks before the coverage starts, as for an open-enrollment file.
RECEIVED = datetime(2025, 12, 10, 12, 0, tzinfo=UTC)


@contextmanager
def empty_database(engine_name: str, folder: Path) -> Iterator[str]:
    """Yield the URL of a new migrated database; a PostgreSQL one is dropped afterwards."""
    if engine_name == "sqlite":
        url = f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        upgrade(url)
        yield url
        return
    admin_url = make_url(POSTGRES_URL)
    name = f"premia_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed_import(url: str, path: Path, *, tr3: bool, workers: int = 0) -> dict[str, Any]:
    """Load the demo catalog, then import ``path`` and return the timing and the row counts."""
    engine = make_engine(url)
    settings = Settings(
        _env_file=None,
        environment=Environment.TEST,
        database_url=url,
        encryption_key=Fernet.generate_key().decode("ascii"),
        time_zone="America/New_York",
    )  # type: ignore[call-arg]
    try:
        with Session(engine, expire_on_commit=False) as session:
            ctx = ServiceContext(
                session=session,
                actor=Actor(None, "bench", Role.ADMIN),
                clock=FixedClock(RECEIVED),
                settings=settings,
                channel="batch",
            )
            load_catalog(ctx, DEMO_CATALOG)
            session.commit()

            started = time.perf_counter()
            cpu_started = _cpu_seconds()
            options = ImportOptions(tr3=tr3, commit_every=COMMIT_EVERY, workers=workers)
            result = import_834(ctx, path, options=options)
            session.commit()
            seconds = time.perf_counter() - started
            cpu_seconds = _cpu_seconds() - cpu_started

            counts = {
                name: session.scalar(select(func.count()).select_from(table))
                for name, table in (
                    ("persons", Person),
                    ("policies", Policy),
                    ("coverage_spans", CoverageSpan),
                )
            }
    finally:
        engine.dispose()
    report = result.report
    members = report.counts["members_applied"]
    return {
        "members": report.counts["members_received"],
        "workers": report.workers,
        "applied": members,
        "rejected": report.counts["members_rejected"],
        "rating_differences": report.counts["rating_differences"],
        "seconds": round(seconds, 2),
        "members_per_second": round(members / seconds),
        # The importing process's own CPU time, without the PostgreSQL server's; it shows
        # how much of the wall time other load on the machine took.
        "cpu_seconds": round(cpu_seconds, 2),
        "members_per_cpu_second": round(members / cpu_seconds),
        "rows": counts,
    }


def _cpu_seconds() -> float:
    """Return the CPU time of this process and of its workers that have finished."""
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + workers.ru_utime + workers.ru_stime


def timed_tr3(path: Path) -> dict[str, Any]:
    from premia.formats.x12 import validate_tr3

    content = path.read_text(encoding="ascii")
    started = time.perf_counter()
    findings = validate_tr3(content, "005010X220A1")
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "findings": len(findings)}


def timed_plain_parse(path: Path, members: int) -> dict[str, Any]:
    """Time the least a reader can do: split the file into segments and the segments into elements.

    The import's target of 10,000 members per second was set on a machine where a plain parse
    ran above 100,000 per second. Machines differ, so the import's rate is also reported as a
    share of this one, measured on the same machine in the same run. The best of three runs is
    kept, because it is the one least slowed by other work on the machine.
    """
    content = path.read_text(encoding="ascii")
    # ISA is fixed-width: the element separator is its fourth character, the segment terminator its 106th.
    element, terminator = content[3], content[105]
    best = float("inf")
    # The garbage collector is off meanwhile, as the import keeps it mostly out of the way:
    # its passes over millions of new lists took three quarters of the time in one run of 100,000 members.
    gc.disable()
    try:
        for _ in range(3):
            started = time.process_time()
            segments = [segment.split(element) for segment in content.split(terminator)]
            best = min(best, time.process_time() - started)
            del segments
    finally:
        gc.enable()
    return {"cpu_seconds": round(best, 3), "members_per_cpu_second": round(members / best)}


def machine() -> dict[str, str]:
    """Return the hardware and versions the figures were measured on, and the load at the start."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            cpu,
        )
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "load_average_1_5_15_min": " ".join(f"{load:.2f}" for load in os.getloadavg()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000, help="Members in the benchmark file.")
    parser.add_argument(
        "--tr3-members", type=int, default=2_000, help="Members in the file timed with TR3 validation."
    )
    parser.add_argument(
        "--engines",
        nargs="+",
        default=["sqlite", "postgresql"],
        choices=["sqlite", "postgresql"],
        help="Databases to import into (default: both).",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="Worker processes of the main import, as `premia import 834 --workers` takes them "
        "(default: the command's own default). Each engine is also timed with none.",
    )
    parser.add_argument("--json", type=Path, help="Also write the results to this JSON file.")
    arguments = parser.parse_args()

    results: dict[str, Any] = {
        "machine": machine(),
        "members": arguments.members,
        "workers": arguments.workers,
        "tr3_members": arguments.tr3_members,
    }
    with tempfile.TemporaryDirectory(prefix="premia-bench-") as folder_name:
        folder = Path(folder_name)
        big = folder / "enrollment-big.834"
        small = folder / "enrollment-small.834"
        started = time.perf_counter()
        big.write_text(generate(arguments.members), encoding="ascii")
        small.write_text(generate(arguments.tr3_members, control_number=2), encoding="ascii")
        results["generated_seconds"] = round(time.perf_counter() - started, 1)
        results["file_bytes"] = big.stat().st_size
        results["tr3_alone"] = timed_tr3(small)
        plain = timed_plain_parse(big, arguments.members)
        results["plain_parse"] = plain
        for engine_name in arguments.engines:
            for label, workers in (("without_tr3", arguments.workers), ("one_process", 0)):
                with empty_database(engine_name, folder) as url:
                    imported = timed_import(url, big, tr3=False, workers=workers)
                share = imported["members_per_second"] / plain["members_per_cpu_second"]
                imported["share_of_plain_parse"] = round(share, 3)
                results[f"{engine_name}_{label}"] = imported
            with empty_database(engine_name, folder) as url:
                results[f"{engine_name}_with_tr3"] = timed_import(url, small, tr3=True)
            # Progress goes to standard error, so standard output is one JSON document.
            print(
                json.dumps(
                    {
                        engine_name: [
                            results[f"{engine_name}_{label}"]
                            for label in ("without_tr3", "one_process", "with_tr3")
                        ]
                    }
                ),
                file=sys.stderr,
            )
    print(json.dumps(results, indent=2))
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
