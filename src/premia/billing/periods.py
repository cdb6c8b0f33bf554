"""Billing periods: which coverage months an invoice covers, and when it is issued and due.

Periods are counted in whole months from the account's first coverage month (the anchor),
never by adding days, so a quarterly account stays on the same three-month grid across a
leap year and an annual one stays on its twelve months.
"""

from __future__ import annotations

from datetime import date

from premia.billing.model import BillingPeriod, BillingSettings
from premia.kernel.banking_days import next_banking_day
from premia.kernel.dates import Month


def period_containing(month: Month, *, anchor: Month, months_per_period: int, settings: BillingSettings, due_day: int) -> BillingPeriod:
    """The period of ``months_per_period`` months, on the grid from ``anchor``, that holds ``month``."""
    offset = (month.index - anchor.index) // months_per_period
    first = anchor.plus(offset * months_per_period)
    return make_period(first, months_per_period=months_per_period, settings=settings, due_day=due_day)


def make_period(first_month: Month, *, months_per_period: int, settings: BillingSettings, due_day: int) -> BillingPeriod:
    issue_month = first_month.plus(-settings.lead_months)
    issue = date(issue_month.year, issue_month.month, min(settings.issue_day, issue_month.days))
    due = date(first_month.year, first_month.month, min(due_day, first_month.days))
    if settings.roll_due_date:
        due = next_banking_day(due)
    return BillingPeriod(first_month=first_month, months=months_per_period, issue_date=issue, due_date=due)


def periods_due(
    *,
    anchor: Month,
    next_month: Month,
    months_per_period: int,
    as_of: date,
    settings: BillingSettings,
    due_day: int,
) -> list[BillingPeriod]:
    """Every period from the one holding ``next_month`` whose issue date is on or before ``as_of``."""
    periods: list[BillingPeriod] = []
    period = period_containing(next_month, anchor=anchor, months_per_period=months_per_period, settings=settings, due_day=due_day)
    while period.issue_date <= as_of:
        periods.append(period)
        period = make_period(period.first_month.plus(months_per_period), months_per_period=months_per_period, settings=settings, due_day=due_day)
    return periods
