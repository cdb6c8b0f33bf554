"""An account's statement from the journal: one row per entry, with the running balance."""

from __future__ import annotations

from datetime import date

from premia.ledger.queries import account_statement, lines_of_entries
from premia.payments.tables import Payment


def _billed_and_paid(story):
    """Ana alone (488.80 a month from 2026-01), billed for January, then paying 500.00."""
    account = story.at(date(2025, 12, 1)).account()
    story.policy(account, effective=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    result = story.pay(account, 50_000, date(2025, 12, 28))
    return account, result


def test_statement_running_balance(story):
    account, _ = _billed_and_paid(story)

    statement = account_statement(story.ctx, account.id)

    assert [(row.charged_cents, row.credited_cents) for row in statement] == [(48_880, 0), (0, 50_000)]
    # 488.80 charged, then 500.00 paid: 11.20 in credit.
    assert [row.balance_cents for row in statement] == [48_880, -1_120]
    assert statement[0].entry_date <= statement[1].entry_date


def test_statement_empty(story):
    account = story.account()

    assert account_statement(story.ctx, account.id) == []


def test_lines_of_entries(story):
    account, result = _billed_and_paid(story)
    payment = story.ctx.session.get(Payment, result.payment.id)

    lines = lines_of_entries(story.ctx, [payment.posting_entry_id])

    assert list(lines) == [payment.posting_entry_id]
    # A balanced entry: its debits and credits cancel.
    assert sum(line.amount_cents for line in lines[payment.posting_entry_id]) == 0
    assert lines_of_entries(story.ctx, []) == {}
