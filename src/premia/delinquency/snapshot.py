"""Gather each policy's :class:`BillingState` from the journal, invoices, holds and grace periods.

All policies of a run are read in a few set-based queries. Receivable lines of payments
that were later returned or reversed are left out altogether: a returned payment is
treated as never received, so the month it paid is unpaid again from its original due
date, and a late run cannot mistake it for a payment that was good until the return.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select

from premia.accounts.tables import EmployerGroup, Person
from premia.billing.model import LineKind
from premia.billing.tables import Invoice, InvoiceLine
from premia.delinquency.config import DelinquencyConfig, RuleKey
from premia.delinquency.model import (
    DisputedAmount,
    DunningStage,
    GraceKind,
    GraceOutcome,
    GraceTerms,
    HoldKind,
    Moratorium,
    MonthPosting,
    PlannedNotice,
    ReceivedDateRule,
    TerminationBasis,
)
from premia.delinquency.standing import BillingState, TerminationFacts
from premia.delinquency.tables import DelinquencyHold, GracePeriod
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.banking_days import next_banking_day
from premia.kernel.dates import Month, local_date
from premia.ledger.model import EntryKind, LedgerAccount
from premia.ledger.tables import JournalEntry, JournalLine
from premia.payments.model import PaymentStatus
from premia.payments.tables import Payment

BILLED_ENTRY_KINDS = frozenset({EntryKind.INVOICE.value, EntryKind.ADJUSTMENT.value})
CHUNK = 500


def load_states(ctx: ServiceContext, policies: Sequence[Policy], config: DelinquencyConfig) -> dict[int, BillingState]:
    """Return the billing state of every policy given, keyed by policy id."""
    states: dict[int, BillingState] = {}
    for start in range(0, len(policies), CHUNK):
        states.update(_load_chunk(ctx, list(policies[start : start + CHUNK]), config))
    return states


def grace_terms_of(row: GracePeriod) -> GraceTerms:
    """Rebuild the terms of a stored grace period."""
    return GraceTerms(
        kind=GraceKind(row.kind),
        rule_name=row.rule_name,
        first_unpaid_month=Month.of(row.first_unpaid_month),
        missed_due_date=row.missed_due_date,
        start=row.start_date,
        end=row.end_date,
        settle_by_due=row.settle_by_due,
        termination_basis=TerminationBasis(row.termination_basis),
        claims_pend_from=row.claims_pend_from,
        termination_date=row.termination_date,
        notices=tuple(
            PlannedNotice(DunningStage(item["stage"]), date.fromisoformat(item["send_on"]), bool(item.get("provider_pend")))
            for item in row.planned_notices
        ),
    )


def open_grace_periods(ctx: ServiceContext, policy_ids: Sequence[int]) -> dict[int, GracePeriod]:
    if not policy_ids:
        return {}
    rows = ctx.session.scalars(
        select(GracePeriod).where(GracePeriod.policy_id.in_(policy_ids), GracePeriod.outcome == GraceOutcome.OPEN.value)
    )
    return {row.policy_id: row for row in rows}


def last_terminations(ctx: ServiceContext, policy_ids: Sequence[int]) -> dict[int, GracePeriod]:
    """Return each policy's latest grace period that ended in termination."""
    if not policy_ids:
        return {}
    rows = ctx.session.scalars(
        select(GracePeriod)
        .where(GracePeriod.policy_id.in_(policy_ids), GracePeriod.outcome == GraceOutcome.TERMINATED.value)
        .order_by(GracePeriod.closed_on, GracePeriod.id)
    )
    return {row.policy_id: row for row in rows}


def _load_chunk(ctx: ServiceContext, policies: list[Policy], config: DelinquencyConfig) -> dict[int, BillingState]:
    ids = [policy.id for policy in policies]
    open_grace = open_grace_periods(ctx, ids)
    terminations = last_terminations(ctx, ids)
    postings = _postings(ctx, ids, terminations, config.received_date)
    due_dates = _due_dates(ctx, ids)
    aptc_months = _aptc_months(ctx, ids)
    disputes = _disputes(ctx, policies)
    zips = _zip_codes(ctx, policies)
    moratoria = _moratoria(ctx)

    states: dict[int, BillingState] = {}
    for policy in policies:
        grace_row = open_grace.get(policy.id)
        terminated = terminations.get(policy.id)
        states[policy.id] = BillingState(
            policy_id=policy.id,
            policy_number=policy.policy_number,
            status=PolicyStatus(policy.status),
            key=RuleKey(market=policy.market, state=policy.state, plan_id=policy.plan_id),
            effective_date=policy.effective_date,
            end_date=policy.end_date,
            received_on=local_date(policy.created_at, ctx.settings.time_zone),
            on_exchange=policy.on_exchange,
            postings=tuple(postings.get(policy.id, ())),
            due_dates=due_dates.get(policy.id, {}),
            aptc_months=frozenset(aptc_months.get(policy.id, ())),
            disputes=tuple(disputes.get(policy.id, ())),
            moratoria=tuple(_covering(moratoria, policy.state, zips.get(policy.id))),
            grace=grace_terms_of(grace_row) if grace_row else None,
            last_stage=DunningStage(grace_row.last_stage) if grace_row and grace_row.last_stage else None,
            last_termination=(
                TerminationFacts(terminated_on=terminated.closed_on, termination_date=terminated.termination_date)
                if terminated and terminated.closed_on and terminated.termination_date
                else None
            ),
        )
    return states


def _postings(
    ctx: ServiceContext, ids: list[int], terminations: dict[int, GracePeriod], received_date: ReceivedDateRule
) -> dict[int, list[MonthPosting]]:
    rows = ctx.session.execute(
        select(
            JournalLine.policy_id,
            JournalLine.coverage_month,
            JournalEntry.entry_date,
            JournalEntry.kind,
            JournalLine.payment_id,
            InvoiceLine.adjustment,
            func.sum(JournalLine.amount_cents),
        )
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .outerjoin(InvoiceLine, InvoiceLine.id == JournalLine.invoice_line_id)
        .where(
            JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value,
            JournalLine.policy_id.in_(ids),
            JournalLine.coverage_month.is_not(None),
        )
        .group_by(
            JournalLine.policy_id,
            JournalLine.coverage_month,
            JournalEntry.entry_date,
            JournalEntry.kind,
            JournalLine.payment_id,
            InvoiceLine.adjustment,
        )
    ).all()
    undone = _undone_payments(ctx, {row[4] for row in rows if row[4] is not None})

    postings: dict[int, list[MonthPosting]] = defaultdict(list)
    for policy_id, month_start, entry_date, kind, payment_id, adjustment, total in rows:
        if payment_id in undone or not total:
            continue
        billed = kind in BILLED_ENTRY_KINDS
        month = Month.of(month_start)
        on = entry_date
        if not billed and received_date is ReceivedDateRule.NEXT_BANKING_DAY:
            on = next_banking_day(entry_date)
        postings[policy_id].append(
            MonthPosting(
                month=month,
                on=on,
                cents=int(total),
                billed=billed,
                termination_credit=billed and bool(adjustment) and _after_termination(terminations.get(policy_id), month, entry_date),
            )
        )
    return postings


def _after_termination(terminated: GracePeriod | None, month: Month, issued_on: date) -> bool:
    """Tell whether an adjustment is one of the credits a termination caused."""
    if terminated is None or terminated.closed_on is None or terminated.termination_date is None:
        return False
    return issued_on >= terminated.closed_on and month >= Month.of(terminated.termination_date)


def _undone_payments(ctx: ServiceContext, payment_ids: set[int]) -> set[int]:
    if not payment_ids:
        return set()
    return set(
        ctx.session.scalars(
            select(Payment.id).where(
                Payment.id.in_(payment_ids),
                Payment.status.in_([PaymentStatus.RETURNED.value, PaymentStatus.REVERSED.value]),
            )
        )
    )


def _due_dates(ctx: ServiceContext, ids: list[int]) -> dict[int, dict[Month, date]]:
    """Return each billed month's due date, the earliest of the invoices that billed it as a regular line.

    A month that only appears on adjustment lines takes the earliest of those invoices.
    """
    rows = ctx.session.execute(
        select(InvoiceLine.policy_id, InvoiceLine.coverage_month, InvoiceLine.adjustment, func.min(Invoice.due_date))
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(
            InvoiceLine.policy_id.in_(ids),
            InvoiceLine.coverage_month.is_not(None),
            InvoiceLine.kind != LineKind.FEE.value,
        )
        .group_by(InvoiceLine.policy_id, InvoiceLine.coverage_month, InvoiceLine.adjustment)
    ).all()
    regular: dict[int, dict[Month, date]] = defaultdict(dict)
    adjusted: dict[int, dict[Month, date]] = defaultdict(dict)
    for policy_id, month_start, adjustment, due in rows:
        (adjusted if adjustment else regular)[policy_id][Month.of(month_start)] = due
    result: dict[int, dict[Month, date]] = {}
    for policy_id in set(regular) | set(adjusted):
        merged = dict(adjusted.get(policy_id, {}))
        merged.update(regular.get(policy_id, {}))
        result[policy_id] = merged
    return result


def _aptc_months(ctx: ServiceContext, ids: list[int]) -> dict[int, set[Month]]:
    rows = ctx.session.execute(
        select(InvoiceLine.policy_id, InvoiceLine.coverage_month)
        .where(
            InvoiceLine.policy_id.in_(ids),
            InvoiceLine.kind == LineKind.APTC.value,
            InvoiceLine.invoice_id.is_not(None),
            InvoiceLine.adjustment.is_(False),
        )
        .group_by(InvoiceLine.policy_id, InvoiceLine.coverage_month)
        .having(func.sum(InvoiceLine.amount_cents) < 0)
    ).all()
    months: dict[int, set[Month]] = defaultdict(set)
    for policy_id, month_start in rows:
        months[policy_id].add(Month.of(month_start))
    return months


def _disputes(ctx: ServiceContext, policies: list[Policy]) -> dict[int, list[DisputedAmount]]:
    account_ids = {policy.billing_account_id for policy in policies}
    policy_ids = {policy.id for policy in policies}
    rows = ctx.session.execute(
        select(DelinquencyHold, InvoiceLine.policy_id, InvoiceLine.coverage_month, InvoiceLine.amount_cents)
        .outerjoin(InvoiceLine, InvoiceLine.id == DelinquencyHold.invoice_line_id)
        .where(DelinquencyHold.kind == HoldKind.DISPUTE.value, DelinquencyHold.billing_account_id.in_(account_ids))
    ).all()
    disputes: dict[int, list[DisputedAmount]] = defaultdict(list)
    for hold, line_policy_id, line_month, line_cents in rows:
        policy_id = line_policy_id if hold.invoice_line_id is not None else hold.policy_id
        if policy_id not in policy_ids:
            continue
        if hold.invoice_line_id is not None and line_month is None:
            continue  # a disputed fee never counts toward delinquency anyway
        cents = hold.amount_cents if hold.amount_cents is not None else max(0, int(line_cents or 0))
        disputes[policy_id].append(
            DisputedAmount(
                cents=cents,
                placed_on=hold.start_date,
                released_on=_release_day(hold),
                month=Month.of(line_month) if line_month is not None else None,
            )
        )
    return disputes


def _release_day(hold: DelinquencyHold) -> date | None:
    """Return the first day a hold no longer counts: its release, or the day after its end date."""
    days = [day for day in (hold.released_on, _day_after(hold.end_date)) if day is not None]
    return min(days) if days else None


def _day_after(day: date | None) -> date | None:
    return date.fromordinal(day.toordinal() + 1) if day else None


def _zip_codes(ctx: ServiceContext, policies: list[Policy]) -> dict[int, str]:
    """Return each policy's ZIP code for moratoria: the subscriber's residence, else the employer's address."""
    person_ids = {policy.subscriber_person_id for policy in policies}
    person_zips = dict(ctx.session.execute(select(Person.id, Person.zip_code).where(Person.id.in_(person_ids))).all())
    group_ids = {policy.employer_group_id for policy in policies if policy.employer_group_id}
    group_zips: dict[Any, Any] = (
        dict(ctx.session.execute(select(EmployerGroup.id, EmployerGroup.zip_code).where(EmployerGroup.id.in_(group_ids))).all())
        if group_ids
        else {}
    )
    zips: dict[int, str] = {}
    for policy in policies:
        value = person_zips.get(policy.subscriber_person_id) or group_zips.get(policy.employer_group_id)
        if value:
            zips[policy.id] = value
    return zips


def _moratoria(ctx: ServiceContext) -> list[DelinquencyHold]:
    return list(
        ctx.session.scalars(
            select(DelinquencyHold).where(
                DelinquencyHold.kind == HoldKind.MORATORIUM.value,
                or_(DelinquencyHold.released_on.is_(None), DelinquencyHold.released_on > DelinquencyHold.start_date),
            )
        )
    )


def _covering(holds: list[DelinquencyHold], state: str, zip_code: str | None) -> list[Moratorium]:
    covering: list[Moratorium] = []
    for hold in holds:
        if hold.state and hold.state != state:
            continue
        if hold.zip_prefix and not (zip_code or "").startswith(hold.zip_prefix):
            continue
        release = _release_day(hold)
        end = date.fromordinal(release.toordinal() - 1) if release else None
        covering.append(Moratorium(start=hold.start_date, end=end))
    return covering
