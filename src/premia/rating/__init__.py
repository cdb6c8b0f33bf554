"""Premium rating: catalog model, the pure rating engine, proration, group composites.

Nothing in this package touches a database or reads the clock, so dates are passed in.
See README.md in this folder for the contract.
"""

from pathlib import Path

from premia.rating.age_curves import FEDERAL_DEFAULT_2018, AgeBand, AgeCurve
from premia.rating.catalog import Catalog, rate_from_catalog
from premia.rating.catalog_file import CatalogError, parse_catalog_file, parse_catalog_text
from premia.rating.contributions import (
    ContributionRule,
    CoverageTier,
    FixedPerTier,
    PercentOfEachMember,
    PercentOfEmployeeOnly,
)
from premia.rating.engine import rate_policy
from premia.rating.member_spec import parse_member_spec, parse_member_specs
from premia.rating.model import (
    AgeBasis,
    ChildCap,
    ExchangeStatus,
    FamilyTier,
    FamilyTierTable,
    Market,
    Member,
    MetalLevel,
    Plan,
    Product,
    ProrationMethod,
    RateRow,
    RatingArea,
    RatingMethod,
    Relationship,
    TobaccoRule,
)
from premia.rating.proration import EarnedAndCredit, earned_and_credit, prorate
from premia.rating.rates import RateLookup, RateTable
from premia.rating.report import format_rating_result
from premia.rating.result import MemberPremium, RatingResult
from premia.rating.rule_tables import RatingRules
from premia.rating.trace import TraceStep, TraceStepName

DEMO_CATALOG_PATH = Path(__file__).parent / "data" / "demo-catalog.yaml"

__all__ = [
    "DEMO_CATALOG_PATH",
    "FEDERAL_DEFAULT_2018",
    "AgeBand",
    "AgeBasis",
    "AgeCurve",
    "Catalog",
    "CatalogError",
    "ChildCap",
    "ContributionRule",
    "CoverageTier",
    "EarnedAndCredit",
    "ExchangeStatus",
    "FamilyTier",
    "FamilyTierTable",
    "FixedPerTier",
    "Market",
    "Member",
    "MemberPremium",
    "MetalLevel",
    "PercentOfEachMember",
    "PercentOfEmployeeOnly",
    "Plan",
    "Product",
    "ProrationMethod",
    "RateLookup",
    "RateRow",
    "RateTable",
    "RatingArea",
    "RatingMethod",
    "RatingResult",
    "RatingRules",
    "Relationship",
    "TobaccoRule",
    "TraceStep",
    "TraceStepName",
    "earned_and_credit",
    "format_rating_result",
    "parse_catalog_file",
    "parse_catalog_text",
    "parse_member_spec",
    "parse_member_specs",
    "prorate",
    "rate_from_catalog",
    "rate_policy",
]
