"""The subject of a service record: the surviving person behind a member ID, and the account that pays.

A person merged into another keeps their member ID, so a caller may still quote it. The
service desk follows the merge to the surviving person instead of filing new contacts and
cases on the merged record.
"""

from __future__ import annotations

from sqlalchemy import select

from premia.accounts.person_service import find_person
from premia.accounts.tables import BillingAccount, Person
from premia.enrollment.tables import CoverageSpan, Policy
from premia.infra.context import ServiceContext

# A merge never targets a merged person and repoints the persons merged into its source,
# so a chain is one step long. The limit guards against rows written by hand.
MAX_MERGE_CHAIN = 10


def surviving_person(ctx: ServiceContext, member_id: str) -> Person:
    """Return the person a member ID refers to now, following merges to the surviving record."""
    person = find_person(ctx, member_id)
    for _ in range(MAX_MERGE_CHAIN):
        if person.merged_into_id is None:
            return person
        target = ctx.session.get(Person, person.merged_into_id)
        assert target is not None, "merged_into_id references a missing person"
        person = target
    raise AssertionError(f"member {member_id}: merge chain longer than {MAX_MERGE_CHAIN}")


def account_for_person(ctx: ServiceContext, person: Person | None) -> BillingAccount | None:
    """Return the account the person holds, else the account billing their most recent coverage."""
    if person is None:
        return None
    held = ctx.session.scalar(
        select(BillingAccount)
        .where(BillingAccount.person_id == person.id)
        .order_by(BillingAccount.id)
        .limit(1)
    )
    if held is not None:
        return held
    return ctx.session.scalar(
        select(BillingAccount)
        .join(Policy, Policy.billing_account_id == BillingAccount.id)
        .join(CoverageSpan, CoverageSpan.policy_id == Policy.id)
        .where(CoverageSpan.person_id == person.id, CoverageSpan.voided.is_(False))
        .order_by(CoverageSpan.start_date.desc(), CoverageSpan.id.desc())
        .limit(1)
    )
