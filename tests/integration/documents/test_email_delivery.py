"""Email delivery against a real SMTP server on 127.0.0.1: attachments, bounces, retries, routes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from premia.accounts.model import Address, Delivery
from premia.accounts.tables import Person
from premia.documents.delivery import mark_undeliverable
from premia.documents.model import MAX_EMAIL_ATTEMPTS
from premia.documents.recipients import recipient_for
from premia.documents.service import clear_undeliverable, deliver_notices, set_confidential_route
from premia.documents.tables import DeliveryAttempt, Document, DocumentDelivery, UndeliverableEmail
from premia.kernel.clock import FixedClock
from premia.notices.model import NoticeStatus, NoticeType
from premia.notices.service import create_notice
from premia.notices.tables import Notice
from tests.integration.documents.conftest import household_account, insure_couple, pdf_text

EMAIL = "ana.lopez@example.org"
SSN = "123-45-6789"


def _email_household(story):
    # 488.80 + 485.60 = 974.40 a month (see the invoice tests)
    account = household_account(
        story.at(date(2025, 12, 1)).ctx, delivery=Delivery.EMAIL, email_address=EMAIL, ssn=SSN
    )
    policy = insure_couple(story, account)
    story.bill(date(2025, 12, 15))
    return account, policy


def _deliveries(ctx, channel: str) -> list[DocumentDelivery]:
    return list(
        ctx.session.scalars(
            select(DocumentDelivery).where(DocumentDelivery.channel == channel).order_by(DocumentDelivery.id)
        )
    )


def test_email_carries_pdf_not_phi(story, ctx, smtp, documents_dir):
    _email_household(story)

    report = deliver_notices(ctx, as_of=date(2025, 12, 15))

    document = ctx.session.scalar(select(Document))
    [delivery] = _deliveries(ctx, "email")
    assert report.emailed == 1
    assert len(smtp.received) == 1
    message = smtp.received[0]
    assert message.recipients == [EMAIL]
    attachments = message.attachments()
    assert [name for name, _ in attachments] == [f"document-{document.id}.pdf"]
    assert attachments[0][1] == (documents_dir / document.pdf_path).read_bytes()
    assert "Total amount due $974.40" in pdf_text(attachments[0][1])

    text = message.body_text() + "\n" + str(message.message["Subject"])
    for secret in ("Ana", "Lopez", "Bruno", "974.40", "488.80", "PRM-", "6789", "123-45", "January 2"):
        assert secret not in text
    assert "Blue Ridge Health Plan" in text
    assert "1-800-555-0142" in text

    assert delivery.status == "sent"
    assert delivery.attempts == 1
    assert delivery.recipient == EMAIL
    assert delivery.message_id == message.message["Message-ID"]
    assert _deliveries(ctx, "paper") == []


def test_second_run_sends_no_email(story, ctx, smtp):
    _email_household(story)
    deliver_notices(ctx, as_of=date(2025, 12, 15))

    again = deliver_notices(ctx, as_of=date(2025, 12, 15))

    assert again.emailed == 0
    assert len(smtp.received) == 1
    assert smtp.handler.rcpt_count == 1


def test_hard_bounce_goes_to_paper(story, ctx, smtp):
    _email_household(story)
    smtp.reject_next(EMAIL, "550 5.1.1 Mailbox does not exist")

    report = deliver_notices(ctx, as_of=date(2025, 12, 15))

    [email] = _deliveries(ctx, "email")
    [paper] = _deliveries(ctx, "paper")
    assert report.bounced == 1
    assert report.printed == 1
    assert smtp.received == []
    assert email.status == "bounced"
    assert "550" in (email.last_error or "")
    assert paper.status == "sent"
    assert paper.print_batch_id == report.print_batch_id
    assert ctx.session.scalar(select(Notice.status)) == NoticeStatus.SENT.value

    bounce = ctx.session.scalar(select(UndeliverableEmail))
    person = ctx.session.scalar(select(Person).where(Person.email == EMAIL))
    assert bounce.address == EMAIL
    assert bounce.smtp_code == 550
    assert person.email_undeliverable is True


def test_next_document_after_bounce_on_paper(story, ctx, smtp):
    account, _policy = _email_household(story)
    smtp.reject_next(EMAIL, "550 5.1.1 Mailbox does not exist")
    deliver_notices(ctx, as_of=date(2025, 12, 15))
    create_notice(
        ctx,
        notice_type=NoticeType.REFUND,
        billing_account_id=account.id,
        as_of=date(2025, 12, 16),
        dedupe_key="test:refund",
        data={"amount_cents": 1_000, "issued_on": "2025-12-16", "method": "check"},
    )

    report = deliver_notices(ctx, as_of=date(2025, 12, 16))

    assert report.documents[0]["channels"] == ["paper"]
    assert report.printed == 1
    assert smtp.handler.rcpt_count == 1
    assert len(_deliveries(ctx, "email")) == 1


def test_cleared_address_usable_again(story, ctx):
    account = household_account(story.at(date(2025, 12, 1)).ctx, delivery=Delivery.EMAIL, email_address=EMAIL)
    mark_undeliverable(ctx, EMAIL, smtp_code=550, detail="550 5.1.1 Mailbox does not exist", delivery_id=None)
    assert recipient_for(ctx, account, on=date(2025, 12, 15))[0].email_undeliverable is True

    assert clear_undeliverable(ctx, EMAIL.upper()) == 1

    assert recipient_for(ctx, account, on=date(2025, 12, 15))[0].email_undeliverable is False
    assert ctx.session.scalar(select(Person.email_undeliverable).where(Person.email == EMAIL)) is False


def test_address_bounces_again_after_clearing(story, ctx):
    account = household_account(story.at(date(2025, 12, 1)).ctx, delivery=Delivery.EMAIL, email_address=EMAIL)
    mark_undeliverable(ctx, EMAIL, smtp_code=550, detail="550 5.1.1 Mailbox does not exist", delivery_id=None)
    clear_undeliverable(ctx, EMAIL)

    mark_undeliverable(ctx, EMAIL, smtp_code=551, detail="551 5.1.6 Mailbox moved", delivery_id=None)

    [row] = ctx.session.scalars(select(UndeliverableEmail)).all()
    assert row.smtp_code == 551
    assert row.cleared_at is None
    assert recipient_for(ctx, account, on=date(2025, 12, 15))[0].email_undeliverable is True


def test_temporary_failure_retried_once(story, ctx, smtp):
    _email_household(story)
    smtp.reject_next(EMAIL, "451 4.3.0 Try again later")
    first_run = datetime(2025, 12, 15, 17, 0, tzinfo=UTC)

    failed = deliver_notices(ctx, as_of=date(2025, 12, 15))
    [delivery] = _deliveries(ctx, "email")
    assert failed.retrying == 1
    assert smtp.received == []
    assert delivery.status == "queued"
    assert delivery.next_attempt_at == first_run + timedelta(minutes=15)

    too_soon = deliver_notices(ctx, as_of=date(2025, 12, 15))
    assert too_soon.emailed == 0
    assert smtp.handler.rcpt_count == 1

    ctx.clock = FixedClock(first_run + timedelta(minutes=15))
    sent = deliver_notices(ctx, as_of=date(2025, 12, 15))
    assert sent.emailed == 1
    assert len(smtp.received) == 1
    assert delivery.attempts == 2

    ctx.clock = FixedClock(first_run + timedelta(hours=2))
    deliver_notices(ctx, as_of=date(2025, 12, 15))
    assert len(smtp.received) == 1
    outcomes = ctx.session.scalars(select(DeliveryAttempt.outcome).order_by(DeliveryAttempt.id)).all()
    assert outcomes == ["temporary_failure", "sent"]


def test_retries_exhausted_go_to_paper(story, ctx, smtp):
    _email_household(story)
    smtp.reject_next(EMAIL, *["421 4.7.0 Busy"] * MAX_EMAIL_ATTEMPTS)
    moment = datetime(2025, 12, 15, 17, 0, tzinfo=UTC)

    printed = 0
    for _attempt in range(MAX_EMAIL_ATTEMPTS):
        ctx.clock = FixedClock(moment)
        printed += deliver_notices(ctx, as_of=date(2025, 12, 15)).printed
        # The longest wait is 24 hours, so a day later the next attempt is always due.
        moment += timedelta(hours=24)

    [email] = _deliveries(ctx, "email")
    assert email.status == "failed"
    assert email.attempts == MAX_EMAIL_ATTEMPTS
    assert smtp.received == []
    assert printed == 1
    assert _deliveries(ctx, "paper")[0].status == "sent"


def test_link_instead_of_attachment(story, ctx, smtp):
    ctx.settings = ctx.settings.model_copy(
        update={"document_link_base": "https://portal.blueridge.example/documents/"}
    )
    _email_household(story)

    deliver_notices(ctx, as_of=date(2025, 12, 15))

    [delivery] = _deliveries(ctx, "email")
    message = smtp.received[0]
    assert message.attachments() == []
    assert f"https://portal.blueridge.example/documents/{delivery.link_token}" in message.body_text()
    assert len(delivery.link_token or "") >= 32


def test_confidential_route_replaces_home(story, ctx, smtp, documents_dir):
    account, _policy = _email_household(story)
    set_confidential_route(
        ctx,
        account_number=account.account_number,
        delivery=Delivery.PAPER,
        starts_on=date(2025, 12, 10),
        request_reference="CC-2025-0042",
        address=Address("PO Box 77", "Henrico", "VA", "23228"),
    )

    deliver_notices(ctx, as_of=date(2025, 12, 15))

    document = ctx.session.scalar(select(Document))
    [paper] = _deliveries(ctx, "paper")
    text = pdf_text((documents_dir / document.pdf_path).read_bytes())
    assert smtp.handler.rcpt_count == 0
    assert _deliveries(ctx, "email") == []
    assert paper.recipient == "Ana Lopez, PO Box 77, Henrico, VA 23228"
    assert "PO Box 77" in text
    assert "48 Oak Ave" not in text


def test_confidential_email_bounce_never_uses_home(story, ctx, smtp):
    account, _policy = _email_household(story)
    set_confidential_route(
        ctx,
        account_number=account.account_number,
        delivery=Delivery.EMAIL,
        starts_on=date(2025, 12, 10),
        request_reference="CC-2025-0043",
        email="private.ana@example.net",
    )
    smtp.reject_next("private.ana@example.net", "550 5.1.1 Mailbox does not exist")

    report = deliver_notices(ctx, as_of=date(2025, 12, 15))

    [email] = _deliveries(ctx, "email")
    [paper] = _deliveries(ctx, "paper")
    assert email.recipient == "private.ana@example.net"
    assert email.status == "bounced"
    assert paper.status == "held"
    assert report.printed == 0
    assert ctx.session.scalar(select(Notice.status)) == NoticeStatus.FAILED.value
