"""`premia demo` builds a walk-through database from scratch (SQLite only)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from premia.accounts.tables import BillingAccount
from premia.infra.db import make_engine
from tests.interfaces.cli.conftest import Invoke


def test_demo_runs_to_completion(clean_environment: Path, premia: Invoke) -> None:
    database = clean_environment / "walk-through.db"

    result = premia("demo", "--database", str(database))

    assert result.exit_code == 0, result.output
    assert "Done." in result.stdout
    assert "SSN •••-••-6789" in result.stdout
    assert "123-45-6789" not in result.output
    assert "000123456789" not in result.output
    assert Path(f"{database}.key").exists()
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(BillingAccount)) == 2
    engine.dispose()
