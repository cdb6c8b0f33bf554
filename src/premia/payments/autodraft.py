"""The auto-draft run: settle drafts with no return, draft what is due, send pre-notifications.

``run_autodraft`` on an as-of date D does, in order:

1. Settle pending drafts whose effective date is ``settle_after_banking_days`` banking
   days before D or earlier, dated their effective date.
2. Present again the R01 and R09 returns that may be (``RETRY PYMT``).
3. Draft every account on ACH auto-draft whose draft date has come, for the amount then
   due (see :mod:`premia.payments.drafting`), and its invoiced fees (``RETURN FEE``). The
   credit of a termination, cancellation or plan change that the bill run has yet to post
   is not drafted.
4. Record a pre-notification notice for each draft due within ``prenotification_days``.

Drafted payments are posted ``pending``. Accounts are locked in id order, so two runs at
once draft an account once: the second run waits for the lock and then finds the first
run's pending drafts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select

from premia.accounts.model import AccountStatus
from premia.accounts.model import PaymentMethod as AccountPaymentMethod
from premia.accounts.tables import BankAccount, BillingAccount
from premia.billing.tables import Invoice, InvoiceLine
from premia.infra.context import ServiceContext
from premia.kernel.banking_days import add_banking_days
from premia.kernel.errors import NotFoundError
from premia.kernel.money import format_cents
from premia.ledger.model import LedgerAccount
from premia.ledger.tables import JournalLine
from premia.lifecycle.repository import unposted_change_credits
from premia.notices.model import NoticeType
from premia.notices.service import create_notice
from premia.payments.config import DEFAULT_CONFIG, PaymentsConfig
from premia.payments.drafting import DraftState, OpenInvoice, draft_amounts, effective_date_for, prenotification_invoices
from premia.payments.mandates import ACTIVE
from premia.payments.model import AchEntryStatus, AchPurpose, PaymentChannel, PaymentMethod, PaymentStatus, Representment
from premia.payments.origination import PlannedEntry, originate
from premia.payments.representment import plan_representments
from premia.payments.service import post_payment, settle_payment
from premia.payments.tables import AchEntry, AchFile, Payment
from premia.staff.permissions import Permission

CHUNK = 500
DEBIT_PURPOSES = (AchPurpose.DRAFT.value, AchPurpose.RETRY.value, AchPurpose.RETURN_FEE.value)


@dataclass
class AutodraftReport:
    """The outcome of a run. ``content`` is the NACHA file to send, or None when nothing was drafted."""

    as_of: date
    effective_date: date
    file_id: int | None = None
    content: str | None = None
    entries: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    settled_count: int = 0
    settled_cents: int = 0
    prenotifications: int = 0

    @property
    def total_cents(self) -> int:
        return sum(entry["amount_cents"] for entry in self.entries)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "effective_date": self.effective_date.isoformat(),
            "file_id": self.file_id,
            "entry_count": len(self.entries),
            "total": format_cents(self.total_cents, thousands=False),
            "entries": [{key: value for key, value in entry.items() if key != "amount_cents"} for entry in self.entries],
            "skipped": self.skipped,
            "settled": {"count": self.settled_count, "amount": format_cents(self.settled_cents, thousands=False)},
            "prenotifications": self.prenotifications,
        }


@dataclass(frozen=True)
class DraftAccount:
    account: BillingAccount
    bank: BankAccount | None


def run_autodraft(ctx: ServiceContext, *, as_of: date, config: PaymentsConfig = DEFAULT_CONFIG) -> AutodraftReport:
    """Settle, re-present, draft and pre-notify for ``as_of``; see the module docstring."""
    ctx.require(Permission.AUTODRAFT_RUN)
    effective = effective_date_for(as_of, config.draft_lead_banking_days)
    report = AutodraftReport(as_of=as_of, effective_date=effective)
    report.settled_count, report.settled_cents = settle_due_drafts(ctx, as_of=as_of, config=config)

    planned: list[PlannedEntry] = []
    account_numbers: dict[int, str] = {}
    retries = plan_representments(ctx, as_of=as_of, effective_date=effective, config=config)
    planned.extend(retries.entries)
    report.skipped.extend(retries.skipped)
    account_numbers.update(retries.account_numbers)
    # A retry planned in this run is in flight, like a pending draft.
    retrying: dict[int, int] = defaultdict(int)
    for retry in retries.entries:
        retrying[retry.billing_account_id or 0] += retry.amount_cents

    for chunk in _chunks(_autodraft_account_ids(ctx), CHUNK):
        accounts = _lock_accounts(ctx, chunk)
        states = load_draft_states(ctx, [item.account.id for item in accounts])
        for item in accounts:
            account = item.account
            account_numbers[account.id] = account.account_number
            state = states[account.id]
            if retrying[account.id]:
                state = replace(state, pending_premium_cents=state.pending_premium_cents + retrying[account.id])
            amounts = draft_amounts(state, autodraft_day=account.autodraft_day, effective_date=effective)
            if item.bank is None:
                if amounts.premium_cents or amounts.fee_cents:
                    report.skipped.append({"account_number": account.account_number, "reason": "no active bank account to draft"})
                continue
            reference = amounts.invoice.invoice_number if amounts.invoice else account.account_number
            if amounts.premium_cents:
                planned.append(PlannedEntry(AchPurpose.DRAFT, item.bank, amounts.premium_cents, reference, account.id))
            if amounts.fee_cents:
                planned.append(PlannedEntry(AchPurpose.RETURN_FEE, item.bank, amounts.fee_cents, reference, account.id))
            report.prenotifications += _prenotify(ctx, item, state, effective=effective, as_of=as_of, config=config)

    if planned:
        _originate_drafts(ctx, report, planned, account_numbers, config)
    return report


def settle_due_drafts(ctx: ServiceContext, *, as_of: date, config: PaymentsConfig) -> tuple[int, int]:
    """Settle pending debits with no return after the configured banking days; return the count and cents."""
    candidates = ctx.session.execute(
        select(AchEntry, Payment)
        .join(Payment, Payment.id == AchEntry.payment_id)
        .where(
            AchEntry.status == AchEntryStatus.PENDING.value,
            AchEntry.purpose.in_(DEBIT_PURPOSES),
            AchEntry.effective_date <= as_of,
        )
        .order_by(AchEntry.billing_account_id, AchEntry.id)
    ).all()
    count = cents = 0
    for entry, payment in candidates:
        if add_banking_days(entry.effective_date, config.settle_after_banking_days) > as_of:
            continue
        entry.status = AchEntryStatus.SETTLED.value
        entry.settled_on = entry.effective_date
        if payment.status == PaymentStatus.PENDING.value:
            settle_payment(ctx, payment, settled_on=entry.effective_date)
            count += 1
            cents += payment.amount_cents
    ctx.session.flush()
    return count, cents


def load_draft_states(ctx: ServiceContext, account_ids: Sequence[int]) -> dict[int, DraftState]:
    """Read what each account owes and has in flight, a few grouped queries per chunk of accounts."""
    ids = list(account_ids)
    receivable = LedgerAccount.PREMIUM_RECEIVABLE.value
    invoices: dict[int, list[OpenInvoice]] = defaultdict(list)
    rows = ctx.session.execute(
        select(JournalLine.billing_account_id, Invoice.id, Invoice.invoice_number, Invoice.due_date, func.sum(JournalLine.amount_cents))
        .join(Invoice, Invoice.id == JournalLine.invoice_id)
        .where(JournalLine.ledger_account == receivable, JournalLine.billing_account_id.in_(ids), JournalLine.coverage_month.is_not(None))
        .group_by(JournalLine.billing_account_id, Invoice.id, Invoice.invoice_number, Invoice.due_date)
        .having(func.sum(JournalLine.amount_cents) > 0)
    )
    for account_id, invoice_id, number, due, total in rows:
        invoices[account_id].append(OpenInvoice(invoice_id, number, due, int(total)))

    fees: dict[int, int] = defaultdict(int)
    rows = ctx.session.execute(
        select(JournalLine.billing_account_id, JournalLine.invoice_line_id, func.sum(JournalLine.amount_cents))
        .join(InvoiceLine, InvoiceLine.id == JournalLine.invoice_line_id)
        .where(
            JournalLine.ledger_account == receivable,
            JournalLine.billing_account_id.in_(ids),
            JournalLine.coverage_month.is_(None),
            InvoiceLine.invoice_id.is_not(None),
        )
        .group_by(JournalLine.billing_account_id, JournalLine.invoice_line_id)
        .having(func.sum(JournalLine.amount_cents) > 0)
    )
    for account_id, _, total in rows:
        fees[account_id] += int(total)

    balances: dict[int, int] = defaultdict(int)
    rows = ctx.session.execute(
        select(JournalLine.billing_account_id, func.sum(JournalLine.amount_cents))
        .where(
            JournalLine.ledger_account.in_([receivable, LedgerAccount.UNAPPLIED_CREDIT.value]),
            JournalLine.billing_account_id.in_(ids),
        )
        .group_by(JournalLine.billing_account_id)
    )
    for account_id, total in rows:
        balances[account_id] = int(total)

    pending: dict[tuple[int, str], int] = defaultdict(int)
    awaiting: dict[int, int] = defaultdict(int)
    is_fee = case((AchEntry.purpose == AchPurpose.RETURN_FEE.value, "fee"), else_="premium")
    rows = ctx.session.execute(
        select(AchEntry.billing_account_id, is_fee, func.sum(AchEntry.amount_cents))
        .where(AchEntry.billing_account_id.in_(ids), AchEntry.status == AchEntryStatus.PENDING.value, AchEntry.purpose.in_(DEBIT_PURPOSES))
        .group_by(AchEntry.billing_account_id, is_fee)
    )
    for account_id, kind, total in rows:
        pending[(account_id, kind)] = int(total)
    rows = ctx.session.execute(
        select(AchEntry.billing_account_id, func.sum(AchEntry.amount_cents))
        .where(AchEntry.billing_account_id.in_(ids), AchEntry.representment == Representment.ELIGIBLE.value)
        .group_by(AchEntry.billing_account_id)
    )
    for account_id, total in rows:
        awaiting[account_id] = int(total)
    unposted = unposted_change_credits(ctx, ids)

    return {
        account_id: DraftState(
            open_invoices=tuple(sorted(invoices[account_id], key=lambda invoice: (invoice.due_date, invoice.invoice_id))),
            invoiced_fee_cents=fees[account_id],
            balance_cents=balances[account_id],
            pending_premium_cents=pending[(account_id, "premium")],
            pending_fee_cents=pending[(account_id, "fee")],
            awaiting_representment_cents=awaiting[account_id],
            unposted_credit_cents=unposted.get(account_id, 0),
        )
        for account_id in ids
    }


def _originate_drafts(
    ctx: ServiceContext,
    report: AutodraftReport,
    planned: list[PlannedEntry],
    account_numbers: dict[int, str],
    config: PaymentsConfig,
) -> None:
    ach_file, entries = originate(
        ctx, file_purpose=AchPurpose.DRAFT, as_of=report.as_of, effective_date=report.effective_date, planned=planned, config=config
    )
    report.file_id = ach_file.id
    report.content = ach_file.content
    for entry in entries:
        assert entry.billing_account_id is not None
        result = post_payment(
            ctx,
            billing_account_id=entry.billing_account_id,
            amount_cents=entry.amount_cents,
            channel=PaymentChannel.ACH_AUTODRAFT,
            method=PaymentMethod.ACH,
            received_on=entry.effective_date,
            reference=entry.individual_id,
            idempotency_key=f"ach:{ach_file.id}:{entry.trace_number}",
            status=PaymentStatus.PENDING,
            cash_account=config.deposit_account,
            source=f"ACH file {ach_file.id}",
            permission=Permission.AUTODRAFT_RUN,
        )
        entry.payment_id = result.payment.id
        report.entries.append(
            {
                "account_number": account_numbers.get(entry.billing_account_id, ""),
                "purpose": entry.purpose,
                "amount": format_cents(entry.amount_cents, thousands=False),
                "amount_cents": entry.amount_cents,
                "trace_number": entry.trace_number,
                "reference": entry.individual_id,
                "payment_id": result.payment.id,
            }
        )
    ctx.session.flush()


def _prenotify(
    ctx: ServiceContext, item: DraftAccount, state: DraftState, *, effective: date, as_of: date, config: PaymentsConfig
) -> int:
    if config.prenotification_days <= 0 or item.bank is None:
        return 0
    upcoming = prenotification_invoices(
        state,
        autodraft_day=item.account.autodraft_day,
        effective_date=effective,
        notify_through=as_of + timedelta(days=config.prenotification_days),
    )
    for invoice, drafted_on in upcoming:
        create_notice(
            ctx,
            notice_type=NoticeType.AUTODRAFT_PRENOTIFICATION,
            billing_account_id=item.account.id,
            as_of=as_of,
            dedupe_key=f"invoice:{invoice.invoice_id}",
            invoice_id=invoice.invoice_id,
            data={
                "amount_cents": invoice.open_premium_cents,
                "draft_date": drafted_on.isoformat(),
                "bank_last4": item.bank.account_last4,
                "invoice_number": invoice.invoice_number,
            },
        )
    return len(upcoming)


def _autodraft_account_ids(ctx: ServiceContext) -> list[int]:
    return list(
        ctx.session.scalars(
            select(BillingAccount.id)
            .where(
                BillingAccount.payment_method == AccountPaymentMethod.ACH_AUTODRAFT.value,
                BillingAccount.status == AccountStatus.OPEN.value,
            )
            .order_by(BillingAccount.id)
        )
    )


def _lock_accounts(ctx: ServiceContext, account_ids: list[int]) -> list[DraftAccount]:
    accounts = list(
        ctx.session.scalars(select(BillingAccount).where(BillingAccount.id.in_(account_ids)).order_by(BillingAccount.id).with_for_update())
    )
    banks: dict[int, BankAccount] = {}
    for bank in ctx.session.scalars(
        select(BankAccount).where(BankAccount.billing_account_id.in_(account_ids), BankAccount.status == ACTIVE).order_by(BankAccount.id)
    ):
        banks[bank.billing_account_id] = bank
    # Another run may have moved the account off auto-draft while this one waited for the lock.
    return [
        DraftAccount(account, banks.get(account.id))
        for account in accounts
        if account.payment_method == AccountPaymentMethod.ACH_AUTODRAFT.value
    ]


def _chunks(values: list[int], size: int) -> list[list[int]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def ach_file_content(ctx: ServiceContext, file_id: int) -> str:
    """Return the stored text of an ACH file, to write it out again."""
    ctx.require(Permission.AUTODRAFT_RUN)
    ach_file = ctx.session.get(AchFile, file_id)
    if ach_file is None:
        raise NotFoundError(code="ach_file.not_found", message=f"ACH file {file_id} does not exist.", field="file_id", value=file_id)
    return ach_file.content
