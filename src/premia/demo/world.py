"""The demo's running state: the database session, the staff acting, the simulated clock, and notes.

Every service call gets a context stamped with the simulated time of the action, so audit
rows, contacts and case events carry the dates of the story, not of the machine running it.
The session's transaction is committed after each step of the story.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from premia.accounts.tables import BillingAccount, Person
from premia.demo.book import Book, Household, PayBy
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.infra.settings import Settings
from premia.kernel.clock import FixedClock
from premia.rating.catalog import Catalog
from premia.staff.model import Actor


@dataclass(frozen=True)
class Skipped:
    """A step the demo left out or replaced, and why, for the summary."""

    step: str
    reason: str


@dataclass
class HouseholdAccount:
    """A household's billing account and policies in Premia, and how it pays now."""

    household: Household
    account_id: int
    account_number: str
    policy_ids: list[int]
    pay_by: PayBy


@dataclass
class DemoWorld:
    session: Session
    settings: Settings
    catalog: Catalog
    book: Book
    actors: dict[str, Actor]
    files_dir: Path
    echo: Callable[[str], None]
    accounts: dict[int, HouseholdAccount] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Wall-clock seconds spent in each kind of work, to show where the demo's time goes.
    seconds: dict[str, float] = field(default_factory=dict)
    control_number: int = 100

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.time_zone)

    def at(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        """Return the instant of ``hour:minute`` carrier time on ``day``, in UTC."""
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone).astimezone(UTC)

    def ctx(self, username: str, moment: datetime, *, channel: str = "batch") -> ServiceContext:
        """Return a service context for the actor ``username`` at ``moment``.

        ``channel`` is what the audit log records as the request's origin: ``batch`` for the
        scheduled jobs, ``console`` for staff at the service desk.
        """
        return ServiceContext(
            session=self.session,
            actor=self.actors[username],
            clock=FixedClock(moment),
            settings=self.settings,
            channel=channel,
        )

    def commit(self) -> None:
        self.session.commit()

    def skip(self, step: str, reason: str) -> None:
        self.skipped.append(Skipped(step, reason))
        self.echo(f"   skipped: {step}: {reason}")

    def count(self, name: str, amount: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount

    @contextmanager
    def timed(self, work: str) -> Iterator[None]:
        started = perf_counter()
        try:
            yield
        finally:
            self.seconds[work] = self.seconds.get(work, 0.0) + perf_counter() - started

    def next_control_number(self) -> int:
        self.control_number += 1
        return self.control_number

    def write_file(self, folder: str, name: str, content: str) -> Path:
        """Keep a copy of a file the story exchanged, for the user to open."""
        path = self.files_dir / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="ascii")
        return path

    def load_accounts(self) -> None:
        """Map each household to the billing account and policies the enrollment created.

        A household's subscriber has the household's subscriber id as member ID (REF*0F).
        """
        by_member_id = {household.subscriber_id: household for household in self.book.households}
        rows = self.session.execute(
            select(Person.member_id, BillingAccount.id, BillingAccount.account_number, Policy.id, Policy.billing_account_id)
            .join(Policy, Policy.subscriber_person_id == Person.id)
            .join(BillingAccount, BillingAccount.id == Policy.billing_account_id)
            .where(Person.member_id.in_(list(by_member_id)))
            .order_by(Policy.id)
        ).all()
        for member_id, account_id, account_number, policy_id, _ in rows:
            household = by_member_id[member_id]
            found = self.accounts.get(household.number)
            if found is None:
                found = HouseholdAccount(household, account_id, account_number, [], household.pay_by)
                self.accounts[household.number] = found
            found.policy_ids.append(policy_id)

    def account_of(self, household: Household) -> HouseholdAccount | None:
        return self.accounts.get(household.number)

    def households_by_account(self) -> dict[int, HouseholdAccount]:
        return {item.account_id: item for item in self.accounts.values() if item.household.employer is None}
