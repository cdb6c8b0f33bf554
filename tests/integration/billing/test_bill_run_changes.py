"""Proration and retroactive changes: added and dropped members, rate corrections, APTC changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from premia.enrollment.model import Relationship
from premia.rating.model import RateRow
from premia.rating.rates import RateTable
from tests.integration.conftest import AREA_ID, PLAN_ID, story_catalog

EXCHANGE_PLAN_ID = "12345VA0010001"


def _lines_by(story, invoice):
    """Invoice lines as (coverage month, person id, kind, adjustment) -> cents."""
    return {(line.coverage_month.strftime("%Y-%m"), line.person_id, line.kind, line.adjustment): line.amount_cents for line in story.lines(invoice)}


def _household(story, *, effective=date(2026, 1, 1)):
    # A born 1990-04-12: age 35 on 2026-01-01, factor 1.222: 400.00 x 1.222 = 488.80
    # B born 1992-09-03: age 33, factor 1.198: 400.00 x 1.198 = 479.20
    account = story.at(date(2025, 12, 1)).account(birth=date(1990, 4, 12))
    policy = story.policy(account, effective=effective)
    spouse = story.dependent(policy, first_name="B", birth=date(1992, 9, 3), relationship=Relationship.SPOUSE, start=effective)
    return account, policy, spouse


def test_partial_first_month_prorated(story):
    story.catalog = story_catalog({2026: "600.00"}, exchange=True)
    # Born 2004-06-01: age 21 on 2026-03-18, factor 1.000, so 600.00 a month.
    account = story.at(date(2026, 2, 1)).account(birth=date(2004, 6, 1))
    policy = story.policy(account, effective=date(2026, 3, 18), plan_id=EXCHANGE_PLAN_ID, on_exchange=True)
    story.aptc(policy, 45_000, start=date(2026, 3, 18))

    story.bill(date(2026, 2, 15))
    story.bill(date(2026, 3, 15))

    march, april = story.invoices(account)
    lines = _lines_by(story, march)
    subscriber = account.person_id
    # 600.00 x 14 / 31 = 270.967... -> 270.97
    assert lines[("2026-03", subscriber, "premium", False)] == 27_097
    # 450.00 x 14 / 31 = 203.225... -> 203.23
    assert lines[("2026-03", subscriber, "aptc", False)] == -20_323
    # 270.97 - 203.23 = 67.74
    assert march.amount_due_cents == 6_774
    # April in full: 600.00 - 450.00 = 150.00, on top of the unpaid 67.74
    assert april.current_charges_cents == 15_000
    assert april.amount_due_cents == 6_774 + 15_000


def test_newborn_added_retroactively(story):
    account, policy, _ = _household(story)
    for as_of in (date(2025, 12, 15), date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15)):
        story.bill(as_of)
    story.at(date(2026, 4, 2))
    child = story.dependent(policy, first_name="C", birth=date(2026, 3, 10), relationship=Relationship.CHILD, start=date(2026, 3, 10))
    story.bill(date(2026, 4, 15))

    invoices = story.invoices(account)
    assert len(invoices) == 5
    may = invoices[-1]
    lines = _lines_by(story, may)
    # Age 0, factor 0.765: 400.00 x 0.765 = 306.00; March 10-31 is 22 days: 306.00 x 22 / 31 = 217.161... -> 217.16
    assert lines[("2026-03", child.person_id, "premium", True)] == 21_716
    assert lines[("2026-04", child.person_id, "premium", True)] == 30_600
    assert lines[("2026-05", child.person_id, "premium", False)] == 30_600
    # 217.16 + 306.00 = 523.16 of adjustments
    assert may.adjustments_cents == 52_316
    # 488.80 + 479.20 + 306.00 = 1,274.00 for May
    assert may.current_charges_cents == 127_400
    # The March and April invoices stay as issued: no line for the child.
    for earlier in invoices[2:4]:
        assert all(line.person_id != child.person_id for line in story.lines(earlier))


def test_member_dropped_retroactively(story):
    account, _, spouse = _household(story)
    for as_of in (date(2025, 12, 15), date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15)):
        story.bill(as_of)
    story.at(date(2026, 4, 2)).end_member(spouse, date(2026, 3, 20))
    story.bill(date(2026, 4, 15))

    may = story.invoices(account)[-1]
    lines = _lines_by(story, may)
    # Earned March 1-20: 479.20 x 20 / 31 = 309.161... -> 309.16; credit 479.20 - 309.16 = 170.04
    assert lines[("2026-03", spouse.person_id, "premium", True)] == -17_004
    assert lines[("2026-04", spouse.person_id, "premium", True)] == -47_920
    assert ("2026-05", spouse.person_id, "premium", False) not in lines
    # May: A only, 488.80; adjustments -170.04 - 479.20 = -649.24
    assert may.current_charges_cents == 48_880
    assert may.adjustments_cents == -64_924


def test_rate_correction_billed_as_difference(story):
    account = story.at(date(2025, 12, 1)).account(birth=date(1990, 4, 12))
    story.policy(account, effective=date(2026, 1, 1))
    for as_of in (date(2025, 12, 15), date(2026, 1, 15), date(2026, 2, 15)):
        story.bill(as_of)
    # The 2026 rate row is corrected from 400.00 to 404.00 after three months were billed.
    story.catalog = story_catalog({2025: "400.00", 2026: "404.00", 2027: "400.00"})
    story.bill(date(2026, 3, 15))

    invoices = story.invoices(account)
    april = invoices[-1]
    lines = _lines_by(story, april)
    subscriber = account.person_id
    # 404.00 x 1.222 = 493.688 -> 493.69; 493.69 - 488.80 = 4.89 for each month billed at 400.00
    assert lines[("2026-04", subscriber, "premium", False)] == 49_369
    for month in ("2026-01", "2026-02", "2026-03"):
        assert lines[(month, subscriber, "premium", True)] == 489
    # 493.69 + 3 x 4.89 = 508.36
    assert april.current_charges_cents + april.adjustments_cents == 50_836
    assert [invoice.current_charges_cents for invoice in invoices[:3]] == [48_880, 48_880, 48_880]


def test_mid_year_rate_row_waits_for_rating_date(story):
    catalog = story_catalog({2025: "400.00", 2026: "400.00"})
    rows = [row for row in catalog.rates.rows if row.effective_start.year != 2026]
    rows.append(RateRow(plan_id=PLAN_ID, area_id=AREA_ID, effective_start=date(2026, 1, 1), effective_end=date(2026, 6, 30), base_rate=Decimal("400.00")))
    rows.append(RateRow(plan_id=PLAN_ID, area_id=AREA_ID, effective_start=date(2026, 7, 1), effective_end=date(2026, 12, 31), base_rate=Decimal("440.00")))
    story.catalog = replace(catalog, rates=RateTable(rows=tuple(rows)))
    january_account = story.at(date(2025, 12, 1)).account(birth=date(1990, 4, 12))
    story.policy(january_account, effective=date(2026, 1, 1))
    july_account = story.account(first_name="Bea", birth=date(1990, 4, 12))
    story.policy(july_account, effective=date(2026, 7, 1))

    story.bill(date(2026, 6, 15))

    # A policy rated on 2026-01-01 keeps the 400.00 row for the year: 400.00 x 1.222 = 488.80.
    assert story.invoices(january_account)[-1].current_charges_cents == 48_880
    # A policy effective 2026-07-01 is rated on the new row, at age 36: 440.00 x 1.230 = 541.20.
    assert story.invoices(july_account)[-1].current_charges_cents == 54_120


def test_aptc_change_adjusts_past_months(story):
    story.catalog = story_catalog(exchange=True)
    account, policy, spouse = _household_on_exchange(story)
    story.aptc(policy, 30_000, start=date(2026, 1, 1))
    for as_of in (date(2025, 12, 15), date(2026, 1, 15), date(2026, 2, 15)):
        story.bill(as_of)
    # The exchange raises the APTC to 350.00 from February.
    story.at(date(2026, 3, 5)).aptc(policy, 35_000, start=date(2026, 2, 1))
    story.bill(date(2026, 3, 15))

    april = story.invoices(account)[-1]
    lines = _lines_by(story, april)
    subscriber = account.person_id
    # APTC split by age factor, 1.222 for A and 1.198 for B, B rounded and A taking the rest:
    # 300.00: B 300.00 x 1.198 / 2.420 = 148.512... -> 148.51, A 151.49
    # 350.00: B 350.00 x 1.198 / 2.420 = 173.264... -> 173.26, A 176.74
    for month in ("2026-02", "2026-03"):
        assert lines[(month, subscriber, "aptc", True)] == -(17_674 - 15_149)
        assert lines[(month, spouse.person_id, "aptc", True)] == -(17_326 - 14_851)
    assert ("2026-01", subscriber, "aptc", True) not in lines
    assert lines[("2026-04", subscriber, "aptc", False)] == -17_674
    # April: 488.80 + 479.20 - 350.00 = 618.00, less 2 x 50.00 of APTC adjustments = 518.00
    assert april.current_charges_cents == 61_800
    assert april.adjustments_cents == -10_000


def _household_on_exchange(story):
    account = story.at(date(2025, 12, 1)).account(birth=date(1990, 4, 12))
    policy = story.policy(account, effective=date(2026, 1, 1), plan_id=EXCHANGE_PLAN_ID, on_exchange=True)
    spouse = story.dependent(policy, first_name="B", birth=date(1992, 9, 3), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))
    return account, policy, spouse
