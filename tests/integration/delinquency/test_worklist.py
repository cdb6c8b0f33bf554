"""The collection worklist: policies in grace, then pending policies waiting for their binder."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from premia.audit.tables import AuditEntry
from premia.delinquency.worklist import collection_worklist
from premia.enrollment.model import PolicyStatus

# Born 1980-03-15: 577.60 gross less 477.60 APTC = 100.00 net a month.
NET = 10_000


def test_policy_in_grace_listed(exchange_story):
    story = exchange_story
    household = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), exchange=True, aptc_cents=47_760)
    story.day(date(2025, 12, 15))
    story.pay(household, NET, date(2025, 12, 28))
    story.day(date(2026, 1, 15))
    story.run(date(2026, 2, 3))

    [row] = collection_worklist(story.ctx, as_of=date(2026, 2, 3))

    assert row.account_number == household.account.account_number
    assert row.holder_name == "Ana Subscriber"
    assert row.grace_kind is not None
    assert row.past_due_cents == NET
    assert row.first_unpaid_month == date(2026, 2, 1)
    assert row.days_left == (row.grace_end - date(2026, 2, 3)).days


@pytest.mark.parametrize(("effective", "listed"), [(date(2026, 3, 1), True), (date(2026, 4, 1), False)])
def test_binder_within_31_days_listed(offexchange_story, effective, listed):
    story = offexchange_story
    household = story.individual(effective=effective, birth=date(1980, 3, 15), status=PolicyStatus.PENDING)

    rows = collection_worklist(story.ctx, as_of=date(2026, 2, 3))

    assert [row.policy_number for row in rows] == ([household.policy.policy_number] if listed else [])
    if listed:
        assert rows[0].grace_kind is None
        assert rows[0].past_due_cents == 0


def test_worklist_audits_each_account(offexchange_story):
    story = offexchange_story
    household = story.individual(effective=date(2026, 3, 1), birth=date(1980, 3, 15), status=PolicyStatus.PENDING)

    collection_worklist(story.ctx, as_of=date(2026, 2, 3))

    query = select(AuditEntry).where(AuditEntry.record_id == household.account.account_number, AuditEntry.action == "read")
    [row] = story.ctx.session.scalars(query).all()
    assert row.fields == ["delinquency", "holder_name"]
