"""Segments read from text, and periods."""

from __future__ import annotations

from datetime import date

import pytest

from premia.enrollment.model import Market
from premia.kernel.dates import Month
from premia.kernel.errors import ValidationError
from premia.metrics.report import month_period
from premia.metrics.segment import AptcStatus, Business, Period, Segment


def test_parse_reads_values():
    segment = Segment.parse(market="small_group", business="Group", aptc=" with_aptc ")
    assert segment.market is Market.SMALL_GROUP
    assert segment.business is Business.GROUP
    assert segment.aptc is AptcStatus.WITH_APTC


def test_parse_blank_means_all():
    segment = Segment.parse(market="", business=None, aptc="  ")
    assert segment.is_whole_book
    assert segment.label == "whole book"


def test_parse_rejects_unknown_value():
    with pytest.raises(ValidationError) as caught:
        Segment.parse(market="medicare")
    assert caught.value.field == "market"
    assert "individual" in (caught.value.hint or "")


def test_label_names_filters():
    assert Segment(market=Market.INDIVIDUAL, aptc=AptcStatus.WITHOUT_APTC).label == "individual, without aptc"


def test_period_days_include_both_ends():
    # 2026-02-01 to 2026-02-28: 28 days
    assert Period(date(2026, 2, 1), date(2026, 2, 28), date(2026, 3, 1)).days == 28


def test_period_reads_through_as_of():
    period = Period(date(2026, 2, 1), date(2026, 2, 28), date(2026, 2, 10))
    assert period.read_through == date(2026, 2, 10)


def test_period_rejects_reversed_dates():
    with pytest.raises(ValidationError) as caught:
        Period(date(2026, 3, 1), date(2026, 2, 1), date(2026, 3, 1))
    assert caught.value.code == "kpi.period_reversed"


def test_month_period_cut_at_as_of():
    running = month_period(Month.parse("2026-12", field="month"), date(2026, 12, 4))
    # December 1 to 4: DSO multiplies by the 4 days that have passed, not by 31
    assert running.last_day == date(2026, 12, 4)
    assert running.days == 4


def test_month_period_whole_when_past():
    past = month_period(Month.parse("2026-11", field="month"), date(2026, 12, 4))
    assert past.last_day == date(2026, 11, 30)
    assert past.days == 30
