"""Reconciliation: bank credits against posted receipts per day and bank account."""

from __future__ import annotations

from datetime import date

from premia.payments.autodraft import run_autodraft
from premia.payments.bank_files import import_bai2
from premia.payments.reconcile import reconcile
from tests.integration.payments.conftest import Credit, bai2_file, config, couple, on_autodraft

BANK_ACCOUNT = "1234567890"
DAY = date(2026, 4, 27)


def _statement(story, transactions, on=DAY):
    story.at(on)
    import_bai2(story.ctx, bai2_file(BANK_ACCOUNT, on, transactions).encode("ascii"), file_name=f"{on}.bai2", as_of=on)


def test_posted_and_held_credits_balance(story):
    household = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    story.bill(date(2026, 4, 15))
    number = story.invoices(household.account)[0].invoice_number
    _statement(story, [Credit("115", 96_800, customer_reference=number), Credit("195", 12_345, text="UNKNOWN PAYER")])
    report = reconcile(story.ctx, on=DAY)
    (row,) = report.accounts
    # 968.00 posted + 123.45 held in suspense = 1,091.45 on both sides
    assert row.deposits_cents == 109_145
    assert row.receipts_cents == 109_145
    assert report.balanced


def test_receipt_without_deposit_listed(story):
    household = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    story.bill(date(2026, 4, 15))
    story.pay(household.account, 96_800, DAY)
    report = reconcile(story.ctx, on=DAY)
    (row,) = report.accounts
    assert row.bank_account == "OPERATING"
    assert row.difference_cents == -96_800
    assert not report.balanced
    assert report.to_dict()["differences"][0]["difference"] == "-968.00"


def test_autodraft_settlement_balances(story):
    household = couple(story, effective=date(2026, 3, 1), start=date(2026, 2, 1))
    on_autodraft(story, household.account)
    story.bill(date(2026, 2, 15))
    story.pay(household.account, 96_800, date(2026, 2, 25))
    story.bill(date(2026, 3, 15))
    settings = config(deposit_account=BANK_ACCOUNT)
    story.at(date(2026, 3, 31))
    run_autodraft(story.ctx, as_of=date(2026, 3, 31), config=settings)
    story.at(date(2026, 4, 1))
    run_autodraft(story.ctx, as_of=date(2026, 4, 1), config=settings)
    _statement(story, [Credit("165", 96_800, text="ACH SETTLEMENT")], on=date(2026, 4, 1))
    report = reconcile(story.ctx, on=date(2026, 4, 1))
    assert report.balanced
    assert report.unposted_credits[0]["recognized_as"].startswith("Settlement of ACH file")


def test_other_day_not_counted(story):
    _statement(story, [Credit("195", 5_000, text="UNKNOWN")])
    report = reconcile(story.ctx, on=date(2026, 4, 28))
    assert report.accounts == []
    assert report.balanced
