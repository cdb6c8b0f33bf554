"""Auto-draft runs: what is drafted, when, for how much, and how drafts settle."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from premia.billing.queries import account_invoices, paid_through_dates
from premia.enrollment.model import Relationship
from premia.formats.nacha import TransactionCode, read_nacha
from premia.kernel.clock import FixedClock
from premia.ledger import service as ledger
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.payments.autodraft import run_autodraft
from premia.payments.model import AchPurpose, PaymentStatus
from premia.payments.tables import AchEntry, Payment
from tests.integration.conftest import Story, story_catalog
from premia.accounts.model import AuthorizationMethod
from tests.integration.payments.conftest import couple, on_autodraft


def _march_paid(story):
    """The couple from 2026-03-01, March paid by check, April billed on 2026-03-15 and due Wednesday 2026-04-01."""
    household = couple(story, effective=date(2026, 3, 1), start=date(2026, 2, 1))
    on_autodraft(story, household.account)
    story.bill(date(2026, 2, 15))
    story.pay(household.account, 96_800, date(2026, 2, 25))
    story.bill(date(2026, 3, 15))
    return household


def _run(story, as_of, **options):
    story.at(as_of)
    return run_autodraft(story.ctx, as_of=as_of, **options)


def test_draft_is_pending_until_settled(story):
    household = _march_paid(story)
    report = _run(story, date(2026, 3, 31))
    assert report.effective_date == date(2026, 4, 1)
    assert [entry["amount_cents"] for entry in report.entries] == [96_800]
    payment = story.ctx.session.get(Payment, report.entries[0]["payment_id"])
    assert payment.status == PaymentStatus.PENDING.value
    # 968.00 billed, nothing posted while the draft is pending
    assert ledger.account_balance(story.ctx, household.account.id) == 96_800
    assert paid_through_dates(story.ctx, [household.policy])[household.policy.id] == date(2026, 3, 31)


def test_draft_settles_on_effective_date(story):
    household = _march_paid(story)
    drafted = _run(story, date(2026, 3, 31))
    settled = _run(story, date(2026, 4, 1))
    payment = story.ctx.session.get(Payment, drafted.entries[0]["payment_id"])
    assert settled.settled_count == 1
    assert payment.status == PaymentStatus.SETTLED.value
    assert payment.settled_on == date(2026, 4, 1)
    assert ledger.account_balance(story.ctx, household.account.id) == 0
    assert paid_through_dates(story.ctx, [household.policy])[household.policy.id] == date(2026, 4, 30)


def test_settlement_waits_configured_days(story):
    _march_paid(story)
    options = {"settle_after_banking_days": 2}
    from tests.integration.payments.conftest import config

    drafted = _run(story, date(2026, 3, 31), config=config(**options))
    early = _run(story, date(2026, 4, 2), config=config(**options))
    # 2026-04-01 plus 2 banking days is Friday 2026-04-03
    on_time = _run(story, date(2026, 4, 3), config=config(**options))
    payment = story.ctx.session.get(Payment, drafted.entries[0]["payment_id"])
    assert early.settled_count == 0
    assert on_time.settled_count == 1
    assert payment.settled_on == date(2026, 4, 1)


def test_file_is_valid_ppd_debit(story):
    _march_paid(story)
    report = _run(story, date(2026, 3, 31))
    nacha = read_nacha(report.content)
    (entry,) = nacha.entries
    assert entry.transaction_code is TransactionCode.CHECKING_DEBIT
    assert entry.amount_cents == 96_800
    assert entry.account_number == "4455667788"
    assert entry.effective_entry_date == date(2026, 4, 1)
    assert nacha.batches[0].header.entry_description == "PREMIUM"
    assert nacha.control.total_debit_cents == 96_800


def test_second_run_drafts_nothing(story):
    _march_paid(story)
    first = _run(story, date(2026, 3, 31))
    second = _run(story, date(2026, 3, 31))
    assert len(first.entries) == 1
    assert second.entries == []
    assert second.content is None


def test_draft_waits_for_draft_date(story):
    household = couple(story, effective=date(2026, 4, 1), start=date(2026, 3, 1))
    # Draft day 5: 2026-04-05 is a Sunday, so the draft is effective Monday 2026-04-06.
    on_autodraft(story, household.account, day=5)
    story.bill(date(2026, 3, 15))
    too_early = _run(story, date(2026, 4, 2))
    due = _run(story, date(2026, 4, 3))
    assert too_early.entries == []
    assert due.effective_date == date(2026, 4, 6)
    assert [entry["amount_cents"] for entry in due.entries] == [96_800]


def test_never_more_than_owed(story):
    household = _march_paid(story)
    # 968.00 due, 900.00 paid by check: 68.00 left to draft
    story.pay(household.account, 90_000, date(2026, 3, 20))
    report = _run(story, date(2026, 3, 31))
    assert [entry["amount_cents"] for entry in report.entries] == [6_800]


def test_prenotification_before_draft(story):
    household = _march_paid(story)
    _run(story, date(2026, 3, 22))
    (notice,) = [n for n in notices_for(story.ctx, billing_account_id=household.account.id) if n.notice_type == NoticeType.AUTODRAFT_PRENOTIFICATION.value]
    assert notice.data["amount_cents"] == 96_800
    assert notice.data["draft_date"] == "2026-04-01"
    assert notice.data["bank_last4"] == "7788"


def test_account_without_bank_skipped(story):
    household = _march_paid(story)
    from premia.accounts.tables import BankAccount

    for bank in story.ctx.session.scalars(select(BankAccount).where(BankAccount.billing_account_id == household.account.id)):
        bank.status = "inactive"
    report = _run(story, date(2026, 3, 31))
    assert report.entries == []
    assert report.skipped == [{"account_number": household.account.account_number, "reason": "no active bank account to draft"}]


def _exchange_story(ctx, ehb_share: str) -> Story:
    return Story(ctx=ctx, catalog=story_catalog(exchange=True, ehb_share=ehb_share))


def _bc21(story) -> None:
    """Three exchange accounts on auto-draft for July 2026; only A receives APTC of 512.00."""
    a = story.at(date(2026, 6, 1)).account(first_name="A", birth=date(1998, 10, 30))
    policy = story.policy(a, effective=date(2026, 7, 1), plan_id="12345VA0010001", on_exchange=True)
    story.aptc(policy, 51_200, start=date(2026, 7, 1))
    # 488.80 + 479.20 = 968.00
    b = story.account(first_name="D", birth=date(1990, 8, 17))
    couple_policy = story.policy(b, effective=date(2026, 7, 1), plan_id="12345VA0010001", on_exchange=True)
    story.dependent(couple_policy, first_name="E", birth=date(1993, 2, 3), relationship=Relationship.SPOUSE, start=date(2026, 7, 1))
    # 488.80 + 479.20 + 306.00 (child age 0, factor 0.765) = 1,274.00
    c = story.account(first_name="F", birth=date(1990, 8, 17))
    family = story.policy(c, effective=date(2026, 7, 1), plan_id="12345VA0010001", on_exchange=True)
    story.dependent(family, first_name="G", birth=date(1993, 2, 3), relationship=Relationship.SPOUSE, start=date(2026, 7, 1))
    story.dependent(family, first_name="H", birth=date(2026, 1, 10), relationship=Relationship.CHILD, start=date(2026, 7, 1))
    for account in (a, b, c):
        on_autodraft(story, account)
    story.bill(date(2026, 6, 15))


def test_zero_invoice_gets_no_entry(ctx):
    story = _exchange_story(ctx, "1")
    _bc21(story)
    report = _run(story, date(2026, 6, 30))
    nacha = read_nacha(report.content)
    assert nacha.control.entry_addenda_count == 2
    # 968.00 + 1,274.00 = 2,242.00
    assert nacha.control.total_debit_cents == 224_200


def test_small_amount_is_drafted(ctx):
    story = _exchange_story(ctx, "0.995")
    _bc21(story)
    report = _run(story, date(2026, 6, 30))
    nacha = read_nacha(report.content)
    assert nacha.control.entry_addenda_count == 3
    # 968.00 + 1,274.00 + 2.10 = 2,244.10
    assert nacha.control.total_debit_cents == 224_410
    assert sorted(entry.amount_cents for entry in nacha.entries) == [210, 96_800, 127_400]


def test_entries_recorded_with_trace(story):
    _march_paid(story)
    report = _run(story, date(2026, 3, 31))
    (entry,) = story.ctx.session.scalars(select(AchEntry))
    assert entry.trace_number == report.entries[0]["trace_number"]
    assert entry.trace_number == read_nacha(report.content).entries[0].trace_number
    assert entry.purpose == AchPurpose.DRAFT.value


def test_late_run_dated_its_as_of_day(story):
    _march_paid(story)
    # The run for 2026-03-31 catches up on 2026-04-03; the file is dated the day it is for.
    story.at(date(2026, 4, 3))
    report = run_autodraft(story.ctx, as_of=date(2026, 3, 31))
    header = read_nacha(report.content).header
    assert header.created_on == date(2026, 3, 31)
    assert report.effective_date == date(2026, 4, 1)


def test_evening_run_dated_carrier_day(story):
    _march_paid(story)
    # 2026-03-31 21:30 in Chicago is already April 1 in UTC; the file keeps the local date.
    story.ctx.settings = story.ctx.settings.model_copy(update={"time_zone": "America/Chicago"})
    story.at(date(2026, 3, 31))
    story.ctx.clock = FixedClock(datetime(2026, 4, 1, 2, 30, tzinfo=UTC))
    report = run_autodraft(story.ctx, as_of=date(2026, 3, 31))
    header = read_nacha(report.content).header
    assert header.created_on == date(2026, 3, 31)
    assert header.created_at == time(21, 30)


def test_online_authorization_drafts_as_web(story):
    _march_paid(story)
    online = couple(story, effective=date(2026, 3, 1), start=date(2026, 2, 1))
    on_autodraft(story, online.account, authorization=AuthorizationMethod.ONLINE)
    story.bill(date(2026, 2, 15))
    story.pay(online.account, 96_800, date(2026, 2, 25))
    story.bill(date(2026, 3, 15))
    report = _run(story, date(2026, 3, 31))
    nacha = read_nacha(report.content)
    classes = {batch.header.sec_code.value: batch for batch in nacha.batches}
    assert sorted(classes) == ["PPD", "WEB"]
    (web_entry,) = classes["WEB"].entries
    (ppd_entry,) = classes["PPD"].entries
    # A WEB debit marks itself recurring (R) in its discretionary data. PPD leaves it blank.
    assert web_entry.discretionary_data.strip() == "R"
    assert ppd_entry.discretionary_data.strip() == ""
    assert web_entry.amount_cents == 96_800


def test_invoice_shown_payment_pending(story):
    household = _march_paid(story)
    _run(story, date(2026, 3, 31))
    april = next(invoice for invoice in _invoices(story, household, date(2026, 3, 31)) if invoice.period_start == date(2026, 4, 1))
    assert april.status == "payment_pending"
    assert april.open_cents == 96_800
    _run(story, date(2026, 4, 1))
    april = next(invoice for invoice in _invoices(story, household, date(2026, 4, 1)) if invoice.period_start == date(2026, 4, 1))
    assert april.status == "paid"


def _invoices(story, household, on):
    return account_invoices(story.ctx, household.account.id, as_of=on, member_names={})
