"""KPIs computed from Premia's own records: collection, DSO, aging, FCR, CSAT, SLA, auto-draft returns.

Other areas and the interfaces use the names exported here; README.md in this folder gives
the definitions and the return shapes.
"""

from premia.metrics.autodraft import autodraft_return_rate
from premia.metrics.definitions import DEFINITIONS, KpiDefinition, KpiName, Unit
from premia.metrics.formulas import AgingBucket, AgingBuckets, KpiFigure, receivables_over_90_days
from premia.metrics.receivables import days_sales_outstanding, premium_collection, receivable_aging
from premia.metrics.report import KpiReport, kpi_report, kpi_report_with_months, monthly_kpis
from premia.metrics.segment import AptcStatus, Business, Period, Segment
from premia.metrics.service_desk import customer_satisfaction, first_contact_resolution, sla_attainment

__all__ = [
    "DEFINITIONS",
    "AgingBucket",
    "AgingBuckets",
    "AptcStatus",
    "Business",
    "KpiDefinition",
    "KpiFigure",
    "KpiName",
    "KpiReport",
    "Period",
    "Segment",
    "Unit",
    "autodraft_return_rate",
    "customer_satisfaction",
    "days_sales_outstanding",
    "first_contact_resolution",
    "kpi_report",
    "kpi_report_with_months",
    "monthly_kpis",
    "premium_collection",
    "receivable_aging",
    "receivables_over_90_days",
    "sla_attainment",
]
