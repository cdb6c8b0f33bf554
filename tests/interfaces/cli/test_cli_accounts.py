"""`premia accounts create|show|list|update|add-bank` and `premia groups create`, with --json output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from premia.accounts.tables import BankAccount, BillingAccount, Person
from premia.infra.db import make_engine
from tests.interfaces.cli.conftest import Invoke

pytestmark = pytest.mark.database

MARIA = [
    "--first-name", "Maria",
    "--last-name", "Lopez",
    "--birth-date", "1980-03-15",
    "--sex", "F",
    "--address", "48 Oak Ave",
    "--city", "Richmond",
    "--state", "VA",
    "--zip", "23220",
    "--phone", "804-555-0142",
]  # fmt: skip
BANK = [
    "--holder-name", "Maria Lopez",
    "--routing", "051000017",
    "--authorized-via", "telephone",
    "--authorized-by", "Maria Lopez",
    "--reference", "call 2026-0142",
]  # fmt: skip


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _count(database_url: str, table: type) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(table)) or 0
    finally:
        engine.dispose()


@pytest.fixture
def maria(premia: Invoke, logged_in: str) -> dict[str, Any]:
    """Maria Lopez's account, opened through the CLI with her SSN on standard input."""
    return _json(premia("accounts", "create", *MARIA, "--ssn-stdin", "--json", input="123-45-6789\n"))


@pytest.fixture
def employer(premia: Invoke, logged_in: str) -> Callable[..., None]:
    def create(number: str = "G-0901", name: str = "Riverside Machine Works", *extra: str) -> None:
        result = premia(
            "groups", "create", number, "--name", name, "--anniversary-month", "9",
            "--address", "100 Industrial Pkwy", "--city", "Norfolk", "--state", "VA", "--zip", "23510", *extra,
        )  # fmt: skip
        assert result.exit_code == 0, result.output

    return create


def test_create_individual(maria: dict[str, Any]) -> None:
    assert maria["account_number"] == "BA-000001"
    assert maria["kind"] == "individual"
    assert maria["status"] == "open"
    assert maria["holder_name"] == "Maria Lopez"
    assert maria["holder"]["member_id"] == "M000000001"
    assert maria["holder"]["birth_date"] == "1980-03-15"
    assert maria["holder"]["ssn"] == "•••-••-6789"
    assert maria["holder"]["address"]["zip_code"] == "23220"
    assert maria["preferences"]["payment_method"] == "invoice"


def test_create_text_output(premia: Invoke, logged_in: str) -> None:
    result = premia("accounts", "create", *MARIA, "--ssn-stdin", input="123-45-6789\n")

    assert result.exit_code == 0, result.output
    assert "BA-000001  Maria Lopez  (individual, open, entity MAIN)" in result.stdout
    assert "SSN •••-••-6789" in result.stdout
    assert "123-45-6789" not in result.stdout


def test_create_with_preferences(premia: Invoke, logged_in: str) -> None:
    created = _json(
        premia(
            "accounts", "create", *MARIA, "--email", "maria@example.org", "--delivery", "email",
            "--language", "es", "--payment-mode", "quarterly", "--due-day", "15", "--json",
        )  # fmt: skip
    )

    assert created["preferences"]["delivery"] == "email"
    assert created["preferences"]["payer_email"] == "maria@example.org"
    assert created["preferences"]["language"] == "es"
    assert created["preferences"]["payment_mode"] == "quarterly"
    assert created["preferences"]["due_day"] == 15
    assert created["holder"]["spoken_language"] == "es"


def test_create_for_existing_member(premia: Invoke, maria: dict[str, Any]) -> None:
    result = premia("accounts", "create", "--member-id", "M000000001", "--legal-entity", "LIFE", "--json")

    other = _json(result)
    assert other["account_number"] == "BA-000002"
    assert other["legal_entity"] == "LIFE"
    assert other["holder"]["member_id"] == "M000000001"


def test_show_json(premia: Invoke, maria: dict[str, Any]) -> None:
    shown = _json(premia("accounts", "show", "BA-000001", "--json"))

    assert shown["account_number"] == "BA-000001"
    assert shown["holder"]["ssn"] == "•••-••-6789"
    assert shown["bank_accounts"] == []


def test_show_text_prints_sections(premia: Invoke, maria: dict[str, Any]) -> None:
    result = premia("accounts", "show", "BA-000001")

    assert result.exit_code == 0, result.output
    assert "\n  Billing\n" in result.stdout
    assert "\n    balance: 0.00\n" in result.stdout
    assert "\n    invoices: none\n" in result.stdout
    assert "{'" not in result.stdout


def test_show_lowercase_number(premia: Invoke, maria: dict[str, Any]) -> None:
    assert _json(premia("accounts", "show", "ba-000001", "--json"))["account_number"] == "BA-000001"


def test_show_unknown_account(premia: Invoke, logged_in: str) -> None:
    result = premia("accounts", "show", "BA-999999")

    assert result.exit_code == 1
    assert "field: account_number" in result.stderr
    assert "BA-999999" in result.stderr


def test_list_by_member_id(premia: Invoke, maria: dict[str, Any]) -> None:
    found = _json(premia("accounts", "list", "--member-id", "M000000001", "--json"))

    assert [view["account_number"] for view in found] == ["BA-000001"]


def test_list_by_name_and_birth_date(premia: Invoke, maria: dict[str, Any]) -> None:
    found = _json(premia("accounts", "list", "--last-name", "lopez", "--birth-date", "1980-03-15", "--json"))
    none = _json(premia("accounts", "list", "--last-name", "lopez", "--birth-date", "1980-03-16", "--json"))

    assert [view["account_number"] for view in found] == ["BA-000001"]
    assert none == []


def test_list_text_table(premia: Invoke, maria: dict[str, Any]) -> None:
    result = premia("accounts", "list", "--account", "BA-000001")

    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split() == ["ACCOUNT", "KIND", "HOLDER", "MEMBER_ID", "METHOD", "MODE", "STATUS"]
    assert row.split() == ["BA-000001", "individual", "Maria", "Lopez", "M000000001", "invoice", "monthly", "open"]


def test_list_name_without_birth_date(premia: Invoke, logged_in: str) -> None:
    result = premia("accounts", "list", "--last-name", "Lopez")

    assert result.exit_code == 1
    assert "field: birth_date" in result.stderr


def test_group_and_sub_group_accounts(premia: Invoke, employer: Callable[..., None]) -> None:
    employer()
    employer("G-0901-01", "Riverside Machine Works, Norfolk plant", "--parent", "G-0901")

    parent = _json(premia("accounts", "create", "--group", "G-0901", "--json"))
    plant = _json(premia("accounts", "create", "--group", "G-0901-01", "--json"))
    found = _json(premia("accounts", "list", "--employer", "norfolk plant", "--json"))

    assert parent["kind"] == "group"
    assert parent["employer_group"] == {"group_number": "G-0901", "name": "Riverside Machine Works"}
    assert plant["employer_group"]["group_number"] == "G-0901-01"
    assert [view["account_number"] for view in found] == [plant["account_number"]]


def test_group_unknown_parent(premia: Invoke, employer: Callable[..., None], database_url: str) -> None:
    result = premia(
        "groups", "create", "G-0902-01", "--name", "Plant", "--anniversary-month", "1", "--address", "1 Main St",
        "--city", "Norfolk", "--state", "VA", "--zip", "23510", "--parent", "G-0902",
    )  # fmt: skip

    assert result.exit_code == 1
    assert "field: group_number" in result.stderr
    assert "G-0902" in result.stderr


def test_group_contribution_kinds(premia: Invoke, employer: Callable[..., None]) -> None:
    employer()

    percent = _json(premia("groups", "contribution", "G-0901", "--employee-only-percent", "75", "--json"))
    tiers = _json(premia("groups", "contribution", "G-0901", "--tier-amounts", "ee=400,es=650.5,ec=600,fam=900", "--json"))
    members = _json(premia("groups", "contribution", "G-0901", "--member-percent", "80", "--dependent-percent", "50", "--json"))
    removed = _json(premia("groups", "contribution", "G-0901", "--none", "--json"))

    assert percent["contribution"] == {"kind": "employee_only_percent", "percent": "75"}
    assert tiers["contribution"]["amounts"] == {"ee": "400.00", "es": "650.50", "ec": "600.00", "fam": "900.00"}
    assert members["contribution"] == {"kind": "member_percent", "employee_percent": "80", "dependent_percent": "50"}
    assert removed["contribution"] is None


def test_group_contribution_text(premia: Invoke, employer: Callable[..., None]) -> None:
    employer()

    result = premia("groups", "contribution", "G-0901", "--employee-only-percent", "75")

    assert result.exit_code == 0, result.output
    assert "employer pays 75% of the employee-only rate" in result.stdout


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (["--employee-only-percent", "120"], "field: percent"),
        (["--employee-only-percent", "lots"], "field: contribution.percent"),
        (["--tier-amounts", "ee=400,es=650"], "field: amounts"),
        (["--tier-amounts", "ee=400,xx=1,es=1,ec=1,fam=1"], "field: contribution.amounts.xx"),
        (["--tier-amounts", "ee400"], "field: tier_amounts"),
        (["--member-percent", "80", "--none"], "field: contribution"),
        (["--dependent-percent", "50"], "field: dependent_percent"),
        ([], "field: contribution"),
    ],
)
def test_group_contribution_rejected(
    premia: Invoke, employer: Callable[..., None], options: list[str], field: str
) -> None:
    employer()

    result = premia("groups", "contribution", "G-0901", *options)

    assert result.exit_code == 1
    assert field in result.stderr


def test_group_contribution_unknown_group(premia: Invoke, logged_in: str) -> None:
    result = premia("groups", "contribution", "G-9999", "--employee-only-percent", "50")

    assert result.exit_code == 1
    assert "G-9999" in result.stderr


def test_update_preferences(premia: Invoke, maria: dict[str, Any]) -> None:
    seen = str(maria["version"])

    updated = _json(
        premia("accounts", "update", "BA-000001", "--payment-mode", "annual", "--due-day", "12", "--version", seen, "--json")
    )

    assert updated["preferences"]["payment_mode"] == "annual"
    assert updated["preferences"]["due_day"] == 12
    assert updated["version"] == maria["version"] + 1


def test_update_stale_version(premia: Invoke, maria: dict[str, Any]) -> None:
    seen = str(maria["version"])
    _json(premia("accounts", "update", "BA-000001", "--due-day", "12", "--version", seen, "--json"))

    result = premia("accounts", "update", "BA-000001", "--due-day", "20", "--version", seen)

    assert result.exit_code == 1
    assert "field: version" in result.stderr
    assert "account.version_conflict" in result.stderr
    assert _json(premia("accounts", "show", "BA-000001", "--json"))["preferences"]["due_day"] == 12


def test_update_nothing_to_change(premia: Invoke, maria: dict[str, Any]) -> None:
    result = premia("accounts", "update", "BA-000001")

    assert result.exit_code == 1
    assert "preferences.nothing_to_change" in result.stderr


def test_update_due_day_out_of_range(premia: Invoke, maria: dict[str, Any]) -> None:
    result = premia("accounts", "update", "BA-000001", "--due-day", "31")

    assert result.exit_code == 1
    assert "field: due_day" in result.stderr
    assert "31" in result.stderr


def test_add_bank_and_autodraft(premia: Invoke, maria: dict[str, Any]) -> None:
    bank = _json(premia("accounts", "add-bank", "BA-000001", *BANK, "--json", input="000123456789\n"))
    drafted = _json(premia("accounts", "update", "BA-000001", "--payment-method", "ach_autodraft", "--autodraft-day", "3", "--json"))

    assert bank["account_number"] == "••••6789"
    assert bank["routing_number"] == "051000017"
    assert bank["authorization"]["sec_code"] == "TEL"
    assert bank["authorization"]["recorded_by"] == "admin"
    assert drafted["preferences"]["payment_method"] == "ach_autodraft"
    assert drafted["preferences"]["autodraft_day"] == 3
    assert drafted["bank_accounts"][0]["account_number"] == "••••6789"


def test_add_bank_text_output(premia: Invoke, maria: dict[str, Any]) -> None:
    result = premia("accounts", "add-bank", "BA-000001", *BANK, input="000123456789\n")

    assert result.exit_code == 0, result.output
    assert "bank account ••••6789 (routing 051000017) recorded, TEL" in result.stdout
    assert "000123456789" not in result.output


def test_autodraft_without_bank(premia: Invoke, maria: dict[str, Any]) -> None:
    result = premia("accounts", "update", "BA-000001", "--payment-method", "ach_autodraft")

    assert result.exit_code == 1
    assert "field: payment_method" in result.stderr


def test_invalid_routing_writes_nothing(premia: Invoke, maria: dict[str, Any], database_url: str) -> None:
    result = premia("accounts", "add-bank", "BA-000001", *BANK[:2], "--routing", "051000018", *BANK[4:], input="000123456789\n")

    assert result.exit_code == 1
    assert "field: routing_number" in result.stderr
    assert "051000018" in result.stderr
    assert _count(database_url, BankAccount) == 0


def test_unknown_state_writes_nothing(premia: Invoke, logged_in: str, database_url: str) -> None:
    arguments = [value if value != "VA" else "XV" for value in MARIA]

    result = premia("accounts", "create", *arguments, "--ssn-stdin", input="123-45-6789\n")

    assert result.exit_code == 1
    assert "field: address.state" in result.stderr
    assert "'XV'" in result.stderr
    assert _count(database_url, Person) == 0
    assert _count(database_url, BillingAccount) == 0


def test_future_birth_date(premia: Invoke, logged_in: str, database_url: str) -> None:
    arguments = [value if value != "1980-03-15" else "2999-01-01" for value in MARIA]

    result = premia("accounts", "create", *arguments)

    assert result.exit_code == 1
    assert "field: birth_date" in result.stderr
    assert "2999-01-01" in result.stderr
    assert _count(database_url, Person) == 0


def test_malformed_birth_date(premia: Invoke, logged_in: str) -> None:
    arguments = [value if value != "1980-03-15" else "03/15/1980" for value in MARIA]

    result = premia("accounts", "create", *arguments)

    assert result.exit_code == 1
    assert "field: birth_date" in result.stderr
    assert "03/15/1980" in result.stderr


def test_missing_last_name(premia: Invoke, logged_in: str, database_url: str) -> None:
    result = premia("accounts", "create", "--first-name", "Maria", "--birth-date", "1980-03-15")

    assert result.exit_code == 1
    assert "field: last_name" in result.stderr
    assert _count(database_url, Person) == 0


def test_incomplete_address(premia: Invoke, logged_in: str) -> None:
    result = premia("accounts", "create", *MARIA[:6], "--address", "48 Oak Ave")

    assert result.exit_code == 1
    assert "field: address" in result.stderr


def test_invalid_ssn_not_echoed(premia: Invoke, logged_in: str, database_url: str) -> None:
    result = premia("accounts", "create", *MARIA, "--ssn-stdin", input="666-12-3456\n")

    assert result.exit_code == 1
    assert "field: ssn" in result.stderr
    assert "12-3456" not in result.output
    assert _count(database_url, Person) == 0


def test_duplicate_account(premia: Invoke, maria: dict[str, Any], database_url: str) -> None:
    result = premia("accounts", "create", "--member-id", "M000000001")

    assert result.exit_code == 1
    assert "field: holder" in result.stderr
    assert "BA-000001" in result.stderr
    assert _count(database_url, BillingAccount) == 1


def test_csr_cannot_add_bank(
    premia: Invoke, maria: dict[str, Any], login_as: Callable[[str, str], None], database_url: str
) -> None:
    login_as("casey", "csr")

    result = premia("accounts", "add-bank", "BA-000001", *BANK, input="000123456789\n")

    assert result.exit_code == 1
    assert "staff.permission_denied" in result.stderr
    assert "bank_account.write" in result.stderr
    assert _count(database_url, BankAccount) == 0


def test_not_logged_in(premia: Invoke, cli_env: Path) -> None:
    result = premia("accounts", "show", "BA-000001")

    assert result.exit_code == 1
    assert "not logged in" in result.stderr


@pytest.mark.parametrize(
    "arguments",
    [
        ["accounts", "show", "BA-000001", "--colour"],
        ["accounts", "update", "BA-000001", "--payment-mode", "weekly"],
        ["accounts", "update", "BA-000001", "--due-day", "fifteen"],
        ["accounts", "create", "--sex", "X"],
        ["accounts", "list", "--limit", "0"],
        ["groups", "create", "G-1"],
    ],
    ids=["unknown-option", "bad-choice", "not-a-number", "bad-sex", "limit-below-1", "missing-option"],
)
def test_usage_error_exits_2(premia: Invoke, clean_environment: Path, arguments: list[str]) -> None:
    result = premia(*arguments)

    assert result.exit_code == 2
    assert "Usage" in result.stderr
