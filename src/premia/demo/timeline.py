"""The demo's calendar: which coverage months it simulates and the day it ends on (pure).

The simulation ends on the demo's "today" and covers the ``months`` coverage months up to
today's month. One extra month comes first, the lead month: a small cohort (one employer
group and a few direct enrollees) is covered from then, so the first bill run is small
enough to print its bills as a paper batch.

Every simulated month lies in one plan year, because crossing into the next one needs
renewals. When the requested window would cross January 1, it is shortened to start in
today's plan year, or, when that leaves fewer than ``MIN_MONTHS``, moved back to end in
December of the previous year. A year the catalog has no plans for moves the window to the
catalog's latest year.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from premia.kernel.dates import Month

# At least the lead month must fit in the plan year before the first simulated month.
MAX_MONTHS = 11
MIN_MONTHS = 3
# Days between an 834 file's receipt and the coverage start it enrolls.
ENROLLMENT_LEAD_DAYS = 25
ISSUE_DAY = 15


@dataclass(frozen=True)
class Timeline:
    """The simulated calendar. ``note`` gives the reason when the window differs from the one requested."""

    today: date
    first_month: Month
    months: int
    note: str | None = None

    @property
    def lead_month(self) -> Month:
        return self.first_month.plus(-1)

    @property
    def last_month(self) -> Month:
        return self.first_month.plus(self.months - 1)

    @property
    def coverage_months(self) -> list[Month]:
        """The lead month and the simulated months, oldest first."""
        return [self.lead_month.plus(offset) for offset in range(self.months + 1)]

    @property
    def lead_enrollment_day(self) -> date:
        return self.lead_month.first_day - timedelta(days=ENROLLMENT_LEAD_DAYS)

    @property
    def enrollment_day(self) -> date:
        return self.first_month.first_day - timedelta(days=ENROLLMENT_LEAD_DAYS)

    @property
    def plan_year(self) -> int:
        return self.first_month.year

    def issue_day(self, month: Month) -> date:
        """Return the day the bill run issues ``month``'s invoices: the 15th of the month before."""
        before = month.plus(-1)
        return date(before.year, before.month, ISSUE_DAY)

    def bill_days(self) -> list[date]:
        """Bill run days up to today: one per coverage month, and next month's when its issue day has come."""
        days = [self.issue_day(month) for month in self.coverage_months]
        following = self.issue_day(self.last_month.plus(1))
        if following <= self.today and self.last_month.plus(1).year == self.plan_year:
            days.append(following)
        return [day for day in days if day <= self.today]

    def days(self) -> Iterator[date]:
        """Yield every calendar day from the first 834 file's receipt to today."""
        day = self.lead_enrollment_day
        while day <= self.today:
            yield day
            day += timedelta(days=1)


def demo_timeline(today: date, months: int, plan_years: Collection[int]) -> Timeline:
    """Fit ``months`` simulated months ending in today's month into one plan year of the catalog."""
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"the demo simulates 1 to {MAX_MONTHS} months, got {months}")
    if not plan_years:
        raise ValueError("the catalog has no plan years")

    latest = max(plan_years)
    if today.year > latest or today.year not in plan_years:
        year = max((candidate for candidate in plan_years if candidate <= today.year), default=latest)
        end = date(year, 12, 31)
        note = f"the catalog has no {today.year} plans, so the demo ends on {end}"
        return _ending(end, months, note)

    this_month = Month.of(today)
    first = this_month.plus(-(months - 1))
    if first.plus(-1).year == today.year:
        return Timeline(today=today, first_month=first, months=months)

    # The lead month would fall in last year: start in February, or move to last year.
    available = this_month.month - 1
    if available >= MIN_MONTHS:
        note = f"{months} months would cross into {today.year - 1}; the demo covers {available} months of {today.year}"
        return Timeline(today=today, first_month=Month(today.year, 2), months=available, note=note)
    previous = today.year - 1
    if previous not in plan_years:
        raise ValueError(
            f"the demo needs {MIN_MONTHS} months of one plan year; {today.year} has {available} so far "
            f"and the catalog has no {previous} plans"
        )
    end = date(previous, 12, 31)
    note = f"{today.year} has only {available} months so far; the demo covers {previous} and ends on {end}"
    return _ending(end, months, note)


def _ending(end: date, months: int, note: str) -> Timeline:
    return Timeline(today=end, first_month=Month.of(end).plus(-(months - 1)), months=months, note=note)
