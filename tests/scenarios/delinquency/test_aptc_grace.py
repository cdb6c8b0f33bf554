"""APTC enrollees through the three-month grace period, stepped day by day through 2026.

Subscriber born 1980-03-15: age 45, factor 1.444, gross 400.00 x 1.444 = 577.60; APTC 477.60,
so the net premium is 100.00 a month. Invoices are issued on the 15th and due on the 1st,
moved to the next banking day: 2026-01-02 (New Year's Day), 02-02 and 03-02 (Sundays
the 1st), 04-01, 05-01, 06-01, 07-01.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from premia.billing.model import LineKind
from premia.billing.tables import InvoiceLine
from premia.delinquency.model import ClaimsAction
from premia.delinquency.tables import DelinquencyTransition
from premia.enrollment import service as enrollment
from premia.enrollment.model import ExchangeAmountKind, Market, PolicyStatus
from premia.enrollment.tables import CoverageSpan
from premia.kernel.dates import Month
from premia.notices.tables import Notice

BIRTH = date(1980, 3, 15)
APTC = 47_760
NET = 10_000


def _enrolled_and_paid(story, *, through_month: int):
    """An APTC household effective 2026-01-01 that paid every month up to ``through_month``."""
    household = story.individual(effective=date(2026, 1, 1), birth=BIRTH, exchange=True, aptc_cents=APTC)
    story.day(date(2025, 12, 15))
    story.pay(household, NET, date(2025, 12, 28))
    for month in range(2, through_month + 1):
        story.day(date(2026, month - 1, 15))
        story.pay(household, NET, date(2026, month - 1, 25))
    story.day(date(2026, through_month, 15))
    return household


def test_misses_february_pays_in_april(exchange_story):
    story = exchange_story
    household = _enrolled_and_paid(story, through_month=1)

    # February is due Monday 02-02; on its due date it is not late yet.
    assert story.day(date(2026, 2, 2)).changes == []
    story.day(date(2026, 2, 3))
    assert story.status(household) == PolicyStatus.GRACE
    grace = story.grace(household)
    # Three calendar months from the first unpaid month: February..April 2026.
    assert (grace.start_date, grace.end_date) == (date(2026, 2, 1), date(2026, 4, 30))
    # Claims pended from month two; termination, if it comes, back to the end of month one.
    assert grace.claims_pend_from == date(2026, 3, 1)
    assert grace.termination_date == date(2026, 2, 28)
    feb_claim = story.eligibility(household, date(2026, 2, 10))
    assert feb_claim.covered
    assert feb_claim.claims is ClaimsAction.PAY
    assert feb_claim.grace_month == 1

    story.day(date(2026, 2, 15))
    story.day(date(2026, 3, 1))
    march_claim = story.eligibility(household, date(2026, 3, 10))
    assert march_claim.covered
    assert march_claim.claims is ClaimsAction.PEND
    assert march_claim.grace_month == 2

    story.day(date(2026, 3, 15))
    story.day(date(2026, 4, 1))
    # 200.00 on April 20 pays February and March, oldest first; April is still open.
    story.pay(household, 2 * NET, date(2026, 4, 20))
    assert story.day(date(2026, 4, 20)).changes == []
    assert story.status(household) == PolicyStatus.GRACE
    story.pay(household, NET, date(2026, 4, 28))
    story.day(date(2026, 4, 28))

    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.moves(household) == [
        ("active", "grace", date(2026, 2, 3)),
        ("grace", "active", date(2026, 4, 28)),
    ]
    assert story.paid_through(household) == date(2026, 4, 30)
    assert story.eligibility(household, date(2026, 3, 10)).claims is ClaimsAction.PAY
    # The delinquency notice comes the day after the due date. The second notice and the
    # provider flag come on the first day of month two, the final notice on the first day
    # of month three, and there is no termination notice.
    assert story.dunning(household) == [
        ("delinquency", date(2026, 2, 3)),
        ("grace_second", date(2026, 3, 1)),
        ("provider_pend", date(2026, 3, 1)),
        ("final", date(2026, 4, 1)),
    ]


def test_never_pays_terminated_back_to_february(exchange_story):
    story = exchange_story
    household = _enrolled_and_paid(story, through_month=1)
    story.day(date(2026, 2, 3))
    story.day(date(2026, 2, 15))
    story.day(date(2026, 3, 1))
    assert story.eligibility(household, date(2026, 3, 10)).claims is ClaimsAction.PEND
    story.day(date(2026, 3, 15))
    story.day(date(2026, 4, 1))
    assert story.eligibility(household, date(2026, 4, 10)).claims is ClaimsAction.PEND
    story.day(date(2026, 4, 15))
    # The last day of grace is 04-30; nothing happens until it has passed.
    assert story.day(date(2026, 4, 30)).changes == []

    report = story.day(date(2026, 5, 1))
    assert [(change.to_status, change.effective_date) for change in report.changes] == [("terminated", date(2026, 2, 28))]
    assert story.status(household) == PolicyStatus.TERMINATED
    # February (month one) claims stay paid; March and April claims, pended until now, are denied.
    february = story.eligibility(household, date(2026, 2, 10))
    assert february.covered
    assert february.claims is ClaimsAction.PAY
    for service_date in (date(2026, 3, 10), date(2026, 4, 10)):
        answer = story.eligibility(household, service_date)
        assert not answer.covered
        assert answer.claims is ClaimsAction.DENY
    assert story.dunning(household)[-1] == ("termination", date(2026, 5, 1))
    outbound = story.outbound(household)
    assert [(row.kind, row.effective_date, row.maintenance_type, row.maintenance_reason) for row in outbound] == [
        ("termination", date(2026, 2, 28), "024", "59")
    ]

    # The next bill run credits March, April and May; the member owes February's net premium only.
    story.day(date(2026, 5, 15))
    assert story.balance(household) == NET


def test_bc22_partial_payment_keeps_stages(exchange_story):
    story = exchange_story
    household = _enrolled_and_paid(story, through_month=3)

    story.day(date(2026, 4, 2))
    assert story.status(household) == PolicyStatus.GRACE
    grace = story.grace(household)
    assert grace.first_unpaid_month == date(2026, 4, 1)
    # April, May, June: grace ends 2026-06-30.
    assert grace.end_date == date(2026, 6, 30)
    assert story.dunning(household) == [("delinquency", date(2026, 4, 2))]
    delinquency_notice = story.ctx.session.scalars(_notice_query(household, "delinquency")).one()
    assert delinquency_notice.data["amount_due_cents"] == NET

    story.day(date(2026, 4, 15))
    story.day(date(2026, 5, 1))
    assert story.dunning(household)[1:] == [("grace_second", date(2026, 5, 1)), ("provider_pend", date(2026, 5, 1))]
    assert story.eligibility(household, date(2026, 5, 5)).claims is ClaimsAction.PEND

    # 100.00 received 05-20 pays April, the oldest; May still owes 100.00.
    story.pay(household, NET, date(2026, 5, 20))
    assert story.day(date(2026, 5, 20)).changes == []
    assert story.status(household) == PolicyStatus.GRACE
    assert story.grace(household).end_date == date(2026, 6, 30)
    assert len(story.grace_periods(household)) == 1

    story.day(date(2026, 5, 15))
    story.day(date(2026, 6, 1))
    assert story.dunning(household)[-1] == ("final", date(2026, 6, 1))
    assert story.eligibility(household, date(2026, 6, 10)).claims is ClaimsAction.PEND
    story.day(date(2026, 6, 15))

    report = story.day(date(2026, 7, 1))
    assert [(change.trigger, change.effective_date) for change in report.changes] == [("grace_ended", date(2026, 4, 30))]
    # May and June, 2 x 100.00, were unpaid at the end of grace.
    assert report.changes[0].amounts["past_due_cents"] == 2 * NET
    assert story.dunning(household) == [
        ("delinquency", date(2026, 4, 2)),
        ("grace_second", date(2026, 5, 1)),
        ("provider_pend", date(2026, 5, 1)),
        ("final", date(2026, 6, 1)),
        ("termination", date(2026, 7, 1)),
    ]
    assert story.eligibility(household, date(2026, 5, 5)).claims is ClaimsAction.DENY

    # The 07-15 bill run reverses May, June and July (invoiced 06-15), APTC included.
    story.day(date(2026, 7, 15))
    assert _aptc_billed(story, household, "2026-04") == -APTC
    for month in ("2026-05", "2026-06", "2026-07"):
        assert _aptc_billed(story, household, month) == 0
    assert story.balance(household) == 0


def test_bc22_cure_on_june_25(exchange_story):
    story = exchange_story
    household = _enrolled_and_paid(story, through_month=3)
    for day in (date(2026, 4, 2), date(2026, 4, 15), date(2026, 5, 1)):
        story.day(day)
    story.pay(household, NET, date(2026, 5, 20))
    for day in (date(2026, 5, 20), date(2026, 6, 1), date(2026, 6, 15)):
        story.day(day)

    # 200.00 on 06-25 pays May and June: everything due is paid, so grace ends that day.
    story.pay(household, 2 * NET, date(2026, 6, 25))
    story.day(date(2026, 6, 25))
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.grace(household).outcome == "cured"
    assert story.grace(household).closed_on == date(2026, 6, 25)
    assert story.eligibility(household, date(2026, 6, 10)).claims is ClaimsAction.PAY
    assert story.day(date(2026, 7, 1)).changes == []
    assert ("termination", date(2026, 7, 1)) not in story.dunning(household)


def test_aptc_last_day_payment(exchange_story):
    story = exchange_story
    household = _enrolled_and_paid(story, through_month=3)
    for day in (date(2026, 4, 2), date(2026, 4, 15), date(2026, 5, 1), date(2026, 5, 15), date(2026, 6, 1), date(2026, 6, 15)):
        story.day(day)
    # April, May and June paid on 06-30, the last day of grace; the next run is 07-01.
    story.pay(household, 3 * NET, date(2026, 6, 30))
    story.day(date(2026, 7, 1))
    assert story.status(household) == PolicyStatus.ACTIVE


def test_bc21_zero_invoice_no_grace(story_factory):
    # Born 1998-10-30: age 27 on 2026-07-01, factor 1.048, gross 400.00 x 1.048 = 419.20.
    # EHB share 1.000 caps APTC at 419.20, under the exchange's 512.00: net 0.00.
    story = story_factory(exchange=True, ehb_share="1")
    household = story.individual(effective=date(2026, 7, 1), birth=date(1998, 10, 30), exchange=True, aptc_cents=51_200)
    story.day(date(2026, 6, 15))
    assert story.story.invoices(household.account)[0].amount_due_cents == 0
    story.day(date(2026, 7, 2))
    assert story.status(household) == PolicyStatus.ACTIVE
    assert story.grace(household) is None
    assert story.dunning(household) == []
    assert story.paid_through(household) == date(2026, 7, 31)


def test_bc21_small_balance_starts_grace(story_factory):
    # EHB share 0.995: 419.20 x 0.995 = 417.104, rounded down to 417.10; net 419.20 - 417.10 = 2.10.
    story = story_factory(exchange=True, ehb_share="0.995")
    household = story.individual(effective=date(2026, 6, 1), birth=date(1998, 10, 30), exchange=True, aptc_cents=51_200)
    story.day(date(2026, 5, 15))
    story.pay(household, 210, date(2026, 5, 20))
    story.day(date(2026, 6, 15))
    story.day(date(2026, 7, 2))
    assert story.status(household) == PolicyStatus.GRACE
    grace = story.grace(household)
    # June was paid in full, so the three-month APTC grace period applies: July..September.
    assert (grace.start_date, grace.end_date) == (date(2026, 7, 1), date(2026, 9, 30))
    assert grace.past_due_cents == 210


def test_grace_across_plan_year_cancels_renewal(exchange_story):
    story = exchange_story
    # Born 1980-11-15: age 45 on 2026-10-01, so the net premium is again 577.60 - 477.60 = 100.00.
    household = story.individual(effective=date(2026, 10, 1), birth=date(1980, 11, 15), exchange=True, aptc_cents=APTC)
    household.policy.end_date = date(2026, 12, 31)
    for span in story.ctx.session.scalars(select(CoverageSpan).where(CoverageSpan.policy_id == household.policy.id)):
        span.end_date = date(2026, 12, 31)
    renewal = _renewal(story, household, effective=date(2027, 1, 1))

    story.day(date(2026, 9, 15))
    story.pay(household, NET, date(2026, 9, 20))
    story.day(date(2026, 10, 15))
    # November (due Monday 11-02) is missed: grace November, December and January 2027.
    story.day(date(2026, 11, 3))
    grace = story.grace(household)
    assert grace.end_date == date(2027, 1, 31)
    for day in (date(2026, 11, 15), date(2026, 12, 1), date(2026, 12, 15), date(2027, 1, 1), date(2027, 1, 31)):
        story.day(day)
    assert story.status(household) == PolicyStatus.GRACE

    story.day(date(2027, 2, 1))
    # The old year's coverage ends on the last day of month one, and the new year's is cancelled.
    assert story.status(household) == PolicyStatus.TERMINATED
    story.ctx.session.refresh(household.policy)
    assert household.policy.end_date == date(2026, 11, 30)
    story.ctx.session.refresh(renewal)
    assert renewal.status == PolicyStatus.CANCELLED
    assert [row.trigger for row in _transitions_of(story, renewal)][-1] == "prior_coverage_terminated"


def _aptc_billed(story, household, month: str) -> int:
    total = story.ctx.session.scalar(
        select(func.coalesce(func.sum(InvoiceLine.amount_cents), 0)).where(
            InvoiceLine.policy_id == household.policy.id,
            InvoiceLine.kind == LineKind.APTC.value,
            InvoiceLine.coverage_month == Month.parse(month).first_day,
            InvoiceLine.invoice_id.is_not(None),
        )
    )
    return int(total)


def _notice_query(household, notice_type: str):
    return select(Notice).where(Notice.policy_id == household.policy.id, Notice.notice_type == notice_type)


def _renewal(story, household, *, effective: date):
    renewal = enrollment.create_policy(
        story.ctx,
        enrollment.PolicyInput(
            billing_account_id=household.account.id,
            subscriber_person_id=household.account.person_id,
            plan_id=household.policy.plan_id,
            rating_area="VA-1",
            market=Market.INDIVIDUAL,
            state="VA",
            effective_date=effective,
            on_exchange=True,
            exchange_policy_id=f"{household.policy.exchange_policy_id}-R",
            status=PolicyStatus.ACTIVE,
        ),
    )
    renewal.renewed_from_policy_id = household.policy.id
    enrollment.set_exchange_amount(story.ctx, renewal, kind=ExchangeAmountKind.APTC, amount_cents=APTC, start_date=effective)
    return renewal


def _transitions_of(story, policy):
    return list(story.ctx.session.scalars(select(DelinquencyTransition).where(DelinquencyTransition.policy_id == policy.id).order_by(DelinquencyTransition.id)))
