"""Pure date rules: plan years, renewal windows, end-date limits, free look and rule choice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from premia.enrollment.model import Market
from premia.kernel.errors import ValidationError
from premia.lifecycle.config import DEFAULT_CONFIG, LifecycleConfig, RetroLimit
from premia.lifecycle.model import RequestSource
from premia.lifecycle.rules import (
    allowed_end_date,
    check_start_date,
    free_look_ends,
    next_renewal_date,
    plan_year_of,
    renewal_due,
    renewal_opens_on,
)

INDIVIDUAL = DEFAULT_CONFIG.retro_limit(market=Market.INDIVIDUAL, group_number=None, plan_id="OFFVA-SILVER")


def test_group_plan_year_ends_before_anniversary():
    renewal = next_renewal_date(date(2025, 9, 1), 9)
    assert renewal == date(2026, 9, 1)
    # The plan year from 2025-09-01 ends 2026-08-31 and is plan year 2025; the renewal starts 2026.
    assert plan_year_of(renewal - timedelta(days=1), 9) == 2025
    assert plan_year_of(renewal, 9) == 2026


def test_leap_plan_year_ends_feb_29():
    renewal = next_renewal_date(date(2027, 3, 1), 3)
    assert renewal - timedelta(days=1) == date(2028, 2, 29)


def test_individual_window_opens_october_15():
    assert renewal_opens_on(date(2027, 1, 1), is_group=False, config=DEFAULT_CONFIG) == date(2026, 10, 15)


def test_group_window_opens_60_days_before():
    # 2026-09-01 - 60 days = 2026-07-03
    assert renewal_opens_on(date(2026, 9, 1), is_group=True, config=DEFAULT_CONFIG) == date(2026, 7, 3)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 10, 14), None),
        (date(2026, 10, 15), date(2027, 1, 1)),
        (date(2026, 12, 31), date(2027, 1, 1)),
        # A late run still renews up to 31 days after the renewal date.
        (date(2027, 2, 1), date(2027, 1, 1)),
        (date(2027, 2, 2), None),
    ],
)
def test_renewal_due_window(as_of, expected):
    due = renewal_due(effective_date=date(2026, 1, 1), end_date=None, as_of=as_of, anniversary_month=None, is_group=False, config=DEFAULT_CONFIG)
    assert due == expected


def test_policy_ending_early_not_due():
    due = renewal_due(
        effective_date=date(2026, 1, 1), end_date=date(2026, 11, 30), as_of=date(2026, 10, 20), anniversary_month=None, is_group=False, config=DEFAULT_CONFIG
    )
    assert due is None


def test_exchange_member_end_moved_14_days():
    dates = allowed_end_date(
        requested=date(2026, 3, 15), requested_on=date(2026, 3, 10), source=RequestSource.MEMBER, on_exchange=True, limit=INDIVIDUAL, config=DEFAULT_CONFIG
    )
    # 2026-03-10 + 14 days = 2026-03-24
    assert dates.allowed == date(2026, 3, 24)
    assert dates.moved is True


def test_exchange_source_keeps_retro_date():
    dates = allowed_end_date(
        requested=date(2026, 1, 31), requested_on=date(2026, 3, 10), source=RequestSource.EXCHANGE, on_exchange=True, limit=INDIVIDUAL, config=DEFAULT_CONFIG
    )
    assert dates.allowed == date(2026, 1, 31)
    assert dates.moved_by is None


def test_future_end_kept():
    dates = allowed_end_date(
        requested=date(2026, 9, 30), requested_on=date(2026, 3, 10), source=RequestSource.MEMBER, on_exchange=False, limit=INDIVIDUAL, config=DEFAULT_CONFIG
    )
    assert dates.allowed == date(2026, 9, 30)


def test_start_too_far_back_rejected():
    with pytest.raises(ValidationError) as caught:
        check_start_date(start=date(2026, 1, 1), requested_on=date(2026, 4, 1), source=RequestSource.MEMBER, limit=INDIVIDUAL, record="policy P-1")
    # 2026-04-01 - 60 days = 2026-01-31
    assert "2026-01-31" in caught.value.message


def test_free_look_ends():
    assert free_look_ends(date(2026, 3, 1), 10) == date(2026, 3, 11)
    assert free_look_ends(date(2026, 3, 1), 0) is None


def test_most_specific_retro_limit():
    config = LifecycleConfig(
        retro_limits=(
            RetroLimit(name="groups", market=Market.SMALL_GROUP, term_days=60, add_days=60),
            RetroLimit(name="G-7", group_number="G-7", term_days=0, add_days=30),
        )
    )
    assert config.retro_limit(market=Market.SMALL_GROUP, group_number="G-7", plan_id="X").name == "G-7"
    assert config.retro_limit(market=Market.SMALL_GROUP, group_number="G-8", plan_id="X").name == "groups"
    assert config.retro_limit(market=Market.INDIVIDUAL, group_number=None, plan_id="X").term_days == 0


def test_negative_limit_rejected():
    with pytest.raises(ValidationError):
        RetroLimit(name="bad", term_days=-1, add_days=0)


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2014, 1, 1), max_value=date(2099, 12, 31)), anniversary=st.one_of(st.none(), st.integers(1, 12)))
def test_renewal_starts_next_plan_year(day, anniversary):
    renewal = next_renewal_date(day, anniversary)
    assert renewal > day
    assert renewal.day == 1
    assert renewal.month == (anniversary or 1)
    assert (renewal - day).days <= 366
    assert plan_year_of(renewal, anniversary) == plan_year_of(renewal - timedelta(days=1), anniversary) + 1
