"""Which open items a payment may pay, and in what order (pure).

``premia.ledger.receivables`` orders an account's open items oldest first, premium before
fees. Two rules narrow that list before money is applied:

- A remittance line that names what it pays (an invoice, a policy, coverage months) pays
  only those items. What is left becomes unapplied credit, never another member's month.
- A binder may not be swallowed by old debt: while a policy waits for its first payment,
  the account's money goes to the pending policy's items first, and never to the balance
  of coverage that has ended (terminated or cancelled policies). The federal change that
  would have allowed it was stayed by a court on 2025-08-22, and Maryland's Exchange rules
  forbid it outright.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from premia.enrollment.model import PolicyStatus
from premia.ledger.receivables import OpenItem

ENDED_STATUSES = frozenset({PolicyStatus.TERMINATED.value, PolicyStatus.CANCELLED.value})


@dataclass(frozen=True)
class AllocationTarget:
    """The items a payment is meant for. An empty field matches any item.

    ``coverage_months`` holds first days of months.
    """

    invoice_id: int | None = None
    policy_id: int | None = None
    coverage_months: tuple[date, ...] = ()

    def matches(self, item: OpenItem) -> bool:
        if self.invoice_id is not None and item.invoice_id != self.invoice_id:
            return False
        if self.policy_id is not None and item.policy_id != self.policy_id:
            return False
        return not self.coverage_months or item.coverage_month in self.coverage_months


def payable_items(
    items: Sequence[OpenItem],
    *,
    target: AllocationTarget | None = None,
    policy_statuses: Mapping[int, str] | None = None,
) -> list[OpenItem]:
    """Return the items a payment may pay, in the order it pays them."""
    if target is not None:
        return [item for item in items if target.matches(item)]

    statuses = policy_statuses or {}
    pending = [item for item in items if statuses.get(item.policy_id or 0) == PolicyStatus.PENDING.value]
    if not pending:
        return list(items)
    others = [
        item
        for item in items
        if statuses.get(item.policy_id or 0) != PolicyStatus.PENDING.value
        and statuses.get(item.policy_id or 0) not in ENDED_STATUSES
    ]
    return pending + others


def policies_needing_status(items: Sequence[OpenItem]) -> set[int]:
    """Return the policies whose status can change the order, which matters only when items span several policies."""
    policy_ids = {item.policy_id for item in items if item.policy_id is not None}
    return policy_ids if len(policy_ids) > 1 else set()
