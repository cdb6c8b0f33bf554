"""BC-01: coverage that starts on the 31st is billed for every calendar month."""

from __future__ import annotations

from datetime import date

from premia.billing.queries import paid_through_dates
from premia.enrollment.model import Relationship


def test_newborn_on_31st_billed_every_month(story):
    account = story.at(date(2024, 12, 1)).account(birth=date(1990, 4, 12))
    policy = story.policy(account, effective=date(2025, 1, 1))
    story.dependent(policy, first_name="B", birth=date(1992, 9, 3), relationship=Relationship.SPOUSE, start=date(2025, 1, 1))

    story.bill(date(2024, 12, 15))
    story.bill(date(2025, 1, 15))
    story.at(date(2025, 2, 10)).dependent(
        policy, first_name="C", birth=date(2025, 1, 31), relationship=Relationship.CHILD, start=date(2025, 1, 31)
    )
    story.bill_daily(date(2025, 2, 1), date(2025, 5, 31))

    invoices = story.invoices(account)
    totals = [invoice.current_charges_cents + invoice.adjustments_cents for invoice in invoices]
    # January and February: A 400.00 x 1.214 = 485.60, B 400.00 x 1.183 = 473.20
    assert totals[0] == 95_880
    assert totals[1] == 95_880
    # March: 485.60 + 473.20 + 306.00 = 1,264.80, plus C's January 306.00 x 1/31 = 9.87
    # and February 306.00 as adjustments: 1,580.67
    assert totals[2] == 158_067
    # April to June: 1,264.80 each
    assert totals[3:] == [126_480, 126_480, 126_480]
    assert len(invoices) == 6

    march_lines = story.lines(invoices[2])
    adjustments = sorted(line.amount_cents for line in march_lines if line.adjustment)
    assert adjustments == [987, 30_600]

    # Due dates: Saturday 2025-03-01 moves to Monday 03-03; Sunday 06-01 to Monday 06-02.
    assert invoices[2].due_date == date(2025, 3, 3)
    assert invoices[5].due_date == date(2025, 6, 2)
    assert paid_through_dates(story.ctx, [policy])[policy.id] is None
