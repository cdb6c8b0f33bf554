"""Channels, delivery states and the routing rule for documents (pure: no database, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from premia.accounts.model import Delivery
from premia.notices.model import NoticeType


class Channel(StrEnum):
    EMAIL = "email"
    PAPER = "paper"


class DeliveryStatus(StrEnum):
    """State of one delivery of a document.

    ``queued`` deliveries wait for the next run (an email whose last attempt failed for a
    temporary reason waits until its ``next_attempt_at``). ``bounced`` emails were rejected
    for good and went to paper; ``held`` deliveries have no usable address and wait for staff.
    """

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    BOUNCED = "bounced"
    HELD = "held"


class AttemptOutcome(StrEnum):
    SENT = "sent"
    PRINTED = "printed"
    TEMPORARY_FAILURE = "temporary_failure"
    HARD_BOUNCE = "hard_bounce"


# Notices this area renders. Provider pend notices go to providers and surveys belong to
# the service desk, so neither is a letter to the payer.
RENDERED_TYPES = frozenset(NoticeType) - {NoticeType.PROVIDER_PEND, NoticeType.SURVEY}

# Product choice: six attempts over about two days (waits of 15 min, 1 h, 4 h, 16 h and 24 h)
# before an email is given up and the document is mailed on paper instead.
MAX_EMAIL_ATTEMPTS = 6
FIRST_RETRY_DELAY = timedelta(minutes=15)
MAX_RETRY_DELAY = timedelta(hours=24)


@dataclass(frozen=True)
class MailingAddress:
    """A postal address with the addressee's name, as printed in the envelope window."""

    name: str
    line1: str
    city: str
    state: str
    zip_code: str
    line2: str | None = None
    attention: str | None = None

    @property
    def zip_display(self) -> str:
        """ZIP or ZIP+4 as printed: ``23220`` or ``23220-1234``."""
        if len(self.zip_code) == 9:
            return f"{self.zip_code[:5]}-{self.zip_code[5:]}"
        return self.zip_code

    def lines(self) -> list[str]:
        lines = [self.name]
        if self.attention:
            lines.append(f"Attn: {self.attention}")
        lines.append(self.line1)
        if self.line2:
            lines.append(self.line2)
        lines.append(f"{self.city}, {self.state} {self.zip_display}")
        return lines

    def one_line(self) -> str:
        return ", ".join(self.lines())


@dataclass(frozen=True)
class Recipient:
    """Where a payer's documents go: their email (if any and still deliverable) and postal address.

    ``confidential`` is set when the payer requested another address or method for their
    documents. That route is then the only one used.
    """

    name: str
    email: str | None
    address: MailingAddress | None
    email_undeliverable: bool = False
    confidential: bool = False


@dataclass(frozen=True)
class Route:
    """The channels one document takes, and why a wanted channel cannot be used."""

    channels: tuple[Channel, ...]
    held_reason: str | None = None


def choose_route(preference: Delivery, recipient: Recipient) -> Route:
    """Pick the channels for a document from the billing preference and the recipient.

    Email goes only to an address that has not hard-bounced. When email was wanted but cannot
    be used, the document goes on paper, because a payer must still receive every bill. A
    document with no usable channel at all is held.
    """
    wants_email = preference in (Delivery.EMAIL, Delivery.BOTH)
    wants_paper = preference in (Delivery.PAPER, Delivery.BOTH)
    email_usable = bool(recipient.email) and not recipient.email_undeliverable

    channels: list[Channel] = []
    if wants_email and email_usable:
        channels.append(Channel.EMAIL)
    if wants_paper or (wants_email and not email_usable):
        if recipient.address is not None:
            channels.append(Channel.PAPER)
        elif not channels:
            return Route(channels=(), held_reason="no mailing address on file and no usable email address")
    return Route(channels=tuple(channels))


def retry_delay(attempts: int) -> timedelta:
    """Return the wait before the next email attempt after ``attempts`` failed ones (x4 each time, capped)."""
    if attempts < 1:
        raise ValueError(f"retry_delay needs at least one failed attempt, got {attempts}")
    delay = FIRST_RETRY_DELAY * (4 ** (attempts - 1))
    return min(delay, MAX_RETRY_DELAY)


def is_hard_bounce(smtp_code: int) -> bool:
    """Return True for a 5xx SMTP reply, a permanent rejection. 4xx replies are temporary."""
    return 500 <= smtp_code < 600
