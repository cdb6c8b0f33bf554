"""The premium payment threshold: a shortfall within it counts as paid, and the count is exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from premia.delinquency.config import ThresholdRule
from premia.delinquency.model import ThresholdType
from premia.delinquency.standing import counts_as_paid
from premia.kernel.errors import ValidationError

NONE = ThresholdRule(name="none")
NET_95 = ThresholdRule(name="95% of net", type=ThresholdType.NET_PCT, percent=Decimal("95"))


def test_ninety_six_percent_counts_as_paid():
    # Net due 100.00, paid 96.00: 96% >= 95%.
    assert counts_as_paid(10_000, 400, NET_95)


def test_ninety_four_percent_does_not():
    # Net due 100.00, paid 94.00: 94% < 95%.
    assert not counts_as_paid(10_000, 600, NET_95)


def test_exactly_ninety_five_percent_counts():
    # 400.00 net, 380.00 paid: 380.00 x 100 = 95 x 400.00.
    assert counts_as_paid(40_000, 2_000, NET_95)


def test_one_cent_below_threshold_does_not():
    # 379.99 of 400.00 is 94.9975%.
    assert not counts_as_paid(40_000, 2_001, NET_95)


def test_no_threshold_needs_every_cent():
    assert not counts_as_paid(10_000, 1, NONE)
    assert counts_as_paid(10_000, 0, NONE)


def test_zero_net_premium_counts_as_paid():
    # A month fully covered by APTC owes nothing, so it is never delinquent.
    assert counts_as_paid(0, 0, NONE)


def test_float_percent_rejected():
    with pytest.raises(TypeError):
        ThresholdRule(name="bad", type=ThresholdType.NET_PCT, percent=95.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("percent", [Decimal("0"), Decimal("100.01"), Decimal("-5")])
def test_percent_out_of_range_rejected(percent):
    with pytest.raises(ValidationError) as raised:
        ThresholdRule(name="bad", type=ThresholdType.NET_PCT, percent=percent)
    assert raised.value.field == "percent"


@settings(max_examples=200)
@given(
    billed=st.integers(min_value=1, max_value=5_000_000),
    paid_share=st.integers(min_value=0, max_value=10_000),
    percent=st.integers(min_value=1, max_value=100),
)
def test_threshold_matches_exact_ratio(billed, paid_share, percent):
    paid = billed * paid_share // 10_000
    rule = ThresholdRule(name="pct", type=ThresholdType.NET_PCT, percent=Decimal(percent))
    assert counts_as_paid(billed, billed - paid, rule) == (paid * 100 >= percent * billed)


@settings(max_examples=200)
@given(billed=st.integers(min_value=1, max_value=5_000_000), owed=st.integers(min_value=0, max_value=5_000_000), extra=st.integers(min_value=0, max_value=5_000_000))
def test_paying_more_never_unpays(billed, owed, extra):
    owed = min(owed, billed)
    if counts_as_paid(billed, owed, NET_95):
        assert counts_as_paid(billed, max(0, owed - extra), NET_95)
