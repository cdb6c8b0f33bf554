"""SSNs and bank account numbers are encrypted at rest and masked in every view."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict

import pytest
from sqlalchemy import text

from premia.accounts import person_service
from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, BankAccountInput, ChangeSource, PersonInput
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError

pytestmark = pytest.mark.database

SSN_DIGITS = "123456789"
BANK_NUMBER = "000123456789"


def _raw_rows(ctx: ServiceContext, table: str) -> list[dict[str, object]]:
    """Return every column of every row as stored, read with plain SQL."""
    ctx.session.flush()
    result = ctx.session.execute(text(f"SELECT * FROM {table}"))
    return [dict(row._mapping) for row in result]


def _raw_text(ctx: ServiceContext, *tables: str) -> str:
    return json.dumps([_raw_rows(ctx, table) for table in tables], default=str)


def test_ssn_encrypted_at_rest(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    account = accounts.create_account(ctx, individual(ssn="123-45-6789"))

    (row,) = _raw_rows(ctx, "persons")
    stored = _raw_text(ctx, "persons", "person_history", "billing_accounts", "audit_log")
    assert SSN_DIGITS not in stored
    assert "123-45-6789" not in stored
    assert row["ssn_last4"] == "6789"
    assert row["ssn_ciphertext"] != SSN_DIGITS
    assert ctx.cipher.decrypt(str(row["ssn_ciphertext"])) == SSN_DIGITS
    assert row["ssn_index"] == ctx.cipher.blind_index(SSN_DIGITS)
    assert account.person_id == row["id"]


def test_bank_number_encrypted_at_rest(
    ctx: ServiceContext, individual: Callable[..., AccountInput], bank: Callable[..., BankAccountInput]
) -> None:
    account = accounts.create_account(ctx, individual(ssn=None))

    accounts.add_bank_account(ctx, account.account_number, bank(account_number=BANK_NUMBER))

    (row,) = _raw_rows(ctx, "bank_accounts")
    stored = _raw_text(ctx, "bank_accounts", "billing_accounts", "audit_log")
    assert BANK_NUMBER not in stored
    assert "123456789" not in stored
    assert row["account_last4"] == "6789"
    assert ctx.cipher.decrypt(str(row["account_number_ciphertext"])) == BANK_NUMBER


def test_account_view_masks(
    ctx: ServiceContext, individual: Callable[..., AccountInput], bank: Callable[..., BankAccountInput]
) -> None:
    account = accounts.create_account(ctx, individual(ssn="123-45-6789"))
    accounts.add_bank_account(ctx, account.account_number, bank(account_number=BANK_NUMBER))

    view = accounts.get_account(ctx, account.account_number)

    shown = json.dumps(view.to_dict(), default=str)
    assert view.holder is not None
    assert view.holder.ssn == "•••-••-6789"
    assert view.bank_accounts[0].account_number == "••••6789"
    assert SSN_DIGITS not in shown
    assert BANK_NUMBER not in shown


def test_search_results_mask(
    ctx: ServiceContext, individual: Callable[..., AccountInput], bank: Callable[..., BankAccountInput]
) -> None:
    account = accounts.create_account(ctx, individual(ssn="123-45-6789"))
    accounts.add_bank_account(ctx, account.account_number, bank(account_number=BANK_NUMBER))

    views = accounts.find_accounts(ctx, last_name="Lopez", birth_date="1980-03-15")

    shown = json.dumps([view.to_dict() for view in views], default=str)
    assert len(views) == 1
    assert SSN_DIGITS not in shown
    assert BANK_NUMBER not in shown


def test_person_view_masks(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    account = accounts.create_account(ctx, individual(ssn="123-45-6789"))
    view = accounts.get_account(ctx, account.account_number)
    assert view.holder is not None

    person = person_service.get_person(ctx, view.holder.member_id)

    assert person.ssn == "•••-••-6789"
    assert SSN_DIGITS not in json.dumps(asdict(person), default=str)


def test_ssn_change_history_masked(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    account = accounts.create_account(ctx, individual(ssn="123-45-6789"))
    member_id = accounts.get_account(ctx, account.account_number).holder.member_id  # type: ignore[union-attr]

    person_service.update_person(ctx, member_id, {"ssn": "234-56-7890"})

    stored = _raw_text(ctx, "persons", "person_history", "audit_log")
    history = person_service.person_history(ctx, member_id)
    assert "234567890" not in stored
    assert "234-56-7890" not in stored
    assert SSN_DIGITS not in stored
    assert history[-1]["field"] == "ssn"
    assert history[-1]["old_value"] == "•••-••-6789"
    assert history[-1]["new_value"] == "•••-••-7890"


def test_no_ssn_stored_as_null(ctx: ServiceContext, individual: Callable[..., AccountInput]) -> None:
    accounts.create_account(ctx, individual(ssn=None))

    (row,) = _raw_rows(ctx, "persons")
    assert row["ssn_ciphertext"] is None
    assert row["ssn_last4"] is None
    assert row["ssn_index"] is None


def test_known_ssn_not_created_twice(ctx: ServiceContext, holder: Callable[..., PersonInput]) -> None:
    first = person_service.create_person(ctx, holder())

    with pytest.raises(ConflictError) as caught:
        person_service.create_person(ctx, holder(first_name="Mara"))

    # The member ID helps staff find the record; the SSN itself is never repeated.
    assert caught.value.code == "person.duplicate_ssn"
    assert caught.value.field == "ssn"
    assert first.member_id in caught.value.message
    assert SSN_DIGITS[-4:] not in caught.value.message


def test_834_keeps_its_own_ssn_rules(ctx: ServiceContext, holder: Callable[..., PersonInput]) -> None:
    person_service.create_person(ctx, holder())

    second = person_service.create_person(ctx, holder(first_name="Mara"), source=ChangeSource.ENROLLMENT_834)

    assert second.ssn_last4 == SSN_DIGITS[-4:]
