"""Exact splits of a cent amount over members, with a cap on each member's part.

Builds on :func:`premia.kernel.money.split_cents`: every part but one is rounded half-up
and one fixed part (the subscriber's) takes the rest, so the parts add back to the whole
exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from premia.kernel.money import split_cents, to_decimal


def split_capped(
    total: int,
    weights: Sequence[Decimal | int],
    caps: Sequence[int],
    *,
    remainder_index: int = 0,
) -> list[int]:
    """Split ``total`` cents by ``weights`` with no part above its cap.

    A part whose proportional share would exceed its cap is fixed at the cap, and the rest is
    split again over the remaining parts, until every part fits. Parts with a zero weight or
    a zero cap get nothing. When the remainder part is capped, the first remaining part (in
    order) takes the rest. ``total`` must not exceed the sum of the caps of parts with a
    positive weight.
    """
    if len(weights) != len(caps):
        raise ValueError(f"{len(weights)} weights but {len(caps)} caps")
    if total < 0:
        raise ValueError(f"a capped split needs a non-negative total, got {total}")

    decimal_weights = [to_decimal(weight) for weight in weights]
    active = [index for index, weight in enumerate(decimal_weights) if weight > 0 and caps[index] > 0]
    room = sum(caps[index] for index in active)
    if total > room:
        raise ValueError(f"cannot split {total} cents over parts whose caps add up to {room}")

    parts = [0] * len(weights)
    remaining = total
    while active and remaining > 0:
        holder = remainder_index if remainder_index in active else active[0]
        shares = split_cents(
            remaining,
            [decimal_weights[index] for index in active],
            remainder_index=active.index(holder),
        )
        over_cap = [index for index, share in zip(active, shares, strict=True) if share > caps[index]]
        if not over_cap:
            for index, share in zip(active, shares, strict=True):
                parts[index] = share
            return parts

        for index in over_cap:
            parts[index] = caps[index]
            remaining -= caps[index]
            active.remove(index)
    return parts
