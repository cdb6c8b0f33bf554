"""Database engines, sessions and the declarative base shared by every area's tables.

SQLite is the embedded default: WAL journal, foreign keys enforced, and ``BEGIN IMMEDIATE``
so that two writers queue for the lock instead of failing when a read transaction tries to
upgrade. PostgreSQL (psycopg 3) is the production database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, DateTime, Engine, Integer, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# A 64-bit key on PostgreSQL; on SQLite only INTEGER PRIMARY KEY auto-increments.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = metadata


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always returned time-zone aware.

    SQLite has no time zone type, so values are normalised to UTC on the way in and marked
    UTC on the way out; naive datetimes are rejected because their zone is unknowable.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC timestamp column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with Premia's connection settings for SQLite or PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    if parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that
        # savepoints and BEGIN IMMEDIATE work as written.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    with factory() as session, session.begin():
        yield session


# Case-insensitive text matches for searches. What a user types is matched as text, so the
# LIKE wildcards % and _ in a name (and the escape character itself) are escaped first.
LIKE_ESCAPE = "\\"


def _like_text(text: str) -> str:
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def matches_ignoring_case(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """Return ``column`` equals ``text`` ignoring case, as SQL."""
    return column.ilike(_like_text(text), escape=LIKE_ESCAPE)


def starts_with_ignoring_case(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """Return ``column`` starts with ``text`` ignoring case, as SQL."""
    return column.ilike(_like_text(text) + "%", escape=LIKE_ESCAPE)


def contains_ignoring_case(column: ColumnElement[str], text: str) -> ColumnElement[bool]:
    """Return ``column`` contains ``text`` ignoring case, as SQL."""
    return column.ilike("%" + _like_text(text) + "%", escape=LIKE_ESCAPE)
