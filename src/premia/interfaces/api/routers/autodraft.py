"""ACH auto-draft runs and the NACHA files they write.

A run settles drafts with no return, presents eligible returns again, drafts what is due
and records pre-notifications (see ``premia.payments.autodraft``). Running it again on the
same date drafts nothing twice, because each account's pending drafts count as paid.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from premia.infra.settings import Environment
from premia.interfaces.api.deps import Context, IdempotencyKey, idempotent, requires
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.interfaces.api.schemas.common import ApiDate, ApiInput, IdPath
from premia.kernel.errors import ValidationError
from premia.payments.autodraft import ach_file_content, run_autodraft
from premia.payments.config import configured_payments
from premia.staff.permissions import Permission

router = APIRouter(tags=["payments"])


class AutodraftRunIn(ApiInput):
    as_of: ApiDate = Field(description="Business date of the run.")


class DraftEntryOut(BaseModel):
    account_number: str
    purpose: str = Field(description="draft, retry or return_fee.")
    amount: Money
    trace_number: str
    reference: str
    payment_id: int


class SkippedAccountOut(BaseModel):
    account_number: str
    reason: str


class AutodraftRunOut(BaseModel):
    as_of: date
    effective_date: date = Field(description="Settlement date of the drafts in the file.")
    file_id: int | None = Field(description="The NACHA file written, or null when nothing was drafted.")
    file_url: str | None
    entry_count: int
    total: Money
    entries: list[DraftEntryOut]
    skipped: list[SkippedAccountOut]
    settled_count: int = Field(description="Earlier drafts settled by this run.")
    settled: Money
    prenotifications: int


@router.post(
    "/autodraft-runs",
    status_code=201,
    response_model=AutodraftRunOut,
    responses=problems(409, 422),
    dependencies=[requires(Permission.AUTODRAFT_RUN)],
    tags=["payments"],
)
def autodraft_run(body: AutodraftRunIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Run auto-draft for ``as_of``; the NACHA file to send to the bank is at ``file_url``."""
    if ctx.settings.environment is Environment.PRODUCTION and ctx.settings.payments_config_file is None:
        # The built-in originator is a placeholder.
        raise ValidationError(
            code="payments.config_required",
            message="Writing an ACH file in production needs the carrier's originator settings.",
            field="as_of",
            hint=(
                "Set PREMIA_PAYMENTS_CONFIG_FILE to a YAML file with the ODFI agreement's values "
                "under `originator`."
            ),
        )

    def handler() -> tuple[int, Any]:
        report = run_autodraft(ctx, as_of=body.as_of, config=configured_payments(ctx.settings))
        return 201, AutodraftRunOut(
            as_of=report.as_of,
            effective_date=report.effective_date,
            file_id=report.file_id,
            file_url=f"/api/v1/ach-files/{report.file_id}" if report.file_id else None,
            entry_count=len(report.entries),
            total=Money.of(report.total_cents),
            entries=[
                DraftEntryOut(
                    account_number=entry["account_number"],
                    purpose=entry["purpose"],
                    amount=Money.of(entry["amount_cents"]),
                    trace_number=entry["trace_number"],
                    reference=entry["reference"],
                    payment_id=entry["payment_id"],
                )
                for entry in report.entries
            ],
            skipped=[SkippedAccountOut.model_validate(skipped) for skipped in report.skipped],
            settled_count=report.settled_count,
            settled=Money.of(report.settled_cents),
            prenotifications=report.prenotifications,
        )

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.get(
    "/ach-files/{file_id}",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "The NACHA file"}, **problems(404, 422)},
    dependencies=[requires(Permission.AUTODRAFT_RUN)],
    tags=["payments"],
)
def ach_file(file_id: IdPath, ctx: Context) -> PlainTextResponse:
    """Return a NACHA file Premia wrote, exactly as stored, to send to the bank again."""
    return PlainTextResponse(ach_file_content(ctx, file_id))
