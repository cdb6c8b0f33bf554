"""How much to draft from an auto-draft account, and when (pure).

A file built on day D carries entries effective ``lead`` banking days later. An invoice
is drafted once its draft date is on or before that effective date: its due date, or the
account's auto-draft day in the month of the due date. The draft is for the premium then
open on those invoices, capped by what the account owes in all, credits included. Pending
drafts and amounts waiting to be presented again after an R01 or R09 return are taken
off, and so is the credit of a termination, cancellation or plan change that the bill
run has not posted yet, so premium the coverage no longer owes is not drafted. Fees already shown on an invoice go
in a separate entry described RETURN FEE, as NACHA requires for return fees. A $0.00
amount gives no entry.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date

from premia.kernel.banking_days import add_banking_days, next_banking_day


@dataclass(frozen=True)
class OpenInvoice:
    invoice_id: int
    invoice_number: str
    due_date: date
    open_premium_cents: int


@dataclass(frozen=True)
class DraftState:
    """One account's open invoices, balance and drafts in flight, read from the journal and the ACH entries."""

    open_invoices: tuple[OpenInvoice, ...]
    invoiced_fee_cents: int
    balance_cents: int
    pending_premium_cents: int
    pending_fee_cents: int
    awaiting_representment_cents: int
    unposted_credit_cents: int = 0

    @property
    def owed_cents(self) -> int:
        """What the account owes in all once the credits still to be posted are counted, never below 0."""
        return max(0, self.balance_cents - self.unposted_credit_cents)

    @property
    def premium_owed_cents(self) -> int:
        """The premium the account owes, at most ``owed_cents``.

        The credit still to be posted is premium the coverage no longer owes, so it comes off
        the open premium, and an invoiced fee left over is drafted as a fee (RETURN FEE).
        """
        open_premium = sum(invoice.open_premium_cents for invoice in self.open_invoices)
        return min(max(0, open_premium - self.unposted_credit_cents), self.owed_cents)


@dataclass(frozen=True)
class DraftAmounts:
    premium_cents: int
    fee_cents: int
    # The newest invoice drafted. Its number becomes the entry's individual id.
    invoice: OpenInvoice | None


def effective_date_for(as_of: date, lead_banking_days: int) -> date:
    return add_banking_days(as_of, lead_banking_days)


def draft_date_for(due_date: date, autodraft_day: int | None) -> date:
    """Return the banking day an invoice is drafted: its due date, or the account's day in the due month."""
    if autodraft_day is None:
        return next_banking_day(due_date)
    last = calendar.monthrange(due_date.year, due_date.month)[1]
    return next_banking_day(date(due_date.year, due_date.month, min(autodraft_day, last)))


def draft_amounts(state: DraftState, *, autodraft_day: int | None, effective_date: date) -> DraftAmounts:
    """Compute what to draft now: the premium of invoices whose draft date has come, and invoiced fees."""
    due = [invoice for invoice in state.open_invoices if draft_date_for(invoice.due_date, autodraft_day) <= effective_date]
    due_premium = sum(invoice.open_premium_cents for invoice in due)
    owed = state.owed_cents

    premium_cap = min(due_premium, state.premium_owed_cents)
    premium = max(0, premium_cap - state.pending_premium_cents - state.awaiting_representment_cents)
    fee_room = max(0, owed - premium_cap)
    fee = max(0, min(state.invoiced_fee_cents, fee_room) - state.pending_fee_cents)
    newest = max(due, key=lambda invoice: (invoice.due_date, invoice.invoice_id), default=None)
    return DraftAmounts(premium_cents=premium, fee_cents=fee, invoice=newest)


def prenotification_invoices(
    state: DraftState, *, autodraft_day: int | None, effective_date: date, notify_through: date
) -> list[tuple[OpenInvoice, date]]:
    """List the invoices whose draft date falls after this file and on or before ``notify_through``, with that date.

    Each invoice's amount is capped by what the account still owes after the invoices due
    before it, so a credit waiting to be posted lowers, or removes, the amount announced.
    """
    upcoming = []
    owed = state.premium_owed_cents
    # Open invoices come oldest first, and each takes its share of what is owed before the next.
    for invoice in state.open_invoices:
        amount = min(invoice.open_premium_cents, owed)
        owed -= amount
        drafted_on = draft_date_for(invoice.due_date, autodraft_day)
        if effective_date < drafted_on <= notify_through and amount > 0:
            upcoming.append((replace(invoice, open_premium_cents=amount), drafted_on))
    return upcoming
