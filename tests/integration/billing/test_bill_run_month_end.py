"""BC-01: coverage that starts on the 31st is billed for every calendar month."""

from __future__ import annotations

from datetime import date, timedelta

from premia.billing.queries import paid_through_dates
from premia.enrollment.model import Relationship
from premia.ledger import service as ledger


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


def test_newborn_lines_and_paid_through(story):
    # Each invoice is paid on its due date, so the paid-through date steps month end to month end.
    account = story.at(date(2024, 12, 1)).account(birth=date(1990, 4, 12))
    policy = story.policy(account, effective=date(2025, 1, 1))
    story.dependent(policy, first_name="B", birth=date(1992, 9, 3), relationship=Relationship.SPOUSE, start=date(2025, 1, 1))

    paid_through_after: dict[date, date | None] = {}
    child = None
    february_lines = None
    day = date(2024, 12, 15)
    while day <= date(2025, 6, 2):
        if day == date(2025, 2, 10):
            february = story.invoices(account)[1]
            february_lines = [(line.id, line.amount_cents) for line in story.lines(february)]
            child = story.at(day).dependent(
                policy, first_name="C", birth=date(2025, 1, 31), relationship=Relationship.CHILD, start=date(2025, 1, 31)
            )
        if day <= date(2025, 5, 31):
            story.bill(day)
        for invoice in story.invoices(account):
            if invoice.due_date == day:
                story.pay_invoice(invoice, day)
                paid_through_after[invoice.period_start] = paid_through_dates(story.ctx, [policy])[policy.id]
        day += timedelta(days=1)

    invoices = story.invoices(account)
    assert [invoice.period_start for invoice in invoices] == [date(2025, month, 1) for month in range(1, 7)]
    # The February invoice, issued before the birth was reported, is not changed.
    assert [(line.id, line.amount_cents) for line in story.lines(invoices[1])] == february_lines

    child_lines: dict[date, list[tuple[int, int]]] = {}
    for position, invoice in enumerate(invoices):
        for line in story.lines(invoice):
            if line.person_id == child.person_id:
                child_lines.setdefault(line.coverage_month, []).append((position, line.amount_cents))
    # One line per calendar month. January: 306.00 x 1 / 31 = 9.8709... -> 9.87 (one day, not zero);
    # January and February are billed on the March invoice (position 2).
    assert child_lines == {
        date(2025, 1, 1): [(2, 987)],
        date(2025, 2, 1): [(2, 30_600)],
        date(2025, 3, 1): [(2, 30_600)],
        date(2025, 4, 1): [(3, 30_600)],
        date(2025, 5, 1): [(4, 30_600)],
        date(2025, 6, 1): [(5, 30_600)],
    }
    # 9.87 + 5 x 306.00 = 1,539.87
    assert sum(amount for lines in child_lines.values() for _, amount in lines) == 153_987

    # Month ends go back to the 31st after February, never 03-28 or 04-28.
    assert paid_through_after[date(2025, 3, 1)] == date(2025, 3, 31)
    assert paid_through_after[date(2025, 4, 1)] == date(2025, 4, 30)
    assert paid_through_after[date(2025, 5, 1)] == date(2025, 5, 31)
    assert paid_through_after[date(2025, 6, 1)] == date(2025, 6, 30)
    assert ledger.account_balance(story.ctx, account.id) == 0
