"""The service desk on one engine: staff users, a member, contexts at chosen instants, Chicago queues."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, AccountKind, Address, PersonInput, Sex
from premia.accounts.tables import BillingAccount
from premia.infra.context import ServiceContext
from premia.servicing.config import DEFAULT_TARGETS, ServicingConfig, SlaTarget
from premia.servicing.model import CasePriority, CaseType
from premia.servicing.sla import BusinessHours
from premia.staff.permissions import Role
from premia.staff.tables import StaffUser
from tests.conftest import make_context

CHICAGO = "America/Chicago"
STAFF = {
    "casey": Role.CSR,
    "blake": Role.BILLING,
    "sam": Role.SUPERVISOR,
    "pat": Role.SUPERVISOR,
    "ari": Role.AUDITOR,
}


def chicago_config(**overrides: object) -> ServicingConfig:
    """The fault scenarios' calendar: billing 09:00-17:00, disputes 08:00-17:00, Central time."""
    targets = dict(DEFAULT_TARGETS)
    targets[(CaseType.BILLING_DISPUTE, CasePriority.HIGH)] = SlaTarget(30, 16 * 60)
    values: dict[str, object] = {
        "time_zone": CHICAGO,
        "queues": {
            "member_services": BusinessHours(CHICAGO, time(8, 0), time(18, 0)),
            "billing": BusinessHours(CHICAGO, time(9, 0), time(17, 0)),
            "disputes": BusinessHours(CHICAGO, time(8, 0), time(17, 0)),
        },
        "targets": targets,
    }
    values.update(overrides)
    return ServicingConfig(**values)  # type: ignore[arg-type]


@dataclass
class Desk:
    """Staff at the service desk; each call gets a context for one user at one instant."""

    session: Session
    config: ServicingConfig = field(default_factory=chicago_config)

    def as_user(self, username: str, at: datetime) -> ServiceContext:
        ctx = make_context(self.session, role=STAFF[username], username=username, instant=at)
        ctx.settings = ctx.settings.model_copy(update={"time_zone": CHICAGO})
        return ctx


@pytest.fixture
def desk(ctx: ServiceContext) -> Desk:
    for username, role in STAFF.items():
        ctx.session.add(
            StaffUser(
                username=username,
                display_name=username.title(),
                role=role.value,
                password_hash="not-used-in-these-tests",
                active=True,
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        )
    ctx.session.flush()
    return Desk(session=ctx.session)


@pytest.fixture
def member(ctx: ServiceContext) -> BillingAccount:
    """Maria Lopez, MBR-3001, with her own billing account and no policy."""
    return accounts.create_account(
        ctx,
        AccountInput(
            kind=AccountKind.INDIVIDUAL,
            holder=PersonInput(
                first_name="Maria",
                last_name="Lopez",
                birth_date=date(1980, 3, 15),
                sex=Sex.FEMALE,
                member_id="MBR-3001",
                ssn="123-45-6789",
                residential_address=Address("48 Oak Ave", "Richmond", "VA", "23220"),
                phone="804-555-0142",
                email="maria.lopez@example.org",
            ),
        ),
    )


def count(session: Session, table: type) -> int:
    return session.scalar(select(func.count()).select_from(table)) or 0


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)
