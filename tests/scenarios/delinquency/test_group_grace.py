"""An employer group on a list bill: 31 days of grace, payment on day 30, termination and reinstatement.

Two employees on OFFVA-SILVER with a plan year from January are born 1990-08-17 (age 35,
factor 1.222, 488.80) and 1980-03-15 (age 45, factor 1.444, 577.60). The list bill is
488.80 + 577.60 = 1,066.40 a month.
"""

from __future__ import annotations

from datetime import date

from premia.delinquency.model import ClaimsAction
from premia.enrollment.model import PolicyStatus

LIST_BILL = 48_880 + 57_760


def _group_paid_january(story):
    account, employees = story.group(effective=date(2026, 1, 1), employee_births=[date(1990, 8, 17), date(1980, 3, 15)])
    story.day(date(2025, 12, 15))
    story.pay(employees[0], LIST_BILL, date(2025, 12, 30))
    story.day(date(2026, 1, 15))
    # February is due Monday 02-02 and not paid.
    story.day(date(2026, 2, 3))
    for employee in employees:
        grace = story.grace(employee)
        # 31 days from Tuesday 02-03: 02-03 + 30 days = 03-05.
        assert (grace.start_date, grace.end_date) == (date(2026, 2, 3), date(2026, 3, 5))
    story.day(date(2026, 2, 15))
    story.day(date(2026, 2, 23))
    return account, employees


def test_group_pays_on_day_30(offexchange_story):
    story = offexchange_story
    account, employees = _group_paid_january(story)
    # Final notice 10 days before the end of grace: 03-05 - 10 = 02-23.
    assert story.dunning(employees[0]) == [("delinquency", date(2026, 2, 3)), ("final", date(2026, 2, 23))]

    # Day 30 of grace is 03-04; February and March (due 03-02) are paid that day.
    story.pay(employees[0], 2 * LIST_BILL, date(2026, 3, 4))
    story.day(date(2026, 3, 4))
    for employee in employees:
        assert story.status(employee) == PolicyStatus.ACTIVE
        assert story.moves(employee) == [("active", "grace", date(2026, 2, 3)), ("grace", "active", date(2026, 3, 4))]
        assert story.paid_through(employee) == date(2026, 3, 31)
    assert story.day(date(2026, 3, 6)).changes == []


def test_group_unpaid_terminates_then_reinstates(offexchange_story):
    story = offexchange_story
    account, employees = _group_paid_january(story)
    story.day(date(2026, 3, 5))
    report = story.day(date(2026, 3, 6))
    # Both employees end on the group's paid-through date, 01-31.
    assert sorted((change.to_status, change.effective_date) for change in report.changes) == [
        ("terminated", date(2026, 1, 31)),
        ("terminated", date(2026, 1, 31)),
    ]
    assert story.eligibility(employees[1], date(2026, 2, 10)).claims is ClaimsAction.DENY

    # The 03-15 bill run credits February and March.
    story.day(date(2026, 3, 15))
    assert story.balance(employees[0]) == 0

    # Within 30 days of the termination (03-06 + 30 = 04-05) every balance is paid:
    # February and March, 2 x 1,066.40, as billed before the termination.
    story.pay(employees[0], 2 * LIST_BILL, date(2026, 3, 20))
    report = story.day(date(2026, 3, 20))
    assert [change.trigger for change in report.changes] == ["reinstated", "reinstated"]
    for employee in employees:
        assert story.status(employee) == PolicyStatus.ACTIVE
        story.ctx.session.refresh(employee.policy)
        assert employee.policy.end_date is None
        answer = story.eligibility(employee, date(2026, 2, 10))
        assert answer.covered
        assert answer.claims is ClaimsAction.PAY

    # The next bill run bills February and March again, and April and May: the payment
    # of 03-20 covers the first two, so April and May are owed.
    story.day(date(2026, 4, 15))
    assert story.balance(employees[0]) == 2 * LIST_BILL
