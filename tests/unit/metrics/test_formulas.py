"""KPI arithmetic on the worked examples of the KPI definitions, and its edge cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from premia.metrics.definitions import DEFINITIONS, KpiName, Unit
from premia.metrics.formulas import (
    AgingBucket,
    InboundContact,
    OpenItem,
    ScoreCounts,
    age_items,
    aging_bucket,
    classify_contacts,
    csat_figures,
    days_sales_outstanding,
    dso_figure,
    percent,
    ratio_figure,
    receivables_over_90_days,
    return_rate_figure,
)

START = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def test_fcr_worked_example():
    figure = ratio_figure(KpiName.FIRST_CONTACT_RESOLUTION, 720, 1000)
    # 720 / 1,000 x 100 = 72.0
    assert figure.value == Decimal("72.0")
    assert figure.numerator == 720
    assert figure.denominator == 1000


def test_csat_worked_example_top_two_box():
    counts = ScoreCounts.of([5] * 300 + [4] * 110 + [3] * 90)
    top_two, _ = csat_figures(counts)
    # (300 + 110) / 500 x 100 = 82.0
    assert top_two.value == Decimal("82.0")
    assert top_two.numerator == 410
    assert top_two.denominator == 500


def test_csat_worked_example_top_box():
    counts = ScoreCounts.of([5] * 300 + [4] * 110 + [3] * 90)
    _, top_box = csat_figures(counts)
    # 300 / 500 x 100 = 60.0
    assert top_box.value == Decimal("60.0")
    assert top_box.numerator == 300


def test_csat_keeps_counts_by_score():
    counts = ScoreCounts.of([5, 5, 4, 1])
    top_two, _ = csat_figures(counts)
    assert top_two.detail["score_5"] == 2
    assert top_two.detail["score_2"] == 0
    assert top_two.detail["score_1"] == 1


def test_csat_rejects_out_of_scale_score():
    with pytest.raises(ValueError, match="1 to 5"):
        ScoreCounts.of([6])


def test_collection_rate_worked_example():
    figure = ratio_figure(KpiName.PREMIUM_COLLECTION_RATE, 882_000_000, 900_000_000)
    # $8,820,000 / $9,000,000 x 100 = 98.0
    assert figure.value == Decimal("98.0")


def test_dso_worked_example():
    # $2.4M / $9.0M x 30 days = 8.0 days
    assert days_sales_outstanding(240_000_000, 900_000_000, 30) == Decimal("8.0")


def test_dso_figure_keeps_days():
    figure = dso_figure(240_000_000, 900_000_000, 30)
    assert figure.detail["days_in_period"] == 30
    assert figure.unit is Unit.DAYS


def test_dso_rounds_half_up():
    # 1 / 8 x 31 = 3.875 -> 3.9
    assert days_sales_outstanding(1, 8, 31) == Decimal("3.9")


def test_dso_none_without_billing():
    assert days_sales_outstanding(5_000, 0, 30) is None


def test_dso_rejects_empty_period():
    with pytest.raises(ValueError, match="at least one day"):
        days_sales_outstanding(5_000, 10_000, 0)


def test_percent_rounds_half_up():
    # 1 / 8 x 100 = 12.5 exactly; 1 / 16 x 100 = 6.25 -> 6.3
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 16) == Decimal("6.3")


def test_percent_none_for_zero_denominator():
    assert percent(0, 0) is None


def test_percent_rejects_float():
    with pytest.raises(TypeError, match="whole numbers"):
        percent(1.5, 3)  # type: ignore[arg-type]


def test_percent_rejects_negative_denominator():
    with pytest.raises(ValueError, match="negative"):
        percent(1, -3)


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**9))
def test_percent_within_half_a_tenth(numerator, denominator):
    exact = Decimal(numerator) * 100 / Decimal(denominator)
    assert abs(percent(numerator, denominator) - exact) <= Decimal("0.05")


def test_figure_names_versioned_definition():
    figure = ratio_figure(KpiName.SLA_ATTAINMENT, 9, 10)
    assert figure.definition == "sla_attainment/v1"
    assert figure.to_dict()["value"] == "90.0"


def test_every_kpi_has_definition():
    assert set(DEFINITIONS) == set(KpiName)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, AgingBucket.CURRENT),
        (0, AgingBucket.CURRENT),
        (1, AgingBucket.DAYS_1_30),
        (30, AgingBucket.DAYS_1_30),
        (31, AgingBucket.DAYS_31_60),
        (60, AgingBucket.DAYS_31_60),
        (61, AgingBucket.DAYS_61_90),
        (90, AgingBucket.DAYS_61_90),
        (91, AgingBucket.OVER_90),
    ],
)
def test_aging_bucket_edges(days, bucket):
    assert aging_bucket(days) is bucket


def test_age_items_sums_buckets():
    on = date(2026, 6, 30)
    items = [
        OpenItem(date(2026, 7, 1), 10_000),  # not yet due
        OpenItem(date(2026, 6, 1), 20_000),  # 29 days late
        OpenItem(date(2026, 3, 1), 30_000),  # 121 days late
        OpenItem(date(2026, 3, 1), 0),  # paid: left out
    ]
    aging = age_items(items, on)
    assert aging.buckets[AgingBucket.CURRENT] == 10_000
    assert aging.buckets[AgingBucket.DAYS_1_30] == 20_000
    assert aging.buckets[AgingBucket.OVER_90] == 30_000
    # 100.00 + 200.00 + 300.00 = 600.00
    assert aging.total_cents == 60_000
    assert aging.items[AgingBucket.OVER_90] == 1


def test_over_90_share():
    aging = age_items([OpenItem(date(2026, 1, 1), 30_000), OpenItem(date(2026, 6, 1), 90_000)], date(2026, 6, 30))
    figure = receivables_over_90_days(aging)
    # 300.00 of 1,200.00 = 25.0%
    assert figure.value == Decimal("25.0")
    assert figure.numerator == 30_000
    assert figure.denominator == 120_000


def _contact(days: float, subject: str = "billing", party: str | None = "account:1") -> InboundContact:
    return InboundContact(started_at=START + timedelta(days=days), subject=subject, party=party)


def _classify(contacts, *, now_days: float = 60):
    return classify_contacts(contacts, start=START, end=START + timedelta(days=31), window=WEEK, now=START + timedelta(days=now_days))


def test_fcr_repeat_within_window():
    counts = _classify([_contact(0), _contact(3)])
    assert counts.repeated == 1
    assert counts.resolved == 1


def test_fcr_repeat_after_window_is_new():
    counts = _classify([_contact(0), _contact(8)])
    assert counts.repeated == 0
    assert counts.resolved == 2


def test_fcr_other_subject_is_not_repeat():
    counts = _classify([_contact(0), _contact(2, subject="claims")])
    assert counts.resolved == 2


def test_fcr_other_account_is_not_repeat():
    counts = _classify([_contact(0), _contact(2, party="account:2")])
    assert counts.resolved == 2


def test_fcr_open_window_is_pending():
    counts = _classify([_contact(0)], now_days=3)
    assert counts.pending == 1
    assert counts.measured == 0


def test_fcr_early_repeat_still_pending():
    # Day 0 is repeated on day 2, but on day 3 both 7-day windows are still open. Counting the
    # repeat now would show 0% for a month with no finished contact.
    counts = _classify([_contact(0), _contact(2)], now_days=3)
    assert counts.repeated == 0
    assert counts.pending == 2
    assert counts.figure(7).value is None


def test_fcr_unlinked_contact_set_apart():
    counts = _classify([_contact(0, party=None)])
    assert counts.unlinked == 1
    assert counts.contacts == 1


def test_fcr_next_period_contact_repeats_last_day():
    # A contact on day 30 and its repeat on day 33 (next period): the first is repeated, the
    # second is outside the period and not counted.
    counts = _classify([_contact(30), _contact(33)])
    assert counts.repeated == 1
    assert counts.contacts == 1


def test_fcr_figure_counts():
    figure = _classify([_contact(0), _contact(3), _contact(20, subject="claims")]).figure(7)
    # resolved: day 3 and day 20; repeated: day 0 -> 2 of 3 = 66.7%
    assert figure.value == Decimal("66.7")
    assert figure.detail["window_days"] == 7


def test_return_rate_counts_codes():
    figure = return_rate_figure(40, ["R01", "R01", "R02", "R10"], drafted_cents=4_000_000, returned_cents=400_000)
    # 4 of 40 = 10.0%
    assert figure.value == Decimal("10.0")
    assert figure.detail["returned_R01"] == 2
    assert figure.detail["administrative_returns"] == 1
    assert figure.detail["unauthorized_returns"] == 1
