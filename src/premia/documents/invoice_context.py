"""Build an invoice's statement from the stored invoice and its lines.

Everything printed comes from the invoice row and its lines as issued, so an invoice
reprinted later reads the same whatever changed on the account since.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from premia.accounts.model import AccountKind, PaymentMethod
from premia.accounts.tables import BankAccount, BillingAccount, Person
from premia.billing.model import LineKind
from premia.billing.tables import Invoice, InvoiceLine
from premia.documents.content import Adjustment, Enrollment, Fee, InvoiceContent, MemberCharge
from premia.documents.recipients import person_name
from premia.enrollment.tables import CoverageSpan, Policy
from premia.infra.context import ServiceContext
from premia.kernel.dates import Month

# The bill run writes the rated age into each premium line's description ("rated, age 35").
RATED_AGE = re.compile(r"\bage (\d{1,3})\b")

RELATIONSHIP_ORDER = {"subscriber": 0, "spouse": 1, "domestic_partner": 2, "child": 3, "other": 4}


def invoice_content(ctx: ServiceContext, invoice: Invoice, account: BillingAccount) -> InvoiceContent:
    """Build the statement for ``invoice``: summary, member charges, adjustments, fees and roster."""
    lines = list(
        ctx.session.scalars(
            select(InvoiceLine).where(InvoiceLine.invoice_id == invoice.id).order_by(InvoiceLine.id)
        )
    )
    people = _people(ctx, lines)
    relationships = _relationships(ctx, lines)

    regular = [line for line in lines if not line.adjustment and line.kind != LineKind.FEE.value]
    policy_charges = _member_charges(regular, people, relationships)
    charges = [charge for _, charge in policy_charges]
    fees = tuple(
        Fee(description=line.description, amount_cents=line.amount_cents)
        for line in lines
        if line.kind == LineKind.FEE.value
    )
    adjustments = tuple(
        Adjustment(
            coverage_month=Month.of(line.coverage_month),
            member_name=person_name(people[line.person_id]) if line.person_id in people else "",
            kind=line.kind,
            amount_cents=line.amount_cents,
            days_covered=line.days_covered,
            days_in_month=line.days_in_month,
        )
        for line in lines
        if line.adjustment and line.coverage_month is not None
    )
    enrollments: tuple[Enrollment, ...] = ()
    if account.kind == AccountKind.GROUP.value:
        enrollments = _enrollments(ctx, policy_charges)

    fees_cents = sum(fee.amount_cents for fee in fees)
    return InvoiceContent(
        invoice_number=invoice.invoice_number,
        issue_date=invoice.issue_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        due_date=invoice.due_date,
        previous_balance_cents=invoice.previous_balance_cents,
        # Fees charged since the last invoice moved the balance too; they print on their own line.
        payments_cents=invoice.payments_since_cents - fees_cents,
        fees=fees,
        adjustments=adjustments,
        current_charges_cents=invoice.current_charges_cents,
        gross_cents=sum(charge.gross_cents for charge in charges),
        aptc_cents=sum(charge.aptc_cents for charge in charges),
        credits_applied_cents=invoice.credits_applied_cents,
        amount_due_cents=invoice.amount_due_cents,
        charges=tuple(charges),
        enrollments=enrollments,
        autodraft_account_last4=autodraft_last4(ctx, account),
    )


def latest_invoice(ctx: ServiceContext, billing_account_id: int, *, on_or_before: date) -> Invoice | None:
    """Return the account's newest invoice issued by ``on_or_before``."""
    return ctx.session.scalar(
        select(Invoice)
        .where(Invoice.billing_account_id == billing_account_id, Invoice.issue_date <= on_or_before)
        .order_by(Invoice.issue_date.desc(), Invoice.id.desc())
        .limit(1)
    )


def rated_age(description: str) -> int | None:
    match = RATED_AGE.search(description)
    return int(match.group(1)) if match else None


def _member_charges(
    lines: list[InvoiceLine], people: dict[int, Person], relationships: dict[tuple[int, int], str]
) -> list[tuple[int, MemberCharge]]:
    """Join each member-month's premium line with its APTC line, as (policy id, charge) pairs.

    The pairs are in policy order, then month, then subscriber before dependents.
    """
    premium: dict[tuple[int, int, date], InvoiceLine] = {}
    aptc: dict[tuple[int, int, date], int] = defaultdict(int)
    for line in lines:
        if line.policy_id is None or line.person_id is None or line.coverage_month is None:
            continue
        key = (line.policy_id, line.person_id, line.coverage_month)
        if line.kind == LineKind.PREMIUM.value:
            premium[key] = line
        elif line.kind == LineKind.APTC.value:
            # APTC lines are stored negative: the exchange pays them, not the payer.
            aptc[key] += -line.amount_cents

    charges = []
    for (policy_id, person_id, month_start), line in premium.items():
        person = people[person_id]
        relationship = relationships.get((policy_id, person_id), "other")
        charge = MemberCharge(
            member_name=person_name(person),
            member_id=person.member_id,
            relationship=relationship,
            coverage_month=Month.of(month_start),
            rated_age=rated_age(line.description),
            days_covered=line.days_covered,
            days_in_month=line.days_in_month,
            gross_cents=line.amount_cents,
            aptc_cents=aptc.get((policy_id, person_id, month_start), 0),
            employer_cents=line.employer_share_cents,
        )
        charges.append((policy_id, charge))
    charges.sort(
        key=lambda pair: (
            pair[0],
            pair[1].coverage_month,
            RELATIONSHIP_ORDER.get(pair[1].relationship, 9),
            pair[1].member_id,
        )
    )
    return charges


def _enrollments(ctx: ServiceContext, charges: list[tuple[int, MemberCharge]]) -> tuple[Enrollment, ...]:
    """Group a list bill's charges by employee (the policy's subscriber), in name order."""
    by_policy: dict[int, list[MemberCharge]] = defaultdict(list)
    for policy_id, charge in charges:
        by_policy[policy_id].append(charge)
    policies = list(ctx.session.scalars(select(Policy).where(Policy.id.in_(by_policy)))) if by_policy else []
    subscribers = {
        person.id: person
        for person in ctx.session.scalars(
            select(Person).where(Person.id.in_([policy.subscriber_person_id for policy in policies]))
        )
    }

    def roster_order(policy: Policy) -> tuple[str, str, str]:
        subscriber = subscribers[policy.subscriber_person_id]
        return (subscriber.last_name, subscriber.first_name, subscriber.member_id)

    enrollments = []
    for policy in sorted(policies, key=roster_order):
        subscriber = subscribers[policy.subscriber_person_id]
        enrollments.append(
            Enrollment(
                subscriber_name=person_name(subscriber),
                member_id=subscriber.member_id,
                policy_number=policy.policy_number,
                charges=tuple(by_policy[policy.id]),
            )
        )
    return tuple(enrollments)


def _people(ctx: ServiceContext, lines: list[InvoiceLine]) -> dict[int, Person]:
    ids = {line.person_id for line in lines if line.person_id is not None}
    if not ids:
        return {}
    return {person.id: person for person in ctx.session.scalars(select(Person).where(Person.id.in_(ids)))}


def _relationships(ctx: ServiceContext, lines: list[InvoiceLine]) -> dict[tuple[int, int], str]:
    policy_ids = {line.policy_id for line in lines if line.policy_id is not None}
    if not policy_ids:
        return {}
    spans = ctx.session.scalars(select(CoverageSpan).where(CoverageSpan.policy_id.in_(policy_ids)))
    return {(span.policy_id, span.person_id): span.relationship for span in spans}


def autodraft_last4(ctx: ServiceContext, account: BillingAccount) -> str | None:
    """Return the last four digits of the bank account an auto-draft account is drafted from."""
    if account.payment_method != PaymentMethod.ACH_AUTODRAFT.value:
        return None
    return ctx.session.scalar(
        select(BankAccount.account_last4)
        .where(BankAccount.billing_account_id == account.id, BankAccount.status == "active")
        .order_by(BankAccount.id.desc())
        .limit(1)
    )
