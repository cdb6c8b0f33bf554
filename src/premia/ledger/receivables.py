"""Open receivables of a billing account and applying money to them, oldest first.

An open item is one member's net premium for one coverage month on one invoice (premium
less APTC), or one fee. Money is applied to invoices oldest first and, inside an invoice,
to premium before fees, so an unpaid fee never holds up a month's coverage. When money runs
out inside a coverage month it is split over that month's members in proportion to what
each still owes, the subscriber's item taking the rounding remainder.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, bindparam, case, func, select

from premia.billing.tables import Invoice
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.money import split_cents
from premia.ledger.model import LedgerAccount, LineSpec
from premia.ledger.tables import JournalEntry, JournalLine


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


def _open_items_query() -> Select[tuple[object, ...]]:
    """Build the query of an account's open items with their due dates, subscribers and policy statuses.

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
        .having(func.sum(JournalLine.amount_cents) > 0)
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


def open_items(ctx: ServiceContext, billing_account_id: int) -> list[OpenItem]:
    """Receivable items with a positive open amount, in the order money is applied to them."""
    rows = ctx.session.execute(_OPEN_ITEMS, {"billing_account_id": billing_account_id}).all()
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
