"""The returned-payment (NSF) fee: a fee line the next invoice shows, and its journal entry.

The fee is its own charge, never added to a premium line. Payments reach it only after
the premium of the same invoice, so an unpaid fee never keeps a policy in grace.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from premia.accounts.tables import BillingAccount
from premia.billing.model import LineKind
from premia.billing.tables import InvoiceLine
from premia.enrollment.tables import Policy
from premia.formats.nacha import ReturnReasonCode
from premia.infra.context import ServiceContext
from premia.kernel.money import format_cents
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind, LedgerAccount, LineSpec
from premia.ledger.tables import JournalEntry
from premia.payments.config import ReturnFeeSettings

FEE_DESCRIPTION = "Returned payment fee"


def returned_payment_fee_cents(
    ctx: ServiceContext, account: BillingAccount, code: ReturnReasonCode, rule: ReturnFeeSettings
) -> int:
    """The fee this return costs the account under ``rule``, or 0 when none applies."""
    if rule.amount_cents <= 0 or code not in rule.codes:
        return 0
    if not rule.exchange_business and _has_exchange_policy(ctx, account.id):
        return 0
    earlier = ctx.session.scalar(
        select(func.count(InvoiceLine.id)).where(
            InvoiceLine.billing_account_id == account.id,
            InvoiceLine.kind == LineKind.FEE.value,
            InvoiceLine.description.like(f"{FEE_DESCRIPTION}%"),
        )
    )
    if earlier and rule.later_amount_cents is not None:
        return rule.later_amount_cents
    return rule.amount_cents


def post_returned_payment_fee(
    ctx: ServiceContext, account: BillingAccount, *, amount_cents: int, code: ReturnReasonCode, payment_id: int, on: date
) -> InvoiceLine | None:
    """Charge the fee for ``payment_id``'s return once: a fee line and Dr receivable / Cr fee revenue."""
    key = f"return-fee:{payment_id}"
    if amount_cents <= 0 or ctx.session.scalar(select(JournalEntry.id).where(JournalEntry.idempotency_key == key)):
        return None
    line = InvoiceLine(
        invoice_id=None,
        billing_account_id=account.id,
        policy_id=None,
        person_id=None,
        coverage_month=None,
        kind=LineKind.FEE.value,
        adjustment=False,
        amount_cents=amount_cents,
        employer_share_cents=0,
        days_covered=0,
        days_in_month=0,
        description=f"{FEE_DESCRIPTION} ({code.value}, payment {payment_id}): {format_cents(amount_cents)}",
        trace=None,
    )
    ctx.session.add(line)
    ctx.session.flush()
    ledger.post_entry(
        ctx,
        kind=EntryKind.FEE,
        entry_date=on,
        lines=[
            LineSpec(
                account=LedgerAccount.PREMIUM_RECEIVABLE,
                amount_cents=amount_cents,
                billing_account_id=account.id,
                invoice_line_id=line.id,
            ),
            LineSpec(account=LedgerAccount.FEE_REVENUE, amount_cents=-amount_cents, invoice_line_id=line.id),
        ],
        reference=f"payment {payment_id}",
        description=f"returned payment fee ({code.value})",
        billing_account_id=account.id,
        idempotency_key=key,
    )
    return line


def _has_exchange_policy(ctx: ServiceContext, billing_account_id: int) -> bool:
    return bool(
        ctx.session.scalar(
            select(Policy.id).where(Policy.billing_account_id == billing_account_id, Policy.on_exchange.is_(True)).limit(1)
        )
    )
