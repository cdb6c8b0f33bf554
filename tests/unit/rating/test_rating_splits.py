"""Capped splits: the parts add back, no part exceeds its cap, and capped shares move on."""

from __future__ import annotations

import pytest

from premia.rating.splits import split_capped


def test_split_capped_tiny_total() -> None:
    # 2 cents over four equal parts: no part goes negative and the parts still add to 2
    parts = split_capped(2, [1, 1, 1, 1], [100, 100, 100, 100])

    assert sum(parts) == 2
    assert min(parts) >= 0


def test_split_capped_redistributes() -> None:
    # Equal thirds of 300.00 would be 100.00 each, but the first cap is 50.00.
    # The first part takes 50.00, and the other two split 250.00 into 125.00 each.
    assert split_capped(30000, [1, 1, 1], [5000, 20000, 20000]) == [5000, 12500, 12500]


def test_split_capped_zero_weight_gets_nothing() -> None:
    assert split_capped(1000, [0, 1], [5000, 5000]) == [0, 1000]


def test_split_capped_remainder_moves_when_capped() -> None:
    # The remainder part is capped at 1.00, so the next part takes the leftover cent
    assert split_capped(1001, [1, 1], [100, 5000], remainder_index=0) == [100, 901]


def test_split_capped_over_room() -> None:
    with pytest.raises(ValueError, match="caps add up to 200"):
        split_capped(201, [1, 1], [100, 100])


def test_split_capped_negative_total() -> None:
    with pytest.raises(ValueError):
        split_capped(-1, [1], [100])
