"""Settings come from PREMIA_* variables. Misspelt names, unknown time zones and a missing production key are errors."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pydantic
import pytest
from cryptography.fernet import Fernet

from premia.infra.settings import Environment, Settings, load_settings, unknown_environment_settings
from premia.kernel.errors import ValidationError


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Start each test with no PREMIA_ variables and no .env file in the working directory."""
    for name in list(os.environ):
        if name.upper().startswith("PREMIA_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = load_settings()

    assert settings.environment is Environment.DEVELOPMENT
    assert settings.time_zone == "America/New_York"
    assert settings.log_level == "INFO"
    assert settings.is_sqlite


def test_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREMIA_DATABASE_URL", "postgresql://premia@127.0.0.1/premia")
    monkeypatch.setenv("PREMIA_TIME_ZONE", "America/Chicago")
    monkeypatch.setenv("PREMIA_ENVIRONMENT", "test")

    settings = load_settings()

    assert settings.database_url == "postgresql://premia@127.0.0.1/premia"
    assert settings.time_zone == "America/Chicago"
    assert settings.environment is Environment.TEST
    assert not settings.is_sqlite


def test_unknown_variable_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREMIA_DATABSE_URL", "sqlite:///typo.db")

    with pytest.raises(ValidationError) as caught:
        load_settings()

    assert caught.value.code == "settings.unknown"
    assert caught.value.field == "PREMIA_DATABSE_URL"
    assert "PREMIA_DATABSE_URL" in caught.value.message


def test_unknown_variables_all_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREMIA_TIMEZONE", "America/Chicago")
    monkeypatch.setenv("premia_log_levle", "DEBUG")

    with pytest.raises(ValidationError) as caught:
        load_settings()

    assert "PREMIA_TIMEZONE" in caught.value.message
    assert "premia_log_levle" in caught.value.message


def test_unknown_names_ignore_other_prefixes() -> None:
    environ = {"PREMIA_LOG_LEVEL": "DEBUG", "PATH": "/bin", "PREMIAX": "1", "PREMIA_COLOUR": "red"}

    assert unknown_environment_settings(environ) == ["PREMIA_COLOUR"]


def test_unknown_name_in_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PREMIA_TIME_ZONE=America/Chicago\nPREMIA_TIMEZONE=America/Denver\n")

    with pytest.raises(pydantic.ValidationError, match="premia_timezone"):
        load_settings()


def test_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PREMIA_TIME_ZONE=America/Chicago\n")

    assert load_settings().time_zone == "America/Chicago"


def test_production_without_key_points_to_command() -> None:
    settings = Settings(_env_file=None, environment=Environment.PRODUCTION)  # type: ignore[call-arg]

    with pytest.raises(ValidationError) as caught:
        settings.require_encryption_key()

    assert caught.value.code == "settings.encryption_key_missing"
    assert caught.value.field == "PREMIA_ENCRYPTION_KEY"
    assert "premia keys generate" in (caught.value.hint or "")


def test_production_with_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = Fernet.generate_key().decode("ascii")
    monkeypatch.setenv("PREMIA_ENVIRONMENT", "production")
    monkeypatch.setenv("PREMIA_ENCRYPTION_KEY", key)

    assert load_settings().require_encryption_key() == key


def test_development_key_created_once(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "dev.key"
    settings = Settings(_env_file=None, dev_key_file=str(key_file))  # type: ignore[call-arg]

    first = settings.require_encryption_key()
    second = settings.require_encryption_key()

    assert first == second
    assert Fernet(first.encode("ascii"))
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "CDT", "../../etc/passwd"])
def test_invalid_time_zone_rejected(zone: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="time zone"):
        Settings(_env_file=None, time_zone=zone)  # type: ignore[call-arg]


def test_invalid_time_zone_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREMIA_TIME_ZONE", "America/Chicgo")

    with pytest.raises(pydantic.ValidationError, match="America/Chicgo"):
        load_settings()


def test_log_level_normalised() -> None:
    assert Settings(_env_file=None, log_level="debug").log_level == "DEBUG"  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError, match="log level"):
        Settings(_env_file=None, log_level="chatty")  # type: ignore[call-arg]


@pytest.mark.parametrize("hours", [0, 169])
def test_session_hours_bounded(hours: int) -> None:
    with pytest.raises(pydantic.ValidationError, match="session_hours"):
        Settings(_env_file=None, session_hours=hours)  # type: ignore[call-arg]


def test_unknown_keyword_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="timezone"):
        Settings(_env_file=None, timezone="America/Chicago")  # type: ignore[call-arg]


def test_environment_choices() -> None:
    with pytest.raises(pydantic.ValidationError, match="environment"):
        Settings(_env_file=None, environment="staging")  # type: ignore[call-arg]


def test_jobs_console_payments_defaults() -> None:
    settings = load_settings()

    assert settings.payments_config_file is None
    assert settings.jobs_dir == "jobs"
    assert settings.console_idle_minutes == 15


def test_jobs_console_payments_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config_file = tmp_path / "payments.yaml"
    config_file.write_text("suspense_max_age_days: 30\n", encoding="utf-8")
    monkeypatch.setenv("PREMIA_PAYMENTS_CONFIG_FILE", str(config_file))
    monkeypatch.setenv("PREMIA_JOBS_DIR", str(tmp_path / "uploads"))
    monkeypatch.setenv("PREMIA_CONSOLE_IDLE_MINUTES", "30")

    settings = load_settings()

    assert settings.payments_config_file == str(config_file)
    assert settings.jobs_dir == str(tmp_path / "uploads")
    assert settings.console_idle_minutes == 30


@pytest.mark.parametrize("minutes", ["0", "-5", "1441", "ten"])
def test_console_idle_minutes_rejected(monkeypatch: pytest.MonkeyPatch, minutes: str) -> None:
    monkeypatch.setenv("PREMIA_CONSOLE_IDLE_MINUTES", minutes)

    with pytest.raises(pydantic.ValidationError, match="console_idle_minutes"):
        load_settings()


def test_missing_payments_config_file_rejected(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-payments.yaml"

    with pytest.raises(pydantic.ValidationError, match="payments configuration file .* not found"):
        Settings(_env_file=None, payments_config_file=str(missing))  # type: ignore[call-arg]


def test_blank_jobs_dir_rejected() -> None:
    with pytest.raises(pydantic.ValidationError, match="jobs folder is empty"):
        Settings(_env_file=None, jobs_dir="  ")  # type: ignore[call-arg]


def test_jobs_dir_that_is_a_file_rejected(tmp_path: Path) -> None:
    occupied = tmp_path / "jobs"
    occupied.write_text("not a folder", encoding="utf-8")

    with pytest.raises(pydantic.ValidationError, match="is a file, not a folder"):
        Settings(_env_file=None, jobs_dir=str(occupied))  # type: ignore[call-arg]


def test_delinquency_rules_file_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rules = tmp_path / "delinquency.yaml"
    rules.write_text("received_date: next_banking_day\n", encoding="utf-8")
    monkeypatch.setenv("PREMIA_DELINQUENCY_CONFIG_FILE", str(rules))

    settings = load_settings()

    assert settings.delinquency_config_file == str(rules)


def test_missing_delinquency_rules_file_rejected(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PREMIA_DELINQUENCY_CONFIG_FILE", str(tmp_path / "missing.yaml"))

    with pytest.raises(pydantic.ValidationError, match="delinquency configuration file"):
        load_settings()
