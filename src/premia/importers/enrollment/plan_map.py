"""The carrier's map from the plan details of an 834 coverage line to a catalog plan.

Exchange files name the plan in REF*CE (the HIOS plan id with its CSR variant), which is
looked up in the catalog directly. Employer and other files name only the insurance line
(HD03), a free-text plan description (HD04) and a group or policy number, so the carrier
keeps a plan map per trading partner, for example::

    plans:
      - plan_id: 12345VA0050001
        sender: EMPLOYERCO        # ISA06, optional
        group_number: GRP002      # REF*1L or REF*38, optional
        insurance_line: HLT       # HD03, optional
        plan_description: GOLD    # HD04, optional

The entry whose criteria all match and that names the most criteria wins; among equally
specific entries the first in the file wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml

from premia.kernel.errors import ValidationError

ENTRY_FIELDS = ("plan_id", "sender", "group_number", "insurance_line", "plan_description")


class PlanKey(NamedTuple):
    """The plan details one 834 coverage line sends."""

    insurance_line: str
    plan_description: str = ""
    group_numbers: tuple[str, ...] = ()
    sender_id: str = ""


@dataclass(frozen=True)
class PlanMapEntry:
    plan_id: str
    sender: str | None = None
    group_number: str | None = None
    insurance_line: str | None = None
    plan_description: str | None = None

    @property
    def specificity(self) -> int:
        criteria = (self.sender, self.group_number, self.insurance_line, self.plan_description)
        return sum(criterion is not None for criterion in criteria)

    def matches(self, key: PlanKey) -> bool:
        return (
            (self.sender is None or self.sender == key.sender_id)
            and (self.group_number is None or self.group_number in key.group_numbers)
            and (self.insurance_line is None or self.insurance_line == key.insurance_line)
            and (self.plan_description is None or self.plan_description == key.plan_description)
        )


@dataclass(frozen=True)
class PlanMap:
    entries: tuple[PlanMapEntry, ...] = ()

    def plan_for(self, key: PlanKey) -> PlanMapEntry | None:
        """Return the most specific entry matching ``key``, or None."""
        best: PlanMapEntry | None = None
        for entry in self.entries:
            if entry.matches(key) and (best is None or entry.specificity > best.specificity):
                best = entry
        return best


def load_plan_map(path: Path) -> PlanMap:
    """Read a plan map YAML file, rejecting unknown keys and entries without a plan id."""
    record = f"plan map {path.name}"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ValidationError(
            code="plan_map.unreadable",
            message=f"The plan map {path} cannot be read: {error}.",
            record=record,
            field="path",
            value=str(path),
            hint="Give the path of a YAML file with a `plans:` list.",
        ) from error
    items = document.get("plans") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise ValidationError(
            code="plan_map.no_plans",
            message=f"The plan map {path} has no `plans:` list.",
            record=record,
            field="plans",
            hint="Write a `plans:` list whose entries name plan_id and the 834 values it matches.",
        )
    return PlanMap(tuple(_entry(item, number, record) for number, item in enumerate(items, start=1)))


def _entry(item: object, number: int, record: str) -> PlanMapEntry:
    if not isinstance(item, dict) or not str(item.get("plan_id") or "").strip():
        raise ValidationError(
            code="plan_map.entry_without_plan",
            message=f"Entry {number} of the {record} has no plan_id.",
            record=record,
            field=f"plans[{number}].plan_id",
            hint="Give every entry the catalog plan id it maps to.",
        )
    unknown = sorted(set(item) - set(ENTRY_FIELDS))
    if unknown:
        raise ValidationError(
            code="plan_map.unknown_key",
            message=f"Entry {number} of the {record} has the unknown key {unknown[0]!r}.",
            record=record,
            field=f"plans[{number}].{unknown[0]}",
            hint="Allowed keys: " + ", ".join(ENTRY_FIELDS) + ".",
        )
    values = {key: str(item[key]).strip() if item.get(key) is not None else None for key in ENTRY_FIELDS}
    return PlanMapEntry(
        plan_id=values["plan_id"] or "",
        sender=values["sender"],
        group_number=values["group_number"],
        insurance_line=values["insurance_line"],
        plan_description=values["plan_description"],
    )
