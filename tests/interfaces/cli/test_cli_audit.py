"""`premia audit` lists a row for every read and change of member data made through the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.interfaces.cli.conftest import Invoke

pytestmark = pytest.mark.database

MEMBER_RECORDS = {"person", "billing_account", "bank_account", "employer_group"}


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


def _audit(premia: Invoke, *filters: str) -> list[dict[str, str]]:
    return json.loads(_ok(premia("audit", "--json", *filters)).stdout)


@pytest.fixture
def session_of_work(premia: Invoke, logged_in: str) -> None:
    """One CLI session that reads and changes member data with every accounts command."""
    _ok(premia("accounts", "create", "--first-name", "Maria", "--last-name", "Lopez", "--birth-date", "1980-03-15",
               "--ssn-stdin", "--json", input="123-45-6789\n"))  # fmt: skip
    _ok(premia("accounts", "show", "BA-000001"))
    _ok(premia("accounts", "list", "--member-id", "M000000001"))
    _ok(premia("accounts", "update", "BA-000001", "--due-day", "9"))
    _ok(premia("accounts", "add-bank", "BA-000001", "--holder-name", "Maria Lopez", "--routing", "051000017",
               "--authorized-via", "paper", "--authorized-by", "Maria Lopez", input="000123456789\n"))  # fmt: skip
    _ok(premia("groups", "create", "G-0901", "--name", "Riverside Machine Works", "--anniversary-month", "9",
               "--address", "100 Industrial Pkwy", "--city", "Norfolk", "--state", "VA", "--zip", "23510"))  # fmt: skip


def test_every_read_and_change_listed(premia: Invoke, session_of_work: None) -> None:
    rows = [row for row in reversed(_audit(premia)) if row["record_type"] in MEMBER_RECORDS]

    assert [(row["action"], row["record_type"], row["record"]) for row in rows] == [
        ("create", "person", "M000000001"),  # accounts create
        ("create", "billing_account", "BA-000001"),
        ("read", "billing_account", "BA-000001"),  # create prints the account it opened
        ("read", "billing_account", "BA-000001"),  # accounts show
        ("search", "billing_account", "BA-000001"),  # accounts list
        ("update", "billing_account", "BA-000001"),  # accounts update
        ("read", "billing_account", "BA-000001"),  # update prints the result
        ("create", "bank_account", "1"),  # accounts add-bank
        ("create", "employer_group", "G-0901"),  # groups create
    ]
    assert {row["user"] for row in rows} == {"admin"}
    assert {row["channel"] for row in rows} == {"cli"}
    assert {row["role"] for row in rows} == {"admin"}


def test_change_rows_name_fields(premia: Invoke, session_of_work: None) -> None:
    rows = _audit(premia, "--record-type", "billing_account")

    update = next(row for row in rows if row["action"] == "update")
    assert update["fields"] == "due_day"
    assert all(row["fields"] for row in rows)


def test_rows_hold_no_values(premia: Invoke, session_of_work: None) -> None:
    listed = premia("audit")

    assert listed.exit_code == 0, listed.output
    assert "123456789" not in listed.output
    assert "6789" not in listed.output


def test_filter_by_record(premia: Invoke, session_of_work: None) -> None:
    rows = _audit(premia, "--record-type", "person", "--record", "M000000001")

    assert [(row["action"], row["record"]) for row in rows] == [("create", "M000000001")]


def test_filter_by_user(premia: Invoke, session_of_work: None, login_as: Callable[[str, str], None]) -> None:
    login_as("casey", "csr")
    _ok(premia("accounts", "show", "BA-000001"))
    login_as("avery", "auditor")

    rows = _audit(premia, "--user", "casey")

    assert [(row["action"], row["record"], row["role"]) for row in rows] == [("read", "BA-000001", "csr")]


def test_limit_newest_first(premia: Invoke, session_of_work: None) -> None:
    rows = _audit(premia, "--limit", "1")

    assert len(rows) == 1
    assert rows[0]["record_type"] == "employer_group"


def test_text_table(premia: Invoke, session_of_work: None) -> None:
    result = _ok(premia("audit", "--record-type", "employer_group"))

    header, row = result.stdout.splitlines()
    assert header.split() == ["TIME", "USER", "ACTION", "RECORD_TYPE", "RECORD", "FIELDS"]
    assert row.split()[1:] == ["admin", "create", "employer_group", "G-0901"]


def test_csr_cannot_list(premia: Invoke, login_as: Callable[[str, str], None]) -> None:
    login_as("casey", "csr")

    result = premia("audit")

    assert result.exit_code == 1
    assert "staff.permission_denied" in result.stderr
    assert "audit.read" in result.stderr


def test_auditor_can_list(premia: Invoke, session_of_work: None, login_as: Callable[[str, str], None]) -> None:
    login_as("avery", "auditor")

    rows = _audit(premia, "--record", "BA-000001")

    # create, search, update, and the reads by create, show and update
    assert sorted(row["action"] for row in rows) == ["create", "read", "read", "read", "search", "update"]


def test_limit_must_be_positive(premia: Invoke, clean_environment: Path) -> None:
    assert premia("audit", "--limit", "0").exit_code == 2
