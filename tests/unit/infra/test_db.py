"""UTC timestamp columns, engine settings for SQLite and PostgreSQL, and the migration config."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from premia.infra.db import UtcDateTime, make_engine, make_session_factory, transaction
from premia.infra.migrations_runner import alembic_config

EASTERN = timezone(timedelta(hours=-5))


def test_utc_column_rejects_naive() -> None:
    column = UtcDateTime()

    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(datetime(2026, 3, 2, 15, 0), postgresql.dialect())


def test_utc_column_stores_utc_on_postgresql() -> None:
    stored = UtcDateTime().process_bind_param(datetime(2026, 3, 2, 10, 0, tzinfo=EASTERN), postgresql.dialect())

    assert stored == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert stored is not None and stored.utcoffset() == timedelta(0)


def test_utc_column_stores_naive_utc_on_sqlite() -> None:
    stored = UtcDateTime().process_bind_param(datetime(2026, 3, 2, 10, 0, tzinfo=EASTERN), sqlite.dialect())

    # SQLite has no zone type, so the value is stored as naive UTC wall time.
    assert stored == datetime(2026, 3, 2, 15, 0)


def test_utc_column_reads_back_aware() -> None:
    column = UtcDateTime()

    from_sqlite = column.process_result_value(datetime(2026, 3, 2, 15, 0), sqlite.dialect())
    from_postgresql = column.process_result_value(datetime(2026, 3, 2, 10, 0, tzinfo=EASTERN), postgresql.dialect())

    assert from_sqlite == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert from_sqlite is not None and from_sqlite.tzinfo is UTC
    assert from_postgresql is not None and from_postgresql.tzinfo is UTC
    assert column.process_result_value(None, sqlite.dialect()) is None


def test_postgresql_url_uses_psycopg() -> None:
    engine = make_engine("postgresql://premia@127.0.0.1:5432/premia")

    assert engine.url.drivername == "postgresql+psycopg"
    engine.dispose()


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'settings.db'}")

    with engine.connect() as connection:
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
        journal_mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    engine.dispose()

    assert foreign_keys == 1
    assert journal_mode == "wal"


def test_transaction_commits_and_rolls_back(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'unit.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
    factory = make_session_factory(engine)

    with transaction(factory) as session:
        session.execute(text("INSERT INTO notes VALUES ('kept')"))
    with pytest.raises(RuntimeError), transaction(factory) as session:
        session.execute(text("INSERT INTO notes VALUES ('dropped')"))
        raise RuntimeError("abort the unit of work")

    with engine.connect() as connection:
        bodies = connection.execute(text("SELECT body FROM notes")).scalars().all()
    engine.dispose()
    assert bodies == ["kept"]


def test_alembic_config_escapes_percent() -> None:
    config = alembic_config("postgresql://premia:p%40ss@127.0.0.1/premia")

    assert config.get_main_option("sqlalchemy.url") == "postgresql://premia:p%40ss@127.0.0.1/premia"
    assert config.get_main_option("script_location", "").endswith("migrations")
