"""Delinquency decisions on hand-built billing states, one rule at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from premia.delinquency.config import BinderRule, DelinquencyConfig, ReinstatementRule, RuleScope, ThresholdRule, default_config
from premia.delinquency.model import DisputedAmount, GraceKind, Moratorium, ThresholdType, Trigger
from premia.delinquency.rules import decide
from premia.delinquency.standing import TerminationFacts
from premia.enrollment.model import PolicyStatus
from premia.kernel.dates import Month

CONFIG = default_config()
NET_95 = ThresholdRule(name="95% of net", type=ThresholdType.NET_PCT, percent=Decimal("95"))
FIFTH_OF_MONTH = replace(CONFIG, binder_rules=(BinderRule(name="5th", days_after_effective=None, day_of_month=5),))

# Net premium 100.00 a month (gross 577.60 less APTC 477.60), due on the first banking day.
DUE = {
    "2026-01": date(2026, 1, 2),
    "2026-02": date(2026, 2, 2),
    "2026-03": date(2026, 3, 2),
    "2026-04": date(2026, 4, 1),
    "2026-05": date(2026, 5, 1),
    "2026-06": date(2026, 6, 1),
}


def _aptc_months(build, *, paid_through_month: int, billed_through_month: int):
    postings = []
    for month in range(1, billed_through_month + 1):
        key = f"2026-{month:02d}"
        issued = date(2025, 12, 15) if month == 1 else date(2026, month - 1, 15)
        postings.append(build.billed(key, 10_000, on=issued))
        if month <= paid_through_month:
            postings.append(build.paid(key, 10_000, on=DUE[key]))
    return postings


# --- binder -----------------------------------------------------------------------


def test_binder_paid_to_the_cent_effectuates(build):
    # 48,880 + 48,560 - 36,871 - 36,629 = 23,940 cents billed; 23,940 paid leaves 0.
    postings = [
        build.billed("2026-01", 48_880 + 48_560 - 36_871 - 36_629, on=date(2025, 12, 15)),
        build.paid("2026-01", 23_940, on=date(2025, 12, 30)),
    ]
    state = build.state(postings, due=DUE, status=PolicyStatus.PENDING, aptc_months=["2026-01"])
    decision = decide(state, date(2025, 12, 30), FIFTH_OF_MONTH)
    assert decision is not None
    assert decision.trigger is Trigger.BINDER_PAID
    assert decision.to_status is PolicyStatus.ACTIVE
    assert decision.effective_date == date(2026, 1, 1)


def test_binder_two_payments_effectuate(build):
    # 100.00 + 139.40 = 239.40.
    postings = [
        build.billed("2026-01", 23_940, on=date(2025, 12, 15)),
        build.paid("2026-01", 10_000, on=date(2025, 12, 20)),
        build.paid("2026-01", 13_940, on=date(2025, 12, 30)),
    ]
    state = build.state(postings, due=DUE, status=PolicyStatus.PENDING)
    assert decide(state, date(2025, 12, 30), FIFTH_OF_MONTH).trigger is Trigger.BINDER_PAID


def test_binder_cent_short_waits_then_cancels(build):
    postings = [build.billed("2026-01", 23_940, on=date(2025, 12, 15)), build.paid("2026-01", 23_939, on=date(2025, 12, 30))]
    state = build.state(postings, due=DUE, status=PolicyStatus.PENDING)
    # The deadline is 2026-01-05 (5th of the month); the policy waits through it.
    assert decide(state, date(2026, 1, 5), FIFTH_OF_MONTH) is None
    decision = decide(state, date(2026, 1, 6), FIFTH_OF_MONTH)
    assert decision.trigger is Trigger.BINDER_DEADLINE_PASSED
    assert decision.to_status is PolicyStatus.CANCELLED
    assert decision.effective_date == date(2026, 1, 1)
    assert decision.amounts.past_due == 1


def test_binder_paid_after_deadline_still_cancels(build):
    postings = [build.billed("2026-01", 23_940, on=date(2025, 12, 15)), build.paid("2026-01", 23_940, on=date(2026, 1, 7))]
    state = build.state(postings, due=DUE, status=PolicyStatus.PENDING)
    # A run on 01-08 judges the binder as it stood on the deadline, 01-05.
    assert decide(state, date(2026, 1, 8), FIFTH_OF_MONTH).trigger is Trigger.BINDER_DEADLINE_PASSED


def test_binder_never_billed_waits(build):
    state = build.state([], due=DUE, status=PolicyStatus.PENDING)
    assert decide(state, date(2026, 3, 1), FIFTH_OF_MONTH) is None


def test_zero_binder_effectuates(build):
    # APTC covers the whole premium: nothing is owed, so the binder counts as paid.
    state = build.state([build.billed("2026-01", 0, on=date(2025, 12, 15))], due=DUE, status=PolicyStatus.PENDING)
    assert decide(state, date(2025, 12, 15), FIFTH_OF_MONTH).trigger is Trigger.BINDER_PAID


def test_binder_threshold_effectuates(build):
    config = replace(FIFTH_OF_MONTH, threshold_rules=(NET_95,))
    # 95.00 of a 100.00 binder is 95%.
    postings = [build.billed("2026-01", 10_000, on=date(2025, 12, 15)), build.paid("2026-01", 9_500, on=date(2025, 12, 30))]
    state = build.state(postings, due=DUE, status=PolicyStatus.PENDING)
    decision = decide(state, date(2025, 12, 30), config)
    assert decision.trigger is Trigger.BINDER_PAID
    assert decision.amounts.within_threshold == 500


def test_moratorium_holds_binder_cancellation(build):
    moratorium = Moratorium(start=date(2026, 1, 1), end=None)
    state = build.state([build.billed("2026-01", 10_000, on=date(2025, 12, 15))], due=DUE, status=PolicyStatus.PENDING, moratoria=[moratorium])
    decision = decide(state, date(2026, 2, 10), CONFIG)
    assert decision.trigger is Trigger.BINDER_DEADLINE_PASSED
    assert decision.held


# --- into grace ----------------------------------------------------------------------


def test_aptc_paid_month_three_months(build):
    postings = _aptc_months(build, paid_through_month=1, billed_through_month=2)
    state = build.state(postings, due=DUE, aptc_months=["2026-01", "2026-02"])
    # February is due Monday 02-02: on 02-02 it is not yet past due, on 02-03 it is.
    assert decide(state, date(2026, 2, 2), CONFIG) is None
    decision = decide(state, date(2026, 2, 3), CONFIG)
    assert decision.trigger is Trigger.PAST_DUE
    assert decision.grace.kind is GraceKind.APTC_MONTHS
    assert decision.grace.end == date(2026, 4, 30)
    assert decision.amounts.past_due == 10_000


def test_aptc_unpaid_year_gets_days(build):
    # January was never paid in this benefit year, so the three-month grace period does not apply.
    postings = _aptc_months(build, paid_through_month=0, billed_through_month=1)
    state = build.state(postings, due=DUE, aptc_months=["2026-01"])
    decision = decide(state, date(2026, 1, 3), CONFIG)
    assert decision.grace.kind is GraceKind.DAYS
    # 31 days from 01-03 end on 02-02.
    assert decision.grace.end == date(2026, 2, 2)


def test_fee_alone_never_past_due(build):
    # Fees carry no coverage month, so they never reach the month standings.
    postings = _aptc_months(build, paid_through_month=2, billed_through_month=2)
    state = build.state(postings, due=DUE)
    assert decide(state, date(2026, 3, 1), CONFIG) is None


def test_disputed_month_not_past_due(build):
    postings = _aptc_months(build, paid_through_month=1, billed_through_month=2)
    dispute = DisputedAmount(cents=10_000, placed_on=date(2026, 1, 20), month=Month.parse("2026-02"))
    state = build.state(postings, due=DUE, disputes=[dispute])
    assert decide(state, date(2026, 2, 10), CONFIG) is None
    released = build.state(postings, due=DUE, disputes=[replace(dispute, released_on=date(2026, 2, 10))])
    decision = decide(released, date(2026, 2, 10), CONFIG)
    assert decision.trigger is Trigger.PAST_DUE
    # Grace still runs from the day after the original due date: 02-03..03-05.
    assert (decision.grace.start, decision.grace.end) == (date(2026, 2, 3), date(2026, 3, 5))


def test_disputed_amount_set_against_oldest_month(build):
    postings = [*_aptc_months(build, paid_through_month=1, billed_through_month=2), build.paid("2026-02", 7_000, on=date(2026, 2, 1))]
    dispute = DisputedAmount(cents=3_000, placed_on=date(2026, 2, 1))
    state = build.state(postings, due=DUE, disputes=[dispute])
    # February: 100.00 billed, 70.00 paid, 30.00 disputed, nothing else owed.
    assert decide(state, date(2026, 2, 10), CONFIG) is None


def test_moratorium_holds_grace(build):
    postings = _aptc_months(build, paid_through_month=1, billed_through_month=2)
    state = build.state(postings, due=DUE, moratoria=[Moratorium(start=date(2026, 2, 1), end=date(2026, 2, 28))])
    decision = decide(state, date(2026, 2, 10), CONFIG)
    assert decision.held
    assert decide(state, date(2026, 3, 1), CONFIG).held is False


# --- out of grace -------------------------------------------------------------------


def _in_aptc_grace(build, postings, as_of=date(2026, 4, 2)):
    opening = decide(build.state(postings, due=DUE, aptc_months=list(DUE)), as_of, CONFIG)
    return build.state(postings, due=DUE, aptc_months=list(DUE), status=PolicyStatus.GRACE, grace=opening.grace)


def test_partial_payment_keeps_grace(build):
    postings = _aptc_months(build, paid_through_month=3, billed_through_month=5)
    postings.append(build.paid("2026-04", 10_000, on=date(2026, 5, 20)))
    state = _in_aptc_grace(build, postings)
    # April is paid but May, due 05-01, is not: the grace period neither ends nor restarts.
    assert decide(state, date(2026, 5, 20), CONFIG) is None
    assert state.grace.end == date(2026, 6, 30)


def test_everything_due_paid_cures(build):
    postings = _aptc_months(build, paid_through_month=3, billed_through_month=6)
    postings += [build.paid(month, 10_000, on=date(2026, 6, 25)) for month in ("2026-04", "2026-05", "2026-06")]
    state = _in_aptc_grace(build, postings)
    decision = decide(state, date(2026, 6, 25), CONFIG)
    assert decision.trigger is Trigger.CURED
    assert decision.to_status is PolicyStatus.ACTIVE


def test_payment_on_last_day_counts(build):
    postings = _aptc_months(build, paid_through_month=3, billed_through_month=6)
    postings += [build.paid(month, 10_000, on=date(2026, 6, 30)) for month in ("2026-04", "2026-05", "2026-06")]
    state = _in_aptc_grace(build, postings)
    assert decide(state, date(2026, 7, 1), CONFIG).trigger is Trigger.CURED


def test_payment_day_after_end_terminates(build):
    postings = _aptc_months(build, paid_through_month=3, billed_through_month=6)
    postings += [build.paid(month, 10_000, on=date(2026, 7, 1)) for month in ("2026-04", "2026-05", "2026-06")]
    state = _in_aptc_grace(build, postings)
    decision = decide(state, date(2026, 7, 1), CONFIG)
    assert decision.trigger is Trigger.GRACE_ENDED
    # Last day of grace month one (April).
    assert decision.effective_date == date(2026, 4, 30)
    # April, May and June: 3 x 100.00 unpaid at the end of grace.
    assert decision.amounts.past_due == 30_000


def test_late_run_judges_at_grace_end(build):
    postings = _aptc_months(build, paid_through_month=3, billed_through_month=6)
    state = _in_aptc_grace(build, postings)
    decision = decide(state, date(2026, 8, 15), CONFIG)
    assert decision.trigger is Trigger.GRACE_ENDED
    assert decision.effective_date == date(2026, 4, 30)


def test_moratorium_holds_termination(build):
    postings = _aptc_months(build, paid_through_month=3, billed_through_month=6)
    state = replace(_in_aptc_grace(build, postings), moratoria=(Moratorium(start=date(2026, 6, 20), end=date(2026, 7, 10)),))
    assert decide(state, date(2026, 7, 1), CONFIG).held
    assert not decide(state, date(2026, 7, 11), CONFIG).held


def test_days_grace_terminates_at_paid_through(build):
    postings = _aptc_months(build, paid_through_month=2, billed_through_month=4)
    opening = decide(build.state(postings, due=DUE), date(2026, 3, 3), CONFIG)
    # March due 03-02: grace 03-03..04-02.
    assert opening.grace.end == date(2026, 4, 2)
    state = build.state(postings, due=DUE, status=PolicyStatus.GRACE, grace=opening.grace)
    decision = decide(state, date(2026, 4, 3), CONFIG)
    assert decision.trigger is Trigger.GRACE_ENDED
    assert decision.effective_date == date(2026, 2, 28)


def test_days_grace_closes_month_paid(build):
    # March is paid by the end of its grace period; April (due 04-01) has a grace period of its own.
    postings = [*_aptc_months(build, paid_through_month=2, billed_through_month=4), build.paid("2026-03", 10_000, on=date(2026, 4, 2))]
    opening = decide(build.state(postings, due=DUE), date(2026, 3, 3), CONFIG)
    state = build.state(postings, due=DUE, status=PolicyStatus.GRACE, grace=opening.grace)
    assert decide(state, date(2026, 4, 2), CONFIG) is None
    assert decide(state, date(2026, 4, 3), CONFIG).trigger is Trigger.CURED
    again = decide(replace(state, status=PolicyStatus.ACTIVE, grace=None), date(2026, 4, 3), CONFIG)
    assert again.trigger is Trigger.PAST_DUE
    # From April's own due date: 04-02..05-02.
    assert (again.grace.start, again.grace.end) == (date(2026, 4, 2), date(2026, 5, 2))


def test_never_paid_terminates_on_effective_date(build):
    postings = _aptc_months(build, paid_through_month=0, billed_through_month=2)
    opening = decide(build.state(postings, due=DUE), date(2026, 1, 3), CONFIG)
    state = build.state(postings, due=DUE, status=PolicyStatus.GRACE, grace=opening.grace)
    assert decide(state, date(2026, 2, 10), CONFIG).effective_date == date(2026, 1, 1)


# --- reinstatement --------------------------------------------------------------------


def _terminated(build, extra):
    postings = _aptc_months(build, paid_through_month=3, billed_through_month=6)
    # Termination credits on the 07-15 invoice for May and June.
    postings += [
        replace(build.billed(month, -10_000, on=date(2026, 7, 15)), termination_credit=True) for month in ("2026-05", "2026-06")
    ]
    postings += extra
    facts = TerminationFacts(terminated_on=date(2026, 7, 1), termination_date=date(2026, 4, 30))
    return build.state(postings, due=DUE, status=PolicyStatus.TERMINATED, last_termination=facts)


def _reinstating(window: int) -> DelinquencyConfig:
    return replace(CONFIG, reinstatement_rules=(ReinstatementRule(name="window", scope=RuleScope(), window_days=window),))


def test_reinstated_when_all_paid_in_window(build):
    paid = [build.paid(month, 10_000, on=date(2026, 7, 20)) for month in ("2026-04", "2026-05", "2026-06")]
    decision = decide(_terminated(build, paid), date(2026, 7, 20), _reinstating(30))
    assert decision.trigger is Trigger.REINSTATED
    # Coverage resumes the day after the termination date.
    assert decision.effective_date == date(2026, 5, 1)


def test_not_reinstated_when_partly_paid(build):
    paid = [build.paid("2026-04", 10_000, on=date(2026, 7, 20))]
    assert decide(_terminated(build, paid), date(2026, 7, 20), _reinstating(30)) is None


def test_not_reinstated_after_window(build):
    paid = [build.paid(month, 10_000, on=date(2026, 8, 1)) for month in ("2026-04", "2026-05", "2026-06")]
    # 07-01 + 30 days = 07-31; the payment on 08-01 is one day late.
    assert decide(_terminated(build, paid), date(2026, 8, 1), _reinstating(30)) is None


def test_no_reinstatement_by_default(build):
    paid = [build.paid(month, 10_000, on=date(2026, 7, 20)) for month in ("2026-04", "2026-05", "2026-06")]
    assert decide(_terminated(build, paid), date(2026, 7, 20), CONFIG) is None
