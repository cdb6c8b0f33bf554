"""ACH returns and notifications of change: reversal, the action per code, fees, re-presentment."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from premia.accounts.tables import BankAccount, BillingAccount
from premia.billing.queries import paid_through_dates
from premia.billing.tables import InvoiceLine
from premia.formats.nacha import read_nacha
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind
from premia.ledger.tables import JournalEntry
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.payments.autodraft import run_autodraft
from premia.payments.model import ItemOutcome, PaymentStatus, Representment
from premia.payments.returns import import_nacha_returns
from premia.payments.tables import AchEntry, Payment
from tests.integration.payments.conftest import ReturnLine, config, couple, nacha_return_file, on_autodraft


def _drafted(story):
    """April 2026 (968.00, due Wednesday 2026-04-01) drafted on 2026-03-31 and settled on 2026-04-01."""
    household = couple(story, effective=date(2026, 3, 1), start=date(2026, 2, 1))
    on_autodraft(story, household.account)
    story.bill(date(2026, 2, 15))
    story.pay(household.account, 96_800, date(2026, 2, 25))
    story.bill(date(2026, 3, 15))
    report = _run(story, date(2026, 3, 31))
    _run(story, date(2026, 4, 1))
    return household, report.entries[0]


def _run(story, as_of, **options):
    story.at(as_of)
    return run_autodraft(story.ctx, as_of=as_of, **options)


def _return(story, lines, on, **options):
    story.at(on)
    content = nacha_return_file(lines, created=on).encode("ascii")
    return import_nacha_returns(story.ctx, content, file_name="returns.ach", as_of=on, **options)


def test_return_file_reads(story):
    text = nacha_return_file([ReturnLine("091000010000001", 96_800, "R01")])
    (entry,) = read_nacha(text).entries
    assert entry.return_addenda.original_trace_number == "091000010000001"


def test_r01_reverses_and_charges_fee(story):
    household, draft = _drafted(story)
    report = _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3))
    payment = story.ctx.session.get(Payment, draft["payment_id"])
    assert report.count(ItemOutcome.RETURNED) == 1
    assert payment.status == PaymentStatus.RETURNED.value
    assert payment.return_code == "R01"
    # April reopened at 968.00 plus the 25.00 fee = 993.00
    assert ledger.account_balance(story.ctx, household.account.id) == 99_300
    assert paid_through_dates(story.ctx, [household.policy])[household.policy.id] == date(2026, 3, 31)
    assert sum(ledger.trial_balance(story.ctx).values()) == 0


def test_return_keeps_original_entry(story):
    household, draft = _drafted(story)
    _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3))
    payment = story.ctx.session.get(Payment, draft["payment_id"])
    reversal = story.ctx.session.scalar(select(JournalEntry).where(JournalEntry.reverses_entry_id == payment.posting_entry_id))
    assert story.ctx.session.get(JournalEntry, payment.posting_entry_id) is not None
    assert reversal.kind == EntryKind.REVERSAL.value
    assert reversal.entry_date == date(2026, 4, 3)


def test_fee_is_its_own_line(story):
    household, draft = _drafted(story)
    _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3))
    story.bill(date(2026, 4, 15))
    (fee,) = story.ctx.session.scalars(select(InvoiceLine).where(InvoiceLine.billing_account_id == household.account.id, InvoiceLine.kind == "fee"))
    may = story.invoices(household.account)[-1]
    assert fee.amount_cents == 2_500
    assert fee.invoice_id == may.id


def test_returned_payment_notice(story):
    household, draft = _drafted(story)
    _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3))
    (notice,) = [n for n in notices_for(story.ctx, billing_account_id=household.account.id) if n.notice_type == NoticeType.RETURNED_PAYMENT.value]
    assert notice.data["return_code"] == "R01"
    assert notice.data["fee_cents"] == 2_500
    assert notice.data["amount_due_cents"] == 99_300


def test_fee_off_when_configured(story):
    household, draft = _drafted(story)
    _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3), config=config(return_fee={"amount_cents": 0}))
    assert ledger.account_balance(story.ctx, household.account.id) == 96_800


def test_fee_off_for_exchange_business(story):
    household = couple(story, effective=date(2026, 3, 1), start=date(2026, 2, 1), on_exchange=True)
    on_autodraft(story, household.account)
    story.bill(date(2026, 2, 15))
    story.pay(household.account, 96_800, date(2026, 2, 25))
    story.bill(date(2026, 3, 15))
    draft = _run(story, date(2026, 3, 31)).entries[0]
    _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3))
    assert ledger.account_balance(story.ctx, household.account.id) == 96_800


def test_importing_again_changes_nothing(story):
    household, draft = _drafted(story)
    first = _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3))
    second = _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3))
    assert second.already_imported
    assert second.import_id == first.import_id
    assert ledger.account_balance(story.ctx, household.account.id) == 99_300


def test_same_return_in_new_file_posts_once(story):
    household, draft = _drafted(story)
    _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3))
    again = _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 6))
    assert not again.already_imported
    assert again.duplicates == 1
    assert ledger.account_balance(story.ctx, household.account.id) == 99_300


def test_late_settlement_does_not_revive(story):
    household = couple(story, effective=date(2026, 3, 1), start=date(2026, 2, 1))
    on_autodraft(story, household.account)
    story.bill(date(2026, 2, 15))
    story.pay(household.account, 96_800, date(2026, 2, 25))
    story.bill(date(2026, 3, 15))
    waiting = config(settle_after_banking_days=2)
    draft = _run(story, date(2026, 3, 31), config=waiting).entries[0]
    _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 2), config=waiting)
    later = _run(story, date(2026, 4, 6), config=waiting)
    payment = story.ctx.session.get(Payment, draft["payment_id"])
    assert later.settled_count == 0
    assert payment.status == PaymentStatus.RETURNED.value
    # 968.00 open again plus the 25.00 fee
    assert ledger.account_balance(story.ctx, household.account.id) == 99_300


def test_r01_presented_again(story):
    household, draft = _drafted(story)
    _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3))
    # Two banking days after Friday 2026-04-03 is Tuesday 2026-04-07.
    waiting = _run(story, date(2026, 4, 6))
    retry = _run(story, date(2026, 4, 7))
    nacha = read_nacha(retry.content)
    descriptions = {batch.header.entry_description: [entry.amount_cents for entry in batch.entries] for batch in nacha.batches}
    assert waiting.entries == []
    assert descriptions["RETRY PYMT"] == [96_800]
    # The fee is drafted only once an invoice has shown it.
    assert "RETURN FEE" not in descriptions


def test_fee_drafted_after_invoice_shows_it(story):
    household, draft = _drafted(story)
    _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3))
    _run(story, date(2026, 4, 7))
    story.bill(date(2026, 4, 15))
    # May (968.00, due Friday 2026-05-01) and the fee shown on the May invoice
    report = _run(story, date(2026, 4, 30))
    nacha = read_nacha(report.content)
    descriptions = {batch.header.entry_description: [entry.amount_cents for entry in batch.entries] for batch in nacha.batches}
    assert descriptions["PREMIUM"] == [96_800]
    assert descriptions["RETURN FEE"] == [2_500]


def test_third_r01_stops_autodraft(story):
    household, draft = _drafted(story)
    trace = draft["trace_number"]
    returned_on = date(2026, 4, 3)
    for retry_day in (date(2026, 4, 7), date(2026, 4, 13)):
        _return(story, [ReturnLine(trace, 96_800, "R01")], returned_on)
        retry = next(entry for entry in _run(story, retry_day).entries if entry["purpose"] == "retry")
        trace = retry["trace_number"]
        returned_on = date(2026, 4, 9) if retry_day == date(2026, 4, 7) else date(2026, 4, 15)
    _return(story, [ReturnLine(trace, 96_800, "R01")], returned_on)
    last = story.ctx.session.scalar(select(AchEntry).where(AchEntry.trace_number == trace))
    account = story.ctx.session.get(BillingAccount, household.account.id)
    assert last.attempt == 2
    assert last.representment == Representment.EXHAUSTED.value
    assert account.payment_method == "invoice"


def test_r02_deactivates_bank_and_stops_autodraft(story):
    household, draft = _drafted(story)
    _return(story, [ReturnLine(draft["trace_number"], 96_800, "R02")], date(2026, 4, 3))
    bank = story.ctx.session.scalar(select(BankAccount).where(BankAccount.billing_account_id == household.account.id))
    account = story.ctx.session.get(BillingAccount, household.account.id)
    entry = story.ctx.session.scalar(select(AchEntry).where(AchEntry.trace_number == draft["trace_number"]))
    assert bank.status == "inactive"
    assert "R02" in bank.deactivation_reason
    assert account.payment_method == "invoice"
    assert entry.representment is None
    # No fee for R02: 968.00 open again
    assert ledger.account_balance(story.ctx, household.account.id) == 96_800


def test_r07_revokes_authorization(story):
    household, draft = _drafted(story)
    report = _return(story, [ReturnLine(draft["trace_number"], 96_800, "R07")], date(2026, 4, 3))
    bank = story.ctx.session.scalar(select(BankAccount).where(BankAccount.billing_account_id == household.account.id))
    assert bank.status == "inactive"
    assert "authorization revoked" in bank.deactivation_reason
    assert "auto-draft was stopped" in report.items[0]["explanation"]
    assert story.ctx.session.get(BillingAccount, household.account.id).payment_method == "invoice"


def test_noc_c01_updates_account_number(story):
    household, draft = _drafted(story)
    report = _return(story, [ReturnLine(draft["trace_number"], 0, "C01", corrected_data="99887766")], date(2026, 4, 3))
    bank = story.ctx.session.scalar(select(BankAccount).where(BankAccount.billing_account_id == household.account.id))
    assert report.count(ItemOutcome.CHANGED) == 1
    assert story.ctx.cipher.decrypt(bank.account_number_ciphertext) == "99887766"
    assert bank.account_last4 == "7766"
    assert bank.status == "active"


def test_unknown_trace_is_unmatched(story):
    household, _ = _drafted(story)
    report = _return(story, [ReturnLine("091000019999999", 12_300, "R01")], date(2026, 4, 3))
    assert report.count(ItemOutcome.UNMATCHED) == 1
    assert ledger.account_balance(story.ctx, household.account.id) == 0


def test_premium_paid_before_fee(story):
    household, draft = _drafted(story)
    _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3))
    story.pay(household.account, 96_800, date(2026, 4, 20))
    # April is paid again; the 25.00 fee stays owed and does not hold the month open
    assert ledger.account_balance(story.ctx, household.account.id) == 2_500
    assert paid_through_dates(story.ctx, [household.policy])[household.policy.id] == date(2026, 4, 30)


def test_partial_payment_leaves_premium_and_fee(story):
    household, draft = _drafted(story)
    _return(story, [ReturnLine(draft["trace_number"], 96_800, "R01")], date(2026, 4, 3))
    story.pay(household.account, 40_000, date(2026, 4, 20))
    # 968.00 - 400.00 = 568.00 of April premium, plus the 25.00 fee
    assert ledger.account_balance(story.ctx, household.account.id) == 59_300
    assert paid_through_dates(story.ctx, [household.policy])[household.policy.id] == date(2026, 3, 31)
