"""The bill run: issue every invoice that is due on an as-of date, safely and repeatably.

Each billing account is billed in its own transaction (a savepoint inside the run), so one
account's bad data is reported without stopping the others, and a crash leaves every
finished account billed and no half-written invoice. The unique constraints on invoices
and invoice lines make a second or concurrent run for the same date a no-op.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from premia.accounts.model import AccountKind, PaymentMode
from premia.accounts.tables import BillingAccount
from premia.audit import service as audit
from premia.billing.charges import expected_charges, load_coverage
from premia.billing.generator import draft_lines
from premia.billing.issue import issue_invoice
from premia.billing.model import BillingPeriod, BillingSettings, ChargeKey, DraftLine, LineKind
from premia.billing.periods import periods_due
from premia.billing.tables import BillRun, Invoice, InvoiceLine
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.dates import Month
from premia.kernel.errors import DomainError, NotFoundError
from premia.kernel.money import format_cents
from premia.rating.catalog import Catalog
from premia.staff.permissions import Permission

log = logging.getLogger("premia.billing")


@dataclass
class AccountOutcome:
    account_number: str
    status: str
    invoice_number: str | None = None
    period: str | None = None
    amount_due_cents: int = 0
    lines: int = 0
    billed_cents: int = 0
    error: dict[str, Any] | None = None
    preview: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class BillRunReport:
    as_of: date
    dry_run: bool
    run_id: int | None = None
    outcomes: list[AccountOutcome] = field(default_factory=list)

    @property
    def issued(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status in {"issued", "would_issue"})

    @property
    def already_billed(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == "already_billed")

    @property
    def failed(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == "failed")

    @property
    def billed_cents(self) -> int:
        return sum(outcome.billed_cents for outcome in self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "dry_run": self.dry_run,
            "run_id": self.run_id,
            "invoices": self.issued,
            "already_billed": self.already_billed,
            "failed": self.failed,
            "billed": format_cents(self.billed_cents, thousands=False),
            "accounts": [vars(outcome) for outcome in self.outcomes],
        }


def run_billing(
    ctx: ServiceContext,
    *,
    catalog: Catalog,
    as_of: date,
    dry_run: bool = False,
    account_number: str | None = None,
    settings: BillingSettings | None = None,
) -> BillRunReport:
    """Issue the invoices due on ``as_of`` for every account, or only ``account_number``."""
    ctx.require(Permission.BILLING_RUN)
    settings = settings or BillingSettings()
    report = BillRunReport(as_of=as_of, dry_run=dry_run)
    run: BillRun | None = None
    if not dry_run:
        run = BillRun(as_of=as_of, started_at=ctx.now(), status="running", started_by=ctx.actor.username)
        ctx.session.add(run)
        ctx.session.flush()
        report.run_id = run.id
    log.info("bill run started", extra={"as_of": as_of.isoformat(), "dry_run": dry_run})

    for account in _accounts_to_bill(ctx, account_number):
        report.outcomes.extend(_bill_account(ctx, catalog, account, as_of, settings, run, dry_run))

    if run is not None:
        run.finished_at = ctx.now()
        run.status = "finished" if report.failed == 0 else "finished_with_errors"
        run.invoices_issued = report.issued
        run.already_billed = report.already_billed
        run.total_billed_cents = report.billed_cents
        audit.record(ctx, action="bill_run", record_type="bill_run", record_id=run.id, detail={"as_of": as_of.isoformat(), "invoices": report.issued})
    log.info("bill run finished", extra={"as_of": as_of.isoformat(), "invoices": report.issued, "failed": report.failed})
    return report


def _accounts_to_bill(ctx: ServiceContext, account_number: str | None) -> list[BillingAccount]:
    query = (
        select(BillingAccount)
        .where(BillingAccount.id.in_(select(Policy.billing_account_id)))
        .order_by(BillingAccount.id)
    )
    if account_number:
        query = query.where(BillingAccount.account_number == account_number.strip().upper())
        accounts = list(ctx.session.scalars(query))
        if not accounts:
            raise NotFoundError(
                code="billing.account_not_billable",
                message=f"Billing account {account_number} does not exist or has no policies.",
                field="account",
                value=account_number,
                hint="Check the account number with `premia accounts list`.",
            )
        return accounts
    return list(ctx.session.scalars(query))


def _bill_account(
    ctx: ServiceContext,
    catalog: Catalog,
    account: BillingAccount,
    as_of: date,
    settings: BillingSettings,
    run: BillRun | None,
    dry_run: bool,
) -> list[AccountOutcome]:
    policies = list(ctx.session.scalars(select(Policy).where(Policy.billing_account_id == account.id).order_by(Policy.id)))
    if not policies:
        return []
    anchor = Month.of(min(policy.effective_date for policy in policies))
    last_period_start = ctx.session.scalar(select(func.max(Invoice.period_start)).where(Invoice.billing_account_id == account.id))
    months_per_period = _months_per_period(account)
    next_month = anchor if last_period_start is None else Month.of(last_period_start).plus(months_per_period)
    periods = periods_due(
        anchor=anchor,
        next_month=next_month,
        months_per_period=months_per_period,
        as_of=as_of,
        settings=settings,
        due_day=account.due_day,
    )
    outcomes: list[AccountOutcome] = []
    for period in periods:
        outcome = _bill_period(ctx, catalog, account, policies, anchor, period, run, dry_run)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


def _bill_period(
    ctx: ServiceContext,
    catalog: Catalog,
    account: BillingAccount,
    policies: list[Policy],
    anchor: Month,
    period: BillingPeriod,
    run: BillRun | None,
    dry_run: bool,
) -> AccountOutcome | None:
    outcome = AccountOutcome(account_number=account.account_number, status="issued", period=f"{period.first_month}..{period.last_month}")
    savepoint = ctx.session.begin_nested()
    try:
        if ctx.session.scalar(select(Invoice.id).where(Invoice.billing_account_id == account.id, Invoice.period_start == period.start)):
            savepoint.rollback()
            outcome.status = "already_billed"
            return outcome
        drafts = _drafts_for(ctx, catalog, account, policies, anchor, period)
        if not drafts and not _has_pending_fees(ctx, account):
            savepoint.rollback()
            return None
        outcome.lines = len(drafts)
        outcome.billed_cents = sum(draft.amount_cents for draft in drafts)
        if dry_run:
            outcome.status = "would_issue"
            outcome.preview = [_preview(draft) for draft in drafts]
            savepoint.rollback()
            return outcome
        issued = issue_invoice(ctx, account, period, drafts, bill_run_id=run.id if run else None)
        savepoint.commit()
    except IntegrityError:
        # Another run issued this period first; its invoice stands and this one adds nothing.
        savepoint.rollback()
        outcome.status = "already_billed"
        return outcome
    except DomainError as exc:
        savepoint.rollback()
        log.warning("account not billed", extra={"account": account.account_number, "code": exc.code})
        outcome.status = "failed"
        outcome.error = exc.as_dict()
        return outcome
    outcome.invoice_number = issued.invoice.invoice_number
    outcome.amount_due_cents = issued.invoice.amount_due_cents
    audit.record(ctx, action="create", record_type="invoice", record_id=issued.invoice.invoice_number, detail={"account": account.account_number})
    return outcome


def _drafts_for(
    ctx: ServiceContext,
    catalog: Catalog,
    account: BillingAccount,
    policies: list[Policy],
    anchor: Month,
    period: BillingPeriod,
) -> list[DraftLine]:
    billed = _billed_amounts(ctx, account)
    months = {month for month in _months_between(anchor, period.last_month)}
    months.update(key.month for key in billed)
    live = [policy for policy in policies if policy.status != PolicyStatus.CANCELLED.value or _any_billed(billed, policy.id)]
    expected = expected_charges(catalog, load_coverage(ctx.session, live), months)
    return draft_lines(period, expected, billed)


def _billed_amounts(ctx: ServiceContext, account: BillingAccount) -> dict[ChargeKey, int]:
    rows = ctx.session.execute(
        select(InvoiceLine.coverage_month, InvoiceLine.policy_id, InvoiceLine.person_id, InvoiceLine.kind, func.sum(InvoiceLine.amount_cents))
        .where(
            InvoiceLine.billing_account_id == account.id,
            InvoiceLine.kind != LineKind.FEE.value,
            InvoiceLine.invoice_id.is_not(None),
        )
        .group_by(InvoiceLine.coverage_month, InvoiceLine.policy_id, InvoiceLine.person_id, InvoiceLine.kind)
    ).all()
    return {ChargeKey(Month.of(month), policy_id, person_id, LineKind(kind)): int(total) for month, policy_id, person_id, kind, total in rows}


def _any_billed(billed: dict[ChargeKey, int], policy_id: int) -> bool:
    return any(key.policy_id == policy_id for key in billed)


def _has_pending_fees(ctx: ServiceContext, account: BillingAccount) -> bool:
    return bool(
        ctx.session.scalar(
            select(InvoiceLine.id).where(InvoiceLine.billing_account_id == account.id, InvoiceLine.invoice_id.is_(None)).limit(1)
        )
    )


def _months_per_period(account: BillingAccount) -> int:
    if account.kind == AccountKind.GROUP.value:
        return 1
    return PaymentMode(account.payment_mode).months


def _months_between(first: Month, last: Month) -> list[Month]:
    return [first.plus(offset) for offset in range(last.index - first.index + 1)]


def _preview(draft: DraftLine) -> dict[str, Any]:
    return {
        "month": str(draft.key.month),
        "policy_id": draft.key.policy_id,
        "person_id": draft.key.person_id,
        "kind": draft.key.kind.value,
        "adjustment": draft.adjustment,
        "amount": format_cents(draft.amount_cents, thousands=False),
        "description": draft.description,
    }
