"""Document tests: a real SMTP server on 127.0.0.1, a documents folder per test, household builders."""

from __future__ import annotations

import email
import io
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from sqlalchemy.orm import Session

from premia.accounts import service as accounts
from premia.accounts.model import (
    AccountInput,
    AccountKind,
    Address,
    BillingPreferences,
    Delivery,
    Language,
    PersonInput,
)
from premia.accounts.tables import BillingAccount
from premia.enrollment.model import Relationship
from premia.infra.context import ServiceContext
from tests.conftest import make_context, make_settings

CARRIER = {
    "carrier_name": "Blue Ridge Health Plan",
    "carrier_phone": "1-800-555-0142",
    "carrier_address": "PO Box 26110|Richmond, VA 23261-6110",
    "smtp_from": "Blue Ridge Billing <billing@blueridge.example>",
}
HOME = Address("48 Oak Ave", "Richmond", "VA", "23220", line2="Apt 2")


@dataclass
class ReceivedMessage:
    mail_from: str
    recipients: list[str]
    content: bytes

    @property
    def message(self) -> Message:
        return email.message_from_bytes(self.content)

    def body_text(self) -> str:
        parts = [part for part in self.message.walk() if part.get_content_type() == "text/plain"]
        return "\n".join(part.get_payload(decode=True).decode("utf-8") for part in parts)

    def attachments(self) -> list[tuple[str, bytes]]:
        return [
            (part.get_filename() or "", part.get_payload(decode=True))
            for part in self.message.walk()
            if part.get_content_disposition() == "attachment"
        ]


@dataclass
class RecordingHandler:
    """SMTP handler that accepts every message, unless a reply is queued for the recipient's next RCPT TO."""

    received: list[ReceivedMessage] = field(default_factory=list)
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    rcpt_count: int = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        self.rcpt_count += 1
        replies = self.rcpt_replies.get(address.lower())
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(
            ReceivedMessage(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        )
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    handler: RecordingHandler
    port: int

    def reject_next(self, address: str, *replies: str) -> None:
        """Reply to the next RCPT TO for ``address`` with each reply in turn, then accept."""
        self.handler.rcpt_replies[address.lower()] = list(replies)

    @property
    def received(self) -> list[ReceivedMessage]:
        return self.handler.received


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, one per test module."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(handler=handler, port=port)
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    """The module's SMTP server with nothing received and no rejections queued."""
    smtp_server.handler.received.clear()
    smtp_server.handler.rcpt_replies.clear()
    smtp_server.handler.rcpt_count = 0
    return smtp_server


@pytest.fixture
def documents_dir(tmp_path: Path) -> Path:
    return tmp_path / "documents"


@pytest.fixture
def ctx(db_session: Session, documents_dir: Path, smtp_server: SmtpServer) -> ServiceContext:
    """An admin's context whose settings name the carrier, the test SMTP server and a documents folder."""
    context = make_context(db_session)
    context.settings = make_settings(
        str(db_session.get_bind().engine.url),
        documents_dir=str(documents_dir),
        smtp_host="127.0.0.1",
        smtp_port=smtp_server.port,
        **CARRIER,
    )
    return context


def household_account(
    ctx: ServiceContext,
    *,
    first_name: str = "Ana",
    last_name: str = "Lopez",
    birth: date = date(1990, 8, 17),
    delivery: Delivery = Delivery.PAPER,
    language: Language = Language.ENGLISH,
    email_address: str | None = None,
    ssn: str | None = None,
) -> BillingAccount:
    """An individual account whose holder lives at 48 Oak Ave, Richmond."""
    return accounts.create_account(
        ctx,
        AccountInput(
            kind=AccountKind.INDIVIDUAL,
            holder=PersonInput(
                first_name=first_name,
                last_name=last_name,
                birth_date=birth,
                residential_address=HOME,
                email=email_address,
                ssn=ssn,
            ),
            preferences=BillingPreferences(delivery=delivery, language=language, payer_email=email_address),
        ),
    )


def insure_couple(story: Any, account: BillingAccount, *, effective: date = date(2026, 1, 1)) -> Any:
    """A policy for the holder and a spouse, Bruno, born 1991-02-03."""
    policy = story.policy(account, effective=effective)
    story.dependent(
        policy, first_name="Bruno", birth=date(1991, 2, 3), relationship=Relationship.SPOUSE, start=effective
    )
    return policy


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)
