"""The SMTP client on its own: login, replies it classifies, and a server that is not there."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from premia.documents.mail import OutgoingEmail, SmtpMailer
from premia.documents.model import AttemptOutcome
from tests.conftest import make_settings
from tests.integration.documents.conftest import RecordingHandler, SmtpServer, free_port

# The login server runs without TLS on loopback; aiosmtpd warns about that on every login.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

USERNAME = "premia-mailer"
PASSWORD = "mailer passphrase"


def _email(to: str = "ana@example.org") -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject="A new document from Blue Ridge Health Plan is ready",
        body="A new document is ready.",
        message_id="<premia.1.abc@blueridge.example>",
        sent_at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
        attachment=b"%PDF-1.7 sample",
        attachment_name="document-1.pdf",
    )


def _check_login(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    accepted = auth_data.login == USERNAME.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=accepted, handled=False)


@pytest.fixture(scope="module")
def login_server() -> Iterator[SmtpServer]:
    """An SMTP server on 127.0.0.1 that requires a login (over plain text, as tests allow)."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=_check_login,
        auth_required=True,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield SmtpServer(handler=handler, port=port)
    finally:
        controller.stop()


def _mailer(port: int, **overrides: object) -> SmtpMailer:
    settings = make_settings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_from="billing@blueridge.example", **overrides
    )
    return SmtpMailer(settings)


def test_login_then_send(login_server):
    login_server.handler.received.clear()

    with _mailer(login_server.port, smtp_username=USERNAME, smtp_password=PASSWORD) as mailer:
        result = mailer.send(_email())

    assert result.outcome is AttemptOutcome.SENT
    assert len(login_server.received) == 1
    assert login_server.received[0].mail_from == "billing@blueridge.example"


def test_wrong_password_temporary(login_server):
    login_server.handler.received.clear()

    with _mailer(login_server.port, smtp_username=USERNAME, smtp_password="wrong") as mailer:
        result = mailer.send(_email())

    assert result.outcome is AttemptOutcome.TEMPORARY_FAILURE
    assert result.smtp_code == 535
    assert login_server.received == []


def test_one_connection_for_many(smtp):
    with _mailer(smtp.port) as mailer:
        first = mailer.send(_email("ana@example.org"))
        second = mailer.send(_email("bruno@example.org"))

    assert first.outcome is AttemptOutcome.SENT
    assert second.outcome is AttemptOutcome.SENT
    assert [message.recipients for message in smtp.received] == [["ana@example.org"], ["bruno@example.org"]]


def test_rejected_recipient_keeps_connection(smtp):
    smtp.reject_next("gone@example.org", "550 5.1.1 Mailbox does not exist")

    with _mailer(smtp.port) as mailer:
        bounced = mailer.send(_email("gone@example.org"))
        sent = mailer.send(_email("ana@example.org"))

    assert bounced.outcome is AttemptOutcome.HARD_BOUNCE
    assert bounced.smtp_code == 550
    assert sent.outcome is AttemptOutcome.SENT
    assert [message.recipients for message in smtp.received] == [["ana@example.org"]]


def test_server_down_temporary():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = int(probe.getsockname()[1])
        # Bound but not listening: a connection to it is refused.
        with _mailer(closed_port) as mailer:
            result = mailer.send(_email())

    assert result.outcome is AttemptOutcome.TEMPORARY_FAILURE
    assert result.smtp_code is None
    assert "ConnectionRefusedError" in result.detail


def test_sender_required():
    with pytest.raises(ValueError, match="PREMIA_SMTP_FROM"):
        SmtpMailer(make_settings())
