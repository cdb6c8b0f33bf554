"""Decide which invoices one billing account gets on an as-of date, and their lines (pure).

The periods due are those from the account's next unbilled month whose issue date has come.
Each gets the lines the generator proposes. The lines of one period count as billed for the
next, so a run that catches up on several periods bills every member-month once.

A period in which no policy of the account is in force, and which has no regular line, is
not issued unless it is the last one due: its adjustments move to the next period. So a
terminated account is not sent a statement for every empty month, and a retroactive credit
that arrives later appears on a final statement dated by the run that finds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from premia.billing.charges import expected_charges
from premia.billing.generator import add_billed, draft_lines
from premia.billing.model import BillingPeriod, BillingSettings, ChargeKey, PlannedInvoice
from premia.billing.periods import periods_due
from premia.billing.rating_cache import RatingCache
from premia.billing.snapshot import AccountSnapshot
from premia.kernel.dates import Month
from premia.rating.catalog import Catalog


@dataclass(frozen=True)
class AccountPlan:
    """The invoices to issue for one account; ``already_billed`` marks a repeat of today's run.

    ``already_billed`` is True when nothing is due because the account's latest invoice was
    issued on this same as-of date, by an earlier or a concurrent run.
    """

    invoices: tuple[PlannedInvoice, ...]
    already_billed: bool = False


def plan_account(
    snapshot: AccountSnapshot,
    *,
    catalog: Catalog,
    as_of: date,
    settings: BillingSettings,
    cache: RatingCache | None = None,
) -> AccountPlan:
    """Plan the invoices due for ``snapshot``'s account on ``as_of``; raises ``DomainError`` on bad data."""
    first = snapshot.first_unbilled_month()
    if first is None:
        return AccountPlan(())
    terms = snapshot.terms
    periods = periods_due(
        first_month=first,
        months_per_period=terms.months_per_period,
        as_of=as_of,
        settings=settings,
        due_day=terms.due_day,
    )
    last = snapshot.last_invoice
    if not periods:
        return AccountPlan((), already_billed=last is not None and last.issue_date == as_of)

    candidates = [period for period in periods[:-1] if _in_force_during(snapshot, period)] + [periods[-1]]
    history_start = candidates[0].first_month.plus(-settings.months_history)
    billed = {key: cents for key, cents in snapshot.billed.items() if key.month >= history_start}
    expected = expected_charges(catalog, snapshot.coverages, _months_to_compare(snapshot, billed, history_start, candidates[-1]), cache=cache)

    invoices: list[PlannedInvoice] = []
    balance = snapshot.balance_cents
    previous = last.amount_due_cents if last is not None else 0
    fees = snapshot.pending_fees
    for period in candidates:
        drafts = draft_lines(period, expected, billed)
        has_regular = any(not draft.adjustment for draft in drafts)
        if not has_regular and (period is not candidates[-1] or not (drafts or fees)):
            continue
        payments_since = balance - previous
        for draft in drafts:
            balance += draft.amount_cents
        invoices.append(
            PlannedInvoice(
                account=terms,
                period=period,
                drafts=tuple(drafts),
                fees=fees,
                previous_balance_cents=previous,
                payments_since_cents=payments_since,
                amount_due_cents=balance,
            )
        )
        add_billed(billed, drafts)
        previous = balance
        fees = ()
    return AccountPlan(tuple(invoices))


def _in_force_during(snapshot: AccountSnapshot, period: BillingPeriod) -> bool:
    return any(coverage.touches(period.first_month, period.last_month) for coverage in snapshot.coverages)


def _months_to_compare(snapshot: AccountSnapshot, billed: dict[ChargeKey, int], history_start: Month, last_period: BillingPeriod) -> set[Month]:
    """Months billed before, plus every month from the first coverage month to the last period's end."""
    months = {key.month for key in billed}
    starts = [coverage.effective_date for coverage in snapshot.coverages if not coverage.cancelled]
    if starts:
        month = max(Month.of(min(starts)), history_start)
        while month <= last_period.last_month:
            months.add(month)
            month = month.plus(1)
    return months
