"""Integer cents, the one rounding function, amount parsing, splits and in-order allocation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from premia.kernel.errors import ValidationError
from premia.kernel.money import (
    allocate_in_order,
    cents_to_decimal,
    format_cents,
    parse_amount,
    round_down_cents,
    round_half_up_cents,
    split_cents,
    to_decimal,
)


@pytest.mark.parametrize(
    ("dollars", "cents"),
    [
        ("693.1200", 69312),  # 400.00 x 1.444 x 1.20 = 693.12
        ("376.40", 37640),  # 400.00 x 0.941 = 376.40
        ("536.403", 53640),  # 430.50 x 1.246 = 536.403, the third place is below half
        ("9.870967741935", 987),  # 306.00 x 1 / 31 = 9.8709...
        ("0.005", 1),  # exactly half a cent goes up
        ("0.0049999", 0),
        ("2.675", 268),  # a float would hold 2.67499999... and round down
        ("-0.005", -1),  # half-up means away from zero for a credit
        ("-1.004", -100),
        ("0", 0),
    ],
)
def test_round_half_up_examples(dollars: str, cents: int) -> None:
    assert round_half_up_cents(Decimal(dollars)) == cents


def test_round_half_up_accepts_str_and_int() -> None:
    assert round_half_up_cents("12.345") == 1235  # type: ignore[arg-type]
    assert round_half_up_cents(7) == 700  # type: ignore[arg-type]


@pytest.mark.parametrize(("dollars", "cents"), [("10.009", 1000), ("-10.009", -1000), ("0.019", 1)])
def test_round_down_truncates(dollars: str, cents: int) -> None:
    assert round_down_cents(Decimal(dollars)) == cents


@pytest.mark.parametrize("value", [0.1, 2.675, 1.0, float("nan")])
def test_floats_rejected(value: float) -> None:
    with pytest.raises(TypeError, match="float"):
        to_decimal(value)
    with pytest.raises(TypeError):
        round_half_up_cents(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        split_cents(100, [value, 1])


def test_bools_are_not_numbers() -> None:
    with pytest.raises(TypeError):
        to_decimal(True)  # type: ignore[arg-type]


def test_cents_must_be_int() -> None:
    with pytest.raises(TypeError, match="int"):
        cents_to_decimal(12.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        allocate_in_order(Decimal("1.00"), [100])  # type: ignore[arg-type]


def test_cents_to_decimal_two_places() -> None:
    assert cents_to_decimal(69312) == Decimal("693.12")
    assert str(cents_to_decimal(5)) == "0.05"
    assert str(cents_to_decimal(-100)) == "-1.00"


def test_format_cents() -> None:
    assert format_cents(123450) == "1,234.50"
    assert format_cents(-123450) == "-1,234.50"
    assert format_cents(123450, thousands=False) == "1234.50"
    assert format_cents(0) == "0.00"


@pytest.mark.parametrize(
    ("text", "cents"),
    [("123.45", 12345), (" 12.30 ", 1230), ("5", 500), ("-0.50", -50), ("0.00", 0), (Decimal("1.1"), 110), (7, 700)],
)
def test_parse_amount_valid(text: str | Decimal | int, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("abc", "money.invalid_amount"),
        ("", "money.invalid_amount"),
        ("12,50", "money.invalid_amount"),
        ("NaN", "money.invalid_amount"),
        ("Infinity", "money.invalid_amount"),
        ("1.001", "money.sub_cent_amount"),
        (1.5, "money.invalid_amount"),
        (None, "money.invalid_amount"),
        (True, "money.invalid_amount"),
    ],
)
def test_parse_amount_error_names_field(text: object, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount(text, field="payment_amount", record="payment P-1")  # type: ignore[arg-type]

    error = caught.value
    assert error.code == code
    assert error.field == "payment_amount"
    assert error.record == "payment P-1"
    assert error.value == text
    assert "payment_amount" in error.message
    assert error.hint


def test_split_remainder_on_subscriber() -> None:
    # 100.00 over weights 1:1:1: each dependent gets 33.33 and the subscriber 100.00 - 66.66 = 33.34.
    assert split_cents(10000, [1, 1, 1]) == [3334, 3333, 3333]
    assert split_cents(10000, [1, 1, 1], remainder_index=2) == [3333, 3333, 3334]


def test_split_by_age_factors() -> None:
    # 500.00 APTC over factors 1.214 and 1.183 (sum 2.397):
    # the spouse gets 500.00 x 1.183 / 2.397 = 246.766... -> 246.77, the subscriber 500.00 - 246.77 = 253.23.
    assert split_cents(50000, [Decimal("1.214"), Decimal("1.183")]) == [25323, 24677]


def test_split_all_zero_weights() -> None:
    assert split_cents(999, [0, 0, 0], remainder_index=1) == [0, 999, 0]


def test_split_zero_weight_gets_zero() -> None:
    assert split_cents(1000, [1, 0, 1]) == [500, 0, 500]


def test_split_never_negative_remainder() -> None:
    # Half-up on three equal shares of 0.5 cents would hand out 3 cents of 2 and leave the
    # subscriber -1; the extra cent is taken back from a rounded-up dependent instead.
    parts = split_cents(2, [1, 1, 1, 1])

    assert sum(parts) == 2
    assert min(parts) == 0
    assert parts[0] == 0


def test_split_zero_weight_remainder() -> None:
    # 1.01 over two equal dependents: 50.5 cents each; half-up on both would need 102 cents.
    parts = split_cents(101, [0, 1, 1])

    assert parts[0] == 0
    assert sorted(parts[1:]) == [50, 51]


def test_split_negative_total_mirrors() -> None:
    assert split_cents(-10000, [1, 1, 1]) == [-3334, -3333, -3333]


@pytest.mark.parametrize(
    ("weights", "remainder_index", "message"),
    [([], 0, "at least one"), ([1, 1], 2, "outside"), ([1, -1], 0, "negative")],
)
def test_split_rejects_bad_weights(weights: list[int], remainder_index: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        split_cents(100, weights, remainder_index=remainder_index)


def test_allocate_oldest_first() -> None:
    # 250.00 over open items 100.00, 120.00, 80.00: 100.00 + 120.00 + the last 30.00.
    assert allocate_in_order(25000, [10000, 12000, 8000]) == [10000, 12000, 3000]


def test_allocate_leaves_credit() -> None:
    applied = allocate_in_order(50000, [10000, 12000])

    assert applied == [10000, 12000]
    assert 50000 - sum(applied) == 28000  # 500.00 - 220.00 stays as unapplied credit


def test_allocate_skips_credits_and_zero() -> None:
    assert allocate_in_order(10000, [-500, 0, 6000, 8000]) == [0, 0, 6000, 4000]


def test_allocate_rejects_negative_amount() -> None:
    with pytest.raises(ValueError, match="negative"):
        allocate_in_order(-1, [100])
