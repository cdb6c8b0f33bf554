"""Reads for the billing operations pages: bill runs, enrollment imports, the delinquency
worklist, auto-draft files, and match suggestions for suspense items.

Each read checks the permission of the work it supports. Reads that show member names
(the worklist, suggestions) are audited per account shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, or_, select

from premia.accounts.tables import BillingAccount, EmployerGroup, Person
from premia.audit import service as audit
from premia.billing.tables import BillRun, Invoice
from premia.delinquency.tables import GracePeriod
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.importers.enrollment.tables import ImportFile
from premia.infra.context import ServiceContext
from premia.kernel.errors import NotFoundError
from premia.ledger.model import LedgerAccount
from premia.ledger.tables import JournalLine
from premia.payments.matching import load_reference_index, reference_candidates
from premia.payments.model import AchEntryStatus
from premia.payments.suspense import SuspenseView
from premia.payments.tables import AchEntry, AchFile
from premia.staff.permissions import Permission

MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class WorklistRow:
    """A policy that needs collection work: in grace, or waiting for its binder payment."""

    account_number: str
    holder_name: str
    policy_number: str
    status: str
    on_exchange: bool
    grace_kind: str | None
    first_unpaid_month: date | None
    grace_start: date | None
    grace_end: date | None
    days_left: int | None
    past_due_cents: int
    last_stage: str | None
    claims_pend_from: date | None
    effective_date: date


@dataclass(frozen=True)
class AchFileRow:
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


@dataclass(frozen=True)
class Suggestion:
    """An account a suspense item may belong to, and why a person might think so."""

    account_number: str
    holder_name: str
    reason: str


def recent_bill_runs(ctx: ServiceContext, *, limit: int = 15) -> list[BillRun]:
    ctx.require(Permission.BILLING_RUN)
    return list(ctx.session.scalars(select(BillRun).order_by(BillRun.id.desc()).limit(limit)))


def import_history(ctx: ServiceContext, *, limit: int = 100) -> list[ImportFile]:
    """Enrollment files received, newest first."""
    ctx.require(Permission.ENROLLMENT_IMPORT)
    return list(ctx.session.scalars(select(ImportFile).order_by(ImportFile.id.desc()).limit(limit)))


def import_file(ctx: ServiceContext, import_id: int) -> ImportFile:
    ctx.require(Permission.ENROLLMENT_IMPORT)
    row = ctx.session.get(ImportFile, import_id)
    if row is None:
        raise NotFoundError(
            code="import.not_found",
            message=f"No enrollment import has id {import_id}.",
            field="import_id",
            value=import_id,
            hint="Pick the file from the import history.",
        )
    audit.record(ctx, action="read", record_type="import_file", record_id=row.id, fields=["report", "acknowledgment"])
    return row


def delinquency_worklist(ctx: ServiceContext, *, as_of: date) -> list[WorklistRow]:
    """Policies in an open grace period (soonest end first), then pending policies waiting for a binder."""
    ctx.require(Permission.BILLING_READ)
    grace_rows = ctx.session.execute(
        select(GracePeriod, Policy, BillingAccount)
        .join(Policy, Policy.id == GracePeriod.policy_id)
        .join(BillingAccount, BillingAccount.id == GracePeriod.billing_account_id)
        .where(GracePeriod.outcome == "open")
        .order_by(GracePeriod.end_date, Policy.policy_number)
    ).all()
    pending_rows = ctx.session.execute(
        select(Policy, BillingAccount)
        .join(BillingAccount, BillingAccount.id == Policy.billing_account_id)
        .where(Policy.status == PolicyStatus.PENDING.value, Policy.effective_date <= as_of + timedelta(days=31))
        .order_by(Policy.effective_date, Policy.policy_number)
    ).all()
    names = _holder_names(ctx, {account.id for *_, account in grace_rows} | {account.id for _, account in pending_rows})
    rows = [
        WorklistRow(
            account_number=account.account_number,
            holder_name=names.get(account.id, ""),
            policy_number=policy.policy_number,
            status=policy.status,
            on_exchange=policy.on_exchange,
            grace_kind=grace.kind,
            first_unpaid_month=grace.first_unpaid_month,
            grace_start=grace.start_date,
            grace_end=grace.end_date,
            days_left=(grace.end_date - as_of).days,
            past_due_cents=grace.past_due_cents,
            last_stage=grace.last_stage,
            claims_pend_from=grace.claims_pend_from,
            effective_date=policy.effective_date,
        )
        for grace, policy, account in grace_rows
    ]
    rows.extend(
        WorklistRow(
            account_number=account.account_number,
            holder_name=names.get(account.id, ""),
            policy_number=policy.policy_number,
            status=policy.status,
            on_exchange=policy.on_exchange,
            grace_kind=None,
            first_unpaid_month=None,
            grace_start=None,
            grace_end=None,
            days_left=None,
            past_due_cents=0,
            last_stage=None,
            claims_pend_from=None,
            effective_date=policy.effective_date,
        )
        for policy, account in pending_rows
    )
    for account_number in dict.fromkeys(row.account_number for row in rows):
        audit.record(ctx, action="read", record_type="billing_account", record_id=account_number, fields=["holder_name", "delinquency"])
    return rows


def ach_files(ctx: ServiceContext, *, limit: int = 60) -> list[AchFileRow]:
    """ACH files Premia built, newest first, with how many of their entries came back returned."""
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
        AchFileRow(
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


def suggest_accounts(ctx: ServiceContext, item: SuspenseView) -> list[Suggestion]:
    """Accounts a person might match a suspense item to: partial reference hits, the payer's name, an equal amount due.

    These are hints for a person. Automatic matching never uses names or amounts, which is why
    the item is in suspense.
    """
    ctx.require(Permission.SUSPENSE_MANAGE)
    found: dict[int, str] = {}
    index = load_reference_index(ctx, reference_candidates([item.reference, item.payer_name]))
    for ref in index.invoices.values():
        found.setdefault(ref.billing_account_id, f"its invoice {ref.invoice_number} appears in the reference")
    for ref in index.accounts.values():
        found.setdefault(ref.billing_account_id, f"its number {ref.account_number} appears in the reference")
    for account_id, reason in _by_payer_name(ctx, item.payer_name):
        found.setdefault(account_id, reason)
    if item.amount_cents > 0 and len(found) < MAX_SUGGESTIONS:
        for account_id, reason in _by_open_amount(ctx, item.amount_cents, item.received_on):
            found.setdefault(account_id, reason)
    ids = list(found)[:MAX_SUGGESTIONS]
    numbers = dict(ctx.session.execute(select(BillingAccount.id, BillingAccount.account_number).where(BillingAccount.id.in_(ids))).all()) if ids else {}
    names = _holder_names(ctx, set(ids))
    suggestions = [Suggestion(account_number=numbers[account_id], holder_name=names.get(account_id, ""), reason=found[account_id]) for account_id in ids if account_id in numbers]
    for suggestion in suggestions:
        audit.record(ctx, action="search", record_type="billing_account", record_id=suggestion.account_number, fields=["holder_name"], detail={"suspense_item": item.id})
    return suggestions


def _by_payer_name(ctx: ServiceContext, payer_name: str | None) -> list[tuple[int, str]]:
    words = [word for word in (payer_name or "").replace(",", " ").split() if len(word) > 1]
    if not words:
        return []
    last = words[-1]
    first = words[0] if len(words) > 1 else None
    query = select(BillingAccount.id).join(Person, Person.id == BillingAccount.person_id).where(Person.last_name.ilike(last))
    if first:
        query = query.where(Person.first_name.ilike(first))
    hits = [(account_id, f"the payer name {payer_name!r} matches the holder's name") for account_id in ctx.session.scalars(query.limit(MAX_SUGGESTIONS))]
    groups = select(BillingAccount.id).join(EmployerGroup, EmployerGroup.id == BillingAccount.employer_group_id).where(
        or_(*[EmployerGroup.name.ilike(f"%{word}%") for word in words if len(word) > 3] or [EmployerGroup.name.ilike(payer_name or "")])
    )
    hits.extend((account_id, f"the payer name {payer_name!r} matches the employer's name") for account_id in ctx.session.scalars(groups.limit(MAX_SUGGESTIONS)))
    return hits


def _by_open_amount(ctx: ServiceContext, amount_cents: int, received_on: date) -> list[tuple[int, str]]:
    """Invoices due within 45 days of the receipt whose amount due equals it and that are still open."""
    window = (received_on - timedelta(days=45), received_on + timedelta(days=45))
    rows = ctx.session.execute(
        select(Invoice.billing_account_id, Invoice.invoice_number, Invoice.id)
        .where(Invoice.amount_due_cents == amount_cents, Invoice.due_date.between(*window))
        .order_by(Invoice.due_date.desc())
        .limit(MAX_SUGGESTIONS * 2)
    ).all()
    hits = []
    for account_id, number, invoice_id in rows:
        open_cents = ctx.session.scalar(
            select(func.coalesce(func.sum(JournalLine.amount_cents), 0)).where(
                JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value, JournalLine.invoice_id == invoice_id
            )
        )
        if int(open_cents or 0) > 0:
            hits.append((account_id, f"its open invoice {number} asks for exactly this amount"))
    return hits


def _holder_names(ctx: ServiceContext, account_ids: set[int]) -> dict[int, str]:
    if not account_ids:
        return {}
    people = ctx.session.execute(
        select(BillingAccount.id, Person.first_name, Person.last_name)
        .join(Person, Person.id == BillingAccount.person_id)
        .where(BillingAccount.id.in_(account_ids))
    ).all()
    groups = ctx.session.execute(
        select(BillingAccount.id, EmployerGroup.name)
        .join(EmployerGroup, EmployerGroup.id == BillingAccount.employer_group_id)
        .where(BillingAccount.id.in_(account_ids))
    ).all()
    names: dict[int, str] = {account_id: f"{first} {last}" for account_id, first, last in people}
    names.update({account_id: name for account_id, name in groups})
    return names


def report_sections(report: dict[str, Any] | None) -> dict[str, Any]:
    """Return the parts of a stored enrollment import report that the page shows, with empty lists for missing parts.

    Counts of zero are left out, because a report counts every kind of change and most are zero.
    """
    report = report or {}
    return {
        "counts": {name: value for name, value in (report.get("counts") or {}).items() if value},
        "rejections": report.get("rejections") or [],
        "warnings": report.get("warnings") or [],
        "discrepancies": report.get("discrepancies") or [],
        "rating_differences": report.get("rating_differences") or [],
        "acknowledgment_code": report.get("acknowledgment_code"),
    }


def segment_lines(x12_text: str | None) -> list[str]:
    """Split an X12 document into one segment per line, whether or not it was written with line breaks."""
    if not x12_text:
        return []
    return [segment.strip() + "~" for segment in x12_text.split("~") if segment.strip()]
