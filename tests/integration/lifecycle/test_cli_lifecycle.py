"""The renewal and policy commands run in-process against SQLite and PostgreSQL, as `premia` would run them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from premia.accounts.tables import Person
from premia.catalog.service import current_catalog, load_catalog
from premia.enrollment.model import Relationship
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory, transaction
from premia.infra.settings import load_settings
from premia.interfaces.cli.lifecycle import policies_app, renewals_app
from premia.kernel.clock import FixedClock
from premia.rating import DEMO_CATALOG_PATH
from premia.staff.model import Actor
from tests.integration.lifecycle.conftest import Story
from tests.interfaces.cli.conftest import (  # noqa: F401 - fixtures used by name
    cheap_hashing,
    clean_environment,
    cli_env,
    database_url,
    logged_in,
    login_as,
    module_postgres,
    restore_premia_logger,
)

pytestmark = pytest.mark.database

PLAN = "12345VA0040001"


def _app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    app.add_typer(renewals_app, name="renewals")
    app.add_typer(policies_app, name="policies")
    return app


APP = _app()


def run(*args: str) -> Any:
    return CliRunner().invoke(APP, list(args))


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@contextmanager
def _story(day: date) -> Iterator[Story]:
    """A committed story on the CLI's database, with the demo catalog loaded."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            ctx = ServiceContext(session=session, actor=Actor.system("setup"), clock=FixedClock(datetime(day.year, day.month, day.day, 12, tzinfo=UTC)), settings=settings)
            load_catalog(ctx, DEMO_CATALOG_PATH)
            yield Story(ctx=ctx, catalog=current_catalog(ctx))
    finally:
        engine.dispose()


def _couple() -> tuple[str, str]:
    """A couple on the demo Silver EPO from 2026-01-01; returns the policy number and the spouse's member id."""
    with _story(date(2025, 12, 1)) as story:
        account = story.account(birth=date(1990, 4, 12))
        policy = story.policy(account, effective=date(2026, 1, 1), plan_id=PLAN)
        spouse = story.dependent(policy, first_name="Bea", birth=date(1992, 9, 3), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))
        member_id = story.ctx.session.get(Person, spouse.person_id).member_id
        return policy.policy_number, member_id


def test_renewal_run_and_decline(logged_in):
    policy, _ = _couple()
    report = _json(run("renewals", "run", "--as-of", "2026-10-15", "--json"))
    again = _json(run("renewals", "run", "--as-of", "2026-10-15", "--json"))

    assert report["renewed"] == 1
    renewed = report["policies"][0]
    assert renewed["policy_number"] == policy
    assert renewed["renewal_date"] == "2027-01-01"
    # A 35 (1.222) and B 33 (1.198) on 2026-01-01: 488.80 + 479.20 = 968.00;
    # 36 (1.230) and 34 (1.214) on 2027-01-01: 492.00 + 485.60 = 977.60.
    assert renewed["previous_premium"] == "968.00"
    assert renewed["premium"] == "977.60"
    assert again["renewed"] == 0

    declined = _json(run("renewals", "decline", policy, "--on", "2026-11-01", "--reason", "moving abroad", "--json"))
    assert declined["declined"][0]["status"] == "declined"
    text = run("renewals", "decline", policy, "--on", "2026-11-02", "--reason", "again")
    assert text.exit_code == 1
    assert "renewal.no_waiting_offer" in text.output


def test_terminate_and_reinstate(logged_in):
    policy, _ = _couple()
    ended = _json(
        run("policies", "terminate", policy, "--effective", "2026-02-28", "--requested-on", "2026-05-10", "--reason", "moved", "--json")
    )
    # 2026-05-10 - 30 days = 2026-04-10
    assert ended["last_covered_day"] == "2026-04-10"
    assert ended["requested_last_covered_day"] == "2026-02-28"

    back = _json(run("policies", "reinstate", policy, "--on", "2026-05-12", "--reason", "termination sent in error", "--json"))
    assert back["status"] == "active"
    assert back["end_date"] is None

    listed = _json(run("policies", "changes", policy, "--json"))
    termination_change, reinstatement = listed["changes"]
    assert (termination_change["kind"], termination_change["source"], termination_change["effective_date"]) == ("termination", "member", "2026-04-10")
    assert termination_change["reversed_by_change_id"] == reinstatement["change_id"]
    assert reinstatement["kind"] == "reinstatement"
    text = run("policies", "changes", policy)
    assert f"reversed by #{reinstatement['change_id']}" in text.output


def test_changes_of_unknown_policy(logged_in):
    result = run("policies", "changes", "P-9999999")
    assert result.exit_code == 1
    assert "not_found" in result.output


def test_member_commands(logged_in):
    policy, spouse = _couple()
    removed = _json(run("policies", "remove-member", policy, "--member", spouse, "--effective", "2026-06-30", "--requested-on", "2026-06-01", "--json"))
    assert removed["last_covered_day"] == "2026-06-30"
    added = _json(
        run("policies", "add-member", policy, "--member", spouse, "--relationship", "spouse", "--effective", "2026-08-01", "--requested-on", "2026-07-20", "--json")
    )
    assert added["start_date"] == "2026-08-01"


def test_exchange_plan_change(logged_in):
    with _story(date(2025, 12, 1)) as story:
        account = story.account(birth=date(1990, 4, 12))
        number = story.policy(account, effective=date(2026, 1, 1), plan_id="12345VA0010001", on_exchange=True).policy_number
    rejected = run("policies", "change-plan", number, "--plan", "12345VA0020001", "--effective", "2026-09-01", "--requested-on", "2026-08-20")
    assert rejected.exit_code == 1
    assert "Marketplace" in rejected.output

    changed = _json(
        run("policies", "change-plan", number, "--plan", "12345VA0020001", "--effective", "2026-09-01", "--requested-on", "2026-08-20", "--source", "exchange", "--json")
    )
    assert changed["policy_number"] == number
    assert changed["plan_id"] == "12345VA0020001"
    assert changed["effective_date"] == "2026-09-01"


def test_cancel_before_start(logged_in):
    with _story(date(2026, 1, 10)) as story:
        account = story.account(birth=date(1990, 4, 12))
        number = story.policy(account, effective=date(2026, 2, 1), plan_id=PLAN).policy_number
    cancelled = _json(run("policies", "cancel", number, "--on", "2026-01-20", "--reason", "changed mind", "--json"))
    assert cancelled["status"] == "cancelled"
    assert cancelled["free_look"] is False

    settled = _json(run("policies", "settle-refunds", "--as-of", "2026-02-16", "--json"))
    assert settled["settled"] == []

    with _story(date(2026, 1, 20)) as story:
        status = story.ctx.session.scalar(select(Policy.status).where(Policy.policy_number == number))
    assert status == "cancelled"


def test_decline_needs_policy_or_group(logged_in):
    result = run("renewals", "decline", "--reason", "none")
    assert result.exit_code == 1
    assert "renewal.policy_or_group" in result.output
