"""The payment commands run in-process against SQLite and PostgreSQL, as `premia` would run them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from premia.formats.nacha import read_nacha
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory, transaction
from premia.infra.settings import load_settings
from premia.interfaces.cli.accounts import accounts_app
from premia.interfaces.cli.ledger import ledger_app
from premia.interfaces.cli.payments import (
    IMPORT_COMMANDS,
    autodraft_app,
    payments_app,
    reconcile,
    refunds_app,
    suspense_app,
)
from premia.kernel.banking_days import next_banking_day
from premia.kernel.clock import FixedClock
from premia.kernel.dates import Month
from premia.staff.model import Actor
from tests.integration.conftest import Story, story_catalog
from tests.integration.payments.conftest import Credit, bai2_file, couple, on_autodraft
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


def _app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    app.add_typer(payments_app, name="payments")
    app.add_typer(autodraft_app, name="autodraft")
    app.add_typer(suspense_app, name="suspense")
    app.add_typer(refunds_app, name="refunds")
    app.command("reconcile")(reconcile)
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(accounts_app, name="accounts")
    imports = typer.Typer()
    for name, command in IMPORT_COMMANDS.items():
        imports.command(name)(command)
    app.add_typer(imports, name="import")
    return app


APP = _app()


def run(*args: str) -> Any:
    return CliRunner().invoke(APP, list(args))


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@contextmanager
def _story(day: date) -> Iterator[Story]:
    """A committed story on the CLI's database, built through the services."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            ctx = ServiceContext(session=session, actor=Actor.system("setup"), clock=FixedClock(datetime(day.year, day.month, day.day, 12, tzinfo=UTC)), settings=settings)
            yield Story(ctx=ctx, catalog=story_catalog())
    finally:
        engine.dispose()


def _billed_couple(*, autodraft: bool = False) -> tuple[str, str]:
    """A couple billed 968.00 for May 2026; returns the account and invoice numbers."""
    with _story(date(2026, 4, 1)) as story:
        household = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
        if autodraft:
            on_autodraft(story, household.account)
        story.bill(date(2026, 4, 15))
        return household.account.account_number, story.invoices(household.account)[0].invoice_number


def test_post_and_repeat(logged_in):
    account, _ = _billed_couple()
    args = ["payments", "post", "--account", account, "--amount", "968.00", "--method", "money-order", "--reference", "MO-17", "--idempotency-key", "k-1", "--received-on", "2026-04-20", "--json"]
    first = _json(run(*args))
    again = _json(run(*args))
    assert first["applied"] == "968.00"
    assert again["replayed"] is True
    assert again["payment_id"] == first["payment_id"]


def test_post_dated_tomorrow_rejected(logged_in):
    account, _ = _billed_couple()
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    result = run("payments", "post", "--account", account, "--amount", "968.00", "--method", "check", "--reference", "1001", "--received-on", tomorrow)
    assert result.exit_code == 1
    assert "payment.received_in_future" in result.output


def test_reverse_payment(logged_in):
    account, _ = _billed_couple()
    posted = _json(run("payments", "post", "--account", account, "--amount", "100.00", "--method", "check", "--reference", "1001", "--json"))
    reversed_ = _json(run("payments", "reverse", str(posted["payment_id"]), "--reason", "check bounced at the counter", "--json"))
    assert reversed_["status"] == "reversed"


def test_csr_may_not_reverse(login_as):
    login_as("casey", "csr")
    account, _ = _billed_couple()
    posted = _json(run("payments", "post", "--account", account, "--amount", "100.00", "--method", "check", "--reference", "1001", "--json"))
    result = run("payments", "reverse", str(posted["payment_id"]), "--reason", "mistake")
    assert result.exit_code == 1
    assert "payments.reverse" in result.output


def test_autodraft_run_writes_file(logged_in, cli_env: Path):
    # An ACH file cannot be effective before the day it is written, so this story lies ahead of the real clock.
    today = date.today()
    coverage = Month.of(today).plus(2)
    with _story(coverage.plus(-1).first_day) as story:
        household = couple(story, effective=coverage.first_day, start=coverage.plus(-1).first_day)
        on_autodraft(story, household.account)
        story.bill(coverage.plus(-1).first_day.replace(day=15))
        due = story.invoices(household.account)[0].amount_due_cents
    as_of = next_banking_day(coverage.first_day) - timedelta(days=1)
    output = cli_env / "drafts.ach"
    report = _json(run("autodraft", "run", "--as-of", as_of.isoformat(), "--output", str(output), "--json"))
    assert report["entry_count"] == 1
    assert read_nacha(output.read_bytes()).control.total_debit_cents == due
    again = run("autodraft", "run", "--as-of", as_of.isoformat(), "--output", str(output))
    assert again.exit_code == 0
    assert "nothing to draft" in again.output


def test_import_bai2_then_suspense_apply(logged_in, cli_env: Path):
    account, _ = _billed_couple()
    path = cli_env / "report.bai2"
    path.write_text(bai2_file("1234567890", date(2026, 4, 27), [Credit("195", 96_800, text="WIRE NO REFERENCE")]), encoding="ascii")
    report = _json(run("import", "bai2", str(path), "--as-of", "2026-04-27", "--json"))
    again = _json(run("import", "bai2", str(path), "--json"))
    (item,) = _json(run("suspense", "list", "--as-of", "2026-04-28", "--json"))
    applied = _json(run("suspense", "apply", str(item["id"]), "--account", account, "--note", "payer called", "--json"))
    assert report["counts"] == {"suspense": 1}
    assert again["already_imported"] is True
    assert applied["applied"] == "968.00"


def test_suspense_age_from_settings_file(logged_in, cli_env: Path, monkeypatch: pytest.MonkeyPatch):
    path = cli_env / "report.bai2"
    path.write_text(bai2_file("1234567890", date(2026, 4, 27), [Credit("195", 96_800, text="WIRE NO REFERENCE")]), encoding="ascii")
    _json(run("import", "bai2", str(path), "--as-of", "2026-04-27", "--json"))
    (by_default,) = _json(run("suspense", "list", "--as-of", "2026-05-10", "--json"))
    config_file = cli_env / "payments.yaml"
    config_file.write_text("suspense_max_age_days: 5\n", encoding="utf-8")
    monkeypatch.setenv("PREMIA_PAYMENTS_CONFIG_FILE", str(config_file))

    (configured,) = _json(run("suspense", "list", "--as-of", "2026-05-10", "--json"))

    # Received on April 27: 13 days old on May 10, within the default 45 but past the configured 5.
    assert by_default["overdue"] is False
    assert configured["overdue"] is True


def test_malformed_import_rejected(logged_in, cli_env: Path):
    path = cli_env / "bad.bai2"
    path.write_text("00,0004,1/2/345,06/0321,0829,001,80,1,2/\n", encoding="ascii")
    result = run("import", "bai2", str(path))
    assert result.exit_code == 1
    assert "record code '00'" in result.output


def test_refund_request_and_approve(login_as):
    login_as("casey", "csr")
    account, _ = _billed_couple()
    _json(run("payments", "post", "--account", account, "--amount", "1568.00", "--method", "check", "--reference", "2002", "--json"))
    requested = _json(run("refunds", "request", "--account", account, "--amount", "600.00", "--reason", "overpaid", "--json"))
    login_as("sam", "supervisor")
    approved = _json(run("refunds", "approve", str(requested["refund_id"]), "--json"))
    assert requested["status"] == "pending_approval"
    assert approved["status"] == "approved"


def test_reconcile_reports_difference(logged_in, cli_env: Path):
    account, number = _billed_couple()
    path = cli_env / "report.bai2"
    path.write_text(bai2_file("1234567890", date(2026, 4, 27), [Credit("115", 96_800, customer_reference=number)]), encoding="ascii")
    _json(run("import", "bai2", str(path), "--as-of", "2026-04-27", "--json"))
    _json(run("payments", "post", "--account", account, "--amount", "10.00", "--method", "check", "--reference", "3003", "--received-on", "2026-04-27", "--json"))
    report = _json(run("reconcile", "--date", "2026-04-27", "--json"))
    rows = {row["bank_account"]: row for row in report["accounts"]}
    assert rows["1234567890"]["difference"] == "0.00"
    assert rows["OPERATING"]["difference"] == "-10.00"
    assert report["balanced"] is False


def test_lockbox_rejection_lists_rows(logged_in, cli_env: Path):
    path = cli_env / "bad.csv"
    path.write_text("invoice_number,amount,received_on\nA-1,$577.60,2026-04-27\nA-2,12.345,2026-04-27\nA-3,1.00,2026-13-01\n", encoding="ascii")
    result = run("import", "lockbox", str(path))
    assert result.exit_code == 1
    assert "Line 2" in result.output
    assert "Line 3" in result.output
    assert "Line 4" in result.output


def test_trial_balance_after_payment(logged_in):
    account, _ = _billed_couple()
    _json(run("payments", "post", "--account", account, "--amount", "968.00", "--method", "check", "--reference", "1042", "--received-on", "2026-04-20", "--json"))
    report = _json(run("ledger", "trial-balance", "--as-of", "2026-04-30", "--json"))
    balances = {row["code"]: row["balance_cents"] for row in report["accounts"]}
    assert report["balanced"] is True
    # 968.00 billed and paid: receivable back to zero, the cash in clearing, revenue credited.
    assert balances["1100"] == 0
    assert balances["1010"] == 96_800
    assert balances["4000"] == -96_800
    text = run("ledger", "trial-balance", "--as-of", "2026-04-30")
    assert "1010 Cash clearing" in text.output


def test_account_shown_as_of_date(logged_in):
    account, _ = _billed_couple()
    before = _json(run("accounts", "show", account, "--as-of", "2026-04-20", "--json"))["sections"]["billing"]
    after = _json(run("accounts", "show", account, "--as-of", "2026-08-15", "--json"))["sections"]["billing"]
    # The 968.00 invoice is due 2026-05-01: current on 2026-04-20, 106 days late on 2026-08-15.
    assert before["as_of"] == "2026-04-20"
    assert before["aging"]["current"] == "968.00"
    assert after["aging"]["current"] == "0.00"
    assert after["aging"]["over 90"] == "968.00"


def test_account_before_its_first_bill(logged_in):
    account, _ = _billed_couple()
    # The May invoice is issued 2026-04-15; on 2026-04-10 nothing was billed yet.
    summary = _json(run("accounts", "show", account, "--as-of", "2026-04-10", "--json"))["sections"]["billing"]
    assert summary["invoices"] == []
    assert summary["balance"] == "0.00"
    assert summary["aging"]["current"] == "0.00"


def test_paid_through_shown_as_of_date(logged_in):
    account, _ = _billed_couple()
    _json(run("payments", "post", "--account", account, "--amount", "968.00", "--method", "check", "--reference", "1042", "--received-on", "2026-04-20", "--json"))
    before = _json(run("accounts", "show", account, "--as-of", "2026-04-18", "--json"))["sections"]["billing"]
    after = _json(run("accounts", "show", account, "--as-of", "2026-04-25", "--json"))["sections"]["billing"]
    # May, billed 2026-04-15, is paid on 2026-04-20.
    assert before["policies"][0]["paid_through"] is None
    assert after["policies"][0]["paid_through"] == "2026-05-31"
