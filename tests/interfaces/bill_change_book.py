"""The console's seeded book, plus an April invoice for Maria Lopez that differs from March's in every way a line can.

The seed bills January to March 2026. Sofia joins Maria's policy in March, so March's
invoice adds her line. Here Sofia's coverage then ends on March 20, after March was billed
in full, and Luis's ends on April 15. The bill run of March 15 issues April's invoice, on
which Luis's line covers half of April (changed) and Sofia is no longer billed (removed).
Her last eleven days of March are credited back (adjustment), and Maria's line is unchanged.

Maria's premium is 380.00 x 1.444 = 548.72, Luis's 380.00 x 1.563 = 593.94 and Sofia's
380.00 x 0.765 = 290.70 a month (demo catalog, VA-2, rated on 2026-01-01).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from premia.accounts.tables import BillingAccount, Person
from premia.audit.tables import AuditEntry
from premia.billing.service import run_billing
from premia.billing.tables import Invoice
from premia.catalog.service import current_catalog
from premia.enrollment import service as enrollment
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory
from premia.infra.settings import Settings
from premia.kernel.clock import FixedClock
from premia.staff import service as staff_service
from premia.staff.model import Actor
from tests.conftest import MigratedDatabases, make_settings
from tests.interfaces.cli.conftest import CHEAP_HASHER
from tests.interfaces.console.seed import SeededBook, seed_book

SOFIA_LAST_DAY = date(2026, 3, 20)
LUIS_LAST_DAY = date(2026, 4, 15)
APRIL_BILL_DAY = date(2026, 3, 15)


@dataclass(frozen=True)
class BillChangeBook:
    """The seeded book and Maria's invoice numbers for February, March and April 2026."""

    book: SeededBook
    account_number: str
    february: str
    march: str
    april: str


def seed_bill_changes(session: Session, settings: Settings) -> BillChangeBook:
    """Build the console's seeded book, end Sofia's and Luis's coverage, and bill April."""
    book = seed_book(session, settings)
    ctx = ServiceContext(
        session=session,
        actor=Actor.system("seed"),
        clock=FixedClock(datetime(2026, 3, 10, 17, 0, tzinfo=UTC)),
        settings=settings,
        channel="test",
    )
    policy = ctx.session.scalar(
        select(Policy).join(Person, Person.id == Policy.subscriber_person_id).where(Person.member_id == book.maria_member_id)
    )
    assert policy is not None
    last_days = {"Sofia": SOFIA_LAST_DAY, "Luis": LUIS_LAST_DAY}
    for span in enrollment.spans_of(ctx, policy.id):
        person = ctx.session.get(Person, span.person_id)
        assert person is not None
        if person.first_name in last_days:
            enrollment.end_member_coverage(ctx, span, last_days[person.first_name])
    ctx.clock = FixedClock(datetime(2026, 3, 15, 17, 0, tzinfo=UTC))
    run_billing(ctx, catalog=current_catalog(ctx), as_of=APRIL_BILL_DAY)
    _, february, march, april = _maria_invoices(ctx, book.maria_account)
    return BillChangeBook(book=book, account_number=book.maria_account, february=february, march=march, april=april)


@dataclass(frozen=True)
class SeededDatabase:
    """A migrated database with the book built in it, and the settings it was built with."""

    url: str
    settings: Settings
    book: BillChangeBook


def seeded_database(migrated_databases: MigratedDatabases, engine_name: str, documents_dir: Path) -> SeededDatabase:
    """Create a migrated database on ``engine_name`` and build the book in it.

    Staff passwords are hashed with cheap Argon2 parameters, as in the CLI tests.
    """
    url = migrated_databases.new_url(engine_name)
    settings = make_settings(url, documents_dir=str(documents_dir))
    engine = make_engine(url)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(staff_service, "_hasher", CHEAP_HASHER)
            with make_session_factory(engine)() as session, session.begin():
                book = seed_bill_changes(session, settings)
    finally:
        engine.dispose()
    return SeededDatabase(url=url, settings=settings, book=book)


def invoice_reads(database_url: str, invoice_number: str, username: str) -> list[AuditEntry]:
    """Return the audit rows of ``username``'s reads of one invoice, oldest first."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            query = (
                select(AuditEntry)
                .where(AuditEntry.record_type == "invoice", AuditEntry.record_id == invoice_number, AuditEntry.username == username)
                .order_by(AuditEntry.id)
            )
            return list(session.scalars(query))
    finally:
        engine.dispose()


def _maria_invoices(ctx: ServiceContext, account_number: str) -> list[str]:
    return list(
        ctx.session.scalars(
            select(Invoice.invoice_number)
            .join(BillingAccount, BillingAccount.id == Invoice.billing_account_id)
            .where(BillingAccount.account_number == account_number)
            .order_by(Invoice.period_start)
        )
    )
