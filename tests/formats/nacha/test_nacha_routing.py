"""ABA routing number check digits."""

from __future__ import annotations

import pytest

from premia.formats.nacha import is_valid_routing_number, routing_check_digit


def test_check_digit_computed() -> None:
    # 3x(2+3+1) + 7x(3+8+0) + (1+0) = 18 + 77 + 1 = 96, and 96 + 4 is a multiple of 10.
    assert routing_check_digit("23138010") == 4


@pytest.mark.parametrize("routing_number", ["231380104", "091400606", "121042882", "062000019"])
def test_valid_routing_numbers(routing_number: str) -> None:
    assert is_valid_routing_number(routing_number)


@pytest.mark.parametrize(
    "routing_number", ["231380105", "23138010", "2313801044", "23138010A", "", "２３１３８０１０４"]  # full-width digits pass str.isdigit
)
def test_invalid_routing_numbers(routing_number: str) -> None:
    assert not is_valid_routing_number(routing_number)


def test_check_digit_needs_eight_digits() -> None:
    with pytest.raises(ValueError, match="8 digits"):
        routing_check_digit("2313801")
