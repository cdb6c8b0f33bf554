"""The eligibility answer for pending, active, in-grace, terminated and cancelled coverage."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from premia.audit.tables import AuditEntry
from premia.delinquency.eligibility import eligibility
from premia.delinquency.model import ClaimsAction
from premia.enrollment.model import PolicyStatus
from premia.kernel.errors import NotFoundError


def test_pending_policy_pends_claims(exchange_story):
    story = exchange_story
    household = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), exchange=True, aptc_cents=47_760, status=PolicyStatus.PENDING)
    answer = story.eligibility(household, date(2026, 1, 3))
    assert not answer.covered
    assert answer.claims is ClaimsAction.PEND
    assert answer.policy_status == "pending"
    assert answer.paid_through is None


def test_active_policy_pays(exchange_story):
    story = exchange_story
    household = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), exchange=True, aptc_cents=47_760)
    story.day(date(2025, 12, 15))
    story.pay(household, 10_000, date(2025, 12, 28))
    answer = story.eligibility(household, date(2026, 1, 20))
    assert answer.covered
    assert answer.claims is ClaimsAction.PAY
    assert answer.paid_through == date(2026, 1, 31)
    assert not answer.in_grace


def test_before_effective_date_not_covered(exchange_story):
    story = exchange_story
    household = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), exchange=True, aptc_cents=47_760)
    answer = story.eligibility(household, date(2025, 12, 31))
    assert not answer.covered
    assert answer.claims is ClaimsAction.DENY
    assert answer.reason == "no coverage on this date"


def test_grace_answer_dict(exchange_story):
    story = exchange_story
    household = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), exchange=True, aptc_cents=47_760)
    story.day(date(2025, 12, 15))
    story.pay(household, 10_000, date(2025, 12, 28))
    story.day(date(2026, 1, 15))
    story.day(date(2026, 2, 3))
    data = story.eligibility(household, date(2026, 4, 30)).to_dict()
    assert data == {
        "member_id": household.member_id,
        "service_date": "2026-04-30",
        "covered": True,
        "claims": "pend",
        "reason": "in grace month 3 (2026-02-01..2026-04-30); claims pend",
        "policy_number": household.policy.policy_number,
        "policy_status": "grace",
        "paid_through": "2026-01-31",
        "in_grace": True,
        "grace_month": 3,
        "grace_start": "2026-02-01",
        "grace_end": "2026-04-30",
    }


def test_read_audited(exchange_story):
    story = exchange_story
    household = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), exchange=True, aptc_cents=47_760)
    story.eligibility(household, date(2026, 1, 3))
    entry = story.ctx.session.scalars(select(AuditEntry).where(AuditEntry.record_type == "eligibility")).one()
    assert entry.record_id == household.member_id
    assert entry.detail["service_date"] == "2026-01-03"


def test_unknown_member_not_found(exchange_story):
    with pytest.raises(NotFoundError) as raised:
        eligibility(exchange_story.ctx, "NOPE-1", date(2026, 1, 3))
    assert raised.value.field == "member_id"


def _in_grace_from_february(story):
    household = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), exchange=True, aptc_cents=47_760)
    story.day(date(2025, 12, 15))
    story.pay(household, 10_000, date(2025, 12, 28))
    story.day(date(2026, 1, 15))
    story.day(date(2026, 2, 3))
    return household


def test_paid_month_before_grace_pays(exchange_story):
    story = exchange_story
    household = _in_grace_from_february(story)
    # January was paid; the grace period starts with February.
    answer = story.eligibility(household, date(2026, 1, 20))
    assert answer.covered
    assert answer.claims is ClaimsAction.PAY
    assert not answer.in_grace
    assert answer.reason == f"covered on policy {household.policy.policy_number}"


def test_date_after_grace_pends(exchange_story):
    story = exchange_story
    household = _in_grace_from_february(story)
    # The grace period runs 2026-02-01..2026-04-30; a May date is covered only if paid by then.
    answer = story.eligibility(household, date(2026, 5, 10))
    assert not answer.covered
    assert answer.claims is ClaimsAction.PEND
    assert not answer.in_grace
    assert answer.grace_month is None
    assert answer.reason.startswith("after the grace period (2026-02-01..2026-04-30)")
