"""The account 360° view: everything about one billing account on one page, read once and audited.

Billing figures come from the journal (balance, credit, aging, paid-through dates); invoices,
payments and their allocations, notices and the ledger are read as stored, each only when
its tab is shown. Each part is read by the area that owns it, and this module puts them
together and writes the view's one audit row. Sections a role may not see are left out
rather than shown empty, and the audit row lists the sections read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from premia.accounts import service as accounts
from premia.accounts.queries import MemberName, member_names
from premia.accounts.views import AccountView
from premia.audit import service as audit
from premia.audit.tables import AuditEntry
from premia.billing.queries import AGING_BUCKETS, AccountInvoice, account_invoices, aging, invoice_count, paid_through_dates
from premia.delinquency.snapshot import open_grace_periods
from premia.documents.queries import AccountNotice, account_notices
from premia.enrollment.model import PolicyStatus, Relationship
from premia.enrollment.queries import account_policies, coverage_by_policy, covered_person_ids
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.ledger import service as ledger
from premia.ledger.model import LedgerAccount
from premia.ledger.queries import StatementEntry, account_statement
from premia.notices.service import notice_count
from premia.payments.queries import AccountPayment, account_payments, payment_count
from premia.payments.refunds import RefundView, account_refunds
from premia.servicing.case_queries import CaseView, list_cases, open_case_count
from premia.servicing.contacts import ContactView, contacts_for
from premia.servicing.dispute_queries import DisputeView, account_disputes
from premia.staff.permissions import Permission, allows

LIVE_STATUSES = frozenset({PolicyStatus.PENDING.value, PolicyStatus.ACTIVE.value, PolicyStatus.GRACE.value})
_UNKNOWN_MEMBER = MemberName("", "")


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
    invoices: list[AccountInvoice] = field(default_factory=list)
    payments: list[AccountPayment] = field(default_factory=list)
    ledger: list[StatementEntry] = field(default_factory=list)
    notices: list[AccountNotice] = field(default_factory=list)
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
    policies = account_policies(ctx, row.id)
    members = member_names(ctx, covered_person_ids(ctx, policies))
    names = {person_id: member.name for person_id, member in members.items()}
    page = AccountPage(
        account=view,
        account_id=row.id,
        as_of=as_of,
        balance_cents=ledger.account_balance(ctx, row.id),
        unapplied_cents=-ledger.balance(ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=row.id),
        aging=[(name, cents) for name, cents in aging(ctx, row.id, as_of).items()],
        policies=_policy_panels(ctx, policies, members, as_of),
        members=names,
        counts=_counts(ctx, row.id),
    )
    read = ["members", "coverage", "paid_through", "balance"]

    if Section.INVOICES in sections:
        page.invoices = account_invoices(ctx, row.id, as_of=as_of, member_names=names)
        read.append("invoices")
    if Section.PAYMENTS in sections:
        page.payments = account_payments(ctx, row.id, member_names=names)
        page.refunds = account_refunds(ctx, row.id, view.account_number)
        read += ["payments", "refunds"]
    if Section.LEDGER in sections:
        page.ledger = account_statement(ctx, row.id)
        read.append("ledger")
    if Section.NOTICES in sections:
        page.notices = account_notices(ctx, row.id)
        read.append("notices")
    if Section.SERVICE in sections:
        page.disputes = account_disputes(ctx, row.id)
        read.append("disputes")
        if allows(ctx.actor.role, Permission.CASES_WORK):
            page.contacts = contacts_for(ctx, account_number=view.account_number, limit=50)
            page.cases = list_cases(ctx, account_number=view.account_number, limit=50)
            read += ["contacts", "cases"]
    if Section.AUDIT in sections and allows(ctx.actor.role, Permission.AUDIT_READ):
        page.audit_trail = _audit_trail(ctx, view.account_number, [member.member_id for member in members.values()])
        read.append("audit_trail")

    # One audit row for the whole view, naming every section read, in the same transaction as the reads.
    audit.record(ctx, action="read", record_type="billing_account", record_id=view.account_number, fields=read, detail={"view": "console_360"})
    return page


def _counts(ctx: ServiceContext, account_id: int) -> dict[str, int]:
    """Numbers of invoices, payments, notices and open cases, for the tab labels."""
    return {
        Section.INVOICES.value: invoice_count(ctx, account_id),
        Section.PAYMENTS.value: payment_count(ctx, account_id),
        Section.NOTICES.value: notice_count(ctx, account_id),
        Section.SERVICE.value: open_case_count(ctx, account_id),
    }


def aging_labels() -> list[str]:
    return [name for name, _ in AGING_BUCKETS]


def _policy_panels(ctx: ServiceContext, policies: list[Policy], members: dict[int, MemberName], as_of: date) -> list[PolicyPanel]:
    if not policies:
        return []
    paid_through = paid_through_dates(ctx, policies)
    graces = open_grace_periods(ctx, [policy.id for policy in policies])
    spans = coverage_by_policy(ctx, [policy.id for policy in policies])
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
                name=members.get(span.person_id, _UNKNOWN_MEMBER).name,
                member_id=members.get(span.person_id, _UNKNOWN_MEMBER).member_id,
                relationship=span.relationship,
                start_date=span.start_date,
                end_date=span.end_date,
            )
            for span in spans.get(policy.id, [])
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


def _audit_trail(ctx: ServiceContext, account_number: str, member_ids: list[str]) -> list[AuditEntry]:
    entries = list(audit.list_entries(ctx, record_type="billing_account", record_id=account_number, limit=100))
    for member_id in member_ids:
        entries.extend(audit.list_entries(ctx, record_type="person", record_id=member_id, limit=50))
    entries.sort(key=lambda entry: (entry.occurred_at, entry.id), reverse=True)
    return entries[:150]
