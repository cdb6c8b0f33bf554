"""Suspense: held receipts listed by age, applied as of the day received, or refunded; every step audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from premia.audit.tables import AuditEntry
from premia.kernel.errors import ConflictError, PermissionDeniedError, ValidationError
from premia.ledger import service as ledger
from premia.ledger.model import LedgerAccount
from premia.ledger.tables import JournalEntry
from premia.payments.lockbox import import_lockbox
from premia.payments.model import RefundStatus, SuspenseStatus
from premia.payments.refund_payouts import pay_refunds
from premia.payments.refunds import refund_suspense
from premia.payments.service import reverse_payment
from premia.payments.suspense import apply_suspense, list_suspense
from premia.payments.tables import Payment, SuspenseItem
from premia.staff.model import Actor
from premia.staff.permissions import Role
from tests.integration.payments.conftest import config, couple

# Refunds up to 1,000.00 need no second person here; the approval rule has its own tests.
WIDE_LIMIT = config(refund_approval_above_cents=100_000)


def _held(story):
    """A May 2026 couple billed 968.00, and a 968.00 check of 2026-04-27 whose memo matches nothing."""
    household = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    story.bill(date(2026, 4, 15))
    story.at(date(2026, 4, 27))
    batch = "invoice_number,amount,received_on,payer_name,memo\n,968.00,2026-04-27,Ana Subscriber,for my wife\n"
    import_lockbox(story.ctx, batch.encode("utf-8"), file_name="lockbox.csv", as_of=date(2026, 4, 27))
    item = story.ctx.session.scalar(select(SuspenseItem))
    return household, item


def test_list_shows_age_and_overdue(story):
    _, item = _held(story)
    (view,) = list_suspense(story.ctx, as_of=date(2026, 6, 20), max_age_days=45)
    assert view.id == item.id
    # 2026-04-27 to 2026-06-20 is 54 days
    assert view.age_days == 54
    assert view.overdue is True
    assert view.payer_name == "Ana Subscriber"


def test_apply_as_of_day_received(story):
    household, item = _held(story)
    story.at(date(2026, 5, 10))
    result = apply_suspense(story.ctx, item.id, account_number=household.account.account_number, note="called the payer")
    entry = story.ctx.session.get(JournalEntry, result.payment.posting_entry_id)
    assert result.payment.received_on == date(2026, 4, 27)
    assert entry.entry_date == date(2026, 4, 27)
    assert item.status == SuspenseStatus.APPLIED.value
    assert item.payment_id == result.payment.id
    assert ledger.account_balance(story.ctx, household.account.id) == 0
    assert ledger.balance(story.ctx, LedgerAccount.SUSPENSE) == 0


def test_apply_is_audited(story):
    household, item = _held(story)
    apply_suspense(story.ctx, item.id, account_number=household.account.account_number, note="coupon image shows BA number")
    story.ctx.session.flush()
    audit = story.ctx.session.scalar(select(AuditEntry).where(AuditEntry.record_type == "suspense_item", AuditEntry.action == "apply"))
    assert audit.record_id == str(item.id)
    assert audit.detail["note"] == "coupon image shows BA number"


def test_apply_needs_note(story):
    household, item = _held(story)
    with pytest.raises(ValidationError):
        apply_suspense(story.ctx, item.id, account_number=household.account.account_number, note=" ")


def test_apply_twice_rejected(story):
    household, item = _held(story)
    apply_suspense(story.ctx, item.id, account_number=household.account.account_number, note="matched")
    with pytest.raises(ConflictError):
        apply_suspense(story.ctx, item.id, account_number=household.account.account_number, note="matched again")


def test_csr_may_not_apply(story):
    household, item = _held(story)
    story.ctx.actor = Actor(user_id=None, username="csr", role=Role.CSR)
    with pytest.raises(PermissionDeniedError):
        apply_suspense(story.ctx, item.id, account_number=household.account.account_number, note="matched")


def test_reversal_reopens_item(story):
    household, item = _held(story)
    result = apply_suspense(story.ctx, item.id, account_number=household.account.account_number, note="matched")
    reverse_payment(story.ctx, result.payment.id, reason="wrong account", on=date(2026, 5, 12))
    assert item.status == SuspenseStatus.OPEN.value
    assert ledger.balance(story.ctx, LedgerAccount.SUSPENSE) == -96_800
    assert ledger.account_balance(story.ctx, household.account.id) == 96_800


def test_refund_returns_money_to_payer(story):
    _, item = _held(story)
    refund = refund_suspense(
        story.ctx, item.id, payee_name="", reason="payer is not insured with us", requested_on=date(2026, 5, 5), config=WIDE_LIMIT
    )
    assert refund.status == RefundStatus.APPROVED.value
    assert refund.payee_name == "Ana Subscriber"
    assert item.status == SuspenseStatus.REFUNDED.value
    assert ledger.balance(story.ctx, LedgerAccount.SUSPENSE) == 0
    assert ledger.balance(story.ctx, LedgerAccount.REFUNDS_PAYABLE) == -96_800


def test_refund_paid_by_check(story):
    _, item = _held(story)
    refund = refund_suspense(story.ctx, item.id, payee_name="Ana Subscriber", reason="not ours", requested_on=date(2026, 5, 5), config=WIDE_LIMIT)
    story.at(date(2026, 5, 6))
    payout = pay_refunds(story.ctx, as_of=date(2026, 5, 6))
    (check,) = payout.checks
    assert check["refund_id"] == refund.id
    assert check["amount"] == "968.00"
    assert refund.status == RefundStatus.PAID.value
    assert ledger.balance(story.ctx, LedgerAccount.REFUNDS_PAYABLE) == 0
    assert "check_number" in payout.register_csv().splitlines()[0]


def test_payment_channel_kept(story):
    household, item = _held(story)
    result = apply_suspense(story.ctx, item.id, account_number=household.account.account_number, note="matched")
    payment = story.ctx.session.get(Payment, result.payment.id)
    assert payment.channel == "lockbox"
    assert payment.method == "check"


def test_large_refund_waits_for_approval(story):
    _, item = _held(story)
    refund = refund_suspense(story.ctx, item.id, payee_name="Ana Subscriber", reason="not ours", requested_on=date(2026, 5, 5))
    # 968.00 is above the default approval limit of 500.00
    assert refund.status == RefundStatus.PENDING_APPROVAL.value
    assert item.status == SuspenseStatus.REFUNDED.value
    assert ledger.balance(story.ctx, LedgerAccount.SUSPENSE) == -96_800
