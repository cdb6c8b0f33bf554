"""The app takes its jobs folder, console idle time-out and payment settings from the settings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.routing import Mount

from premia.interfaces.api.app import create_app
from premia.interfaces.console.mount import CONSOLE_PATH
from premia.kernel.errors import ValidationError
from premia.payments.config import DEFAULT_CONFIG, configured_payments
from tests.conftest import make_settings


def _console_of(app: FastAPI) -> FastAPI:
    mounts = [route for route in app.routes if isinstance(route, Mount) and route.path == CONSOLE_PATH]
    assert len(mounts) == 1
    console = mounts[0].app
    assert isinstance(console, FastAPI)
    return console


def test_jobs_dir_from_settings(tmp_path: Path) -> None:
    app = create_app(make_settings(jobs_dir=str(tmp_path / "uploads")), run_jobs=False)

    assert app.state.job_files.root == tmp_path / "uploads"
    app.state.engine.dispose()


def test_jobs_dir_argument_wins(tmp_path: Path) -> None:
    settings = make_settings(jobs_dir=str(tmp_path / "uploads"))

    app = create_app(settings, jobs_dir=tmp_path / "given", run_jobs=False)

    assert app.state.job_files.root == tmp_path / "given"
    app.state.engine.dispose()


def test_console_idle_time_out_from_settings() -> None:
    app = create_app(make_settings(console_idle_minutes=40), run_jobs=False)

    assert _console_of(app).state.console.idle_timeout == timedelta(minutes=40)
    app.state.engine.dispose()


def test_payments_config_file_read(tmp_path: Path) -> None:
    config_file = tmp_path / "payments.yaml"
    config_file.write_text("suspense_max_age_days: 30\nrefund_approval_above_cents: '100.00'\n", "utf-8")

    config = configured_payments(make_settings(payments_config_file=str(config_file)))

    assert config.suspense_max_age_days == 30
    assert config.refund_approval_above_cents == 10_000


def test_payments_defaults_without_file() -> None:
    assert configured_payments(make_settings()) is DEFAULT_CONFIG


def test_bad_payments_config_stops_app(tmp_path: Path) -> None:
    config_file = tmp_path / "payments.yaml"
    config_file.write_text("suspense_max_age_dayz: 30\n", encoding="utf-8")

    with pytest.raises(ValidationError) as caught:
        create_app(make_settings(payments_config_file=str(config_file)), run_jobs=False)

    assert caught.value.code == "payments.config_invalid"
    assert "suspense_max_age_dayz" in caught.value.message
