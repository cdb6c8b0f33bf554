"""A command run against a database without Premia's tables tells the user to migrate it."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.interfaces.cli.conftest import Invoke


def test_unmigrated_database_named(premia: Invoke, clean_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREMIA_DATABASE_URL", f"sqlite:///{clean_environment / 'empty.db'}")
    monkeypatch.setenv("PREMIA_ENCRYPTION_KEY", Fernet.generate_key().decode("ascii"))
    monkeypatch.setenv("PREMIA_SESSION_FILE", str(clean_environment / "session"))
    monkeypatch.setenv("PREMIA_ENVIRONMENT", "test")

    result = premia("users", "add", "admin", "--role", "admin", "--password-stdin", input="a long enough passphrase\n")

    assert result.exit_code == 1
    assert "code: db.schema_missing" in result.stderr
    assert "premia db upgrade" in result.stderr
