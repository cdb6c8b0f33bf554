"""The rating trace: named steps with their inputs and outputs, so every cent can be explained.

Values in a trace are strings as a person would read them: dollars with two places
(``"693.12"``), factors as filed (``"1.444"``), dates in ISO form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from premia.kernel.money import cents_to_decimal


class TraceStepName(StrEnum):
    BASE_RATE = "base_rate"
    AGE_FACTOR = "age_factor"
    TOBACCO_FACTOR = "tobacco_factor"
    ROUNDING = "rounding"
    CHILD_CAP = "child_cap"
    FAMILY_TIER = "family_tier"
    SUBSIDY_CAP = "subsidy_cap"
    APTC_SPLIT = "aptc_split"
    CONTRIBUTION = "contribution"
    COMPOSITE = "composite"
    TOTAL = "total"


@dataclass(frozen=True)
class TraceStep:
    """One rating step; ``member_id`` is None for steps about the whole policy."""

    name: TraceStepName
    member_id: str | None
    inputs: tuple[tuple[str, str], ...]
    outputs: tuple[tuple[str, str], ...]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "step": self.name.value,
            "member_id": self.member_id,
            "inputs": dict(self.inputs),
            "outputs": dict(self.outputs),
        }
        if self.note:
            data["note"] = self.note
        return data

    def describe(self) -> str:
        """Return the step on one line.

        For example ``tobacco_factor M1: tobacco_user=yes, plan_factor=1.20 -> tobacco_factor=1.20``.
        """
        subject = f"{self.name.value} {self.member_id}" if self.member_id else self.name.value
        inputs = ", ".join(f"{key}={value}" for key, value in self.inputs)
        outputs = ", ".join(f"{key}={value}" for key, value in self.outputs)
        line = f"{subject}: {inputs} -> {outputs}"
        return f"{line} ({self.note})" if self.note else line


def trace_step(
    name: TraceStepName,
    *,
    inputs: Mapping[str, str],
    outputs: Mapping[str, str],
    member_id: str | None = None,
    note: str = "",
) -> TraceStep:
    return TraceStep(name, member_id, tuple(inputs.items()), tuple(outputs.items()), note)


def dollars(cents: int) -> str:
    """Return cents as a dollar string with two places and no thousands separator."""
    return str(cents_to_decimal(cents))
