"""Random enrollment changes and bill runs: every member-month ends up billed at what it costs.

After each bill run that reaches a new billing period, the amount billed for every
member-month up to that period must equal what the coverage as it is now costs,
recomputed without the bill run's rating cache. At every step the journal balances and no
member-month has two regular lines.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from premia.billing.charges import expected_charges
from premia.billing.model import BillingSettings, ChargeKey, LineKind
from premia.billing.snapshot import load_snapshots
from premia.billing.tables import Invoice, InvoiceLine
from premia.enrollment.model import PolicyStatus, Relationship
from premia.kernel.dates import Month
from premia.ledger import service as ledger
from premia.ledger.tables import JournalLine
from tests.conftest import make_context
from tests.integration.conftest import Story, story_catalog

EXCHANGE_PLAN_ID = "12345VA0010001"
START = date(2025, 12, 1)
EFFECTIVE = date(2026, 1, 1)
CATALOG = story_catalog(exchange=True)


def machine_for(engine):
    class BillingMachine(RuleBasedStateMachine):
        """One household account on an on-exchange plan, changed and billed at random."""

        def __init__(self) -> None:
            super().__init__()
            self.connection = engine.connect()
            self.outer = self.connection.begin()
            self.session = Session(bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
            self.story = Story(ctx=make_context(self.session), catalog=CATALOG)
            self.today = START
            self.evaluated: Month | None = None
            self.changed_since_run = False

        @initialize()
        def open_account(self) -> None:
            story = self.story.at(START)
            self.account = story.account(birth=date(1988, 7, 1))
            self.policies = [story.policy(self.account, effective=EFFECTIVE, plan_id=EXCHANGE_PLAN_ID, on_exchange=True)]
            self.next_name = 0

        def teardown(self) -> None:
            self.session.close()
            self.outer.rollback()
            self.connection.close()

        def _live_policies(self):
            return [policy for policy in self.policies if policy.status != PolicyStatus.CANCELLED.value]

        def _changed(self) -> None:
            self.changed_since_run = True

        @rule(
            choice=st.integers(0, 3),
            start_offset=st.integers(-90, 60),
            age=st.integers(0, 60),
            relationship=st.sampled_from([Relationship.SPOUSE, Relationship.CHILD, Relationship.CHILD]),
        )
        def add_member(self, choice, start_offset, age, relationship):
            live = [policy for policy in self._live_policies() if policy.end_date is None]
            if not live:
                return
            policy = live[choice % len(live)]
            start = max(policy.effective_date, self.today + timedelta(days=start_offset))
            birth = min(start, self.today, date(start.year - age, 6, 15))
            self.next_name += 1
            self.story.at(self.today).dependent(policy, first_name=f"D{self.next_name}", birth=birth, relationship=relationship, start=start)
            self._changed()

        @rule(choice=st.integers(0, 50), end_offset=st.integers(-90, 60))
        def end_dependent(self, choice, end_offset):
            spans = [
                span
                for policy in self._live_policies()
                for span in self.story.spans(policy)
                if span.end_date is None and span.relationship != Relationship.SUBSCRIBER.value
            ]
            if not spans:
                return
            span = spans[choice % len(spans)]
            self.story.at(self.today).end_member(span, max(span.start_date, self.today + timedelta(days=end_offset)))
            self._changed()

        @rule(choice=st.integers(0, 3), end_offset=st.integers(-90, 60))
        def terminate_policy(self, choice, end_offset):
            live = [policy for policy in self._live_policies() if policy.end_date is None]
            if not live:
                return
            policy = live[choice % len(live)]
            self.story.at(self.today).terminate(policy, max(policy.effective_date, self.today + timedelta(days=end_offset)))
            self._changed()

        @rule(choice=st.integers(0, 3), cents=st.sampled_from([0, 5_000, 30_000, 90_000, 250_000]), month_offset=st.integers(-3, 2))
        def change_aptc(self, choice, cents, month_offset):
            live = self._live_policies()
            if not live:
                return
            policy = live[choice % len(live)]
            start = max(policy.effective_date, Month.of(self.today).plus(month_offset).first_day)
            self.story.at(self.today).aptc(policy, cents, start=start)
            self._changed()

        @rule(choice=st.integers(0, 3))
        def cancel_policy(self, choice):
            live = self._live_policies()
            if not live:
                return
            self.story.at(self.today).cancel(live[choice % len(live)])
            self._changed()

        @precondition(lambda self: len(self.policies) < 3)
        @rule(month_offset=st.integers(-2, 2))
        def change_plan(self, month_offset):
            """End the newest live policy before a month and start a new one on the same account."""
            live = self._live_policies()
            change = max(EFFECTIVE, Month.of(self.today).plus(month_offset).first_day)
            if live and live[-1].effective_date < change:
                self.story.at(self.today).terminate(live[-1], change - timedelta(days=1))
            self.policies.append(self.story.at(self.today).policy(self.account, effective=change, plan_id=EXCHANGE_PLAN_ID, on_exchange=True))
            self._changed()

        @rule(days=st.integers(1, 45))
        def bill(self, days):
            self.today += timedelta(days=days)
            report = self.story.bill(self.today)
            assert report.failed == 0, [outcome.error for outcome in report.outcomes]
            due = Month.of(self.today).plus(1 if self.today.day >= 15 else 0)
            reached_new_period = self.evaluated is None or due > self.evaluated
            if reached_new_period or not self.changed_since_run:
                self._check_billed_matches_coverage(due)
            if reached_new_period:
                self.evaluated = due
                self.changed_since_run = False

        def _check_billed_matches_coverage(self, last_month: Month) -> None:
            session = self.session
            billed: dict[ChargeKey, int] = defaultdict(int)
            rows = session.execute(
                select(InvoiceLine.coverage_month, InvoiceLine.policy_id, InvoiceLine.person_id, InvoiceLine.kind, InvoiceLine.amount_cents).where(
                    InvoiceLine.billing_account_id == self.account.id, InvoiceLine.invoice_id.is_not(None)
                )
            )
            for month, policy_id, person_id, kind, cents in rows:
                billed[ChargeKey(Month.of(month), policy_id, person_id, LineKind(kind))] += cents
            snapshot = load_snapshots(session, [self.account.id], settings=BillingSettings())[0]
            months = [Month.from_index(index) for index in range(Month.of(EFFECTIVE).index, last_month.index + 1)]
            expected = {key: charge.amount_cents for key, charge in expected_charges(CATALOG, snapshot.coverages, months).items()}
            for key in set(expected) | set(billed):
                if key.month <= last_month:
                    assert billed.get(key, 0) == expected.get(key, 0), (key, billed.get(key), expected.get(key))

        @invariant()
        def journal_balances(self) -> None:
            if not hasattr(self, "account"):
                return
            assert sum(ledger.trial_balance(self.story.ctx).values()) == 0
            unbalanced = self.session.scalar(
                select(func.count()).select_from(
                    select(JournalLine.entry_id).group_by(JournalLine.entry_id).having(func.sum(JournalLine.amount_cents) != 0).subquery()
                )
            )
            assert unbalanced == 0

        @invariant()
        def one_regular_line_per_member_month(self) -> None:
            if not hasattr(self, "account"):
                return
            repeated = self.session.scalar(
                select(func.count()).select_from(
                    select(InvoiceLine.policy_id)
                    .where(InvoiceLine.adjustment.is_(False))
                    .group_by(InvoiceLine.policy_id, InvoiceLine.person_id, InvoiceLine.coverage_month, InvoiceLine.kind)
                    .having(func.count() > 1)
                    .subquery()
                )
            )
            assert repeated == 0

        @invariant()
        def one_invoice_per_period(self) -> None:
            if not hasattr(self, "account"):
                return
            starts = list(self.session.scalars(select(Invoice.period_start).where(Invoice.billing_account_id == self.account.id)))
            assert len(starts) == len(set(starts))

    return BillingMachine


@pytest.mark.database
def test_random_changes_billed_exactly(engine):
    # PostgreSQL round trips cost more than SQLite's, so it gets fewer examples.
    examples = 25 if engine.dialect.name == "postgresql" else 40
    run_state_machine_as_test(
        machine_for(engine),
        settings=settings(max_examples=examples, stateful_step_count=16, deadline=None, suppress_health_check=list(HealthCheck)),
    )
