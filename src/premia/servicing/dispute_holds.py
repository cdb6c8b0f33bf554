"""Amounts under dispute, per coverage month, fee line or payment, as the service desk reports them.

A dispute holds only the disputed amounts, never the whole account. A hold runs from the
day the dispute is opened until the day its outcome is applied. A credit or refund removes
the amount from what is owed, and a denial makes it collectible again that day.

The delinquency run reads its own hold rows, which ``disputes`` places for every disputed
invoice line. A disputed payment has no delinquency hold, so this module is the only
record of it being held.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from premia.infra.context import ServiceContext
from premia.servicing.tables import Dispute, DisputeItem


@dataclass(frozen=True, order=True)
class HoldKey:
    """What a held amount belongs to.

    For a disputed premium line: the invoice, policy and coverage month (the members of a
    month share payments in proportion, so holds are kept per month, not per member). For
    a disputed fee line: the invoice and the fee line. For a disputed payment: the payment.
    """

    invoice_id: int | None
    policy_id: int | None
    coverage_month: date | None
    invoice_line_id: int | None = None
    payment_id: int | None = None


def disputed_open_cents(ctx: ServiceContext, billing_account_id: int, on: date) -> dict[HoldKey, int]:
    """Disputed amounts held on ``on`` for one billing account, in cents."""
    rows = ctx.session.scalars(
        select(DisputeItem)
        .join(Dispute, Dispute.id == DisputeItem.dispute_id)
        .where(
            Dispute.billing_account_id == billing_account_id,
            DisputeItem.held_from <= on,
            or_(DisputeItem.released_on.is_(None), DisputeItem.released_on > on),
        )
    ).all()
    held: dict[HoldKey, int] = defaultdict(int)
    for item in rows:
        held[hold_key(item)] += item.amount_cents
    return dict(held)


def hold_key(item: DisputeItem) -> HoldKey:
    if item.payment_id is not None:
        return HoldKey(None, None, None, payment_id=item.payment_id)
    if item.coverage_month is None:
        return HoldKey(item.invoice_id, item.policy_id, None, invoice_line_id=item.invoice_line_id)
    return HoldKey(item.invoice_id, item.policy_id, item.coverage_month)
