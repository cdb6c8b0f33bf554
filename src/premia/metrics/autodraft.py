"""The auto-draft return rate, read from the ACH entries Premia originated and the returns matched to them."""

from __future__ import annotations

from sqlalchemy import select

from premia.infra.context import ServiceContext
from premia.metrics.formulas import KpiFigure, return_rate_figure
from premia.metrics.scope import segment_accounts
from premia.metrics.segment import Period, Segment
from premia.payments.model import AchEntryStatus, AchPurpose
from premia.payments.tables import AchEntry
from premia.staff.permissions import Permission

# Premium debits: first presentments and re-presentments. Return-fee entries and refund
# credits are left out, because they are not a premium draft the payer authorized.
DRAFT_PURPOSES = (AchPurpose.DRAFT.value, AchPurpose.RETRY.value)


def autodraft_return_rate(ctx: ServiceContext, period: Period, segment: Segment) -> KpiFigure:
    """Count the drafts effective in the period and how many of them the bank returned by ``as_of``.

    Entries are counted by effective date, as NACHA counts return rates against the entries
    originated in a window. A return that arrives after the period still counts against it.
    """
    ctx.require(Permission.KPI_READ)
    query = select(AchEntry.amount_cents, AchEntry.status, AchEntry.return_code, AchEntry.returned_on).where(
        AchEntry.purpose.in_(DRAFT_PURPOSES),
        AchEntry.effective_date >= period.first_day,
        AchEntry.effective_date <= period.last_day,
        AchEntry.effective_date <= period.as_of,
    )
    accounts = segment_accounts(segment)
    if accounts is not None:
        query = query.where(AchEntry.billing_account_id.in_(accounts))

    drafted = drafted_cents = returned_cents = 0
    codes: list[str] = []
    for amount_cents, status, return_code, returned_on in ctx.session.execute(query):
        drafted += 1
        drafted_cents += int(amount_cents)
        returned = status == AchEntryStatus.RETURNED.value and returned_on is not None and returned_on <= period.as_of
        if returned:
            codes.append(return_code or "unknown")
            returned_cents += int(amount_cents)
    return return_rate_figure(drafted, codes, drafted_cents=drafted_cents, returned_cents=returned_cents)
