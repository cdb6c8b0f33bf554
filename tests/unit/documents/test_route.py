"""Which channels a document takes, and how long a failed email waits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from premia.accounts.model import Delivery
from premia.documents.model import (
    Channel,
    MailingAddress,
    Recipient,
    choose_route,
    is_hard_bounce,
    retry_delay,
)

HOME = MailingAddress(name="Ana Lopez", line1="48 Oak Ave", city="Richmond", state="VA", zip_code="23220")


def _recipient(
    *, email: str | None = "ana@example.org", address: MailingAddress | None = HOME, bounced: bool = False
) -> Recipient:
    return Recipient(name="Ana Lopez", email=email, address=address, email_undeliverable=bounced)


@pytest.mark.parametrize(
    ("preference", "recipient", "channels"),
    [
        (Delivery.PAPER, _recipient(), (Channel.PAPER,)),
        (Delivery.EMAIL, _recipient(), (Channel.EMAIL,)),
        (Delivery.BOTH, _recipient(), (Channel.EMAIL, Channel.PAPER)),
        (Delivery.EMAIL, _recipient(bounced=True), (Channel.PAPER,)),
        (Delivery.BOTH, _recipient(bounced=True), (Channel.PAPER,)),
        (Delivery.EMAIL, _recipient(email=None), (Channel.PAPER,)),
        (Delivery.EMAIL, _recipient(address=None), (Channel.EMAIL,)),
    ],
)
def test_route_channels(preference, recipient, channels):
    route = choose_route(preference, recipient)
    assert route.channels == channels
    assert route.held_reason is None


def test_route_held_without_any_address():
    route = choose_route(Delivery.EMAIL, _recipient(address=None, bounced=True))
    assert route.channels == ()
    assert "no mailing address" in (route.held_reason or "")


def test_paper_preference_never_emails():
    # Without a postal address the document waits for one; email was not chosen by the payer.
    route = choose_route(Delivery.PAPER, _recipient(address=None))
    assert route.channels == ()


def test_retry_delays_grow_then_cap():
    delays = [retry_delay(attempts) for attempts in range(1, 7)]
    # 15 min x 4^(n-1): 15 min, 1 h, 4 h, 16 h, then 64 h capped at 24 h
    assert delays == [
        timedelta(minutes=15),
        timedelta(hours=1),
        timedelta(hours=4),
        timedelta(hours=16),
        timedelta(hours=24),
        timedelta(hours=24),
    ]


def test_retry_delay_needs_failure():
    with pytest.raises(ValueError):
        retry_delay(0)


@pytest.mark.parametrize(
    ("code", "hard"), [(550, True), (553, True), (451, False), (421, False), (250, False)]
)
def test_hard_bounce_codes(code, hard):
    assert is_hard_bounce(code) is hard


def test_address_lines_with_attention_and_zip4():
    address = MailingAddress(
        name="Reyes Hardware LLC",
        attention="Pat Morgan",
        line1="900 Main St",
        line2="Suite 4",
        city="Richmond",
        state="VA",
        zip_code="232191234",
    )
    assert address.lines() == [
        "Reyes Hardware LLC",
        "Attn: Pat Morgan",
        "900 Main St",
        "Suite 4",
        "Richmond, VA 23219-1234",
    ]
