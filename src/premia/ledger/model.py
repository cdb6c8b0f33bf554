"""The chart of accounts and the rules a journal entry must satisfy (pure).

Amounts are integer cents, positive for a debit and negative for a credit, so an entry is
balanced when its lines sum to zero. Receivable and credit accounts are kept per billing
account (the sub-ledger) through each line's ``billing_account_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from premia.kernel.errors import ValidationError


class LedgerAccount(StrEnum):
    """Premia's chart of accounts. The value is the account code used in reports and exports."""

    CASH_CLEARING = "1010"
    PREMIUM_RECEIVABLE = "1100"
    APTC_RECEIVABLE = "1200"
    UNAPPLIED_CREDIT = "2100"
    SUSPENSE = "2200"
    REFUNDS_PAYABLE = "2300"
    PREMIUM_REVENUE = "4000"
    FEE_REVENUE = "4100"
    WRITE_OFFS = "5100"

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    LedgerAccount.CASH_CLEARING: "Cash clearing",
    LedgerAccount.PREMIUM_RECEIVABLE: "Premium receivable",
    LedgerAccount.APTC_RECEIVABLE: "APTC receivable from the exchange",
    LedgerAccount.UNAPPLIED_CREDIT: "Unapplied member credit",
    LedgerAccount.SUSPENSE: "Suspense (unidentified receipts)",
    LedgerAccount.REFUNDS_PAYABLE: "Refunds payable",
    LedgerAccount.PREMIUM_REVENUE: "Premium revenue",
    LedgerAccount.FEE_REVENUE: "Fee revenue",
    LedgerAccount.WRITE_OFFS: "Premium write-offs",
}


class EntryKind(StrEnum):
    INVOICE = "invoice"
    PAYMENT = "payment"
    ALLOCATION = "allocation"
    RETURN = "return"
    REVERSAL = "reversal"
    ADJUSTMENT = "adjustment"
    FEE = "fee"
    REFUND = "refund"
    WRITE_OFF = "write_off"
    SUSPENSE = "suspense"
    APTC_REMITTANCE = "aptc_remittance"


@dataclass(frozen=True)
class LineSpec:
    """One side of a journal entry, with the records it belongs to."""

    account: LedgerAccount
    amount_cents: int
    billing_account_id: int | None = None
    invoice_id: int | None = None
    invoice_line_id: int | None = None
    payment_id: int | None = None
    policy_id: int | None = None
    person_id: int | None = None
    coverage_month: date | None = None
    cash_account: str | None = None
    memo: str | None = None


def check_balanced(lines: Sequence[LineSpec], *, record: str) -> None:
    """Raise unless the entry has at least two lines, all in whole cents, summing to zero."""
    if len(lines) < 2:
        raise ValidationError(
            code="ledger.too_few_lines",
            message=f"{record} has {len(lines)} line(s); a journal entry needs a debit and a credit.",
            record=record,
            field="lines",
        )
    for line in lines:
        if isinstance(line.amount_cents, bool) or not isinstance(line.amount_cents, int):
            raise TypeError(f"{record}: journal amounts must be int cents, got {line.amount_cents!r}")
    total = sum(line.amount_cents for line in lines)
    if total != 0:
        raise ValidationError(
            code="ledger.unbalanced",
            message=f"{record} is out of balance by {total} cents.",
            record=record,
            field="lines",
            value=total,
            hint="Debits (positive) and credits (negative) must sum to zero.",
        )
