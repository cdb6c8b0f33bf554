"""The KPI arithmetic: ratios from raw counts, aging buckets, repeat-contact classification (pure).

Every figure keeps the numerator and denominator it was computed from, so figures can be
added up across months or segments and checked by hand. Percentages and days are rounded
half-up to one decimal place, once, at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from premia.metrics.definitions import DEFINITIONS, OVER_90_DAYS, KpiName, Unit

ONE_PLACE = Decimal("0.1")
TOP_TWO_BOX_LOWEST = 4
TOP_BOX = 5
LOWEST_SCORE = 1
HIGHEST_SCORE = 5

# NACHA's return categories for the administrative (3%) and unauthorized (0.5%) thresholds.
ADMINISTRATIVE_RETURN_CODES = frozenset({"R02", "R03", "R04"})
UNAUTHORIZED_RETURN_CODES = frozenset({"R05", "R07", "R10", "R29", "R51"})


@dataclass(frozen=True)
class KpiFigure:
    """One KPI over one period: the value and the raw counts it came from.

    ``numerator`` and ``denominator`` are counts for service measures and cents for money
    measures. ``value`` is None when the denominator is 0 (nothing to measure).
    """

    name: KpiName
    numerator: int
    denominator: int
    value: Decimal | None
    detail: Mapping[str, int] = field(default_factory=dict)

    @property
    def definition(self) -> str:
        return DEFINITIONS[self.name].id

    @property
    def unit(self) -> Unit:
        return DEFINITIONS[self.name].unit

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name.value,
            "definition": self.definition,
            "unit": self.unit.value,
            "value": None if self.value is None else str(self.value),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "detail": dict(self.detail),
        }


def percent(numerator: int, denominator: int) -> Decimal | None:
    """``numerator`` as a percentage of ``denominator``, one decimal place, half-up; None for a 0 denominator."""
    _require_counts(numerator, denominator)
    if denominator == 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def ratio_figure(name: KpiName, numerator: int, denominator: int, detail: Mapping[str, int] | None = None) -> KpiFigure:
    """Build a percentage KPI such as FCR, CSAT or the collection rate."""
    return KpiFigure(name, numerator, denominator, percent(numerator, denominator), dict(detail or {}))


def days_sales_outstanding(receivable_cents: int, billed_cents: int, days: int) -> Decimal | None:
    """Return receivable ÷ billed × days to one decimal place, or None when nothing was billed.

    A negative receivable (credits larger than what is owed) gives negative days, as the
    books show it. It is not clamped to zero.
    """
    if days <= 0:
        raise ValueError(f"a DSO period has at least one day, got {days}")
    if billed_cents <= 0:
        return None
    return (Decimal(receivable_cents) * days / Decimal(billed_cents)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def dso_figure(receivable_cents: int, billed_cents: int, days: int, detail: Mapping[str, int] | None = None) -> KpiFigure:
    data = {"days_in_period": days, **(detail or {})}
    return KpiFigure(KpiName.DSO, receivable_cents, billed_cents, days_sales_outstanding(receivable_cents, billed_cents, days), data)


# CSAT ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreCounts:
    """Survey responses counted by score, 1 to 5."""

    by_score: Mapping[int, int]

    @classmethod
    def of(cls, scores: Iterable[int]) -> ScoreCounts:
        counts = {score: 0 for score in range(LOWEST_SCORE, HIGHEST_SCORE + 1)}
        for score in scores:
            if isinstance(score, bool) or score not in counts:
                raise ValueError(f"survey scores are whole numbers {LOWEST_SCORE} to {HIGHEST_SCORE}, got {score!r}")
            counts[score] += 1
        return cls(counts)

    @property
    def responses(self) -> int:
        return sum(self.by_score.values())

    @property
    def top_box(self) -> int:
        return self.by_score.get(TOP_BOX, 0)

    @property
    def top_two_box(self) -> int:
        return sum(count for score, count in self.by_score.items() if score >= TOP_TWO_BOX_LOWEST)


def csat_figures(counts: ScoreCounts) -> tuple[KpiFigure, KpiFigure]:
    """CSAT as the top-2-box share (4 or 5) and as the top-box share (5 only)."""
    detail = {f"score_{score}": count for score, count in sorted(counts.by_score.items())}
    return (
        ratio_figure(KpiName.CSAT, counts.top_two_box, counts.responses, detail),
        ratio_figure(KpiName.CSAT_TOP_BOX, counts.top_box, counts.responses, detail),
    )


# First contact resolution ------------------------------------------------------------------


@dataclass(frozen=True)
class InboundContact:
    """The parts of an inbound contact that first contact resolution compares.

    ``party`` is the billing account (or, without one, the member) the contact was about;
    None when it was about neither and so cannot be compared with later contacts.
    """

    started_at: datetime
    subject: str
    party: str | None


@dataclass(frozen=True)
class FcrCounts:
    resolved: int
    repeated: int
    pending: int
    unlinked: int

    @property
    def measured(self) -> int:
        return self.resolved + self.repeated

    @property
    def contacts(self) -> int:
        return self.measured + self.pending + self.unlinked

    def figure(self, window_days: int) -> KpiFigure:
        detail = {
            "contacts": self.contacts,
            "repeated": self.repeated,
            "pending": self.pending,
            "unlinked": self.unlinked,
            "window_days": window_days,
        }
        return ratio_figure(KpiName.FIRST_CONTACT_RESOLUTION, self.resolved, self.measured, detail)


def classify_contacts(
    contacts: Sequence[InboundContact], *, start: datetime, end: datetime, window: timedelta, now: datetime
) -> FcrCounts:
    """Count the contacts started in ``[start, end)`` as resolved, repeated, pending or unlinked.

    ``contacts`` must also hold those started up to ``window`` after ``end``, because a
    contact late in the period is repeated by one in the next. A contact is repeated when
    another one on the same subject about the same party starts after it and within
    ``window``. It is pending while its window is still open at ``now``, even when a repeat
    already came in. Counting early repeats before the other contacts' windows close would
    pull the rate of a month still in progress towards 0%.
    """
    threads: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for contact in contacts:
        if contact.party is not None:
            threads[(contact.party, contact.subject)].append(contact.started_at)

    resolved = repeated = pending = unlinked = 0
    for contact in contacts:
        if not start <= contact.started_at < end:
            continue
        if contact.party is None:
            unlinked += 1
            continue
        window_end = contact.started_at + window
        if window_end > now:
            pending += 1
            continue
        later = [moment for moment in threads[(contact.party, contact.subject)] if contact.started_at < moment <= window_end]
        if later:
            repeated += 1
        else:
            resolved += 1
    return FcrCounts(resolved=resolved, repeated=repeated, pending=pending, unlinked=unlinked)


# Aging -------------------------------------------------------------------------------------


class AgingBucket(StrEnum):
    CURRENT = "current"
    DAYS_1_30 = "1-30"
    DAYS_31_60 = "31-60"
    DAYS_61_90 = "61-90"
    OVER_90 = "over 90"


def aging_bucket(days_past_due: int) -> AgingBucket:
    """Return the bucket of an item ``days_past_due`` days past its due date (0 or less: not yet late)."""
    if days_past_due <= 0:
        return AgingBucket.CURRENT
    if days_past_due <= 30:
        return AgingBucket.DAYS_1_30
    if days_past_due <= 60:
        return AgingBucket.DAYS_31_60
    if days_past_due <= OVER_90_DAYS:
        return AgingBucket.DAYS_61_90
    return AgingBucket.OVER_90


@dataclass(frozen=True)
class OpenItem:
    """A member's unpaid premium for one coverage month, and the day it was first due."""

    due_date: date
    open_cents: int


@dataclass(frozen=True)
class AgingBuckets:
    """Open premium receivable on ``on`` by days past due, in cents, with the item count per bucket."""

    on: date
    buckets: Mapping[AgingBucket, int]
    items: Mapping[AgingBucket, int]

    @property
    def total_cents(self) -> int:
        return sum(self.buckets.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "buckets": {bucket.value: cents for bucket, cents in self.buckets.items()},
            "items": {bucket.value: count for bucket, count in self.items.items()},
            "total_cents": self.total_cents,
        }


def age_items(items: Iterable[OpenItem], on: date) -> AgingBuckets:
    """Sum open items into the aging buckets; items with nothing open are left out."""
    cents = {bucket: 0 for bucket in AgingBucket}
    counts = {bucket: 0 for bucket in AgingBucket}
    for item in items:
        if item.open_cents <= 0:
            continue
        bucket = aging_bucket((on - item.due_date).days)
        cents[bucket] += item.open_cents
        counts[bucket] += 1
    return AgingBuckets(on=on, buckets=cents, items=counts)


def receivables_over_90_days(aging: AgingBuckets) -> KpiFigure:
    over = aging.buckets[AgingBucket.OVER_90]
    return ratio_figure(KpiName.AR_OVER_90_DAYS, over, aging.total_cents, {"items_over_90": aging.items[AgingBucket.OVER_90]})


# Auto-draft returns ----------------------------------------------------------------------


def return_rate_figure(drafted: int, returned_codes: Sequence[str], *, drafted_cents: int, returned_cents: int) -> KpiFigure:
    """Build the share of drafts the bank returned, with the counts NACHA's thresholds are read from."""
    by_code: dict[str, int] = defaultdict(int)
    for code in returned_codes:
        by_code[code] += 1
    detail = {
        "drafted_cents": drafted_cents,
        "returned_cents": returned_cents,
        "administrative_returns": sum(count for code, count in by_code.items() if code in ADMINISTRATIVE_RETURN_CODES),
        "unauthorized_returns": sum(count for code, count in by_code.items() if code in UNAUTHORIZED_RETURN_CODES),
        **{f"returned_{code}": count for code, count in sorted(by_code.items())},
    }
    return ratio_figure(KpiName.AUTODRAFT_RETURN_RATE, len(returned_codes), drafted, detail)


def _require_counts(numerator: int, denominator: int) -> None:
    for value in (numerator, denominator):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"KPI counts are whole numbers (counts or cents), got {value!r}")
    if denominator < 0:
        raise ValueError(f"a KPI denominator cannot be negative, got {denominator}")
