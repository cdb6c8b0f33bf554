"""Inputs for account tests: a policyholder, an employer group, a bank account, and a row counter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from premia.accounts.model import (
    AccountInput,
    AccountKind,
    Address,
    AuthorizationMethod,
    BankAccountInput,
    BankAccountType,
    EmployerGroupInput,
    PersonInput,
    Sex,
)
from premia.accounts.tables import BankAccount, BillingAccount, EmployerGroup, Person, PersonHistory
from premia.audit.tables import AuditEntry

SSN = "123-45-6789"
BANK_NUMBER = "000123456789"
ROUTING = "051000017"


@pytest.fixture
def holder() -> Callable[..., PersonInput]:
    """Build a policyholder; keyword arguments replace the defaults."""

    def build(**changes: Any) -> PersonInput:
        person = PersonInput(
            first_name="Maria",
            last_name="Lopez",
            birth_date=date(1980, 3, 15),
            sex=Sex.FEMALE,
            ssn=SSN,
            residential_address=Address("48 Oak Ave", "Richmond", "VA", "23220", line2="Apt 2"),
            phone="804-555-0142",
            email="maria.lopez@example.org",
        )
        return replace(person, **changes)

    return build


@pytest.fixture
def individual(holder: Callable[..., PersonInput]) -> Callable[..., AccountInput]:
    def build(**changes: Any) -> AccountInput:
        return AccountInput(kind=AccountKind.INDIVIDUAL, holder=holder(**changes))

    return build


@pytest.fixture
def employer() -> Callable[..., EmployerGroupInput]:
    def build(group_number: str = "G-0901", name: str = "Riverside Machine Works", **changes: Any) -> EmployerGroupInput:
        group = EmployerGroupInput(
            group_number=group_number,
            name=name,
            anniversary_month=9,
            address=Address("100 Industrial Pkwy", "Norfolk", "VA", "23510"),
            contact_email="benefits@riverside.example",
        )
        return replace(group, **changes)

    return build


@pytest.fixture
def bank() -> Callable[..., BankAccountInput]:
    def build(**changes: Any) -> BankAccountInput:
        data = BankAccountInput(
            holder_name="Maria Lopez",
            routing_number=ROUTING,
            account_number=BANK_NUMBER,
            account_type=BankAccountType.CHECKING,
            authorization_method=AuthorizationMethod.TELEPHONE,
            authorized_by="Maria Lopez",
            authorization_reference="call 2026-0142",
        )
        return replace(data, **changes)

    return build


COUNTED_TABLES = [Person, PersonHistory, EmployerGroup, BillingAccount, BankAccount, AuditEntry]


@pytest.fixture
def count_rows() -> Callable[[Session], dict[str, int]]:
    """Count the rows of each accounts and audit table, including rows the session has not flushed.

    The count query autoflushes, so an object that a failed call left pending is counted too.
    """

    def count(session: Session) -> dict[str, int]:
        return {
            table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
            for table in COUNTED_TABLES
        }

    return count

