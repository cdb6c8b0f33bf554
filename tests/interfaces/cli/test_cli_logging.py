"""At log level DEBUG, no SSN or bank account number reaches the logs or the CLI's text output.

Premia's own logger writes JSON lines to the command's stderr. Every other logger propagates to
the root logger, which caplog captures. SQLAlchemy's statement and parameter logging is switched
on too (it is off by default), to show that only ciphertext travels to the database.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tests.interfaces.cli.conftest import Invoke, log_records

pytestmark = pytest.mark.database

SSN = "123-45-6789"
SSN_FORMS = ["123-45-6789", "123456789", "123 45 6789"]
BANK_NUMBER = "000123456789"
BANK = ["--holder-name", "Maria Lopez", "--authorized-via", "online", "--authorized-by", "Maria Lopez"]


def test_no_sensitive_values_logged(
    premia: Invoke,
    logged_in: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    cli_env: Path,
) -> None:
    monkeypatch.setenv("PREMIA_LOG_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")

    results = [
        premia("accounts", "create", "--first-name", "Maria", "--last-name", "Lopez", "--birth-date", "1980-03-15",
               "--ssn-stdin", input=SSN + "\n"),  # fmt: skip
        premia("accounts", "add-bank", "BA-000001", "--routing", "051000017", *BANK, input=BANK_NUMBER + "\n"),
        premia("accounts", "add-bank", "BA-000001", "--routing", "051000018", *BANK, input=BANK_NUMBER + "\n"),
        premia("accounts", "create", "--first-name", "Jose", "--last-name", "Lopez", "--birth-date", "1978-07-04",
               "--ssn-stdin", input="123-45-678\n"),  # fmt: skip
        premia("accounts", "update", "BA-000001", "--payment-method", "ach_autodraft"),
        premia("accounts", "show", "BA-000001"),
        premia("accounts", "list", "--last-name", "Lopez", "--birth-date", "1980-03-15"),
        premia("audit"),
    ]

    assert [result.exit_code for result in results] == [0, 0, 1, 1, 0, 0, 0, 0]
    stdout = "\n".join(result.stdout for result in results)
    stderr = "\n".join(result.stderr for result in results)
    # Messages, arguments and extra fields of every captured record, as text.
    captured = json.dumps([record.__dict__ for record in caplog.records], default=str)
    captured += "\n".join(record.getMessage() for record in caplog.records)
    for secret in [*SSN_FORMS, BANK_NUMBER]:
        assert secret not in stdout
        assert secret not in stderr
        assert secret not in captured
    assert "SSN •••-••-6789" in stdout
    assert "bank ••••6789" in stdout
    # The capture did see the statements that stored the SSN and the bank account number.
    assert "INSERT INTO persons" in captured
    assert "INSERT INTO bank_accounts" in captured


def test_logs_are_captured(
    premia: Invoke, logged_in: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Check that the capture used above receives Premia's JSON lines and the database layer's records."""
    monkeypatch.setenv("PREMIA_LOG_LEVEL", "DEBUG")
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")

    rejected = premia("accounts", "show", "BA-999999")

    records = log_records(rejected.stderr)
    assert rejected.exit_code == 1
    assert records[0]["message"] == "command rejected"
    assert records[0]["code"] == "account.not_found"
    assert any(record.name.startswith("sqlalchemy.engine") for record in caplog.records)

