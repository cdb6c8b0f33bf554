"""Every read and change of member data leaves an audit row. Auditors and admins read the log, other roles cannot."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from premia.accounts import person_service
from premia.accounts import service as accounts
from premia.accounts.model import BankAccountInput, EmployerGroupInput
from premia.accounts.model import Address as AddressInput
from premia.accounts.tables import BankAccount
from premia.audit import service as audit
from premia.audit.tables import AuditEntry
from premia.infra.context import ServiceContext
from premia.kernel.errors import PermissionDeniedError
from premia.staff.permissions import Role
from tests.conftest import make_context

pytestmark = pytest.mark.database

MONDAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
WEDNESDAY = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


def _rows(ctx: ServiceContext) -> list[AuditEntry]:
    ctx.session.flush()
    return list(ctx.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _new_rows(ctx: ServiceContext, call: Callable[[], object]) -> list[AuditEntry]:
    """Run ``call`` and return the audit rows it added."""
    seen = {row.id for row in _rows(ctx)}
    call()
    return [row for row in _rows(ctx) if row.id not in seen]


def test_account_creation_audited(ctx: ServiceContext, account_number: str) -> None:
    person_row, account_row = _rows(ctx)

    assert person_row.action == "create"
    assert person_row.record_type == "person"
    assert person_row.record_id == "MBR-5001"
    assert "ssn" in (person_row.fields or [])
    assert "birth_date" in (person_row.fields or [])
    assert account_row.action == "create"
    assert account_row.record_type == "billing_account"
    assert account_row.record_id == account_number
    assert "payment_method" in (account_row.fields or [])
    assert account_row.username == "tester"
    assert account_row.role == "admin"
    assert account_row.channel == "test"
    assert account_row.occurred_at == MONDAY


def test_get_account_audited(
    ctx: ServiceContext, account_number: str
) -> None:
    csr = make_context(ctx.session, role=Role.CSR, username="casey", instant=TUESDAY)

    (row,) = _new_rows(ctx, lambda: accounts.get_account(csr, account_number))

    assert row.action == "read"
    assert row.record_type == "billing_account"
    assert row.record_id == account_number
    assert row.username == "casey"
    assert row.role == "csr"
    assert row.occurred_at == TUESDAY
    assert row.fields == ["holder", "holder_name", "preferences"]


def test_find_accounts_audited(ctx: ServiceContext, account_number: str) -> None:
    (row,) = _new_rows(ctx, lambda: accounts.find_accounts(ctx, member_id="MBR-5001"))

    assert row.action == "search"
    assert row.record_id == account_number
    assert row.username == "tester"
    assert "holder" in (row.fields or [])


def test_empty_search_writes_nothing(ctx: ServiceContext, account_number: str) -> None:
    assert _new_rows(ctx, lambda: accounts.find_accounts(ctx, member_id="MBR-0000")) == []


def test_get_person_audited(ctx: ServiceContext, account_number: str) -> None:
    (row,) = _new_rows(ctx, lambda: person_service.get_person(ctx, "MBR-5001"))

    assert row.action == "read"
    assert row.record_type == "person"
    assert row.record_id == "MBR-5001"
    assert "ssn" in (row.fields or [])
    assert "mailing_address" not in (row.fields or [])


def test_person_history_read_audited(ctx: ServiceContext, account_number: str) -> None:
    (row,) = _new_rows(ctx, lambda: person_service.person_history(ctx, "MBR-5001"))

    assert row.action == "read"
    assert row.fields == ["history"]


def test_preference_change_audited(ctx: ServiceContext, account_number: str) -> None:
    (row,) = _new_rows(
        ctx, lambda: accounts.update_preferences(ctx, account_number, {"due_day": 15, "payment_mode": "quarterly"})
    )

    assert row.action == "update"
    assert row.record_type == "billing_account"
    assert row.record_id == account_number
    assert row.fields == ["due_day", "payment_mode"]


def test_person_change_audited(ctx: ServiceContext, account_number: str) -> None:
    (row,) = _new_rows(
        ctx, lambda: person_service.update_person(ctx, "MBR-5001", {"phone": "804-555-0199", "ssn": "234-56-7890"})
    )

    assert row.action == "update"
    assert row.record_type == "person"
    assert row.record_id == "MBR-5001"
    assert row.fields == ["phone", "ssn"]


def test_bank_account_audited(ctx: ServiceContext, account_number: str, bank_input: BankAccountInput) -> None:
    rows = _new_rows(ctx, lambda: accounts.add_bank_account(ctx, account_number, bank_input))

    (row,) = rows
    bank_id = ctx.session.scalar(select(BankAccount.id))
    assert row.action == "create"
    assert row.record_type == "bank_account"
    assert row.record_id == str(bank_id)
    assert row.fields == ["account_number", "authorization", "routing_number"]
    assert row.detail == {"billing_account": account_number}


def test_group_creation_audited(ctx: ServiceContext) -> None:
    group = EmployerGroupInput(
        group_number="G-0501",
        name="Harbor Freight Lines",
        anniversary_month=1,
        address=AddressInput("1 Dock St", "Norfolk", "VA", "23510"),
    )

    (row,) = _new_rows(ctx, lambda: accounts.create_employer_group(ctx, group))

    assert row.action == "create"
    assert row.record_type == "employer_group"
    assert row.record_id == "G-0501"


def test_rows_hold_no_values(ctx: ServiceContext, account_number: str, bank_input: BankAccountInput) -> None:
    accounts.add_bank_account(ctx, account_number, bank_input)
    person_service.update_person(ctx, "MBR-5001", {"ssn": "234-56-7890"})
    accounts.get_account(ctx, account_number)

    logged = json.dumps(
        [(row.record_id, row.fields, row.detail) for row in _rows(ctx)],
        default=str,
    )
    assert "123456789" not in logged
    assert "6789" not in logged
    assert "234567890" not in logged
    assert "000123456789" not in logged
    assert "804" not in logged


def test_auditor_lists_by_record(
    ctx: ServiceContext, account_number: str
) -> None:
    accounts.get_account(make_context(ctx.session, role=Role.CSR, username="casey", instant=TUESDAY), account_number)
    accounts.update_preferences(make_context(ctx.session, username="blair", instant=WEDNESDAY), account_number, {"due_day": 9})
    auditor = make_context(ctx.session, role=Role.AUDITOR, username="avery", instant=WEDNESDAY)

    entries = audit.list_entries(auditor, record_type="billing_account", record_id=account_number)

    # Newest first: Wednesday's update, Tuesday's read, Monday's creation.
    assert [(entry.username, entry.action) for entry in entries] == [
        ("blair", "update"),
        ("casey", "read"),
        ("tester", "create"),
    ]


def test_auditor_lists_by_user(
    ctx: ServiceContext, account_number: str
) -> None:
    casey = make_context(ctx.session, role=Role.CSR, username="casey", instant=TUESDAY)
    accounts.get_account(casey, account_number)
    person_service.get_person(casey, "MBR-5001")
    auditor = make_context(ctx.session, role=Role.AUDITOR, username="avery")

    entries = audit.list_entries(auditor, username="casey")

    assert [(entry.record_type, entry.record_id) for entry in entries] == [
        ("person", "MBR-5001"),
        ("billing_account", account_number),
    ]


def test_list_since_and_limit(
    ctx: ServiceContext, account_number: str
) -> None:
    accounts.get_account(make_context(ctx.session, instant=TUESDAY), account_number)
    accounts.get_account(make_context(ctx.session, instant=WEDNESDAY), account_number)
    auditor = make_context(ctx.session, role=Role.AUDITOR, username="avery")

    since_tuesday = audit.list_entries(auditor, since=TUESDAY)
    newest = audit.list_entries(auditor, limit=1)

    assert [entry.occurred_at for entry in since_tuesday] == [WEDNESDAY, TUESDAY]
    assert [entry.occurred_at for entry in newest] == [WEDNESDAY]


def test_csr_cannot_list(ctx: ServiceContext, account_number: str) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        audit.list_entries(make_context(ctx.session, role=Role.CSR, username="casey"))

    assert caught.value.code == "staff.permission_denied"
    assert "audit.read" in caught.value.message


@pytest.mark.parametrize("role", [Role.BILLING, Role.SUPERVISOR, Role.FINANCE, Role.INTEGRATION])
def test_only_auditors_and_admins_list(ctx: ServiceContext, role: Role, account_number: str) -> None:
    with pytest.raises(PermissionDeniedError):
        audit.list_entries(make_context(ctx.session, role=role))


def test_csr_cannot_add_bank_account(
    ctx: ServiceContext,
    account_number: str,
    bank_input: BankAccountInput,
) -> None:
    csr = make_context(ctx.session, role=Role.CSR, username="casey")
    before = len(_rows(ctx))

    with pytest.raises(PermissionDeniedError) as caught:
        accounts.add_bank_account(csr, account_number, bank_input)

    assert caught.value.field == "role"
    assert caught.value.value == "csr"
    assert "bank_account.write" in caught.value.message
    assert ctx.session.scalar(select(func.count()).select_from(BankAccount)) == 0
    assert len(_rows(ctx)) == before


def test_billing_can_add_bank_account(ctx: ServiceContext, account_number: str, bank_input: BankAccountInput) -> None:
    billing = make_context(ctx.session, role=Role.BILLING, username="blair")

    view = accounts.add_bank_account(billing, account_number, bank_input)

    assert view.authorization["recorded_by"] == "blair"


def test_audit_row_rolls_back_with_change(ctx: ServiceContext, account_number: str) -> None:
    before = len(_rows(ctx))
    savepoint = ctx.session.begin_nested()
    accounts.update_preferences(ctx, account_number, {"due_day": 20})
    ctx.session.flush()

    savepoint.rollback()

    assert len(_rows(ctx)) == before
    assert accounts.get_account(ctx, account_number).preferences["due_day"] == 1
