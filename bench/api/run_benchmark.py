"""Benchmark the account-summary read: GET /api/v1/accounts/{number}/billing at 50 concurrent clients.

The script creates a PostgreSQL database on BENCH_POSTGRES_URL's server (by default the local
one on 127.0.0.1:5432 with trust authentication), migrates it, writes ``--accounts`` billing
accounts with COPY (``seed_accounts.py``), and adds one staff user with a bearer token. It
starts the API with uvicorn on a free port on 127.0.0.1 in a separate process, checks one
summary against the seeded amounts, warms up, and then runs ``--clients`` clients for
``--seconds`` seconds. Each client sends one request at a time over its own keep-alive
connection, for an account drawn at random, and the script records every request's latency.
The database is dropped at the end unless ``--keep`` is given.

Every summary read is also an audited read of member data, so each request writes one audit
row, as in production.

Usage (from the repository root): python -m bench.api.run_benchmark [--accounts 100000] [--clients 50]
                                  [--seconds 60] [--workers 1] [--json RESULTS.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.api.seed_accounts import seed
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine
from premia.infra.migrations_runner import upgrade
from premia.infra.settings import Environment, Settings
from premia.kernel.clock import FixedClock
from premia.staff import service as staff
from premia.staff.model import Actor
from premia.staff.permissions import Role

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
WARM_UP_SECONDS = 5
SERVER_START_SECONDS = 60
# Account 2 has a spouse: 488.80 + 473.20 = 962.00 owed for March, paid through February.
CHECK_ACCOUNT = "BA-0000002"
REPOSITORY = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000, help="Billing accounts to seed.")
    parser.add_argument("--clients", type=int, default=50, help="Concurrent clients.")
    parser.add_argument("--seconds", type=float, default=60.0, help="Length of the measured run in seconds.")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes.")
    parser.add_argument("--keep", action="store_true", help="Keep the database instead of dropping it.")
    parser.add_argument("--json", type=Path, help="Write the results to this file as JSON.")
    args = parser.parse_args()

    name = f"premia_bench_api_{uuid.uuid4().hex[:8]}"
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    key = Fernet.generate_key().decode("ascii")
    _create_database(name)
    try:
        results = run(url, key, args)
    finally:
        if not args.keep:
            _drop_database(name)
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def run(url: str, key: str, args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    upgrade(url)
    migrated = time.perf_counter()
    with psycopg.connect(_libpq_url(url)) as connection:
        counts = seed(connection, args.accounts)
    seeded = time.perf_counter()
    token = _token(url, key)
    with tempfile.TemporaryDirectory(prefix="premia-bench-api-") as folder:
        port = _free_port()
        server = _start_server(url, key, port, Path(folder), args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(base)
            check = _check_summary(base, token)
            asyncio.run(_load(base, token, args.accounts, args.clients, WARM_UP_SECONDS))
            load_before = os.getloadavg()
            cpu_before = _process_tree_cpu_seconds(server.pid)
            latencies, errors, elapsed = asyncio.run(_load(base, token, args.accounts, args.clients, args.seconds))
            server_cpu = _process_tree_cpu_seconds(server.pid) - cpu_before
            load_after = os.getloadavg()
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "accounts": args.accounts,
        "rows": counts,
        "setup_seconds": {"migrate": round(migrated - started, 1), "seed": round(seeded - migrated, 1)},
        "clients": args.clients,
        "workers": args.workers,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "errors": errors,
        "throughput_per_second": round(len(latencies) / elapsed, 1),
        "latency_ms": {"p50": _percentile(latencies, 50), "p99": _percentile(latencies, 99), "max": round(max(latencies) * 1000, 1)},
        "server_cpu_ms_per_request": round(server_cpu * 1000 / max(len(latencies), 1), 1),
        "load_average": {"before": [round(value, 2) for value in load_before], "after": [round(value, 2) for value in load_after]},
        "check": check,
        "machine": {
            "python": platform.python_version(),
            "processor": _processor(),
            "cpus": os.cpu_count(),
            "postgresql": _server_version(url),
        },
    }


async def _load(base: str, token: str, accounts: int, clients: int, seconds: float) -> tuple[list[float], int, float]:
    """Run ``clients`` clients for ``seconds``; return the latencies of successful requests, the error count and the time taken."""
    latencies: list[float] = []
    errors = 0
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    deadline = started + seconds

    async def client(number: int) -> None:
        nonlocal errors
        rng = random.Random(number)
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30.0) as session:
            while time.perf_counter() < deadline:
                account = f"BA-{rng.randint(1, accounts):07d}"
                sent = time.perf_counter()
                response = await session.get(f"/api/v1/accounts/{account}/billing")
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - sent)
                else:
                    errors += 1

    await asyncio.gather(*(client(number) for number in range(clients)))
    return latencies, errors, time.perf_counter() - started


def _check_summary(base: str, token: str) -> dict[str, Any]:
    """Read one summary and check it against the seeded amounts, so the benchmark reads real data."""
    response = httpx.get(f"{base}/api/v1/accounts/{CHECK_ACCOUNT}/billing", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    response.raise_for_status()
    summary = response.json()
    expected = {"balance": "962.00", "paid_through": "2026-02-28", "invoices": 3}
    found = {
        "balance": summary["balance"]["amount"],
        "paid_through": summary["policies"][0]["paid_through"],
        "invoices": len(summary["invoices"]),
    }
    if found != expected:
        raise SystemExit(f"summary of {CHECK_ACCOUNT} is {found}, expected {expected}")
    return found


def _token(url: str, key: str) -> str:
    settings = _settings(url, key)
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            ctx = ServiceContext(
                session=session, actor=Actor.system("bench"), clock=FixedClock(datetime.now(UTC)), settings=settings, channel="bench"
            )
            user = staff.add_user(ctx, username="bench-csr", display_name="Benchmark CSR", role=Role.CSR, password=uuid.uuid4().hex)
            return staff.start_session(ctx, user, kind="api", hours=24)
    finally:
        engine.dispose()


def _settings(url: str, key: str) -> Settings:
    return Settings(_env_file=None, environment=Environment.TEST, database_url=url, encryption_key=key)  # type: ignore[call-arg]


def _start_server(url: str, key: str, port: int, folder: Path, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("PREMIA_")},
        "PREMIA_ENVIRONMENT": "test",
        "PREMIA_DATABASE_URL": url,
        "PREMIA_ENCRYPTION_KEY": key,
        "PREMIA_LOG_LEVEL": "WARNING",
        "PREMIA_DOCUMENTS_DIR": str(folder / "documents"),
        "BENCH_JOBS_DIR": str(folder / "jobs"),
    }
    command = [
        sys.executable, "-m", "uvicorn", "bench.api.server:app", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    # From the repository root, so that uvicorn can import bench.api.server.
    return subprocess.Popen(command, env=env, cwd=REPOSITORY)


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/openapi.json", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the API server on {base} did not start within {SERVER_START_SECONDS} s")


def _process_tree_cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process and its children (the uvicorn workers), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
            # Split after the command name, the list starts at field 3 (state). utime and stime are
            # fields 14 and 15 of /proc/PID/stat, see proc(5).
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text(encoding="ascii").split())
        except FileNotFoundError:
            continue
    return total


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _percentile(latencies: list[float], percent: int) -> float:
    ordered = sorted(latencies)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered)) - 1))
    return round(ordered[index] * 1000, 1)


def _create_database(name: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _drop_database(name: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _server_version(url: str) -> str:
    with psycopg.connect(_libpq_url(url)) as connection:
        return str(connection.execute("SHOW server_version").fetchone()[0])


def _processor() -> str:
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


if __name__ == "__main__":
    main()
