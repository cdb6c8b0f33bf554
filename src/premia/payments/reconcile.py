"""Daily reconciliation: bank credits against the receipts Premia posted, per bank account.

The bank side is the USD credits of imported BAI2 and camt statements booked that day.
Premia's side is the cash clearing movements of receipts dated that day (payments, money
put in suspense, Exchange remittances), grouped by the bank account each was posted to.
A day and account balance when the two totals agree. Otherwise the difference is listed
together with the statement credits that no Premia posting was made from, because those
are where a person starts looking.

A bank may book a deposit a day or more after the receipts it stands for, as with a
lockbox deposit credited the day after its batch. A credit recognized as such receipts
carries their day, so it is counted on that day rather than on the day it was booked. The
report shows it as booked later on the receipts' day, and as booked for an earlier day on
the booking day. Both days then balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from premia.infra.context import ServiceContext
from premia.kernel.money import format_cents
from premia.ledger.payables import cash_received
from premia.payments.tables import BankStatementLine
from premia.staff.permissions import Permission

USD = "USD"
# How many days after its receipts a bank may book the deposit that stands for them.
LATER_BOOKING_DAYS = 5


@dataclass(frozen=True)
class AccountDay:
    """One bank account's day: the credits booked, the receipts posted, and the credits booked on other days.

    ``for_earlier_cents`` is the part of the day's credits that stands for receipts of an
    earlier day. ``booked_later_cents`` is what later credits stand for among this day's receipts.
    """

    bank_account: str
    deposits_cents: int
    deposit_count: int
    receipts_cents: int
    for_earlier_cents: int = 0
    booked_later_cents: int = 0

    @property
    def difference_cents(self) -> int:
        """Bank credits for this day less Premia receipts: positive when the bank shows money Premia has not posted."""
        return self.deposits_cents - self.for_earlier_cents + self.booked_later_cents - self.receipts_cents

    def to_dict(self) -> dict[str, Any]:
        return {
            "bank_account": self.bank_account,
            "deposits": format_cents(self.deposits_cents, thousands=False),
            "deposit_count": self.deposit_count,
            "deposits_for_earlier_days": format_cents(self.for_earlier_cents, thousands=False),
            "deposits_booked_later": format_cents(self.booked_later_cents, thousands=False),
            "receipts": format_cents(self.receipts_cents, thousands=False),
            "difference": format_cents(self.difference_cents, thousands=False),
        }


@dataclass
class ReconciliationReport:
    on: date
    accounts: list[AccountDay] = field(default_factory=list)
    unposted_credits: list[dict[str, Any]] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return all(row.difference_cents == 0 for row in self.accounts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.on.isoformat(),
            "balanced": self.balanced,
            "accounts": [row.to_dict() for row in self.accounts],
            "differences": [row.to_dict() for row in self.accounts if row.difference_cents],
            "unposted_credits": self.unposted_credits,
        }


def reconcile(ctx: ServiceContext, *, on: date) -> ReconciliationReport:
    """Compare the day's bank credits with the day's receipts, per bank account."""
    ctx.require(Permission.RECONCILE_RUN)
    deposits = {
        account: (int(total), int(count))
        for account, total, count in ctx.session.execute(
            select(BankStatementLine.bank_account, func.sum(BankStatementLine.amount_cents), func.count(BankStatementLine.id))
            .where(BankStatementLine.booked_on == on, BankStatementLine.is_credit.is_(True), BankStatementLine.currency == USD)
            .group_by(BankStatementLine.bank_account)
        )
    }
    receipts = cash_received(ctx, on)
    for_earlier = _recognized_credits(ctx, BankStatementLine.booked_on == on, BankStatementLine.receipts_on < on)
    booked_later = _recognized_credits(
        ctx,
        BankStatementLine.booked_on > on,
        BankStatementLine.booked_on <= on + timedelta(days=LATER_BOOKING_DAYS),
        BankStatementLine.receipts_on == on,
    )
    report = ReconciliationReport(on=on)
    for account in sorted(set(deposits) | set(receipts) | set(booked_later)):
        total, count = deposits.get(account, (0, 0))
        report.accounts.append(
            AccountDay(
                account,
                total,
                count,
                receipts.get(account, 0),
                for_earlier.get(account, 0),
                booked_later.get(account, 0),
            )
        )

    unposted = ctx.session.scalars(
        select(BankStatementLine)
        .where(
            BankStatementLine.booked_on == on,
            BankStatementLine.is_credit.is_(True),
            BankStatementLine.currency == USD,
            BankStatementLine.payment_id.is_(None),
            BankStatementLine.suspense_item_id.is_(None),
        )
        .order_by(BankStatementLine.bank_account, BankStatementLine.id)
    )
    report.unposted_credits = [
        {
            "bank_account": line.bank_account,
            "amount": format_cents(line.amount_cents, thousands=False),
            "type_code": line.type_code,
            "bank_reference": line.bank_reference,
            "reference": line.reference_text,
            "recognized_as": line.recognized_as,
        }
        for line in unposted
    ]
    return report


def _recognized_credits(ctx: ServiceContext, *conditions: Any) -> dict[str, int]:
    """Sum the USD credits recognized as receipts of a known day, per bank account, under ``conditions``."""
    rows = ctx.session.execute(
        select(BankStatementLine.bank_account, func.sum(BankStatementLine.amount_cents))
        .where(
            BankStatementLine.is_credit.is_(True),
            BankStatementLine.currency == USD,
            BankStatementLine.receipts_on.is_not(None),
            *conditions,
        )
        .group_by(BankStatementLine.bank_account)
    )
    return {account: int(total) for account, total in rows}
