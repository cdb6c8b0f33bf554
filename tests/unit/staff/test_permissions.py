"""The permission table: what each role may do, written out here so that a change to it is deliberate."""

from __future__ import annotations

import pytest

from premia.kernel.errors import PermissionDeniedError
from premia.staff.permissions import ROLE_PERMISSIONS, Permission, Role, allows, require

P = Permission

CSR = {
    P.MEMBER_READ,
    P.MEMBER_WRITE,
    P.RATING_QUOTE,
    P.BILLING_READ,
    P.PAYMENTS_POST,
    P.REFUNDS_REQUEST,
    P.CASES_WORK,
    P.DISPUTES_OPEN,
}
BILLING = CSR | {
    P.BANK_ACCOUNT_WRITE,
    P.ENROLLMENT_IMPORT,
    P.BILLING_RUN,
    P.PAYMENTS_IMPORT,
    P.AUTODRAFT_RUN,
    P.SUSPENSE_MANAGE,
    P.RECONCILE_RUN,
    P.DELINQUENCY_RUN,
    P.NOTICES_DELIVER,
    P.POLICIES_CHANGE,
    P.RENEWALS_RUN,
    P.CLAIMS_IMPORT,
}
SUPERVISOR = BILLING | {P.PAYMENTS_REVERSE, P.REFUNDS_APPROVE, P.CASES_SUPERVISE, P.DISPUTES_DECIDE, P.KPI_READ, P.LEDGER_READ}
FINANCE = {
    P.MEMBER_READ,
    P.BILLING_READ,
    P.PAYMENTS_IMPORT,
    P.SUSPENSE_MANAGE,
    P.REFUNDS_APPROVE,
    P.RECONCILE_RUN,
    P.KPI_READ,
    P.LEDGER_READ,
}
AUDITOR = {P.MEMBER_READ, P.BILLING_READ, P.AUDIT_READ, P.KPI_READ, P.LEDGER_READ}
INTEGRATION = {
    P.MEMBER_READ,
    P.MEMBER_WRITE,
    P.RATING_QUOTE,
    P.BILLING_READ,
    P.ENROLLMENT_IMPORT,
    P.PAYMENTS_POST,
    P.PAYMENTS_IMPORT,
    P.CLAIMS_IMPORT,
}
INTENDED = {
    Role.CSR: CSR,
    Role.BILLING: BILLING,
    Role.SUPERVISOR: SUPERVISOR,
    Role.FINANCE: FINANCE,
    Role.ADMIN: set(Permission),
    Role.AUDITOR: AUDITOR,
    Role.INTEGRATION: INTEGRATION,
}


def test_every_role_in_table() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_role_permissions(role: Role) -> None:
    assert set(ROLE_PERMISSIONS[role]) == INTENDED[role]


def test_admin_has_all() -> None:
    for permission in Permission:
        assert allows(Role.ADMIN, permission)


def test_only_admin_manages_staff() -> None:
    assert [role for role in Role if allows(role, P.STAFF_MANAGE)] == [Role.ADMIN]


def test_audit_log_readers() -> None:
    assert {role for role in Role if allows(role, P.AUDIT_READ)} == {Role.ADMIN, Role.AUDITOR}


def test_bank_account_writers() -> None:
    assert {role for role in Role if allows(role, P.BANK_ACCOUNT_WRITE)} == {Role.BILLING, Role.SUPERVISOR, Role.ADMIN}


def test_auditor_changes_nothing() -> None:
    assert not allows(Role.AUDITOR, P.MEMBER_WRITE)
    assert not allows(Role.AUDITOR, P.BANK_ACCOUNT_WRITE)
    assert not allows(Role.AUDITOR, P.PAYMENTS_POST)


def test_admin_only_permissions() -> None:
    granted = set().union(*(ROLE_PERMISSIONS[role] for role in Role if role is not Role.ADMIN))

    # Staff management and catalog changes are left to administrators.
    assert set(Permission) - granted == {P.STAFF_MANAGE, P.CATALOG_MANAGE}


def test_allows_accepts_role_names() -> None:
    assert allows("auditor", P.AUDIT_READ)
    assert not allows("csr", P.AUDIT_READ)


def test_require_names_user_and_permission() -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        require(Role.CSR, P.BANK_ACCOUNT_WRITE, username="casey")

    assert caught.value.code == "staff.permission_denied"
    assert caught.value.field == "role"
    assert caught.value.value == "csr"
    assert "casey" in caught.value.message
    assert "bank_account.write" in caught.value.message


def test_require_passes_when_granted() -> None:
    require(Role.BILLING, P.BANK_ACCOUNT_WRITE, username="blair")


def test_unknown_role_is_an_error() -> None:
    with pytest.raises(ValueError):
        allows("superuser", P.MEMBER_READ)
