"""The part of the book a KPI is computed over, and the period it covers (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from premia.enrollment.model import Market
from premia.kernel.errors import ValidationError


class Business(StrEnum):
    """Individual business bills members; group business bills employers on a list bill."""

    INDIVIDUAL = "individual"
    GROUP = "group"


class AptcStatus(StrEnum):
    """Whether the exchange pays advance premium tax credit on the policy."""

    WITH_APTC = "with_aptc"
    WITHOUT_APTC = "without_aptc"


@dataclass(frozen=True)
class Segment:
    """A filter on policies; None in a field means every value. The default is the whole book."""

    market: Market | None = None
    business: Business | None = None
    aptc: AptcStatus | None = None

    @classmethod
    def parse(cls, *, market: str | None = None, business: str | None = None, aptc: str | None = None) -> Segment:
        """Read a segment from text values, as a form or the command line sends them; blanks mean all."""
        return cls(
            market=_member(Market, market, "market"),
            business=_member(Business, business, "business"),
            aptc=_member(AptcStatus, aptc, "aptc"),
        )

    @property
    def is_whole_book(self) -> bool:
        return self.market is None and self.business is None and self.aptc is None

    @property
    def label(self) -> str:
        parts = [value.value.replace("_", " ") for value in (self.market, self.business, self.aptc) if value is not None]
        return ", ".join(parts) or "whole book"

    def to_dict(self) -> dict[str, Any]:
        return {
            "market": self.market.value if self.market else None,
            "business": self.business.value if self.business else None,
            "aptc": self.aptc.value if self.aptc else None,
        }


@dataclass(frozen=True)
class Period:
    """Carrier dates ``first_day`` to ``last_day``, both included, read on ``as_of``.

    Records dated after ``as_of`` are left out, so a report for a past day shows what was
    known then.
    """

    first_day: date
    last_day: date
    as_of: date

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValidationError(
                code="kpi.period_reversed",
                message=f"The period ends ({self.last_day}) before it starts ({self.first_day}).",
                field="last_day",
                value=self.last_day.isoformat(),
                hint="Give a last day on or after the first day.",
            )

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def end_exclusive(self) -> date:
        return self.last_day + timedelta(days=1)

    @property
    def read_through(self) -> date:
        """The last day whose records count: the period's end, or ``as_of`` if that is earlier."""
        return min(self.last_day, self.as_of)


def _member(enum: type[Any], text: str | None, field: str) -> Any:
    value = (text or "").strip().lower()
    if not value:
        return None
    try:
        return enum(value)
    except ValueError as exc:
        choices = ", ".join(member.value for member in enum)
        raise ValidationError(
            code="kpi.segment_invalid",
            message=f"Unknown {field} {text!r}.",
            field=field,
            value=text,
            hint=f"Use one of: {choices}.",
        ) from exc
