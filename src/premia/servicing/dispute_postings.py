"""Journal lines for a dispute's outcome (pure: works on open receivable items, writes nothing).

A credit for a disputed invoice line debits revenue for that line and credits what is
still owed on it. It goes first to the disputed member's own receivable, then to the rest
of the same coverage month on the same invoice, split as payments are, in proportion to
what each member still owes. That matters because a payment already spread over the
month's members leaves a little of each open, and the credit has to close all of it. Any
part of the credit that was already paid goes to the excess account, the payer's
unapplied credit in practice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from premia.kernel.money import split_cents
from premia.ledger.model import LedgerAccount, LineSpec
from premia.ledger.receivables import OpenItem, allocation_lines


@dataclass(frozen=True)
class CreditTarget:
    """The part of a decided amount that falls on one disputed item."""

    cents: int
    invoice_id: int | None = None
    invoice_line_id: int | None = None
    policy_id: int | None = None
    person_id: int | None = None
    coverage_month: date | None = None

    @property
    def is_fee(self) -> bool:
        return self.coverage_month is None


@dataclass(frozen=True)
class OutcomeLines:
    """The journal lines of an outcome and where the money that was already paid went."""

    lines: list[LineSpec]
    receivable_cents: int
    excess_cents: int


def shares_of(amount_cents: int, item_amounts: Sequence[int]) -> list[int]:
    """Split a decided amount over the disputed items in proportion to their amounts.

    The first item takes the rounding remainder; the parts add back to ``amount_cents``.
    """
    if amount_cents == 0:
        return [0 for _ in item_amounts]
    return split_cents(amount_cents, list(item_amounts), remainder_index=0)


def outcome_lines(
    targets: Sequence[CreditTarget],
    open_items: Sequence[OpenItem],
    *,
    billing_account_id: int,
    excess_account: LedgerAccount,
    memo: str,
) -> OutcomeLines:
    """Build the lines that credit ``targets``; what was already paid goes to ``excess_account``."""
    remaining = {_key(item): item.open_cents for item in open_items}
    lines: list[LineSpec] = []
    receivable = excess = 0

    for target in targets:
        if target.cents <= 0:
            continue
        lines.append(_revenue_line(target, billing_account_id, memo))
        credited = _credit_own_item(target, open_items, remaining, lines, billing_account_id, memo)
        credited += _credit_month_group(
            target, target.cents - credited, open_items, remaining, lines, billing_account_id
        )
        receivable += credited
        left = target.cents - credited
        if left:
            lines.append(
                LineSpec(
                    excess_account,
                    -left,
                    billing_account_id=billing_account_id,
                    invoice_id=target.invoice_id,
                    memo=memo,
                )
            )
            excess += left

    return OutcomeLines(lines=lines, receivable_cents=receivable, excess_cents=excess)


def _revenue_line(target: CreditTarget, billing_account_id: int, memo: str) -> LineSpec:
    return LineSpec(
        account=LedgerAccount.FEE_REVENUE if target.is_fee else LedgerAccount.PREMIUM_REVENUE,
        amount_cents=target.cents,
        billing_account_id=billing_account_id,
        invoice_id=target.invoice_id,
        invoice_line_id=target.invoice_line_id,
        policy_id=target.policy_id,
        person_id=target.person_id,
        coverage_month=target.coverage_month,
        memo=memo,
    )


def _credit_own_item(
    target: CreditTarget,
    open_items: Sequence[OpenItem],
    remaining: dict[tuple[object, ...], int],
    lines: list[LineSpec],
    billing_account_id: int,
    memo: str,
) -> int:
    credited = 0
    for item in open_items:
        if not _is_own_item(item, target):
            continue
        take = min(target.cents - credited, remaining[_key(item)])
        if take <= 0:
            continue
        remaining[_key(item)] -= take
        credited += take
        lines.append(
            LineSpec(
                account=LedgerAccount.PREMIUM_RECEIVABLE,
                amount_cents=-take,
                billing_account_id=billing_account_id,
                invoice_id=item.invoice_id,
                invoice_line_id=item.invoice_line_id,
                policy_id=item.policy_id,
                person_id=item.person_id,
                coverage_month=item.coverage_month,
                memo=memo,
            )
        )
    return credited


def _credit_month_group(
    target: CreditTarget,
    amount: int,
    open_items: Sequence[OpenItem],
    remaining: dict[tuple[object, ...], int],
    lines: list[LineSpec],
    billing_account_id: int,
) -> int:
    if amount <= 0 or target.is_fee:
        return 0
    group = [
        replace(item, open_cents=remaining[_key(item)])
        for item in open_items
        if not item.is_fee
        and item.invoice_id == target.invoice_id
        and item.policy_id == target.policy_id
        and item.coverage_month == target.coverage_month
        and remaining[_key(item)] > 0
    ]
    if not group:
        return 0
    group_lines, used = allocation_lines(group, amount, billing_account_id=billing_account_id)
    for line in group_lines:
        key = (line.invoice_id, line.policy_id, line.person_id, line.coverage_month, None)
        remaining[key] += line.amount_cents
    lines.extend(group_lines)
    return used


def _is_own_item(item: OpenItem, target: CreditTarget) -> bool:
    if target.is_fee:
        return item.is_fee and item.invoice_line_id == target.invoice_line_id
    return (
        not item.is_fee
        and item.invoice_id == target.invoice_id
        and item.policy_id == target.policy_id
        and item.person_id == target.person_id
        and item.coverage_month == target.coverage_month
    )


def _key(item: OpenItem) -> tuple[object, ...]:
    return (
        item.invoice_id,
        item.policy_id,
        item.person_id,
        item.coverage_month,
        item.invoice_line_id if item.is_fee else None,
    )
