"""Refunds: capped by the account's credit, approved above the limit, paid by ACH credit or check."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from premia.accounts.model import PaymentMode
from premia.audit.tables import AuditEntry
from premia.enrollment.model import Relationship
from premia.formats.nacha import TransactionCode, read_nacha
from premia.kernel.errors import PermissionDeniedError, ValidationError
from premia.ledger import service as ledger
from premia.ledger.model import LedgerAccount
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.payments.model import RefundMethod, RefundStatus
from premia.payments.refund_payouts import pay_refunds
from premia.payments.refunds import approve_refund, list_refunds, refundable_cents, reject_refund, request_refund
from premia.payments.returns import import_nacha_returns
from premia.staff.model import Actor
from premia.staff.permissions import Role
from tests.integration.payments.conftest import ReturnLine, couple, nacha_return_file, on_autodraft

SUPERVISOR = Actor(user_id=None, username="sam.supervisor", role=Role.SUPERVISOR)


def _terminated_quarter(story):
    """Quarterly couple billed 2,876.40 for July-September 2025, paid 1,000.00, coverage ended 2025-07-20.

    A 485.60 (factor 1.214) and B 473.20 (factor 1.183) make 958.80 a month. The final statement
    credits 340.22 for July and 1,917.60 for August and September: 2,257.82 in all.
    """
    account = story.at(date(2025, 6, 1)).account(mode=PaymentMode.QUARTERLY, birth=date(1990, 8, 17))
    policy = story.policy(account, effective=date(2025, 7, 1))
    story.dependent(policy, first_name="B", birth=date(1992, 11, 20), relationship=Relationship.SPOUSE, start=date(2025, 7, 1))
    story.bill(date(2025, 6, 15))
    story.pay(account, 100_000, date(2025, 7, 1))
    story.at(date(2025, 7, 10))
    story.terminate(policy, date(2025, 7, 20))
    story.bill(date(2025, 9, 15))
    return account


def _request(story, account, cents, **options):
    return request_refund(
        story.ctx,
        account_number=account.account_number,
        amount_cents=cents,
        method=options.pop("method", RefundMethod.CHECK),
        reason=options.pop("reason", "termination credit"),
        requested_on=options.pop("requested_on", date(2025, 9, 20)),
        **options,
    )


def test_refundable_is_net_credit(story):
    account = _terminated_quarter(story)
    # 2,876.40 - 2,257.82 - 1,000.00 = -381.42
    assert ledger.account_balance(story.ctx, account.id) == -38_142
    assert refundable_cents(story.ctx, account.id) == 38_142


def test_refund_above_credit_rejected(story):
    account = _terminated_quarter(story)
    with pytest.raises(ValidationError) as caught:
        _request(story, account, 287_640)
    assert "381.42" in caught.value.message
    assert caught.value.details["refundable_cents"] == 38_142


def test_refund_of_amount_paid_rejected(story):
    account = _terminated_quarter(story)
    with pytest.raises(ValidationError):
        _request(story, account, 100_000)


def test_refund_of_credit_clears_account(story):
    account = _terminated_quarter(story)
    refund = _request(story, account, 38_142)
    assert refund.status == RefundStatus.APPROVED.value
    assert ledger.account_balance(story.ctx, account.id) == 0
    assert ledger.balance(story.ctx, LedgerAccount.REFUNDS_PAYABLE) == -38_142
    with pytest.raises(ValidationError):
        _request(story, account, 1)


def _overpaid(story):
    """A couple billed 968.00 for May 2026 who paid 1,568.00: 600.00 of unapplied credit."""
    household = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    on_autodraft(story, household.account)
    story.bill(date(2026, 4, 15))
    story.pay(household.account, 156_800, date(2026, 4, 20))
    return household.account


def test_large_refund_needs_approval(story):
    account = _overpaid(story)
    refund = _request(story, account, 60_000, requested_on=date(2026, 4, 22))
    assert refund.approval_required is True
    assert refund.status == RefundStatus.PENDING_APPROVAL.value
    assert ledger.account_balance(story.ctx, account.id) == -60_000


def test_requester_may_not_approve(story):
    account = _overpaid(story)
    refund = _request(story, account, 60_000, requested_on=date(2026, 4, 22))
    with pytest.raises(PermissionDeniedError):
        approve_refund(story.ctx, refund.id)


def test_supervisor_approves(story):
    account = _overpaid(story)
    refund = _request(story, account, 60_000, requested_on=date(2026, 4, 22))
    story.ctx.actor = SUPERVISOR
    approve_refund(story.ctx, refund.id, note="checked the payments")
    assert refund.status == RefundStatus.APPROVED.value
    assert refund.decided_by == "sam.supervisor"
    assert ledger.account_balance(story.ctx, account.id) == 0


def test_rejected_refund_keeps_credit(story):
    account = _overpaid(story)
    refund = _request(story, account, 60_000, requested_on=date(2026, 4, 22))
    story.ctx.actor = SUPERVISOR
    reject_refund(story.ctx, refund.id, note="payer asked to keep the credit")
    assert refund.status == RefundStatus.REJECTED.value
    assert ledger.account_balance(story.ctx, account.id) == -60_000


def test_ach_refund_is_ppd_credit(story):
    account = _overpaid(story)
    refund = _request(story, account, 40_000, method=RefundMethod.ACH, requested_on=date(2026, 4, 22))
    story.at(date(2026, 4, 23))
    payout = pay_refunds(story.ctx, as_of=date(2026, 4, 23))
    (entry,) = read_nacha(payout.content).entries
    assert entry.transaction_code is TransactionCode.CHECKING_CREDIT
    assert entry.amount_cents == 40_000
    assert read_nacha(payout.content).batches[0].header.entry_description == "REFUND"
    assert refund.status == RefundStatus.PAID.value
    assert refund.paid_on == date(2026, 4, 24)
    assert ledger.balance(story.ctx, LedgerAccount.REFUNDS_PAYABLE) == 0


def test_refund_notice_recorded(story):
    account = _overpaid(story)
    _request(story, account, 40_000, requested_on=date(2026, 4, 22))
    story.at(date(2026, 4, 23))
    pay_refunds(story.ctx, as_of=date(2026, 4, 23))
    (notice,) = [n for n in notices_for(story.ctx, billing_account_id=account.id) if n.notice_type == NoticeType.REFUND.value]
    assert notice.data["amount_cents"] == 40_000
    assert notice.data["method"] == "check"


def test_returned_refund_restores_credit(story):
    account = _overpaid(story)
    _request(story, account, 40_000, method=RefundMethod.ACH, requested_on=date(2026, 4, 22))
    story.at(date(2026, 4, 23))
    payout = pay_refunds(story.ctx, as_of=date(2026, 4, 23))
    trace = payout.ach[0]["trace_number"]
    story.at(date(2026, 4, 28))
    content = nacha_return_file([ReturnLine(trace, 40_000, "R03", credit=True)], created=date(2026, 4, 28)).encode("ascii")
    import_nacha_returns(story.ctx, content, file_name="returns.ach", as_of=date(2026, 4, 28))
    # 600.00 of credit again, nothing payable
    assert ledger.account_balance(story.ctx, account.id) == -60_000
    assert ledger.balance(story.ctx, LedgerAccount.REFUNDS_PAYABLE) == 0


def test_idempotency_key_requests_once(story):
    account = _overpaid(story)
    first = _request(story, account, 10_000, requested_on=date(2026, 4, 22), idempotency_key="r-1")
    second = _request(story, account, 10_000, requested_on=date(2026, 4, 22), idempotency_key="r-1")
    assert second.id == first.id
    # 600.00 - 100.00 = 500.00 left
    assert ledger.account_balance(story.ctx, account.id) == -50_000


def test_refund_list_audited(story):
    account = _terminated_quarter(story)
    refund = _request(story, account, 10_000)
    listed = list_refunds(story.ctx)
    rows = story.ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "search", AuditEntry.record_type == "refund")).all()
    assert [view.id for view in listed] == [refund.id]
    assert [row.record_id for row in rows] == [str(refund.id)]
