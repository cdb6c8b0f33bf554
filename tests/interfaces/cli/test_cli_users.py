"""`premia db upgrade`, `keys generate`, `users add|list`, `login`, `logout`, and exit statuses."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from premia.infra.db import make_engine
from tests.interfaces.cli.conftest import ADMIN_PASSWORD, Invoke, messages

pytestmark = pytest.mark.database


def _raw_rows(database_url: str, table: str) -> list[dict[str, object]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(f"SELECT * FROM {table}"))]
    finally:
        engine.dispose()


def test_bootstrap_first_admin(cli_env: Path, premia: Invoke, database_url: str) -> None:
    result = premia("users", "add", "admin", "--role", "admin", "--password-stdin", input=ADMIN_PASSWORD + "\n")

    assert result.exit_code == 0, result.output
    assert "added admin (admin)" in result.stdout
    (user,) = _raw_rows(database_url, "staff_users")
    assert str(user["password_hash"]).startswith("$argon2id$")
    assert ADMIN_PASSWORD not in json.dumps(user, default=str)
    assert ADMIN_PASSWORD not in result.output


def test_first_user_must_be_admin(cli_env: Path, premia: Invoke, database_url: str) -> None:
    result = premia("users", "add", "casey", "--role", "csr", "--password-stdin", input=ADMIN_PASSWORD + "\n")

    assert result.exit_code == 1
    assert "field: role" in result.stderr
    assert "staff.first_user_not_admin" in result.stderr
    assert _raw_rows(database_url, "staff_users") == []


def test_short_password_rejected(cli_env: Path, premia: Invoke) -> None:
    result = premia("users", "add", "admin", "--role", "admin", "--password-stdin", input="Tr0ub4d0r!\n")

    assert result.exit_code == 1
    assert "field: password" in result.stderr
    assert "Tr0ub4d0r!" not in result.output


def test_login_writes_token_file(cli_env: Path, premia: Invoke, admin: str, database_url: str) -> None:
    session_file = cli_env / "session"

    token = session_file.read_text(encoding="utf-8").strip()

    assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
    sessions = _raw_rows(database_url, "staff_sessions")
    assert len(sessions) == 1
    assert token not in json.dumps(sessions, default=str)


def test_login_wrong_password(cli_env: Path, premia: Invoke, admin: str) -> None:
    result = premia("login", "admin", "--password-stdin", input="not the admin passphrase\n")

    assert result.exit_code == 1
    assert "staff.login_failed" in result.stderr
    assert "field: password" in result.stderr


def test_login_unknown_user_same_message(cli_env: Path, premia: Invoke, admin: str) -> None:
    wrong_password = premia("login", "admin", "--password-stdin", input="not the admin passphrase\n")
    unknown_user = premia("login", "nobody", "--password-stdin", input=ADMIN_PASSWORD + "\n")

    assert unknown_user.exit_code == 1
    assert messages(unknown_user.stderr) == messages(wrong_password.stderr)


def test_second_user_needs_login(cli_env: Path, premia: Invoke, admin: str) -> None:
    premia("logout")

    result = premia("users", "add", "casey", "--role", "csr", "--password-stdin", input="casey passphrase 1\n")

    assert result.exit_code == 1
    assert "not logged in" in result.stderr
    assert "field: session" in result.stderr


def test_users_list_json(cli_env: Path, premia: Invoke, admin: str) -> None:
    added = premia("users", "add", "casey", "--role", "csr", "--name", "Casey Service", "--password-stdin", input="casey passphrase 1\n")

    result = premia("users", "list", "--json")

    assert added.exit_code == 0, added.output
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"username": "admin", "name": "Avery Admin", "role": "admin", "active": True},
        {"username": "casey", "name": "Casey Service", "role": "csr", "active": True},
    ]


def test_csr_cannot_add_users(cli_env: Path, premia: Invoke, admin: str) -> None:
    added = premia("users", "add", "casey", "--role", "csr", "--password-stdin", input="casey passphrase 1\n")
    logged_in = premia("login", "casey", "--password-stdin", input="casey passphrase 1\n")
    assert added.exit_code == 0, added.output
    assert logged_in.exit_code == 0, logged_in.output


    result = premia("users", "add", "quinn", "--role", "csr", "--password-stdin", input="quinn passphrase 1\n")

    assert result.exit_code == 1
    assert "staff.permission_denied" in result.stderr


def test_logout_ends_session(cli_env: Path, premia: Invoke, admin: str, database_url: str) -> None:
    result = premia("logout")
    after = premia("users", "list")

    assert result.exit_code == 0
    assert "logged out" in result.stdout
    assert not (cli_env / "session").exists()
    (session,) = _raw_rows(database_url, "staff_sessions")
    assert session["revoked_at"] is not None
    assert after.exit_code == 1
    assert "not logged in" in after.stderr


def test_logout_when_logged_out(clean_environment: Path, premia: Invoke) -> None:
    result = premia("logout")

    assert result.exit_code == 0
    assert "not logged in" in result.stdout


def test_keys_generate(clean_environment: Path, premia: Invoke) -> None:
    result = premia("keys", "generate")

    key = result.stdout.strip()
    assert result.exit_code == 0
    assert Fernet(key.encode("ascii"))


def test_db_upgrade_is_repeatable(cli_env: Path, premia: Invoke) -> None:
    # The test database is already migrated, so upgrading again changes nothing and succeeds.
    result = premia("db", "upgrade")

    assert result.exit_code == 0, result.output
    assert "database upgraded" in result.stdout


def test_db_upgrade_fresh_sqlite(clean_environment: Path, premia: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    database = clean_environment / "fresh.db"
    monkeypatch.setenv("PREMIA_DATABASE_URL", f"sqlite:///{database}")

    result = premia("db", "upgrade")

    assert result.exit_code == 0, result.output
    assert _raw_rows(f"sqlite:///{database}", "staff_users") == []


def test_unknown_setting_exits_1(clean_environment: Path, premia: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREMIA_DATABSE_URL", "sqlite:///typo.db")

    result = premia("users", "list")

    assert result.exit_code == 1
    assert "PREMIA_DATABSE_URL" in result.stderr


def test_invalid_setting_exits_1(clean_environment: Path, premia: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREMIA_TIME_ZONE", "America/Chicgo")

    result = premia("users", "list")

    assert result.exit_code == 1
    assert "time_zone" in result.stderr
    assert "settings.invalid" in result.stderr


def test_unknown_option_exits_2(clean_environment: Path, premia: Invoke) -> None:
    result = premia("users", "list", "--colour")

    assert result.exit_code == 2
    assert "--colour" in result.stderr


def test_unknown_role_exits_2(clean_environment: Path, premia: Invoke) -> None:
    result = premia("users", "add", "admin", "--role", "root", "--password-stdin", input=ADMIN_PASSWORD + "\n")

    assert result.exit_code == 2
