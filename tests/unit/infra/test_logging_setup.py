"""The redacting log filter and the JSON line formatter."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from premia.infra.logging_setup import REDACTED, JsonFormatter, RedactingFilter, configure_logging, redact_text

SSN = "123-45-6789"
SSN_DIGITS = "123456789"
BANK_NUMBER = "000123456789"


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("premia.test", logging.INFO, __file__, 1, message, args or None, None)
    record.__dict__.update(extra)
    return record


def _filtered(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = _record(message, *args, **extra)
    assert RedactingFilter().filter(record) is True
    return record


@pytest.fixture
def premia_logger() -> Iterator[io.StringIO]:
    """Route the premia logger to a buffer, then put its previous handlers back."""
    logger = logging.getLogger("premia")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    stream = io.StringIO()
    configure_logging("DEBUG", stream)
    yield stream
    handlers, level, propagate = saved
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    for handler in handlers:
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = propagate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"ssn {SSN} on file", f"ssn {REDACTED} on file"),
        (f"ssn {SSN_DIGITS}", f"ssn {REDACTED}"),
        ("ssn 123 45 6789 typed with spaces", f"ssn {REDACTED} typed with spaces"),
        (f"account={BANK_NUMBER}.", f"account={REDACTED}."),
        ("routing 051000017", f"routing {REDACTED}"),
        ("17 digits 12345678901234567", f"17 digits {REDACTED}"),
        ("last four 6789 and due day 15", "last four 6789 and due day 15"),
        ("invoice total 1264.80", "invoice total 1264.80"),
        ("account BA-002351 not billed", "account BA-002351 not billed"),
        ("invoice PRM-2026-000123", "invoice PRM-2026-000123"),
        ("ach 051000017-12345678", f"ach {REDACTED}-{REDACTED}"),
        ("acct-12345678", f"acct-{REDACTED}"),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_filter_masks_message_arguments() -> None:
    record = _filtered("adding %s to %s", BANK_NUMBER, "BA-7")

    assert record.getMessage() == f"adding {REDACTED} to BA-7"
    assert record.args is None


def test_filter_drops_sensitive_field_names() -> None:
    record = _filtered(
        "person created",
        ssn="6789",
        account_number="4321",
        password="hunter2hunter2",
        session_token="abc",
        birth_date="1980-03-15",
        member_id="M000000001",
    )

    assert record.ssn == REDACTED
    assert record.account_number == REDACTED
    assert record.password == REDACTED
    assert record.session_token == REDACTED
    assert record.birth_date == REDACTED
    assert record.member_id == "M000000001"


def test_filter_masks_values_of_other_fields() -> None:
    record = _filtered("note", note=f"caller read {SSN}", amount=123456789, small=42, flag=True)

    assert record.note == f"caller read {REDACTED}"
    assert record.amount == REDACTED
    assert record.small == 42
    assert record.flag is True


def test_filter_masks_nested_values() -> None:
    record = _filtered(
        "import row",
        row={"name": "Maria Lopez", "tax": SSN, "lines": [f"acct {BANK_NUMBER}"], "ssn": "6789"},
        values=[SSN_DIGITS, "ok"],
        pair=("x", int(SSN_DIGITS)),
    )

    assert record.row == {"name": "Maria Lopez", "tax": REDACTED, "lines": [f"acct {REDACTED}"], "ssn": REDACTED}
    assert record.values == [REDACTED, "ok"]
    assert record.pair == ("x", REDACTED)


def test_filter_keeps_standard_attributes() -> None:
    record = _filtered("plain message")

    assert record.levelname == "INFO"
    assert record.name == "premia.test"
    assert record.lineno == 1


def test_json_formatter_line() -> None:
    record = _record("account %s opened", "BA-1", code="account.created")

    payload = json.loads(JsonFormatter().format(record))

    assert payload["message"] == "account BA-1 opened"
    assert payload["level"] == "INFO"
    assert payload["logger"] == "premia.test"
    assert payload["code"] == "account.created"
    assert payload["time"].endswith("+00:00")


def test_configured_logger_writes_redacted_json(premia_logger: io.StringIO) -> None:
    log = logging.getLogger("premia.accounts")

    log.debug("bank %s added", BANK_NUMBER, extra={"detail": {"number": BANK_NUMBER}, "ssn": SSN})
    try:
        raise ValueError(f"could not parse {SSN}")
    except ValueError:
        log.exception("import failed")

    output = premia_logger.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert len(lines) == 2
    assert lines[0]["message"] == f"bank {REDACTED} added"
    assert "could not parse" in lines[1]["error"]
    assert BANK_NUMBER not in output
    assert SSN not in output
    assert SSN_DIGITS not in output


def test_configure_logging_replaces_handlers(premia_logger: io.StringIO) -> None:
    logger = logging.getLogger("premia")
    second = io.StringIO()

    configure_logging("WARNING", second)
    logging.getLogger("premia.cli").warning("only here")

    assert len(logger.handlers) == 1
    assert logger.level == logging.WARNING
    assert not logger.propagate
    assert "only here" in second.getvalue()
    assert "only here" not in premia_logger.getvalue()


def test_filter_redacts_traceback_for_any_formatter() -> None:
    try:
        raise ValueError(f"could not parse {SSN}")
    except ValueError:
        record = logging.LogRecord("premia.test", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())

    RedactingFilter().filter(record)
    text = logging.Formatter().format(record)

    assert "could not parse" in text
    assert SSN not in text


def test_default_handler_follows_replaced_stderr(monkeypatch) -> None:
    configure_logging()
    closed = io.StringIO()
    monkeypatch.setattr(sys, "stderr", closed)
    closed.close()
    current = io.StringIO()
    monkeypatch.setattr(sys, "stderr", current)

    # A test runner closes the stderr it put in place; the next record goes to the one in place now.
    logging.getLogger("premia.test").warning("after the switch")

    assert "after the switch" in current.getvalue()
