"""Age curves: the factor that scales a plan's age-21 base rate to a member's age.

A curve is a list of bands that together cover every age from 0 upward, ending with an
open band such as ``64+``. Building a curve with a gap or an overlap raises an error that
names the ages at fault, so a curve that loads is always complete.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from premia.kernel.errors import ValidationError
from premia.kernel.money import to_decimal
from premia.rating.model import FEDERAL_DEFAULT_CURVE

BAND_LABEL = re.compile(r"^\s*(\d{1,3})\s*(?:(-)\s*(\d{1,3})|(\+))?\s*$")


@dataclass(frozen=True)
class AgeBand:
    """Ages ``low`` to ``high`` inclusive; ``high`` None means ``low`` and older."""

    low: int
    high: int | None
    factor: Decimal

    @property
    def label(self) -> str:
        if self.high is None:
            return f"{self.low}+"
        if self.high == self.low:
            return str(self.low)
        return f"{self.low}-{self.high}"

    def contains(self, age: int) -> bool:
        return self.low <= age and (self.high is None or age <= self.high)


def parse_band_label(label: str, factor: Decimal) -> AgeBand:
    """Parse ``"0-14"``, ``"15"`` or ``"64+"`` into a band with ``factor``."""
    match = BAND_LABEL.match(label)
    if match is None:
        raise ValidationError(
            code="rating.invalid_age_band",
            message=f"age band {label!r} is not a band label.",
            field="bands",
            value=label,
            hint="Write a single age (30), a range (0-14) or an open band (64+).",
        )
    low = int(match.group(1))
    if match.group(4):
        return AgeBand(low, None, factor)
    high = int(match.group(3)) if match.group(2) else low
    if high < low:
        raise ValidationError(
            code="rating.invalid_age_band",
            message=f"age band {label!r} ends before it starts.",
            field="bands",
            value=label,
            hint="Write the lower age first, for example 0-14.",
        )
    return AgeBand(low, high, factor)


@dataclass(frozen=True)
class AgeCurve:
    """A named age curve; bands are kept sorted by their first age."""

    name: str
    bands: tuple[AgeBand, ...]

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.bands, key=lambda band: band.low))
        object.__setattr__(self, "bands", ordered)
        for band in ordered:
            if band.factor <= 0:
                raise self._error(f"band {band.label} has factor {band.factor}, which is not above zero.")
        self._check_coverage(ordered)

    def factor_for(self, age: int) -> Decimal:
        return self.band_for(age).factor

    def band_for(self, age: int) -> AgeBand:
        if age < 0:
            raise ValidationError(
                code="rating.negative_age",
                message=f"age curve {self.name}: age {age} is negative.",
                field="birth_date",
                value=age,
                hint="The birth date is after the rating date; check the member's date of birth.",
            )
        for band in self.bands:
            if band.contains(age):
                return band
        raise AssertionError(f"age curve {self.name} was checked complete but has no band for {age}")

    def _check_coverage(self, bands: tuple[AgeBand, ...]) -> None:
        if not bands:
            raise self._error("the curve has no bands.")

        next_age = 0
        for band in bands:
            if band.low > next_age:
                raise self._error(f"no factor for ages {_range_label(next_age, band.low - 1)}.")
            if band.low < next_age:
                raise self._error(f"band {band.label} overlaps ages already covered below {next_age}.")
            if band.high is None:
                if band is not bands[-1]:
                    raise self._error(f"open band {band.label} must be the last band.")
                return
            next_age = band.high + 1

        raise self._error(f"no factor for ages {next_age} and older; end the curve with an open band.")

    def _error(self, detail: str) -> ValidationError:
        return ValidationError(
            code="rating.incomplete_age_curve",
            message=f"age curve {self.name}: {detail}",
            record=f"age curve {self.name}",
            field="bands",
            hint="Give one factor for every age from 0 upward, ending with an open band such as 64+.",
        )


def _range_label(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}-{high}"


def curve_from_labels(name: str, factors: dict[str, str | Decimal]) -> AgeCurve:
    """Build a curve from band labels and factors, for example ``{"0-14": "0.765", "64+": "3.000"}``."""
    bands = tuple(parse_band_label(label, to_decimal(factor)) for label, factor in factors.items())
    return AgeCurve(name, bands)


# The federal default standard age curve, used from plan year 2018 where a state sets no
# curve of its own. Factors are relative to age 21.
FEDERAL_DEFAULT_2018 = curve_from_labels(
    FEDERAL_DEFAULT_CURVE,
    {
        "0-14": "0.765", "15": "0.833", "16": "0.859", "17": "0.885", "18": "0.913", "19": "0.941",
        "20": "0.970", "21-24": "1.000", "25": "1.004", "26": "1.024", "27": "1.048", "28": "1.087",
        "29": "1.119", "30": "1.135", "31": "1.159", "32": "1.183", "33": "1.198", "34": "1.214",
        "35": "1.222", "36": "1.230", "37": "1.238", "38": "1.246", "39": "1.262", "40": "1.278",
        "41": "1.302", "42": "1.325", "43": "1.357", "44": "1.397", "45": "1.444", "46": "1.500",
        "47": "1.563", "48": "1.635", "49": "1.706", "50": "1.786", "51": "1.865", "52": "1.952",
        "53": "2.040", "54": "2.135", "55": "2.230", "56": "2.333", "57": "2.437", "58": "2.548",
        "59": "2.603", "60": "2.714", "61": "2.810", "62": "2.873", "63": "2.952", "64+": "3.000",
    },
)  # fmt: skip

# Community rating (NY, VT): every age has factor 1, and family tiers do the work.
COMMUNITY_RATED = curve_from_labels("community-rated", {"0+": "1"})

BUILT_IN_CURVES = {curve.name: curve for curve in (FEDERAL_DEFAULT_2018, COMMUNITY_RATED)}
