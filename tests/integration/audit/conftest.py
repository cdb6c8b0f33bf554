"""A policyholder account to read and change, and a bank account to add to it."""

from __future__ import annotations

from datetime import date

import pytest

from premia.accounts import service as accounts
from premia.accounts.model import (
    AccountInput,
    AccountKind,
    Address,
    AuthorizationMethod,
    BankAccountInput,
    BankAccountType,
    PersonInput,
    Sex,
)
from premia.infra.context import ServiceContext



@pytest.fixture
def account_number(ctx: ServiceContext) -> str:
    """An individual account for Maria Lopez (member MBR-5001, SSN 123-45-6789), opened by ``tester``."""
    holder = PersonInput(
        first_name="Maria",
        last_name="Lopez",
        birth_date=date(1980, 3, 15),
        sex=Sex.FEMALE,
        member_id="MBR-5001",
        ssn="123-45-6789",
        residential_address=Address("48 Oak Ave", "Richmond", "VA", "23220"),
        phone="804-555-0142",
    )
    return accounts.create_account(ctx, AccountInput(kind=AccountKind.INDIVIDUAL, holder=holder)).account_number


@pytest.fixture
def bank_input() -> BankAccountInput:
    return BankAccountInput(
        holder_name="Maria Lopez",
        routing_number="051000017",
        account_number="000123456789",
        account_type=BankAccountType.CHECKING,
        authorization_method=AuthorizationMethod.ONLINE,
        authorized_by="Maria Lopez",
    )
