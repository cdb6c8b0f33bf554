"""The KPI definitions, each with a version, so a stored or charted figure names how it was computed (pure).

A definition changes only by adding a new version: a chart that mixes two versions of a
measure would compare numbers that mean different things.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class KpiName(StrEnum):
    FIRST_CONTACT_RESOLUTION = "first_contact_resolution"
    CSAT = "csat"
    CSAT_TOP_BOX = "csat_top_box"
    PREMIUM_COLLECTION_RATE = "premium_collection_rate"
    DSO = "days_sales_outstanding"
    AR_OVER_90_DAYS = "ar_over_90_days"
    SLA_ATTAINMENT = "sla_attainment"
    AUTODRAFT_RETURN_RATE = "autodraft_return_rate"


class Unit(StrEnum):
    PERCENT = "percent"
    DAYS = "days"


@dataclass(frozen=True)
class KpiDefinition:
    """A KPI's meaning, in words a supervisor can check against the raw counts."""

    name: KpiName
    version: int
    title: str
    formula: str
    numerator: str
    denominator: str
    unit: Unit
    benchmark: str

    @property
    def id(self) -> str:
        return f"{self.name.value}/v{self.version}"


# Days after the due date by which cash counts towards the premium collection rate.
COLLECTION_CUTOFF_DAYS = 30
# Receivables more than this many days past due are non-admitted assets (SSAP No. 6).
OVER_90_DAYS = 90

DEFINITIONS: dict[KpiName, KpiDefinition] = {
    KpiName.FIRST_CONTACT_RESOLUTION: KpiDefinition(
        name=KpiName.FIRST_CONTACT_RESOLUTION,
        version=1,
        title="First contact resolution",
        formula="resolved at first contact ÷ contacts measured × 100 (repeat-contact basis)",
        numerator="inbound contacts with no other inbound contact on the same subject and account within the window",
        denominator="inbound contacts whose window has ended, resolved or repeated",
        unit=Unit.PERCENT,
        benchmark="health insurance average 72%; 70–79% good; 80% or more world-class (SQM)",
    ),
    KpiName.CSAT: KpiDefinition(
        name=KpiName.CSAT,
        version=1,
        title="Customer satisfaction (top-2-box)",
        formula="answers of 4 or 5 ÷ all answers × 100, on a 1 to 5 scale",
        numerator="survey answers of 4 or 5 received in the period",
        denominator="survey answers received in the period",
        unit=Unit.PERCENT,
        benchmark="85% or more is world-class",
    ),
    KpiName.CSAT_TOP_BOX: KpiDefinition(
        name=KpiName.CSAT_TOP_BOX,
        version=1,
        title="Customer satisfaction (top box)",
        formula="answers of 5 ÷ all answers × 100",
        numerator="survey answers of 5 received in the period",
        denominator="survey answers received in the period",
        unit=Unit.PERCENT,
        benchmark="health insurance 80% top box (SQM)",
    ),
    KpiName.PREMIUM_COLLECTION_RATE: KpiDefinition(
        name=KpiName.PREMIUM_COLLECTION_RATE,
        version=1,
        title="Premium collection rate",
        formula=(
            f"cash applied to the period's invoices by {COLLECTION_CUTOFF_DAYS} days after their due date "
            "÷ net premium billed on them × 100"
        ),
        numerator=(
            "payments and applied credit on the premium of invoices due in the period, less returns and "
            "reversals, dated by the cut-off"
        ),
        denominator="premium less APTC billed on invoices due in the period, adjustments included, fees left out",
        unit=Unit.PERCENT,
        benchmark="no authoritative public benchmark",
    ),
    KpiName.DSO: KpiDefinition(
        name=KpiName.DSO,
        version=1,
        title="Days sales outstanding",
        formula="premium receivable at period end ÷ net premium billed in the period × days in the period",
        numerator="open premium receivable at the end of the period on invoices already due, in cents",
        denominator="premium less APTC billed on invoices due in the period, in cents",
        unit=Unit.DAYS,
        benchmark="no insurer benchmark",
    ),
    KpiName.AR_OVER_90_DAYS: KpiDefinition(
        name=KpiName.AR_OVER_90_DAYS,
        version=1,
        title="Receivables over 90 days",
        formula=f"open premium more than {OVER_90_DAYS} days past due ÷ all open premium receivable × 100",
        numerator=f"open premium more than {OVER_90_DAYS} days past due, in cents",
        denominator="open premium receivable, in cents",
        unit=Unit.PERCENT,
        benchmark="keep near zero: statutory accounting does not admit it as an asset",
    ),
    KpiName.SLA_ATTAINMENT: KpiDefinition(
        name=KpiName.SLA_ATTAINMENT,
        version=1,
        title="SLA attainment",
        formula="cases resolved within their resolution target ÷ cases resolved × 100",
        numerator="cases resolved in the period whose clock (business hours, pauses left out) stayed within target",
        denominator="cases resolved in the period",
        unit=Unit.PERCENT,
        benchmark="carrier setting; 90% is a common service target",
    ),
    KpiName.AUTODRAFT_RETURN_RATE: KpiDefinition(
        name=KpiName.AUTODRAFT_RETURN_RATE,
        version=1,
        title="Auto-draft return rate",
        formula="drafts returned by the bank ÷ drafts effective in the period × 100",
        numerator="drafts and re-presentments effective in the period that the bank returned",
        denominator="drafts and re-presentments effective in the period",
        unit=Unit.PERCENT,
        benchmark="NACHA reviews originators above 15% overall, 3% administrative, 0.5% unauthorized",
    ),
}
