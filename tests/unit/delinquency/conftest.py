"""Builders for billing states, so the delinquency rules can be tested without a database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest

from premia.delinquency.config import RuleKey
from premia.delinquency.model import DisputedAmount, GraceTerms, Moratorium, MonthPosting
from premia.delinquency.standing import BillingState, TerminationFacts
from premia.enrollment.model import PolicyStatus
from premia.kernel.dates import Month


class StateBuilder:
    """Billing states from short descriptions: months billed with a due date, money applied on a date."""

    def billed(self, month: str, cents: int, *, on: date) -> MonthPosting:
        return MonthPosting(month=Month.parse(month), on=on, cents=cents, billed=True)

    def paid(self, month: str, cents: int, *, on: date) -> MonthPosting:
        return MonthPosting(month=Month.parse(month), on=on, cents=-cents, billed=False)

    def state(
        self,
        postings: Iterable[MonthPosting],
        *,
        due: dict[str, date],
        status: PolicyStatus = PolicyStatus.ACTIVE,
        market: str = "individual",
        us_state: str = "VA",
        plan_id: str = "OFFVA-SILVER",
        effective: date = date(2026, 1, 1),
        end: date | None = None,
        received: date = date(2025, 12, 10),
        aptc_months: Iterable[str] = (),
        disputes: Iterable[DisputedAmount] = (),
        moratoria: Iterable[Moratorium] = (),
        grace: GraceTerms | None = None,
        last_termination: TerminationFacts | None = None,
    ) -> BillingState:
        return BillingState(
            policy_id=1,
            policy_number="P-0000001",
            status=status,
            key=RuleKey(market=market, state=us_state, plan_id=plan_id),
            effective_date=effective,
            end_date=end,
            received_on=received,
            postings=tuple(postings),
            due_dates={Month.parse(month): day for month, day in due.items()},
            aptc_months=frozenset(Month.parse(month) for month in aptc_months),
            disputes=tuple(disputes),
            moratoria=tuple(moratoria),
            grace=grace,
            last_termination=last_termination,
        )


@pytest.fixture
def build() -> StateBuilder:
    return StateBuilder()
