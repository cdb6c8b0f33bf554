"""The bulk path's row insert: NULL columns, shared values, row order and JSON text, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from premia.audit.tables import AuditEntry
from premia.importers.enrollment.bulk_insert import insert_rows
from premia.infra.context import ServiceContext

COLUMNS = (
    "occurred_at",
    "user_id",
    "username",
    "role",
    "channel",
    "action",
    "record_type",
    "record_id",
    "detail",
)
MOMENT = datetime(2026, 1, 5, 14, 30, tzinfo=UTC)


def _row(record_id: str, user_id: int | None, detail: str | None) -> tuple[object, ...]:
    return (MOMENT, user_id, "o'neil", "admin", "batch", "import_834", "person", record_id, detail)


def _inserted(ctx: ServiceContext) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == "import_834").order_by(AuditEntry.id)
    return list(ctx.session.scalars(query))


def test_rows_keep_values_and_order(ctx: ServiceContext) -> None:
    rows = [
        _row("M-1", None, '{"segment": 7}'),
        _row("M-2", 42, None),
        _row("M-3", None, None),
        _row("M-4", 42, '{"segment": 9}'),
    ]

    insert_rows(ctx.session.connection(), AuditEntry.__table__, COLUMNS, rows, prepared=("detail",))

    entries = _inserted(ctx)
    assert [entry.record_id for entry in entries] == ["M-1", "M-2", "M-3", "M-4"]
    assert [entry.user_id for entry in entries] == [None, 42, None, 42]
    assert [entry.detail for entry in entries] == [{"segment": 7}, None, None, {"segment": 9}]
    assert {entry.username for entry in entries} == {"o'neil"}
    assert {entry.occurred_at for entry in entries} == {MOMENT}


def test_one_row(ctx: ServiceContext) -> None:
    insert_rows(ctx.session.connection(), AuditEntry.__table__, COLUMNS, [_row("M-9", None, None)])

    (entry,) = _inserted(ctx)
    assert entry.record_id == "M-9"
    assert entry.fields is None
    assert entry.detail is None


def test_no_rows(ctx: ServiceContext) -> None:
    insert_rows(ctx.session.connection(), AuditEntry.__table__, COLUMNS, [])

    assert _inserted(ctx) == []


def test_text_with_sql_stays_text(ctx: ServiceContext) -> None:
    hostile = "x'); DELETE FROM audit_log; --"
    row = (MOMENT, None, hostile, "admin", "batch", "import_834", "person", "M-10", None)

    insert_rows(ctx.session.connection(), AuditEntry.__table__, COLUMNS, [row, row])

    entries = _inserted(ctx)
    assert [entry.username for entry in entries] == [hostile, hostile]


def test_rejected_row_raises_integrity_error(ctx: ServiceContext) -> None:
    # The bulk path applies a rejected batch member by member only on SQLAlchemy's errors,
    # so PostgreSQL's COPY has to raise one too.
    columns = ("id", *COLUMNS)
    taken_id = 900_001
    first = [(taken_id, *_row("M-1", None, None))]
    insert_rows(ctx.session.connection(), AuditEntry.__table__, columns, first)

    with pytest.raises(IntegrityError), ctx.session.begin_nested():
        rows = [(taken_id, *_row("M-2", None, None))]
        insert_rows(ctx.session.connection(), AuditEntry.__table__, columns, rows)

    assert [entry.record_id for entry in _inserted(ctx)] == ["M-1"]
