"""Why a bill changed: an account's invoice compared with its previous invoice, with the rating steps behind each difference.

Only the invoice lines are compared, not the balance carried forward or the payments since.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from premia.billing.bill_change_service import BillChange, bill_change
from premia.billing.bill_changes import ChangeKind, LineChange, StepDifference
from premia.interfaces.api.deps import Context, requires
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.staff.permissions import Permission

router = APIRouter(tags=["invoices"])


class RatingStepOut(BaseModel):
    """One rating step whose outputs differ between the month on the previous invoice and the month on this one."""

    step: str = Field(description="Name of the rating step, such as base_rate, age_factor, subsidy_cap or total.")
    member_id: str | None = Field(description="Member the step rates; null for a step about the whole policy.")
    previous: dict[str, str] | None = Field(
        description="The step's outputs for the month on the previous invoice; null when that side has no such step."
    )
    current: dict[str, str] | None = Field(
        description="The step's outputs for the month on this invoice; null when that side has no such step."
    )
    inputs: dict[str, str] = Field(description="The step's inputs, taken from this invoice's side when it has the step.")


class LineChangeOut(BaseModel):
    """One line that differs from the previous invoice, or an adjustment of an earlier month."""

    kind: ChangeKind = Field(
        description=(
            "added: billed now but not before; removed: billed before but not now; changed: billed both times "
            "with a different amount or days covered; adjustment: a correction of an earlier month."
        )
    )
    member_id: str | None = Field(description="Member the line bills; null for a line that bills the account, such as a fee.")
    member_name: str
    line_kind: str = Field(description="premium, aptc (a credit) or fee.")
    coverage_month: str | None = Field(description="YYYY-MM of the line on this invoice; null for a removed line.")
    previous_coverage_month: str | None = Field(
        description="YYYY-MM of the matched line on the previous invoice; null for an added line or an adjustment."
    )
    previous_amount: Money | None = Field(
        description="What the matched line on the previous invoice billed, in dollars; null for an added line or an adjustment."
    )
    current_amount: Money | None = Field(
        description="What this invoice bills for the line, in dollars, negative for a credit; null for a removed line."
    )
    difference: Money = Field(
        description="Signed difference current_amount - previous_amount, a missing side counting as 0.00; negative lowers the bill."
    )
    reasons: list[str] = Field(description="Why the line differs, in words.")
    previous_description: str | None = Field(description="The previous invoice's line text; null when there is none.")
    current_description: str | None = Field(description="This invoice's line text; null when there is none.")
    steps: list[RatingStepOut] = Field(description="The rating steps behind the difference, in rating order.")


class BillChangeOut(BaseModel):
    """An invoice's lines compared with the lines of the account's previous invoice.

    Both totals include each invoice's adjustment lines. Only this invoice's adjustments are
    listed in ``changes``, so when the previous invoice had adjustments, ``difference`` is not
    the sum of the listed differences.
    """

    account_number: str
    invoice_number: str
    previous_invoice_number: str | None = Field(description="The invoice compared with; null when this is the account's first invoice.")
    previous_total: Money = Field(
        description="Sum of the previous invoice's lines in dollars, 0.00 when there is none; not its amount due."
    )
    current_total: Money = Field(description="Sum of this invoice's lines in dollars; not its amount due.")
    difference: Money = Field(description="Signed difference current_total - previous_total; negative when the lines went down.")
    unchanged_lines: int = Field(description="Lines billed the same on both invoices, which are left out of changes.")
    rating_steps_available: bool = Field(
        description="False when the rating steps could not be computed from the current catalog; the amounts are then as billed."
    )
    changes: list[LineChangeOut]


@router.get(
    "/accounts/{account_number}/invoices/{invoice_number}/changes",
    response_model=BillChangeOut,
    responses=problems(404, 422),
    dependencies=[requires(Permission.BILLING_READ)],
)
def invoice_changes(account_number: str, invoice_number: str, ctx: Context) -> BillChangeOut:
    """Explain why a bill changed: the lines that differ from the account's previous invoice, and the rating steps behind each."""
    return _bill_change_out(bill_change(ctx, account_number, invoice_number))


def _bill_change_out(change: BillChange) -> BillChangeOut:
    comparison = change.comparison
    return BillChangeOut(
        account_number=change.account_number,
        invoice_number=change.invoice.invoice_number,
        previous_invoice_number=change.previous.invoice_number if change.previous else None,
        previous_total=Money.of(comparison.previous_total_cents),
        current_total=Money.of(comparison.current_total_cents),
        difference=Money.of(comparison.difference_cents),
        unchanged_lines=comparison.unchanged,
        rating_steps_available=change.traces_available,
        changes=[_line_change_out(item) for item in comparison.changes],
    )


def _line_change_out(item: LineChange) -> LineChangeOut:
    line = item.current or item.previous
    return LineChangeOut(
        kind=item.kind,
        member_id=line.member_id if line else None,
        member_name=item.member_name,
        line_kind=item.line_kind,
        coverage_month=_month(item.current.coverage_month) if item.current else None,
        previous_coverage_month=_month(item.previous.coverage_month) if item.previous else None,
        previous_amount=Money.of(item.previous_cents) if item.previous else None,
        current_amount=Money.of(item.current_cents) if item.current else None,
        difference=Money.of(item.difference_cents),
        reasons=list(item.reasons),
        previous_description=item.previous.description if item.previous else None,
        current_description=item.current.description if item.current else None,
        steps=[_step_out(step) for step in item.steps],
    )


def _step_out(step: StepDifference) -> RatingStepOut:
    return RatingStepOut(
        step=step.step,
        member_id=step.member_id,
        previous=dict(step.previous) if step.previous is not None else None,
        current=dict(step.current) if step.current is not None else None,
        inputs=dict(step.inputs),
    )


def _month(day: date | None) -> str | None:
    return day.isoformat()[:7] if day else None
