"""The one table that says which role may do what.

Every service checks a :class:`Permission` through :func:`require`; the API, console and CLI
never decide access on their own. Roles follow the jobs in a carrier's billing and service
team; ``integration`` is for API clients such as an enrollment platform or an IVR.
"""

from __future__ import annotations

from enum import StrEnum

from premia.kernel.errors import PermissionDeniedError


class Role(StrEnum):
    CSR = "csr"
    BILLING = "billing"
    SUPERVISOR = "supervisor"
    FINANCE = "finance"
    ADMIN = "admin"
    AUDITOR = "auditor"
    INTEGRATION = "integration"


class Permission(StrEnum):
    MEMBER_READ = "member.read"
    MEMBER_WRITE = "member.write"
    BANK_ACCOUNT_WRITE = "bank_account.write"
    STAFF_MANAGE = "staff.manage"
    AUDIT_READ = "audit.read"
    CATALOG_MANAGE = "catalog.manage"
    RATING_QUOTE = "rating.quote"
    ENROLLMENT_IMPORT = "enrollment.import"
    BILLING_READ = "billing.read"
    BILLING_RUN = "billing.run"
    PAYMENTS_POST = "payments.post"
    PAYMENTS_REVERSE = "payments.reverse"
    PAYMENTS_IMPORT = "payments.import"
    AUTODRAFT_RUN = "autodraft.run"
    SUSPENSE_MANAGE = "suspense.manage"
    REFUNDS_REQUEST = "refunds.request"
    REFUNDS_APPROVE = "refunds.approve"
    RECONCILE_RUN = "reconcile.run"
    DELINQUENCY_RUN = "delinquency.run"
    NOTICES_DELIVER = "notices.deliver"
    POLICIES_CHANGE = "policies.change"
    RENEWALS_RUN = "renewals.run"
    CASES_WORK = "cases.work"
    CASES_SUPERVISE = "cases.supervise"
    DISPUTES_OPEN = "disputes.open"
    DISPUTES_DECIDE = "disputes.decide"
    CLAIMS_IMPORT = "claims.import"
    KPI_READ = "kpi.read"
    LEDGER_READ = "ledger.read"


_CSR = {
    Permission.MEMBER_READ,
    Permission.MEMBER_WRITE,
    Permission.RATING_QUOTE,
    Permission.BILLING_READ,
    Permission.PAYMENTS_POST,
    Permission.REFUNDS_REQUEST,
    Permission.CASES_WORK,
    Permission.DISPUTES_OPEN,
}
_BILLING = _CSR | {
    Permission.BANK_ACCOUNT_WRITE,
    Permission.ENROLLMENT_IMPORT,
    Permission.BILLING_RUN,
    Permission.PAYMENTS_IMPORT,
    Permission.AUTODRAFT_RUN,
    Permission.SUSPENSE_MANAGE,
    Permission.RECONCILE_RUN,
    Permission.DELINQUENCY_RUN,
    Permission.NOTICES_DELIVER,
    Permission.POLICIES_CHANGE,
    Permission.RENEWALS_RUN,
    Permission.CLAIMS_IMPORT,
}
_SUPERVISOR = _BILLING | {
    Permission.PAYMENTS_REVERSE,
    Permission.REFUNDS_APPROVE,
    Permission.CASES_SUPERVISE,
    Permission.DISPUTES_DECIDE,
    Permission.KPI_READ,
    Permission.LEDGER_READ,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CSR: frozenset(_CSR),
    Role.BILLING: frozenset(_BILLING),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.FINANCE: frozenset(
        {
            Permission.MEMBER_READ,
            Permission.BILLING_READ,
            Permission.PAYMENTS_IMPORT,
            Permission.SUSPENSE_MANAGE,
            Permission.REFUNDS_APPROVE,
            Permission.RECONCILE_RUN,
            Permission.KPI_READ,
            Permission.LEDGER_READ,
        }
    ),
    Role.ADMIN: frozenset(Permission),
    Role.AUDITOR: frozenset(
        {
            Permission.MEMBER_READ,
            Permission.BILLING_READ,
            Permission.AUDIT_READ,
            Permission.KPI_READ,
            Permission.LEDGER_READ,
        }
    ),
    # Enrollment platforms create and update members through 834 imports.
    Role.INTEGRATION: frozenset(
        {
            Permission.MEMBER_READ,
            Permission.MEMBER_WRITE,
            Permission.RATING_QUOTE,
            Permission.BILLING_READ,
            Permission.ENROLLMENT_IMPORT,
            Permission.PAYMENTS_POST,
            Permission.PAYMENTS_IMPORT,
            Permission.CLAIMS_IMPORT,
        }
    ),
}


def allows(role: Role | str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS.get(Role(role), frozenset())


def require(role: Role | str, permission: Permission, *, username: str) -> None:
    """Raise :class:`PermissionDeniedError` unless ``role`` grants ``permission``."""
    if not allows(role, permission):
        raise PermissionDeniedError(
            code="staff.permission_denied",
            message=f"User {username} (role {role}) may not perform {permission.value}.",
            field="role",
            value=str(role),
            hint=_who_may(permission),
        )


def _who_may(permission: Permission) -> str:
    """Name the roles besides admin that grant ``permission``, so the user knows whom to ask."""
    roles = [str(role) for role, granted in ROLE_PERMISSIONS.items() if permission in granted and role is not Role.ADMIN]
    if not roles:
        return "Ask an administrator; only the admin role may do this."
    named = f"the role {roles[0]}" if len(roles) == 1 else "one of the roles " + ", ".join(roles)
    return f"Ask a user with {named} to do it, or an administrator for such a role."
