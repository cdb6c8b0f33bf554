"""The bill run: issue every invoice that is due on an as-of date, safely and repeatably.

Accounts are billed in chunks of ``chunk_size``. A chunk is read in a fixed number of
queries, planned in memory and written with bulk inserts inside one savepoint. An error
while writing therefore leaves none of the chunk's invoices half-written, and the next run
finishes the work. One account's bad data (a plan missing from the catalog, say) is reported for that
account and the others are billed.

Repeating a run, or two runs at once, never bills a member-month twice. The database
enforces it: one invoice per billing account and period start, and one regular line per
member, coverage month, policy and kind. A run whose chunk hits either constraint rolls the
chunk back and bills its accounts again one by one, each in its own savepoint, from what is
committed by then; an account whose invoice the other run issued is reported as already
billed, which is a success.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy.exc import IntegrityError

from premia.audit import service as audit
from premia.billing.issue import IssuedInvoice, issue_invoices
from premia.billing.model import BillingSettings, DraftLine, PlannedInvoice
from premia.billing.planning import AccountPlan, plan_account
from premia.billing.rating_cache import RatingCache
from premia.billing.snapshot import AccountSnapshot, billable_account_ids, load_snapshots
from premia.billing.tables import BillRun
from premia.infra.context import ServiceContext
from premia.kernel.dates import Month
from premia.kernel.errors import DomainError, NotFoundError
from premia.kernel.money import format_cents
from premia.rating.catalog import Catalog
from premia.staff.permissions import Permission

log = logging.getLogger("premia.billing")

DEFAULT_CHUNK_SIZE = 2000


class OutcomeStatus(StrEnum):
    ISSUED = "issued"
    WOULD_ISSUE = "would_issue"
    ALREADY_BILLED = "already_billed"
    FAILED = "failed"


class BillRunStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    # Fits the 16-character status column.
    FINISHED_WITH_ERRORS = "with_errors"


@dataclass(slots=True)
class AccountOutcome:
    """The result of a run for one account and period: an invoice, nothing new, or an error.

    A run keeps one outcome per invoice it issues, so the class uses slots and shares the
    period text between outcomes, keeping a run over a million accounts small in memory.
    """

    account_number: str
    status: OutcomeStatus
    invoice_number: str | None = None
    period: str | None = None
    amount_due_cents: int = 0
    lines: int = 0
    billed_cents: int = 0
    error: dict[str, Any] | None = None
    preview: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]


@dataclass
class BillRunReport:
    as_of: date
    dry_run: bool
    run_id: int | None = None
    outcomes: list[AccountOutcome] = field(default_factory=list)

    @property
    def issued(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status in {OutcomeStatus.ISSUED, OutcomeStatus.WOULD_ISSUE})

    @property
    def already_billed(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status is OutcomeStatus.ALREADY_BILLED)

    @property
    def failed(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status is OutcomeStatus.FAILED)

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
            "accounts": [outcome.to_dict() for outcome in self.outcomes],
        }


@dataclass(frozen=True)
class _RunOptions:
    catalog: Catalog
    cache: RatingCache
    as_of: date
    settings: BillingSettings
    run_id: int | None
    dry_run: bool


def run_billing(
    ctx: ServiceContext,
    *,
    catalog: Catalog,
    as_of: date,
    dry_run: bool = False,
    account_number: str | None = None,
    settings: BillingSettings | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> BillRunReport:
    """Issue the invoices due on ``as_of`` for every account, or only ``account_number``.

    A dry run plans the same invoices and writes nothing. Errors other than bad account
    data propagate after the current chunk's savepoint is rolled back.
    """
    ctx.require(Permission.BILLING_RUN)
    report = BillRunReport(as_of=as_of, dry_run=dry_run)
    run: BillRun | None = None
    if not dry_run:
        run = BillRun(as_of=as_of, started_at=ctx.now(), status=BillRunStatus.RUNNING.value, started_by=ctx.actor.username)
        ctx.session.add(run)
        ctx.session.flush()
        report.run_id = run.id
    options = _RunOptions(catalog, RatingCache(catalog), as_of, settings or BillingSettings(), report.run_id, dry_run)
    log.info("bill run started", extra={"as_of": as_of.isoformat(), "dry_run": dry_run, "run_id": report.run_id})

    account_ids = _accounts_to_bill(ctx, account_number)
    with _fewer_cycle_collections():
        for start in range(0, len(account_ids), chunk_size):
            report.outcomes.extend(_bill_chunk(ctx, options, account_ids[start : start + chunk_size]))

    if run is not None:
        run.finished_at = ctx.now()
        run.status = (BillRunStatus.FINISHED if report.failed == 0 else BillRunStatus.FINISHED_WITH_ERRORS).value
        run.invoices_issued = report.issued
        run.already_billed = report.already_billed
        run.total_billed_cents = report.billed_cents
        audit.record(
            ctx,
            action="bill_run",
            record_type="bill_run",
            record_id=run.id,
            detail={"as_of": as_of.isoformat(), "invoices": report.issued, "already_billed": report.already_billed, "failed": report.failed},
        )
    log.info(
        "bill run finished",
        extra={"as_of": as_of.isoformat(), "run_id": report.run_id, "invoices": report.issued, "failed": report.failed},
    )
    return report


@contextmanager
def _fewer_cycle_collections() -> Iterator[None]:
    """Run the garbage collector's cycle search less often while a run is in progress.

    A chunk keeps tens of thousands of small objects alive until it is written, and the
    collector would scan them again and again although the run creates no reference cycles.
    On the bill-run benchmark (bench/billing) that scanning cost about a sixth of the run's
    CPU time. The thresholds are process-wide, so the previous ones are restored afterwards.
    """
    previous = gc.get_threshold()
    gc.set_threshold(max(previous[0], 100_000), max(previous[1], 50), max(previous[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _accounts_to_bill(ctx: ServiceContext, account_number: str | None) -> list[int]:
    if account_number is None:
        return billable_account_ids(ctx.session)
    account_ids = billable_account_ids(ctx.session, account_number.strip().upper())
    if not account_ids:
        raise NotFoundError(
            code="billing.account_not_billable",
            message=f"Billing account {account_number} does not exist or has no policies.",
            field="account",
            value=account_number,
            hint="Check the account number with `premia accounts list`.",
        )
    return account_ids


def _bill_chunk(ctx: ServiceContext, options: _RunOptions, account_ids: Sequence[int]) -> list[AccountOutcome]:
    snapshots = load_snapshots(ctx.session, account_ids, settings=options.settings)
    outcomes: list[AccountOutcome] = []
    to_issue: list[tuple[AccountSnapshot, AccountPlan]] = []
    for snapshot in snapshots:
        if snapshot.is_torn():
            outcomes.extend(_bill_alone(ctx, options, snapshot.terms.id))
            continue
        plan, outcome = _plan(options, snapshot)
        if outcome is not None:
            outcomes.append(outcome)
        elif plan.invoices:
            to_issue.append((snapshot, plan))

    if options.dry_run:
        return outcomes + [_would_issue(invoice) for _, plan in to_issue for invoice in plan.invoices]
    try:
        issued = _issue(ctx, options, to_issue)
    except IntegrityError:
        log.info("chunk conflicts with another bill run; billing its accounts one by one", extra={"accounts": len(to_issue)})
        for snapshot, _ in to_issue:
            outcomes.extend(_bill_alone(ctx, options, snapshot.terms.id))
        return outcomes
    return outcomes + [_issued(invoice) for invoice in issued]


def _bill_alone(ctx: ServiceContext, options: _RunOptions, account_id: int) -> list[AccountOutcome]:
    """Bill one account from a fresh read, in its own savepoint."""
    snapshots = load_snapshots(ctx.session, [account_id], settings=options.settings)
    if not snapshots:
        return []
    snapshot = snapshots[0]
    if snapshot.is_torn():
        # Another run is issuing this account's invoice right now.
        return [AccountOutcome(account_number=snapshot.terms.account_number, status=OutcomeStatus.ALREADY_BILLED)]
    plan, outcome = _plan(options, snapshot)
    if outcome is not None:
        return [outcome]
    if options.dry_run:
        return [_would_issue(invoice) for invoice in plan.invoices]
    try:
        issued = _issue(ctx, options, [(snapshot, plan)])
    except IntegrityError:
        # Another run issued this account's invoice between the read and the write.
        return [AccountOutcome(account_number=snapshot.terms.account_number, status=OutcomeStatus.ALREADY_BILLED)]
    return [_issued(invoice) for invoice in issued]


def _plan(options: _RunOptions, snapshot: AccountSnapshot) -> tuple[AccountPlan, AccountOutcome | None]:
    """Plan the account's invoices; return the plan and an outcome to report when it issues nothing new."""
    number = snapshot.terms.account_number
    try:
        plan = plan_account(snapshot, catalog=options.catalog, as_of=options.as_of, settings=options.settings, cache=options.cache)
    except DomainError as exc:
        log.warning("account not billed", extra={"account": number, "code": exc.code, "error": exc.message})
        return AccountPlan(()), AccountOutcome(account_number=number, status=OutcomeStatus.FAILED, error=exc.as_dict())
    if plan.already_billed:
        last = snapshot.last_invoice
        period = f"{Month.of(last.period_start)}..{Month.of(last.period_end)}" if last is not None else None
        return plan, AccountOutcome(account_number=number, status=OutcomeStatus.ALREADY_BILLED, period=period)
    return plan, None


def _issue(ctx: ServiceContext, options: _RunOptions, to_issue: Sequence[tuple[AccountSnapshot, AccountPlan]]) -> list[IssuedInvoice]:
    planned = [invoice for _, plan in to_issue for invoice in plan.invoices]
    credits = {snapshot.terms.id: snapshot.unapplied_credit_cents for snapshot, _ in to_issue}
    with ctx.session.begin_nested():
        return issue_invoices(ctx, options.catalog, planned, bill_run_id=options.run_id, unapplied_credit=credits)


def _issued(invoice: IssuedInvoice) -> AccountOutcome:
    planned = invoice.planned
    return AccountOutcome(
        account_number=planned.account.account_number,
        status=OutcomeStatus.ISSUED,
        invoice_number=invoice.invoice_number,
        period=_period_text(planned),
        amount_due_cents=planned.amount_due_cents,
        lines=len(planned.drafts),
        billed_cents=planned.billed_cents,
    )


def _would_issue(planned: PlannedInvoice) -> AccountOutcome:
    return AccountOutcome(
        account_number=planned.account.account_number,
        status=OutcomeStatus.WOULD_ISSUE,
        period=_period_text(planned),
        amount_due_cents=planned.amount_due_cents,
        lines=len(planned.drafts),
        billed_cents=planned.billed_cents,
        preview=[_preview(draft) for draft in planned.drafts],
    )


def _period_text(planned: PlannedInvoice) -> str:
    return _period_label(planned.period.first_month, planned.period.last_month)


@lru_cache(maxsize=1024)
def _period_label(first: Month, last: Month) -> str:
    return f"{first}..{last}"


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
