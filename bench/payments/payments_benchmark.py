"""Payments benchmark: posting with allocation, a 100,000-entry NACHA file, a 100,000-line BAI2 file.

For each engine the script
1. creates a fresh database (a SQLite file, or a PostgreSQL database it creates and drops on
   127.0.0.1:5432) and migrates it. It bulk-loads N accounts, each with one policy and three
   open invoices (January to March 2026) posted to the journal as the bill run posts them;
2. posts one payment per account through ``post_payment`` (lock, allocation oldest first,
   one journal entry), committing every ``--commit-every`` payments, and reports payments
   per second;
3. imports a BAI2 report of N credits through ``import_bai2``: nine in ten are lockbox
   items (type 116) that quote an invoice number and are posted, one in ten is a wire
   (type 195) that quotes nothing known and goes to suspense;
4. puts every account on auto-draft and times ``run_autodraft``, which drafts the amount
   still due on each account and writes one NACHA file with an entry per account.

It also times ``write_nacha`` alone on N entries, without a database.

    .venv/bin/python bench/payments/payments_benchmark.py --accounts 100000 --engines sqlite postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from premia.accounts.tables import BankAccount, BillingAccount, Person  # noqa: E402
from premia.billing.tables import Invoice, InvoiceNumberSeries  # noqa: E402
from premia.enrollment.tables import Policy  # noqa: E402
from premia.formats.nacha import TransactionCode  # noqa: E402
from premia.formats.nacha.writer import Originator, OutgoingBatch, OutgoingEntry, write_nacha  # noqa: E402
from premia.infra.context import ServiceContext  # noqa: E402
from premia.infra.db import make_engine  # noqa: E402
from premia.infra.migrations_runner import upgrade  # noqa: E402
from premia.infra.settings import Environment, Settings  # noqa: E402
from premia.kernel.clock import FixedClock  # noqa: E402
from premia.ledger.tables import JournalEntry, JournalLine  # noqa: E402
from premia.payments.autodraft import run_autodraft  # noqa: E402
from premia.payments.bank_files import import_bai2  # noqa: E402
from premia.payments.model import ItemOutcome, PaymentChannel, PaymentMethod  # noqa: E402
from premia.payments.service import post_payment  # noqa: E402
from premia.staff.model import Actor  # noqa: E402

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MONTHS = (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
DUE_DATES = (date(2026, 1, 2), date(2026, 2, 2), date(2026, 3, 2))
CREATED = datetime(2025, 12, 15, 12, tzinfo=UTC)
INSERT_CHUNK = 10_000
ROUTING = "091000019"
KEY = Fernet.generate_key().decode("ascii")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000, help="accounts, each with three open invoices")
    parser.add_argument("--engines", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--commit-every", type=int, default=500, help="payments posted per transaction")
    parser.add_argument("--workdir", default="/tmp/premia-payments-bench", help="folder for SQLite files")
    parser.add_argument("--output", default=None, help="JSON file to append the results to")
    parser.add_argument("--seed", type=int, default=20260427)
    parser.add_argument("--skip", nargs="*", default=[], choices=["posting", "bai2", "autodraft"], help="phases to leave out")
    args = parser.parse_args()

    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = [{"case": "write_nacha", "entries": args.accounts, **_time_writer(args.accounts), **_machine()}]
    print(json.dumps(results[0]), flush=True)
    for engine in args.engines:
        result = run_engine(engine, args, workdir)
        results.append(result)
        print(json.dumps(result), flush=True)
    if args.output:
        with open(args.output, "a", encoding="utf-8") as handle:
            for result in results:
                handle.write(json.dumps(result) + "\n")


def run_engine(engine_name: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    url, drop = _new_database(engine_name, workdir)
    engine = make_engine(url)
    result: dict[str, Any] = {"case": "database", "engine": engine_name, "accounts": args.accounts, "open_invoices": 3 * args.accounts}
    try:
        upgrade(url)
        started = time.perf_counter()
        amounts = seed(engine, args.accounts, random.Random(args.seed))
        result["seed_seconds"] = round(time.perf_counter() - started, 1)
        if "posting" not in args.skip:
            result.update(time_posting(engine, url, amounts, args))
        if "bai2" not in args.skip:
            result.update(time_bai2(engine, url, args))
        if "autodraft" not in args.skip:
            result.update(time_autodraft(engine, url, args))
        result.update(_machine())
        return result
    finally:
        engine.dispose()
        drop()


def _context(session: Session, url: str, day: date) -> ServiceContext:
    settings = Settings(_env_file=None, environment=Environment.TEST, database_url=url, encryption_key=KEY)  # type: ignore[call-arg]
    return ServiceContext(
        session=session,
        actor=Actor.system("bench"),
        clock=FixedClock(datetime(day.year, day.month, day.day, 12, tzinfo=UTC)),
        settings=settings,
        channel="batch",
    )


def time_posting(engine: Engine, url: str, amounts: list[list[int]], args: argparse.Namespace) -> dict[str, Any]:
    """Post one payment per account: a part of, exactly, or more than its three open invoices."""
    rng = random.Random(args.seed + 1)
    payments = []
    for account_id, invoice_amounts in enumerate(amounts, start=1):
        owed = sum(invoice_amounts)
        payments.append((account_id, rng.choice([invoice_amounts[0] // 2, invoice_amounts[0], owed - 1, owed, owed + 5_000])))
    started, cpu = time.perf_counter(), time.process_time()
    applied = 0
    with Session(bind=engine, expire_on_commit=False) as session:
        ctx = _context(session, url, date(2026, 3, 10))
        for count, (account_id, cents) in enumerate(payments, start=1):
            result = post_payment(
                ctx,
                billing_account_id=account_id,
                amount_cents=cents,
                channel=PaymentChannel.MANUAL,
                method=PaymentMethod.CHECK,
                received_on=date(2026, 3, 10),
            )
            applied += result.applied_cents
            if count % args.commit_every == 0:
                session.commit()
                session.expunge_all()
        session.commit()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "posting_payments": len(payments),
        "posting_seconds": round(seconds, 1),
        "payments_per_second": round(len(payments) / seconds),
        "posting_cpu_seconds": round(cpu, 1),
        "posting_cpu_ms_per_payment": round(1000 * cpu / len(payments), 2),
    }


def time_bai2(engine: Engine, url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Import a report with one credit per account; one in ten is a wire quoting no known reference.

    The unknown credits are wires because a lockbox credit that names no account is only
    recorded, to wait for its lockbox batch, and would not exercise suspense.
    """
    rng = random.Random(args.seed + 2)
    lines = []
    for account_id in range(1, args.accounts + 1):
        known = account_id % 10
        reference = f"PRM-2026-{3 * account_id:06d}" if known else f"UNKNOWN-{account_id}"
        type_code = "116" if known else "195"
        lines.append(f"16,{type_code},{rng.randint(1_000, 90_000)},,LBX{account_id},{reference},/")
    total = sum(int(line.split(",")[2]) for line in lines)
    records = ["03,LOCKBOX01,USD,/", *lines]
    records.append(f"49,{total},{len(records) + 1}/")
    group = ["02,PREMIA,BANK,1,260427,2400,USD,2/", *records]
    group.append(f"98,{total},1,{len(group) + 1}/")
    report = ["01,BANK,PREMIA,260427,0600,BENCH,,,2/", *group]
    report.append(f"99,{total},1,{len(report) + 1}/")
    content = ("\n".join(report) + "\n").encode("ascii")

    started, cpu = time.perf_counter(), time.process_time()
    with Session(bind=engine, expire_on_commit=False) as session:
        ctx = _context(session, url, date(2026, 4, 27))
        imported = import_bai2(ctx, content, file_name="bench.bai2", as_of=date(2026, 4, 27))
        session.commit()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "bai2_lines": len(lines),
        "bai2_seconds": round(seconds, 1),
        "bai2_lines_per_second": round(len(lines) / seconds),
        "bai2_cpu_seconds": round(cpu, 1),
        "bai2_cpu_ms_per_line": round(1000 * cpu / len(lines), 2),
        "bai2_posted": imported.count(ItemOutcome.POSTED),
        "bai2_suspense": imported.count(ItemOutcome.SUSPENSE),
    }


def time_autodraft(engine: Engine, url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Put every account on auto-draft with a bank account, then run the draft for 2026-03-31."""
    with Session(bind=engine) as session:
        ctx = _context(session, url, date(2026, 3, 31))
        session.execute(update(BillingAccount).values(payment_method="ach_autodraft"))
        rows = [
            {
                "billing_account_id": account_id,
                "holder_name": f"Bench Payer {account_id}",
                "routing_number": ROUTING,
                "account_number_ciphertext": ctx.cipher.encrypt(f"{1_000_000 + account_id}"),
                "account_last4": f"{account_id % 10_000:04d}",
                "account_type": "checking",
                "status": "active",
                "authorization_method": "paper",
                "sec_code": "PPD",
                "authorized_by": "bench",
                "authorized_at": CREATED,
                "recorded_by": "bench",
            }
            for account_id in range(1, args.accounts + 1)
        ]
        for chunk in _chunks(rows):
            session.execute(BankAccount.__table__.insert(), chunk)
        session.commit()

    started, cpu = time.perf_counter(), time.process_time()
    with Session(bind=engine, expire_on_commit=False) as session:
        ctx = _context(session, url, date(2026, 3, 31))
        report = run_autodraft(ctx, as_of=date(2026, 3, 31))
        session.commit()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "autodraft_entries": len(report.entries),
        "autodraft_seconds": round(seconds, 1),
        "autodraft_entries_per_second": round(len(report.entries) / seconds) if report.entries else 0,
        "autodraft_cpu_seconds": round(cpu, 1),
        "autodraft_cpu_ms_per_entry": round(1000 * cpu / len(report.entries), 2) if report.entries else 0,
        "autodraft_file_bytes": len(report.content or ""),
    }


def _time_writer(count: int) -> dict[str, Any]:
    originator = Originator("091000019", "DEMO ODFI", "1234567890", "PREMIA DEMO", "PREMIA DEMO", "1234567890", "091000019")
    entries = [
        OutgoingEntry(TransactionCode.CHECKING_DEBIT, ROUTING, f"{1_000_000 + index}", 10_000 + index, f"PRM-2026-{index:06d}", f"Bench Payer {index}")
        for index in range(1, count + 1)
    ]
    started = time.perf_counter()
    content = write_nacha(
        originator=originator,
        batches=[OutgoingBatch("PREMIUM", date(2026, 4, 1), entries)],
        created_at=datetime(2026, 3, 31, 12, tzinfo=UTC),
    )
    seconds = time.perf_counter() - started
    return {"write_seconds": round(seconds, 2), "entries_per_second": round(count / seconds), "file_bytes": len(content)}


def seed(engine: Engine, accounts: int, rng: random.Random) -> list[list[int]]:
    """Write persons, accounts, policies, 3 invoices per account and their journal entries; return the amounts."""
    amounts: list[list[int]] = []
    people, billing, policies, invoices, entries, lines = [], [], [], [], [], []
    for index in range(1, accounts + 1):
        people.append(
            {"id": index, "member_id": f"B{index:09d}", "first_name": "Pat", "last_name": f"Bench{index}", "birth_date": date(1980, 1, 1),
             "sex": "U", "created_at": CREATED, "updated_at": CREATED}
        )  # fmt: skip
        billing.append(
            {"id": index, "account_number": f"BA-{index:06d}", "kind": "individual", "status": "open", "legal_entity": "MAIN",
             "holder_key": f"person:{index}", "person_id": index, "payment_method": "invoice", "payment_mode": "monthly",
             "delivery": "paper", "language": "en", "due_day": 1, "created_at": CREATED, "updated_at": CREATED}
        )  # fmt: skip
        policies.append(
            {"id": index, "policy_number": f"P-{index:07d}", "billing_account_id": index, "subscriber_person_id": index,
             "plan_id": "OFFVA-SILVER", "rating_area": "VA-1", "market": "individual", "on_exchange": False, "state": "VA",
             "status": "active", "effective_date": MONTHS[0], "source": "staff", "created_at": CREATED, "updated_at": CREATED}
        )  # fmt: skip
        account_amounts = []
        for month_index, (month, due) in enumerate(zip(MONTHS, DUE_DATES, strict=True)):
            invoice_id = 3 * (index - 1) + month_index + 1
            cents = rng.randint(20_000, 150_000)
            account_amounts.append(cents)
            invoices.append(
                {"id": invoice_id, "invoice_number": f"PRM-2026-{invoice_id:06d}", "legal_entity": "MAIN", "billing_account_id": index,
                 "period_start": month, "period_end": month.replace(day=28), "issue_date": date(2025, 12, 15), "due_date": due,
                 "previous_balance_cents": 0, "payments_since_cents": 0, "current_charges_cents": cents, "adjustments_cents": 0,
                 "credits_applied_cents": 0, "amount_due_cents": cents, "gross_premium_cents": cents, "aptc_cents": 0, "created_at": CREATED}
            )  # fmt: skip
            entries.append(
                {"id": invoice_id, "entry_date": date(2025, 12, 15), "posted_at": CREATED, "kind": "invoice",
                 "reference": f"PRM-2026-{invoice_id:06d}", "billing_account_id": index, "posted_by": "bench"}
            )  # fmt: skip
            lines.append(
                {"entry_id": invoice_id, "ledger_account": "1100", "amount_cents": cents, "billing_account_id": index, "invoice_id": invoice_id,
                 "invoice_line_id": invoice_id, "policy_id": index, "person_id": index, "coverage_month": month}
            )  # fmt: skip
            lines.append(
                {"entry_id": invoice_id, "ledger_account": "4000", "amount_cents": -cents, "billing_account_id": None, "invoice_id": invoice_id,
                 "invoice_line_id": None, "policy_id": None, "person_id": None, "coverage_month": None}
            )  # fmt: skip
        amounts.append(account_amounts)

    with engine.begin() as connection:
        for table, rows in (
            (Person.__table__, people),
            (BillingAccount.__table__, billing),
            (Policy.__table__, policies),
            (Invoice.__table__, invoices),
            (JournalEntry.__table__, entries),
            (JournalLine.__table__, lines),
        ):
            for chunk in _chunks(rows):
                connection.execute(table.insert(), chunk)
        connection.execute(InvoiceNumberSeries.__table__.insert(), [{"legal_entity": "MAIN", "prefix": "PRM", "next_number": 3 * accounts + 1}])
        if engine.dialect.name == "postgresql":
            for table in ("persons", "billing_accounts", "policies", "invoices", "journal_entries"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
            connection.execute(text("ANALYZE"))
    return amounts


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), INSERT_CHUNK):
        yield rows[start : start + INSERT_CHUNK]


def _new_database(engine_name: str, workdir: Path) -> tuple[str, Any]:
    tag = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
    if engine_name == "sqlite":
        path = workdir / f"payments_{tag}.db"
        return f"sqlite:///{path}", lambda: [candidate.unlink(missing_ok=True) for candidate in workdir.glob(f"payments_{tag}.db*")]
    admin_url = make_url(os.environ.get("BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL))
    name = f"premia_payments_bench_{tag}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


def _machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


if __name__ == "__main__":
    main()
