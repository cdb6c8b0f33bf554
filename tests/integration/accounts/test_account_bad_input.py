"""Bad input gives one error that names the field and value, and the call writes nothing.

Each test counts the rows of every accounts and audit table right after the error, in the same
session and without rolling back, so anything the failed call had flushed or left pending shows up.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from premia.accounts import person_service
from premia.accounts import service as accounts
from premia.accounts.model import (
    AccountInput,
    AccountKind,
    Address,
    BankAccountInput,
    BillingPreferences,
    EmployerGroupInput,
    PersonInput,
)
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, DomainError, ValidationError

pytestmark = pytest.mark.database

RowCounter = Callable[[Session], dict[str, int]]


def _assert_rejected(
    ctx: ServiceContext,
    count_rows: RowCounter,
    call: Callable[[], object],
    *,
    error_type: type[DomainError],
    code: str,
    field: str,
) -> DomainError:
    before = count_rows(ctx.session)

    with pytest.raises(error_type) as caught:
        call()

    assert count_rows(ctx.session) == before
    assert caught.value.code == code
    assert caught.value.field == field
    assert caught.value.hint
    return caught.value


def test_invalid_routing_number(
    ctx: ServiceContext,
    count_rows: RowCounter,
    individual: Callable[..., AccountInput],
    bank: Callable[..., BankAccountInput],
) -> None:
    account = accounts.create_account(ctx, individual())

    error = _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.add_bank_account(ctx, account.account_number, bank(routing_number="051000018")),
        error_type=ValidationError,
        code="bank_account.routing_number_invalid",
        field="routing_number",
    )

    assert error.value == "051000018"
    assert "051000018" in error.message
    assert error.record == f"billing_account {account.account_number}"


def test_birth_date_in_future(
    ctx: ServiceContext, count_rows: RowCounter, individual: Callable[..., AccountInput]
) -> None:
    # The context's clock reads 2026-03-02, so 2026-03-03 is tomorrow.
    error = _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.create_account(ctx, individual(birth_date=date(2026, 3, 3))),
        error_type=ValidationError,
        code="person.birth_date_in_future",
        field="birth_date",
    )

    assert error.value == "2026-03-03"
    assert "2026-03-03" in error.message


def test_unknown_state_code(
    ctx: ServiceContext, count_rows: RowCounter, individual: Callable[..., AccountInput]
) -> None:
    error = _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.create_account(
            ctx, individual(residential_address=Address("48 Oak Ave", "Richmond", "XV", "23220"))
        ),
        error_type=ValidationError,
        code="address.unknown_state",
        field="address.state",
    )

    assert error.value == "XV"
    assert "'XV'" in error.message


def test_duplicate_account(
    ctx: ServiceContext, count_rows: RowCounter, holder: Callable[..., PersonInput]
) -> None:
    person_service.create_person(ctx, holder(member_id="MBR-2001"))
    first = accounts.create_account(ctx, AccountInput(kind=AccountKind.INDIVIDUAL, holder_member_id="MBR-2001"))

    error = _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.create_account(ctx, AccountInput(kind=AccountKind.INDIVIDUAL, holder_member_id="MBR-2001")),
        error_type=ConflictError,
        code="account.duplicate",
        field="holder",
    )

    assert error.value == first.account_number
    assert first.account_number in error.message


def test_duplicate_member_id(ctx: ServiceContext, count_rows: RowCounter, holder: Callable[..., PersonInput]) -> None:
    person_service.create_person(ctx, holder(member_id="MBR-2002"))

    error = _assert_rejected(
        ctx,
        count_rows,
        lambda: person_service.create_person(ctx, holder(first_name="Other", member_id="MBR-2002")),
        error_type=ConflictError,
        code="person.duplicate_member_id",
        field="member_id",
    )

    assert error.value == "MBR-2002"


def test_missing_last_name(ctx: ServiceContext, count_rows: RowCounter, individual: Callable[..., AccountInput]) -> None:
    error = _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.create_account(ctx, individual(last_name="  ")),
        error_type=ValidationError,
        code="field.missing",
        field="last_name",
    )

    assert error.value == "  "


def test_missing_holder(ctx: ServiceContext, count_rows: RowCounter) -> None:
    _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.create_account(ctx, AccountInput(kind=AccountKind.INDIVIDUAL)),
        error_type=ValidationError,
        code="account.holder_missing",
        field="holder",
    )


def test_missing_employer_group(ctx: ServiceContext, count_rows: RowCounter) -> None:
    _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.create_account(ctx, AccountInput(kind=AccountKind.GROUP)),
        error_type=ValidationError,
        code="account.group_missing",
        field="employer_group_number",
    )


def test_missing_bank_holder_name(
    ctx: ServiceContext,
    count_rows: RowCounter,
    individual: Callable[..., AccountInput],
    bank: Callable[..., BankAccountInput],
) -> None:
    account = accounts.create_account(ctx, individual())
    accounts.add_bank_account(ctx, account.account_number, bank())

    _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.add_bank_account(ctx, account.account_number, bank(holder_name="")),
        error_type=ValidationError,
        code="field.missing",
        field="holder_name",
    )

    # The failed replacement left the first bank account active.
    view = accounts.get_account(ctx, account.account_number)
    assert [bank_view.status for bank_view in view.bank_accounts] == ["active"]


def test_invalid_ssn(ctx: ServiceContext, count_rows: RowCounter, individual: Callable[..., AccountInput]) -> None:
    error = _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.create_account(ctx, individual(ssn="666-12-3456")),
        error_type=ValidationError,
        code="person.invalid_ssn",
        field="ssn",
    )

    assert error.value is None
    assert "3456" not in str(error)


def test_unknown_sex_code(ctx: ServiceContext, count_rows: RowCounter, individual: Callable[..., AccountInput]) -> None:
    error = _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.create_account(ctx, individual(sex="X")),
        error_type=ValidationError,
        code="field.invalid_choice",
        field="sex",
    )

    assert error.value == "X"


def test_invalid_due_day(ctx: ServiceContext, count_rows: RowCounter, individual: Callable[..., AccountInput]) -> None:
    data = individual()

    error = _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.create_account(
            ctx, AccountInput(kind=data.kind, holder=data.holder, preferences=BillingPreferences(due_day=31))
        ),
        error_type=ValidationError,
        code="preferences.invalid_day",
        field="due_day",
    )

    assert error.value == 31


def test_invalid_group_zip(
    ctx: ServiceContext, count_rows: RowCounter, employer: Callable[..., EmployerGroupInput]
) -> None:
    error = _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.create_employer_group(
            ctx, employer(address=Address("100 Industrial Pkwy", "Norfolk", "VA", "2351"))
        ),
        error_type=ValidationError,
        code="address.invalid_zip",
        field="address.zip_code",
    )

    assert error.value == "2351"


def test_invalid_anniversary_month(
    ctx: ServiceContext, count_rows: RowCounter, employer: Callable[..., EmployerGroupInput]
) -> None:
    _assert_rejected(
        ctx,
        count_rows,
        lambda: accounts.create_employer_group(ctx, employer(anniversary_month=13)),
        error_type=ValidationError,
        code="field.invalid_month",
        field="anniversary_month",
    )


def test_failed_change_keeps_transaction_usable(
    ctx: ServiceContext, individual: Callable[..., AccountInput], bank: Callable[..., BankAccountInput]
) -> None:
    account = accounts.create_account(ctx, individual())
    with pytest.raises(ValidationError):
        accounts.add_bank_account(ctx, account.account_number, bank(routing_number="123"))

    view = accounts.add_bank_account(ctx, account.account_number, bank())

    assert view.status == "active"
