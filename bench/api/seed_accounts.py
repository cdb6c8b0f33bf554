"""A PostgreSQL database of N individual billing accounts for the API benchmark, written with COPY.

Every account has a holder, half of them a spouse too, one active policy on the
off-exchange Virginia silver plan from 2026-01-01, and three monthly invoices (January,
February, March 2026) with one line per member and month. January and February are paid on
their due dates, so each account owes March and is paid through 2026-02-28. Every invoice
and payment has its balanced journal entry, in the form the bill run and payment posting
write. An invoice debits premium receivable per line and credits premium revenue. A payment
debits cash clearing and credits the receivable of each member and month it pays.

Ids are assigned here, so the rows of one account refer to each other without RETURNING,
and sequences are moved past them at the end.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import psycopg

PLAN_ID = "OFFVA-SILVER"
AREA = "VA-1"
EFFECTIVE = date(2026, 1, 1)
CREATED = datetime(2025, 12, 1, 12, 0, tzinfo=UTC)
# 400.00 x 1.222 (age 35) and 400.00 x 1.183 (age 32) on the federal default curve.
SUBSCRIBER_CENTS = 48_880
SPOUSE_CENTS = 47_320
# Invoices of January, February and March: (period start, issue date, due date as moved to a banking day).
INVOICES = (
    (date(2026, 1, 1), date(2025, 12, 15), date(2026, 1, 2)),
    (date(2026, 2, 1), date(2026, 1, 15), date(2026, 2, 2)),
    (date(2026, 3, 1), date(2026, 2, 15), date(2026, 3, 2)),
)
PAID_INVOICES = 2
RECEIVABLE = "1100"
REVENUE = "4000"
CASH_CLEARING = "1010"
CASH_ACCOUNT = "OPERATING"
POSTED_BY = "bench-seed"

COLUMNS: dict[str, tuple[str, ...]] = {
    "persons": (
        "id", "member_id", "first_name", "last_name", "birth_date", "sex", "address_returned", "email_undeliverable",
        "spoken_language", "written_language", "version", "created_at", "updated_at",
    ),
    "billing_accounts": (
        "id", "account_number", "kind", "status", "legal_entity", "holder_key", "person_id", "payment_method",
        "payment_mode", "delivery", "language", "due_day", "version", "created_at", "updated_at",
    ),
    "policies": (
        "id", "policy_number", "billing_account_id", "subscriber_person_id", "plan_id", "rating_area", "market",
        "on_exchange", "state", "status", "effective_date", "source", "version", "created_at", "updated_at",
    ),
    "coverage_spans": (
        "id", "policy_id", "person_id", "relationship", "tobacco", "aptc_eligible", "start_date", "voided",
        "created_at", "updated_at",
    ),
    "invoices": (
        "id", "invoice_number", "legal_entity", "billing_account_id", "period_start", "period_end", "issue_date", "due_date",
        "previous_balance_cents", "payments_since_cents", "current_charges_cents", "adjustments_cents",
        "credits_applied_cents", "amount_due_cents", "gross_premium_cents", "aptc_cents", "created_at",
    ),
    "invoice_lines": (
        "id", "invoice_id", "billing_account_id", "policy_id", "person_id", "coverage_month", "kind", "adjustment",
        "amount_cents", "employer_share_cents", "days_covered", "days_in_month", "description",
    ),
    "journal_entries": ("id", "entry_date", "posted_at", "kind", "reference", "description", "billing_account_id", "posted_by"),
    "journal_lines": (
        "id", "entry_id", "ledger_account", "amount_cents", "billing_account_id", "invoice_id", "invoice_line_id",
        "payment_id", "policy_id", "person_id", "coverage_month", "cash_account",
    ),
    "payments": (
        "id", "billing_account_id", "channel", "method", "amount_cents", "received_on", "status", "reference",
        "cash_account", "settled_on", "posting_entry_id", "created_by", "created_at", "updated_at",
    ),
}  # fmt: skip


@dataclass
class Ids:
    """The last id used in each table."""

    last: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))

    def next(self, table: str) -> int:
        self.last[table] += 1
        return self.last[table]


@dataclass
class Batch:
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {table: [] for table in COLUMNS})


def batches(accounts: int, *, batch_size: int = 10_000) -> Iterator[Batch]:
    """Yield the rows of ``accounts`` accounts, ``batch_size`` accounts at a time."""
    ids = Ids()
    batch = Batch()
    for index in range(1, accounts + 1):
        add_account(batch, ids, index, with_spouse=index % 2 == 0)
        if index % batch_size == 0:
            yield batch
            batch = Batch()
    if batch.rows["persons"]:
        yield batch


def add_account(batch: Batch, ids: Ids, index: int, *, with_spouse: bool) -> None:
    """Add one account's rows: holder, spouse, account, policy, spans, invoices, payments, journal."""
    rows = batch.rows
    members = [(ids.next("persons"), "subscriber", date(1990, 8, 17), SUBSCRIBER_CENTS)]
    if with_spouse:
        members.append((ids.next("persons"), "spouse", date(1993, 2, 3), SPOUSE_CENTS))
    for person_id, relationship, birth, _ in members:
        suffix = "S" if relationship == "subscriber" else "D"
        rows["persons"].append(
            (person_id, f"B{person_id:09d}{suffix}", "Pat", f"Bench{index}", birth, "U", False, False, "en", "en", 1, CREATED, CREATED)
        )
    holder = members[0][0]
    account_id = ids.next("billing_accounts")
    rows["billing_accounts"].append(
        (account_id, f"BA-{account_id:07d}", "individual", "open", "MAIN", f"person:{holder}", holder, "invoice", "monthly",
         "paper", "en", 1, 1, CREATED, CREATED)
    )  # fmt: skip
    policy_id = ids.next("policies")
    rows["policies"].append(
        (policy_id, f"P-{policy_id:07d}", account_id, holder, PLAN_ID, AREA, "individual", False, "VA", "active", EFFECTIVE,
         "staff", 1, CREATED, CREATED)
    )  # fmt: skip
    for person_id, relationship, _, _ in members:
        rows["coverage_spans"].append((ids.next("coverage_spans"), policy_id, person_id, relationship, False, True, EFFECTIVE, False, CREATED, CREATED))

    monthly = sum(cents for *_, cents in members)
    previous_due = 0
    for number, (period, issued, due) in enumerate(INVOICES):
        paid_before = monthly if number > 0 else 0
        due_now = previous_due - paid_before + monthly
        invoice_id = _invoice(batch, ids, account_id, period, issued, due, previous_due, paid_before, monthly, due_now)
        lines = [_line(batch, ids, invoice_id, account_id, policy_id, person_id, period, cents) for person_id, _, _, cents in members]
        charge = Charge(account_id, policy_id, invoice_id, period, lines, monthly)
        _invoice_entry(batch, ids, charge, issued)
        if number < PAID_INVOICES:
            _payment(batch, ids, charge, due)
        previous_due = due_now


def _invoice(
    batch: Batch, ids: Ids, account_id: int, period: date, issued: date, due: date, previous: int, paid: int, monthly: int, due_now: int
) -> int:
    invoice_id = ids.next("invoices")
    last_day = period.replace(day=calendar.monthrange(period.year, period.month)[1])
    batch.rows["invoices"].append(
        (invoice_id, f"PRM-B-{invoice_id:09d}", "MAIN", account_id, period, last_day, issued, due, previous, -paid, monthly, 0, 0,
         due_now, monthly, 0, CREATED)
    )  # fmt: skip
    return invoice_id


def _line(batch: Batch, ids: Ids, invoice_id: int, account_id: int, policy_id: int, person_id: int, month: date, cents: int) -> tuple[int, int, int]:
    line_id = ids.next("invoice_lines")
    days = calendar.monthrange(month.year, month.month)[1]
    description = f"{month:%Y-%m} premium: {cents // 100}.{cents % 100:02d} monthly"
    batch.rows["invoice_lines"].append(
        (line_id, invoice_id, account_id, policy_id, person_id, month, "premium", False, cents, 0, days, days, description)
    )
    return line_id, person_id, cents


@dataclass(frozen=True)
class Charge:
    """One month billed on one invoice: its lines as (line id, person id, cents) and their total."""

    account_id: int
    policy_id: int
    invoice_id: int
    month: date
    lines: list[tuple[int, int, int]]
    total_cents: int


def _invoice_entry(batch: Batch, ids: Ids, charge: Charge, issued: date) -> None:
    entry_id = _entry(batch, ids, charge.account_id, issued, "invoice", f"PRM-B-{charge.invoice_id:09d}")
    for line_id, person_id, cents in charge.lines:
        _receivable(batch, ids, entry_id, charge, person_id, cents, line_id=line_id)
    batch.rows["journal_lines"].append(
        (ids.next("journal_lines"), entry_id, REVENUE, -charge.total_cents, charge.account_id, charge.invoice_id, None, None, None, None, None, None)
    )


def _payment(batch: Batch, ids: Ids, charge: Charge, paid_on: date) -> None:
    payment_id = ids.next("payments")
    entry_id = _entry(batch, ids, charge.account_id, paid_on, "payment", f"CHK {payment_id}")
    for _, person_id, cents in charge.lines:
        _receivable(batch, ids, entry_id, charge, person_id, -cents, payment_id=payment_id)
    batch.rows["journal_lines"].append(
        (ids.next("journal_lines"), entry_id, CASH_CLEARING, charge.total_cents, None, None, None, payment_id, None, None, None, CASH_ACCOUNT)
    )
    batch.rows["payments"].append(
        (payment_id, charge.account_id, "manual", "check", charge.total_cents, paid_on, "settled", f"CHK {payment_id}",
         CASH_ACCOUNT, paid_on, entry_id, POSTED_BY, CREATED, CREATED)
    )  # fmt: skip


def _entry(batch: Batch, ids: Ids, account_id: int, on: date, kind: str, reference: str) -> int:
    entry_id = ids.next("journal_entries")
    batch.rows["journal_entries"].append((entry_id, on, CREATED, kind, reference, f"{kind} {reference}", account_id, POSTED_BY))
    return entry_id


def _receivable(
    batch: Batch, ids: Ids, entry_id: int, charge: Charge, person_id: int, cents: int, *, line_id: int | None = None, payment_id: int | None = None
) -> None:
    """Add a premium receivable line of one member and month: a debit when billed, a credit when paid."""
    batch.rows["journal_lines"].append(
        (ids.next("journal_lines"), entry_id, RECEIVABLE, cents, charge.account_id, charge.invoice_id, line_id, payment_id,
         charge.policy_id, person_id, charge.month, None)
    )  # fmt: skip


def seed(connection: psycopg.Connection, accounts: int) -> dict[str, int]:
    """Write the accounts' rows table by table with COPY, commit each batch, and return the row counts."""
    counts = dict.fromkeys(COLUMNS, 0)
    for batch in batches(accounts):
        for table, columns in COLUMNS.items():
            column_list = ", ".join(f'"{name}"' for name in columns)
            with connection.cursor() as cursor, cursor.copy(f'COPY "{table}" ({column_list}) FROM STDIN') as copy:
                for row in batch.rows[table]:
                    copy.write_row(row)
            counts[table] += len(batch.rows[table])
        connection.commit()
    for table in COLUMNS:
        connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM \"{table}\"))")
    connection.execute("ANALYZE")
    connection.commit()
    return counts
