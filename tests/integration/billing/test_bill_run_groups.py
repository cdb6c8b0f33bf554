"""Group list bills: one per group or sub-group, a roster line per member, late roster changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from premia.accounts import service as accounts
from premia.enrollment.model import Relationship
from premia.notices.tables import Notice
from premia.rating.contributions import CoverageTier, FixedPerTier, PercentOfEmployeeOnly
from tests.integration.conftest import group_catalog


def _roster(story, invoice):
    return sorted((line.coverage_month.month, line.person_id, line.adjustment, line.amount_cents) for line in story.lines(invoice))


def test_roster_change_after_list_bill(story):
    story.catalog = group_catalog({2026: "400.00"})
    group, account = story.at(date(2025, 12, 1)).employer_group("G-100", anniversary_month=1)
    east, east_account = story.employer_group("G-100-E", anniversary_month=1, parent="G-100")
    # Ages on the plan-year start 2026-01-01:
    # E1 born 1980-01-10, age 45, factor 1.444: 400.00 x 1.444 = 577.60
    # E2 born 1995-05-05, age 30, factor 1.135: 454.00; spouse S born 1996-02-02, age 29, factor 1.119: 447.60
    # E4 (sub-group) born 1970-03-03, age 55, factor 2.230: 892.00
    e1 = story.employee(account, group, first_name="E1", birth=date(1980, 1, 10), effective=date(2026, 1, 1))
    e2 = story.employee(account, group, first_name="E2", birth=date(1995, 5, 5), effective=date(2026, 1, 1))
    spouse = story.dependent(e2, first_name="S", birth=date(1996, 2, 2), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))
    e4 = story.employee(east_account, east, first_name="E4", birth=date(1970, 3, 3), effective=date(2026, 1, 1))
    for as_of in (date(2025, 12, 15), date(2026, 1, 15), date(2026, 2, 15)):
        story.bill(as_of)
    march = story.invoices(account)[-1]
    march_roster = _roster(story, march)
    # One roster line per member: 577.60 + 454.00 + 447.60 = 1,479.20
    assert march_roster == sorted(
        [(3, e1.subscriber_person_id, False, 57_760), (3, e2.subscriber_person_id, False, 45_400), (3, spouse.person_id, False, 44_760)]
    )

    # After the March list bill: a hire from March 1 and a leaver whose last day was February 28.
    story.at(date(2026, 2, 20))
    # E3 born 1985-07-07: age 40 on 2026-01-01, factor 1.278: 511.20
    e3 = story.employee(account, group, first_name="E3", birth=date(1985, 7, 7), effective=date(2026, 3, 1))
    story.terminate(e2, date(2026, 2, 28))
    story.bill(date(2026, 3, 15))

    april = story.invoices(account)[-1]
    assert _roster(story, april) == sorted(
        [
            (3, e3.subscriber_person_id, True, 51_120),
            (3, e2.subscriber_person_id, True, -45_400),
            (3, spouse.person_id, True, -44_760),
            (4, e1.subscriber_person_id, False, 57_760),
            (4, e3.subscriber_person_id, False, 51_120),
        ]
    )
    # April: 577.60 + 511.20 = 1,088.80; adjustments 511.20 - 454.00 - 447.60 = -390.40
    assert april.current_charges_cents == 108_880
    assert april.adjustments_cents == -39_040
    assert _roster(story, march) == march_roster

    # The sub-group has list bills of its own, one a month, with only its member.
    east_bills = story.invoices(east_account)
    assert [invoice.period_start.month for invoice in east_bills] == [1, 2, 3, 4]
    assert {line.person_id for invoice in east_bills for line in story.lines(invoice)} == {e4.subscriber_person_id}
    assert {invoice.current_charges_cents for invoice in east_bills} == {89_200}

    notice_types = set(story.ctx.session.scalars(select(Notice.notice_type).where(Notice.billing_account_id == account.id)))
    assert notice_types == {"list_bill"}


def test_list_bill_employer_share(story):
    """The group's contribution rule splits each roster line; a sub-group without one uses its parent's."""
    story.catalog = group_catalog({2026: "400.00"})
    group, account = story.at(date(2025, 12, 1)).employer_group("G-200", anniversary_month=1)
    east, east_account = story.employer_group("G-200-E", anniversary_month=1, parent="G-200")
    accounts.set_group_contribution(story.ctx, "G-200", PercentOfEmployeeOnly(Decimal(75)))
    # E1 born 1980-01-10, age 45 on 2026-01-01, factor 1.444: 577.60, alone.
    # E2 born 1995-05-05, age 30, factor 1.135: 454.00; spouse born 1996-02-02, age 29, factor 1.119: 447.60.
    # E4 (sub-group) born 1970-03-03, age 55, factor 2.230: 892.00.
    e1 = story.employee(account, group, first_name="E1", birth=date(1980, 1, 10), effective=date(2026, 1, 1))
    e2 = story.employee(account, group, first_name="E2", birth=date(1995, 5, 5), effective=date(2026, 1, 1))
    spouse = story.dependent(e2, first_name="S", birth=date(1996, 2, 2), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))
    e4 = story.employee(east_account, east, first_name="E4", birth=date(1970, 3, 3), effective=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))

    shares = {line.person_id: (line.amount_cents, line.employer_share_cents) for line in story.lines(story.invoices(account)[0])}
    east_shares = {line.person_id: line.employer_share_cents for line in story.lines(story.invoices(east_account)[0])}

    # 75% of each employee's own rate, paid on the employee's line first:
    # E1 577.60 x 0.75 = 433.20; E2 454.00 x 0.75 = 340.50, nothing towards the spouse.
    assert shares == {
        e1.subscriber_person_id: (57_760, 43_320),
        e2.subscriber_person_id: (45_400, 34_050),
        spouse.person_id: (44_760, 0),
    }
    # E4 892.00 x 0.75 = 669.00 under the parent's rule.
    assert east_shares == {e4.subscriber_person_id: 66_900}


def test_contribution_change_bills_no_adjustment(story):
    """The employer pays the whole list bill, so a new rule changes the split of later bills, not the amounts."""
    story.catalog = group_catalog({2026: "400.00"})
    group, account = story.at(date(2025, 12, 1)).employer_group("G-300", anniversary_month=1)
    employee = story.employee(account, group, first_name="E1", birth=date(1980, 1, 10), effective=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    accounts.set_group_contribution(
        story.ctx, "G-300", FixedPerTier({tier: 50_000 for tier in CoverageTier})
    )
    story.bill(date(2026, 1, 15))

    january, february = story.invoices(account)
    january_line, = story.lines(january)
    february_line, = story.lines(february)

    assert january_line.employer_share_cents == 0
    assert (february_line.person_id, february_line.adjustment) == (employee.subscriber_person_id, False)
    # A fixed 500.00 for the employee-only tier, on a 577.60 premium.
    assert (february_line.amount_cents, february_line.employer_share_cents) == (57_760, 50_000)
    assert february.adjustments_cents == 0
