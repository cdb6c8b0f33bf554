"""The payment reads behind account pages and the operations desk: allocations, refunds, ACH files, suggestions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from premia.audit.tables import AuditEntry
from premia.kernel.errors import PermissionDeniedError
from premia.payments import queries
from premia.payments.model import RefundMethod
from premia.payments.refunds import account_refunds, request_refund
from premia.payments.suggestions import suggest_accounts
from premia.payments.suspense import SuspenseView
from premia.staff.permissions import Role
from tests.conftest import make_context

from .conftest import couple

# The couple's January premium: A at 35 (488.80) and B at 32 on 2026-01-01 (473.20), 962.00.
MONTHLY = 96_200


def _paid_with_credit(story):
    """Bill January, then pay 1,000.00: 962.00 applied, 38.00 kept as credit."""
    household = couple(story)
    story.bill(date(2025, 12, 15))
    story.pay(household.account, 100_000, date(2025, 12, 28))
    return household


def test_account_payments_allocations(story):
    household = _paid_with_credit(story)
    names = {person_id: f"Person {person_id}" for person_id in {span.person_id for span in story.spans(household.policy)}}

    [payment] = queries.account_payments(story.ctx, household.account.id, member_names=names)

    assert payment.amount_cents == 100_000
    assert sum(allocation.amount_cents for allocation in payment.allocations) == MONTHLY
    assert payment.unapplied_cents == 100_000 - MONTHLY
    assert {allocation.member_name for allocation in payment.allocations} == set(names.values())
    assert {allocation.coverage_month for allocation in payment.allocations} == {date(2026, 1, 1)}
    assert all(allocation.invoice_number for allocation in payment.allocations)


def test_account_payments_newest_first(story):
    household = _paid_with_credit(story)
    story.pay(household.account, 5_000, date(2026, 1, 5))

    payments = queries.account_payments(story.ctx, household.account.id, member_names={})

    assert [payment.received_on for payment in payments] == [date(2026, 1, 5), date(2025, 12, 28)]
    assert queries.payment_count(story.ctx, household.account.id) == 2


def test_account_payments_none(story):
    account = story.account()

    assert queries.account_payments(story.ctx, account.id, member_names={}) == []
    assert queries.payment_count(story.ctx, account.id) == 0


def test_account_refunds_newest_first(story):
    household = _paid_with_credit(story)
    for cents in (1_000, 2_000):
        request_refund(
            story.ctx,
            account_number=household.account.account_number,
            amount_cents=cents,
            method=RefundMethod.CHECK,
            reason="overpaid",
            requested_on=date(2026, 1, 5),
        )

    refunds = account_refunds(story.ctx, household.account.id, household.account.account_number)

    assert [refund.amount_cents for refund in refunds] == [2_000, 1_000]
    assert {refund.account_number for refund in refunds} == {household.account.account_number}


def test_ach_files_empty(story):
    assert queries.ach_files(story.ctx) == []


def test_ach_files_need_autodraft_run(story):
    csr = make_context(story.ctx.session, role=Role.CSR)

    with pytest.raises(PermissionDeniedError):
        queries.ach_files(csr)


def test_ach_file_return_rate():
    summary = queries.AchFileSummary(
        id=1, purpose="debit", as_of=date(2026, 1, 5), entry_count=3, debit_total_cents=300, credit_total_cents=0,
        returned_count=1, returned_cents=100, created_by="tester",
    )
    empty = queries.AchFileSummary(
        id=2, purpose="debit", as_of=date(2026, 1, 5), entry_count=0, debit_total_cents=0, credit_total_cents=0,
        returned_count=0, returned_cents=0, created_by="tester",
    )

    # 1 returned of 3 entries: 33.333...% rounds to 33.3.
    assert str(summary.return_rate) == "33.3"
    assert empty.return_rate is None


def _suspense_item(payer_name: str, amount_cents: int = 12_345) -> SuspenseView:
    return SuspenseView(
        id=7, received_on=date(2026, 1, 5), age_days=0, overdue=False, amount_cents=amount_cents, channel="lockbox",
        payer_name=payer_name, reference=None, reason="no reference", status="open", account_number=None, resolution_note=None,
    )


def test_suggestions_by_payer_name_audited(story):
    household = couple(story)

    suggestions = suggest_accounts(story.ctx, _suspense_item("Ana Subscriber"))

    assert [suggestion.account_number for suggestion in suggestions] == [household.account.account_number]
    assert suggestions[0].holder_name == "Ana Subscriber"
    assert "payer name" in suggestions[0].reason
    rows = story.ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "search", AuditEntry.record_id == household.account.account_number)).all()
    assert [row.detail for row in rows] == [{"suspense_item": 7}]


def test_suggestions_by_open_amount(story):
    household = couple(story)
    story.bill(date(2025, 12, 15))

    suggestions = suggest_accounts(story.ctx, _suspense_item("Nobody Known", amount_cents=MONTHLY))

    assert [suggestion.account_number for suggestion in suggestions] == [household.account.account_number]
    assert "exactly this amount" in suggestions[0].reason


def test_suggestions_need_suspense_manage(story):
    csr = make_context(story.ctx.session, role=Role.CSR)

    with pytest.raises(PermissionDeniedError):
        suggest_accounts(csr, _suspense_item("Ana Subscriber"))
