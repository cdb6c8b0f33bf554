"""BAI2 and camt imports: receipts matched or held, the rest recorded, nothing twice."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from premia.ledger import service as ledger
from premia.payments.autodraft import run_autodraft
from premia.payments.bank_files import import_bai2, import_camt
from premia.payments.model import ItemOutcome, PaymentChannel
from premia.payments.tables import BankStatementLine, Payment, PaymentImportItem, SuspenseItem
from tests.integration.payments.conftest import Credit, bai2_file, camt_credit, couple, on_autodraft

BANK_ACCOUNT = "1234567890"


def _billed(story):
    household = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    story.bill(date(2026, 4, 15))
    return household, story.invoices(household.account)[0]


def _bai2(story, transactions, on=date(2026, 4, 27), **options):
    story.at(on)
    content = bai2_file(BANK_ACCOUNT, on, transactions, **options).encode("ascii")
    return import_bai2(story.ctx, content, file_name="report.bai2", as_of=on)


def test_lockbox_credit_posted_by_reference(story):
    household, invoice = _billed(story)
    report = _bai2(story, [Credit("115", 96_800, customer_reference=invoice.invoice_number)])
    payment = story.ctx.session.scalar(select(Payment))
    line = story.ctx.session.scalar(select(BankStatementLine))
    assert report.count(ItemOutcome.POSTED) == 1
    assert payment.channel == PaymentChannel.LOCKBOX.value
    assert payment.cash_account == BANK_ACCOUNT
    assert line.payment_id == payment.id
    assert ledger.account_balance(story.ctx, household.account.id) == 0


def test_unmatched_credit_held_in_suspense(story):
    household, _ = _billed(story)
    report = _bai2(story, [Credit("195", 96_800, text="WIRE FROM SOMEONE")])
    held = story.ctx.session.scalar(select(SuspenseItem))
    assert report.count(ItemOutcome.SUSPENSE) == 1
    assert held.amount_cents == 96_800
    assert held.cash_account == BANK_ACCOUNT
    assert held.received_on == date(2026, 4, 27)
    assert ledger.account_balance(story.ctx, household.account.id) == 96_800


def test_debit_recorded_not_posted(story):
    _billed(story)
    report = _bai2(story, [Credit("451", 2_500, text="BANK FEE")])
    line = story.ctx.session.scalar(select(BankStatementLine))
    assert report.count(ItemOutcome.RECORDED) == 1
    assert line.is_credit is False
    assert story.ctx.session.scalar(select(func.count(Payment.id))) == 0


def test_autodraft_settlement_recognised(story):
    household = couple(story, effective=date(2026, 3, 1), start=date(2026, 2, 1))
    on_autodraft(story, household.account)
    story.bill(date(2026, 2, 15))
    story.pay(household.account, 96_800, date(2026, 2, 25))
    story.bill(date(2026, 3, 15))
    story.at(date(2026, 3, 31))
    run_autodraft(story.ctx, as_of=date(2026, 3, 31))
    report = _bai2(story, [Credit("165", 96_800, text="ACH SETTLEMENT")], on=date(2026, 4, 1))
    line = story.ctx.session.scalar(select(BankStatementLine))
    assert report.count(ItemOutcome.RECORDED) == 1
    assert "ACH file" in line.recognized_as
    assert story.ctx.session.scalar(select(func.count(SuspenseItem.id))) == 0


def test_reimport_changes_nothing(story):
    _billed(story)
    first = _bai2(story, [Credit("195", 10_000, text="UNKNOWN")])
    again = _bai2(story, [Credit("195", 10_000, text="UNKNOWN")])
    assert again.already_imported
    assert again.import_id == first.import_id
    assert story.ctx.session.scalar(select(func.count(SuspenseItem.id))) == 1


def test_same_file_id_new_bytes_posts_once(story):
    _billed(story)
    _bai2(story, [Credit("195", 10_000, text="UNKNOWN")])
    # The bank sends the same file again with a trailing blank line.
    story.at(date(2026, 4, 27))
    content = (bai2_file(BANK_ACCOUNT, date(2026, 4, 27), [Credit("195", 10_000, text="UNKNOWN")]) + "\n").encode("ascii")
    again = import_bai2(story.ctx, content, file_name="report-again.bai2", as_of=date(2026, 4, 27))
    assert not again.already_imported
    assert again.duplicates == 1
    assert story.ctx.session.scalar(select(func.count(SuspenseItem.id))) == 1


def test_camt_credit_posted_by_invoice_number(story):
    household, invoice = _billed(story)
    story.at(date(2026, 4, 27))
    report = import_camt(
        story.ctx, camt_credit(BANK_ACCOUNT, date(2026, 4, 27), "968.00", invoice_number=invoice.invoice_number),
        file_name="camt054.xml", as_of=date(2026, 4, 27),
    )  # fmt: skip
    item = story.ctx.session.scalar(select(PaymentImportItem))
    assert report.count(ItemOutcome.POSTED) == 1
    assert invoice.invoice_number in item.explanation
    assert ledger.account_balance(story.ctx, household.account.id) == 0


def test_camt_reimport_changes_nothing(story):
    _billed(story)
    story.at(date(2026, 4, 27))
    content = camt_credit(BANK_ACCOUNT, date(2026, 4, 27), "12.34", invoice_number="NOT-AN-INVOICE")
    import_camt(story.ctx, content, file_name="a.xml", as_of=date(2026, 4, 27))
    again = import_camt(story.ctx, content, file_name="a.xml", as_of=date(2026, 4, 27))
    assert again.already_imported
    assert story.ctx.session.scalar(select(func.count(SuspenseItem.id))) == 1
