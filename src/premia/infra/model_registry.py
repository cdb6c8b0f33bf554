"""Import every area's table module so that ``metadata`` knows the whole schema.

Alembic autogenerate and the test schema checks read ``metadata``; an area whose tables are
not imported here would look like it has no tables at all.
"""

from __future__ import annotations

import importlib

TABLE_MODULES = [
    "premia.audit.tables",
    "premia.staff.tables",
    "premia.accounts.tables",
    "premia.enrollment.tables",
    "premia.ledger.tables",
    "premia.billing.tables",
    "premia.payments.tables",
    "premia.notices.tables",
    "premia.delinquency.tables",
    "premia.documents.tables",
    "premia.catalog.tables",
    "premia.interfaces.api.tables",
    "premia.servicing.tables",
    "premia.importers.enrollment.tables",
    "premia.lifecycle.tables",
]


def import_all_tables() -> None:
    for module in TABLE_MODULES:
        importlib.import_module(module)
