"""Lockbox batches: exact reference matching, suspense for the rest, whole-batch rejection."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from premia.billing.tables import InvoiceNumberSeries
from premia.formats.lockbox import LockboxFileRejected
from premia.ledger import service as ledger
from premia.ledger.model import LedgerAccount
from premia.payments.imports import PaymentFileRejected
from premia.payments.lockbox import import_lockbox
from premia.payments.model import ItemOutcome, MatchRule, PaymentChannel, SuspenseStatus
from premia.payments.tables import Payment, PaymentImportItem, SuspenseItem
from tests.integration.payments.conftest import couple


def _two_households(story):
    """Two couples billed 968.00 each for May 2026 (due Friday 2026-05-01)."""
    first = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    second = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    story.bill(date(2026, 4, 15))
    return first, second


def _import(story, text, on=date(2026, 4, 27)):
    story.at(on)
    return import_lockbox(story.ctx, text.encode("utf-8"), file_name="lockbox.csv", as_of=on)


def test_invoice_number_match(story):
    first, second = _two_households(story)
    invoice = story.invoices(first.account)[0]
    spaced = invoice.invoice_number.replace("-", " ")
    report = _import(story, f"invoice_number,amount,received_on\n{spaced},968.00,2026-04-27\n")
    item = story.ctx.session.scalar(select(PaymentImportItem))
    assert report.count(ItemOutcome.POSTED) == 1
    assert item.match_rule == MatchRule.INVOICE_NUMBER.value
    assert invoice.invoice_number in item.explanation
    assert ledger.account_balance(story.ctx, first.account.id) == 0
    assert ledger.account_balance(story.ctx, second.account.id) == 96_800


def test_memo_is_matched_whole_never_by_digits(story):
    first, second = _two_households(story)
    number = story.invoices(first.account)[0].invoice_number
    # A memo that only shares digits with an invoice number matches nothing.
    digits = number.split("-")[-1][-4:]
    report = _import(story, f"invoice_number,amount,received_on,memo\n,968.00,2026-04-27,PRM 2026 {digits}99\n")
    held = story.ctx.session.scalar(select(SuspenseItem))
    assert report.count(ItemOutcome.SUSPENSE) == 1
    assert held.received_on == date(2026, 4, 27)
    assert held.status == SuspenseStatus.OPEN.value
    assert "amounts are never used" in held.reason
    assert ledger.account_balance(story.ctx, first.account.id) == 96_800
    assert ledger.account_balance(story.ctx, second.account.id) == 96_800


def _households_numbered_114_and_1142(story):
    """Two couples owing 968.00 for May 2026, on invoices PRM-2026-000114 and PRM-2026-001142.

    The second number contains the digits "114" of the first.
    """
    first = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    second = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    for household, next_number in ((first, 114), (second, 1_142)):
        story.ctx.session.merge(InvoiceNumberSeries(legal_entity="MAIN", prefix="PRM", next_number=next_number))
        story.ctx.session.flush()
        story.bill(date(2026, 4, 15), account_number=household.account.account_number)
    numbers = [story.invoices(household.account)[0].invoice_number for household in (first, second)]
    assert numbers == ["PRM-2026-000114", "PRM-2026-001142"]
    return first, second


def test_memo_goes_to_exact_invoice_only(story):
    first, second = _households_numbered_114_and_1142(story)
    report = _import(story, "invoice_number,amount,received_on,memo\n,968.00,2026-04-27,PRM 2026 000114\n")

    item = story.ctx.session.scalar(select(PaymentImportItem))
    assert report.count(ItemOutcome.POSTED) == 1
    assert item.match_rule == MatchRule.INVOICE_NUMBER.value
    assert "PRM-2026-000114" in item.explanation
    assert "001142" not in item.explanation
    assert ledger.account_balance(story.ctx, first.account.id) == 0
    # The other account is neither paid nor credited: it still owes 968.00.
    assert ledger.account_balance(story.ctx, second.account.id) == 96_800
    assert ledger.balance(story.ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=second.account.id) == 0
    assert story.ctx.session.scalar(select(func.count(SuspenseItem.id))) == 0


def test_unknown_memo_held_not_applied_by_amount(story):
    first, second = _households_numbered_114_and_1142(story)
    # 968.00 fits both open invoices, but no invoice number equals PRM-2026-000199.
    report = _import(story, "invoice_number,amount,received_on,memo\n,968.00,2026-04-27,PRM 2026 000199\n")

    (held,) = story.ctx.session.scalars(select(SuspenseItem)).all()
    assert report.count(ItemOutcome.SUSPENSE) == 1
    assert report.count(ItemOutcome.POSTED) == 0
    assert held.amount_cents == 96_800
    assert held.received_on == date(2026, 4, 27)
    assert held.status == SuspenseStatus.OPEN.value
    for household in (first, second):
        assert ledger.account_balance(story.ctx, household.account.id) == 96_800
        assert ledger.balance(story.ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=household.account.id) == 0
    assert ledger.balance(story.ctx, LedgerAccount.SUSPENSE) == -96_800


def test_account_number_match(story):
    first, _ = _two_households(story)
    report = _import(story, f"invoice_number,amount,received_on,account_number\n,500.00,2026-04-27,{first.account.account_number}\n")
    item = story.ctx.session.scalar(select(PaymentImportItem))
    assert report.count(ItemOutcome.POSTED) == 1
    assert item.match_rule == MatchRule.ACCOUNT_NUMBER.value
    # 968.00 - 500.00 = 468.00
    assert ledger.account_balance(story.ctx, first.account.id) == 46_800


def test_conflicting_references_go_to_suspense(story):
    first, second = _two_households(story)
    number = story.invoices(first.account)[0].invoice_number
    text = f"invoice_number,amount,received_on,account_number\n{number},968.00,2026-04-27,{second.account.account_number}\n"
    report = _import(story, text)
    item = story.ctx.session.scalar(select(PaymentImportItem))
    assert report.count(ItemOutcome.SUSPENSE) == 1
    assert item.match_rule == MatchRule.AMBIGUOUS.value


def test_byte_order_mark_batch(story):
    first = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    second = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    story.bill(date(2026, 4, 15))
    numbers = [story.invoices(household.account)[0].invoice_number for household in (first, second)]
    rows = f"{numbers[0]},968.00,2026-04-28\n{numbers[1]},968.00,2026-04-28\n"
    report = _import(story, "\ufeffinvoice_number,amount,received_on\n" + rows)
    assert report.count(ItemOutcome.POSTED) == 2
    # 968.00 + 968.00 = 1,936.00
    assert report.total(ItemOutcome.POSTED) == 193_600
    assert ledger.account_balance(story.ctx, first.account.id) == 0


@pytest.mark.parametrize("prefix", [b"\xef\xbb\xbf", b""], ids=["with_bom", "without_bom"])
def test_spreadsheet_batch_posts_each_row(story, prefix):
    households = [couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1)) for _ in range(3)]
    story.bill(date(2026, 4, 15))
    numbers = [story.invoices(household.account)[0].invoice_number for household in households]
    rows = f"{numbers[0]},968.00,2026-04-28\r\n{numbers[1]},1274.00,2026-04-28\r\n{numbers[2]},239.40,2026-04-29\r\n"
    content = prefix + ("invoice_number,amount,received_on\r\n" + rows).encode("utf-8")

    story.at(date(2026, 4, 29))
    report = import_lockbox(story.ctx, content, file_name="lockbox.csv", as_of=date(2026, 4, 29))

    assert report.count(ItemOutcome.POSTED) == 3
    assert report.count(ItemOutcome.SUSPENSE) == 0
    # 968.00 + 1,274.00 + 239.40 = 2,481.40
    assert report.total(ItemOutcome.POSTED) == 248_140
    payments = story.ctx.session.scalars(select(Payment).order_by(Payment.id)).all()
    assert [(payment.billing_account_id, payment.amount_cents) for payment in payments] == [
        (households[0].account.id, 96_800),
        (households[1].account.id, 127_400),
        (households[2].account.id, 23_940),
    ]
    # Each couple owed 968.00: paid in full, 306.00 over, and 968.00 - 239.40 = 728.60 still owed.
    balances = [ledger.account_balance(story.ctx, household.account.id) for household in households]
    assert balances == [0, -30_600, 72_860]


def test_missing_column_rejects_batch(story):
    _two_households(story)
    with pytest.raises(LockboxFileRejected) as caught:
        _import(story, "invoice,amount,received_on\nPRM-2026-000001,968.00,2026-04-28\n")
    assert "invoice_number" in caught.value.message
    assert story.ctx.session.scalar(select(func.count(Payment.id))) == 0


def test_bad_row_rejects_batch(story):
    first, _ = _two_households(story)
    number = story.invoices(first.account)[0].invoice_number
    with pytest.raises(PaymentFileRejected) as caught:
        _import(story, f"invoice_number,amount,received_on\n{number},968.00,2026-04-28\n{number},12.345,2026-04-28\n")
    assert "Line 3" in caught.value.message
    assert ledger.account_balance(story.ctx, first.account.id) == 96_800


def test_reimport_changes_nothing(story):
    first, _ = _two_households(story)
    number = story.invoices(first.account)[0].invoice_number
    text = f"invoice_number,amount,received_on\n{number},968.00,2026-04-27\nNOPE-1,10.00,2026-04-27\n"
    before = _import(story, text)
    after = _import(story, text)
    assert after.already_imported
    assert after.counts == before.counts
    assert story.ctx.session.scalar(select(func.count(Payment.id))) == 1
    assert story.ctx.session.scalar(select(func.count(SuspenseItem.id))) == 1


def test_lockbox_payment_channel(story):
    first, _ = _two_households(story)
    number = story.invoices(first.account)[0].invoice_number
    _import(story, f"invoice_number,amount,received_on,check_number\n{number},968.00,2026-04-27,1042\n")
    payment = story.ctx.session.scalar(select(Payment))
    assert payment.channel == PaymentChannel.LOCKBOX.value
    assert payment.received_on == date(2026, 4, 27)
    assert ledger.balance(story.ctx, LedgerAccount.SUSPENSE) == 0


def test_resent_batch_other_bytes(story):
    first, second = _two_households(story)
    numbers = [story.invoices(household.account)[0].invoice_number for household in (first, second)]
    rows = [f"{numbers[0]},968.00,2026-04-27,1042", f"{numbers[1]},968.00,2026-04-27,1043"]
    header = "invoice_number,amount,received_on,check_number"
    _import(story, "\n".join([header, *rows]) + "\n")
    # The same checks from a spreadsheet: CRLF line endings, a byte order mark, a blank line.
    resent = _import(story, "\ufeff" + "\r\n".join([header, rows[0], "", rows[1]]) + "\r\n")
    assert resent.count(ItemOutcome.POSTED) == 0
    assert resent.duplicates == 2
    assert story.ctx.session.scalar(select(func.count(Payment.id))) == 2
    assert ledger.account_balance(story.ctx, first.account.id) == 0
