"""`premia billing run` and the billing section of `premia accounts show`, through the CLI."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, AccountKind, BillingPreferences, PersonInput
from premia.enrollment import service as enrollment
from premia.enrollment.model import Market, PolicyStatus
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory, transaction
from premia.infra.settings import load_settings
from premia.interfaces.cli.runtime import SystemClock
from premia.rating import DEMO_CATALOG_PATH
from premia.staff.model import Actor
from tests.interfaces.cli.conftest import (  # noqa: F401 - fixtures used by the tests below
    Invoke,
    cheap_hashing,
    clean_environment,
    cli_env,
    database_url,
    logged_in,
    login_as,
    module_postgres,
    premia,
    restore_premia_logger,
)

pytestmark = pytest.mark.database


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def household(premia: Invoke, logged_in: str) -> str:
    """The demo catalog, and one account with an off-exchange policy from 2026-01-01; returns its number."""
    loaded = premia("catalog", "load", str(DEMO_CATALOG_PATH))
    assert loaded.exit_code == 0, loaded.output
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            ctx = ServiceContext(session=session, actor=Actor.system("setup"), clock=SystemClock(), settings=settings)
            account = accounts.create_account(
                ctx,
                AccountInput(
                    kind=AccountKind.INDIVIDUAL,
                    holder=PersonInput(first_name="Ana", last_name="Subscriber", birth_date=date(1990, 4, 12)),
                    preferences=BillingPreferences(),
                ),
            )
            enrollment.create_policy(
                ctx,
                enrollment.PolicyInput(
                    billing_account_id=account.id,
                    subscriber_person_id=account.person_id,
                    plan_id="12345VA0040001",
                    rating_area="VA-1",
                    market=Market.INDIVIDUAL,
                    state="VA",
                    effective_date=date(2026, 1, 1),
                    status=PolicyStatus.ACTIVE,
                ),
            )
            return account.account_number
    finally:
        engine.dispose()


def test_run_dry_then_real(premia: Invoke, household: str):
    dry = _json(premia("billing", "run", "--as-of", "2025-12-15", "--dry-run", "--json"))
    # Age 35 on 2026-01-01, factor 1.222, VA-1 base rate 400.00: 488.80
    assert dry["invoices"] == 1
    assert dry["billed"] == "488.80"
    assert dry["accounts"][0]["status"] == "would_issue"
    assert dry["run_id"] is None

    real = _json(premia("billing", "run", "--as-of", "2025-12-15", "--json"))
    assert real["invoices"] == 1
    assert real["accounts"][0]["invoice_number"] == "PRM-2025-000001"

    again = _json(premia("billing", "run", "--as-of", "2025-12-15", "--account", household, "--json"))
    assert again["invoices"] == 0
    assert again["already_billed"] == 1


def test_account_show_has_billing(premia: Invoke, household: str):
    premia("billing", "run", "--as-of", "2025-12-15")

    shown = _json(premia("accounts", "show", household, "--json"))
    billing = shown["sections"]["billing"]
    assert billing["balance"] == "488.80"
    assert billing["policies"][0]["paid_through"] is None
    assert set(billing["aging"]) == {"current", "1-30", "31-60", "61-90", "over 90"}
    invoice = billing["invoices"][0]
    assert invoice["period"] == "2026-01-01..2026-01-31"
    assert invoice["amount_due"] == "488.80"
    assert [line["amount"] for line in invoice["lines"]] == ["488.80"]


def test_run_unknown_account_fails(premia: Invoke, household: str):
    result = premia("billing", "run", "--as-of", "2025-12-15", "--account", "BA-999999")
    assert result.exit_code == 1
    assert "BA-999999" in result.output


def test_run_text_summary(premia: Invoke, household: str):
    result = premia("billing", "run", "--as-of", "2025-12-15")
    assert result.exit_code == 0, result.output
    assert "issued 1 invoice(s) for 488.80" in result.stdout
