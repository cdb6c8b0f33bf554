"""Load what the bill run needs for a chunk of billing accounts, in a fixed number of queries.

Each query reads one kind of record for every account of the chunk at once, and the
accounts of a chunk are a range of ids. So the cost of a bill run grows with the rows it
reads, never with a query per account or per policy.

Under PostgreSQL's default isolation each query sees what was committed when it started, so
a run committing meanwhile can make the queries disagree. The order of the queries keeps
that safe: the latest invoice is read before the lines billed, so the lines are never older
than the invoice they would be compared with, and :meth:`AccountSnapshot.is_torn` detects
lines newer than it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from sqlalchemy import Connection, Row, and_, func, select
from sqlalchemy.orm import Session, aliased

from premia.accounts.model import AccountKind, PaymentMode
from premia.accounts.tables import BillingAccount, EmployerGroup, Person
from premia.billing.coverage import CoveredMember, ExchangeAmountSpan, PolicyCoverage
from premia.billing.model import AccountTerms, BillingSettings, ChargeKey, LineKind, PendingFee
from premia.billing.tables import Invoice, InvoiceLine
from premia.enrollment.tables import CoverageSpan, ExchangeAmount, Policy
from premia.kernel.dates import Month
from premia.ledger.model import LedgerAccount
from premia.ledger.tables import JournalLine
from premia.rating.contributions import ContributionRule, rule_from_dict


@dataclass(frozen=True)
class LastInvoice:
    """The account's latest invoice: where its billing grid continues from."""

    period_start: date
    period_end: date
    issue_date: date
    amount_due_cents: int


@dataclass
class AccountSnapshot:
    """One billing account as the bill run reads it, before anything is issued.

    ``billed`` contains the amount billed so far per charge key, for the coverage months that
    the chunk's planning can still adjust. ``balance_cents`` is what the payer owes (receivable less unapplied
    credit); ``unapplied_credit_cents`` is the credit alone, as a positive amount.
    """

    terms: AccountTerms
    coverages: tuple[PolicyCoverage, ...] = ()
    last_invoice: LastInvoice | None = None
    billed: dict[ChargeKey, int] = field(default_factory=dict)
    balance_cents: int = 0
    unapplied_credit_cents: int = 0
    pending_fees: tuple[PendingFee, ...] = ()

    def is_torn(self) -> bool:
        """Whether another run committed an invoice for this account between this snapshot's queries.

        Every line of an invoice is for a month inside or before the invoice's period. A
        billed month after the latest invoice's period therefore means that the lines were
        read after an invoice that the earlier invoice query did not see yet.
        """
        if not self.billed:
            return False
        if self.last_invoice is None:
            return True
        return max(key.month for key in self.billed) > Month.of(self.last_invoice.period_end)

    def first_unbilled_month(self) -> Month | None:
        """Return the first month of the next period: after the last invoice, or the first coverage month."""
        if self.last_invoice is not None:
            return Month.of(self.last_invoice.period_end).plus(1)
        starts = [coverage.effective_date for coverage in self.coverages if not coverage.cancelled]
        return Month.of(min(starts)) if starts else None


def billable_account_ids(session: Session, account_number: str | None = None) -> list[int]:
    """Ids of the billing accounts that have at least one policy, in id order."""
    query = (
        select(BillingAccount.id)
        .where(BillingAccount.id.in_(select(Policy.billing_account_id).distinct()))
        .order_by(BillingAccount.id)
    )
    if account_number is not None:
        query = query.where(BillingAccount.account_number == account_number)
    return list(session.scalars(query))


def load_snapshots(session: Session, account_ids: Sequence[int], *, settings: BillingSettings) -> list[AccountSnapshot]:
    """Snapshots of ``account_ids`` (sorted ascending), read in one query per kind of record."""
    if not account_ids:
        return []
    # The queries below bypass the ORM, so pending changes must reach the database first.
    session.flush()
    low, high = account_ids[0], account_ids[-1]
    wanted = set(account_ids)

    snapshots = {terms.id: AccountSnapshot(terms=terms) for terms in _load_terms(session, low, high) if terms.id in wanted}
    policies = _load_policies(session, low, high, wanted)
    for account_id, last in _load_last_invoices(session, low, high):
        if account_id in snapshots:
            snapshots[account_id].last_invoice = last

    members = _load_members(session, low, high)
    amounts = _load_exchange_amounts(session, low, high)
    groups = _load_group_terms(session, {row.employer_group_id for row in policies if row.employer_group_id})
    coverages: dict[int, list[PolicyCoverage]] = defaultdict(list)
    for row in policies:
        coverages[row.billing_account_id].append(
            PolicyCoverage(
                policy_id=row.id,
                plan_id=row.plan_id,
                rating_area=row.rating_area,
                market=row.market,
                status=row.status,
                effective_date=row.effective_date,
                end_date=row.end_date,
                members=tuple(members.get(row.id, ())),
                exchange_amounts=tuple(amounts.get(row.id, ())),
                group_anniversary_month=groups[row.employer_group_id].anniversary_month if row.employer_group_id else None,
                contribution=groups[row.employer_group_id].contribution if row.employer_group_id else None,
            )
        )
    for account_id, snapshot in snapshots.items():
        snapshot.coverages = tuple(coverages.get(account_id, ()))

    since = _earliest_history_month(snapshots.values(), settings)
    if since is not None:
        for account_id, key, cents in _load_billed(session, low, high, since):
            if account_id in snapshots:
                snapshots[account_id].billed[key] = cents
    for account_id, receivable, credit in _load_balances(session, low, high):
        if account_id in snapshots:
            snapshots[account_id].balance_cents = receivable + credit
            snapshots[account_id].unapplied_credit_cents = -credit
    for account_id, fees in _load_pending_fees(session, low, high).items():
        if account_id in snapshots:
            snapshots[account_id].pending_fees = tuple(fees)
    return [snapshots[account_id] for account_id in account_ids if account_id in snapshots]


def _core(session: Session) -> Connection:
    """Return the session's connection, so that these read-only queries skip the ORM's result processing."""
    return session.connection()


def _earliest_history_month(snapshots: Iterable[AccountSnapshot], settings: BillingSettings) -> Month | None:
    firsts = [first for snapshot in snapshots if (first := snapshot.first_unbilled_month()) is not None]
    if not firsts:
        return None
    return min(firsts).plus(-settings.months_history)


def _load_terms(session: Session, low: int, high: int) -> list[AccountTerms]:
    rows = _core(session).execute(
        select(
            BillingAccount.id,
            BillingAccount.account_number,
            BillingAccount.kind,
            BillingAccount.payment_mode,
            BillingAccount.due_day,
            BillingAccount.legal_entity,
            BillingAccount.language,
        ).where(BillingAccount.id.between(low, high))
    )
    terms = []
    for account_id, number, kind, mode, due_day, legal_entity, language in rows:
        is_group = kind == AccountKind.GROUP.value
        terms.append(
            AccountTerms(
                id=account_id,
                account_number=number,
                is_group=is_group,
                # Groups are billed monthly whatever mode is stored on the account.
                months_per_period=1 if is_group else PaymentMode(mode).months,
                due_day=due_day,
                legal_entity=legal_entity,
                language=language,
            )
        )
    return terms


def _load_policies(session: Session, low: int, high: int, wanted: set[int]) -> list[Row]:
    rows = _core(session).execute(
        select(
            Policy.id,
            Policy.billing_account_id,
            Policy.plan_id,
            Policy.rating_area,
            Policy.market,
            Policy.status,
            Policy.effective_date,
            Policy.end_date,
            Policy.employer_group_id,
        )
        .where(Policy.billing_account_id.between(low, high))
        .order_by(Policy.billing_account_id, Policy.id)
    ).all()
    return [row for row in rows if row.billing_account_id in wanted]


def _load_members(session: Session, low: int, high: int) -> dict[int, list[CoveredMember]]:
    rows = _core(session).execute(
        select(
            CoverageSpan.policy_id,
            CoverageSpan.person_id,
            Person.member_id,
            Person.birth_date,
            CoverageSpan.relationship,
            CoverageSpan.tobacco,
            CoverageSpan.aptc_eligible,
            CoverageSpan.start_date,
            CoverageSpan.end_date,
        )
        .join(Policy, Policy.id == CoverageSpan.policy_id)
        .join(Person, Person.id == CoverageSpan.person_id)
        .where(Policy.billing_account_id.between(low, high), CoverageSpan.voided.is_(False))
        .order_by(CoverageSpan.policy_id, CoverageSpan.start_date, CoverageSpan.id)
    )
    members: dict[int, list[CoveredMember]] = defaultdict(list)
    for policy_id, person_id, member_id, birth, relationship, tobacco, aptc_eligible, start, end in rows:
        members[policy_id].append(CoveredMember(person_id, member_id, birth, relationship, bool(tobacco), bool(aptc_eligible), start, end))
    return members


def _load_exchange_amounts(session: Session, low: int, high: int) -> dict[int, list[ExchangeAmountSpan]]:
    rows = _core(session).execute(
        select(
            ExchangeAmount.policy_id,
            ExchangeAmount.kind,
            ExchangeAmount.person_id,
            ExchangeAmount.amount_cents,
            ExchangeAmount.start_date,
            ExchangeAmount.end_date,
        )
        .join(Policy, Policy.id == ExchangeAmount.policy_id)
        .where(Policy.billing_account_id.between(low, high))
        .order_by(ExchangeAmount.policy_id, ExchangeAmount.start_date, ExchangeAmount.id)
    )
    amounts: dict[int, list[ExchangeAmountSpan]] = defaultdict(list)
    for policy_id, kind, person_id, cents, start, end in rows:
        amounts[policy_id].append(ExchangeAmountSpan(kind, person_id, cents, start, end))
    return amounts


class _GroupTerms(NamedTuple):
    anniversary_month: int
    contribution: ContributionRule | None


def _load_group_terms(session: Session, group_ids: set[int]) -> dict[int, _GroupTerms]:
    """Load each group's plan-year month and contribution rule. A sub-group without a rule takes its parent's."""
    if not group_ids:
        return {}
    parent = aliased(EmployerGroup)
    rows = _core(session).execute(
        select(EmployerGroup.id, EmployerGroup.group_number, EmployerGroup.anniversary_month, EmployerGroup.contribution_rule, parent.contribution_rule)
        .outerjoin(parent, parent.id == EmployerGroup.parent_id)
        .where(EmployerGroup.id.in_(group_ids))
    )
    terms: dict[int, _GroupTerms] = {}
    for group_id, group_number, month, own_rule, parent_rule in rows:
        stored = own_rule if own_rule is not None else parent_rule
        rule = rule_from_dict(stored, record=f"employer_group {group_number}") if stored is not None else None
        terms[group_id] = _GroupTerms(month, rule)
    return terms


def _load_last_invoices(session: Session, low: int, high: int) -> list[tuple[int, LastInvoice]]:
    latest = (
        select(Invoice.billing_account_id, func.max(Invoice.period_start).label("period_start"))
        .where(Invoice.billing_account_id.between(low, high))
        .group_by(Invoice.billing_account_id)
        .subquery()
    )
    rows = _core(session).execute(
        select(Invoice.billing_account_id, Invoice.period_start, Invoice.period_end, Invoice.issue_date, Invoice.amount_due_cents).join(
            latest,
            and_(Invoice.billing_account_id == latest.c.billing_account_id, Invoice.period_start == latest.c.period_start),
        )
    )
    return [(row[0], LastInvoice(*row[1:])) for row in rows]


def _load_billed(session: Session, low: int, high: int, since: Month) -> list[tuple[int, ChargeKey, int]]:
    rows = _core(session).execute(
        select(
            InvoiceLine.billing_account_id,
            InvoiceLine.coverage_month,
            InvoiceLine.policy_id,
            InvoiceLine.person_id,
            InvoiceLine.kind,
            func.sum(InvoiceLine.amount_cents),
        )
        .where(
            InvoiceLine.billing_account_id.between(low, high),
            InvoiceLine.coverage_month >= since.first_day,
            InvoiceLine.invoice_id.is_not(None),
            InvoiceLine.kind != LineKind.FEE.value,
        )
        .group_by(
            InvoiceLine.billing_account_id,
            InvoiceLine.coverage_month,
            InvoiceLine.policy_id,
            InvoiceLine.person_id,
            InvoiceLine.kind,
        )
    )
    return [
        (account_id, ChargeKey(Month.of(month), policy_id, person_id, LineKind(kind)), int(total))
        for account_id, month, policy_id, person_id, kind, total in rows
    ]


def _load_balances(session: Session, low: int, high: int) -> list[tuple[int, int, int]]:
    rows = _core(session).execute(
        select(JournalLine.billing_account_id, JournalLine.ledger_account, func.sum(JournalLine.amount_cents))
        .where(
            JournalLine.ledger_account.in_([LedgerAccount.PREMIUM_RECEIVABLE.value, LedgerAccount.UNAPPLIED_CREDIT.value]),
            JournalLine.billing_account_id.between(low, high),
        )
        .group_by(JournalLine.billing_account_id, JournalLine.ledger_account)
    )
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for account_id, ledger_account, total in rows:
        slot = 0 if ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value else 1
        totals[account_id][slot] = int(total)
    return [(account_id, receivable, credit) for account_id, (receivable, credit) in totals.items()]


def _load_pending_fees(session: Session, low: int, high: int) -> dict[int, list[PendingFee]]:
    rows = _core(session).execute(
        select(InvoiceLine.billing_account_id, InvoiceLine.id, InvoiceLine.amount_cents)
        .where(InvoiceLine.billing_account_id.between(low, high), InvoiceLine.invoice_id.is_(None))
        .order_by(InvoiceLine.id)
    )
    fees: dict[int, list[PendingFee]] = defaultdict(list)
    for account_id, line_id, cents in rows:
        fees[account_id].append(PendingFee(line_id, int(cents)))
    return fees

