"""Bill changes: the lines of an invoice that differ from the previous invoice, and why (pure).

Regular lines are matched by policy, member, line kind and the month's place in the billing
period (the first month of a quarterly invoice is compared with the first month of the
quarter before). A line only on the new invoice is ``added``, one only on the old invoice
is ``removed``, and a matched pair with different amounts is ``changed``. Adjustment lines
correct earlier months, so every adjustment on the new invoice is listed as one.

Each difference carries the rating steps behind it: the steps of that member (and the
policy-wide steps) whose outputs differ between the two months' rating traces, or every
step of the one side that exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

_AGE_PATTERN = re.compile(r"\bage (\d{1,3})\b")


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    ADJUSTMENT = "adjustment"


@dataclass(frozen=True)
class BilledLine:
    """One invoice line as the comparison reads it; ``trace`` is the rating trace stored with it, if any."""

    line_id: int
    policy_id: int | None
    person_id: int | None
    member_id: str | None
    member_name: str
    coverage_month: date | None
    kind: str
    adjustment: bool
    amount_cents: int
    days_covered: int
    days_in_month: int
    description: str
    trace: Sequence[Mapping[str, Any]] | None = None

    @property
    def full_month(self) -> bool:
        return self.days_covered >= self.days_in_month

    @property
    def rated_age(self) -> int | None:
        match = _AGE_PATTERN.search(self.description)
        return int(match.group(1)) if match else None


@dataclass(frozen=True)
class StepDifference:
    """One rating step whose outputs differ between the previous and the current month."""

    step: str
    member_id: str | None
    previous: Mapping[str, str] | None
    current: Mapping[str, str] | None
    inputs: Mapping[str, str]


@dataclass(frozen=True)
class LineChange:
    kind: ChangeKind
    member_name: str
    line_kind: str
    previous: BilledLine | None
    current: BilledLine | None
    reasons: tuple[str, ...]
    steps: tuple[StepDifference, ...] = ()

    @property
    def previous_cents(self) -> int:
        return self.previous.amount_cents if self.previous else 0

    @property
    def current_cents(self) -> int:
        return self.current.amount_cents if self.current else 0

    @property
    def difference_cents(self) -> int:
        return self.current_cents - self.previous_cents


@dataclass(frozen=True)
class BillComparison:
    """The differences between an invoice's lines and the previous invoice's lines."""

    changes: tuple[LineChange, ...]
    unchanged: int
    previous_total_cents: int
    current_total_cents: int
    has_previous: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def difference_cents(self) -> int:
        return self.current_total_cents - self.previous_total_cents


TraceLookup = Mapping[tuple[int | None, date | None], Sequence[Mapping[str, Any]]]


def compare_invoices(
    current: Iterable[BilledLine],
    previous: Iterable[BilledLine],
    *,
    traces: TraceLookup | None = None,
) -> BillComparison:
    """Compare two invoices' lines; ``traces`` maps (policy id, coverage month) to a rating trace."""
    traces = traces or {}
    current_lines = list(current)
    previous_lines = list(previous)
    current_regular = _keyed(line for line in current_lines if not line.adjustment)
    previous_regular = _keyed(line for line in previous_lines if not line.adjustment)

    changes: list[LineChange] = []
    unchanged = 0
    for key in sorted(set(current_regular) | set(previous_regular), key=_sort_key):
        now = current_regular.get(key)
        before = previous_regular.get(key)
        if now is not None and before is not None and _same_charge(now, before):
            unchanged += 1
            continue
        changes.append(_line_change(before, now, traces))
    for line in current_lines:
        if line.adjustment:
            changes.append(_adjustment(line))
    return BillComparison(
        changes=tuple(changes),
        unchanged=unchanged,
        previous_total_cents=sum(line.amount_cents for line in previous_lines),
        current_total_cents=sum(line.amount_cents for line in current_lines),
        has_previous=bool(previous_lines),
    )


def step_differences(
    previous: Sequence[Mapping[str, Any]] | None,
    current: Sequence[Mapping[str, Any]] | None,
    *,
    member_id: str | None,
) -> tuple[StepDifference, ...]:
    """Return the steps about ``member_id`` (or the whole policy) whose outputs differ between two traces."""
    before = _steps_by_key(previous or (), member_id)
    after = _steps_by_key(current or (), member_id)
    differences = []
    for key in _ordered_keys(after, before):
        old = before.get(key)
        new = after.get(key)
        old_outputs = dict(old.get("outputs", {})) if old else None
        new_outputs = dict(new.get("outputs", {})) if new else None
        if old_outputs == new_outputs and old is not None and new is not None:
            continue
        source = new or old or {}
        differences.append(
            StepDifference(
                step=key[0],
                member_id=key[1],
                previous=old_outputs,
                current=new_outputs,
                inputs=dict(source.get("inputs", {})),
            )
        )
    return tuple(differences)


def _line_change(before: BilledLine | None, now: BilledLine | None, traces: TraceLookup) -> LineChange:
    some = now or before
    assert some is not None
    if before is None:
        kind = ChangeKind.ADDED
    elif now is None:
        kind = ChangeKind.REMOVED
    else:
        kind = ChangeKind.CHANGED
    previous_trace = traces.get((before.policy_id, before.coverage_month)) if before else None
    current_trace = traces.get((now.policy_id, now.coverage_month)) if now else None
    return LineChange(
        kind=kind,
        member_name=some.member_name,
        line_kind=some.kind,
        previous=before,
        current=now,
        reasons=_reasons(kind, before, now),
        steps=step_differences(previous_trace, current_trace, member_id=some.member_id),
    )


def _adjustment(line: BilledLine) -> LineChange:
    month = line.coverage_month.strftime("%b %Y") if line.coverage_month else "an earlier month"
    direction = "credit" if line.amount_cents < 0 else "charge"
    reason = f"a {direction} correcting {month}, billed because coverage or rates changed after it was invoiced"
    steps = step_differences(None, line.trace, member_id=line.member_id) if line.trace else ()
    return LineChange(
        kind=ChangeKind.ADJUSTMENT,
        member_name=line.member_name,
        line_kind=line.kind,
        previous=None,
        current=line,
        reasons=(reason,),
        steps=steps,
    )


def _reasons(kind: ChangeKind, before: BilledLine | None, now: BilledLine | None) -> tuple[str, ...]:
    if kind is ChangeKind.ADDED and now is not None:
        return (f"{now.member_name} is billed for {_kind_words(now.kind)} this time but was not before",)
    if kind is ChangeKind.REMOVED and before is not None:
        return (f"{before.member_name} is no longer billed for {_kind_words(before.kind)}",)
    assert before is not None and now is not None
    reasons = []
    if not _same_coverage(before, now):
        reasons.append(
            f"days covered changed from {before.days_covered} of {before.days_in_month} "
            f"to {now.days_covered} of {now.days_in_month}"
        )
    if before.rated_age is not None and now.rated_age is not None and before.rated_age != now.rated_age:
        reasons.append(f"rated age changed from {before.rated_age} to {now.rated_age}")
    if not reasons:
        reasons.append("the monthly rate changed; the rating steps below show where")
    return tuple(reasons)


def _kind_words(kind: str) -> str:
    return {"premium": "premium", "aptc": "the advance premium tax credit", "fee": "a fee"}.get(kind, kind.replace("_", " "))


def _same_charge(a: BilledLine, b: BilledLine) -> bool:
    return a.amount_cents == b.amount_cents and _same_coverage(a, b)


def _same_coverage(a: BilledLine, b: BilledLine) -> bool:
    """Two full months are the same coverage however many days each has; partial months compare by days."""
    if a.full_month and b.full_month:
        return True
    return (a.days_covered, a.days_in_month) == (b.days_covered, b.days_in_month)


def _keyed(lines: Iterable[BilledLine]) -> dict[tuple[Any, ...], BilledLine]:
    """Key regular lines by policy, member, kind and the month's place within the invoice."""
    line_list = list(lines)
    months = sorted({line.coverage_month for line in line_list if line.coverage_month is not None})
    position = {month: index for index, month in enumerate(months)}
    keyed: dict[tuple[Any, ...], BilledLine] = {}
    for line in line_list:
        slot = position.get(line.coverage_month, -1) if line.coverage_month else -1
        key = (line.policy_id or 0, line.person_id or 0, line.kind, slot)
        if key in keyed:
            # Two regular lines for one member-month and kind only happen for fees; add them up.
            first = keyed[key]
            keyed[key] = replace(first, amount_cents=first.amount_cents + line.amount_cents)
        else:
            keyed[key] = line
    return keyed


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    policy_id, person_id, kind, slot = key
    return (slot, policy_id, person_id, kind)


def _steps_by_key(steps: Iterable[Mapping[str, Any]], member_id: str | None) -> dict[tuple[str, str | None], Mapping[str, Any]]:
    keyed = {}
    for step in steps:
        owner = step.get("member_id")
        if owner is None or owner == member_id:
            keyed[(str(step.get("step")), owner)] = step
    return keyed


def _ordered_keys(*maps: Mapping[tuple[str, str | None], Any]) -> list[tuple[str, str | None]]:
    ordered: list[tuple[str, str | None]] = []
    for mapping in maps:
        for key in mapping:
            if key not in ordered:
                ordered.append(key)
    return ordered
