"""Split the 834 import's CPU time into its steps, in microseconds per member, on SQLite.

The script imports a generated file of new families the way ``run_import`` does, with
timers around the functions that make up each step. Two timed calls are made per member
and a few per chunk, so the timers add an estimated few microseconds per member to the
total. The figures are CPU time of this process only. On PostgreSQL the server's time would
be missing, so only SQLite is offered.

Usage (from the repository root): python -m bench.enrollment.stages [--members 20000]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import default as default_engine

import premia.importers.enrollment.applier as applier_module
import premia.importers.enrollment.bulk as bulk_module
import premia.importers.enrollment.bulk_insert as bulk_insert_module
import premia.importers.enrollment.bulk_rows as bulk_rows_module
import premia.importers.enrollment.service as service_module
from bench.enrollment.generate_834 import generate
from bench.enrollment.run_import import empty_database, machine, timed_import
from premia.formats.x12 import SetMembers

# (label, object, attribute). A step's timer excludes the time of the timers inside it.
STEPS: tuple[tuple[str, Any, str], ...] = (
    ("Scanning the 834: tokens, envelope, headers, family keys of each loop", service_module, "scan_834"),
    ("Reading the member loops", SetMembers, "read_segments"),
    ("Checking and normalizing each member (intake)", applier_module.Applier, "read"),
    ("Deciding which families are new, with their look-ups", service_module, "family_keys"),
    ("Deciding which families are new, with their look-ups", bulk_module.BulkEnrollment, "prefetch"),
    ("Deciding which families are new, with their look-ups", bulk_module.BulkEnrollment, "offer"),
    ("Building the rows, SSN encryption included", bulk_rows_module.BulkWriter, "write"),
    ("Converting and grouping the rows for the driver", bulk_insert_module, "converted_columns"),
    ("SQLite inserting the rows (executemany)", default_engine.DefaultDialect, "do_executemany"),
    ("Comparing Exchange amounts with Premia's rating", bulk_module.BulkEnrollment, "_compare_amounts"),
    ("SQLite commits", default_engine.DefaultDialect, "do_commit"),
)


INSERTED_TABLE = re.compile(r"INSERT INTO (\S+)")


class StepTimer:
    """Adds up the CPU time of wrapped functions per label, minus the wrapped calls inside them.

    The inserts are also added up per table, with their row counts, because SQLite's own
    work per row is the part of the import that no change to Premia's Python code reduces.
    """

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.stack: list[float] = []
        self.table_seconds: dict[str, float] = defaultdict(float)
        self.table_rows: dict[str, int] = defaultdict(int)

    def wrap_inserts(self) -> None:
        """Time each ``executemany`` by the table it inserts into (outside the step stack)."""
        dialect = default_engine.DefaultDialect
        function = dialect.do_executemany

        def by_table(self_: Any, cursor: Any, statement: str, parameters: Any, context: Any = None) -> Any:
            started = time.process_time()
            try:
                return function(self_, cursor, statement, parameters, context)
            finally:
                found = INSERTED_TABLE.search(statement)
                table = found.group(1) if found else "other statements"
                self.table_seconds[table] += time.process_time() - started
                self.table_rows[table] += len(parameters)

        dialect.do_executemany = by_table  # type: ignore[method-assign]

    def wrap(self, label: str, owner: Any, name: str) -> None:
        function = getattr(owner, name)
        setattr(owner, name, self._timed(label, function))

    def _timed(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            self.stack.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                inner = self.stack.pop()
                spent = time.process_time() - started
                self.seconds[label] += spent - inner
                if self.stack:
                    self.stack[-1] += spent

        return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000, help="Members in the generated file.")
    arguments = parser.parse_args()

    timer = StepTimer()
    timer.wrap_inserts()
    for label, owner, name in STEPS:
        timer.wrap(label, owner, name)
    # import_834 looks scan_834 and family_keys up in its module at call time, so it calls
    # the wrapped ones although run_import imported it before the timers were set.
    with tempfile.TemporaryDirectory(prefix="premia-bench-") as folder_name:
        folder = Path(folder_name)
        path = folder / "enrollment.834"
        path.write_text(generate(arguments.members), encoding="ascii")
        with empty_database("sqlite", folder) as url:
            result = timed_import(url, path, tr3=False)

    members = result["applied"]
    total = result["cpu_seconds"]
    print(f"machine: {machine()}")
    print(f"{members} members, {total} s CPU, {result['seconds']} s wall")
    print("| Step | µs per member |")
    print("|---|---|")
    for label in dict.fromkeys(label for label, _, _ in STEPS):
        print(f"| {label} | {timer.seconds[label] / members * 1e6:.0f} |")
    rest = total - sum(timer.seconds.values())
    print(f"| The rest | {rest / members * 1e6:.0f} |")
    print(f"| Total | {total / members * 1e6:.0f} |")
    print()
    print("| Table | Rows | µs per row | µs per member |")
    print("|---|---|---|---|")
    for table, seconds in sorted(timer.table_seconds.items(), key=lambda item: -item[1]):
        rows = timer.table_rows[table]
        print(f"| {table} | {rows} | {seconds / rows * 1e6:.1f} | {seconds / members * 1e6:.1f} |")


if __name__ == "__main__":
    main()
