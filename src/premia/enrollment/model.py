"""Enumerations and read models for policies and coverage (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class PolicyStatus(StrEnum):
    """A policy's standing. ``cancelled`` means void from the effective date: no premium is owed."""

    PENDING = "pending"
    ACTIVE = "active"
    GRACE = "grace"
    TERMINATED = "terminated"
    CANCELLED = "cancelled"


class Market(StrEnum):
    INDIVIDUAL = "individual"
    SMALL_GROUP = "small_group"
    LARGE_GROUP = "large_group"


class Relationship(StrEnum):
    SUBSCRIBER = "subscriber"
    SPOUSE = "spouse"
    CHILD = "child"
    DOMESTIC_PARTNER = "domestic_partner"
    OTHER = "other"


class ExchangeAmountKind(StrEnum):
    """Amounts an exchange sends on the 834 (2750 loops) for a policy or one member."""

    PREMIUM = "premium"
    APTC = "aptc"
    RESPONSIBILITY = "responsibility"


@dataclass(frozen=True)
class CoverageMember:
    """One member covered on a given day, as the rating engine needs them."""

    person_id: int
    member_id: str
    relationship: Relationship
    birth_date: date
    tobacco: bool
    start_date: date
    end_date: date | None
    aptc_eligible: bool
