"""Billing periods: which coverage months an invoice covers, and when it is issued and due.

Periods are counted in whole months, never by adding days, so a quarterly account stays on
its three-month grid across a leap year and an annual one stays on its twelve months. An
account's first period starts with its first coverage month. Every later one starts the
month after the last invoiced period ends, so the grid never shifts under invoices already
issued, even when a policy with an earlier effective date is added or the payment mode
changes.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from premia.billing.model import BillingPeriod, BillingSettings
from premia.kernel.banking_days import next_banking_day
from premia.kernel.dates import Month


@lru_cache(maxsize=4096)
def make_period(first_month: Month, *, months_per_period: int, settings: BillingSettings, due_day: int) -> BillingPeriod:
    """Build the period of ``months_per_period`` months from ``first_month`` with its issue and due dates.

    Periods are cached because a bill run needs the same few periods for every account.
    """
    issue_month = first_month.plus(-settings.lead_months)
    issue = date(issue_month.year, issue_month.month, min(settings.issue_day, issue_month.days))
    due = date(first_month.year, first_month.month, min(due_day, first_month.days))
    if settings.roll_due_date:
        due = next_banking_day(due)
    return BillingPeriod(first_month=first_month, months=months_per_period, issue_date=issue, due_date=due)


def periods_due(
    *,
    first_month: Month,
    months_per_period: int,
    as_of: date,
    settings: BillingSettings,
    due_day: int,
) -> list[BillingPeriod]:
    """List every period from ``first_month`` on whose issue date is on or before ``as_of``."""
    periods: list[BillingPeriod] = []
    period = make_period(first_month, months_per_period=months_per_period, settings=settings, due_day=due_day)
    while period.issue_date <= as_of:
        periods.append(period)
        period = make_period(period.first_month.plus(months_per_period), months_per_period=months_per_period, settings=settings, due_day=due_day)
    return periods
