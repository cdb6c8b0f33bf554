"""Terminations and cancellations: credits back, no premium after the end, invoices never edited."""

from __future__ import annotations

from datetime import date

from premia.accounts.model import PaymentMode
from premia.billing.queries import paid_through_dates
from premia.enrollment.model import Relationship
from premia.ledger import service as ledger


def _snapshot_lines(story, invoice):
    return [(line.coverage_month, line.person_id, line.kind, line.adjustment, line.amount_cents) for line in story.lines(invoice)]


def _household(story, *, birth_a: date, birth_b: date, effective: date, mode: PaymentMode = PaymentMode.MONTHLY):
    account = story.at(date(effective.year - 1, 12, 1)).account(birth=birth_a, mode=mode)
    policy = story.policy(account, effective=effective)
    spouse = story.dependent(policy, first_name="B", birth=birth_b, relationship=Relationship.SPOUSE, start=effective)
    return account, policy, spouse


def test_termination_mid_quarter_credits_back(story):
    # Born 1990-04-12: age 35 on 2026-01-01, factor 1.222: 400.00 x 1.222 = 488.80 a month.
    account = story.at(date(2025, 12, 1)).account(birth=date(1990, 4, 12), mode=PaymentMode.QUARTERLY)
    policy = story.policy(account, effective=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    story.bill(date(2026, 3, 15))
    second_quarter = story.invoices(account)[1]
    issued_lines = _snapshot_lines(story, second_quarter)

    story.at(date(2026, 5, 20)).terminate(policy, date(2026, 5, 15))
    story.bill(date(2026, 6, 15))

    invoices = story.invoices(account)
    assert len(invoices) == 3
    statement = invoices[2]
    lines = story.lines(statement)
    assert all(line.adjustment for line in lines)
    # May 1-15 earned: 488.80 x 15 / 31 = 236.516... -> 236.52; credit 488.80 - 236.52 = 252.28
    assert sorted(line.amount_cents for line in lines) == [-48_880, -25_228]
    assert statement.current_charges_cents == 0
    # 3 x 488.80 = 1,466.40 for the quarter, still as issued
    assert second_quarter.current_charges_cents == 146_640
    assert _snapshot_lines(story, second_quarter) == issued_lines


def test_annual_termination_credit(story):
    # A born 1979-05-20: age 47 on 2027-01-01, factor 1.563: 400.00 x 1.563 = 625.20
    # B born 1981-11-02: age 45, factor 1.444: 400.00 x 1.444 = 577.60
    account, policy, spouse = _household(story, birth_a=date(1979, 5, 20), birth_b=date(1981, 11, 2), effective=date(2027, 1, 1), mode=PaymentMode.ANNUAL)
    story.bill(date(2026, 12, 15))
    annual = story.invoices(account)[0]
    issued_lines = _snapshot_lines(story, annual)
    # 12 x (625.20 + 577.60) = 12 x 1,202.80 = 14,433.60, and no partial month
    assert annual.current_charges_cents == 1_443_360
    assert len(issued_lines) == 24
    # Friday 2027-01-01 is New Year's Day: due Monday 2027-01-04.
    assert annual.due_date == date(2027, 1, 4)
    story.pay_invoice(annual, date(2026, 12, 28))

    story.at(date(2027, 7, 25)).terminate(policy, date(2027, 8, 2))
    story.bill(date(2027, 12, 15))

    statement = story.invoices(account)[-1]
    credits = {(line.coverage_month.month, line.person_id): line.amount_cents for line in story.lines(statement)}
    subscriber = account.person_id
    # August, 2 of 31 days earned: A 625.20 x 2 / 31 = 40.335... -> 40.34, credit 584.86;
    # B 577.60 x 2 / 31 = 37.264... -> 37.26, credit 540.34
    assert credits[(8, subscriber)] == -58_486
    assert credits[(8, spouse.person_id)] == -54_034
    for month in (9, 10, 11, 12):
        assert credits[(month, subscriber)] == -62_520
        assert credits[(month, spouse.person_id)] == -57_760
    # 584.86 + 540.34 + 4 x 1,202.80 = 5,936.40
    assert statement.adjustments_cents == -593_640
    assert ledger.account_balance(story.ctx, account.id) == -593_640
    assert paid_through_dates(story.ctx, [policy])[policy.id] == date(2027, 8, 2)
    assert _snapshot_lines(story, annual) == issued_lines


def _june_paid(story):
    # A born 1990-04-12: age 34 on 2025-01-01, factor 1.214: 400.00 x 1.214 = 485.60
    # B born 1992-09-03: age 32, factor 1.183: 400.00 x 1.183 = 473.20; together 958.80
    account, policy, _ = _household(story, birth_a=date(1990, 4, 12), birth_b=date(1992, 9, 3), effective=date(2025, 1, 1))
    issue_dates = [date(2024, 12, 15)] + [date(2025, month, 15) for month in range(1, 6)]
    for month, issue_date in enumerate(issue_dates, start=1):
        story.bill(issue_date)
        story.pay_invoice(story.invoices(account)[-1], date(2025, month, 1))
    return account, policy


def test_no_premium_after_termination(story):
    account, policy = _june_paid(story)
    june = story.invoices(account)[-1]
    # Sunday 2025-06-01 moves to Monday 2025-06-02.
    assert june.due_date == date(2025, 6, 2)

    story.at(date(2025, 6, 10)).terminate(policy, date(2025, 6, 15))
    story.bill(date(2025, 6, 15))

    invoices = story.invoices(account)
    lines = story.lines(invoices[-1])
    assert all(line.coverage_month.month == 6 for line in lines)
    # Earned June 1-15 of 30 days: A 485.60 x 15 / 30 = 242.80, B 473.20 x 15 / 30 = 236.60;
    # the credits are the rest: 242.80 + 236.60 = 479.40
    assert sorted(line.amount_cents for line in lines) == [-24_280, -23_660]
    assert ledger.account_balance(story.ctx, account.id) == -47_940
    assert paid_through_dates(story.ctx, [policy])[policy.id] == date(2025, 6, 15)


def test_late_termination_report_credits_july(story):
    account, policy = _june_paid(story)
    story.bill(date(2025, 6, 15))
    july = story.invoices(account)[-1]
    assert july.current_charges_cents == 95_880

    story.at(date(2025, 6, 20)).terminate(policy, date(2025, 6, 15))
    story.bill(date(2025, 7, 15))

    invoices = story.invoices(account)
    assert invoices[-2].id == july.id
    statement = invoices[-1]
    by_month: dict[int, int] = {}
    for line in story.lines(statement):
        by_month[line.coverage_month.month] = by_month.get(line.coverage_month.month, 0) + line.amount_cents
    # July credited in full (-958.80) and June's unearned half (-479.40)
    assert by_month == {6: -47_940, 7: -95_880}
    # 958.80 + 958.80 - 958.80 - 958.80 - 479.40 = -479.40 with July unpaid
    assert ledger.account_balance(story.ctx, account.id) == -47_940
    assert paid_through_dates(story.ctx, [policy])[policy.id] == date(2025, 6, 15)


def test_month_end_termination_has_no_credit(story):
    account, policy = _june_paid(story)
    story.at(date(2025, 6, 10)).terminate(policy, date(2025, 6, 30))
    story.bill(date(2025, 6, 15))
    story.bill(date(2025, 7, 15))

    assert len(story.invoices(account)) == 6
    assert ledger.account_balance(story.ctx, account.id) == 0
    assert paid_through_dates(story.ctx, [policy])[policy.id] == date(2025, 6, 30)


def test_cancelled_policy_credited_in_full(story):
    account = story.at(date(2025, 12, 1)).account(birth=date(1990, 4, 12))
    policy = story.policy(account, effective=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    story.bill(date(2026, 1, 15))
    story.pay(account, 48_880, date(2025, 12, 30))

    story.at(date(2026, 2, 3)).cancel(policy)
    story.bill(date(2026, 2, 15))

    statement = story.invoices(account)[-1]
    # Both months billed at 488.80 are credited; nothing is billed for March.
    assert sorted((line.coverage_month.month, line.amount_cents) for line in story.lines(statement)) == [(1, -48_880), (2, -48_880)]
    # The payment of 488.80 is now a credit to refund.
    assert ledger.account_balance(story.ctx, account.id) == -48_880
    assert paid_through_dates(story.ctx, [policy])[policy.id] is None
