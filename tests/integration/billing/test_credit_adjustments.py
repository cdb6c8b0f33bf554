"""A credit for a month already paid is applied to open premium when the invoice that carries it is issued."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from premia.billing.queries import aging, paid_through_dates
from premia.delinquency.service import run_delinquency
from premia.delinquency.tables import GracePeriod
from premia.enrollment.model import Relationship
from premia.ledger import service as ledger
from premia.ledger.receivables import open_items

NOTHING_OVERDUE = {"current": 0, "1-30": 0, "31-60": 0, "61-90": 0, "over 90": 0}


def _couple(story):
    account = story.at(date(2025, 11, 1)).account(birth=date(1990, 4, 12))
    policy = story.policy(account, effective=date(2026, 1, 1))
    spouse = story.dependent(policy, first_name="B", birth=date(1991, 1, 1), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))
    return account, policy, spouse


def test_credit_for_paid_month_lowers_next(story):
    account, policy, spouse = _couple(story)
    story.bill(date(2025, 12, 15))
    story.pay_invoice(story.invoices(account)[0], date(2025, 12, 20))
    # The spouse leaves on 01-15, after January was paid: February's invoice credits her 16 days.
    story.at(date(2026, 1, 5)).end_member(spouse, date(2026, 1, 15))
    story.bill(date(2026, 1, 15))
    february = story.invoices(account)[1]

    story.pay(account, february.amount_due_cents, date(2026, 1, 20))
    for day in (date(2026, 2, 3), date(2026, 2, 20), date(2026, 3, 5)):
        story.at(day)
        run_delinquency(story.ctx, as_of=day)

    # Paying the amount due settles February: the January credit counted toward it.
    assert february.adjustments_cents < 0
    assert ledger.account_balance(story.ctx, account.id) == 0
    assert open_items(story.ctx, account.id) == []
    assert aging(story.ctx, account.id, date(2026, 3, 5)) == NOTHING_OVERDUE
    assert paid_through_dates(story.ctx, [policy])[policy.id] == date(2026, 2, 28)
    assert list(story.ctx.session.scalars(select(GracePeriod))) == []

