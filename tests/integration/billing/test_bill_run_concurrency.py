"""BC-18: two bill runs for one as-of date at once, on two real connections, bill a month once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from premia.billing.service import BillRunReport, OutcomeStatus, run_billing
from premia.billing.tables import Invoice
from premia.enrollment.model import Relationship
from premia.ledger import service as ledger
from tests.conftest import make_context, truncate_all
from tests.integration.conftest import Story, group_catalog

CATALOG = group_catalog({2025: "450.00"})


@pytest.fixture
def committed(engine) -> Iterator:
    """Sessions that commit for real; every table is emptied afterwards."""
    sessions: list[Session] = []

    def open_session() -> Session:
        session = Session(bind=engine, expire_on_commit=False)
        sessions.append(session)
        return session

    try:
        yield open_session
    finally:
        for session in sessions:
            session.close()
        truncate_all(engine)


def _context(session: Session, day: date):
    return make_context(session, instant=datetime(day.year, day.month, day.day, 6, 2, tzinfo=UTC))


def _group_g0501(story: Story):
    group, account = story.at(date(2024, 12, 1)).employer_group("G-0501", anniversary_month=1)
    # Plan year from 2025-01-01, base 450.00:
    # H born 1970-03-03, age 54, factor 2.135: 960.75
    # J born 1993-08-19, age 31, factor 1.159: 521.55; spouse K born 1994-12-01, age 30, factor 1.135: 510.75
    h = story.employee(account, group, first_name="H", birth=date(1970, 3, 3), effective=date(2025, 1, 1))
    j = story.employee(account, group, first_name="J", birth=date(1993, 8, 19), effective=date(2025, 1, 1))
    story.dependent(j, first_name="K", birth=date(1994, 12, 1), relationship=Relationship.SPOUSE, start=date(2025, 1, 1))
    return account, h


def _run_together(open_session, as_of: date) -> list[BillRunReport | BaseException]:
    barrier = threading.Barrier(2)
    results: list[BillRunReport | BaseException] = [RuntimeError("not run"), RuntimeError("not run")]

    def job(slot: int) -> None:
        session = open_session()
        try:
            ctx = _context(session, as_of)
            barrier.wait(timeout=30)
            report = run_billing(ctx, catalog=CATALOG, as_of=as_of)
            session.commit()
            results[slot] = report
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread to assert on
            session.rollback()
            results[slot] = exc

    threads = [threading.Thread(target=job, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_concurrent_runs_bill_month_once(committed):
    setup = committed()
    story = Story(ctx=_context(setup, date(2024, 12, 1)), catalog=CATALOG)
    account, h_policy = _group_g0501(story)
    story.bill(date(2025, 3, 15))
    balance_before = ledger.account_balance(story.ctx, account.id)
    # Committing also ends the transaction, which on SQLite holds the write lock.
    setup.commit()

    reports = _run_together(committed, date(2025, 4, 15))

    assert all(isinstance(report, BillRunReport) for report in reports), reports
    statuses = sorted(outcome.status for report in reports for outcome in report.outcomes)
    assert statuses == [OutcomeStatus.ALREADY_BILLED, OutcomeStatus.ISSUED]
    check = committed()
    may_invoices = check.scalar(
        select(func.count()).select_from(Invoice).where(Invoice.billing_account_id == account.id, Invoice.period_start == date(2025, 5, 1))
    )
    assert may_invoices == 1
    # 960.75 + 521.55 + 510.75 = 1,993.05, once
    assert ledger.account_balance(_context(check, date(2025, 4, 15)), account.id) - balance_before == 199_305

    # A later "bill now" for the account changes nothing either.
    bill_now = run_billing(_context(check, date(2025, 4, 15)), catalog=CATALOG, as_of=date(2025, 4, 15), account_number=account.account_number)
    check.commit()
    assert [outcome.status for outcome in bill_now.outcomes] == [OutcomeStatus.ALREADY_BILLED]

    # The guard against a second May invoice does not block May's adjustment on the June invoice.
    later = Story(ctx=_context(check, date(2025, 5, 10)), catalog=CATALOG)
    h_policy = check.merge(h_policy)
    later.terminate(h_policy, date(2025, 5, 15))
    later.bill(date(2025, 5, 15))
    check.commit()
    june = later.invoices(account)[-1]
    assert june.period_start == date(2025, 6, 1)
    # May earned 960.75 x 15 / 31 = 464.879... -> 464.88, credit 960.75 - 464.88 = 495.87
    assert [line.amount_cents for line in later.lines(june) if line.adjustment] == [-49_587]
    # June 521.55 + 510.75 = 1,032.30, less 495.87 = 536.43
    assert june.current_charges_cents + june.adjustments_cents == 53_643
