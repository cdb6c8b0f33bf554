"""A lockbox deposit reported by the bank and sent as a batch is posted once, whichever arrives first."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from premia.ledger import service as ledger
from premia.ledger.model import LedgerAccount
from premia.payments.bank_files import import_bai2
from premia.payments.lockbox import import_lockbox
from premia.payments.model import ItemOutcome
from premia.payments.reconcile import reconcile
from premia.payments.tables import BankStatementLine, Payment, PaymentImportItem, SuspenseItem
from tests.integration.payments.conftest import Credit, bai2_file, config, couple

BANK_ACCOUNT = "1234567890"
RECEIVED = date(2026, 4, 27)
BOOKED = date(2026, 4, 28)


def _two_billed(story):
    """Two couples billed 968.00 each for May 2026."""
    first = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    second = couple(story, effective=date(2026, 5, 1), start=date(2026, 4, 1))
    story.bill(date(2026, 4, 15))
    return [(household, story.invoices(household.account)[0].invoice_number) for household in (first, second)]


def _batch(story, numbers, on=RECEIVED):
    story.at(on)
    rows = "".join(f"{number},968.00,{on.isoformat()},{1040 + index}\n" for index, number in enumerate(numbers))
    content = ("invoice_number,amount,received_on,check_number\n" + rows).encode("utf-8")
    return import_lockbox(
        story.ctx, content, file_name="lockbox.csv", as_of=on, config=config(deposit_account=BANK_ACCOUNT)
    )


def _statement(story, transactions, on=BOOKED, file_id="1"):
    story.at(on)
    content = bai2_file(BANK_ACCOUNT, on, transactions, file_id=file_id).encode("ascii")
    return import_bai2(story.ctx, content, file_name=f"{on}.bai2", as_of=on)


def _count(story, model):
    return story.ctx.session.scalar(select(func.count(model.id)))


def test_deposit_after_batch_recorded(story):
    households = _two_billed(story)
    _batch(story, [number for _, number in households])
    # 968.00 + 968.00 = 1,936.00, the batch's deposit on the next day's statement
    report = _statement(story, [Credit("115", 193_600, text="LOCKBOX DEPOSIT")])
    line = story.ctx.session.scalar(select(BankStatementLine))
    assert report.count(ItemOutcome.RECORDED) == 1
    assert line.payment_id is None
    assert line.suspense_item_id is None
    assert line.recognized_as.startswith("Deposit of the 2 checks of lockbox import")
    assert _count(story, Payment) == 2
    assert _count(story, SuspenseItem) == 0
    for household, _ in households:
        assert ledger.account_balance(story.ctx, household.account.id) == 0


def test_bank_item_after_batch_recorded(story):
    (household, number), _ = _two_billed(story)
    _batch(story, [number])
    report = _statement(story, [Credit("116", 96_800, customer_reference=number, text="CHECK 1040")])
    assert report.count(ItemOutcome.RECORDED) == 1
    assert report.count(ItemOutcome.POSTED) == 0
    assert _count(story, Payment) == 1
    assert ledger.account_balance(story.ctx, household.account.id) == 0


def test_bank_item_naming_account_recorded(story):
    (household, number), _ = _two_billed(story)
    _batch(story, [number])
    # The bank lists the check by the account number on its coupon, not the invoice number.
    report = _statement(story, [Credit("116", 96_800, customer_reference=household.account.account_number)])
    assert report.count(ItemOutcome.RECORDED) == 1
    assert report.count(ItemOutcome.POSTED) == 0
    assert _count(story, Payment) == 1
    assert ledger.account_balance(story.ctx, household.account.id) == 0


def test_batch_after_bank_item_same_account(story):
    (household, number), _ = _two_billed(story)
    # The bank names the account number; the batch's coupon names the invoice of that account.
    _statement(story, [Credit("116", 96_800, customer_reference=household.account.account_number)], on=RECEIVED)
    report = _batch(story, [number])
    assert report.count(ItemOutcome.RECORDED) == 1
    assert report.count(ItemOutcome.POSTED) == 0
    assert _count(story, Payment) == 1
    assert ledger.account_balance(story.ctx, household.account.id) == 0


def test_batch_after_bank_item_recorded(story):
    (first, first_number), (second, second_number) = _two_billed(story)
    _statement(story, [Credit("116", 96_800, customer_reference=first_number)], on=RECEIVED)
    posted = story.ctx.session.scalar(select(Payment))
    report = _batch(story, [first_number, second_number])
    recorded = story.ctx.session.scalar(
        select(PaymentImportItem).where(
            PaymentImportItem.outcome == ItemOutcome.RECORDED.value, PaymentImportItem.import_id == report.import_id
        )
    )
    assert report.count(ItemOutcome.RECORDED) == 1
    assert report.count(ItemOutcome.POSTED) == 1
    assert recorded.payment_id == posted.id
    assert "already posted this check" in recorded.explanation
    assert _count(story, Payment) == 2
    assert ledger.account_balance(story.ctx, first.account.id) == 0
    assert ledger.account_balance(story.ctx, second.account.id) == 0


def test_bank_posting_covers_one_check(story):
    (household, number), _ = _two_billed(story)
    _statement(story, [Credit("116", 96_800, customer_reference=number)], on=RECEIVED)
    _batch(story, [number])
    # A second batch with a check of the same amount for the same invoice is a second payment.
    second = _batch(story, [number], on=date(2026, 4, 29))
    assert second.count(ItemOutcome.POSTED) == 1
    assert _count(story, Payment) == 2
    # 968.00 billed - 2 x 968.00 paid = 968.00 credit
    assert ledger.account_balance(story.ctx, household.account.id) == -96_800


def test_unmatched_deposit_awaits_batch(story):
    households = _two_billed(story)
    report = _statement(story, [Credit("115", 193_600, text="LOCKBOX DEPOSIT")], on=RECEIVED)
    item = story.ctx.session.scalar(select(PaymentImportItem))
    assert report.count(ItemOutcome.RECORDED) == 1
    assert "its checks are posted from the lockbox batch" in item.explanation
    assert "waits in suspense" not in item.explanation
    assert _count(story, SuspenseItem) == 0
    assert ledger.balance(story.ctx, LedgerAccount.SUSPENSE) == 0
    assert not reconcile(story.ctx, on=RECEIVED).balanced

    _batch(story, [number for _, number in households])
    assert _count(story, Payment) == 2
    assert reconcile(story.ctx, on=RECEIVED).balanced


def test_deposit_total_beside_items_recorded(story):
    (first, first_number), (second, second_number) = _two_billed(story)
    report = _statement(
        story,
        [
            Credit("115", 193_600, text="LOCKBOX DEPOSIT"),
            Credit("116", 96_800, customer_reference=first_number),
            Credit("116", 96_800, customer_reference=second_number),
        ],
    )
    total = story.ctx.session.scalar(select(BankStatementLine).where(BankStatementLine.type_code == "115"))
    assert report.count(ItemOutcome.POSTED) == 2
    assert report.count(ItemOutcome.RECORDED) == 1
    assert total.payment_id is None
    assert total.suspense_item_id is None
    assert ledger.account_balance(story.ctx, first.account.id) == 0
    assert ledger.account_balance(story.ctx, second.account.id) == 0


def test_wire_of_same_amount_held(story):
    (_, number), _ = _two_billed(story)
    _batch(story, [number])
    # A wire is not a lockbox deposit, however well its amount fits the batch.
    report = _statement(story, [Credit("195", 96_800, text="WIRE FROM SOMEONE")])
    assert report.count(ItemOutcome.SUSPENSE) == 1
    assert _count(story, SuspenseItem) == 1


def test_deposit_booked_next_day_balances(story):
    households = _two_billed(story)
    _batch(story, [number for _, number in households])
    _statement(story, [Credit("115", 193_600, text="LOCKBOX DEPOSIT")])
    received = reconcile(story.ctx, on=RECEIVED)
    booked = reconcile(story.ctx, on=BOOKED)
    (received_row,) = received.accounts
    (booked_row,) = booked.accounts
    # The 1,936.00 batch of 04-27 is booked by the bank on 04-28: each day pairs it with its receipts.
    assert received.balanced
    assert received_row.booked_later_cents == 193_600
    assert booked.balanced
    assert booked_row.for_earlier_cents == 193_600
    assert booked_row.deposits_cents == 193_600
