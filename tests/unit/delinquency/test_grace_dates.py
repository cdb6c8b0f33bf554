"""Grace period dates, notice dates and binder deadlines, each from the rule that sets it."""

from __future__ import annotations

from datetime import date

from premia.delinquency.config import BinderRule, GraceRule, NoticeRule
from premia.delinquency.model import ClaimsAction, DunningStage, GraceKind, Moratorium, PlannedNotice, TerminationBasis
from premia.delinquency.rules import binder_deadline, grace_terms, notices_due
from premia.delinquency.standing import MonthStanding
from premia.kernel.dates import Month

APTC = GraceRule(
    name="APTC three months",
    kind=GraceKind.APTC_MONTHS,
    months=3,
    termination_basis=TerminationBasis.FIRST_GRACE_MONTH,
    claims_in_grace=ClaimsAction.PEND,
)
DAYS_31 = GraceRule(name="31 days", kind=GraceKind.DAYS, days=31)
TIMING = NoticeRule(name="timing")


def _first(month: str, due: date) -> MonthStanding:
    return MonthStanding(month=Month.parse(month), due_date=due, billed_cents=10_000, open_cents=10_000, disputed_cents=0, paid=False)


def test_aptc_grace_three_calendar_months():
    # Worked example: February 2026 unpaid, due Monday 02-02 (02-01 is a Sunday).
    terms = grace_terms(APTC, TIMING, _first("2026-02", date(2026, 2, 2)))
    # Grace months are February, March and April: 2026-02-01..2026-04-30.
    assert terms.start == date(2026, 2, 1)
    assert terms.end == date(2026, 4, 30)
    # Claims in months two and three are pended: from 2026-03-01.
    assert terms.claims_pend_from == date(2026, 3, 1)
    # Termination takes effect on the last day of month one.
    assert terms.termination_date == date(2026, 2, 28)
    # All premium due by the end of month three must be paid.
    assert terms.settle_by_due == date(2026, 4, 30)


def test_aptc_grace_crosses_plan_year():
    # November 2026 unpaid: grace months November, December and January 2027.
    terms = grace_terms(APTC, TIMING, _first("2026-11", date(2026, 11, 2)))
    assert terms.end == date(2027, 1, 31)
    assert terms.termination_date == date(2026, 11, 30)


def test_aptc_notice_dates():
    # The delinquency notice is due the day after the missed due date (04-01 + 1). The
    # second notice, with the provider-pend flag, is due on the first day of month two,
    # and the final notice on the first day of month three.
    terms = grace_terms(APTC, TIMING, _first("2026-04", date(2026, 4, 1)))
    assert terms.notices == (
        PlannedNotice(DunningStage.DELINQUENCY, date(2026, 4, 2)),
        PlannedNotice(DunningStage.SECOND, date(2026, 5, 1), provider_pend=True),
        PlannedNotice(DunningStage.FINAL, date(2026, 6, 1)),
    )


def test_days_grace_starts_after_due():
    # Due Saturday 2025-03-01, moved to Monday 03-03; 31 days from 03-04 end on 04-03.
    terms = grace_terms(DAYS_31, TIMING, _first("2025-03", date(2025, 3, 3)))
    assert terms.start == date(2025, 3, 4)
    assert terms.end == date(2025, 4, 3)
    assert terms.settle_by_due == date(2025, 3, 3)
    assert terms.claims_pend_from is None


def test_days_grace_from_original_due_date():
    # A draft due Wednesday 2026-04-01 returned on 04-03: grace still runs from 04-02.
    terms = grace_terms(DAYS_31, TIMING, _first("2026-04", date(2026, 4, 1)))
    assert (terms.start, terms.end) == (date(2026, 4, 2), date(2026, 5, 2))


def test_paid_through_basis_left_open():
    # The paid-through date is read at the end of grace, so it is not fixed up front.
    terms = grace_terms(DAYS_31, TIMING, _first("2026-03", date(2026, 3, 2)))
    assert terms.termination_basis is TerminationBasis.PAID_THROUGH
    assert terms.termination_date is None


def test_days_grace_end_basis_fixed():
    rule = GraceRule(name="end of grace", kind=GraceKind.DAYS, days=31, termination_basis=TerminationBasis.GRACE_END)
    terms = grace_terms(rule, TIMING, _first("2026-03", date(2026, 3, 2)))
    # 03-03 + 30 days = 04-02, and termination takes effect that day.
    assert terms.termination_date == date(2026, 4, 2)


def test_days_grace_pending_claims_rule():
    rule = GraceRule(name="pend", kind=GraceKind.DAYS, days=30, claims_in_grace=ClaimsAction.PEND)
    terms = grace_terms(rule, TIMING, _first("2026-03", date(2026, 3, 2)))
    assert terms.claims_pend_from == date(2026, 3, 3)
    # 30 days from 03-03 end on 04-01.
    assert terms.end == date(2026, 4, 1)


def test_days_notices_delinquency_and_final():
    terms = grace_terms(DAYS_31, TIMING, _first("2025-03", date(2025, 3, 3)))
    # Final notice 10 days before the last day: 04-03 - 10 = 03-24.
    assert terms.notices == (
        PlannedNotice(DunningStage.DELINQUENCY, date(2025, 3, 4)),
        PlannedNotice(DunningStage.FINAL, date(2025, 3, 24)),
    )


def test_days_without_final_notice():
    timing = NoticeRule(name="no final", final_notice_days_before_end=None)
    terms = grace_terms(DAYS_31, timing, _first("2025-03", date(2025, 3, 3)))
    assert [notice.stage for notice in terms.notices] == [DunningStage.DELINQUENCY]


def test_moratorium_moves_days_grace_start():
    moratorium = Moratorium(start=date(2026, 2, 25), end=date(2026, 3, 20))
    terms = grace_terms(DAYS_31, TIMING, _first("2026-03", date(2026, 3, 2)), [moratorium])
    # The day after the moratorium ends, 03-21, plus 30 days is 04-20.
    assert (terms.start, terms.end) == (date(2026, 3, 21), date(2026, 4, 20))
    assert terms.notices[0] == PlannedNotice(DunningStage.DELINQUENCY, date(2026, 3, 21))


def test_moratorium_leaves_aptc_months():
    moratorium = Moratorium(start=date(2026, 2, 25), end=date(2026, 3, 20))
    terms = grace_terms(APTC, TIMING, _first("2026-03", date(2026, 3, 2)), [moratorium])
    assert (terms.start, terms.end) == (date(2026, 3, 1), date(2026, 5, 31))


def test_grace_month_numbers():
    terms = grace_terms(APTC, TIMING, _first("2026-04", date(2026, 4, 1)))
    assert terms.grace_month(date(2026, 4, 30)) == 1
    assert terms.grace_month(date(2026, 5, 1)) == 2
    assert terms.grace_month(date(2026, 6, 30)) == 3
    assert terms.grace_month(date(2026, 7, 1)) is None
    assert terms.grace_month(date(2026, 3, 31)) is None


def test_notices_due_in_stage_order():
    terms = grace_terms(APTC, TIMING, _first("2026-04", date(2026, 4, 1)))
    assert notices_due(terms, None, date(2026, 4, 1)) == []
    assert [notice.stage for notice in notices_due(terms, None, date(2026, 4, 2))] == [DunningStage.DELINQUENCY]
    assert notices_due(terms, DunningStage.DELINQUENCY, date(2026, 4, 30)) == []
    assert [notice.stage for notice in notices_due(terms, DunningStage.DELINQUENCY, date(2026, 6, 1))] == [
        DunningStage.SECOND,
        DunningStage.FINAL,
    ]
    assert notices_due(terms, DunningStage.FINAL, date(2026, 7, 1)) == []


def test_binder_deadline_fifth_of_month():
    # Carrier "5th of the month" rule: coverage from 2026-01-01, deadline 2026-01-05.
    rule = BinderRule(name="5th", days_after_effective=None, day_of_month=5)
    assert binder_deadline(date(2026, 1, 1), date(2025, 12, 10), rule) == date(2026, 1, 5)


def test_binder_fifth_after_mid_month():
    rule = BinderRule(name="5th", days_after_effective=None, day_of_month=5)
    assert binder_deadline(date(2026, 3, 10), date(2026, 3, 1), rule) == date(2026, 4, 5)


def test_binder_deadline_thirty_days():
    # At most 30 calendar days after the effective date: 2026-01-01 + 30 = 2026-01-31.
    assert binder_deadline(date(2026, 1, 1), date(2025, 12, 10), BinderRule(name="30 days")) == date(2026, 1, 31)


def test_binder_deadline_after_receipt():
    # Retroactive birth enrollment: effective 2026-03-10, received 2026-04-02; 30 days from receipt.
    rule = BinderRule(name="receipt", days_after_effective=0, days_after_receipt=30)
    assert binder_deadline(date(2026, 3, 10), date(2026, 4, 2), rule) == date(2026, 5, 2)


def test_binder_deadline_inside_moratorium_moves():
    rule = BinderRule(name="5th", days_after_effective=None, day_of_month=5)
    moratorium = Moratorium(start=date(2026, 1, 3), end=date(2026, 1, 20))
    assert binder_deadline(date(2026, 1, 1), date(2025, 12, 10), rule, [moratorium]) == date(2026, 1, 20)
