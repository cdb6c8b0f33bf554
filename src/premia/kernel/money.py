"""Money as integer cents, with one rounding rule and exact splits.

Every stored amount is an ``int`` of cents. Rating works in ``Decimal`` and converts to cents
exactly once, through :func:`round_half_up_cents` (or :func:`round_down_cents` where a rule
such as the EHB cap on APTC says to round down). Floats are rejected everywhere, because a
binary float cannot hold most cent values exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from premia.kernel.errors import ValidationError

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Convert an exact value to ``Decimal``; floats are rejected rather than guessed at."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"money and rates must not be floats (got {value!r}); pass a str or Decimal")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, str):
        raise TypeError(f"expected a str, int or Decimal amount, got {type(value).__name__} {value!r}")
    try:
        return Decimal(value.strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a decimal number: {value!r}") from exc


def round_half_up_cents(amount_in_dollars: Decimal) -> int:
    """Round a dollar amount half-up to the cent and return cents. The one rounding point."""
    return int((to_decimal(amount_in_dollars) * HUNDRED).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def round_down_cents(amount_in_dollars: Decimal) -> int:
    """Round a dollar amount towards zero to the cent (used for EHB caps on APTC)."""
    return int((to_decimal(amount_in_dollars) * HUNDRED).quantize(Decimal(1), rounding=ROUND_DOWN))


def cents_to_decimal(cents: int) -> Decimal:
    """Return the dollar value of ``cents`` as an exact two-place ``Decimal``."""
    _require_int(cents)
    return (Decimal(cents) / HUNDRED).quantize(CENT)


def format_cents(cents: int, *, thousands: bool = True) -> str:
    """Format cents as dollars with two places, for example ``-1,234.50``."""
    value = cents_to_decimal(cents)
    return f"{value:,.2f}" if thousands else f"{value:.2f}"


def parse_amount(text: str | int | Decimal, *, field: str = "amount", record: str | None = None) -> int:
    """Parse a dollar amount such as ``"123.45"`` into cents.

    More than two decimal places is an error, not a silent rounding, because an amount
    typed or sent with a fraction of a cent is a mistake the sender must see.
    """
    try:
        value = to_decimal(text)
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            code="money.invalid_amount",
            message=f"{field} {text!r} is not a valid amount.",
            record=record,
            field=field,
            value=text,
            hint="Write the amount in dollars with at most two decimal places, for example 123.45.",
        ) from exc
    if not value.is_finite():
        raise ValidationError(
            code="money.invalid_amount",
            message=f"{field} {text!r} is not a finite amount.",
            record=record,
            field=field,
            value=text,
            hint="Write the amount in dollars, for example 123.45.",
        )
    if value != value.quantize(CENT):
        raise ValidationError(
            code="money.sub_cent_amount",
            message=f"{field} {text!r} has more than two decimal places.",
            record=record,
            field=field,
            value=text,
            hint="Amounts are whole cents; round the value to two decimal places.",
        )
    return int(value * HUNDRED)


def split_cents(total: int, weights: Sequence[Decimal | int], *, remainder_index: int = 0) -> list[int]:
    """Split ``total`` cents in proportion to ``weights`` so that the parts add back exactly.

    Every part except the one at ``remainder_index`` is rounded half-up on its own; that part
    takes whatever is left. In Premia the remainder part is the subscriber's line, so a family's
    odd cent always lands on the same, predictable member. Zero weights get zero, except the
    remainder part, which takes the leftover cents whatever its weight. When all weights are
    zero the whole amount goes to it.

    Rounding many parts up can hand out more cents than the total (2 cents over four equal
    weights gives three parts of 0.5 -> 1 cent each). The remainder part would then have the
    opposite sign of the total, so instead it gets zero and the parts rounded up the most (the
    earliest on a tie) each give one cent back. No part ever has the opposite sign of the total.
    """
    _require_int(total)
    if not weights:
        raise ValueError("split_cents needs at least one weight")
    if not 0 <= remainder_index < len(weights):
        raise ValueError(f"remainder_index {remainder_index} is outside the {len(weights)} weights")
    decimal_weights = [to_decimal(weight) for weight in weights]
    if any(weight < 0 for weight in decimal_weights):
        raise ValueError("split weights must not be negative")

    weight_sum = sum(decimal_weights, Decimal(0))
    parts = [0] * len(decimal_weights)
    if weight_sum == 0:
        parts[remainder_index] = total
        return parts

    # Work on the magnitude so that a credit splits as the mirror image of a charge.
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    rounding_up: list[tuple[Decimal, int]] = []
    for index, weight in enumerate(decimal_weights):
        if index == remainder_index:
            continue
        share = Decimal(magnitude) * weight / weight_sum
        parts[index] = int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        if parts[index] > share:
            rounding_up.append((parts[index] - share, index))
    leftover = magnitude - sum(parts)

    if leftover < 0:
        rounding_up.sort(key=lambda item: (-item[0], item[1]))
        for _, index in rounding_up[:-leftover]:
            parts[index] -= 1
        leftover = 0
    parts[remainder_index] = leftover
    return [sign * part for part in parts]


def allocate_in_order(amount: int, open_amounts: Sequence[int]) -> list[int]:
    """Apply ``amount`` cents to ``open_amounts`` in order, oldest first.

    Returns how much goes to each item; the caller keeps ``amount - sum(result)`` as credit.
    """
    _require_int(amount)
    if amount < 0:
        raise ValueError("an allocated amount must not be negative")
    remaining = amount
    applied: list[int] = []
    for open_amount in open_amounts:
        _require_int(open_amount)
        portion = min(remaining, max(open_amount, 0))
        applied.append(portion)
        remaining -= portion
    return applied


def _require_int(cents: int) -> None:
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"cent amounts must be int, got {type(cents).__name__} {cents!r}")
