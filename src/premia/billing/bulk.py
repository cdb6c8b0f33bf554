"""Bulk row writing inside the session's transaction, by each engine's fastest path.

The bill run writes hundreds of thousands of rows per run, so it bypasses the ORM: on
PostgreSQL rows go through ``COPY ... FROM STDIN``, on SQLite through one ``executemany``
per table. Both run on the session's own connection, so the rows commit or roll back (to a
savepoint too) with everything else the session does.

Ids that other rows refer to are reserved before the rows are built. On PostgreSQL they come
from the table's sequence. On SQLite they are the numbers above the table's largest id,
which is safe because a SQLite transaction takes the database's only write lock with its
first statement (Premia opens them with ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any, Protocol

import psycopg
from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


class BulkWriter(Protocol):
    """Writes rows of plain values into one table, in the caller's transaction."""

    adapt_date: Callable[[date], Any]
    adapt_timestamp: Callable[[datetime], Any]

    def reserve_ids(self, table: Table, count: int) -> Sequence[int]: ...

    def insert(self, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None: ...


def bulk_writer(session: Session) -> BulkWriter:
    """Return the writer for the engine the session is connected to."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return PostgresBulkWriter(session)
    if connection.dialect.name == "sqlite":
        return SqliteBulkWriter(session)
    raise NotImplementedError(f"bulk writing is not supported on {connection.dialect.name}")


_json_text = json.JSONEncoder(separators=(",", ":")).encode


def adapt_json(value: object) -> str | None:
    """JSON text for a JSON column, or SQL NULL for None."""
    return None if value is None else _json_text(value)


class PostgresBulkWriter:
    """``COPY FROM STDIN`` through psycopg on the session's connection."""

    adapt_date = staticmethod(lambda value: value)
    adapt_timestamp = staticmethod(lambda value: value)

    def __init__(self, session: Session) -> None:
        self.session = session
        self.raw = session.connection().connection.driver_connection

    def reserve_ids(self, table: Table, count: int) -> Sequence[int]:
        if count == 0:
            return []
        # One array value comes back much faster than ``count`` rows.
        with self.raw.cursor() as cursor:
            cursor.execute(
                "SELECT array_agg(nextval(pg_get_serial_sequence(%s, 'id'))) FROM generate_series(1, %s)",
                (table.name, count),
            )
            row = cursor.fetchone()
        return row[0] if row is not None else []

    def insert(self, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        column_list = ", ".join(f'"{name}"' for name in columns)
        statement = f'COPY "{table.name}" ({column_list}) FROM STDIN'
        try:
            with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.IntegrityError as exc:
            # The same exception SQLAlchemy raises, so callers handle both writers alike.
            raise IntegrityError(statement, None, exc) from exc


class SqliteBulkWriter:
    """One ``executemany`` per table through the sqlite3 connection under the session."""

    adapt_date = staticmethod(date.isoformat)

    def __init__(self, session: Session) -> None:
        self.session = session
        self.raw = session.connection().connection.driver_connection

    @staticmethod
    def adapt_timestamp(value: datetime) -> str:
        # The text SQLAlchemy's SQLite DateTime type writes: naive UTC with microseconds.
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def reserve_ids(self, table: Table, count: int) -> Sequence[int]:
        top = self.raw.execute(f'SELECT coalesce(max(id), 0) FROM "{table.name}"').fetchone()[0]
        return range(top + 1, top + 1 + count)

    def insert(self, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        column_list = ", ".join(f'"{name}"' for name in columns)
        placeholders = ", ".join("?" for _ in columns)
        statement = f'INSERT INTO "{table.name}" ({column_list}) VALUES ({placeholders})'
        try:
            self.raw.executemany(statement, rows)
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(statement, None, exc) from exc
