"""The general ledger: the trial balance of the chart of accounts on a date."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, Field

from premia.interfaces.api.deps import Context, requires
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.interfaces.api.schemas.common import ApiDate
from premia.ledger.queries import trial_balance_report
from premia.staff.permissions import Permission

router = APIRouter(prefix="/ledger", tags=["ledger"])


class TrialBalanceRowOut(BaseModel):
    code: str = Field(description="Ledger account code, such as 1100.")
    title: str
    debit: Money = Field(description="The net balance when it is a debit, else 0.00.")
    credit: Money = Field(description="The net balance when it is a credit, else 0.00.")


class TrialBalanceOut(BaseModel):
    as_of: date
    accounts: list[TrialBalanceRowOut]
    total_debit: Money
    total_credit: Money
    balanced: bool = Field(description="Whether total debits equal total credits.")


@router.get(
    "/trial-balance", response_model=TrialBalanceOut, responses=problems(422), dependencies=[requires(Permission.LEDGER_READ)]
)
def trial_balance(ctx: Context, as_of: ApiDate | None = None) -> TrialBalanceOut:
    """Return every ledger account's net balance from the entries dated on or before ``as_of`` (today by default)."""
    report = trial_balance_report(ctx, as_of=as_of or ctx.today())
    return TrialBalanceOut(
        as_of=report.as_of,
        accounts=[
            TrialBalanceRowOut(
                code=row.account.value,
                title=row.account.title,
                debit=Money.of(row.debit_cents),
                credit=Money.of(row.credit_cents),
            )
            for row in report.rows
        ],
        total_debit=Money.of(report.debit_cents),
        total_credit=Money.of(report.credit_cents),
        balanced=report.balanced,
    )
