"""Premium collection rate, DSO and aging, computed from a billed and partly paid story."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from premia.kernel.dates import Month
from premia.kernel.errors import PermissionDeniedError
from premia.metrics import AgingBucket, AptcStatus, Business, KpiName, Period, Segment, kpi_report, kpi_report_with_months
from premia.metrics.receivables import days_sales_outstanding, premium_collection, receivable_aging
from premia.payments.service import reverse_payment
from premia.staff.permissions import Role
from tests.conftest import make_context
from tests.integration.conftest import Story
from tests.integration.metrics.conftest import EXCHANGE_PLAN, MONTHLY, NET, two_market_catalog

JAN_FEB = Period(date(2026, 1, 1), date(2026, 2, 28), date(2026, 4, 30))


def test_collection_rate_whole_book(book):
    figure = premium_collection(book.story.ctx, JAN_FEB, Segment())
    # applied by the cut-offs: Jan 488.80 + 288.80, Feb 244.40 + 288.80 = 1,310.80
    assert figure.numerator == 131_080
    # billed: (488.80 + 288.80) x 2 = 1,555.20
    assert figure.denominator == 155_520
    # 1,310.80 / 1,555.20 = 84.28% -> 84.3
    assert figure.value == Decimal("84.3")


def test_collection_rate_late_cash_left_out(book):
    figure = premium_collection(book.story.ctx, JAN_FEB, Segment(aptc=AptcStatus.WITHOUT_APTC))
    # direct household: Jan 488.80 + Feb 244.40 (the 03-20 half is after the 03-04 cut-off)
    assert figure.numerator == MONTHLY + MONTHLY // 2
    # 733.20 / 977.60 = 75.0%
    assert figure.value == Decimal("75.0")


def test_collection_rate_aptc_segment(book):
    figure = premium_collection(book.story.ctx, JAN_FEB, Segment(aptc=AptcStatus.WITH_APTC))
    # exchange household: billed net of APTC, 288.80 x 2, all paid
    assert figure.denominator == 2 * NET
    assert figure.value == Decimal("100.0")


def test_collection_rate_pending_before_cutoff(book):
    period = Period(date(2026, 1, 1), date(2026, 2, 28), date(2026, 2, 20))
    figure = premium_collection(book.story.ctx, period, Segment())
    # February's cut-off (2026-03-04) is after 02-20: both February invoices are pending
    assert figure.detail["pending_invoices"] == 2
    assert figure.detail["pending_billed_cents"] == MONTHLY + NET
    # January alone: 777.60 of 777.60
    assert figure.value == Decimal("100.0")


def test_collection_rate_counts_reversal(ctx):
    story = Story(ctx=ctx, catalog=two_market_catalog())
    account = story.at(date(2025, 12, 1)).account()
    story.policy(account, effective=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    posted = story.pay(account, MONTHLY, date(2025, 12, 28))
    supervisor = make_context(ctx.session, role=Role.SUPERVISOR, instant=ctx.now())
    reverse_payment(supervisor, posted.payment.id, reason="check drawn on a closed account", on=date(2026, 1, 5))
    story.pay(account, MONTHLY, date(2026, 1, 20))
    figure = premium_collection(ctx, Period(date(2026, 1, 1), date(2026, 1, 31), date(2026, 4, 30)), Segment())
    # 488.80 paid, 488.80 reversed, 488.80 paid again: 488.80 applied
    assert figure.numerator == MONTHLY
    assert figure.value == Decimal("100.0")


def test_dso_february(book):
    period = Period(date(2026, 2, 1), date(2026, 2, 28), date(2026, 4, 30))
    figure = days_sales_outstanding(book.story.ctx, period, Segment())
    # receivable on 02-28 on invoices due by then: February's unpaid half, 244.40
    assert figure.numerator == MONTHLY // 2
    # billed in February: 488.80 + 288.80 = 777.60
    assert figure.denominator == MONTHLY + NET
    # 244.40 / 777.60 x 28 = 8.80 -> 8.8 days
    assert figure.value == Decimal("8.8")


def test_aging_march_unpaid(book):
    aging = receivable_aging(book.story.ctx, date(2026, 4, 15), Segment())
    # March (due 03-02) is 44 days late on 04-15: 488.80 + 288.80 = 777.60
    assert aging.buckets[AgingBucket.DAYS_31_60] == MONTHLY + NET
    assert aging.buckets[AgingBucket.OVER_90] == 0
    assert aging.items[AgingBucket.DAYS_31_60] == 2


def test_aging_reads_as_of_day(book):
    aging = receivable_aging(book.story.ctx, date(2026, 3, 10), Segment())
    # On 03-10 February's late half (paid 03-20) was still open, 36 days past 02-02
    assert aging.buckets[AgingBucket.DAYS_31_60] == MONTHLY // 2
    # and March, 8 days past 03-02
    assert aging.buckets[AgingBucket.DAYS_1_30] == MONTHLY + NET


def test_report_over_90(book):
    report = kpi_report(book.story.ctx, first_day=date(2026, 6, 1), last_day=date(2026, 6, 30), as_of=date(2026, 6, 30))
    figure = report.figure(KpiName.AR_OVER_90_DAYS)
    # March is 120 days past due on 06-30: all 777.60 open is over 90 days
    assert figure.numerator == MONTHLY + NET
    assert figure.value == Decimal("100.0")


def test_group_segment_empty(book):
    figure = premium_collection(book.story.ctx, JAN_FEB, Segment(business=Business.GROUP))
    assert figure.denominator == 0
    assert figure.value is None


def test_report_needs_kpi_permission(book):
    csr = make_context(book.story.ctx.session, role=Role.CSR)
    with pytest.raises(PermissionDeniedError):
        kpi_report(csr, first_day=date(2026, 1, 1), last_day=date(2026, 1, 31))



def test_collection_rate_skips_zero_invoice(ctx):
    story = Story(ctx=ctx, catalog=two_market_catalog())
    account = story.at(date(2025, 12, 1)).account()
    policy = story.policy(account, effective=date(2026, 1, 1), plan_id=EXCHANGE_PLAN, on_exchange=True)
    story.aptc(policy, MONTHLY, start=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    figure = premium_collection(ctx, Period(date(2026, 1, 1), date(2026, 1, 31), date(2026, 4, 30)), Segment())
    # APTC 488.80 covers the whole 488.80 premium: nothing to collect
    assert figure.detail["invoices_without_premium_due"] == 1
    assert figure.denominator == 0
    assert figure.value is None


def test_aging_nets_later_credit(ctx):
    story = Story(ctx=ctx, catalog=two_market_catalog())
    account = story.at(date(2025, 12, 1)).account()
    policy = story.policy(account, effective=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    story.pay(account, MONTHLY, date(2025, 12, 28))
    story.bill(date(2026, 1, 15))
    story.at(date(2026, 2, 10))
    story.terminate(policy, date(2026, 1, 31))
    story.bill(date(2026, 2, 15))
    aging = receivable_aging(ctx, date(2026, 4, 30), Segment())
    # February was billed (488.80, due 02-02) and credited back on March's invoice (-488.80): nothing is owed
    assert aging.total_cents == 0


def test_dashboard_period_ends_at_as_of(book):
    whole, months = kpi_report_with_months(
        book.story.ctx, first_month=Month.parse("2026-01"), last_month=Month.parse("2026-03"), as_of=date(2026, 3, 10)
    )
    # March is still running on 03-10: the period and the March report end that day
    assert whole.last_day == date(2026, 3, 10)
    assert months[-1].last_day == date(2026, 3, 10)
    assert whole.figure(KpiName.DSO).detail["days_in_period"] == 31 + 28 + 10


def test_series_matches_single_reports(book):
    ctx = book.story.ctx
    whole, months = kpi_report_with_months(ctx, first_month=Month.parse("2026-01"), last_month=Month.parse("2026-03"), as_of=date(2026, 3, 10))
    alone = kpi_report(ctx, first_day=date(2026, 1, 1), last_day=date(2026, 3, 10), as_of=date(2026, 3, 10))
    assert whole.to_dict() == alone.to_dict()
    for report in months:
        single = kpi_report(ctx, first_day=report.first_day, last_day=report.last_day, as_of=date(2026, 3, 10))
        assert report.to_dict() == single.to_dict()


def test_running_period_ends_at_as_of(book):
    ctx = book.story.ctx
    report = kpi_report(ctx, first_day=date(2026, 3, 1), last_day=date(2026, 3, 31), as_of=date(2026, 3, 10))
    _, months = kpi_report_with_months(ctx, first_month=Month.parse("2026-03"), last_month=Month.parse("2026-03"), as_of=date(2026, 3, 10))
    # The 21 days after 03-10 have not happened yet, so DSO divides by 10 days, as the series does
    assert report.last_day == date(2026, 3, 10)
    assert report.figure(KpiName.DSO).detail["days_in_period"] == 10
    assert report.to_dict() == months[0].to_dict()
