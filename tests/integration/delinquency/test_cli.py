"""The delinquency commands: run, write-834 and eligibility, with text and JSON output."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date

import pytest
import typer
from typer.testing import CliRunner

from premia.enrollment.model import PolicyStatus
from premia.interfaces.cli import runtime
from premia.interfaces.cli.delinquency import delinquency_app, eligibility

runner = CliRunner()


@pytest.fixture
def cli(exchange_story, monkeypatch):
    """A `premia`-like app whose commands work in the story's own transaction."""

    @contextmanager
    def story_unit_of_work(**_options):
        yield exchange_story.ctx

    monkeypatch.setattr(runtime, "unit_of_work", story_unit_of_work)
    app = typer.Typer()
    app.add_typer(delinquency_app, name="delinquency")
    app.command("eligibility")(eligibility)
    return app


def _in_grace(story):
    household = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), exchange=True, aptc_cents=47_760)
    story.day(date(2025, 12, 15))
    story.pay(household, 10_000, date(2025, 12, 28))
    story.bill(date(2026, 1, 15))
    return household


def test_run_text(cli, exchange_story):
    household = _in_grace(exchange_story)
    result = runner.invoke(cli, ["delinquency", "run", "--as-of", "2026-02-03"])
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output
    assert f"{household.policy.policy_number}: active -> grace effective 2026-02-01" in result.output


def test_run_json(cli, exchange_story):
    household = _in_grace(exchange_story)
    result = runner.invoke(cli, ["delinquency", "run", "--as-of", "2026-02-03", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["changes"][0]["policy_number"] == household.policy.policy_number
    assert data["changes"][0]["to"] == "grace"


def test_run_bad_date(cli):
    result = runner.invoke(cli, ["delinquency", "run", "--as-of", "2026-02-30"])
    assert result.exit_code == 1
    assert "as_of '2026-02-30' is not a valid date." in result.output


def test_eligibility_json(cli, exchange_story):
    household = _in_grace(exchange_story)
    exchange_story.run(date(2026, 2, 3))
    result = runner.invoke(cli, ["eligibility", household.member_id, "--date", "2026-03-10", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["claims"] == "pend"
    assert data["grace_month"] == 2


def test_eligibility_text(cli, exchange_story):
    household = _in_grace(exchange_story)
    result = runner.invoke(cli, ["eligibility", household.member_id, "--date", "2026-01-20"])
    assert result.exit_code == 0, result.output
    assert f"{household.member_id} on 2026-01-20: covered; claims pay" in result.output
    assert "paid through 2026-01-31" in result.output


def test_eligibility_unknown_member(cli):
    result = runner.invoke(cli, ["eligibility", "M-NOBODY", "--date", "2026-01-20"])
    assert result.exit_code == 1
    assert "No person has member ID 'M-NOBODY'." in result.output


def test_write_834(cli, exchange_story, tmp_path):
    story = exchange_story
    household = story.individual(effective=date(2026, 1, 1), birth=date(1980, 3, 15), exchange=True, aptc_cents=47_760, status=PolicyStatus.PENDING)
    story.day(date(2025, 12, 15))
    story.pay(household, 10_000, date(2025, 12, 28))
    story.run(date(2025, 12, 28))
    target = tmp_path / "effectuations.834"
    options = ["--as-of", "2025-12-29", "--sender", "PREMIA", "--receiver", "EXCHANGE", "--insurer-name", "Demo Health"]
    result = runner.invoke(cli, ["delinquency", "write-834", *options, "--insurer-tax-id", "123456789", "--output", str(target), "--test"])
    assert result.exit_code == 0, result.output
    assert "wrote interchange 1 with 1 change(s)" in result.output
    assert target.read_text(encoding="utf-8").startswith("ISA*")
    again = runner.invoke(cli, ["delinquency", "write-834", *options, "--insurer-tax-id", "123456789", "--output", str(target)])
    assert "no enrollment changes are queued" in again.output
