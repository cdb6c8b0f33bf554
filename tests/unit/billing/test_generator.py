"""The generator: regular lines for new member-months, adjustments for every later difference."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from premia.billing.generator import add_billed, draft_lines
from premia.billing.model import BillingPeriod, Charge, ChargeKey, LineKind
from premia.kernel.dates import Month

APRIL = BillingPeriod(first_month=Month(2026, 4), months=1, issue_date=date(2026, 3, 15), due_date=date(2026, 4, 1))
SECOND_QUARTER = BillingPeriod(first_month=Month(2026, 4), months=3, issue_date=date(2026, 3, 15), due_date=date(2026, 4, 1))


def key(month: Month, person: int = 1, kind: LineKind = LineKind.PREMIUM, policy: int = 7) -> ChargeKey:
    return ChargeKey(month, policy, person, kind)


def charge(month: Month, cents: int, person: int = 1, kind: LineKind = LineKind.PREMIUM) -> Charge:
    return Charge(key=key(month, person, kind), amount_cents=cents, days_covered=month.days, days_in_month=month.days, monthly_cents=cents, age=35)


def test_new_month_is_regular_line():
    april = Month(2026, 4)
    lines = draft_lines(APRIL, {key(april): charge(april, 48_880)}, {})
    assert len(lines) == 1
    assert lines[0].adjustment is False
    assert lines[0].amount_cents == 48_880


def test_changed_past_month_is_adjustment():
    march, april = Month(2026, 3), Month(2026, 4)
    expected = {key(march): charge(march, 30_916), key(april): charge(april, 48_880)}
    lines = draft_lines(APRIL, expected, {key(march): 47_920})
    adjustment = next(line for line in lines if line.key.month == march)
    # 309.16 earned - 479.20 billed = -170.04
    assert adjustment.amount_cents == -17_004
    assert adjustment.adjustment is True


def test_month_no_longer_owed_credited_in_full():
    march = Month(2026, 3)
    lines = draft_lines(APRIL, {}, {key(march): 47_920})
    assert [line.amount_cents for line in lines] == [-47_920]
    assert lines[0].charge is None
    assert "credited" in lines[0].description


def test_unchanged_past_month_has_no_line():
    march = Month(2026, 3)
    assert draft_lines(APRIL, {key(march): charge(march, 47_920)}, {key(march): 47_920}) == []


def test_later_month_not_billed_early():
    may = Month(2026, 5)
    assert draft_lines(APRIL, {key(may): charge(may, 48_880)}, {}) == []


def test_later_month_billed_before_is_adjusted():
    may = Month(2026, 5)
    lines = draft_lines(APRIL, {}, {key(may): 48_880})
    assert [line.amount_cents for line in lines] == [-48_880]
    assert lines[0].adjustment is True


def test_month_billed_before_never_regular_again():
    april = Month(2026, 4)
    lines = draft_lines(APRIL, {key(april): charge(april, 50_000)}, {key(april): 48_880})
    # 500.00 - 488.80 = 11.20, as an adjustment: the regular line already exists
    assert [(line.amount_cents, line.adjustment) for line in lines] == [(1_120, True)]


def test_zero_premium_member_gets_roster_line():
    april = Month(2026, 4)
    lines = draft_lines(APRIL, {key(april, person=4): charge(april, 0, person=4)}, {})
    assert [(line.amount_cents, line.adjustment) for line in lines] == [(0, False)]


def test_quarter_bills_its_three_months():
    months = [Month(2026, 4), Month(2026, 5), Month(2026, 6)]
    expected = {key(month): charge(month, 48_880) for month in months}
    lines = draft_lines(SECOND_QUARTER, expected, {})
    assert [str(line.key.month) for line in lines] == ["2026-04", "2026-05", "2026-06"]
    assert all(not line.adjustment for line in lines)


MONTHS = [Month(2026, month) for month in range(1, 8)]
keys = st.builds(key, st.sampled_from(MONTHS), st.integers(1, 3), st.sampled_from([LineKind.PREMIUM, LineKind.APTC]))
amounts = st.integers(-100_000, 100_000)


@settings(max_examples=200, deadline=None)
@given(expected_amounts=st.dictionaries(keys, amounts, max_size=12), billed=st.dictionaries(keys, amounts, max_size=12))
def test_lines_bring_billed_to_expected(expected_amounts, billed):
    expected = {item: charge(item.month, cents, item.person_id, item.kind) for item, cents in expected_amounts.items()}
    lines = draft_lines(SECOND_QUARTER, expected, billed)
    after = dict(billed)
    add_billed(after, lines)

    for item in set(expected) | set(billed):
        if item.month > SECOND_QUARTER.last_month and item not in billed:
            # A later month waits for its own invoice.
            assert item not in after
            continue
        assert after.get(item, 0) == expected_amounts.get(item, 0)
    for line in lines:
        if not line.adjustment:
            assert line.key not in billed
            assert SECOND_QUARTER.contains(line.key.month)
