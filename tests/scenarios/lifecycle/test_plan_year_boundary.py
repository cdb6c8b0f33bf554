"""Stories across a plan-year boundary: renewals re-rated, declined, with roster changes and grace."""

from __future__ import annotations

from datetime import date

from premia.accounts.model import PaymentMode
from premia.delinquency.service import run_delinquency
from premia.enrollment import service as enrollment
from premia.enrollment.model import PolicyStatus, Relationship
from premia.kernel.dates import Month
from premia.ledger import service as ledger
from premia.lifecycle import renewals
from premia.lifecycle.model import OfferStatus, RenewalOutcome, RequestSource
from premia.payments.model import RefundStatus
from tests.integration.conftest import group_catalog, story_catalog

TWO_YEARS = {2026: "400.00", 2027: "420.00"}


def _pay_each_month(life, household, first: Month, last: Month) -> None:
    """Bill each month on the 15th before it and pay that invoice five days later."""
    month = first
    while month <= last:
        issue = month.plus(-1).first_day.replace(day=15)
        life.story.bill(issue)
        life.story.pay_invoice(life.invoice_for(household.account, month.first_day), issue.replace(day=20))
        month = month.plus(1)


def test_family_renewed_with_new_ages(life):
    life.story.catalog = story_catalog(TWO_YEARS)
    # Subscriber born 1962-08-01: 63 on 2026-01-01 (factor 2.952), 64 on 2027-01-01 (the 64+ band, 3.000).
    household = life.single(effective=date(2026, 1, 1), birth=date(1962, 8, 1))
    children = {}
    for name, birth in (("C1", date(2005, 6, 15)), ("C2", date(2010, 2, 1)), ("C3", date(2012, 7, 1)), ("C4", date(2016, 9, 1))):
        children[name] = life.story.dependent(household.policy, first_name=name, birth=birth, relationship=Relationship.CHILD, start=date(2026, 1, 1)).person_id

    life.story.bill(date(2025, 12, 15))
    january = life.invoice_for(household.account, date(2026, 1, 1))
    # 400.00 x 2.952 = 1,180.80; C1 age 20: 400.00 x 0.970 = 388.00; C2 age 15: 400.00 x 0.833 = 333.20;
    # C3 age 13: 400.00 x 0.765 = 306.00; C4 age 9 is the 4th child under 21: 0.00.
    # 1,180.80 + 388.00 + 333.20 + 306.00 = 2,208.00
    assert january.current_charges_cents == 220_800

    report = life.renew(date(2026, 10, 15))
    assert report.count(RenewalOutcome.RENEWED) == 1
    renewal = life.renewal_of(household.policy)
    offer = life.offers(household.policy)[0]
    assert offer.previous_premium_cents == 220_800
    # 420.00 x 3.000 = 1,260.00; C1 now 21 is charged as an adult: 420.00 x 1.000 = 420.00;
    # C2 age 16: 420.00 x 0.859 = 360.78; C3 age 14 and C4 age 10, now among the 3 oldest under 21:
    # 420.00 x 0.765 = 321.30 each. 1,260.00 + 420.00 + 360.78 + 321.30 + 321.30 = 2,683.38
    assert offer.premium_cents == 268_338

    notice = life.notices(renewal, "renewal")[0]
    by_member = {member["relationship"] + str(member["previous_age"]): member for member in notice.data["members"]}
    assert by_member["subscriber63"]["age"] == 64
    assert by_member["child20"]["age"] == 21
    assert by_member["child20"]["previous_premium_cents"] == 38_800
    assert by_member["child20"]["premium_cents"] == 42_000
    assert by_member["child9"]["previous_premium_cents"] == 0
    assert by_member["child9"]["premium_cents"] == 32_130

    life.story.bill(date(2026, 12, 15))
    december = life.invoice_for(household.account, date(2026, 12, 1))
    assert december.current_charges_cents == 220_800
    renewal_january = life.invoice_for(household.account, date(2027, 1, 1))
    assert renewal_january.current_charges_cents == 268_338
    lines = {line.person_id: line.amount_cents for line in life.lines(renewal_january) if line.policy_id == renewal.id}
    assert lines[children["C1"]] == 42_000
    assert lines[children["C4"]] == 32_130
    assert all(line.policy_id == renewal.id for line in life.lines(renewal_january))

    life.renew(date(2027, 1, 1))
    assert life.offers(household.policy)[0].status == OfferStatus.ACCEPTED


def test_declined_renewal_refunds_january(life):
    life.story.catalog = story_catalog(TWO_YEARS)
    # Born 1990-04-12: 400.00 x 1.222 = 488.80 in 2026; 420.00 x 1.230 = 516.60 in 2027.
    household = life.single(effective=date(2026, 1, 1), birth=date(1990, 4, 12))
    _pay_each_month(life, household, Month(2026, 1), Month(2026, 10))
    life.renew(date(2026, 10, 15))
    renewal = life.renewal_of(household.policy)
    life.story.bill(date(2026, 11, 15))
    life.story.bill(date(2026, 12, 15))
    january = life.invoice_for(household.account, date(2027, 1, 1))
    assert january.current_charges_cents == 51_660
    # November, December and January: 488.80 + 488.80 + 516.60 = 1,494.20
    assert january.amount_due_cents == 149_420
    life.story.pay(household.account, january.amount_due_cents, date(2026, 12, 20))

    life.story.at(date(2026, 12, 22))
    renewals.decline_renewal(life.ctx, household.policy.policy_number, catalog=life.catalog, on=date(2026, 12, 22), reason="employer coverage")
    life.story.bill(date(2027, 1, 15))

    assert renewal.status == PolicyStatus.CANCELLED
    assert household.policy.end_date == date(2026, 12, 31)
    statement = life.invoice_for(household.account, date(2027, 2, 1))
    assert statement.current_charges_cents == 0
    assert life.month_total(statement, date(2027, 1, 1)) == -51_660
    settled = life.settle(date(2027, 1, 16))
    assert settled[0].refund_cents == 51_660
    # 516.60 is above the 500.00 approval limit.
    assert settled[0].refund_status == RefundStatus.PENDING_APPROVAL


def test_group_renewal_with_roster_change(life):
    life.story.catalog = group_catalog({2025: "410.00", 2026: "430.50"})
    group, account = life.story.at(date(2025, 7, 1)).employer_group("G-0901", anniversary_month=9)
    # A born 1988-03-14: 37 on 2025-09-01, 410.00 x 1.238 = 507.58; 38 on 2026-09-01, 430.50 x 1.246 = 536.403 -> 536.40.
    # B born 1975-10-01: 49 on 2025-09-01, 410.00 x 1.706 = 699.46; 50 on 2026-09-01, 430.50 x 1.786 = 768.873 -> 768.87.
    employee_a = life.story.employee(account, group, first_name="A", birth=date(1988, 3, 14), effective=date(2025, 9, 1))
    employee_b = life.story.employee(account, group, first_name="B", birth=date(1975, 10, 1), effective=date(2025, 9, 1))
    life.story.bill(date(2025, 8, 15))

    assert life.renew(date(2026, 7, 2)).results == []
    # 2026-09-01 - 60 days = 2026-07-03
    report = life.renew(date(2026, 7, 3))
    assert report.count(RenewalOutcome.RENEWED) == 2
    renewal_a, renewal_b = life.renewal_of(employee_a), life.renewal_of(employee_b)
    assert employee_a.end_date == date(2026, 8, 31)
    assert renewal_a.effective_date == date(2026, 9, 1)
    assert [offer.premium_cents for offer in life.offers(employee_a) + life.offers(employee_b)] == [53_640, 76_887]

    life.story.bill(date(2026, 8, 15))
    # 507.58 + 699.46 = 1,207.04 through August 2026; 536.40 + 768.87 = 1,305.27 from September.
    assert life.invoice_for(account, date(2026, 8, 1)).current_charges_cents == 120_704
    assert life.invoice_for(account, date(2026, 9, 1)).current_charges_cents == 130_527

    # In the renewal's first month a new hire joins on the 15th and B leaves after the 20th.
    life.story.at(date(2026, 9, 10))
    hire = life.story.employee(account, group, first_name="C", birth=date(1995, 5, 5), effective=date(2026, 9, 15))
    life.terminate(renewal_b, date(2026, 9, 20), on=date(2026, 9, 12), source=RequestSource.EMPLOYER)
    life.story.bill(date(2026, 9, 15))

    october = life.invoice_for(account, date(2026, 10, 1))
    # C is 31 on the plan-year start 2026-09-01: 430.50 x 1.159 = 498.9495 -> 498.95.
    # October: A 536.40 + C 498.95 = 1,035.35
    assert october.current_charges_cents == 103_535
    september = {(line.policy_id, line.amount_cents) for line in life.lines(october) if line.coverage_month == date(2026, 9, 1)}
    # C September 15-30, 16 days: 498.95 x 16 / 30 = 266.106... -> 266.11.
    # B earned September 1-20: 768.87 x 20 / 30 = 512.58, so 768.87 - 512.58 = 256.29 is credited.
    assert september == {(hire.id, 26_611), (renewal_b.id, -25_629)}
    # 1,035.35 + 266.11 - 256.29 = 1,045.17
    assert october.current_charges_cents + october.adjustments_cents == 104_517


def test_group_declines_renewal(life):
    life.story.catalog = group_catalog({2025: "410.00", 2026: "430.50"})
    group, account = life.story.at(date(2025, 7, 1)).employer_group("G-0902", anniversary_month=9)
    employee = life.story.employee(account, group, first_name="A", birth=date(1988, 3, 14), effective=date(2025, 9, 1))
    life.renew(date(2026, 7, 3))

    life.story.at(date(2026, 8, 1))
    declined = renewals.decline_group_renewals(life.ctx, "G-0902", catalog=life.catalog, on=date(2026, 8, 1), reason="moving to another carrier")

    assert [offer.status for offer in declined] == [OfferStatus.DECLINED]
    assert life.renewal_of(employee).status == PolicyStatus.CANCELLED
    assert employee.end_date == date(2026, 8, 31)


def test_grace_across_plan_year_cancels_renewal(life):
    life.story.catalog = story_catalog(TWO_YEARS)
    household = life.single(effective=date(2026, 1, 1), birth=date(1990, 4, 12))
    _pay_each_month(life, household, Month(2026, 1), Month(2026, 11))
    life.renew(date(2026, 10, 15))
    renewal = life.renewal_of(household.policy)
    life.story.bill(date(2026, 11, 15))

    # December (due Tuesday 2026-12-01) is not paid: a 31-day grace period from 12-02 to 2027-01-01.
    life.story.at(date(2026, 12, 2))
    run_delinquency(life.ctx, as_of=date(2026, 12, 2))
    assert household.policy.status == PolicyStatus.GRACE
    life.story.bill(date(2026, 12, 15))
    january = life.invoice_for(household.account, date(2027, 1, 1))
    # January on the renewal, 516.60, plus December's 488.80 past due: 1,005.40
    assert january.current_charges_cents == 51_660
    assert january.amount_due_cents == 100_540

    life.story.at(date(2027, 1, 2))
    run_delinquency(life.ctx, as_of=date(2027, 1, 2))
    life.ctx.session.refresh(renewal)
    assert household.policy.status == PolicyStatus.TERMINATED
    assert household.policy.end_date == date(2026, 11, 30)
    assert renewal.status == PolicyStatus.CANCELLED
    life.renew(date(2027, 1, 2))
    assert life.offers(household.policy)[0].status == OfferStatus.DECLINED

    life.story.bill(date(2027, 1, 15))
    # December and January are credited: 1,005.40 - 488.80 - 516.60 = 0.00
    assert ledger.account_balance(life.ctx, household.account.id) == 0


def test_policy_in_grace_is_renewed(life):
    life.story.catalog = story_catalog(TWO_YEARS)
    household = life.single(effective=date(2026, 1, 1), birth=date(1990, 4, 12))
    _pay_each_month(life, household, Month(2026, 1), Month(2026, 9))
    life.story.bill(date(2026, 9, 15))
    life.story.at(date(2026, 10, 2))
    run_delinquency(life.ctx, as_of=date(2026, 10, 2))
    assert household.policy.status == PolicyStatus.GRACE

    report = life.renew(date(2026, 10, 15))

    assert report.results[0].outcome is RenewalOutcome.RENEWED
    assert report.results[0].in_grace is True
    renewal = life.renewal_of(household.policy)
    assert life.notices(renewal, "renewal")[0].data["in_grace"] is True
    assert [span.start_date for span in enrollment.spans_of(life.ctx, renewal.id)] == [date(2027, 1, 1)]


def test_quarters_span_renewal_in_leap_year(life):
    life.story.catalog = story_catalog({2027: "400.00", 2028: "420.00"})
    # Born 1985-06-15: 42 on 2027-12-01 and on 2028-01-01, factor 1.325.
    # 400.00 x 1.325 = 530.00 in 2027; 420.00 x 1.325 = 556.50 in 2028.
    household = life.single(effective=date(2027, 12, 1), birth=date(1985, 6, 15), mode=PaymentMode.QUARTERLY)
    life.renew(date(2027, 10, 15))
    renewal = life.renewal_of(household.policy)
    for issue in (date(2027, 11, 15), date(2028, 2, 15), date(2028, 5, 15), date(2028, 8, 15)):
        life.story.bill(issue)

    invoices = life.story.invoices(household.account)
    assert [(invoice.period_start, invoice.period_end) for invoice in invoices] == [
        (date(2027, 12, 1), date(2028, 2, 29)),
        (date(2028, 3, 1), date(2028, 5, 31)),
        (date(2028, 6, 1), date(2028, 8, 31)),
        (date(2028, 9, 1), date(2028, 11, 30)),
    ]
    # 530.00 + 556.50 + 556.50 = 1,643.00, then 3 x 556.50 = 1,669.50 a quarter
    assert [invoice.current_charges_cents for invoice in invoices] == [164_300, 166_950, 166_950, 166_950]
    first = {(line.coverage_month, line.policy_id): line.amount_cents for line in life.lines(invoices[0])}
    assert first == {
        (date(2027, 12, 1), household.policy.id): 53_000,
        (date(2028, 1, 1), renewal.id): 55_650,
        (date(2028, 2, 1), renewal.id): 55_650,
    }
