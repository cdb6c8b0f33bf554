"""Property tests of the money invariants: splits add back exactly, allocations never over-apply."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from premia.kernel.money import allocate_in_order, round_half_up_cents, split_cents

# Up to a billion dollars either way: far beyond any premium, payment or APTC amount.
amounts = st.integers(min_value=-(10**11), max_value=10**11)
weight_values = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.decimals(min_value=0, max_value=10, places=3, allow_nan=False, allow_infinity=False),
)
weight_lists = st.lists(weight_values, min_size=1, max_size=12)


@st.composite
def split_cases(draw: st.DrawFn) -> tuple[int, list[Decimal | int], int]:
    weights = draw(weight_lists)
    remainder_index = draw(st.integers(min_value=0, max_value=len(weights) - 1))
    return draw(amounts), weights, remainder_index


def _exact_share(total: int, weights: list[Decimal | int], index: int) -> Decimal:
    return Decimal(total) * Decimal(weights[index]) / sum((Decimal(w) for w in weights), Decimal(0))


@settings(max_examples=300, deadline=None)
@given(split_cases())
def test_split_adds_back(case: tuple[int, list[Decimal | int], int]) -> None:
    total, weights, remainder_index = case

    parts = split_cents(total, weights, remainder_index=remainder_index)

    assert len(parts) == len(weights)
    assert sum(parts) == total
    assert all(isinstance(part, int) for part in parts)


@settings(max_examples=300, deadline=None)
@given(split_cases())
def test_split_parts_share_sign(case: tuple[int, list[Decimal | int], int]) -> None:
    total, weights, remainder_index = case

    parts = split_cents(total, weights, remainder_index=remainder_index)

    for part in parts:
        assert abs(part) <= abs(total)
        assert part == 0 or (part > 0) == (total > 0)


@settings(max_examples=300, deadline=None)
@given(split_cases())
def test_split_zero_weights_get_nothing(case: tuple[int, list[Decimal | int], int]) -> None:
    total, weights, remainder_index = case
    if all(weight == 0 for weight in weights):
        return

    parts = split_cents(total, weights, remainder_index=remainder_index)

    # The remainder part takes the leftover cents whatever its own weight.
    for index, (weight, part) in enumerate(zip(weights, parts, strict=True)):
        if weight == 0 and index != remainder_index:
            assert part == 0


@settings(max_examples=300, deadline=None)
@given(split_cases())
def test_split_parts_near_exact_share(case: tuple[int, list[Decimal | int], int]) -> None:
    total, weights, remainder_index = case
    if all(weight == 0 for weight in weights):
        return

    parts = split_cents(total, weights, remainder_index=remainder_index)

    for index, part in enumerate(parts):
        if index != remainder_index:
            assert abs(part - _exact_share(total, weights, index)) < 1


@settings(max_examples=300, deadline=None)
@given(split_cases())
def test_split_remainder_on_chosen_part(case: tuple[int, list[Decimal | int], int]) -> None:
    """Every other part is its own share rounded half-up, and the remainder part takes the rest.

    The one exception is a remainder that would have the opposite sign of the total. Then the
    remainder part is zero and some rounded-up parts give a cent back.
    """
    total, weights, remainder_index = case
    if all(weight == 0 for weight in weights):
        return

    parts = split_cents(total, weights, remainder_index=remainder_index)
    rounded = [
        int(_exact_share(total, weights, index).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        for index in range(len(weights))
    ]
    leftover = total - sum(rounded[index] for index in range(len(weights)) if index != remainder_index)
    remainder_keeps_sign = leftover == 0 or (leftover > 0) == (total > 0)

    if remainder_keeps_sign:
        for index, part in enumerate(parts):
            if index != remainder_index:
                assert part == rounded[index]
        assert parts[remainder_index] == leftover
    else:
        assert parts[remainder_index] == 0


@settings(max_examples=200, deadline=None)
@given(amounts, st.lists(st.just(0), min_size=1, max_size=6), st.data())
def test_split_all_zero_weights_to_remainder(total: int, weights: list[int], data: st.DataObject) -> None:
    remainder_index = data.draw(st.integers(min_value=0, max_value=len(weights) - 1))

    parts = split_cents(total, weights, remainder_index=remainder_index)

    assert parts[remainder_index] == total
    assert sum(abs(part) for part in parts) == abs(total)


@settings(max_examples=200, deadline=None)
@given(split_cases())
def test_split_of_negative_mirrors(case: tuple[int, list[Decimal | int], int]) -> None:
    total, weights, remainder_index = case

    positive = split_cents(abs(total), weights, remainder_index=remainder_index)
    negative = split_cents(-abs(total), weights, remainder_index=remainder_index)

    assert negative == [-part for part in positive]


open_items = st.lists(st.integers(min_value=-(10**7), max_value=10**7), max_size=15)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), open_items)
def test_allocate_within_bounds(amount: int, items: list[int]) -> None:
    applied = allocate_in_order(amount, items)

    assert len(applied) == len(items)
    assert sum(applied) <= amount
    for portion, open_amount in zip(applied, items, strict=True):
        assert 0 <= portion <= max(open_amount, 0)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), open_items)
def test_allocate_oldest_filled_first(amount: int, items: list[int]) -> None:
    applied = allocate_in_order(amount, items)

    # Money reaches an item only once every earlier open item is paid in full.
    for index, portion in enumerate(applied):
        if portion > 0:
            for earlier in range(index):
                assert applied[earlier] == max(items[earlier], 0)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**9), open_items)
def test_allocate_uses_all_it_can(amount: int, items: list[int]) -> None:
    applied = allocate_in_order(amount, items)

    open_total = sum(max(item, 0) for item in items)
    assert sum(applied) == min(amount, open_total)


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=-(10**6), max_value=10**6, places=6, allow_nan=False, allow_infinity=False))
def test_round_half_up_within_half_cent(dollars: Decimal) -> None:
    cents = round_half_up_cents(dollars)

    assert abs(Decimal(cents) - dollars * 100) <= Decimal("0.5")
