"""Catalog and rating records: products, plans, rating areas, rate rows, members and rating rules.

Every record is a frozen dataclass that checks its own invariants when built, so a plan with
an EHB share above 1 or a tobacco factor above the state cap cannot exist. Factors and base
rates are ``Decimal``; amounts that leave rating are integer cents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from premia.kernel.errors import ValidationError
from premia.kernel.money import CENT

FEDERAL_DEFAULT_CURVE = "federal-default-2018"
FEDERAL_TOBACCO_CAP = Decimal("1.5")

HIOS_PLAN_ID = re.compile(r"^\d{5}[A-Z]{2}\d{7}$")
HIOS_PRODUCT_ID = re.compile(r"^\d{5}[A-Z]{2}\d{3}$")
CARRIER_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$")
STATE_CODE = re.compile(r"^[A-Z]{2}$")
ZIP3 = re.compile(r"^\d{3}$")
ZIP5 = re.compile(r"^\d{5}$")

FIRST_PLAN_YEAR = 2014
LAST_PLAN_YEAR = 2100


class Market(StrEnum):
    INDIVIDUAL = "individual"
    SMALL_GROUP = "small_group"
    LARGE_GROUP = "large_group"


class ExchangeStatus(StrEnum):
    ON = "on"
    OFF = "off"


class MetalLevel(StrEnum):
    CATASTROPHIC = "catastrophic"
    EXPANDED_BRONZE = "expanded_bronze"
    BRONZE = "bronze"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"


class ProrationMethod(StrEnum):
    """Proration method for a partial coverage month; see :mod:`premia.rating.proration`."""

    ACTUAL_DAYS = "actual_days"
    THIRTY_DAY = "thirty_day"
    FIFTEENTH_RULE_ADD = "fifteenth_rule_add"
    SIXTEENTH_RULE_TERM = "sixteenth_rule_term"
    FULL_MONTH = "full_month"
    HALF_MONTH = "half_month"


class RatingMethod(StrEnum):
    """Method that builds a policy premium.

    ``composite`` plans are rated per member first; :mod:`premia.rating.group` turns the
    group's per-member total into composite rates.
    """

    PER_MEMBER = "per_member"
    FAMILY_TIER = "family_tier"
    COMPOSITE = "composite"


class AgeBasis(StrEnum):
    """The date on which a member's age is taken for rating.

    ``effective_date`` is the policy effective or renewal date (individual market),
    ``plan_year_start`` the group's plan-year start (small group), and
    ``member_effective_date`` each member's own coverage start, so that a member added
    mid-year is rated at the age on the day they joined.
    """

    EFFECTIVE_DATE = "effective_date"
    PLAN_YEAR_START = "plan_year_start"
    MEMBER_EFFECTIVE_DATE = "member_effective_date"


class Relationship(StrEnum):
    SUBSCRIBER = "subscriber"
    SPOUSE = "spouse"
    CHILD = "child"
    DOMESTIC_PARTNER = "domestic_partner"
    OTHER = "other"


PARTNER_RELATIONSHIPS = frozenset({Relationship.SPOUSE, Relationship.DOMESTIC_PARTNER})
CHILD_RELATIONSHIPS = frozenset({Relationship.CHILD, Relationship.OTHER})


class FamilyTier(StrEnum):
    SINGLE_ADULT = "single_adult"
    TWO_ADULTS = "two_adults"
    ADULT_WITH_CHILDREN = "adult_with_children"
    TWO_ADULTS_WITH_CHILDREN = "two_adults_with_children"
    CHILD_ONLY = "child_only"


def _reject(
    record: str, field_name: str, value: object, message: str, hint: str, code: str
) -> ValidationError:
    return ValidationError(
        code=code, message=f"{record}: {message}", record=record, field=field_name, value=value, hint=hint
    )


def check_state(record: str, state: str) -> None:
    if not STATE_CODE.match(state):
        raise _reject(
            record,
            "state",
            state,
            f"state {state!r} is not a two-letter code.",
            "Use the USPS code in capitals, for example VA.",
            "rating.invalid_state",
        )


def check_whole_cents(record: str, field_name: str, amount: Decimal) -> None:
    if amount != amount.quantize(CENT):
        raise _reject(
            record,
            field_name,
            amount,
            f"{field_name} {amount} has more than two decimal places.",
            "Write dollar amounts with at most two decimal places.",
            "rating.sub_cent_rate",
        )


@dataclass(frozen=True)
class Product:
    """A filed product, such as a Silver HMO; each plan year of it is a :class:`Plan`."""

    product_id: str
    name: str
    state: str

    def __post_init__(self) -> None:
        record = f"product {self.product_id}"
        check_state(record, self.state)
        if not (HIOS_PRODUCT_ID.match(self.product_id) or CARRIER_CODE.match(self.product_id)):
            raise _reject(
                record,
                "id",
                self.product_id,
                f"product id {self.product_id!r} is not a HIOS product id or a carrier code.",
                "Use the 10-character HIOS product id (for example 12345VA001), or capitals, digits "
                "and hyphens for products never sold on an exchange.",
                "rating.invalid_product_id",
            )


@dataclass(frozen=True)
class Plan:
    """One product for one plan year, market and exchange status, with its rating settings.

    A plan is identified by ``plan_id`` and ``plan_year`` together, because a HIOS plan id
    stays the same from year to year while the plan continues. ``crosswalk_plan_id`` names the
    plan (in ``plan_year + 1``) that members renew into when it differs from ``plan_id``.
    """

    plan_id: str
    plan_year: int
    product_id: str
    name: str
    state: str
    market: Market
    exchange: ExchangeStatus
    metal_level: MetalLevel
    ehb_share: Decimal
    proration_method: ProrationMethod = ProrationMethod.ACTUAL_DAYS
    grace_rule_set: str = "default"
    rating_method: RatingMethod = RatingMethod.PER_MEMBER
    age_basis: AgeBasis = AgeBasis.EFFECTIVE_DATE
    age_curve: str = FEDERAL_DEFAULT_CURVE
    tobacco_factor: Decimal = Decimal(1)
    family_tier_table: str | None = None
    crosswalk_plan_id: str | None = None

    def __post_init__(self) -> None:
        self._check_ids()
        self._check_year_and_market()
        self._check_factors()
        self._check_rating_method()

    @property
    def record(self) -> str:
        return f"plan {self.plan_id} ({self.plan_year})"

    @property
    def key(self) -> tuple[str, int]:
        return (self.plan_id, self.plan_year)

    @property
    def is_on_exchange(self) -> bool:
        return self.exchange is ExchangeStatus.ON

    def _check_ids(self) -> None:
        check_state(self.record, self.state)
        is_hios = bool(HIOS_PLAN_ID.match(self.plan_id))
        if self.is_on_exchange and not is_hios:
            raise _reject(
                self.record,
                "id",
                self.plan_id,
                f"on-exchange plan id {self.plan_id!r} is not a 14-character HIOS plan id.",
                "Use the standard component id, for example 12345VA0010001, without a CSR variant suffix.",
                "rating.invalid_plan_id",
            )
        if not is_hios and not CARRIER_CODE.match(self.plan_id):
            raise _reject(
                self.record,
                "id",
                self.plan_id,
                f"plan id {self.plan_id!r} is neither a HIOS plan id nor a carrier code.",
                "Use a HIOS plan id, or capitals, digits and hyphens (2 to 40 characters).",
                "rating.invalid_plan_id",
            )
        if is_hios and self.plan_id[5:7] != self.state:
            raise _reject(
                self.record,
                "state",
                self.state,
                f"state {self.state} does not match the state {self.plan_id[5:7]} inside the plan id.",
                "Correct the plan's state or its id.",
                "rating.plan_state_mismatch",
            )
        if (
            is_hios
            and HIOS_PRODUCT_ID.match(self.product_id)
            and not self.plan_id.startswith(self.product_id)
        ):
            raise _reject(
                self.record,
                "product",
                self.product_id,
                f"plan id {self.plan_id} does not start with its product id {self.product_id}.",
                "A HIOS plan id is its product id followed by four digits; correct one of them.",
                "rating.plan_product_mismatch",
            )

    def _check_year_and_market(self) -> None:
        if not FIRST_PLAN_YEAR <= self.plan_year <= LAST_PLAN_YEAR:
            raise _reject(
                self.record,
                "plan_year",
                self.plan_year,
                f"plan year {self.plan_year} is outside {FIRST_PLAN_YEAR}-{LAST_PLAN_YEAR}.",
                "Give the four-digit plan year, for example 2026.",
                "rating.invalid_plan_year",
            )
        if self.market is Market.LARGE_GROUP and self.is_on_exchange:
            raise _reject(
                self.record,
                "exchange",
                self.exchange,
                "large-group plans are not sold on an exchange.",
                "Set exchange to off, or change the market.",
                "rating.large_group_on_exchange",
            )

    def _check_factors(self) -> None:
        if not Decimal(0) < self.ehb_share <= Decimal(1):
            raise _reject(
                self.record,
                "ehb_share",
                self.ehb_share,
                f"EHB share {self.ehb_share} is not above 0 and at most 1.",
                "Give the share of the premium that pays for essential health benefits, for example 0.995.",
                "rating.invalid_ehb_share",
            )
        if self.tobacco_factor < 1:
            raise _reject(
                self.record,
                "tobacco_factor",
                self.tobacco_factor,
                f"tobacco factor {self.tobacco_factor} is below 1.",
                "A tobacco factor is a surcharge: use 1 for none, or the filed factor such as 1.20.",
                "rating.invalid_tobacco_factor",
            )

    def _check_rating_method(self) -> None:
        if self.rating_method is RatingMethod.FAMILY_TIER:
            if not self.family_tier_table:
                raise _reject(
                    self.record,
                    "family_tier_table",
                    None,
                    "a family-tier plan needs a family tier table.",
                    "Name the table, for example ny-2018 or vt-2018.",
                    "rating.missing_family_tier_table",
                )
            if self.tobacco_factor != 1:
                raise _reject(
                    self.record,
                    "tobacco_factor",
                    self.tobacco_factor,
                    "family-tier rating charges one premium per policy, "
                    "so it cannot carry a tobacco surcharge.",
                    "Set tobacco_factor to 1 for family-tier plans.",
                    "rating.tobacco_with_family_tiers",
                )
        if self.rating_method is RatingMethod.COMPOSITE and self.market is Market.INDIVIDUAL:
            raise _reject(
                self.record,
                "rating_method",
                self.rating_method,
                "composite rating applies only to group plans.",
                "Use per_member or family_tier for individual plans.",
                "rating.composite_individual",
            )


@dataclass(frozen=True)
class RatingArea:
    """A state's rating area, defined by counties, 3-digit ZIP prefixes or 5-digit ZIP codes.

    Counties are matched without regard to case, so "Fairfax County" and "FAIRFAX COUNTY" match.
    """

    area_id: str
    state: str
    name: str = ""
    counties: frozenset[str] = field(default_factory=frozenset)
    zip3: frozenset[str] = field(default_factory=frozenset)
    zip5: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        record = f"rating area {self.area_id}"
        check_state(record, self.state)
        if not (self.counties or self.zip3 or self.zip5):
            raise _reject(
                record,
                "counties",
                None,
                "a rating area needs at least one county, 3-digit ZIP or 5-digit ZIP.",
                "List the counties or ZIP codes the area covers.",
                "rating.empty_rating_area",
            )
        for field_name, codes, pattern in (("zip3", self.zip3, ZIP3), ("zip5", self.zip5, ZIP5)):
            for code in sorted(codes):
                if not pattern.match(code):
                    raise _reject(
                        record,
                        field_name,
                        code,
                        f"{field_name} {code!r} is not a {field_name[-1]}-digit ZIP code.",
                        "Write ZIP codes as quoted digit strings so leading zeros are kept.",
                        "rating.invalid_zip",
                    )
        object.__setattr__(self, "counties", frozenset(county.strip().casefold() for county in self.counties))

    def covers(self, *, zip_code: str | None = None, county: str | None = None) -> bool:
        if zip_code is not None and (zip_code in self.zip5 or zip_code[:3] in self.zip3):
            return True
        return county is not None and county.strip().casefold() in self.counties


@dataclass(frozen=True)
class RateRow:
    """The filed monthly base rate of one plan in one rating area over an inclusive date span.

    ``base_rate`` is in dollars, for a 21-year-old non-tobacco user; ``effective_end`` None
    means open-ended.
    """

    plan_id: str
    area_id: str
    effective_start: date
    effective_end: date | None
    base_rate: Decimal

    def __post_init__(self) -> None:
        record = f"rate for plan {self.plan_id} in area {self.area_id} from {self.effective_start}"
        if self.base_rate < 0:
            raise _reject(
                record,
                "base_rate",
                self.base_rate,
                f"base rate {self.base_rate} is negative.",
                "Base rates are the filed monthly premium in dollars and must be zero or more.",
                "rating.negative_rate",
            )
        check_whole_cents(record, "base_rate", self.base_rate)
        if self.effective_end is not None and self.effective_end < self.effective_start:
            raise _reject(
                record,
                "effective_end",
                self.effective_end,
                f"effective end {self.effective_end} is before the start {self.effective_start}.",
                "Swap or correct the dates; both ends are inclusive.",
                "rating.rate_dates_reversed",
            )

    def covers(self, day: date) -> bool:
        return self.effective_start <= day and (self.effective_end is None or day <= self.effective_end)

    def describe_span(self) -> str:
        end = self.effective_end.isoformat() if self.effective_end else "open"
        return f"{self.effective_start.isoformat()}..{end}"


@dataclass(frozen=True)
class TobaccoRule:
    """A plan's tobacco factor with the state's maximum (1.5 federally, lower in some states)."""

    factor: Decimal = Decimal(1)
    state_cap: Decimal = FEDERAL_TOBACCO_CAP
    state: str = ""

    def __post_init__(self) -> None:
        record = f"tobacco rule {self.state}".rstrip()
        if self.factor < 1:
            raise _reject(
                record,
                "tobacco_factor",
                self.factor,
                f"tobacco factor {self.factor} is below 1.",
                "Use 1 for no surcharge.",
                "rating.invalid_tobacco_factor",
            )
        if self.factor > self.state_cap:
            raise _reject(
                record,
                "tobacco_factor",
                self.factor,
                f"tobacco factor {self.factor} is above the state cap of {self.state_cap}.",
                f"Lower the plan's tobacco factor to {self.state_cap} or less.",
                "rating.tobacco_factor_above_cap",
            )

    def factor_for(self, tobacco_user: bool) -> Decimal:
        return self.factor if tobacco_user else Decimal(1)


@dataclass(frozen=True)
class FamilyTierTable:
    """Policy multipliers for states that rate by family composition instead of age (NY, VT).

    A policy premium is the base rate times the multiplier of its tier. ``child_only`` is None
    where the state publishes no child-only multiplier.
    """

    name: str
    single_adult: Decimal
    two_adults: Decimal
    adult_with_children: Decimal
    two_adults_with_children: Decimal
    child_only: Decimal | None = None

    def __post_init__(self) -> None:
        for tier in FamilyTier:
            value = self.multipliers().get(tier)
            if value is not None and value <= 0:
                raise _reject(
                    f"family tier table {self.name}",
                    tier.value,
                    value,
                    f"multiplier {value} for {tier.value} is not above zero.",
                    "Give each tier's filed multiplier, for example 1.70.",
                    "rating.invalid_tier_multiplier",
                )

    def multipliers(self) -> dict[FamilyTier, Decimal | None]:
        return {
            FamilyTier.SINGLE_ADULT: self.single_adult,
            FamilyTier.TWO_ADULTS: self.two_adults,
            FamilyTier.ADULT_WITH_CHILDREN: self.adult_with_children,
            FamilyTier.TWO_ADULTS_WITH_CHILDREN: self.two_adults_with_children,
            FamilyTier.CHILD_ONLY: self.child_only,
        }

    def multiplier(self, tier: FamilyTier) -> Decimal:
        value = self.multipliers()[tier]
        if value is None:
            raise _reject(
                f"family tier table {self.name}",
                tier.value,
                None,
                f"the table has no multiplier for {tier.value} policies.",
                "Add the state's multiplier for this tier to the table.",
                "rating.missing_tier_multiplier",
            )
        return value


# Multipliers in force from plan year 2018. States can change them, so check them each plan year.
NEW_YORK_FAMILY_TIERS = FamilyTierTable(
    name="ny-2018",
    single_adult=Decimal("1.00"),
    two_adults=Decimal("2.00"),
    adult_with_children=Decimal("1.70"),
    two_adults_with_children=Decimal("2.85"),
    child_only=Decimal("0.412"),
)
VERMONT_FAMILY_TIERS = FamilyTierTable(
    name="vt-2018",
    single_adult=Decimal("1.00"),
    two_adults=Decimal("2.00"),
    adult_with_children=Decimal("1.93"),
    two_adults_with_children=Decimal("2.81"),
)
BUILT_IN_FAMILY_TIERS = {table.name: table for table in (NEW_YORK_FAMILY_TIERS, VERMONT_FAMILY_TIERS)}


@dataclass(frozen=True)
class ChildCap:
    """At most ``max_charged`` children under ``age_limit`` are charged per policy, oldest first."""

    max_charged: int = 3
    age_limit: int = 21

    def __post_init__(self) -> None:
        if self.max_charged < 0 or self.age_limit < 1:
            raise _reject(
                "child cap",
                "max_charged",
                self.max_charged,
                "the child cap needs a non-negative count and a positive age limit.",
                "Use the federal values: 3 children under 21.",
                "rating.invalid_child_cap",
            )


@dataclass(frozen=True)
class Member:
    """A person to rate on a policy.

    ``coverage_start`` is the member's own coverage effective date; it matters only under
    the ``member_effective_date`` age basis and defaults to the policy's rating date.
    """

    member_id: str
    birth_date: date
    relationship: Relationship
    tobacco: bool = False
    aptc_eligible: bool = True
    coverage_start: date | None = None

    @property
    def is_subscriber(self) -> bool:
        return self.relationship is Relationship.SUBSCRIBER
