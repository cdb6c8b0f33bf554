"""Presenting R01 and R09 returns again, as NACHA allows: at most twice within 180 days.

An R01 (insufficient funds) or R09 (uncollected funds) return leaves its entry
``eligible`` while attempts remain and a retry could still fall inside the window, which
runs from the settlement date of the first entry of the chain. The auto-draft run sends
the retry, for the same amount and with the entry description ``RETRY PYMT``, once
``wait_banking_days`` have passed since the return. An entry that cannot be presented
again becomes ``exhausted``, and its amount is left for the payer to pay another way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from premia.accounts.model import PaymentMethod as AccountPaymentMethod
from premia.formats.nacha import ReturnReasonCode
from premia.infra.context import ServiceContext
from premia.kernel.banking_days import add_banking_days
from premia.ledger import service as ledger
from premia.payments.config import PaymentsConfig
from premia.payments.mandates import active_bank
from premia.payments.model import AchEntryStatus, AchPurpose, Representment
from premia.payments.origination import PlannedEntry
from premia.payments.service import lock_account
from premia.payments.tables import AchEntry

REPRESENTABLE_CODES = frozenset({ReturnReasonCode.R01, ReturnReasonCode.R09})
PRESENTABLE_PURPOSES = frozenset({AchPurpose.DRAFT.value, AchPurpose.RETRY.value})


@dataclass
class RetryPlan:
    entries: list[PlannedEntry] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    account_numbers: dict[int, str] = field(default_factory=dict)


def chain_root(ctx: ServiceContext, entry: AchEntry) -> AchEntry:
    """Return the first entry of a re-presentment chain, whose settlement starts the window."""
    if entry.original_entry_id is None:
        return entry
    return ctx.session.get(AchEntry, entry.original_entry_id) or entry


def window_end(root: AchEntry, config: PaymentsConfig) -> date:
    return (root.settled_on or root.effective_date) + timedelta(days=config.representment.window_days)


def representment_after_return(
    ctx: ServiceContext, entry: AchEntry, code: ReturnReasonCode, *, returned_on: date, config: PaymentsConfig
) -> Representment | None:
    """Decide, when a draft comes back, whether it may be presented again; None when the code does not allow it."""
    if code not in REPRESENTABLE_CODES or entry.purpose not in PRESENTABLE_PURPOSES:
        return None
    earliest_retry = add_banking_days(returned_on, config.representment.wait_banking_days)
    attempts_left = entry.attempt < config.representment.max_attempts
    in_window = earliest_retry <= window_end(chain_root(ctx, entry), config)
    decision = Representment.ELIGIBLE if attempts_left and in_window else Representment.EXHAUSTED
    entry.representment = decision.value
    return decision


def plan_representments(ctx: ServiceContext, *, as_of: date, effective_date: date, config: PaymentsConfig) -> RetryPlan:
    """Plan the retries due on ``as_of``; entries that can no longer be presented become exhausted."""
    plan = RetryPlan()
    waiting = list(
        ctx.session.scalars(
            select(AchEntry).where(AchEntry.representment == Representment.ELIGIBLE.value).order_by(AchEntry.billing_account_id, AchEntry.id)
        )
    )
    for entry in waiting:
        assert entry.returned_on is not None and entry.billing_account_id is not None
        if add_banking_days(entry.returned_on, config.representment.wait_banking_days) > as_of:
            continue
        account = lock_account(ctx, entry.billing_account_id)
        plan.account_numbers[account.id] = account.account_number
        bank = active_bank(ctx, account.id)
        root = chain_root(ctx, entry)
        reason = None
        if account.payment_method != AccountPaymentMethod.ACH_AUTODRAFT.value or bank is None or bank.id != entry.bank_account_id:
            reason = "the account no longer drafts from the bank account that returned the entry"
        elif effective_date > window_end(root, config):
            reason = f"the {config.representment.window_days}-day window from {root.settled_on or root.effective_date} has ended"
        elif _owed_beyond_pending(ctx, account.id) < entry.amount_cents:
            reason = "the account now owes less than the returned amount"
        if reason is not None:
            entry.representment = Representment.EXHAUSTED.value
            plan.skipped.append({"account_number": account.account_number, "reason": f"not presented again: {reason}"})
            continue
        assert bank is not None
        plan.entries.append(
            PlannedEntry(
                purpose=AchPurpose.RETRY,
                bank=bank,
                amount_cents=entry.amount_cents,
                individual_id=entry.individual_id,
                billing_account_id=account.id,
                original_entry_id=root.id,
                attempt=entry.attempt + 1,
            )
        )
        entry.representment = Representment.REPRESENTED.value
    ctx.session.flush()
    return plan


def _owed_beyond_pending(ctx: ServiceContext, billing_account_id: int) -> int:
    pending = ctx.session.scalar(
        select(func.coalesce(func.sum(AchEntry.amount_cents), 0)).where(
            AchEntry.billing_account_id == billing_account_id,
            AchEntry.status == AchEntryStatus.PENDING.value,
            AchEntry.purpose != AchPurpose.REFUND.value,
        )
    )
    return ledger.account_balance(ctx, billing_account_id) - int(pending or 0)
