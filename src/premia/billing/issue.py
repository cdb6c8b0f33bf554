"""Issuing one invoice: number it, write its lines, post it to the journal, apply credit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from premia.accounts.model import AccountKind
from premia.accounts.tables import BillingAccount
from premia.billing.model import BillingPeriod, DraftLine, LineKind
from premia.billing.numbering import next_invoice_number
from premia.billing.tables import Invoice, InvoiceLine
from premia.infra.context import ServiceContext
from premia.ledger import service as ledger
from premia.ledger.model import EntryKind, LedgerAccount, LineSpec
from premia.ledger.receivables import allocation_lines, open_items
from premia.notices.model import NoticeType
from premia.notices.service import create_notice


@dataclass(frozen=True)
class IssuedInvoice:
    invoice: Invoice
    lines: list[InvoiceLine]


def issue_invoice(
    ctx: ServiceContext,
    account: BillingAccount,
    period: BillingPeriod,
    drafts: list[DraftLine],
    *,
    bill_run_id: int | None,
) -> IssuedInvoice:
    """Write the invoice and its journal entry in the caller's transaction."""
    previous = ctx.session.scalar(
        select(Invoice).where(Invoice.billing_account_id == account.id).order_by(Invoice.period_start.desc()).limit(1)
    )
    previous_balance = previous.amount_due_cents if previous else 0
    balance_before = ledger.account_balance(ctx, account.id)

    invoice = Invoice(
        invoice_number=next_invoice_number(ctx, account.legal_entity, period.issue_date),
        legal_entity=account.legal_entity,
        billing_account_id=account.id,
        bill_run_id=bill_run_id,
        period_start=period.start,
        period_end=period.end,
        issue_date=period.issue_date,
        due_date=period.due_date,
        previous_balance_cents=previous_balance,
        payments_since_cents=balance_before - previous_balance,
        current_charges_cents=sum(d.amount_cents for d in drafts if not d.adjustment),
        adjustments_cents=sum(d.amount_cents for d in drafts if d.adjustment),
        credits_applied_cents=0,
        amount_due_cents=0,
        gross_premium_cents=sum(d.amount_cents for d in drafts if d.key.kind is LineKind.PREMIUM),
        aptc_cents=sum(d.amount_cents for d in drafts if d.key.kind is LineKind.APTC),
        created_at=ctx.now(),
    )
    ctx.session.add(invoice)
    ctx.session.flush()

    lines = [_line_row(invoice, account, draft) for draft in drafts]
    ctx.session.add_all(lines)
    ctx.session.flush()
    fees = _attach_pending_fees(ctx, invoice, account)
    _post_invoice(ctx, invoice, account, lines)
    invoice.credits_applied_cents = apply_unapplied_credit(ctx, account, invoice)
    invoice.amount_due_cents = ledger.account_balance(ctx, account.id)
    ctx.session.flush()
    create_notice(
        ctx,
        notice_type=NoticeType.LIST_BILL if account.kind == AccountKind.GROUP.value else NoticeType.INVOICE,
        billing_account_id=account.id,
        invoice_id=invoice.id,
        as_of=invoice.issue_date,
        dedupe_key=f"invoice:{invoice.id}",
        data={"invoice_number": invoice.invoice_number, "amount_due_cents": invoice.amount_due_cents, "due_date": invoice.due_date.isoformat()},
    )
    return IssuedInvoice(invoice=invoice, lines=lines + fees)


def apply_unapplied_credit(ctx: ServiceContext, account: BillingAccount, invoice: Invoice) -> int:
    """Use the account's unapplied credit on its open items; return the cents applied."""
    credit = -ledger.balance(ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=account.id)
    if credit <= 0:
        return 0
    lines, used = allocation_lines(open_items(ctx, account.id), credit, billing_account_id=account.id)
    if used == 0:
        return 0
    lines.append(LineSpec(account=LedgerAccount.UNAPPLIED_CREDIT, amount_cents=used, billing_account_id=account.id, invoice_id=invoice.id))
    ledger.post_entry(
        ctx,
        kind=EntryKind.ALLOCATION,
        entry_date=invoice.issue_date,
        lines=lines,
        reference=invoice.invoice_number,
        description="unapplied credit applied to the invoice",
        billing_account_id=account.id,
    )
    return used


def _line_row(invoice: Invoice, account: BillingAccount, draft: DraftLine) -> InvoiceLine:
    return InvoiceLine(
        invoice_id=invoice.id,
        billing_account_id=account.id,
        policy_id=draft.key.policy_id,
        person_id=draft.key.person_id,
        coverage_month=draft.key.month.first_day,
        kind=draft.key.kind.value,
        adjustment=draft.adjustment,
        amount_cents=draft.amount_cents,
        employer_share_cents=draft.employer_share_cents,
        days_covered=draft.days_covered,
        days_in_month=draft.days_in_month,
        description=draft.description[:256],
        trace=list(draft.trace) if draft.adjustment else None,
    )


def _attach_pending_fees(ctx: ServiceContext, invoice: Invoice, account: BillingAccount) -> list[InvoiceLine]:
    """Show fees posted since the last invoice (such as a returned-payment fee) on this one."""
    fees = list(
        ctx.session.scalars(
            select(InvoiceLine).where(
                InvoiceLine.billing_account_id == account.id,
                InvoiceLine.invoice_id.is_(None),
                InvoiceLine.kind == LineKind.FEE.value,
            )
        )
    )
    for fee in fees:
        fee.invoice_id = invoice.id
    return fees


def _post_invoice(ctx: ServiceContext, invoice: Invoice, account: BillingAccount, lines: list[InvoiceLine]) -> None:
    """One journal entry: receivable per member-month, revenue for premium, APTC to the exchange."""
    specs: list[LineSpec] = []
    revenue = 0
    for line in lines:
        if line.amount_cents == 0:
            continue
        specs.append(
            LineSpec(
                account=LedgerAccount.PREMIUM_RECEIVABLE,
                amount_cents=line.amount_cents,
                billing_account_id=account.id,
                invoice_id=invoice.id,
                invoice_line_id=line.id,
                policy_id=line.policy_id,
                person_id=line.person_id,
                coverage_month=line.coverage_month,
            )
        )
        if line.kind == LineKind.APTC.value:
            # The exchange owes what the member no longer does.
            specs.append(
                LineSpec(
                    account=LedgerAccount.APTC_RECEIVABLE,
                    amount_cents=-line.amount_cents,
                    invoice_id=invoice.id,
                    invoice_line_id=line.id,
                    policy_id=line.policy_id,
                    person_id=line.person_id,
                    coverage_month=line.coverage_month,
                )
            )
        revenue += line.amount_cents if line.kind == LineKind.PREMIUM.value else 0
    if revenue:
        specs.append(LineSpec(account=LedgerAccount.PREMIUM_REVENUE, amount_cents=-revenue, invoice_id=invoice.id))
    if not specs:
        return
    ledger.post_entry(
        ctx,
        kind=EntryKind.INVOICE,
        entry_date=invoice.issue_date,
        lines=specs,
        reference=invoice.invoice_number,
        description=f"invoice for {invoice.period_start:%Y-%m} to {invoice.period_end:%Y-%m}",
        billing_account_id=account.id,
    )
