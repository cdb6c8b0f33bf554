"""Splitting Exchange APTC over members, and comparing a list-bill remittance with the roster (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from premia.kernel.dates import Month
from premia.kernel.money import split_cents


def split_aptc(amount_cents: int, open_cents: Sequence[int], *, subscriber_index: int) -> list[int]:
    """Split one policy-month APTC amount over its members' open APTC receivable.

    A payment (positive) pays what each member's line still expects, in proportion when it
    falls short. A recoupment (negative) takes back from the lines the Exchange overpaid.
    Any amount beyond what the lines expect goes to the subscriber's line, so the parts
    always add back to ``amount_cents``. Parts carry the sign of ``amount_cents``.
    """
    sign = -1 if amount_cents < 0 else 1
    magnitude = abs(amount_cents)
    weights = [max(0, sign * cents) for cents in open_cents]
    capacity = sum(weights)
    applied = min(magnitude, capacity)
    if applied == capacity:
        parts = list(weights)
    else:
        parts = split_cents(applied, weights, remainder_index=subscriber_index)
    parts[subscriber_index] += magnitude - applied
    return [sign * part for part in parts]


def months_of(start: date, end: date) -> list[date]:
    """First days of the months from ``start`` through ``end``."""
    first, last = Month.of(start), Month.of(end)
    months = []
    current = first
    while current.index <= last.index:
        months.append(current.first_day)
        current = current.plus(1)
    return months


@dataclass(frozen=True)
class RemittedLine:
    """The amount one remittance line paid for one policy over a run of coverage months."""

    policy_id: int
    first_month: date
    last_month: date
    cents: int


def roster_variance(
    billed: Mapping[tuple[int, date], int],
    remitted: Sequence[RemittedLine],
    *,
    months: Sequence[date],
    policy_numbers: Mapping[int, str],
) -> list[dict[str, object]]:
    """Compare what was remitted per policy and months with what was billed, and list every difference.

    ``billed`` maps (policy, coverage month) to the net amount billed, for the accounts and
    ``months`` the remittance covers. A billed policy-month that no line remitted for is
    listed as not remitted, the usual sign of an unreported termination.
    """
    rows: list[dict[str, object]] = []
    covered: set[tuple[int, date]] = set()
    totals: dict[tuple[int, date, date], int] = {}
    for line in remitted:
        key = (line.policy_id, line.first_month, line.last_month)
        totals[key] = totals.get(key, 0) + line.cents
    for (policy_id, first, last), cents in sorted(totals.items()):
        span = months_of(first, last)
        covered.update((policy_id, month) for month in span)
        expected = sum(billed.get((policy_id, month), 0) for month in span)
        if cents != expected:
            rows.append(_row(policy_numbers, policy_id, first, last, expected, cents, "not billed" if expected == 0 else "differs"))
    for (policy_id, month), cents in sorted(billed.items()):
        if month in months and (policy_id, month) not in covered and cents:
            rows.append(_row(policy_numbers, policy_id, month, month, cents, 0, "not remitted"))
    return rows


def _row(
    policy_numbers: Mapping[int, str], policy_id: int, first: date, last: date, billed: int, remitted: int, note: str
) -> dict[str, object]:
    return {
        "policy_number": policy_numbers.get(policy_id, str(policy_id)),
        "months": f"{first:%Y-%m}" if first == last else f"{first:%Y-%m}..{last:%Y-%m}",
        "billed_cents": billed,
        "remitted_cents": remitted,
        "variance_cents": remitted - billed,
        "note": note,
    }
