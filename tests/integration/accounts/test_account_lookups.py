"""Finding accounts by account number, member ID, name with date of birth, and employer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, AccountKind, EmployerGroupInput
from premia.infra.context import ServiceContext
from premia.kernel.errors import ValidationError

pytestmark = pytest.mark.database


@pytest.fixture
def book(
    ctx: ServiceContext,
    individual: Callable[..., AccountInput],
    employer: Callable[..., EmployerGroupInput],
) -> dict[str, str]:
    """Open three individual accounts (two Lopez namesakes) and two employer accounts, and return their numbers."""
    maria = accounts.create_account(ctx, individual(member_id="MBR-1001"))
    jose = accounts.create_account(
        ctx, individual(first_name="Jose", birth_date=date(1978, 7, 4), member_id="MBR-1002", ssn=None)
    )
    ana = accounts.create_account(
        ctx, individual(first_name="Ana", last_name="Smith", birth_date=date(1980, 3, 15), member_id="MBR-1003", ssn=None)
    )
    accounts.create_employer_group(ctx, employer())
    accounts.create_employer_group(ctx, employer("G-0777", "Harbor Freight Lines"))
    riverside = accounts.create_account(ctx, AccountInput(kind=AccountKind.GROUP, employer_group_number="G-0901"))
    harbor = accounts.create_account(ctx, AccountInput(kind=AccountKind.GROUP, employer_group_number="G-0777"))
    return {
        "maria": maria.account_number,
        "jose": jose.account_number,
        "ana": ana.account_number,
        "riverside": riverside.account_number,
        "harbor": harbor.account_number,
    }


def _numbers(views: list) -> list[str]:  # type: ignore[type-arg]
    return [view.account_number for view in views]


def test_by_account_number(ctx: ServiceContext, book: dict[str, str]) -> None:
    assert _numbers(accounts.find_accounts(ctx, account_number=book["jose"])) == [book["jose"]]


def test_by_account_number_any_case(ctx: ServiceContext, book: dict[str, str]) -> None:
    assert _numbers(accounts.find_accounts(ctx, account_number=f" {book['jose'].lower()} ")) == [book["jose"]]


def test_by_member_id(ctx: ServiceContext, book: dict[str, str]) -> None:
    views = accounts.find_accounts(ctx, member_id="MBR-1003")

    assert _numbers(views) == [book["ana"]]
    assert views[0].holder is not None
    assert views[0].holder.full_name == "Ana Smith"


def test_by_name_and_birth_date(ctx: ServiceContext, book: dict[str, str]) -> None:
    # Two Lopez holders: only Maria was born on 1980-03-15.
    assert _numbers(accounts.find_accounts(ctx, last_name="lopez", birth_date="1980-03-15")) == [book["maria"]]


def test_by_name_birth_date_as_date(ctx: ServiceContext, book: dict[str, str]) -> None:
    found = accounts.find_accounts(ctx, last_name="Lopez", birth_date=date(1978, 7, 4))  # type: ignore[arg-type]

    assert _numbers(found) == [book["jose"]]


def test_first_name_narrows(ctx: ServiceContext, book: dict[str, str]) -> None:
    assert accounts.find_accounts(ctx, last_name="Lopez", first_name="JOSE", birth_date="1980-03-15") == []
    assert _numbers(accounts.find_accounts(ctx, last_name="Lopez", first_name="maria", birth_date="1980-03-15")) == [
        book["maria"]
    ]


def test_name_needs_birth_date(ctx: ServiceContext, book: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as caught:
        accounts.find_accounts(ctx, last_name="Lopez")

    assert caught.value.code == "search.name_needs_birth_date"
    assert caught.value.field == "birth_date"


def test_birth_date_needs_name(ctx: ServiceContext, book: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as caught:
        accounts.find_accounts(ctx, birth_date="1980-03-15")

    assert caught.value.field == "last_name"


def test_invalid_birth_date_named(ctx: ServiceContext, book: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as caught:
        accounts.find_accounts(ctx, last_name="Lopez", birth_date="03/15/1980")

    assert caught.value.field == "birth_date"
    assert caught.value.value == "03/15/1980"


def test_by_employer_number(ctx: ServiceContext, book: dict[str, str]) -> None:
    assert _numbers(accounts.find_accounts(ctx, employer="G-0777")) == [book["harbor"]]


def test_by_employer_name_part(ctx: ServiceContext, book: dict[str, str]) -> None:
    assert _numbers(accounts.find_accounts(ctx, employer="riverside")) == [book["riverside"]]


def test_member_id_with_name(ctx: ServiceContext, book: dict[str, str]) -> None:
    found = accounts.find_accounts(ctx, member_id="MBR-1001", last_name="Lopez", birth_date="1980-03-15")

    assert _numbers(found) == [book["maria"]]


def test_no_match_is_empty(ctx: ServiceContext, book: dict[str, str]) -> None:
    assert accounts.find_accounts(ctx, member_id="MBR-0000") == []


def test_limit(ctx: ServiceContext, book: dict[str, str]) -> None:
    assert len(accounts.find_accounts(ctx, limit=2)) == 2


@pytest.mark.parametrize("pattern", ["L%", "Lop_z", "%"])
def test_name_wildcards_are_text(ctx: ServiceContext, book: dict[str, str], pattern: str) -> None:
    assert accounts.find_accounts(ctx, last_name=pattern, birth_date="1980-03-15") == []


def test_employer_wildcard_is_text(ctx: ServiceContext, book: dict[str, str]) -> None:
    assert accounts.find_accounts(ctx, employer="%") == []
    assert _numbers(accounts.find_accounts(ctx, employer="freight")) == [book["harbor"]]
