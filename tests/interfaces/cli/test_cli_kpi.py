"""`premia kpi`: the default period and the report it prints."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.interfaces.cli.conftest import Invoke

pytestmark = pytest.mark.database


def test_kpi_defaults_to_30_days_before_as_of(logged_in: str, premia: Invoke) -> None:
    result = premia("kpi", "--as-of", "2026-03-31", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # 2026-03-02 to 2026-03-31 is 30 days, both included
    assert report["first_day"] == "2026-03-02"
    assert report["last_day"] == "2026-03-31"
    assert report["as_of"] == "2026-03-31"


def test_kpi_without_options_runs(logged_in: str, premia: Invoke) -> None:
    result = premia("kpi", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    days = (date.fromisoformat(report["last_day"]) - date.fromisoformat(report["first_day"])).days + 1
    assert days == 30
    assert report["last_day"] == report["as_of"]


def test_kpi_text_report(logged_in: str, premia: Invoke) -> None:
    result = premia("kpi", "--from", "2026-03-01", "--to", "2026-03-31", "--as-of", "2026-04-15")
    assert result.exit_code == 0, result.output
    assert "KPIs 2026-03-01 to 2026-03-31, whole book, as of 2026-04-15" in result.stdout
    assert "Days sales outstanding" in result.stdout
