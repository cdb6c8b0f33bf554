"""Individual policies without APTC: grace periods counted in days, thresholds, returns and fees.

Off-exchange plan OFFVA-SILVER, base rate 400.00. A grace period counted in days starts the
day after the due date (after any banking-day move) and includes its last day.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from premia.delinquency.config import GraceRule, RuleScope, ThresholdRule, default_config
from premia.delinquency.model import ClaimsAction, GraceKind, ReceivedDateRule, ThresholdType
from premia.enrollment.model import PolicyStatus, Relationship
from premia.notices.tables import Notice
from premia.payments.model import PaymentChannel, PaymentMethod, PaymentStatus
from premia.payments.service import post_payment, return_payment, settle_payment

# Born 1990-04-12: age 35 on 2026-01-01, factor 1.222, 400.00 x 1.222 = 488.80.
SINGLE = 48_880
# A 488.80 (born 1990-08-17, age 35) + B 479.20 (born 1992-09-10, age 33, factor 1.198) = 968.00.
COUPLE = 96_800
# Born 2004-06-01: age 21 on 2026-01-01, factor 1.000, 400.00.
YOUNG = 40_000

VA_31_DAYS = replace(
    default_config(),
    grace_rules=(
        GraceRule(name="individual 30 days", kind=GraceKind.DAYS, days=30, scope=RuleScope(markets=frozenset({"individual"}))),
        GraceRule(name="VA 31 days", kind=GraceKind.DAYS, days=31, scope=RuleScope(markets=frozenset({"individual"}), states=frozenset({"VA"}))),
    ),
)
NET_95 = replace(default_config(), threshold_rules=(ThresholdRule(name="95% of net", type=ThresholdType.NET_PCT, percent=Decimal("95")),))


def _paid_through_february(story, *, birth=date(1990, 4, 12), monthly=SINGLE):
    household = story.individual(effective=date(2026, 1, 1), birth=birth)
    story.day(date(2025, 12, 15))
    story.pay(household, monthly, date(2025, 12, 28))
    story.day(date(2026, 1, 15))
    story.pay(household, monthly, date(2026, 1, 28))
    story.day(date(2026, 2, 15))
    return household


def test_state_with_31_days(offexchange_story):
    story = offexchange_story
    story.config = VA_31_DAYS
    household = _paid_through_february(story)

    # March is due Monday 03-02 (03-01 is a Sunday) and is missed.
    story.day(date(2026, 3, 3))
    grace = story.grace(household)
    # Virginia's 31 days, not the 30-day default: 03-03 + 30 days = 04-02.
    assert (grace.start_date, grace.end_date) == (date(2026, 3, 3), date(2026, 4, 2))
    assert grace.rule_name == "VA 31 days"
    march = story.eligibility(household, date(2026, 3, 20))
    assert march.covered
    assert march.claims is ClaimsAction.PAY
    assert march.grace_month is None

    story.day(date(2026, 3, 15))
    story.day(date(2026, 3, 23))
    # Final notice 10 days before the last day: 04-02 - 10 = 03-23.
    assert story.dunning(household) == [("delinquency", date(2026, 3, 3)), ("final", date(2026, 3, 23))]
    assert story.day(date(2026, 4, 2)).changes == []

    story.day(date(2026, 4, 3))
    assert story.status(household) == PolicyStatus.TERMINATED
    # Termination takes effect on the paid-through date, 02-28 (the default basis).
    assert story.transitions(household)[-1].effective_date == date(2026, 2, 28)
    assert story.eligibility(household, date(2026, 3, 20)).claims is ClaimsAction.DENY
    story.day(date(2026, 4, 15))
    # March and April are credited; nothing is owed.
    assert story.balance(household) == 0


def test_payment_on_last_day_of_grace(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    story.day(date(2026, 3, 3))
    story.day(date(2026, 3, 15))
    # March and April (due 04-01) paid on 04-02, the last day of grace; the next run is 04-03.
    story.pay(household, 2 * SINGLE, date(2026, 4, 2))
    story.day(date(2026, 4, 3))
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.paid_through(household) == date(2026, 4, 30)


def test_payment_day_after_grace_too_late(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    story.day(date(2026, 3, 3))
    story.day(date(2026, 3, 15))
    story.pay(household, 2 * SINGLE, date(2026, 4, 3))
    story.day(date(2026, 4, 3))
    assert story.status(household) == PolicyStatus.TERMINATED
    assert story.transitions(household)[-1].effective_date == date(2026, 2, 28)


def test_march_paid_april_gets_own_grace(offexchange_story):
    story = offexchange_story
    household = _paid_through_february(story)
    story.day(date(2026, 3, 3))
    story.day(date(2026, 3, 15))
    # Only March is paid by the end of its grace period; April (due 04-01) has its own.
    story.pay(household, SINGLE, date(2026, 4, 2))
    story.day(date(2026, 4, 3))
    assert story.status(household) == PolicyStatus.GRACE
    periods = story.grace_periods(household)
    assert [(row.outcome, row.start_date, row.end_date) for row in periods] == [
        ("cured", date(2026, 3, 3), date(2026, 4, 2)),
        ("open", date(2026, 4, 2), date(2026, 5, 2)),
    ]


def test_partial_payment_above_threshold(offexchange_story):
    story = offexchange_story
    story.config = NET_95
    household = story.individual(effective=date(2026, 1, 1), birth=date(2004, 6, 1))
    story.day(date(2025, 12, 15))
    story.pay(household, YOUNG, date(2025, 12, 28))
    story.day(date(2026, 1, 15))
    # 380.00 of 400.00 is 95%: February counts as paid for delinquency.
    story.pay(household, 38_000, date(2026, 1, 30))
    assert story.day(date(2026, 2, 3)).changes == []
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.dunning(household) == []
    # The 20.00 shortfall stays owed, and the ledger's paid-through date stops before February.
    assert story.balance(household) == 2_000
    assert story.paid_through(household) == date(2026, 1, 31)


def test_partial_payment_below_threshold(offexchange_story):
    story = offexchange_story
    story.config = NET_95
    household = story.individual(effective=date(2026, 1, 1), birth=date(2004, 6, 1))
    story.day(date(2025, 12, 15))
    story.pay(household, YOUNG, date(2025, 12, 28))
    story.day(date(2026, 1, 15))
    # 379.99 of 400.00 is 94.9975%, below 95%.
    story.pay(household, 37_999, date(2026, 1, 30))
    story.day(date(2026, 2, 3))
    assert story.status(household) == PolicyStatus.GRACE
    # 400.00 - 379.99 = 20.01 past due.
    assert story.transitions(household)[-1].past_due_cents == 2_001
    # One more cent reaches 95%: the delinquency is cured while 20.00 stays owed.
    story.pay(household, 1, date(2026, 2, 10))
    story.day(date(2026, 2, 10))
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.transitions(household)[-1].within_threshold_cents == 2_000


def test_bc13_credit_leaves_invoice_open(offexchange_story):
    story = offexchange_story
    # A born 1990-06-01 (age 34 on 2025-01-01, factor 1.214): 485.60; B born 1992-06-01 (age 32,
    # factor 1.183): 473.20; 958.80 a month.
    household = story.individual(effective=date(2025, 1, 1), birth=date(1990, 6, 1), spouse_birth=date(1992, 6, 1))
    story.day(date(2024, 12, 15))
    story.pay(household, 95_880, date(2024, 12, 28))
    story.day(date(2025, 1, 15))
    # February paid with 80.00 extra, which stays as unapplied credit.
    story.pay(household, 95_880 + 8_000, date(2025, 1, 28))

    # The March invoice of 02-15 applies the credit: 958.80 - 80.00 = 878.80 due Monday 03-03.
    story.day(date(2025, 2, 15))
    march = story.story.invoices(household.account)[-1]
    assert march.credits_applied_cents == 8_000
    assert march.amount_due_cents == 87_880
    assert march.due_date == date(2025, 3, 3)
    assert story.paid_through(household) == date(2025, 2, 28)

    story.day(date(2025, 3, 4))
    grace = story.grace(household)
    # 31 days from Tuesday 03-04: 2025-03-04..2025-04-03.
    assert (grace.start_date, grace.end_date) == (date(2025, 3, 4), date(2025, 4, 3))
    notice = story.ctx.session.scalars(select(Notice).where(Notice.policy_id == household.policy.id, Notice.notice_type == "delinquency")).one()
    assert notice.data["amount_due_cents"] == 87_880

    story.pay(household, 80_000, date(2025, 3, 10))
    story.day(date(2025, 3, 10))
    # 878.80 - 800.00 = 78.80 still due.
    assert story.status(household) == PolicyStatus.GRACE
    assert story.balance(household) == 7_880

    story.pay(household, 7_880, date(2025, 3, 12))
    story.day(date(2025, 3, 12))
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.paid_through(household) == date(2025, 3, 31)


def _couple(story, *, effective: date):
    household = story.individual(effective=effective, birth=date(1990, 8, 17))
    story.story.dependent(household.policy, first_name="B", birth=date(1992, 9, 10), relationship=Relationship.SPOUSE, start=effective)
    return household


def _draft(story, household, *, sent: date, settles: date):
    story.story.at(sent)
    result = post_payment(
        story.ctx,
        billing_account_id=household.account.id,
        amount_cents=COUPLE,
        channel=PaymentChannel.ACH_AUTODRAFT,
        method=PaymentMethod.ACH,
        received_on=sent,
        status=PaymentStatus.PENDING,
    )
    story.story.at(settles)
    settle_payment(story.ctx, result.payment, settled_on=settles)
    return result.payment


def test_bc15_return_grace_from_due_date(offexchange_story):
    story = offexchange_story
    household = _couple(story, effective=date(2026, 3, 1))
    story.day(date(2026, 2, 15))
    story.pay(household, COUPLE, date(2026, 2, 27))
    story.day(date(2026, 3, 15))
    payment = _draft(story, household, sent=date(2026, 3, 31), settles=date(2026, 4, 1))
    story.day(date(2026, 4, 1))
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.paid_through(household) == date(2026, 4, 30)

    story.story.at(date(2026, 4, 3))
    return_payment(story.ctx, payment, return_code="R01", returned_on=date(2026, 4, 3))
    story.fee(household, 2_500, date(2026, 4, 3))
    story.day(date(2026, 4, 3))

    assert story.status(household) == PolicyStatus.GRACE
    grace = story.grace(household)
    # From the original due date, Wednesday 04-01: 2026-04-02..2026-05-02, not 04-04..05-04.
    assert (grace.start_date, grace.end_date) == (date(2026, 4, 2), date(2026, 5, 2))
    assert story.paid_through(household) == date(2026, 3, 31)
    # 968.00 premium + 25.00 fee.
    assert story.balance(household) == COUPLE + 2_500
    assert ("delinquency", date(2026, 4, 3)) in story.dunning(household)


def _bc24(story):
    household = _couple(story, effective=date(2026, 8, 1))
    story.day(date(2026, 7, 15))
    story.pay(household, COUPLE, date(2026, 7, 28))
    story.day(date(2026, 8, 15))
    payment = _draft(story, household, sent=date(2026, 8, 31), settles=date(2026, 9, 1))
    story.day(date(2026, 9, 1))
    story.story.at(date(2026, 9, 3))
    return_payment(story.ctx, payment, return_code="R01", returned_on=date(2026, 9, 3))
    story.fee(household, 2_500, date(2026, 9, 3))
    story.day(date(2026, 9, 3))
    grace = story.grace(household)
    # From the day after the due date, Tuesday 09-01: 2026-09-02..2026-10-02.
    assert (grace.start_date, grace.end_date) == (date(2026, 9, 2), date(2026, 10, 2))
    story.day(date(2026, 9, 15))
    # Previous balance 968.00 + 25.00 fee + October 968.00.
    assert story.story.invoices(household.account)[-1].amount_due_cents == COUPLE + 2_500 + COUPLE
    return household


def test_bc24_fee_does_not_keep_grace(offexchange_story):
    story = offexchange_story
    household = _bc24(story)
    story.pay(household, COUPLE, date(2026, 9, 20))
    story.day(date(2026, 9, 20))
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.grace(household).closed_on == date(2026, 9, 20)
    assert story.paid_through(household) == date(2026, 9, 30)
    # The 25.00 fee stays owed with October's 968.00.
    assert story.balance(household) == 2_500 + COUPLE
    # October paid, the fee still open: no new grace period and no termination.
    story.pay(household, COUPLE, date(2026, 9, 30))
    story.day(date(2026, 10, 2))
    story.day(date(2026, 10, 3))
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.balance(household) == 2_500
    assert story.moves(household) == [("active", "grace", date(2026, 9, 3)), ("grace", "active", date(2026, 9, 20))]


def test_bc24_one_payment_variant(offexchange_story):
    story = offexchange_story
    household = _bc24(story)
    # 993.00 pays September in full; grace ends.
    story.pay(household, COUPLE + 2_500, date(2026, 9, 20))
    story.day(date(2026, 9, 20))
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.balance(household) == COUPLE


def test_bc24_partial_variant(offexchange_story):
    story = offexchange_story
    household = _bc24(story)
    # 968.00 - 400.00 = 568.00 of September still unpaid: grace continues to 10-02.
    story.pay(household, 40_000, date(2026, 9, 20))
    story.day(date(2026, 9, 20))
    assert story.status(household) == PolicyStatus.GRACE
    assert story.grace(household).end_date == date(2026, 10, 2)
    # 568.00 + 25.00 before October's premium.
    assert story.balance(household) == 56_800 + 2_500 + COUPLE
    story.day(date(2026, 10, 3))
    assert story.status(household) == PolicyStatus.TERMINATED
    # Paid through August: termination effective 08-31.
    assert story.transitions(household)[-1].effective_date == date(2026, 8, 31)


def test_late_return_judged_from_due_date(offexchange_story):
    story = offexchange_story
    household = _couple(story, effective=date(2026, 3, 1))
    story.day(date(2026, 2, 15))
    story.pay(household, COUPLE, date(2026, 2, 27))
    story.day(date(2026, 3, 15))
    payment = _draft(story, household, sent=date(2026, 3, 31), settles=date(2026, 4, 1))
    story.day(date(2026, 4, 1))
    story.day(date(2026, 4, 15))
    story.pay(household, COUPLE, date(2026, 4, 28))

    # An R10 return (unauthorized debit) arrives 05-15, after April's grace period would have ended.
    story.story.at(date(2026, 5, 15))
    return_payment(story.ctx, payment, return_code="R10", returned_on=date(2026, 5, 15))
    story.day(date(2026, 5, 15))

    # April is unpaid from its original due date, so its grace period ran 04-02..05-02 and has ended.
    periods = story.grace_periods(household)
    assert [(row.start_date, row.end_date, row.outcome) for row in periods] == [(date(2026, 4, 2), date(2026, 5, 2), "terminated")]
    assert story.status(household) == PolicyStatus.TERMINATED
    assert story.transitions(household)[-1].effective_date == date(2026, 3, 31)


def _grace_ends_saturday(received_date: ReceivedDateRule):
    # 33 days from Tuesday 03-03 end on Saturday 04-04.
    return replace(
        default_config(),
        grace_rules=(GraceRule(name="33 days", kind=GraceKind.DAYS, days=33, scope=RuleScope(markets=frozenset({"individual"}))),),
        received_date=received_date,
    )


def test_saturday_payment_counts_that_day(offexchange_story):
    story = offexchange_story
    story.config = _grace_ends_saturday(ReceivedDateRule.CALENDAR_DAY)
    household = _paid_through_february(story)
    story.day(date(2026, 3, 3))
    assert story.grace(household).end_date == date(2026, 4, 4)
    story.day(date(2026, 3, 15))
    story.pay(household, 2 * SINGLE, date(2026, 4, 4))
    story.day(date(2026, 4, 5))
    assert story.status(household) == PolicyStatus.ACTIVE


def test_saturday_payment_counts_next_banking_day(offexchange_story):
    story = offexchange_story
    story.config = _grace_ends_saturday(ReceivedDateRule.NEXT_BANKING_DAY)
    household = _paid_through_february(story)
    story.day(date(2026, 3, 3))
    story.day(date(2026, 3, 15))
    # Received Saturday 04-04, it counts from Monday 04-06, after the grace period.
    story.pay(household, 2 * SINGLE, date(2026, 4, 4))
    story.day(date(2026, 4, 5))
    assert story.status(household) == PolicyStatus.TERMINATED
