"""Typed settings from ``PREMIA_*`` environment variables and an optional ``.env`` file.

Unknown ``PREMIA_`` variables are an error, because a misspelt setting that is silently
ignored leaves the default in force without anyone noticing.
"""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from premia.kernel.errors import ValidationError

ENV_PREFIX = "PREMIA_"
KEY_COMMAND = "premia keys generate"
# Consoles show member data, so an idle limit longer than a day would leave unattended logins open.
MAX_CONSOLE_IDLE_MINUTES = 24 * 60


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every setting Premia reads. Each maps to ``PREMIA_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="forbid",
        case_sensitive=False,
    )

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = Field(default="sqlite:///premia.db", description="SQLAlchemy URL of the database.")
    time_zone: str = Field(default="America/New_York", description="The carrier's legal time zone.")
    encryption_key: str | None = Field(
        default=None,
        description=(
            "Key, in Fernet's format, that SSNs and bank account numbers are encrypted under; "
            "create one with " + KEY_COMMAND
        ),
    )
    log_level: str = "INFO"
    session_file: str = Field(default=".premia/session", description="Where `premia login` keeps the CLI session.")
    session_hours: int = Field(default=12, ge=1, le=168, description="How long a CLI or console login lasts.")
    dev_key_file: str = Field(default=".premia/dev.key", description="Development-only key file, created on demand.")
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server that sends document emails.")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP server port.")
    smtp_username: str | None = Field(default=None, description="SMTP login; leave unset for a server without authentication.")
    smtp_password: str | None = Field(default=None, description="SMTP password for smtp_username.")
    smtp_from: str | None = Field(default=None, description="Sender address of document emails; required for email delivery.")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS before logging in.")
    documents_dir: str = Field(default="documents", description="Folder for rendered documents and print batches.")
    carrier_name: str | None = Field(default=None, description="Carrier name printed on every document.")
    carrier_phone: str | None = Field(default=None, description="Member services phone number printed on documents and emails.")
    carrier_address: str | None = Field(
        default=None, description="Carrier mailing and remittance address, lines separated by |."
    )
    document_link_base: str | None = Field(
        default=None, description="Portal URL for document links; when set, emails carry a link instead of the PDF."
    )
    payments_config_file: str | None = Field(
        default=None,
        description="YAML file of payment settings (ACH originator, fees, limits); the defaults apply without it.",
    )
    delinquency_config_file: str | None = Field(
        default=None,
        description="YAML file of delinquency rules (grace, thresholds, notices, reinstatement); the defaults apply without it.",
    )
    jobs_dir: str = Field(default="jobs", description="Folder for files uploaded to the API's import jobs.")
    console_idle_minutes: int = Field(
        default=15,
        ge=1,
        le=MAX_CONSOLE_IDLE_MINUTES,
        description="Minutes without a request before a console login ends.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as America/Chicago") from exc
        return value

    @field_validator("payments_config_file", "delinquency_config_file")
    @classmethod
    def _existing_config_file(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if not Path(value).is_file():
            area = "payments" if info.field_name == "payments_config_file" else "delinquency"
            raise ValueError(f"{area} configuration file {value!r} not found. Give the path of a YAML file.")
        return value

    @field_validator("jobs_dir")
    @classmethod
    def _usable_jobs_dir(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("jobs folder is empty. Give a folder path such as jobs.")
        if Path(value).exists() and not Path(value).is_dir():
            raise ValueError(f"jobs folder {value!r} is a file, not a folder")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"unknown log level {value!r}; use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def require_encryption_key(self) -> str:
        """Return the key that encrypts sensitive fields, creating a development key if allowed."""
        if self.encryption_key:
            return self.encryption_key
        if self.environment is Environment.PRODUCTION:
            raise ValidationError(
                code="settings.encryption_key_missing",
                message="PREMIA_ENCRYPTION_KEY is not set.",
                field="PREMIA_ENCRYPTION_KEY",
                hint=f"Create a key with `{KEY_COMMAND}` and set PREMIA_ENCRYPTION_KEY to it.",
            )
        return _development_key(Path(self.dev_key_file))


def _development_key(path: Path) -> str:
    from cryptography.fernet import Fernet

    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode("ascii")
    path.write_text(key + "\n", encoding="utf-8")
    path.chmod(0o600)
    return key


def unknown_environment_settings(environ: dict[str, str] | None = None) -> list[str]:
    """Names of ``PREMIA_*`` variables that match no setting."""
    environ = dict(os.environ if environ is None else environ)
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    return sorted(name for name in environ if name.upper().startswith(ENV_PREFIX) and name.upper() not in known)


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, rejecting unknown ``PREMIA_`` names."""
    unknown = unknown_environment_settings()
    if unknown:
        names = ", ".join(unknown)
        raise ValidationError(
            code="settings.unknown",
            message=f"Unknown setting(s): {names}.",
            field=unknown[0],
            hint="Check the spelling; the README lists every PREMIA_ setting.",
        )
    return Settings(**overrides)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def cached_settings() -> Settings:
    return load_settings()
