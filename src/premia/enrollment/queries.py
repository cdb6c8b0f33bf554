"""Reads of an account's policies and of who they cover, for views that show them together."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select

from premia.enrollment.tables import CoverageSpan, Policy
from premia.infra.context import ServiceContext


def account_policies(ctx: ServiceContext, billing_account_id: int) -> list[Policy]:
    """Return every policy the account bills, in any status, oldest effective date first."""
    query = select(Policy).where(Policy.billing_account_id == billing_account_id).order_by(Policy.effective_date, Policy.id)
    return list(ctx.session.scalars(query))


def coverage_by_policy(ctx: ServiceContext, policy_ids: Collection[int]) -> dict[int, list[CoverageSpan]]:
    """Return the coverage spans of each policy, leaving out voided spans, earliest start first."""
    if not policy_ids:
        return {}
    query = (
        select(CoverageSpan)
        .where(CoverageSpan.policy_id.in_(set(policy_ids)), CoverageSpan.voided.is_(False))
        .order_by(CoverageSpan.start_date, CoverageSpan.id)
    )
    spans: dict[int, list[CoverageSpan]] = defaultdict(list)
    for span in ctx.session.scalars(query):
        spans[span.policy_id].append(span)
    return dict(spans)


def covered_person_ids(ctx: ServiceContext, policies: Collection[Policy]) -> set[int]:
    """Return the subscribers and everyone with a coverage span on the policies, voided spans included.

    Voided spans count because invoice lines and payments billed before the void still name
    those people.
    """
    ids = {policy.subscriber_person_id for policy in policies}
    if policies:
        query = select(CoverageSpan.person_id).where(CoverageSpan.policy_id.in_([policy.id for policy in policies]))
        ids |= set(ctx.session.scalars(query))
    return ids
