"""Measure how much a second process speeds up 834 imports on this machine, on SQLite.

The script times one import of a generated file of new families, then two imports of the
same file started together in two processes, each into its own SQLite database. The
second figure is the most any split of one import over two processes could reach here:
a real split would also pay to pass members or rows between the processes, and the two
would share one database's write lock.

"Speed-up" is the members both processes imported per second of wall time, divided by
the members one process imports per second alone. It would be 2.0 if the two cores
worked as fast together as one does alone.

Usage (from the repository root): python -m bench.enrollment.two_processes [--members 50000]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.enrollment.generate_834 import generate
from bench.enrollment.run_import import empty_database, machine, timed_import


def import_when_started(folder: Path, path: Path, start: Any, results: Any) -> None:
    """Prepare an empty database, wait at ``start`` for the others, then import ``path``."""
    with empty_database("sqlite", folder) as url:
        start.wait()
        results.put(timed_import(url, path, tr3=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50_000, help="Members in each process's file.")
    arguments = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="premia-bench-") as folder_name:
        folder = Path(folder_name)
        path = folder / "enrollment.834"
        path.write_text(generate(arguments.members), encoding="ascii")
        with empty_database("sqlite", folder) as url:
            alone = timed_import(url, path, tr3=False)

        # Both processes migrate their database and load the catalog before the barrier.
        start = context.Barrier(3)
        results = context.Queue()
        workers = [
            context.Process(target=import_when_started, args=(folder, path, start, results)) for _ in range(2)
        ]
        for worker in workers:
            worker.start()
        start.wait()
        started = time.perf_counter()
        together = [results.get() for _ in workers]
        wall = time.perf_counter() - started
        for worker in workers:
            worker.join()

    members = sum(result["applied"] for result in together)
    report = {
        "machine": machine(),
        "members_per_process": arguments.members,
        "alone": {"seconds": alone["seconds"], "cpu_seconds": alone["cpu_seconds"]},
        "together": {
            "wall_seconds": round(wall, 2),
            "cpu_seconds": [result["cpu_seconds"] for result in together],
            "members_per_second": round(members / wall),
        },
        "speed_up": round((members / wall) / alone["members_per_second"], 2),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
