"""Letters built from notices and the database, in the shapes other areas record them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from premia.accounts.tables import Person
from premia.documents.content import Amount, Phrase
from premia.documents.context import build_content
from premia.documents.scanline import is_valid_scan_line
from premia.documents.service import deliver_notices
from premia.documents.tables import Document, DocumentDelivery
from premia.enrollment.model import PolicyStatus
from premia.notices.model import NoticeStatus, NoticeType
from premia.notices.service import create_notice
from premia.notices.tables import Notice
from premia.payments.model import PaymentChannel, PaymentMethod
from premia.payments.service import post_payment, return_payment
from tests.integration.documents.conftest import household_account, insure_couple, pdf_text


def _billed(story):
    # 488.80 + 485.60 = 974.40 due 2026-01-02
    account = household_account(story.at(date(2025, 12, 1)).ctx)
    policy = insure_couple(story, account)
    story.bill(date(2025, 12, 15))
    return account, policy


def _notice(ctx, notice_type, account, *, as_of, policy=None, payment_id=None, data=None, key="1"):
    return create_notice(
        ctx,
        notice_type=notice_type,
        billing_account_id=account.id,
        policy_id=policy.id if policy else None,
        payment_id=payment_id,
        as_of=as_of,
        dedupe_key=f"test:{key}",
        data=data,
    )


def _delinquency_data(policy) -> dict:
    """The facts the delinquency run records on a first grace notice, for a three-month APTC grace period."""
    return {
        "policy_number": policy.policy_number,
        "stage": "delinquency",
        "grace_month": 1,
        "grace_start": "2026-01-02",
        "grace_end": "2026-03-31",
        "first_unpaid_month": "2026-01",
        "missed_due_date": "2026-01-02",
        "amount_due_cents": 97_440,
        "claims_pended_from": "2026-02-01",
        "termination_date_if_unpaid": "2026-01-31",
    }


def _keys(content) -> list[str]:
    return [phrase.key for phrase in content.letter.paragraphs]


def test_delinquency_letter_pdf(story, ctx, documents_dir):
    account, policy = _billed(story)
    _notice(
        ctx,
        NoticeType.DELINQUENCY,
        account,
        as_of=date(2026, 1, 3),
        policy=policy,
        data=_delinquency_data(policy),
    )

    report = deliver_notices(ctx, as_of=date(2026, 1, 3))

    document = ctx.session.scalar(select(Document).where(Document.document_type == "delinquency"))
    text = " ".join(pdf_text((documents_dir / document.pdf_path).read_bytes()).split())
    assert report.errors == []
    assert "Notice of missed premium payment" in text
    assert "$974.40" in text
    assert "March 31, 2026" in text  # grace end
    assert "January 31, 2026" in text  # coverage ends if unpaid
    assert "Ana Lopez" in text
    assert "Bruno Dependent" in text
    assert "hold (pend) claims" in text


def test_delinquency_coupon(story, ctx):
    account, policy = _billed(story)
    notice = _notice(
        ctx,
        NoticeType.DELINQUENCY,
        account,
        as_of=date(2026, 1, 3),
        policy=policy,
        data=_delinquency_data(policy),
    )

    content = build_content(ctx, notice)

    invoice = story.invoices(account)[0]
    assert content.coupon.amount_due_cents == 97_440
    assert content.coupon.due_date == date(2026, 3, 31)
    assert content.coupon.invoice_number == invoice.invoice_number
    assert is_valid_scan_line(content.coupon.scan_line)
    assert content.grace.claims_pended is True


def test_invoice_shows_running_grace(story, ctx):
    account, policy = _billed(story)
    _notice(
        ctx,
        NoticeType.DELINQUENCY,
        account,
        as_of=date(2026, 1, 3),
        policy=policy,
        data=_delinquency_data(policy),
    )
    policy.status = PolicyStatus.GRACE.value
    story.bill(date(2026, 1, 15))
    invoice_notice = ctx.session.scalar(
        select(Notice).where(Notice.invoice_id == story.invoices(account)[1].id)
    )

    content = build_content(ctx, invoice_notice)

    assert content.grace.in_grace is True
    assert content.grace.grace_end == date(2026, 3, 31)
    assert content.grace.termination_date == date(2026, 1, 31)


def test_receipt_from_payment(story, ctx):
    account, _policy = _billed(story)
    story.at(date(2025, 12, 30))
    result = post_payment(
        ctx,
        billing_account_id=account.id,
        amount_cents=97_440,
        channel=PaymentChannel.MANUAL,
        method=PaymentMethod.CHECK,
        received_on=date(2025, 12, 30),
        reference="CHK 1042",
        send_receipt=True,
    )
    notice = ctx.session.scalar(select(Notice).where(Notice.payment_id == result.payment.id))

    content = build_content(ctx, notice)

    assert _keys(content) == ["receipt_intro", "receipt_paid_in_full"]
    assert content.letter.paragraphs[0].values == {"amount": Amount(97_440), "date": date(2025, 12, 30)}
    assert ("fact_payment_reference", "CHK 1042") in [
        (fact.label, fact.value) for fact in content.letter.facts
    ]
    assert content.coupon is None


def test_returned_payment_letter(story, ctx):
    account, _policy = _billed(story)
    story.at(date(2025, 12, 30))
    result = post_payment(
        ctx,
        billing_account_id=account.id,
        amount_cents=97_440,
        channel=PaymentChannel.ACH_AUTODRAFT,
        method=PaymentMethod.ACH,
        received_on=date(2025, 12, 30),
    )
    story.at(date(2026, 1, 5))
    return_payment(ctx, result.payment, return_code="R01", returned_on=date(2026, 1, 5))
    notice = _notice(
        ctx,
        NoticeType.RETURNED_PAYMENT,
        account,
        as_of=date(2026, 1, 5),
        payment_id=result.payment.id,
        data={"return_code": "R01", "fee_cents": 2_500},
    )

    content = build_content(ctx, notice)

    assert _keys(content) == ["returned_intro", "returned_reason", "returned_fee", "returned_pay_now_no_date"]
    assert content.letter.paragraphs[1].values["reason"] == Phrase("return_reason_R01")
    assert content.letter.asks_for_payment is True
    # The return reopens the 974.40 premium.
    assert content.coupon.amount_due_cents == 97_440


def test_termination_reason_worded(story, ctx):
    account, policy = _billed(story)
    notice = _notice(
        ctx,
        NoticeType.TERMINATION,
        account,
        as_of=date(2026, 4, 1),
        policy=policy,
        data={
            "policy_number": policy.policy_number,
            "termination_date": "2026-01-31",
            "reason": "non-payment of premium",
            "past_due_cents": 0,
        },
    )

    content = build_content(ctx, notice)

    assert _keys(content) == ["termination_intro", "reason_line", "termination_claims"]
    assert content.letter.paragraphs[1].values["reason"] == Phrase("reason_non_payment")
    assert content.letter.paragraphs[0].values["date"] == date(2026, 1, 31)
    assert content.letter.members == ("Ana Lopez", "Bruno Dependent")


def test_cancellation_for_unpaid_binder(story, ctx):
    account, policy = _billed(story)
    notice = _notice(
        ctx,
        NoticeType.CANCELLATION,
        account,
        as_of=date(2026, 2, 1),
        policy=policy,
        data={
            "policy_number": policy.policy_number,
            "effective_date": "2026-01-01",
            "reason": "binder for 2026-01 unpaid at the deadline 2026-01-31",
            "binder_unpaid_cents": 97_440,
        },
    )

    content = build_content(ctx, notice)

    assert content.letter.paragraphs[0].values["date"] == date(2026, 1, 1)
    assert content.letter.paragraphs[1].values["reason"] == Phrase("reason_binder_not_paid")


def test_dispute_outcome_credit(story, ctx):
    account, _policy = _billed(story)
    notice = _notice(
        ctx,
        NoticeType.DISPUTE_OUTCOME,
        account,
        as_of=date(2026, 2, 10),
        data={
            "dispute_number": "D-000007",
            "outcome": "adjustment_credit",
            "disputed_cents": 48_560,
            "credited_cents": 48_560,
            "refund_cents": 0,
            "due_again_cents": 0,
            "decided_on": "2026-02-10",
        },
    )

    content = build_content(ctx, notice)

    assert _keys(content) == ["dispute_intro", "dispute_adjustment_credit"]
    assert content.letter.paragraphs[1].values["credit"] == Amount(48_560)


def test_autodraft_from_invoice(story, ctx):
    account, _policy = _billed(story)
    invoice = story.invoices(account)[0]
    notice = create_notice(
        ctx,
        notice_type=NoticeType.AUTODRAFT_PRENOTIFICATION,
        billing_account_id=account.id,
        invoice_id=invoice.id,
        as_of=date(2025, 12, 20),
        dedupe_key="test:draft",
        data={"bank_last4": "6789"},
    )

    content = build_content(ctx, notice)

    assert content.letter.paragraphs[0].values == {
        "amount": Amount(97_440),
        "last4": "6789",
        "date": date(2026, 1, 2),
    }


def test_unrenderable_notice_reported(story, ctx):
    account, _policy = _billed(story)
    broken = _notice(ctx, NoticeType.INVOICE, account, as_of=date(2025, 12, 1))

    report = deliver_notices(ctx, as_of=date(2025, 12, 1))

    assert [error["code"] for error in report.errors] == ["documents.invoice_missing"]
    assert report.errors[0]["notice_id"] == broken.id
    assert broken.status == NoticeStatus.FAILED.value


def test_other_parties_notices_left_pending(story, ctx):
    account, policy = _billed(story)
    pend = _notice(ctx, NoticeType.PROVIDER_PEND, account, as_of=date(2025, 12, 1), policy=policy, key="pend")
    survey = _notice(ctx, NoticeType.SURVEY, account, as_of=date(2025, 12, 1), key="survey")

    report = deliver_notices(ctx, as_of=date(2025, 12, 1))

    assert report.rendered == 0
    assert pend.status == NoticeStatus.PENDING.value
    assert survey.status == NoticeStatus.PENDING.value


def test_held_without_address(story, ctx):
    account = household_account(story.at(date(2025, 12, 1)).ctx)
    holder = ctx.session.get(Person, account.person_id)
    holder.address_line1 = None
    notice = _notice(
        ctx,
        NoticeType.REFUND,
        account,
        as_of=date(2025, 12, 1),
        data={"amount_cents": 1_000, "issued_on": "2025-12-01"},
    )

    report = deliver_notices(ctx, as_of=date(2025, 12, 1))

    delivery = ctx.session.scalar(select(DocumentDelivery))
    assert report.held == 1
    assert delivery.status == "held"
    assert "no mailing address" in (delivery.last_error or "")
    assert notice.status == NoticeStatus.FAILED.value
