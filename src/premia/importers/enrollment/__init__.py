"""Enrollment intake from X12 834 files: apply each member once, report and acknowledge the rest."""

from premia.importers.enrollment.model import ImportOptions, ImportReport, ImportStatus
from premia.importers.enrollment.parallel import default_workers
from premia.importers.enrollment.plan_map import PlanMap, PlanMapEntry, load_plan_map
from premia.importers.enrollment.service import ImportResult, import_834

__all__ = [
    "ImportOptions",
    "ImportReport",
    "ImportResult",
    "ImportStatus",
    "PlanMap",
    "PlanMapEntry",
    "default_workers",
    "import_834",
    "load_plan_map",
]
