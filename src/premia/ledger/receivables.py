"""Open receivables of a billing account and applying money to them, oldest first.

An open item is one member's net premium for one coverage month on one invoice (premium
less APTC), or one fee. Money is applied to invoices oldest first and, inside an invoice,
to premium before fees, so an unpaid fee never holds up a month's coverage. When money runs
out inside a coverage month it is split over that month's members in proportion to what
each still owes, the subscriber's item taking the rounding remainder.

A credit adjustment can push an item below zero. What exceeds the open premium of its own
month is applied by the bill run to the account's other open premium, oldest first
(``credit_items``, ``credit_application_lines``). What no open item takes stays a credit
the account can have refunded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Select, bindparam, case, func, select

from premia.billing.tables import Invoice
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.money import split_cents
from premia.ledger.model import LedgerAccount, LineSpec
from premia.ledger.tables import JournalEntry, JournalLine

# Accounts per query when looking for credit items, to keep the IN list short.
CREDIT_QUERY_CHUNK = 500


@dataclass(frozen=True)
class OpenItem:
    invoice_id: int | None
    due_date: date | None
    policy_id: int | None
    person_id: int | None
    coverage_month: date | None
    invoice_line_id: int | None
    open_cents: int
    is_subscriber: bool
    # The policy's status when the item was read, or None for a fee and for an item built without it.
    policy_status: str | None = None

    @property
    def is_fee(self) -> bool:
        return self.coverage_month is None


def _open_items_query(*, credits: bool = False) -> Select[tuple[object, ...]]:
    """Build the query of an account's open items with their due dates, subscribers and policy statuses.

    With ``credits`` it finds the premium items a credit adjustment pushed below zero instead.
    It is built once, because every posting reads its open items and building the statement
    costs more than running it on a small account.
    """
    is_fee = case((JournalLine.coverage_month.is_(None), JournalLine.invoice_line_id), else_=None)
    grouped = (
        select(
            JournalLine.invoice_id.label("invoice_id"),
            JournalLine.policy_id.label("policy_id"),
            JournalLine.person_id.label("person_id"),
            JournalLine.coverage_month.label("coverage_month"),
            func.max(is_fee).label("fee_line"),
            func.min(JournalLine.invoice_line_id).label("first_line"),
            func.sum(JournalLine.amount_cents).label("total"),
        )
        .where(
            JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value,
            JournalLine.billing_account_id == bindparam("billing_account_id"),
        )
        .group_by(JournalLine.invoice_id, JournalLine.policy_id, JournalLine.person_id, JournalLine.coverage_month, is_fee)
        .having(func.sum(JournalLine.amount_cents) < 0 if credits else func.sum(JournalLine.amount_cents) > 0)
        .subquery("open_receivable")
    )
    return (
        select(
            grouped.c.invoice_id,
            Invoice.due_date,
            grouped.c.policy_id,
            grouped.c.person_id,
            grouped.c.coverage_month,
            grouped.c.fee_line,
            grouped.c.first_line,
            grouped.c.total,
            Policy.subscriber_person_id,
            Policy.status,
        )
        .outerjoin(Invoice, Invoice.id == grouped.c.invoice_id)
        .outerjoin(Policy, Policy.id == grouped.c.policy_id)
    )


_OPEN_ITEMS = _open_items_query()
_CREDIT_ITEMS = _open_items_query(credits=True)


def open_items(ctx: ServiceContext, billing_account_id: int) -> list[OpenItem]:
    """Receivable items with a positive open amount, in the order money is applied to them."""
    return _items(ctx, _OPEN_ITEMS, billing_account_id)


def credit_items(ctx: ServiceContext, billing_account_id: int) -> list[OpenItem]:
    """Return the credits that exceed what their own month still owes, oldest first; ``open_cents`` is that excess.

    A credit adjustment for a month already paid leaves a premium item below zero. What the
    same policy and month still has open takes the credit first. It needs no posting, as the
    month nets to zero, and the delinquency run and a reinstatement read the month that way.
    Only the excess is money the account has paid beyond what it owes for that month.
    """
    credits = [item for item in _items(ctx, _CREDIT_ITEMS, billing_account_id) if not item.is_fee]
    if not credits:
        return []
    still_open: dict[tuple[int | None, date | None], int] = defaultdict(int)
    for item in open_items(ctx, billing_account_id):
        if not item.is_fee:
            still_open[(item.policy_id, item.coverage_month)] += item.open_cents
    excesses = []
    for credit in credits:
        key = (credit.policy_id, credit.coverage_month)
        absorbed = min(-credit.open_cents, still_open[key])
        still_open[key] -= absorbed
        excess = -credit.open_cents - absorbed
        if excess > 0:
            excesses.append(replace(credit, open_cents=excess))
    return excesses


def credit_application_lines(
    credit: OpenItem, items: list[OpenItem], *, billing_account_id: int
) -> tuple[list[LineSpec], int]:
    """Lines that apply a credit's excess (from ``credit_items``) to other open premium, oldest first.

    The invoice that carried the credit counted it in its amount due, so paying that amount
    must leave nothing open. The credit's own month is left out: it already nets to zero.
    """
    others = [
        item
        for item in items
        if not item.is_fee and (item.policy_id, item.coverage_month) != (credit.policy_id, credit.coverage_month)
    ]
    lines, used = allocation_lines(others, credit.open_cents, billing_account_id=billing_account_id, premium_only=True)
    if used:
        lines.append(
            LineSpec(
                account=LedgerAccount.PREMIUM_RECEIVABLE,
                amount_cents=used,
                billing_account_id=billing_account_id,
                invoice_id=credit.invoice_id,
                invoice_line_id=credit.invoice_line_id,
                policy_id=credit.policy_id,
                person_id=credit.person_id,
                coverage_month=credit.coverage_month,
            )
        )
    return lines, used


def _items(ctx: ServiceContext, query: Select[tuple[object, ...]], billing_account_id: int) -> list[OpenItem]:
    rows = ctx.session.execute(query, {"billing_account_id": billing_account_id}).all()
    items = [
        OpenItem(
            invoice_id=invoice_id,
            due_date=due_date,
            policy_id=policy_id,
            person_id=person_id,
            coverage_month=month,
            invoice_line_id=fee_line if month is None else first_line,
            open_cents=int(total),
            is_subscriber=policy_id is not None and subscriber == person_id,
            policy_status=policy_status,
        )
        for invoice_id, due_date, policy_id, person_id, month, fee_line, first_line, total, subscriber, policy_status in rows
    ]
    items.sort(key=_application_order)
    return items


def _application_order(item: OpenItem) -> tuple[object, ...]:
    return (
        item.due_date or date.max,
        item.invoice_id or 0,
        item.is_fee,
        item.coverage_month or date.max,
        item.policy_id or 0,
        not item.is_subscriber,
        item.person_id or 0,
        item.invoice_line_id or 0,
    )


def allocation_lines(
    items: list[OpenItem],
    amount_cents: int,
    *,
    billing_account_id: int,
    payment_id: int | None = None,
    premium_only: bool = False,
) -> tuple[list[LineSpec], int]:
    """Credit lines against receivable items for up to ``amount_cents``, and the amount used.

    The caller adds the matching debit (cash clearing or unapplied credit) for the amount used.
    """
    remaining = amount_cents
    lines: list[LineSpec] = []
    for group in _month_groups(items):
        if remaining <= 0:
            break
        if premium_only and group[0].is_fee:
            continue
        group_open = sum(item.open_cents for item in group)
        portions = [item.open_cents for item in group] if remaining >= group_open else _split_partial(group, remaining)
        for item, portion in zip(group, portions, strict=True):
            if portion:
                lines.append(
                    LineSpec(
                        account=LedgerAccount.PREMIUM_RECEIVABLE,
                        amount_cents=-portion,
                        billing_account_id=billing_account_id,
                        invoice_id=item.invoice_id,
                        invoice_line_id=item.invoice_line_id,
                        payment_id=payment_id,
                        policy_id=item.policy_id,
                        person_id=item.person_id,
                        coverage_month=item.coverage_month,
                    )
                )
        remaining -= sum(portions)
    return lines, amount_cents - remaining


def _month_groups(items: list[OpenItem]) -> list[list[OpenItem]]:
    groups: dict[tuple[object, ...], list[OpenItem]] = defaultdict(list)
    order: list[tuple[object, ...]] = []
    for item in items:
        key = (item.invoice_id, item.coverage_month, item.policy_id) if not item.is_fee else ("fee", item.invoice_line_id, item.invoice_id)
        if key not in groups:
            order.append(key)
        groups[key].append(item)
    return [groups[key] for key in order]


def _split_partial(group: list[OpenItem], amount: int) -> list[int]:
    remainder_index = next((index for index, item in enumerate(group) if item.is_subscriber), 0)
    portions = split_cents(amount, [item.open_cents for item in group], remainder_index=remainder_index)
    # Rounding can push one portion a cent past its item; move that cent to the remainder item.
    for index, (item, portion) in enumerate(zip(group, portions, strict=True)):
        excess = portion - item.open_cents
        if excess > 0 and index != remainder_index:
            portions[index] -= excess
            portions[remainder_index] += excess
    return portions


def accounts_with_credit_items(ctx: ServiceContext, billing_account_ids: Sequence[int]) -> set[int]:
    """Return which of the accounts have a premium item a credit adjustment pushed below zero."""
    found: set[int] = set()
    for start in range(0, len(billing_account_ids), CREDIT_QUERY_CHUNK):
        chunk = list(billing_account_ids[start : start + CREDIT_QUERY_CHUNK])
        negative = (
            select(JournalLine.billing_account_id)
            .where(
                JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value,
                JournalLine.billing_account_id.in_(chunk),
                JournalLine.coverage_month.is_not(None),
            )
            .group_by(
                JournalLine.billing_account_id,
                JournalLine.invoice_id,
                JournalLine.policy_id,
                JournalLine.person_id,
                JournalLine.coverage_month,
            )
            .having(func.sum(JournalLine.amount_cents) < 0)
        )
        found.update(ctx.session.scalars(negative))
    return found


def open_amounts_on(ctx: ServiceContext, billing_account_id: int, as_of: date) -> list[tuple[date | None, int]]:
    """Return the due date and open amount of each item that was open on ``as_of``.

    The items are grouped as ``open_items`` groups them, from the journal entries dated on or
    before ``as_of`` only, so an aging for an earlier day leaves out later bills and payments.
    """
    is_fee = case((JournalLine.coverage_month.is_(None), JournalLine.invoice_line_id), else_=None)
    grouped = (
        select(JournalLine.invoice_id.label("invoice_id"), func.sum(JournalLine.amount_cents).label("total"))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(
            JournalLine.ledger_account == LedgerAccount.PREMIUM_RECEIVABLE.value,
            JournalLine.billing_account_id == billing_account_id,
            JournalEntry.entry_date <= as_of,
        )
        .group_by(JournalLine.invoice_id, JournalLine.policy_id, JournalLine.person_id, JournalLine.coverage_month, is_fee)
        .having(func.sum(JournalLine.amount_cents) > 0)
        .subquery("open_on")
    )
    rows = ctx.session.execute(
        select(Invoice.due_date, grouped.c.total).select_from(grouped).outerjoin(Invoice, Invoice.id == grouped.c.invoice_id)
    ).all()
    return [(due_date, int(total)) for due_date, total in rows]
