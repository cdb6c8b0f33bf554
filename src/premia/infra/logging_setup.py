"""Structured logging on the standard library, with a filter that keeps PHI out.

Log records are JSON lines carrying the message and any ``extra`` fields. The redaction
filter masks anything shaped like an SSN or a bank account number in the message and in
every field, and drops fields whose names mark them as sensitive, so a careless
``log.info(..., extra={"ssn": ...})`` cannot leak.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

SENSITIVE_FIELD_NAMES = re.compile(
    r"(ssn|social|account_number|bank_account|routing|password|secret|token|birth|dob|encryption_key)",
    re.IGNORECASE,
)
# Dashes or spaces between the groups, as people type them (123-45-6789, 123 45 6789).
SSN_PATTERN = re.compile(r"\b\d{3}[- ]?\d{2}[- ]?\d{4}\b")
# A run of 6 to 17 digits could be a bank account number. The number part of Premia's own
# identifiers (BA-002351, PRM-2026-000123) is kept, so operators can act on the line.
LONG_DIGIT_RUN = re.compile(r"\b\d{6,17}\b")
PREMIA_IDENTIFIER_PREFIX = re.compile(r"\b[A-Z]{2,4}-(?:\d{4}-)?\Z")
REDACTED = "[redacted]"
STANDARD_ATTRIBUTES = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def redact_text(text: str) -> str:
    """Mask SSN-shaped values and runs of 6 to 17 digits (bank account numbers)."""
    text = SSN_PATTERN.sub(REDACTED, text)
    return LONG_DIGIT_RUN.sub(lambda run: _redacted_run(text, run), text)


def _redacted_run(text: str, run: re.Match[str]) -> str:
    before = text[max(0, run.start() - 10) : run.start()]
    return run.group() if PREMIA_IDENTIFIER_PREFIX.search(before) else REDACTED


def _redact_value(name: str, value: Any) -> Any:
    if SENSITIVE_FIELD_NAMES.search(name):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) >= 6:
        return REDACTED
    # Fields often carry a whole row or payload, so check every level of it.
    if isinstance(value, dict):
        return {key: _redact_value(str(key), item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return type(value)(_redact_value(name, item) for item in value)
    return value


class RedactingFilter(logging.Filter):
    """Rewrites each record so that no SSN or bank account number reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact_text(message)
        record.args = None
        # Cache the traceback text redacted, so that any formatter that reuses it prints no PHI.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        for name, value in list(record.__dict__.items()):
            if name not in STANDARD_ATTRIBUTES:
                record.__dict__[name] = _redact_value(name, value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in STANDARD_ATTRIBUTES:
                payload[name] = value
        if record.exc_info:
            payload["error"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(payload, default=str)


class StandardErrorHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that writes to ``sys.stderr`` as it is when each record is emitted.

    A test runner replaces ``sys.stderr`` for each test and closes the replacement after it.
    A handler that kept the stream it was built with then fails on the next record, for
    example one that the API's background job thread logs after a test ended.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        # The stream is always the current sys.stderr, so the one StreamHandler sets is ignored.
        pass


def configure_logging(level: str = "INFO", stream: Any = None) -> logging.Handler:
    """Send Premia's logs as redacted JSON lines to ``stream`` (stderr by default)."""
    handler = logging.StreamHandler(stream) if stream is not None else StandardErrorHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("premia")
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False
    return handler
