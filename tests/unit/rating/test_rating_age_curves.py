"""Age curves: the federal default table, completeness checks and February 29 birthdays."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from premia.kernel.dates import age_on
from premia.kernel.errors import ValidationError
from premia.rating.age_curves import FEDERAL_DEFAULT_2018, AgeCurve, curve_from_labels, parse_band_label

# The federal default standard age curve for 2018 and later, one row per band as published.
FEDERAL_TABLE = [
    ((0, 14), "0.765"), ((15, 15), "0.833"), ((16, 16), "0.859"), ((17, 17), "0.885"),
    ((18, 18), "0.913"), ((19, 19), "0.941"), ((20, 20), "0.970"), ((21, 24), "1.000"),
    ((25, 25), "1.004"), ((26, 26), "1.024"), ((27, 27), "1.048"), ((28, 28), "1.087"),
    ((29, 29), "1.119"), ((30, 30), "1.135"), ((31, 31), "1.159"), ((32, 32), "1.183"),
    ((33, 33), "1.198"), ((34, 34), "1.214"), ((35, 35), "1.222"), ((36, 36), "1.230"),
    ((37, 37), "1.238"), ((38, 38), "1.246"), ((39, 39), "1.262"), ((40, 40), "1.278"),
    ((41, 41), "1.302"), ((42, 42), "1.325"), ((43, 43), "1.357"), ((44, 44), "1.397"),
    ((45, 45), "1.444"), ((46, 46), "1.500"), ((47, 47), "1.563"), ((48, 48), "1.635"),
    ((49, 49), "1.706"), ((50, 50), "1.786"), ((51, 51), "1.865"), ((52, 52), "1.952"),
    ((53, 53), "2.040"), ((54, 54), "2.135"), ((55, 55), "2.230"), ((56, 56), "2.333"),
    ((57, 57), "2.437"), ((58, 58), "2.548"), ((59, 59), "2.603"), ((60, 60), "2.714"),
    ((61, 61), "2.810"), ((62, 62), "2.873"), ((63, 63), "2.952"), ((64, 120), "3.000"),
]  # fmt: skip


@pytest.mark.parametrize(("ages", "factor"), FEDERAL_TABLE)
def test_federal_curve_band(ages: tuple[int, int], factor: str) -> None:
    low, high = ages
    for age in range(low, high + 1):
        assert FEDERAL_DEFAULT_2018.factor_for(age) == Decimal(factor), age


def test_federal_curve_has_48_bands() -> None:
    assert len(FEDERAL_DEFAULT_2018.bands) == 48


def test_federal_curve_adult_ratio_is_three() -> None:
    # 64+ over 21: 3.000 / 1.000 = 3, the federal maximum adult age ratio
    assert FEDERAL_DEFAULT_2018.factor_for(64) / FEDERAL_DEFAULT_2018.factor_for(21) == 3


def test_curve_gap_names_missing_band() -> None:
    with pytest.raises(ValidationError) as raised:
        curve_from_labels("gappy", {"0-20": "0.635", "21-29": "1.000", "33-63": "1.5", "64+": "3.000"})

    assert "no factor for ages 30-32" in raised.value.message
    assert "gappy" in raised.value.message


def test_curve_single_missing_age() -> None:
    with pytest.raises(ValidationError) as raised:
        curve_from_labels("missing-zero", {"1-63": "1.0", "64+": "3.0"})

    assert "no factor for ages 0" in raised.value.message


def test_curve_without_open_band() -> None:
    with pytest.raises(ValidationError) as raised:
        curve_from_labels("closed", {"0-20": "0.635", "21-64": "1.000"})

    assert "65 and older" in raised.value.message


def test_curve_overlap_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        curve_from_labels("overlap", {"0-20": "0.635", "20-63": "1.000", "64+": "3.000"})

    assert "20-63 overlaps" in raised.value.message


def test_curve_zero_factor_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        curve_from_labels("zero", {"0-20": "0", "21+": "1.000"})

    assert "not above zero" in raised.value.message


def test_curve_rejects_float_factor() -> None:
    with pytest.raises(TypeError):
        curve_from_labels("float", {"0+": 0.765})  # type: ignore[dict-item]


def test_band_label_forms() -> None:
    assert parse_band_label("0-14", Decimal("0.765")).label == "0-14"
    assert parse_band_label("15", Decimal("0.833")).label == "15"
    assert parse_band_label("64+", Decimal("3")).high is None


def test_band_label_invalid() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_band_label("sixty", Decimal(1))

    assert raised.value.code == "rating.invalid_age_band"


def test_band_label_reversed() -> None:
    with pytest.raises(ValidationError):
        parse_band_label("20-10", Decimal(1))


def test_negative_age_rejected() -> None:
    with pytest.raises(ValidationError) as raised:
        FEDERAL_DEFAULT_2018.factor_for(-1)

    assert raised.value.code == "rating.negative_age"


def test_empty_curve_rejected() -> None:
    with pytest.raises(ValidationError):
        AgeCurve("empty", ())


def test_february_29_birthday_factor() -> None:
    # Born 2008-02-29: still 17 on 2026-02-28, 18 from 2026-03-01 (no Feb 29 in 2026)
    birth = date(2008, 2, 29)

    assert FEDERAL_DEFAULT_2018.factor_for(age_on(birth, date(2026, 2, 28))) == Decimal("0.885")
    assert FEDERAL_DEFAULT_2018.factor_for(age_on(birth, date(2026, 3, 1))) == Decimal("0.913")
