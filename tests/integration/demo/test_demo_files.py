"""The demo's calendar, book and files, read back by Premia's own readers (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from premia.demo import enrollment_files
from premia.demo.bank_files import (
    EmployeeRemittance,
    LockboxCheck,
    PolicyAptc,
    ReturnedDraft,
    employer_820,
    exchange_820,
    lockbox_csv,
    nacha_returns,
)
from premia.demo.book import HouseholdKind, PayBy, generate_book
from premia.demo.timeline import Timeline, demo_timeline
from premia.formats.lockbox import read_lockbox_csv
from premia.formats.nacha import read_nacha
from premia.formats.x12 import parse_820, parse_834
from premia.kernel.dates import Month
from premia.rating import DEMO_CATALOG_PATH
from premia.rating.catalog_file import parse_catalog_file

YEARS = {2026, 2027}


@pytest.fixture(scope="module")
def catalog():
    parsed, errors = parse_catalog_file(DEMO_CATALOG_PATH)
    assert parsed is not None, errors
    return parsed


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    return demo_timeline(date(2026, 12, 4), 6, YEARS)


@pytest.fixture(scope="module")
def book(catalog, timeline):
    return generate_book(catalog, subscribers=200, seed=11, timeline=timeline)


def test_timeline_ends_this_month(timeline):
    assert timeline.first_month == Month(2026, 7)
    assert timeline.lead_month == Month(2026, 6)
    assert timeline.note is None


def test_timeline_bills_each_month(timeline):
    days = timeline.bill_days()
    # June (lead) to December: issued the 15th of the month before, 7 runs; January's run is after 12-04
    assert days[0] == date(2026, 5, 15)
    assert days[-1] == date(2026, 11, 15)
    assert len(days) == 7


def test_timeline_bills_next_month_after_15th():
    days = demo_timeline(date(2026, 11, 20), 3, YEARS).bill_days()
    assert days[-1] == date(2026, 11, 15)


def test_timeline_shortens_across_january():
    timeline = demo_timeline(date(2027, 6, 10), 8, YEARS)
    # The lead month must stay in 2027: February to June, 5 months
    assert timeline.first_month == Month(2027, 2)
    assert timeline.months == 5
    assert timeline.note is not None


def test_timeline_moves_to_last_year_early_in_year():
    timeline = demo_timeline(date(2027, 2, 10), 6, YEARS)
    assert timeline.today == date(2026, 12, 31)
    assert timeline.first_month == Month(2026, 7)


def test_timeline_uses_catalog_year():
    timeline = demo_timeline(date(2030, 5, 1), 4, YEARS)
    assert timeline.today == date(2027, 12, 31)


def test_timeline_rejects_months():
    with pytest.raises(ValueError, match="1 to 11"):
        demo_timeline(date(2026, 12, 4), 12, YEARS)


def test_book_same_seed_same_book(catalog, timeline, book):
    again = generate_book(catalog, subscribers=200, seed=11, timeline=timeline)
    assert again == book


def test_book_has_every_kind(book):
    kinds = {household.kind for household in book.households}
    assert kinds == set(HouseholdKind)
    assert len(book.households) == 200


def test_book_employers_have_rosters(book):
    for group in book.groups:
        assert len(book.employees_of(group.profile.group_number)) >= 3


def test_book_aptc_below_premium(book):
    for household in book.of_kind(HouseholdKind.EXCHANGE_APTC):
        assert 0 < household.aptc_cents < sum(household.premiums_cents)


def test_book_autodraft_payers_have_banks(book):
    drafted = [household for household in book.households if household.pay_by is PayBy.AUTODRAFT]
    assert drafted
    assert all(household.bank is not None for household in drafted)


def test_book_unique_ssns(book):
    ssns = [member.ssn for household in book.households for member in household.members if member.ssn]
    assert len(ssns) == len(set(ssns))


def test_exchange_file_reads_back(book, timeline):
    households = [household for household in book.households if household.kind.on_exchange]
    parsed = parse_834(enrollment_files.exchange_file(households, received=timeline.enrollment_day, control_number=7))
    assert parsed.errors == ()
    assert len(parsed.members) == sum(len(household.members) for household in households)


def test_exchange_file_carries_aptc(book, timeline):
    household = book.of_kind(HouseholdKind.EXCHANGE_APTC)[0]
    parsed = parse_834(enrollment_files.exchange_file([household], received=timeline.enrollment_day, control_number=8))
    amounts = parsed.members[0].exchange_amounts
    assert amounts.aptc_cents == household.aptc_cents
    assert amounts.premium_total_cents == sum(household.premiums_cents)


def test_group_file_names_group(book, timeline):
    group = book.groups[0]
    employees = book.employees_of(group.profile.group_number)
    parsed = parse_834(enrollment_files.group_file(group, employees, received=timeline.enrollment_day, control_number=9))
    assert parsed.errors == ()
    assert parsed.members[0].group_policy_number == group.profile.group_number


def test_nacha_returns_read_back():
    returned = [
        ReturnedDraft("091000010000001", "051000017", "12345678", 96_800, "PRM-2026-000001", "ANA RIVERA", "R01"),
        ReturnedDraft("091000010000002", "256070570", "998877", 45_025, "PRM-2026-000002", "BEN LEE", "R10"),
    ]
    nacha = read_nacha(nacha_returns(returned, created=date(2026, 4, 3), origin_routing="091000019"))
    codes = [entry.return_addenda.reason_code.value for entry in nacha.returned_entries]
    assert codes == ["R01", "R10"]
    assert nacha.returned_entries[1].return_addenda.original_trace_number == "091000010000002"
    # 968.00 + 450.25 = 1,418.25
    assert sum(entry.amount_cents for entry in nacha.entries) == 141_825


def test_lockbox_csv_reads_back():
    checks = [
        LockboxCheck("PRM-2026-000004", "BA-000004", 48_880, date(2026, 3, 2), "1001", "DANA SMITH"),
        LockboxCheck(None, "BA-000999", 12_005, date(2026, 3, 2), "1002", "ELI JONES"),
    ]
    batch = read_lockbox_csv(lockbox_csv(checks))
    assert batch.rejected_rows == ()
    assert batch.payments[1].invoice_number is None
    # 488.80 + 120.05 = 608.85
    assert batch.total_cents == 60_885


def test_employer_820_balances():
    lines = [EmployeeRemittance("E1", "LEE ANA", "POL-1", 61_000), EmployeeRemittance("E2", "KIM BO", "POL-2", 45_050)]
    parsed = parse_820(
        employer_820(
            employer_name="Riverside Machine Works",
            employer_tax_id="541112233",
            group_number="G-40710",
            month=Month(2026, 7),
            lines=lines,
            paid_on=date(2026, 6, 23),
            control_number=12,
        )
    )
    assert parsed.errors == ()
    # 610.00 + 450.50 = 1,060.50
    assert parsed.payments[0].payment.amount_cents == 106_050


def test_exchange_820_lines_per_month():
    policies = [PolicyAptc("FFM000000001", "RIVERA ANA", ((Month(2026, 7), 30_000), (Month(2026, 8), 30_000)))]
    parsed = parse_820(exchange_820(month=Month(2026, 8), policies=policies, paid_on=date(2026, 8, 12), control_number=13))
    assert parsed.errors == ()
    entity = parsed.payments[0].entities[0]
    assert len(entity.lines) == 2
    assert entity.exchange_policy_id == "FFM000000001"
