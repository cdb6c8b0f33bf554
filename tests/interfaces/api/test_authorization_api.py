"""Every route rejects a token whose role lacks the permission, and every request without a token.

The table names the permission of every route the app serves. A new route without an entry
fails ``test_table_covers_every_route``, so no route is added without deciding who may use it.
Some permissions, such as member.read, are granted to every role, so the test takes one role
and withdraws from it only the permission under test. The route must then return 403.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select

from premia.interfaces.api.app import API_PREFIX, create_app
from premia.staff import service as staff
from premia.staff.permissions import ROLE_PERMISSIONS, Permission, Role, allows
from premia.staff.tables import StaffUser
from tests.conftest import make_settings

P = Permission
# The role whose permissions each test narrows; its token is the one sent.
NARROWED_ROLE = Role.AUDITOR
ANONYMOUS_ROUTES = {("POST", "/tokens")}


@dataclass(frozen=True)
class Requirement:
    """The permissions a route needs: all of them, or with ``any_of`` at least one."""

    permissions: tuple[Permission, ...]
    any_of: bool = False

    def lacking_sets(self) -> list[frozenset[Permission]]:
        """Permission sets that fall short: without all the any-of permissions, or without one all-of permission."""
        everything = frozenset(Permission)
        if self.any_of:
            return [everything - set(self.permissions)]
        return [everything - {permission} for permission in self.permissions]


def needs(*permissions: Permission) -> Requirement:
    return Requirement(permissions)


def needs_any(*permissions: Permission) -> Requirement:
    return Requirement(permissions, any_of=True)


IMPORTS = needs_any(P.ENROLLMENT_IMPORT, P.PAYMENTS_IMPORT, P.CLAIMS_IMPORT)
REFUND_READ = needs_any(P.REFUNDS_REQUEST, P.REFUNDS_APPROVE)

ROUTE_PERMISSIONS: dict[tuple[str, str], Requirement] = {
    ("GET", "/accounts"): needs(P.MEMBER_READ),
    ("POST", "/accounts"): needs(P.MEMBER_WRITE),
    ("GET", "/accounts/{account_number}"): needs(P.MEMBER_READ),
    ("PATCH", "/accounts/{account_number}/preferences"): needs(P.MEMBER_WRITE),
    ("POST", "/accounts/{account_number}/bank-accounts"): needs(P.BANK_ACCOUNT_WRITE),
    ("GET", "/accounts/{account_number}/billing"): needs(P.MEMBER_READ, P.BILLING_READ),
    ("GET", "/accounts/{account_number}/disputable-lines"): needs(P.DISPUTES_OPEN),
    ("POST", "/employer-groups"): needs(P.MEMBER_WRITE),
    ("PUT", "/employer-groups/{group_number}/contribution"): needs(P.POLICIES_CHANGE),
    ("GET", "/employer-groups/{group_number}"): needs(P.MEMBER_READ),
    ("POST", "/persons"): needs(P.MEMBER_WRITE),
    ("GET", "/persons/{member_id}"): needs(P.MEMBER_READ),
    ("PATCH", "/persons/{member_id}"): needs(P.MEMBER_WRITE),
    ("GET", "/persons/{member_id}/history"): needs(P.MEMBER_READ),
    ("GET", "/persons/{member_id}/claims"): needs(P.MEMBER_READ),
    ("GET", "/persons/{member_id}/eligibility"): needs(P.MEMBER_READ),
    ("POST", "/persons/merges"): needs(P.MEMBER_WRITE, P.POLICIES_CHANGE),
    ("GET", "/policies"): needs(P.MEMBER_READ),
    ("POST", "/policies"): needs(P.POLICIES_CHANGE),
    ("GET", "/policies/{policy_number}"): needs(P.MEMBER_READ),
    ("POST", "/policies/{policy_number}/members"): needs(P.POLICIES_CHANGE),
    ("POST", "/policies/{policy_number}/member-removals"): needs(P.POLICIES_CHANGE),
    ("POST", "/policies/{policy_number}/plan-changes"): needs(P.POLICIES_CHANGE),
    ("POST", "/policies/{policy_number}/termination"): needs(P.POLICIES_CHANGE),
    ("POST", "/policies/{policy_number}/cancellation"): needs(P.POLICIES_CHANGE),
    ("POST", "/policies/{policy_number}/reinstatement"): needs(P.POLICIES_CHANGE),
    ("POST", "/policies/{policy_number}/renewal/decline"): needs(P.POLICIES_CHANGE),
    ("POST", "/policies/{policy_number}/renewal/plan"): needs(P.POLICIES_CHANGE),
    ("POST", "/renewal-runs"): needs(P.RENEWALS_RUN),
    ("GET", "/policies/{policy_number}/delinquency"): needs(P.BILLING_READ),
    ("GET", "/delinquency/transitions"): needs(P.BILLING_READ),
    ("POST", "/rating/quotes"): needs(P.RATING_QUOTE),
    ("GET", "/invoices"): needs(P.BILLING_READ),
    ("GET", "/invoices/{invoice_number}"): needs(P.BILLING_READ),
    ("GET", "/invoices/{invoice_number}/pdf"): needs(P.BILLING_READ),
    ("GET", "/accounts/{account_number}/invoices/{invoice_number}/changes"): needs(P.BILLING_READ),
    ("POST", "/payments"): needs(P.PAYMENTS_POST),
    ("GET", "/payments"): needs(P.BILLING_READ),
    ("GET", "/payments/{payment_id}"): needs(P.BILLING_READ),
    ("POST", "/payments/{payment_id}/reversal"): needs(P.PAYMENTS_REVERSE),
    ("POST", "/payments/card-events"): needs(P.PAYMENTS_POST),
    ("POST", "/refunds"): needs(P.REFUNDS_REQUEST),
    ("GET", "/refunds"): REFUND_READ,
    ("GET", "/refunds/{refund_id}"): REFUND_READ,
    ("POST", "/refunds/{refund_id}/approval"): needs(P.REFUNDS_APPROVE),
    ("POST", "/refunds/{refund_id}/rejection"): needs(P.REFUNDS_APPROVE),
    ("POST", "/autodraft-runs"): needs(P.AUTODRAFT_RUN),
    ("GET", "/ach-files/{file_id}"): needs(P.AUTODRAFT_RUN),
    ("GET", "/suspense"): needs(P.SUSPENSE_MANAGE),
    ("GET", "/suspense/{item_id}"): needs(P.SUSPENSE_MANAGE),
    ("POST", "/suspense/{item_id}/application"): needs(P.SUSPENSE_MANAGE),
    ("POST", "/suspense/{item_id}/refund"): needs(P.SUSPENSE_MANAGE),
    ("POST", "/imports/834"): needs(P.ENROLLMENT_IMPORT, P.MEMBER_WRITE),
    ("POST", "/imports/820"): needs(P.PAYMENTS_IMPORT),
    ("POST", "/imports/nacha-returns"): needs(P.PAYMENTS_IMPORT),
    ("POST", "/imports/bai2"): needs(P.PAYMENTS_IMPORT),
    ("POST", "/imports/camt"): needs(P.PAYMENTS_IMPORT),
    ("POST", "/imports/lockbox"): needs(P.PAYMENTS_IMPORT),
    ("POST", "/imports/claims"): needs(P.CLAIMS_IMPORT),
    ("GET", "/jobs"): IMPORTS,
    ("GET", "/jobs/{job_id}"): IMPORTS,
    ("GET", "/jobs/{job_id}/output"): IMPORTS,
    ("POST", "/jobs/{job_id}/retry"): IMPORTS,
    ("POST", "/contacts"): needs(P.CASES_WORK),
    ("GET", "/contacts"): needs(P.CASES_WORK),
    ("GET", "/contacts/{contact_id}"): needs(P.CASES_WORK),
    ("POST", "/contacts/{contact_id}/verification"): needs(P.CASES_WORK),
    ("GET", "/contacts/{contact_id}/member"): needs(P.CASES_WORK, P.MEMBER_READ),
    ("POST", "/cases"): needs(P.CASES_WORK),
    ("GET", "/cases"): needs(P.CASES_WORK),
    ("GET", "/cases/{case_number}"): needs(P.CASES_WORK),
    ("PATCH", "/cases/{case_number}"): needs(P.CASES_WORK),
    ("POST", "/cases/{case_number}/assignment"): needs(P.CASES_WORK),
    ("POST", "/cases/{case_number}/resolution"): needs(P.CASES_WORK),
    ("POST", "/cases/{case_number}/reopening"): needs(P.CASES_WORK),
    ("POST", "/cases/{case_number}/closure"): needs(P.CASES_WORK),
    ("GET", "/cases/{case_number}/clocks"): needs(P.CASES_WORK),
    ("GET", "/cases/{case_number}/events"): needs(P.CASES_WORK),
    ("POST", "/disputes"): needs(P.DISPUTES_OPEN),
    ("GET", "/disputes"): needs(P.DISPUTES_OPEN),
    ("GET", "/disputes/{dispute_number}"): needs(P.DISPUTES_OPEN),
    ("POST", "/disputes/{dispute_number}/decision"): needs(P.DISPUTES_DECIDE),
    ("POST", "/disputes/{dispute_number}/approval"): needs(P.DISPUTES_DECIDE),
    ("GET", "/kpis"): needs(P.KPI_READ),
    ("GET", "/kpis/monthly"): needs(P.KPI_READ),
    ("GET", "/kpis/definitions"): needs(P.KPI_READ),
    ("GET", "/ledger/trial-balance"): needs(P.LEDGER_READ),
    ("GET", "/audit"): needs(P.AUDIT_READ),
}


def served_routes() -> set[tuple[str, str]]:
    """Every method and path the app serves under the API prefix, through included routers too."""
    app = create_app(make_settings(), run_jobs=False)
    routes = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.path and context.path.startswith(API_PREFIX):
            routes.update((method, context.path.removeprefix(API_PREFIX)) for method in context.methods or ())
    app.state.engine.dispose()
    return routes


def _url(path: str) -> str:
    # "1" is a valid value for every path parameter, whether it is a number or a text key.
    return API_PREFIX + re.sub(r"\{[^}]+\}", "1", path)


def test_table_covers_every_route():
    assert served_routes() - ANONYMOUS_ROUTES == set(ROUTE_PERMISSIONS)


@pytest.mark.parametrize(("method", "path"), sorted(ROUTE_PERMISSIONS), ids=lambda value: str(value))
def test_route_rejects_role_without_permission(api, monkeypatch, method, path):
    for granted in ROUTE_PERMISSIONS[(method, path)].lacking_sets():
        monkeypatch.setitem(ROLE_PERMISSIONS, NARROWED_ROLE, granted)
        response = api.client.request(method, _url(path), json={}, headers=api.headers(NARROWED_ROLE))
        missing = sorted(permission.value for permission in set(Permission) - granted)
        assert response.status_code == 403, f"without {missing}: {response.status_code}"
        assert response.json()["code"] == "staff.permission_denied"
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("method", "path"), sorted(ROUTE_PERMISSIONS), ids=lambda value: str(value))
def test_route_rejects_real_role_lacking(api, method, path):
    requirement = ROUTE_PERMISSIONS[(method, path)]
    lacking = [role for role in Role if not _satisfied(requirement, role)]
    for role in lacking:
        response = api.client.request(method, _url(path), json={}, headers=api.headers(role))
        assert response.status_code == 403, f"{role.value} got {response.status_code}"


def _satisfied(requirement: Requirement, role: Role) -> bool:
    granted = [allows(role, permission) for permission in requirement.permissions]
    return any(granted) if requirement.any_of else all(granted)


@pytest.mark.parametrize(("method", "path"), sorted(ROUTE_PERMISSIONS), ids=lambda value: str(value))
def test_route_admits_role_with_permission(api, method, path):
    response = api.client.request(method, _url(path), json={}, headers=api.headers(Role.ADMIN))
    assert response.status_code not in (401, 403)


@pytest.mark.parametrize(("method", "path"), sorted(ROUTE_PERMISSIONS), ids=lambda value: str(value))
def test_route_rejects_missing_token(api, method, path):
    response = api.client.request(method, _url(path), json={})
    assert response.status_code == 401
    assert response.json()["code"] == "staff.session_invalid"


def test_revoked_token_rejected(api):
    with api.services() as ctx:
        user = ctx.session.scalar(select(StaffUser).where(StaffUser.username == "csr-user"))
        token = staff.start_session(ctx, user, kind="api")
        staff.end_session(ctx, token)
    response = api.client.get("/api/v1/accounts", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["code"] == "staff.session_invalid"
