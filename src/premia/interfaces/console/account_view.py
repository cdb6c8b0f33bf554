"""The account 360° view: everything about one billing account on one page, read once and audited.

Billing figures come from the journal (balance, credit, aging, paid-through dates); invoices,
payments and their allocations, notices and the ledger are read as stored, each only when
its tab is shown. Sections a role may not see are left out rather than shown empty, and the
audit row lists the sections read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from premia.accounts import service as accounts
from premia.accounts.tables import Person
from premia.accounts.views import AccountView
from premia.audit import service as audit
from premia.audit.tables import AuditEntry
from premia.billing.queries import AGING_BUCKETS, aging, paid_through_dates
from premia.billing.tables import Invoice, InvoiceLine
from premia.delinquency.snapshot import open_grace_periods
from premia.documents.tables import Document
from premia.enrollment.model import PolicyStatus, Relationship
from premia.enrollment.tables import CoverageSpan, Policy
from premia.infra.context import ServiceContext
from premia.ledger import service as ledger
from premia.ledger.model import LedgerAccount
from premia.ledger.tables import JournalEntry, JournalLine
from premia.notices.service import notices_for
from premia.notices.tables import Notice
from premia.payments.refunds import RefundView
from premia.payments.tables import Payment, Refund
from premia.servicing.case_queries import CaseView, list_cases
from premia.servicing.contacts import ContactView, contacts_for
from premia.servicing.dispute_queries import DisputeView, dispute_view
from premia.servicing.model import CaseStatus
from premia.servicing.tables import Dispute, ServiceCase
from premia.staff.permissions import Permission, allows

LIVE_STATUSES = frozenset({PolicyStatus.PENDING.value, PolicyStatus.ACTIVE.value, PolicyStatus.GRACE.value})
_RECEIVABLE = LedgerAccount.PREMIUM_RECEIVABLE.value
_CREDIT = LedgerAccount.UNAPPLIED_CREDIT.value


@dataclass(frozen=True)
class MemberRow:
    person_id: int
    name: str
    member_id: str
    relationship: str
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class GraceGlance:
    """An open grace period as the header shows it."""

    kind: str
    start_date: date
    end_date: date
    first_unpaid_month: date
    past_due_cents: int
    claims_pend_from: date | None
    days_left: int


@dataclass(frozen=True)
class PolicyPanel:
    policy_id: int
    policy_number: str
    plan_id: str
    market: str
    on_exchange: bool
    status: str
    effective_date: date
    end_date: date | None
    status_reason: str | None
    paid_through: date | None
    grace: GraceGlance | None
    members: list[MemberRow]


@dataclass(frozen=True)
class LineRow:
    id: int
    member_name: str
    coverage_month: date | None
    kind: str
    adjustment: bool
    amount_cents: int
    days_covered: int
    days_in_month: int
    description: str


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    invoice_number: str
    period_start: date
    period_end: date
    issue_date: date
    due_date: date
    previous_balance_cents: int
    payments_since_cents: int
    current_charges_cents: int
    adjustments_cents: int
    credits_applied_cents: int
    amount_due_cents: int
    open_cents: int
    status: str
    lines: list[LineRow]


@dataclass(frozen=True)
class Allocation:
    invoice_number: str | None
    coverage_month: date | None
    member_name: str
    amount_cents: int


@dataclass(frozen=True)
class PaymentRow:
    id: int
    received_on: date
    channel: str
    method: str
    amount_cents: int
    status: str
    reference: str | None
    return_code: str | None
    reversal_reason: str | None
    allocations: list[Allocation]
    unapplied_cents: int


@dataclass(frozen=True)
class LedgerRow:
    entry_id: int
    entry_date: date
    kind: str
    reference: str | None
    description: str | None
    charged_cents: int
    credited_cents: int
    balance_cents: int


@dataclass(frozen=True)
class NoticeRow:
    id: int
    notice_type: str
    as_of: date
    send_on: date
    status: str
    document_id: int | None
    invoice_number: str | None


@dataclass
class AccountPage:
    """The data of the 360° view. Sections not read are empty; lists the role may not see are None."""

    account: AccountView
    account_id: int
    as_of: date
    balance_cents: int
    unapplied_cents: int
    aging: list[tuple[str, int]]
    policies: list[PolicyPanel]
    members: dict[int, str]
    counts: dict[str, int]
    invoices: list[InvoiceRow] = field(default_factory=list)
    payments: list[PaymentRow] = field(default_factory=list)
    ledger: list[LedgerRow] = field(default_factory=list)
    notices: list[NoticeRow] = field(default_factory=list)
    refunds: list[RefundView] = field(default_factory=list)
    disputes: list[DisputeView] = field(default_factory=list)
    contacts: list[ContactView] | None = None
    cases: list[CaseView] | None = None
    audit_trail: list[AuditEntry] | None = None

    @property
    def paid_through(self) -> date | None:
        """Return the earliest paid-through date among live policies, which is how far the whole account is paid."""
        dates = [panel.paid_through for panel in self.policies if panel.status in LIVE_STATUSES]
        if not dates:
            return None
        if any(day is None for day in dates):
            return None
        return min(day for day in dates if day is not None)

    @property
    def in_grace(self) -> GraceGlance | None:
        graces = [panel.grace for panel in self.policies if panel.grace is not None]
        return min(graces, key=lambda grace: grace.end_date) if graces else None

    @property
    def member_choices(self) -> list[tuple[str, str]]:
        """List everyone covered on the account as (member ID, "Name (member ID)") pairs, subscribers first."""
        seen: dict[str, str] = {}
        for panel in self.policies:
            for member in panel.members:
                seen.setdefault(member.member_id, f"{member.name} ({member.member_id})")
        return list(seen.items())

    @property
    def past_due_cents(self) -> int:
        return sum(cents for name, cents in self.aging if name != "current")


class Section(StrEnum):
    """A part of the 360° view that is read only when its tab is shown."""

    INVOICES = "invoices"
    PAYMENTS = "payments"
    LEDGER = "ledger"
    NOTICES = "notices"
    SERVICE = "service"
    AUDIT = "audit_trail"


def account_page(ctx: ServiceContext, account_number: str, *, as_of: date, sections: frozenset[Section] = frozenset()) -> AccountPage:
    """Read the account's header and the ``sections`` asked for, and audit what was read.

    The header (holder, standing, coverage, balance, aging) is always read. A section the
    actor's role may not see is skipped and left None or empty.
    """
    ctx.require(Permission.BILLING_READ)
    view = accounts.get_account(ctx, account_number)
    row = accounts.get_account_row(ctx, account_number)
    policies = list(ctx.session.scalars(select(Policy).where(Policy.billing_account_id == row.id).order_by(Policy.effective_date, Policy.id)))
    members = _member_names(ctx, row.id, policies)
    page = AccountPage(
        account=view,
        account_id=row.id,
        as_of=as_of,
        balance_cents=ledger.account_balance(ctx, row.id),
        unapplied_cents=-ledger.balance(ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=row.id),
        aging=[(name, cents) for name, cents in aging(ctx, row.id, as_of).items()],
        policies=_policy_panels(ctx, policies, members, as_of),
        members={person_id: name for person_id, (name, _) in members.items()},
        counts=_counts(ctx, row.id),
    )
    read = ["members", "coverage", "paid_through", "balance"]

    if Section.INVOICES in sections:
        page.invoices = _invoices(ctx, row.id, members, as_of)
        read.append("invoices")
    if Section.PAYMENTS in sections:
        page.payments = _payments(ctx, row.id, members)
        page.refunds = _refunds(ctx, row.id, view.account_number)
        read += ["payments", "refunds"]
    if Section.LEDGER in sections:
        page.ledger = _ledger(ctx, row.id)
        read.append("ledger")
    if Section.NOTICES in sections:
        page.notices = _notices(ctx, row.id)
        read.append("notices")
    if Section.SERVICE in sections:
        page.disputes = [dispute_view(ctx, dispute) for dispute in ctx.session.scalars(select(Dispute).where(Dispute.billing_account_id == row.id).order_by(Dispute.id.desc()))]
        read.append("disputes")
        if allows(ctx.actor.role, Permission.CASES_WORK):
            page.contacts = contacts_for(ctx, account_number=view.account_number, limit=50)
            page.cases = list_cases(ctx, account_number=view.account_number, limit=50)
            read += ["contacts", "cases"]
    if Section.AUDIT in sections and allows(ctx.actor.role, Permission.AUDIT_READ):
        page.audit_trail = _audit_trail(ctx, view.account_number, [member_id for _, member_id in members.values()])
        read.append("audit_trail")

    audit.record(ctx, action="read", record_type="billing_account", record_id=view.account_number, fields=read, detail={"view": "console_360"})
    return page


def _counts(ctx: ServiceContext, account_id: int) -> dict[str, int]:
    """Numbers of invoices, payments, notices and open cases, for the tab labels."""
    open_statuses = [CaseStatus.NEW.value, CaseStatus.OPEN.value, CaseStatus.WAITING_ON_MEMBER.value]
    return {
        Section.INVOICES.value: _count(ctx, select(func.count(Invoice.id)).where(Invoice.billing_account_id == account_id)),
        Section.PAYMENTS.value: _count(ctx, select(func.count(Payment.id)).where(Payment.billing_account_id == account_id)),
        Section.NOTICES.value: _count(ctx, select(func.count(Notice.id)).where(Notice.billing_account_id == account_id)),
        Section.SERVICE.value: _count(
            ctx, select(func.count(ServiceCase.id)).where(ServiceCase.billing_account_id == account_id, ServiceCase.status.in_(open_statuses))
        ),
    }


def _count(ctx: ServiceContext, query: Any) -> int:
    return int(ctx.session.scalar(query) or 0)


def aging_labels() -> list[str]:
    return [name for name, _ in AGING_BUCKETS]


def _member_names(ctx: ServiceContext, account_id: int, policies: list[Policy]) -> dict[int, tuple[str, str]]:
    """Return the name and member ID of everyone covered on the account's policies, by person id."""
    ids = {policy.subscriber_person_id for policy in policies}
    if policies:
        ids |= set(ctx.session.scalars(select(CoverageSpan.person_id).where(CoverageSpan.policy_id.in_([policy.id for policy in policies]))))
    if not ids:
        return {}
    rows = ctx.session.execute(select(Person.id, Person.first_name, Person.last_name, Person.member_id).where(Person.id.in_(ids))).all()
    return {person_id: (f"{first} {last}", member_id) for person_id, first, last, member_id in rows}


def _policy_panels(ctx: ServiceContext, policies: list[Policy], members: dict[int, tuple[str, str]], as_of: date) -> list[PolicyPanel]:
    if not policies:
        return []
    paid_through = paid_through_dates(ctx, policies)
    graces = open_grace_periods(ctx, [policy.id for policy in policies])
    spans = defaultdict(list)
    for span in ctx.session.scalars(
        select(CoverageSpan)
        .where(CoverageSpan.policy_id.in_([policy.id for policy in policies]), CoverageSpan.voided.is_(False))
        .order_by(CoverageSpan.start_date, CoverageSpan.id)
    ):
        spans[span.policy_id].append(span)
    panels = []
    for policy in policies:
        grace = graces.get(policy.id)
        glance = None
        if grace is not None:
            glance = GraceGlance(
                kind=grace.kind,
                start_date=grace.start_date,
                end_date=grace.end_date,
                first_unpaid_month=grace.first_unpaid_month,
                past_due_cents=grace.past_due_cents,
                claims_pend_from=grace.claims_pend_from,
                days_left=(grace.end_date - as_of).days,
            )
        rows = [
            MemberRow(
                person_id=span.person_id,
                name=members.get(span.person_id, ("", ""))[0],
                member_id=members.get(span.person_id, ("", ""))[1],
                relationship=span.relationship,
                start_date=span.start_date,
                end_date=span.end_date,
            )
            for span in spans[policy.id]
        ]
        rows.sort(key=lambda member: (member.relationship != Relationship.SUBSCRIBER.value, member.start_date, member.name))
        panels.append(
            PolicyPanel(
                policy_id=policy.id,
                policy_number=policy.policy_number,
                plan_id=policy.plan_id,
                market=policy.market,
                on_exchange=policy.on_exchange,
                status=policy.status,
                effective_date=policy.effective_date,
                end_date=policy.end_date,
                status_reason=policy.status_reason,
                paid_through=paid_through.get(policy.id),
                grace=glance,
                members=rows,
            )
        )
    return panels


def _invoices(ctx: ServiceContext, account_id: int, members: dict[int, tuple[str, str]], as_of: date) -> list[InvoiceRow]:
    invoices = list(ctx.session.scalars(select(Invoice).where(Invoice.billing_account_id == account_id).order_by(Invoice.period_start.desc())))
    if not invoices:
        return []
    ids = [invoice.id for invoice in invoices]
    lines: dict[int, list[LineRow]] = defaultdict(list)
    for line in ctx.session.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id.in_(ids)).order_by(InvoiceLine.coverage_month, InvoiceLine.id)):
        lines[line.invoice_id or 0].append(line_row(line, members))
    open_amounts = dict(
        ctx.session.execute(
            select(JournalLine.invoice_id, func.sum(JournalLine.amount_cents))
            .where(JournalLine.ledger_account == _RECEIVABLE, JournalLine.billing_account_id == account_id, JournalLine.invoice_id.in_(ids))
            .group_by(JournalLine.invoice_id)
        ).all()
    )
    rows = []
    for invoice in invoices:
        open_cents = int(open_amounts.get(invoice.id, 0) or 0)
        rows.append(
            InvoiceRow(
                id=invoice.id,
                invoice_number=invoice.invoice_number,
                period_start=invoice.period_start,
                period_end=invoice.period_end,
                issue_date=invoice.issue_date,
                due_date=invoice.due_date,
                previous_balance_cents=invoice.previous_balance_cents,
                payments_since_cents=invoice.payments_since_cents,
                current_charges_cents=invoice.current_charges_cents,
                adjustments_cents=invoice.adjustments_cents,
                credits_applied_cents=invoice.credits_applied_cents,
                amount_due_cents=invoice.amount_due_cents,
                open_cents=open_cents,
                status=invoice_status(open_cents, invoice.due_date, as_of),
                lines=lines[invoice.id],
            )
        )
    return rows


def invoice_status(open_cents: int, due_date: date, as_of: date) -> str:
    """Return ``paid`` when nothing is open, ``past_due`` after the due date, and ``open`` before it."""
    if open_cents <= 0:
        return "paid"
    return "past_due" if as_of > due_date else "open"


def line_row(line: InvoiceLine, members: dict[int, tuple[str, str]]) -> LineRow:
    return LineRow(
        id=line.id,
        member_name=members.get(line.person_id or 0, ("", ""))[0] or ("Account" if line.person_id is None else ""),
        coverage_month=line.coverage_month,
        kind=line.kind,
        adjustment=line.adjustment,
        amount_cents=line.amount_cents,
        days_covered=line.days_covered,
        days_in_month=line.days_in_month,
        description=line.description,
    )


def _payments(ctx: ServiceContext, account_id: int, members: dict[int, tuple[str, str]]) -> list[PaymentRow]:
    payments = list(ctx.session.scalars(select(Payment).where(Payment.billing_account_id == account_id).order_by(Payment.received_on.desc(), Payment.id.desc())))
    entry_ids = [payment.posting_entry_id for payment in payments if payment.posting_entry_id is not None]
    lines_by_entry: dict[int, list[JournalLine]] = defaultdict(list)
    if entry_ids:
        for line in ctx.session.scalars(select(JournalLine).where(JournalLine.entry_id.in_(entry_ids)).order_by(JournalLine.id)):
            lines_by_entry[line.entry_id].append(line)
    invoice_ids = {line.invoice_id for lines in lines_by_entry.values() for line in lines if line.invoice_id is not None}
    numbers = dict(ctx.session.execute(select(Invoice.id, Invoice.invoice_number).where(Invoice.id.in_(invoice_ids))).all()) if invoice_ids else {}
    rows = []
    for payment in payments:
        posted = lines_by_entry.get(payment.posting_entry_id or 0, [])
        allocations = [
            Allocation(
                invoice_number=numbers.get(line.invoice_id or 0),
                coverage_month=line.coverage_month,
                member_name=members.get(line.person_id or 0, ("", ""))[0] or ("Fee" if line.coverage_month is None else ""),
                amount_cents=-line.amount_cents,
            )
            for line in posted
            if line.ledger_account == _RECEIVABLE and line.amount_cents != 0
        ]
        unapplied = -sum(line.amount_cents for line in posted if line.ledger_account == _CREDIT)
        rows.append(
            PaymentRow(
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
        )
    return rows


def _ledger(ctx: ServiceContext, account_id: int) -> list[LedgerRow]:
    """List the journal entries that moved the account's receivable or credit, oldest first, with the running balance."""
    rows = ctx.session.execute(
        select(
            JournalEntry.id,
            JournalEntry.entry_date,
            JournalEntry.kind,
            JournalEntry.reference,
            JournalEntry.description,
            JournalLine.ledger_account,
            func.sum(JournalLine.amount_cents),
        )
        .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
        .where(JournalLine.billing_account_id == account_id, JournalLine.ledger_account.in_([_RECEIVABLE, _CREDIT]))
        .group_by(JournalEntry.id, JournalEntry.entry_date, JournalEntry.kind, JournalEntry.reference, JournalEntry.description, JournalLine.ledger_account)
        .order_by(JournalEntry.entry_date, JournalEntry.id)
    ).all()
    entries: dict[int, dict[str, Any]] = {}
    for entry_id, entry_date, kind, reference, description, account, total in rows:
        entry = entries.setdefault(
            entry_id,
            {"entry_date": entry_date, "kind": kind, "reference": reference, "description": description, "net": 0},
        )
        entry["net"] += int(total)
    result = []
    running = 0
    for entry_id, entry in entries.items():
        running += entry["net"]
        net = entry["net"]
        result.append(
            LedgerRow(
                entry_id=entry_id,
                entry_date=entry["entry_date"],
                kind=entry["kind"],
                reference=entry["reference"],
                description=entry["description"],
                charged_cents=max(net, 0),
                credited_cents=max(-net, 0),
                balance_cents=running,
            )
        )
    return result


def _notices(ctx: ServiceContext, account_id: int) -> list[NoticeRow]:
    notices = notices_for(ctx, billing_account_id=account_id)
    if not notices:
        return []
    documents = dict(ctx.session.execute(select(Document.notice_id, Document.id).where(Document.notice_id.in_([notice.id for notice in notices]))).all())
    invoice_ids = {notice.invoice_id for notice in notices if notice.invoice_id}
    numbers = dict(ctx.session.execute(select(Invoice.id, Invoice.invoice_number).where(Invoice.id.in_(invoice_ids))).all()) if invoice_ids else {}
    rows = [
        NoticeRow(
            id=notice.id,
            notice_type=notice.notice_type,
            as_of=notice.as_of,
            send_on=notice.send_on,
            status=notice.status,
            document_id=documents.get(notice.id),
            invoice_number=numbers.get(notice.invoice_id or 0),
        )
        for notice in notices
    ]
    rows.reverse()
    return rows


def _refunds(ctx: ServiceContext, account_id: int, account_number: str) -> list[RefundView]:
    refunds = ctx.session.scalars(select(Refund).where(Refund.billing_account_id == account_id).order_by(Refund.id.desc()))
    return [RefundView.of(refund, account_number) for refund in refunds]


def _audit_trail(ctx: ServiceContext, account_number: str, member_ids: list[str]) -> list[AuditEntry]:
    entries = list(audit.list_entries(ctx, record_type="billing_account", record_id=account_number, limit=100))
    for member_id in member_ids:
        entries.extend(audit.list_entries(ctx, record_type="person", record_id=member_id, limit=50))
    entries.sort(key=lambda entry: (entry.occurred_at, entry.id), reverse=True)
    return entries[:150]
