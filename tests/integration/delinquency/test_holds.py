"""Dispute holds set an amount aside; a moratorium pauses delinquency for a state or ZIP area."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from premia.billing.model import LineKind
from premia.billing.tables import InvoiceLine
from premia.delinquency.holds import hold_disputed_amount, hold_disputed_line, place_moratorium, release_hold
from premia.enrollment.model import PolicyStatus
from premia.kernel.dates import Month
from premia.kernel.errors import ConflictError, PermissionDeniedError, ValidationError
from premia.staff.model import Actor
from premia.staff.permissions import Role

# Born 1990-04-12: age 35, factor 1.222, 400.00 x 1.222 = 488.80 a month, off-exchange.
MONTHLY = 48_880


def _paid_through_february(story, **options):
    household = story.individual(effective=date(2026, 1, 1), birth=date(1990, 4, 12), **options)
    story.day(date(2025, 12, 15))
    story.pay(household, MONTHLY, date(2025, 12, 28))
    story.day(date(2026, 1, 15))
    story.pay(household, MONTHLY, date(2026, 1, 28))
    story.day(date(2026, 2, 15))
    return household


def _march_line(story, household) -> InvoiceLine:
    return story.ctx.session.scalars(
        select(InvoiceLine).where(
            InvoiceLine.policy_id == household.policy.id,
            InvoiceLine.coverage_month == Month(2026, 3).first_day,
            InvoiceLine.kind == LineKind.PREMIUM.value,
        )
    ).one()


def test_disputed_line_keeps_policy_active(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    hold = hold_disputed_line(story.ctx, invoice_line_id=_march_line(story, household).id, placed_on=date(2026, 2, 20), reason="rate disputed")
    story.day(date(2026, 3, 3))
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.dunning(household) == []

    # Released on 03-10: March counts again, and its grace period runs from its due date.
    release_hold(story.ctx, hold.id, released_on=date(2026, 3, 10))
    story.day(date(2026, 3, 10))
    assert story.status(household) == PolicyStatus.GRACE
    grace = story.grace(household)
    # Due Monday 03-02: 03-03..04-02.
    assert (grace.start_date, grace.end_date) == (date(2026, 3, 3), date(2026, 4, 2))


def test_disputed_amount_only_that_amount(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    hold_disputed_amount(story.ctx, policy_id=household.policy.id, amount_cents=8_880, placed_on=date(2026, 2, 20), reason="overcharge")
    # 400.00 paid; the disputed 88.80 is the rest of March's 488.80.
    story.pay(household, 40_000, date(2026, 3, 1))
    story.day(date(2026, 3, 3))
    assert story.status(household) == PolicyStatus.ACTIVE
    # The disputed amount stays owed; only its collection is held.
    assert story.balance(household) == 8_880


def test_dispute_smaller_than_shortfall(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    hold_disputed_amount(story.ctx, policy_id=household.policy.id, amount_cents=8_880, placed_on=date(2026, 2, 20), reason="overcharge")
    story.pay(household, 30_000, date(2026, 3, 1))
    story.day(date(2026, 3, 3))
    assert story.status(household) == PolicyStatus.GRACE
    transition = story.transitions(household)[-1]
    # 488.80 - 300.00 - 88.80 = 100.00 past due; 88.80 set aside.
    assert transition.past_due_cents == 10_000
    assert transition.disputed_cents == 8_880


def test_moratorium_pauses_grace(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    place_moratorium(story.ctx, state="VA", start=date(2026, 2, 25), end=date(2026, 3, 20), reason="hurricane")
    report = story.day(date(2026, 3, 3))
    assert [change.trigger for change in report.held] == ["past_due"]
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.dunning(household) == []

    story.day(date(2026, 3, 21))
    grace = story.grace(household)
    # A grace period that would start inside the moratorium starts the day after it ends:
    # 03-21 + 30 days = 04-20.
    assert (grace.start_date, grace.end_date) == (date(2026, 3, 21), date(2026, 4, 20))
    assert story.dunning(household) == [("delinquency", date(2026, 3, 21))]


def test_moratorium_holds_termination(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    story.day(date(2026, 3, 3))
    place_moratorium(story.ctx, zip_prefix="232", start=date(2026, 3, 25), end=date(2026, 4, 10), reason="flooding")
    story.day(date(2026, 3, 15))
    story.day(date(2026, 4, 3))
    # The grace period still ends 04-02, but the termination waits for the moratorium's end.
    assert story.status(household) == PolicyStatus.GRACE
    story.day(date(2026, 4, 11))
    assert story.status(household) == PolicyStatus.TERMINATED
    assert story.transitions(household)[-1].effective_date == date(2026, 2, 28)


def test_moratorium_elsewhere_no_effect(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    place_moratorium(story.ctx, zip_prefix="334", start=date(2026, 2, 25), end=date(2026, 3, 20), reason="hurricane")
    place_moratorium(story.ctx, state="FL", start=date(2026, 2, 25), end=date(2026, 3, 20), reason="hurricane")
    story.day(date(2026, 3, 3))
    assert story.status(household) == PolicyStatus.GRACE


def test_payment_cures_during_moratorium(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    story.day(date(2026, 3, 3))
    place_moratorium(story.ctx, state="VA", start=date(2026, 3, 5), end=None, reason="wildfire")
    story.pay(household, MONTHLY, date(2026, 3, 9))
    story.day(date(2026, 3, 9))
    assert story.status(household) == PolicyStatus.ACTIVE


def test_moratorium_needs_area(offexchange_story):
    with pytest.raises(ValidationError) as raised:
        place_moratorium(offexchange_story.ctx, start=date(2026, 3, 1), end=None, reason="storm")
    assert raised.value.code == "delinquency.moratorium_area_missing"


def test_moratorium_end_before_start_rejected(offexchange_story):
    with pytest.raises(ValidationError) as raised:
        place_moratorium(offexchange_story.ctx, state="VA", start=date(2026, 3, 10), end=date(2026, 3, 1), reason="storm")
    assert raised.value.field == "end"


def test_line_dispute_above_line_rejected(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    with pytest.raises(ValidationError) as raised:
        hold_disputed_line(story.ctx, invoice_line_id=_march_line(story, household).id, placed_on=date(2026, 3, 1), reason="x", amount_cents=MONTHLY + 1)
    assert raised.value.code == "delinquency.hold_above_line"


def test_release_twice_rejected(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    hold = hold_disputed_amount(story.ctx, policy_id=household.policy.id, amount_cents=100, placed_on=date(2026, 2, 20), reason="x")
    release_hold(story.ctx, hold.id, released_on=date(2026, 3, 1))
    with pytest.raises(ConflictError):
        release_hold(story.ctx, hold.id, released_on=date(2026, 3, 2))


def test_csr_cannot_release_dispute(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    story.ctx.actor = Actor(user_id=None, username="csr1", role=Role.CSR)
    hold = hold_disputed_amount(story.ctx, policy_id=household.policy.id, amount_cents=100, placed_on=date(2026, 2, 20), reason="x")
    with pytest.raises(PermissionDeniedError):
        release_hold(story.ctx, hold.id, released_on=date(2026, 3, 1))
