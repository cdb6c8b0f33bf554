"""BC-10: one lockbox check spread over three open invoices allocates exactly, to the cent.

Employer group G-2040 is billed monthly for three employees on the group plan (base 400.00,
ages on the plan-year start 2026-01-01):
  H born 1990-08-17, age 35, factor 1.222: 488.80
  J born 1992-09-10, age 33, factor 1.198: 479.20
  K born 1985-06-15, age 40, factor 1.278: 511.20
so each of January, February and March 2026 bills 488.80 + 479.20 + 511.20 = 1,479.20.

The builders cannot bill a disputed amount as such. So the undisputed rest of each invoice
is paid on time by a payment aimed at that invoice alone, which leaves exactly the disputed
amount open:
  January  1,479.20 - 512.10   = 967.10 paid, 512.10 open
  February 1,479.20 - 1,067.70 = 411.50 paid, 1,067.70 open
  March    1,479.20 - 350.15   = 1,129.05 paid, 350.15 open
Billing stops at the March invoice (issued 2026-02-15), so no April invoice competes for the
check.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select

from premia.billing.queries import paid_through_dates
from premia.ledger import service as ledger
from premia.ledger.model import LedgerAccount
from premia.ledger.tables import JournalEntry, JournalLine
from premia.payments.allocation import AllocationTarget
from premia.payments.lockbox import import_lockbox
from premia.payments.model import ItemOutcome, PaymentChannel, PaymentMethod, PaymentStatus
from premia.payments.service import post_payment
from premia.payments.tables import Payment, SuspenseItem
from tests.integration.conftest import group_catalog

MONTHLY = 48_880 + 47_920 + 51_120
DISPUTED = {date(2026, 1, 1): 51_210, date(2026, 2, 1): 106_770, date(2026, 3, 1): 35_015}
# 51,210 + 106,770 + 35,015 = 192,995 cents, the check.
CHECK = 192_995


def _open_by_invoice(story, account) -> dict[int, int]:
    rows = story.ctx.session.execute(
        select(JournalLine.invoice_id, func.sum(JournalLine.amount_cents))
        .where(JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value, JournalLine.billing_account_id == account.id)
        .group_by(JournalLine.invoice_id)
    ).all()
    return {invoice_id: int(total) for invoice_id, total in rows}


def _group_with_disputed_amounts(story):
    story.catalog = group_catalog({2025: "400.00", 2026: "400.00"})
    story.at(date(2025, 12, 1))
    group, account = story.employer_group("G-2040", anniversary_month=1)
    policies = [
        story.employee(account, group, first_name=name, birth=birth, effective=date(2026, 1, 1))
        for name, birth in (("H", date(1990, 8, 17)), ("J", date(1992, 9, 10)), ("K", date(1985, 6, 15)))
    ]
    for issue in (date(2025, 12, 15), date(2026, 1, 15), date(2026, 2, 15)):
        story.bill(issue)

    invoices = story.invoices(account)
    assert [invoice.period_start for invoice in invoices] == list(DISPUTED)
    assert [invoice.current_charges_cents for invoice in invoices] == [MONTHLY] * 3
    for invoice in invoices:
        story.at(invoice.due_date)
        post_payment(
            story.ctx,
            billing_account_id=account.id,
            amount_cents=MONTHLY - DISPUTED[invoice.period_start],
            channel=PaymentChannel.MANUAL,
            method=PaymentMethod.CHECK,
            received_on=invoice.due_date,
            target=AllocationTarget(invoice_id=invoice.id),
        )

    opened = _open_by_invoice(story, account)
    assert [opened[invoice.id] for invoice in invoices] == list(DISPUTED.values())
    return account, policies, invoices


def _import_check(story, account):
    # Friday 2026-03-20: the check names the group's account number and no invoice.
    story.at(date(2026, 3, 20))
    text = f"invoice_number,amount,received_on,account_number,check_number\n,1929.95,2026-03-20,{account.account_number},20401\n"
    return import_lockbox(story.ctx, text.encode("utf-8"), file_name="lockbox-2026-03-20.csv", as_of=date(2026, 3, 20))


def _the_check(story) -> Payment:
    (check,) = story.ctx.session.scalars(select(Payment).where(Payment.channel == PaymentChannel.LOCKBOX.value)).all()
    return check


def test_check_allocates_oldest_first(offexchange_story):
    story = offexchange_story.story
    account, _, invoices = _group_with_disputed_amounts(story)
    report = _import_check(story, account)
    assert report.count(ItemOutcome.POSTED) == 1
    assert report.count(ItemOutcome.SUSPENSE) == 0

    check = _the_check(story)
    assert check.amount_cents == CHECK
    assert check.status == PaymentStatus.SETTLED.value
    lines = story.ctx.session.scalars(select(JournalLine).where(JournalLine.entry_id == check.posting_entry_id)).all()
    applied: dict[int, int] = defaultdict(int)
    for line in lines:
        if line.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value:
            applied[line.invoice_id] -= line.amount_cents
    assert dict(applied) == {invoice.id: DISPUTED[invoice.period_start] for invoice in invoices}
    assert sum(applied.values()) == CHECK


def test_balances_zero_nothing_left(offexchange_story):
    story = offexchange_story.story
    account, policies, invoices = _group_with_disputed_amounts(story)
    _import_check(story, account)

    opened = _open_by_invoice(story, account)
    assert [opened[invoice.id] for invoice in invoices] == [0, 0, 0]
    assert ledger.account_balance(story.ctx, account.id) == 0
    assert ledger.balance(story.ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=account.id) == 0
    assert ledger.balance(story.ctx, LedgerAccount.SUSPENSE) == 0
    assert story.ctx.session.scalar(select(func.count(SuspenseItem.id))) == 0
    lockbox = select(func.count(Payment.id)).where(Payment.channel == PaymentChannel.LOCKBOX.value)
    assert story.ctx.session.scalar(lockbox) == 1
    # Every member on the disputed lines is paid through March.
    assert set(paid_through_dates(story.ctx, policies).values()) == {date(2026, 3, 31)}


def test_one_balanced_journal_entry(offexchange_story):
    story = offexchange_story.story
    account, _, _ = _group_with_disputed_amounts(story)
    _import_check(story, account)

    check = _the_check(story)
    entries = story.ctx.session.scalars(select(JournalLine.entry_id).where(JournalLine.payment_id == check.id).distinct()).all()
    assert entries == [check.posting_entry_id]
    entry = story.ctx.session.get(JournalEntry, check.posting_entry_id)
    assert entry.kind == "payment"
    total = select(func.sum(JournalLine.amount_cents)).where(JournalLine.entry_id == entry.id)
    assert story.ctx.session.scalar(total) == 0

    # Every entry of the story balances, and so does the whole ledger.
    unbalanced = select(JournalLine.entry_id).group_by(JournalLine.entry_id).having(func.sum(JournalLine.amount_cents) != 0)
    assert story.ctx.session.scalars(unbalanced).all() == []
    assert sum(ledger.trial_balance(story.ctx).values()) == 0
