"""Reads of payments for account pages and the auto-draft desk: an account's payments with
where each went, and the ACH files Premia built with their returns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from premia.billing.queries import invoice_numbers
from premia.infra.context import ServiceContext
from premia.ledger.model import LedgerAccount
from premia.ledger.queries import lines_of_entries
from premia.ledger.tables import JournalLine
from premia.payments.model import AchEntryStatus
from premia.payments.tables import AchEntry, AchFile, Payment
from premia.staff.permissions import Permission

# The name shown for money applied to a line that bills the account itself, such as a fee.
FEE_ALLOCATION_NAME = "Fee"


@dataclass(frozen=True)
class PaymentAllocation:
    """Money from one payment applied to one receivable item: a member's coverage month or a fee."""

    invoice_number: str | None
    coverage_month: date | None
    member_name: str
    amount_cents: int


@dataclass(frozen=True)
class AccountPayment:
    """A payment as posted, with how its posting applied it and what it left as unapplied credit."""

    id: int
    received_on: date
    channel: str
    method: str
    amount_cents: int
    status: str
    reference: str | None
    return_code: str | None
    reversal_reason: str | None
    allocations: list[PaymentAllocation]
    unapplied_cents: int


@dataclass(frozen=True)
class AchFileSummary:
    """An ACH file Premia built, with how many of its entries the bank returned."""

    id: int
    purpose: str
    as_of: date
    entry_count: int
    debit_total_cents: int
    credit_total_cents: int
    returned_count: int
    returned_cents: int
    created_by: str

    @property
    def return_rate(self) -> Decimal | None:
        """Entries returned as a percentage of entries, to one decimal place; None for an empty file."""
        if self.entry_count == 0:
            return None
        return (Decimal(self.returned_count * 100) / self.entry_count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def account_payments(ctx: ServiceContext, billing_account_id: int, *, member_names: Mapping[int, str]) -> list[AccountPayment]:
    """List the account's payments, newest first, each with the receivable items its posting paid.

    Allocations come from the payment's posting entry as it was first posted. A reversal
    changes the payment's status but not this list. ``member_names`` maps person ids to names.
    """
    ctx.require(Permission.BILLING_READ)
    query = select(Payment).where(Payment.billing_account_id == billing_account_id).order_by(Payment.received_on.desc(), Payment.id.desc())
    payments = list(ctx.session.scalars(query))
    lines_by_entry = lines_of_entries(ctx, [payment.posting_entry_id for payment in payments if payment.posting_entry_id is not None])
    numbers = invoice_numbers(ctx, {line.invoice_id for lines in lines_by_entry.values() for line in lines if line.invoice_id is not None})
    return [_account_payment(payment, lines_by_entry.get(payment.posting_entry_id or 0, []), numbers, member_names) for payment in payments]


def _account_payment(payment: Payment, posted: list[JournalLine], numbers: Mapping[int, str], member_names: Mapping[int, str]) -> AccountPayment:
    receivable = LedgerAccount.PREMIUM_RECEIVABLE.value
    allocations = [
        PaymentAllocation(
            invoice_number=numbers.get(line.invoice_id or 0),
            coverage_month=line.coverage_month,
            member_name=_allocation_name(line, member_names),
            # The posting credits the receivable, so a payment applied shows as a negative line.
            amount_cents=-line.amount_cents,
        )
        for line in posted
        if line.ledger_account == receivable and line.amount_cents != 0
    ]
    unapplied = -sum(line.amount_cents for line in posted if line.ledger_account == LedgerAccount.UNAPPLIED_CREDIT.value)
    return AccountPayment(
        id=payment.id,
        received_on=payment.received_on,
        channel=payment.channel,
        method=payment.method,
        amount_cents=payment.amount_cents,
        status=payment.status,
        reference=payment.reference,
        return_code=payment.return_code,
        reversal_reason=payment.reversal_reason,
        allocations=allocations,
        unapplied_cents=unapplied,
    )


def _allocation_name(line: JournalLine, member_names: Mapping[int, str]) -> str:
    name = member_names.get(line.person_id or 0, "")
    if name:
        return name
    return FEE_ALLOCATION_NAME if line.coverage_month is None else ""


def payment_count(ctx: ServiceContext, billing_account_id: int) -> int:
    """Return how many payments were received for the account, in any status."""
    return int(ctx.session.scalar(select(func.count(Payment.id)).where(Payment.billing_account_id == billing_account_id)) or 0)


def ach_files(ctx: ServiceContext, *, limit: int = 60) -> list[AchFileSummary]:
    """List the ACH files Premia built, newest first, with how many of their entries came back returned."""
    ctx.require(Permission.AUTODRAFT_RUN)
    files = list(ctx.session.scalars(select(AchFile).order_by(AchFile.id.desc()).limit(limit)))
    if not files:
        return []
    returned = {
        file_id: (int(count), int(total or 0))
        for file_id, count, total in ctx.session.execute(
            select(AchEntry.file_id, func.count(AchEntry.id), func.sum(AchEntry.amount_cents))
            .where(AchEntry.file_id.in_([row.id for row in files]), AchEntry.status == AchEntryStatus.RETURNED.value)
            .group_by(AchEntry.file_id)
        )
    }
    return [
        AchFileSummary(
            id=row.id,
            purpose=row.purpose,
            as_of=row.as_of,
            entry_count=row.entry_count,
            debit_total_cents=row.debit_total_cents,
            credit_total_cents=row.credit_total_cents,
            returned_count=returned.get(row.id, (0, 0))[0],
            returned_cents=returned.get(row.id, (0, 0))[1],
            created_by=row.created_by,
        )
        for row in files
    ]
