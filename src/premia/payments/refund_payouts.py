"""Pay approved refunds: ACH refunds as PPD credits (transaction code 22 or 32), others as checks.

Paying posts Dr refunds payable / Cr cash clearing, dated the ACH effective date or the
check date, and records a refund notice for the account. Checks get consecutive numbers
and one line each in the check register the run returns.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from premia.accounts.tables import BankAccount, BillingAccount
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.money import format_cents
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind, LedgerAccount, LineSpec
from premia.notices.model import NoticeType
from premia.notices.service import create_notice
from premia.payments.config import DEFAULT_CONFIG, PaymentsConfig
from premia.payments.drafting import effective_date_for
from premia.payments.model import AchPurpose, RefundMethod, RefundStatus
from premia.payments.origination import PlannedEntry, originate
from premia.payments.tables import Refund
from premia.staff.permissions import Permission

FIRST_CHECK_NUMBER = 100_001
REGISTER_COLUMNS = ("check_number", "issued_on", "payee", "amount", "refund_id", "account_number", "memo")


@dataclass
class RefundPayout:
    """The result of a payout run: the ACH file to send, if any, and the check register lines."""

    as_of: date
    file_id: int | None = None
    content: str | None = None
    ach: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)

    def register_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=REGISTER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.checks)
        return buffer.getvalue()

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "file_id": self.file_id, "ach": self.ach, "checks": self.checks}


def pay_refunds(ctx: ServiceContext, *, as_of: date, config: PaymentsConfig = DEFAULT_CONFIG) -> RefundPayout:
    """Pay every approved refund; see the module docstring."""
    ctx.require(Permission.REFUNDS_APPROVE)
    payout = RefundPayout(as_of=as_of)
    refunds = list(
        ctx.session.scalars(select(Refund).where(Refund.status == RefundStatus.APPROVED.value).order_by(Refund.id).with_for_update())
    )
    numbers = _account_numbers(ctx, {refund.billing_account_id for refund in refunds})

    by_ach = [refund for refund in refunds if refund.method == RefundMethod.ACH.value and refund.bank_account_id]
    paid_by_ach = {refund.id for refund in by_ach}
    if by_ach:
        effective = effective_date_for(as_of, config.draft_lead_banking_days)
        planned = []
        for refund in by_ach:
            bank = ctx.session.get(BankAccount, refund.bank_account_id)
            assert bank is not None
            planned.append(
                PlannedEntry(
                    purpose=AchPurpose.REFUND,
                    bank=bank,
                    amount_cents=refund.amount_cents,
                    individual_id=numbers.get(refund.billing_account_id or 0, f"REFUND {refund.id}"),
                    billing_account_id=refund.billing_account_id,
                    refund_id=refund.id,
                )
            )
        ach_file, entries = originate(
            ctx, file_purpose=AchPurpose.REFUND, as_of=as_of, effective_date=effective, planned=planned, config=config
        )
        payout.file_id, payout.content = ach_file.id, ach_file.content
        for refund, entry in zip(by_ach, entries, strict=True):
            _mark_paid(ctx, refund, paid_on=effective, config=config)
            amount = format_cents(refund.amount_cents, thousands=False)
            payout.ach.append({"refund_id": refund.id, "amount": amount, "trace_number": entry.trace_number})

    next_check = _next_check_number(ctx)
    for refund in refunds:
        if refund.id in paid_by_ach:
            continue
        refund.check_number = next_check
        next_check += 1
        _mark_paid(ctx, refund, paid_on=as_of, config=config)
        payout.checks.append(
            {
                "check_number": refund.check_number,
                "issued_on": as_of.isoformat(),
                "payee": refund.payee_name,
                "amount": format_cents(refund.amount_cents, thousands=False),
                "refund_id": refund.id,
                "account_number": numbers.get(refund.billing_account_id or 0, ""),
                "memo": refund.reason,
            }
        )
    ctx.session.flush()
    return payout


def _mark_paid(ctx: ServiceContext, refund: Refund, *, paid_on: date, config: PaymentsConfig) -> None:
    entry = ledger.post_entry(
        ctx,
        kind=EntryKind.REFUND,
        entry_date=paid_on,
        lines=[
            LineSpec(
                account=LedgerAccount.REFUNDS_PAYABLE,
                amount_cents=refund.amount_cents,
                billing_account_id=refund.billing_account_id,
                memo=f"refund {refund.id}",
            ),
            LineSpec(
                account=LedgerAccount.CASH_CLEARING,
                amount_cents=-refund.amount_cents,
                cash_account=config.deposit_account,
                memo=f"refund {refund.id}",
            ),
        ],
        reference=f"refund {refund.id}",
        description=f"refund {refund.id} paid by {refund.method}",
        billing_account_id=refund.billing_account_id,
        idempotency_key=f"refund:{refund.id}:paid",
    )
    refund.paid_entry_id = entry.id
    refund.paid_on = paid_on
    refund.status = RefundStatus.PAID.value
    ctx.session.flush()
    audit.record(ctx, action="pay", record_type="refund", record_id=refund.id, detail={"method": refund.method})
    if refund.billing_account_id is not None:
        create_notice(
            ctx,
            notice_type=NoticeType.REFUND,
            billing_account_id=refund.billing_account_id,
            as_of=paid_on,
            dedupe_key=f"refund:{refund.id}",
            data={"amount_cents": refund.amount_cents, "issued_on": paid_on.isoformat(), "method": refund.method, "reason": refund.reason},
        )


def _next_check_number(ctx: ServiceContext) -> int:
    last = ctx.session.scalar(select(func.max(Refund.check_number)))
    return int(last) + 1 if last else FIRST_CHECK_NUMBER


def _account_numbers(ctx: ServiceContext, account_ids: set[int | None]) -> dict[int, str]:
    ids = {account_id for account_id in account_ids if account_id}
    if not ids:
        return {}
    return dict(ctx.session.execute(select(BillingAccount.id, BillingAccount.account_number).where(BillingAccount.id.in_(ids))).all())
