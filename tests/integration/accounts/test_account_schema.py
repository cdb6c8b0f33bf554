"""The migrated schema matches the table definitions of accounts, staff and the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from premia.infra.db import metadata
from premia.infra.model_registry import import_all_tables

pytestmark = pytest.mark.database

FOUNDATION_TABLES = {
    "persons",
    "person_history",
    "employer_groups",
    "billing_accounts",
    "bank_accounts",
    "staff_users",
    "staff_sessions",
    "audit_log",
}


def _foundation_only(item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    table = item if kind == "table" else getattr(item, "table", None)
    return table is not None and table.name in FOUNDATION_TABLES


def test_migrations_match_tables(engine: Engine) -> None:
    import_all_tables()

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _foundation_only, "compare_type": True}
        )
        differences = compare_metadata(context, metadata)

    assert differences == []
