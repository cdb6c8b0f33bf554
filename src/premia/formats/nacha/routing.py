"""ABA routing number check digits.

The ninth digit of a routing number makes ``3*d1 + 7*d2 + d3 + 3*d4 + 7*d5 + d6 + 3*d7 + 7*d8 + d9``
a multiple of ten. NACHA entry records carry the first eight digits (the RDFI identification)
and the check digit in separate fields.
"""

from __future__ import annotations


def routing_check_digit(first_eight_digits: str) -> int:
    """Return the check digit that completes an eight-digit RDFI identification."""
    if len(first_eight_digits) != 8 or not (first_eight_digits.isascii() and first_eight_digits.isdigit()):
        raise ValueError(f"a routing number prefix has 8 digits, got {first_eight_digits!r}")
    d = [int(digit) for digit in first_eight_digits]
    weighted_sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5]
    return (10 - weighted_sum % 10) % 10


def is_valid_routing_number(routing_number: str) -> bool:
    """Return whether ``routing_number`` is nine ASCII digits with a correct check digit."""
    if len(routing_number) != 9 or not routing_number.isascii() or not routing_number.isdigit():
        return False
    return routing_check_digit(routing_number[:8]) == int(routing_number[8])
