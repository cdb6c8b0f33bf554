"""The migrated schema matches the ``import_files`` table definition, and its indexes do their job."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from premia.importers.enrollment.tables import ImportFile
from premia.infra.context import ServiceContext
from premia.infra.db import metadata
from premia.infra.model_registry import import_all_tables

pytestmark = pytest.mark.database


def _import_files_only(item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    table = item if kind == "table" else getattr(item, "table", None)
    return table is not None and table.name == "import_files"


def test_migration_matches_table(engine: Engine) -> None:
    import_all_tables()

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _import_files_only, "compare_type": True}
        )
        differences = compare_metadata(context, metadata)

    assert differences == []


def row(ctx: ServiceContext, status: str, content_hash: str = "a" * 64) -> ImportFile:
    return ImportFile(
        kind="834",
        file_name="f.834",
        content_hash=content_hash,
        size_bytes=1,
        sender_id="EXCHANGE",
        control_number="000000101",
        status=status,
        imported_by="tester",
        received_at=ctx.now(),
    )


def test_rejected_rows_may_repeat(ctx: ServiceContext) -> None:
    ctx.session.add_all([row(ctx, "rejected"), row(ctx, "rejected"), row(ctx, "accepted")])
    ctx.session.flush()

    assert len(ctx.session.scalars(select(ImportFile)).all()) == 3


def test_applied_interchange_unique(ctx: ServiceContext) -> None:
    ctx.session.add(row(ctx, "accepted"))
    ctx.session.flush()
    ctx.session.add(row(ctx, "partially_accepted", content_hash="b" * 64))

    with pytest.raises(IntegrityError):
        ctx.session.flush()
