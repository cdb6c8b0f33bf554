"""Households set up through the services, committed, for API tests to read and act on.

Subscriber A (born 1990-08-17, factor 1.222 at 35) and spouse B (born 1993-02-03, factor
1.183 at 32), rated on the policy's effective date 2026-01-01, on one off-exchange Virginia
silver plan with base rate 400.00: 400.00 x 1.222 + 400.00 x 1.183 = 488.80 + 473.20 = 962.00
a month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from premia.accounts import service as accounts
from premia.accounts.model import AuthorizationMethod, BankAccountInput, BankAccountType
from premia.accounts.model import PaymentMethod as AccountPaymentMethod
from premia.accounts.tables import Person
from premia.billing.tables import Invoice, InvoiceLine
from premia.enrollment.model import Relationship
from tests.integration.conftest import Story, story_catalog

MONTHLY_PREMIUM_CENTS = 96_200  # 488.80 + 473.20
ROUTING = "091000019"
BANK_NUMBER = "4455667788"


@dataclass(frozen=True)
class Household:
    account_number: str
    member_id: str
    spouse_member_id: str
    policy_number: str
    invoice_numbers: tuple[str, ...]
    line_ids: tuple[int, ...]


def couple(api, *, billed_through: date | None = date(2026, 1, 15), first_name: str = "Ana", autodraft: bool = False) -> Household:
    """The couple on a policy effective 2026-01-01, billed by running billing on each 15th up to ``billed_through``."""
    with api.services(username="setup") as ctx:
        story = Story(ctx=ctx, catalog=story_catalog())
        account = story.at(date(2025, 12, 1)).account(first_name=first_name, birth=date(1990, 8, 17))
        policy = story.policy(account, effective=date(2026, 1, 1))
        spouse = story.dependent(policy, first_name="B", birth=date(1993, 2, 3), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))
        if autodraft:
            on_autodraft(ctx, account.account_number)
        if billed_through is not None:
            day = date(2025, 12, 15)
            while day <= billed_through:
                story.bill(day)
                day = date(day.year + day.month // 12, day.month % 12 + 1, 15)
        invoices = list(ctx.session.scalars(select(Invoice).where(Invoice.billing_account_id == account.id).order_by(Invoice.period_start)))
        lines = list(
            ctx.session.scalars(
                select(InvoiceLine.id).where(InvoiceLine.billing_account_id == account.id, InvoiceLine.invoice_id.is_not(None)).order_by(InvoiceLine.id)
            )
        )
        holder = ctx.session.get(Person, account.person_id)
        spouse_person = ctx.session.get(Person, spouse.person_id)
        return Household(
            account_number=account.account_number,
            member_id=holder.member_id,
            spouse_member_id=spouse_person.member_id,
            policy_number=policy.policy_number,
            invoice_numbers=tuple(invoice.invoice_number for invoice in invoices),
            line_ids=tuple(lines),
        )


def on_autodraft(ctx, account_number: str) -> None:
    """Give the account a bank account with a paper authorization (PPD) and switch it to auto-draft."""
    accounts.add_bank_account(
        ctx,
        account_number,
        BankAccountInput(
            holder_name="Ana Subscriber",
            routing_number=ROUTING,
            account_number=BANK_NUMBER,
            account_type=BankAccountType.CHECKING,
            authorization_method=AuthorizationMethod.PAPER,
            authorized_by="Ana Subscriber",
        ),
    )
    accounts.update_preferences(ctx, account_number, {"payment_method": AccountPaymentMethod.ACH_AUTODRAFT})
