"""The lines that differ between an invoice and the previous one, with their rating steps (pure)."""

from __future__ import annotations

from datetime import date
from typing import Any

from premia.billing.bill_changes import BilledLine, ChangeKind, compare_invoices, step_differences

FEB = date(2026, 2, 1)
MAR = date(2026, 3, 1)


def _line(line_id: int, person_id: int, month: date, cents: int, *, name: str = "Maria Lopez", kind: str = "premium", days: tuple[int, int] | None = None, description: str = "", adjustment: bool = False, trace: list[dict[str, Any]] | None = None) -> BilledLine:
    in_month = 28 if month.month == 2 else 31
    covered, total = days or (in_month, in_month)
    return BilledLine(
        line_id=line_id,
        policy_id=1,
        person_id=person_id,
        member_id=f"M{person_id}",
        member_name=name,
        coverage_month=month,
        kind=kind,
        adjustment=adjustment,
        amount_cents=cents,
        days_covered=covered,
        days_in_month=total,
        description=description,
        trace=trace,
    )


def _step(step: str, member_id: str | None, **outputs: str) -> dict[str, Any]:
    return {"step": step, "member_id": member_id, "inputs": {"rating_date": "2026-01-01"}, "outputs": outputs}


def test_full_months_of_different_length_unchanged() -> None:
    comparison = compare_invoices([_line(2, 1, MAR, 54872)], [_line(1, 1, FEB, 54872)])
    assert comparison.changes == ()
    assert comparison.unchanged == 1


def test_new_member_is_added() -> None:
    comparison = compare_invoices(
        [_line(3, 1, MAR, 54872), _line(4, 3, MAR, 29070, name="Sofia Lopez")],
        [_line(1, 1, FEB, 54872)],
    )
    assert [change.kind for change in comparison.changes] == [ChangeKind.ADDED]
    assert comparison.changes[0].member_name == "Sofia Lopez"
    assert comparison.changes[0].reasons == ("Sofia Lopez is billed for premium this time but was not before",)
    # 548.72 + 290.70 = 839.42 now against 548.72 before: 290.70 more.
    assert comparison.difference_cents == 29070


def test_dropped_member_is_removed() -> None:
    comparison = compare_invoices([_line(3, 1, MAR, 54872)], [_line(1, 1, FEB, 54872), _line(2, 2, FEB, 59394, name="Luis Lopez")])
    assert [change.kind for change in comparison.changes] == [ChangeKind.REMOVED]
    assert comparison.changes[0].difference_cents == -59394


def test_birthday_changes_amount() -> None:
    before = _line(1, 1, FEB, 54872, description="2026-02 premium (rated, age 45): 548.72 monthly")
    after = _line(2, 1, MAR, 57100, description="2026-03 premium (rated, age 46): 571.00 monthly")
    change = compare_invoices([after], [before]).changes[0]
    assert change.kind is ChangeKind.CHANGED
    assert change.reasons == ("rated age changed from 45 to 46",)
    # 571.00 - 548.72 = 22.28
    assert change.difference_cents == 2228


def test_partial_month_names_days() -> None:
    before = _line(1, 1, FEB, 54872)
    after = _line(2, 1, MAR, 26550, days=(15, 31))
    change = compare_invoices([after], [before]).changes[0]
    assert change.reasons == ("days covered changed from 28 of 28 to 15 of 31",)


def test_adjustment_lines_always_listed() -> None:
    trace = [_step("age_factor", "M1", age_factor="1.278")]
    adjustment = _line(5, 1, FEB, -1200, adjustment=True, trace=trace)
    comparison = compare_invoices([_line(2, 1, MAR, 54872), adjustment], [_line(1, 1, FEB, 54872)])
    assert [change.kind for change in comparison.changes] == [ChangeKind.ADJUSTMENT]
    assert comparison.changes[0].reasons[0].startswith("a credit correcting Feb 2026")
    assert comparison.changes[0].steps[0].current == {"age_factor": "1.278"}


def test_quarterly_months_matched_by_position() -> None:
    april, may = date(2026, 4, 1), date(2026, 5, 1)
    january, february = date(2026, 1, 1), date(2026, 2, 1)
    current = [_line(10, 1, april, 100), _line(11, 1, may, 100)]
    previous = [_line(1, 1, january, 100), _line(2, 1, february, 100)]
    comparison = compare_invoices(current, previous)
    assert comparison.changes == ()
    assert comparison.unchanged == 2


def test_first_invoice_has_no_previous() -> None:
    comparison = compare_invoices([_line(1, 1, FEB, 100)], [])
    assert not comparison.has_previous
    assert [change.kind for change in comparison.changes] == [ChangeKind.ADDED]


def test_steps_of_member_that_differ() -> None:
    before = [_step("base_rate", None, base_rate="380.00"), _step("age_factor", "M1", age_factor="1.278"), _step("age_factor", "M2", age_factor="1.357")]
    after = [_step("base_rate", None, base_rate="380.00"), _step("age_factor", "M1", age_factor="1.309"), _step("age_factor", "M2", age_factor="1.400")]
    differences = step_differences(before, after, member_id="M1")
    assert [(item.step, item.member_id) for item in differences] == [("age_factor", "M1")]
    assert differences[0].previous == {"age_factor": "1.278"}
    assert differences[0].current == {"age_factor": "1.309"}


def test_changed_line_carries_trace_steps() -> None:
    traces = {
        (1, FEB): [_step("age_factor", "M1", age_factor="1.278")],
        (1, MAR): [_step("age_factor", "M1", age_factor="1.309")],
    }
    change = compare_invoices([_line(2, 1, MAR, 56000)], [_line(1, 1, FEB, 54872)], traces=traces).changes[0]
    assert [step.step for step in change.steps] == ["age_factor"]
