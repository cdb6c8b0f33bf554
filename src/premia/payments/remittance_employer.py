"""Post the member lines of an employer's 820 list-bill remittance, and compare them with the roster.

Each RMR line is posted on its own, as a payment keyed by the file's control numbers and
the line's position. An ``IV`` line names an invoice (matched exactly, as lockbox
references are) and pays that invoice's items. Any other qualifier names a policy
(``AZ``, the policy number) and pays that policy's items for the line's coverage months.
A line naming neither is tied to the group or billing account whose number is ENT04 and
paid oldest first. Money beyond what the line names stays on the account as unapplied
credit, and a line Premia cannot tie to an account goes to suspense.

The variance report compares what each policy's lines remitted with what was billed for
the same months, and lists the billed members that no line remitted for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from premia.accounts.tables import BillingAccount, EmployerGroup
from premia.billing.tables import InvoiceLine
from premia.enrollment.tables import Policy
from premia.formats.lockbox import normalize_reference
from premia.formats.x12 import Adjustment, RemittanceEntity, RemittanceLine
from premia.infra.context import ServiceContext
from premia.kernel.money import format_cents
from premia.payments.allocation import AllocationTarget
from premia.payments.imports import record_item
from premia.payments.matching import ReferenceIndex, load_reference_index, reference_candidates
from premia.payments.model import ItemOutcome, MatchRule
from premia.payments.remittance_rules import RemittedLine, months_of, roster_variance
from premia.payments.service import post_payment
from premia.payments.suspense import put_in_suspense
from premia.payments.tables import PaymentImport
from premia.staff.permissions import Permission

if TYPE_CHECKING:
    from premia.payments.remittance_820 import SetContext

INVOICE_QUALIFIER = "IV"


@dataclass(frozen=True)
class Job:
    """One thing to post: a remittance line, or an adjustment of a whole loop."""

    key: str
    entity: RemittanceEntity
    line: RemittanceLine | None
    adjustment: Adjustment | None

    @property
    def cents(self) -> int:
        if self.line is not None:
            return self.line.cents + sum(adjustment.cents for adjustment in self.line.adjustments)
        assert self.adjustment is not None
        return self.adjustment.cents

    @property
    def position(self) -> int:
        if self.line is not None:
            return self.line.position
        if self.adjustment is not None:
            return self.adjustment.position
        return self.entity.position

    @property
    def reference(self) -> str:
        return (self.line.reference if self.line is not None else self.entity.id).strip()


@dataclass(frozen=True)
class Resolution:
    billing_account_id: int
    account_number: str
    rule: MatchRule
    target: AllocationTarget | None
    described: str


@dataclass
class Lookups:
    index: ReferenceIndex
    policies: dict[str, Policy]
    accounts_by_entity: dict[str, tuple[int, str]]
    account_numbers: dict[int, str]


class EmployerPoster:
    """Posts the lines of one employer 820 transaction set, chunk by chunk, and keeps what the variance needs."""

    def __init__(self, ctx: ServiceContext, record: PaymentImport, context: SetContext) -> None:
        self.ctx = ctx
        self.record = record
        self.context = context
        self.remitted: list[RemittedLine] = []
        self.accounts: set[int] = set()
        self.months: set[date] = set()
        self.policy_numbers: dict[int, str] = {}

    def jobs(self, entity: RemittanceEntity) -> Iterator[Job]:
        base = f"x12-820:{self.context.key}:{entity.position}"
        for adjustment in entity.adjustments:
            yield Job(f"{base}:adx{adjustment.position}", entity, None, adjustment)
        for line in entity.lines:
            yield Job(f"{base}:{line.position}", entity, line, None)

    def keys(self, entity: RemittanceEntity) -> list[str]:
        return [job.key for job in self.jobs(entity)]

    def post(self, entities: tuple[RemittanceEntity, ...], stored: set[str]) -> int:
        """Post the lines not stored before; return how many were. Every line counts toward the variance."""
        jobs = [job for entity in entities for job in self.jobs(entity)]
        lookups = self._lookups(jobs)
        duplicates = 0
        for job in jobs:
            resolution = self._resolve(job, lookups)
            self._note_for_variance(job, resolution)
            if job.key in stored:
                duplicates += 1
                continue
            if resolution is not None and job.cents > 0:
                self._pay(job, resolution)
            else:
                self._hold(job, resolution)
        return duplicates

    def variance(self) -> list[dict[str, Any]]:
        if not self.accounts or not self.months:
            return []
        months = sorted(self.months)
        billed: dict[tuple[int, date], int] = {}
        rows = self.ctx.session.execute(
            select(InvoiceLine.policy_id, InvoiceLine.coverage_month, func.sum(InvoiceLine.amount_cents))
            .where(
                InvoiceLine.billing_account_id.in_(self.accounts),
                InvoiceLine.coverage_month.in_(months),
                InvoiceLine.invoice_id.is_not(None),
                InvoiceLine.policy_id.is_not(None),
            )
            .group_by(InvoiceLine.policy_id, InvoiceLine.coverage_month)
        )
        for policy_id, month, total in rows:
            billed[(policy_id, month)] = int(total)
        unknown = {policy_id for policy_id, _ in billed} - set(self.policy_numbers)
        if unknown:
            rows = self.ctx.session.execute(select(Policy.id, Policy.policy_number).where(Policy.id.in_(unknown)))
            self.policy_numbers.update({policy_id: number for policy_id, number in rows})
        return roster_variance(billed, self.remitted, months=months, policy_numbers=self.policy_numbers)

    def _pay(self, job: Job, resolution: Resolution) -> None:
        context = self.context
        result = post_payment(
            self.ctx,
            billing_account_id=resolution.billing_account_id,
            amount_cents=job.cents,
            channel=context.channel,
            method=context.method,
            received_on=context.paid_on,
            reference=job.reference[:128] or None,
            idempotency_key=job.key[:128],
            cash_account=context.cash_account,
            source=f"820 import {self.record.id}",
            target=resolution.target,
            funding_account=context.funding_account,
            permission=Permission.PAYMENTS_IMPORT,
        )
        kept = f"; {format_cents(result.unapplied_cents)} kept as unapplied credit" if result.unapplied_cents else ""
        record_item(
            self.ctx, self.record, item_key=job.key, position=job.position, amount_cents=job.cents, reference=job.reference,
            outcome=ItemOutcome.POSTED, match_rule=resolution.rule.value, billing_account_id=resolution.billing_account_id,
            payment_id=result.payment.id,
            explanation=f"{resolution.described}; {format_cents(result.applied_cents)} applied{kept}.",
        )  # fmt: skip

    def _hold(self, job: Job, resolution: Resolution | None) -> None:
        context = self.context
        if resolution is None:
            what = f"RMR*{job.line.qualifier}*{job.reference}" if job.line else f"ADX {job.adjustment.reason if job.adjustment else ''}"
            reason = f"{what} (segment {job.position}) names no invoice, policy, group or account Premia holds."
            rule = MatchRule.NO_MATCH
        else:
            reason = f"{resolution.described}, but a line of {format_cents(job.cents)} cannot be posted as a payment."
            rule = resolution.rule
        if job.cents == 0:
            record_item(
                self.ctx, self.record, item_key=job.key, position=job.position, amount_cents=0, reference=job.reference,
                outcome=ItemOutcome.SKIPPED, match_rule=rule.value, explanation=f"{reason} It is 0.00; nothing to hold.",
            )  # fmt: skip
            return
        item = put_in_suspense(
            self.ctx, channel=context.channel, method=context.method, received_on=context.paid_on, amount_cents=job.cents,
            cash_account=context.cash_account, reason=reason, reference=job.reference or None, bank_reference=context.trace,
            payer_name=context.remittance.payer.name if context.remittance.payer else None,
            idempotency_key=job.key, funding_account=context.funding_account,
        )  # fmt: skip
        record_item(
            self.ctx, self.record, item_key=job.key, position=job.position, amount_cents=job.cents, reference=job.reference,
            outcome=ItemOutcome.SUSPENSE, match_rule=rule.value, explanation=reason, suspense_item_id=item.id,
        )  # fmt: skip

    def _resolve(self, job: Job, lookups: Lookups) -> Resolution | None:
        line = job.line
        if line is not None and line.qualifier == INVOICE_QUALIFIER:
            invoice = next((lookups.index.invoices[c] for c in reference_candidates([line.reference]) if c in lookups.index.invoices), None)
            if invoice is not None:
                number = lookups.index.account_numbers.get(invoice.billing_account_id, "")
                return Resolution(
                    invoice.billing_account_id, number, MatchRule.INVOICE_NUMBER, AllocationTarget(invoice_id=invoice.invoice_id),
                    f"Invoice {invoice.invoice_number} of account {number} equals RMR02 {line.reference!r}",
                )  # fmt: skip
        elif line is not None:
            policy = lookups.policies.get(line.reference.strip())
            if policy is not None:
                period = line.coverage_period
                months = tuple(months_of(period.start, period.end)) if period else ()
                number = lookups.account_numbers.get(policy.billing_account_id, "")
                return Resolution(
                    policy.billing_account_id, number, MatchRule.POLICY_NUMBER,
                    AllocationTarget(policy_id=policy.id, coverage_months=months),
                    f"Policy {policy.policy_number} of account {number} equals RMR02 {line.reference!r}",
                )  # fmt: skip
        found = lookups.accounts_by_entity.get(job.entity.id.strip())
        if found is None:
            return None
        described = f"ENT04 {job.entity.id!r} is account {found[1]}, paid oldest first"
        return Resolution(found[0], found[1], MatchRule.ACCOUNT_NUMBER, None, described)

    def _note_for_variance(self, job: Job, resolution: Resolution | None) -> None:
        if resolution is None:
            return
        self.accounts.add(resolution.billing_account_id)
        target = resolution.target
        line = job.line
        if target is None or target.policy_id is None or line is None or not target.coverage_months:
            return
        self.months.update(target.coverage_months)
        self.remitted.append(RemittedLine(target.policy_id, target.coverage_months[0], target.coverage_months[-1], job.cents))

    def _lookups(self, jobs: list[Job]) -> Lookups:
        session = self.ctx.session
        invoice_refs = [job.line.reference for job in jobs if job.line is not None and job.line.qualifier == INVOICE_QUALIFIER]
        index = load_reference_index(self.ctx, (c for reference in invoice_refs for c in reference_candidates([reference])))
        policy_refs = {job.line.reference.strip() for job in jobs if job.line is not None and job.line.qualifier != INVOICE_QUALIFIER}
        policies: dict[str, Policy] = {}
        if policy_refs:
            for policy in session.scalars(select(Policy).where(Policy.policy_number.in_(policy_refs))):
                policies[policy.policy_number] = policy
            missing = policy_refs - set(policies)
            if missing:
                for policy in session.scalars(select(Policy).where(Policy.exchange_policy_id.in_(missing))):
                    policies[policy.exchange_policy_id or ""] = policy
        self.policy_numbers.update({policy.id: policy.policy_number for policy in policies.values()})

        entity_ids = {job.entity.id.strip() for job in jobs if job.entity.id.strip()}
        accounts_by_entity: dict[str, tuple[int, str]] = {}
        if entity_ids:
            rows = session.execute(
                select(EmployerGroup.group_number, BillingAccount.id, BillingAccount.account_number)
                .join(BillingAccount, BillingAccount.employer_group_id == EmployerGroup.id)
                .where(EmployerGroup.group_number.in_(entity_ids))
            )
            for group_number, account_id, number in rows:
                accounts_by_entity[group_number] = (account_id, number)
            normalised = {normalize_reference(value): value for value in entity_ids}
            for account_id, number in session.execute(
                select(BillingAccount.id, BillingAccount.account_number).where(BillingAccount.account_number.in_(entity_ids))
            ):
                accounts_by_entity.setdefault(normalised.get(normalize_reference(number), number), (account_id, number))

        account_ids = {policy.billing_account_id for policy in policies.values()}
        account_numbers: dict[int, str] = {}
        if account_ids:
            rows = session.execute(select(BillingAccount.id, BillingAccount.account_number).where(BillingAccount.id.in_(account_ids)))
            account_numbers = {account_id: number for account_id, number in rows}
        account_numbers.update(index.account_numbers)
        return Lookups(index, policies, accounts_by_entity, account_numbers)
