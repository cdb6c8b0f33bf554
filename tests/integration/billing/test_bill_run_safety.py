"""Safe to repeat: dry runs, crashes, reruns, conflicting runs, numbering, constraints, $0 invoices."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from premia.billing import issue as issue_module
from premia.billing import service as service_module
from premia.billing.queries import paid_through_dates
from premia.billing.service import OutcomeStatus, run_billing
from premia.billing.tables import BillRun, Invoice, InvoiceLine
from premia.enrollment.model import Relationship
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind, LedgerAccount, LineSpec
from premia.ledger.tables import JournalEntry, JournalLine
from premia.notices.tables import Notice
from tests.integration.conftest import story_catalog

WRITTEN_TABLES = (BillRun, Invoice, InvoiceLine, JournalEntry, JournalLine, Notice)


def _row_counts(story) -> dict[str, int]:
    session = story.ctx.session
    return {table.__tablename__: session.scalar(select(func.count()).select_from(table)) for table in WRITTEN_TABLES}


def _accounts(story, count: int, *, legal_entity: str = "MAIN"):
    made = []
    for index in range(count):
        # Born 1990-04-12: age 35 on 2026-01-01, factor 1.222: 488.80 a month.
        account = story.at(date(2025, 12, 1)).account(first_name=f"P{legal_entity}{index}", birth=date(1990, 4, 12), legal_entity=legal_entity)
        made.append((account, story.policy(account, effective=date(2026, 1, 1))))
    return made


def test_dry_run_writes_nothing(story):
    _accounts(story, 2)
    before = _row_counts(story)

    report = story.bill(date(2025, 12, 15), dry_run=True)

    assert _row_counts(story) == before
    assert [outcome.status for outcome in report.outcomes] == [OutcomeStatus.WOULD_ISSUE, OutcomeStatus.WOULD_ISSUE]
    assert report.billed_cents == 2 * 48_880
    assert [line["amount"] for line in report.outcomes[0].preview] == ["488.80"]
    assert report.run_id is None


def test_rerun_same_day_bills_nothing(story):
    (account, _), = _accounts(story, 1)
    story.bill(date(2025, 12, 15))
    counts = _row_counts(story)

    again = story.bill(date(2025, 12, 15))

    assert [outcome.status for outcome in again.outcomes] == [OutcomeStatus.ALREADY_BILLED]
    assert again.issued == 0
    # Only the second run's own record is new.
    counts["bill_runs"] += 1
    assert _row_counts(story) == counts
    assert len(story.invoices(account)) == 1


def test_crash_leaves_no_partial_invoice(story, monkeypatch):
    made = _accounts(story, 3)
    real_writer = issue_module.bulk_writer

    class CrashingWriter:
        """Writes invoices and lines, then fails before the journal lines."""

        def __init__(self, session):
            self.inner = real_writer(session)
            self.adapt_date = self.inner.adapt_date
            self.adapt_timestamp = self.inner.adapt_timestamp

        def reserve_ids(self, table, count):
            return self.inner.reserve_ids(table, count)

        def insert(self, table, columns, rows):
            if table.name == "journal_lines" and any(row[3] == made[2][0].id for row in rows):
                raise RuntimeError("simulated crash while posting")
            self.inner.insert(table, columns, rows)

    monkeypatch.setattr(issue_module, "bulk_writer", CrashingWriter)
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_billing(story.at(date(2025, 12, 15)).ctx, catalog=story.catalog, as_of=date(2025, 12, 15), chunk_size=2)

    # The first chunk of two accounts is billed; the third account's chunk left nothing behind.
    assert [len(story.invoices(account)) for account, _ in made] == [1, 1, 0]
    orphan_lines = story.ctx.session.scalar(select(func.count()).select_from(InvoiceLine).where(InvoiceLine.billing_account_id == made[2][0].id))
    assert orphan_lines == 0

    monkeypatch.setattr(issue_module, "bulk_writer", real_writer)
    report = story.bill(date(2025, 12, 15))
    assert [len(story.invoices(account)) for account, _ in made] == [1, 1, 1]
    assert report.issued == 1
    finished = story.invoices(made[2][0])[0]
    assert finished.invoice_number == "PRM-2025-000003"
    assert ledger.account_balance(story.ctx, made[2][0].id) == 48_880


def test_invoice_numbers_gapless_per_legal_entity(story):
    _accounts(story, 3)
    _accounts(story, 2, legal_entity="WEST")
    story.bill(date(2025, 12, 15))
    story.bill(date(2026, 1, 15))

    numbers = list(story.ctx.session.execute(select(Invoice.legal_entity, Invoice.invoice_number).order_by(Invoice.id)))
    main = sorted(number for entity, number in numbers if entity == "MAIN")
    west = sorted(number for entity, number in numbers if entity == "WEST")
    assert main == ["PRM-2025-000001", "PRM-2025-000002", "PRM-2025-000003", "PRM-2026-000004", "PRM-2026-000005", "PRM-2026-000006"]
    assert west == ["PRMWEST-2025-000001", "PRMWEST-2025-000002", "PRMWEST-2026-000003", "PRMWEST-2026-000004"]


def test_conflicting_run_reports_already_billed(story, monkeypatch):
    (account, _), = _accounts(story, 1)
    # A snapshot read before another run issued the invoice, as a slower run would hold.
    stale = service_module.load_snapshots(story.ctx.session, [account.id], settings=service_module.BillingSettings())
    story.bill(date(2025, 12, 15))
    real_load = service_module.load_snapshots
    calls = []

    def load_once_stale(session, account_ids, *, settings):
        calls.append(list(account_ids))
        return stale if len(calls) == 1 else real_load(session, account_ids, settings=settings)

    monkeypatch.setattr(service_module, "load_snapshots", load_once_stale)
    report = story.bill(date(2025, 12, 15))

    assert len(calls) == 2
    assert [outcome.status for outcome in report.outcomes] == [OutcomeStatus.ALREADY_BILLED]
    assert len(story.invoices(account)) == 1
    assert ledger.account_balance(story.ctx, account.id) == 48_880


def test_database_rejects_second_regular_line(story):
    (account, policy), = _accounts(story, 1)
    story.bill(date(2025, 12, 15))
    invoice = story.invoices(account)[0]
    line = story.lines(invoice)[0]

    duplicate = InvoiceLine(
        invoice_id=invoice.id,
        billing_account_id=account.id,
        policy_id=policy.id,
        person_id=line.person_id,
        coverage_month=line.coverage_month,
        kind=line.kind,
        adjustment=False,
        amount_cents=line.amount_cents,
        employer_share_cents=0,
        days_covered=31,
        days_in_month=31,
        description="a second regular line",
    )
    savepoint = story.ctx.session.begin_nested()
    story.ctx.session.add(duplicate)
    with pytest.raises(IntegrityError):
        story.ctx.session.flush()
    savepoint.rollback()


def test_zero_invoice_counts_as_paid(story):
    story.catalog = story_catalog(exchange=True)
    account = story.at(date(2025, 12, 1)).account(birth=date(1990, 4, 12))
    policy = story.policy(account, effective=date(2026, 1, 1), plan_id="12345VA0010001", on_exchange=True)
    # The exchange's APTC covers the whole 488.80 premium (the EHB share is 1).
    story.aptc(policy, 60_000, start=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    story.bill(date(2026, 1, 15))

    invoices = story.invoices(account)
    assert [invoice.amount_due_cents for invoice in invoices] == [0, 0]
    assert paid_through_dates(story.ctx, [policy])[policy.id] == date(2026, 2, 28)


def test_pending_fee_shown_on_next_invoice(story):
    (account, _), = _accounts(story, 1)
    story.bill(date(2025, 12, 15))
    fee = InvoiceLine(
        invoice_id=None,
        billing_account_id=account.id,
        kind="fee",
        adjustment=False,
        amount_cents=2_500,
        employer_share_cents=0,
        days_covered=0,
        days_in_month=0,
        description="returned payment fee",
    )
    story.ctx.session.add(fee)
    story.ctx.session.flush()
    ledger.post_entry(
        story.ctx,
        kind=EntryKind.FEE,
        entry_date=date(2025, 12, 20),
        lines=[
            LineSpec(account=LedgerAccount.PREMIUM_RECEIVABLE, amount_cents=2_500, billing_account_id=account.id, invoice_line_id=fee.id),
            LineSpec(account=LedgerAccount.FEE_REVENUE, amount_cents=-2_500),
        ],
    )

    story.bill(date(2026, 1, 15))

    february = story.invoices(account)[-1]
    story.ctx.session.refresh(fee)
    assert fee.invoice_id == february.id
    # 488.80 unpaid + 25.00 fee + 488.80 for February = 1,002.60
    assert february.amount_due_cents == 100_260
    assert february.current_charges_cents == 48_880


def test_chunks_bill_like_one_pass(story):
    made = _accounts(story, 5)
    story.dependent(made[1][1], first_name="S", birth=date(1992, 9, 3), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))

    report = run_billing(story.at(date(2026, 1, 15)).ctx, catalog=story.catalog, as_of=date(2026, 1, 15), chunk_size=2)

    assert report.issued == 10
    for index, (account, _) in enumerate(made):
        # 488.80 a month, plus the spouse's 400.00 x 1.198 = 479.20 on the second account
        monthly = 48_880 + (47_920 if index == 1 else 0)
        assert [invoice.current_charges_cents for invoice in story.invoices(account)] == [monthly, monthly]
