"""Billing periods over time: quarters and years across a leap year, group plan years, plan changes."""

from __future__ import annotations

from datetime import date

from premia.accounts.model import PaymentMode
from premia.billing.queries import paid_through_dates
from premia.kernel.dates import one_year_term
from tests.integration.conftest import group_catalog, plans_catalog, story_catalog

LEAP_YEAR_RATES = {2027: "400.00", 2028: "420.00", 2029: "441.00"}


def test_quarters_across_leap_year(story):
    story.catalog = story_catalog(LEAP_YEAR_RATES)
    # Born 1985-06-15: age 42 on both 2027-12-01 and 2028-01-01, factor 1.325.
    account = story.at(date(2027, 10, 1)).account(birth=date(1985, 6, 15), mode=PaymentMode.QUARTERLY)
    policy = story.policy(account, effective=date(2027, 12, 1))

    story.bill_every(date(2027, 11, 1), date(2028, 11, 14))
    story.bill(date(2028, 11, 14))

    invoices = story.invoices(account)
    assert [(invoice.period_start, invoice.period_end) for invoice in invoices] == [
        (date(2027, 12, 1), date(2028, 2, 29)),
        (date(2028, 3, 1), date(2028, 5, 31)),
        (date(2028, 6, 1), date(2028, 8, 31)),
        (date(2028, 9, 1), date(2028, 11, 30)),
    ]
    # December at 2027's rate, 400.00 x 1.325 = 530.00; 2028 months 420.00 x 1.325 = 556.50.
    first_lines = sorted((line.coverage_month, line.amount_cents) for line in story.lines(invoices[0]))
    assert first_lines == [(date(2027, 12, 1), 53_000), (date(2028, 1, 1), 55_650), (date(2028, 2, 1), 55_650)]
    # 530.00 + 2 x 556.50 = 1,643.00, then 3 x 556.50 = 1,669.50 a quarter
    assert [invoice.current_charges_cents for invoice in invoices] == [164_300, 166_950, 166_950, 166_950]
    assert [invoice.due_date for invoice in invoices] == [date(2027, 12, 1), date(2028, 3, 1), date(2028, 6, 1), date(2028, 9, 1)]
    # February 2028 is billed once, on the first quarter.
    february = [line for invoice in invoices for line in story.lines(invoice) if line.coverage_month == date(2028, 2, 1)]
    assert len(february) == 1

    story.pay_invoice(invoices[0], date(2027, 11, 30))
    assert paid_through_dates(story.ctx, [policy])[policy.id] == date(2028, 2, 29)


def test_annual_periods_across_leap_year(story):
    story.catalog = story_catalog(LEAP_YEAR_RATES)
    # Born 1988-02-29: age 39 on 2028-01-01 (factor 1.262), 40 on 2029-01-01 (factor 1.278).
    account = story.at(date(2027, 12, 1)).account(birth=date(1988, 2, 29), mode=PaymentMode.ANNUAL)
    policy = story.policy(account, effective=date(2028, 1, 1))

    story.bill_every(date(2027, 12, 1), date(2029, 12, 14))
    story.bill(date(2029, 12, 14))

    invoices = story.invoices(account)
    assert len(invoices) == 2
    assert (invoices[0].period_start, invoices[0].period_end) == (date(2028, 1, 1), date(2028, 12, 31))
    assert (invoices[1].period_start, invoices[1].period_end) == (date(2029, 1, 1), date(2029, 12, 31))
    # 12 x (420.00 x 1.262 = 530.04) = 6,360.48
    assert invoices[0].current_charges_cents == 636_048
    # 441.00 x 1.278 = 563.598 -> 563.60; 12 x 563.60 = 6,763.20
    assert invoices[1].current_charges_cents == 676_320
    # Saturday 2028-01-01 moves to Monday 01-03; Monday 2029-01-01 is a holiday, so Tuesday 01-02.
    assert invoices[0].due_date == date(2028, 1, 3)
    assert invoices[1].due_date == date(2029, 1, 2)

    story.pay_invoice(invoices[0], date(2027, 12, 20))
    assert paid_through_dates(story.ctx, [policy])[policy.id] == date(2028, 12, 31)


def test_group_plan_year_ends_before_anniversary(story):
    story.catalog = group_catalog({2025: "410.00", 2026: "430.50"})
    group, account = story.at(date(2025, 7, 1)).employer_group("G-0901", anniversary_month=9)
    # Born 1988-03-14: age 37 on 2025-09-01 (factor 1.238), 38 on 2026-09-01 (factor 1.246).
    story.employee(account, group, first_name="A", birth=date(1988, 3, 14), effective=date(2025, 9, 1))

    story.bill_every(date(2025, 8, 1), date(2026, 8, 31))

    assert one_year_term(date(2025, 9, 1)).end == date(2026, 8, 31)
    invoices = story.invoices(account)
    assert len(invoices) == 13
    plan_year = invoices[:12]
    assert plan_year[0].period_start == date(2025, 9, 1)
    assert plan_year[-1].period_start == date(2026, 8, 1)
    # 410.00 x 1.238 = 507.58 each month; 12 x 507.58 = 6,090.96
    assert {invoice.current_charges_cents for invoice in plan_year} == {50_758}
    assert sum(invoice.current_charges_cents for invoice in plan_year) == 609_096
    # The renewal: 430.50 x 1.246 = 536.403 -> 536.40
    assert invoices[12].period_start == date(2026, 9, 1)
    assert invoices[12].current_charges_cents == 53_640


def test_group_leap_plan_year(story):
    story.catalog = group_catalog({2027: "400.00", 2028: "440.00"})
    group, account = story.at(date(2027, 2, 1)).employer_group("G-0301", anniversary_month=3)
    # Born 1990-06-01: age 36 on 2027-03-01 (factor 1.230), 37 on 2028-03-01 (factor 1.238).
    story.employee(account, group, first_name="A", birth=date(1990, 6, 1), effective=date(2027, 3, 1))

    story.bill_every(date(2027, 2, 10), date(2028, 2, 29))

    assert one_year_term(date(2027, 3, 1)).end == date(2028, 2, 29)
    invoices = story.invoices(account)
    # February 2028 still belongs to the plan year from 2027-03-01: 400.00 x 1.230 = 492.00.
    assert invoices[-2].period_start == date(2028, 2, 1)
    assert invoices[-2].current_charges_cents == 49_200
    # March 2028 starts the next plan year: 440.00 x 1.238 = 544.72.
    assert invoices[-1].period_start == date(2028, 3, 1)
    assert invoices[-1].current_charges_cents == 54_472


def test_two_plan_changes_in_one_quarter(story):
    story.catalog = plans_catalog({"BRONZE-VA": {2025: "310.00"}, "SILVER-VA": {2025: "395.00"}, "GOLD-VA": {2025: "470.00"}})
    # Born 1983-07-09: age 41 in 2025, factor 1.302. Bronze 310.00 x 1.302 = 403.62,
    # Silver 395.00 x 1.302 = 514.29, Gold 470.00 x 1.302 = 611.94.
    account = story.at(date(2024, 12, 1)).account(birth=date(1983, 7, 9), mode=PaymentMode.QUARTERLY)
    bronze = story.policy(account, effective=date(2025, 1, 1), plan_id="BRONZE-VA")
    story.bill(date(2024, 12, 15))
    story.bill(date(2025, 3, 15))
    second_quarter = story.invoices(account)[1]
    # 3 x 403.62 = 1,210.86
    assert second_quarter.current_charges_cents == 121_086
    story.pay_invoice(second_quarter, date(2025, 3, 28))

    # A plan change ends the old policy the day before and starts a new one on the same account.
    story.at(date(2025, 4, 20)).terminate(bronze, date(2025, 4, 30))
    silver = story.policy(account, effective=date(2025, 5, 1), plan_id="SILVER-VA")
    story.at(date(2025, 5, 20)).terminate(silver, date(2025, 5, 31))
    story.policy(account, effective=date(2025, 6, 1), plan_id="GOLD-VA")
    story.bill(date(2025, 6, 15))

    third_quarter = story.invoices(account)[2]
    assert third_quarter.due_date == date(2025, 7, 1)
    per_month: dict[int, int] = {}
    for line in story.lines(third_quarter):
        if line.adjustment:
            per_month[line.coverage_month.month] = per_month.get(line.coverage_month.month, 0) + line.amount_cents
    # May: 514.29 - 403.62 = 110.67; June: 611.94 - 403.62 = 208.32
    assert per_month == {5: 11_067, 6: 20_832}
    # July to September at Gold: 3 x 611.94 = 1,835.82
    assert third_quarter.current_charges_cents == 183_582
    # 1,835.82 + 110.67 + 208.32 = 2,154.81
    assert third_quarter.current_charges_cents + third_quarter.adjustments_cents == 215_481
