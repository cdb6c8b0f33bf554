"""SQL filters that limit a KPI query to the policies and billing accounts of a segment."""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists, select

from premia.enrollment.model import ExchangeAmountKind, Market
from premia.enrollment.tables import ExchangeAmount, Policy
from premia.metrics.segment import AptcStatus, Business, Segment

GROUP_MARKETS = (Market.SMALL_GROUP.value, Market.LARGE_GROUP.value)


def segment_policies(segment: Segment) -> Select[tuple[int]] | None:
    """Select the ids of the policies in ``segment``; None for the whole book, which needs no filter."""
    if segment.is_whole_book:
        return None
    conditions: list[ColumnElement[bool]] = []
    if segment.market is not None:
        conditions.append(Policy.market == segment.market.value)
    if segment.business is Business.INDIVIDUAL:
        conditions.append(Policy.market == Market.INDIVIDUAL.value)
    elif segment.business is Business.GROUP:
        conditions.append(Policy.market.in_(GROUP_MARKETS))
    if segment.aptc is not None:
        # A policy is an APTC policy when the exchange ever set a positive APTC amount for it.
        has_aptc = exists().where(
            ExchangeAmount.policy_id == Policy.id,
            ExchangeAmount.kind == ExchangeAmountKind.APTC.value,
            ExchangeAmount.amount_cents > 0,
        )
        conditions.append(has_aptc if segment.aptc is AptcStatus.WITH_APTC else ~has_aptc)
    return select(Policy.id).where(*conditions)


def segment_accounts(segment: Segment) -> Select[tuple[int]] | None:
    """Select the billing accounts with at least one policy in ``segment``; None for the whole book."""
    policies = segment_policies(segment)
    if policies is None:
        return None
    return select(Policy.billing_account_id).where(Policy.id.in_(policies)).distinct()
