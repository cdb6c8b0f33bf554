"""BC-15 and BC-24 through the real return path: an auto-draft, a NACHA return file, the product's fee.

Subscriber A (born 1990-08-17, age 35, factor 1.222) and Spouse B (born 1993-02-03, age 33 on
the effective date, factor 1.198), base 400.00: 488.80 + 479.20 = 968.00 a month, drafted by
ACH. The draft is built by the auto-draft run, returned by an imported NACHA file, and the
returned-payment fee (25.00 for R01 by default) is charged by the import itself. Grace is
the default 31 days for individual policies, counted from the day after the due date.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from premia.billing.model import LineKind
from premia.billing.queries import account_invoices
from premia.billing.tables import InvoiceLine
from premia.kernel.dates import Month
from premia.ledger.model import EntryKind, LedgerAccount
from premia.ledger.tables import JournalEntry, JournalLine
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.payments.autodraft import run_autodraft
from premia.payments.model import ItemOutcome, PaymentChannel, PaymentMethod, PaymentStatus
from premia.payments.returns import import_nacha_returns
from premia.payments.service import post_payment
from premia.payments.tables import Payment
from tests.integration.payments.conftest import ReturnLine, couple, nacha_return_file, on_autodraft

COUPLE = 48_880 + 47_920
FEE = 2_500


def _autodraft(story, on: date):
    story.story.at(on)
    report = run_autodraft(story.ctx, as_of=on)
    story.run(on)
    return report


def _return_r01(story, trace: str, on: date):
    story.story.at(on)
    content = nacha_return_file([ReturnLine(trace, COUPLE, "R01")], created=on).encode("ascii")
    report = import_nacha_returns(story.ctx, content, file_name=f"returns-{on}.ach", as_of=on)
    story.run(on)
    return report


def _open_on(story, invoice) -> int:
    query = select(func.coalesce(func.sum(JournalLine.amount_cents), 0)).where(
        JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value, JournalLine.invoice_id == invoice.id
    )
    return int(story.ctx.session.scalar(query))


def _entry_lines(story, entry_id: int) -> list[tuple[str, int]]:
    lines = story.ctx.session.scalars(select(JournalLine).where(JournalLine.entry_id == entry_id).order_by(JournalLine.id))
    return [(line.ledger_account, line.amount_cents) for line in lines]


def _drafted_for(story, month: date):
    """Build a couple on auto-draft whose first month is paid by check and whose ``month`` is billed, not yet drafted."""
    first = Month.of(month).plus(-1)
    before = first.plus(-1)
    household = couple(story.story, effective=first.first_day, start=before.first_day)
    on_autodraft(story.story, household.account)
    story.day(before.first_day.replace(day=15))
    story.pay(household, COUPLE, before.first_day.replace(day=25))
    story.day(first.first_day.replace(day=15))
    return household


def test_bc15_pending_settled_returned(offexchange_story):
    story = offexchange_story
    household = _drafted_for(story, date(2026, 4, 1))
    april = story.story.invoices(household.account)[-1]
    assert april.period_start == date(2026, 4, 1)
    assert april.amount_due_cents == COUPLE
    assert april.due_date == date(2026, 4, 1)

    # 2026-03-31: the ACH file is sent, effective Wednesday 04-01.
    sent = _autodraft(story, date(2026, 3, 31))
    (draft,) = sent.entries
    payment = story.ctx.session.get(Payment, draft["payment_id"])
    assert payment.status == PaymentStatus.PENDING.value
    assert _open_on(story, april) == COUPLE
    invoices_on_day = {row.id: row for row in account_invoices(story.ctx, household.account.id, as_of=date(2026, 3, 31), member_names={})}
    # Still open in the journal, and invoices_on_day as payment pending while the draft is in flight.
    assert invoices_on_day[april.id].status == "payment_pending"
    assert invoices_on_day[april.id].open_cents == COUPLE
    assert story.paid_through(household) == date(2026, 3, 31)
    assert story.status(household) == "active"

    # 2026-04-01: the draft settles.
    _autodraft(story, date(2026, 4, 1))
    assert payment.status == PaymentStatus.SETTLED.value
    assert story.balance(household) == 0
    assert story.paid_through(household) == date(2026, 4, 30)
    assert story.status(household) == "active"

    # 2026-04-03: return R01.
    report = _return_r01(story, draft["trace_number"], date(2026, 4, 3))
    assert report.count(ItemOutcome.RETURNED) == 1
    assert payment.status == PaymentStatus.RETURNED.value
    assert payment.return_code == "R01"
    assert payment.returned_on == date(2026, 4, 3)
    assert _open_on(story, april) == COUPLE
    # 968.00 premium + 25.00 fee = 993.00.
    assert story.balance(household) == COUPLE + FEE
    assert story.paid_through(household) == date(2026, 3, 31)
    assert story.status(household) == "grace"


def test_bc15_grace_from_due_date(offexchange_story):
    story = offexchange_story
    household = _drafted_for(story, date(2026, 4, 1))
    (draft,) = _autodraft(story, date(2026, 3, 31)).entries
    _autodraft(story, date(2026, 4, 1))
    _return_r01(story, draft["trace_number"], date(2026, 4, 3))

    grace = story.grace(household)
    # From the day after Wednesday 04-01, 31 days: 2026-04-02..2026-05-02, not 04-04..05-04.
    assert grace.start_date == date(2026, 4, 2)
    assert grace.end_date == date(2026, 5, 2)
    assert story.moves(household) == [("active", "grace", date(2026, 4, 3))]
    assert ("delinquency", date(2026, 4, 3)) in story.dunning(household)
    notices = notices_for(story.ctx, billing_account_id=household.account.id)
    (returned,) = [notice for notice in notices if notice.notice_type == NoticeType.RETURNED_PAYMENT.value]
    assert returned.data["return_code"] == "R01"
    assert returned.data["fee_cents"] == FEE
    assert returned.data["amount_due_cents"] == COUPLE + FEE


def test_bc15_reversal_is_new_entry(offexchange_story):
    story = offexchange_story
    _drafted_for(story, date(2026, 4, 1))
    (draft,) = _autodraft(story, date(2026, 3, 31)).entries
    _autodraft(story, date(2026, 4, 1))
    payment = story.ctx.session.get(Payment, draft["payment_id"])
    original_id = payment.posting_entry_id
    original_lines = _entry_lines(story, original_id)
    _return_r01(story, draft["trace_number"], date(2026, 4, 3))

    session = story.ctx.session
    assert session.get(Payment, payment.id) is not None
    assert payment.posting_entry_id == original_id
    assert _entry_lines(story, original_id) == original_lines
    reversal = session.scalar(select(JournalEntry).where(JournalEntry.reverses_entry_id == original_id))
    assert reversal.kind == EntryKind.REVERSAL.value
    assert reversal.entry_date == date(2026, 4, 3)
    reopened = select(func.sum(JournalLine.amount_cents)).where(
        JournalLine.entry_id == reversal.id, JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value
    )
    # The reversal takes back the 968.00: April's receivable is debited again by that amount.
    assert session.scalar(reopened) == COUPLE
    assert session.scalar(select(func.sum(JournalLine.amount_cents)).where(JournalLine.entry_id == reversal.id)) == 0


def test_bc15_fee_own_line(offexchange_story):
    story = offexchange_story
    household = _drafted_for(story, date(2026, 4, 1))
    (draft,) = _autodraft(story, date(2026, 3, 31)).entries
    _autodraft(story, date(2026, 4, 1))
    _return_r01(story, draft["trace_number"], date(2026, 4, 3))
    april = story.story.invoices(household.account)[-1]
    premium = sorted(line.amount_cents for line in story.story.lines(april) if line.kind == LineKind.PREMIUM.value)
    assert premium == [47_920, 48_880]

    story.day(date(2026, 4, 15))
    may = story.story.invoices(household.account)[-1]
    lines = story.story.lines(may)
    fees = [line.amount_cents for line in lines if line.kind == LineKind.FEE.value]
    assert fees == [FEE]
    assert sorted(line.amount_cents for line in lines if line.kind == LineKind.PREMIUM.value) == [47_920, 48_880]
    fee_lines = select(func.count(InvoiceLine.id)).where(InvoiceLine.billing_account_id == household.account.id, InvoiceLine.kind == LineKind.FEE.value)
    assert story.ctx.session.scalar(fee_lines) == 1


def _bc24(story):
    """Draft September 2026, settle it 09-01, return it R01 on Thursday 09-03, and bill October on 09-15."""
    household = _drafted_for(story, date(2026, 9, 1))
    (draft,) = _autodraft(story, date(2026, 8, 31)).entries
    _autodraft(story, date(2026, 9, 1))
    _return_r01(story, draft["trace_number"], date(2026, 9, 3))
    assert story.paid_through(household) == date(2026, 8, 31)
    grace = story.grace(household)
    # From the day after Tuesday 09-01: 2026-09-02..2026-10-02.
    assert grace.start_date == date(2026, 9, 2)
    assert grace.end_date == date(2026, 10, 2)
    story.day(date(2026, 9, 15))
    october = story.story.invoices(household.account)[-1]
    # 968.00 - 968.00 + 968.00 + 25.00 + 968.00 = 1,961.00, due Thursday 10-01.
    assert october.previous_balance_cents == COUPLE
    assert october.current_charges_cents == COUPLE
    assert [line.amount_cents for line in story.story.lines(october) if line.kind == LineKind.FEE.value] == [FEE]
    assert october.amount_due_cents == COUPLE + FEE + COUPLE
    assert october.due_date == date(2026, 10, 1)
    return household


def _card(story, household, cents: int, on: date) -> None:
    story.story.at(on)
    post_payment(
        story.ctx,
        billing_account_id=household.account.id,
        amount_cents=cents,
        channel=PaymentChannel.CARD,
        method=PaymentMethod.CARD,
        received_on=on,
    )
    story.run(on)


def test_bc24_fee_outlives_grace(offexchange_story):
    story = offexchange_story
    household = _bc24(story)
    _card(story, household, COUPLE, date(2026, 9, 20))
    assert story.status(household) == "active"
    assert story.grace(household).closed_on == date(2026, 9, 20)
    assert story.paid_through(household) == date(2026, 9, 30)
    # 25.00 + 968.00 = 993.00 still owed, due 10-01.
    assert story.balance(household) == FEE + COUPLE
    fee_revenue = select(func.sum(JournalLine.amount_cents)).where(JournalLine.ledger_account == LedgerAccount.FEE_REVENUE.value)
    assert story.ctx.session.scalar(fee_revenue) == -FEE
    # With October paid and only the fee open, no grace period starts and nothing terminates.
    _card(story, household, COUPLE, date(2026, 9, 30))
    story.day(date(2026, 10, 2))
    story.day(date(2026, 10, 3))
    assert story.status(household) == "active"
    assert story.balance(household) == FEE
    assert story.moves(household) == [("active", "grace", date(2026, 9, 3)), ("grace", "active", date(2026, 9, 20))]


def test_bc24_one_payment_variant(offexchange_story):
    story = offexchange_story
    household = _bc24(story)
    # 993.00 pays September and the fee, so October's 968.00 is left.
    _card(story, household, COUPLE + FEE, date(2026, 9, 20))
    assert story.status(household) == "active"
    assert story.balance(household) == COUPLE


def test_bc24_partial_keeps_grace(offexchange_story):
    story = offexchange_story
    household = _bc24(story)
    _card(story, household, 40_000, date(2026, 9, 20))
    assert story.status(household) == "grace"
    assert story.grace(household).end_date == date(2026, 10, 2)
    # 968.00 - 400.00 = 568.00 of September, + 25.00 fee = 593.00, + October's 968.00.
    assert story.balance(household) == 56_800 + FEE + COUPLE
