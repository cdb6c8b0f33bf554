"""A fresh demo database: the file, its settings, the staff users and the catalog."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from premia.accounts import service as accounts
from premia.accounts.model import Address, EmployerGroupInput
from premia.catalog.service import current_catalog, load_catalog
from premia.demo.book import EmployerGroup
from premia.infra.context import ServiceContext
from premia.infra.migrations_runner import upgrade
from premia.infra.settings import Environment, Settings
from premia.kernel.clock import FixedClock
from premia.kernel.errors import ValidationError
from premia.rating import DEMO_CATALOG_PATH
from premia.rating.catalog import Catalog
from premia.rating.contributions import rule_from_dict
from premia.staff import service as staff
from premia.staff.model import Actor
from premia.staff.permissions import Role

CARRIER_NAME = "Demo Health Plan of Virginia"
CARRIER_PHONE = "1-800-555-0142"
CARRIER_ADDRESS = "PO Box 1000|Richmond, VA 23218"
DEMO_TIME_ZONE = "America/New_York"


@dataclass(frozen=True)
class StaffMember:
    username: str
    display_name: str
    role: Role


STAFF = (
    StaffMember("admin", "Avery Admin", Role.ADMIN),
    StaffMember("billing", "Blair Billing", Role.BILLING),
    StaffMember("csr", "Casey Service", Role.CSR),
    StaffMember("supervisor", "Sam Supervisor", Role.SUPERVISOR),
    StaffMember("auditor", "Alex Auditor", Role.AUDITOR),
)


def fresh_database(path: Path) -> str:
    """Delete the previous demo database (with its WAL files and key) and create a migrated one."""
    for suffix in ("", "-wal", "-shm", ".key"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    return url


def demo_settings(url: str, database: Path, documents_dir: Path) -> Settings:
    """Settings for the demo database: a development key beside it and the demo carrier's details."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment=Environment.DEVELOPMENT,
        database_url=url,
        dev_key_file=f"{database}.key",
        documents_dir=str(documents_dir),
        carrier_name=CARRIER_NAME,
        carrier_phone=CARRIER_PHONE,
        carrier_address=CARRIER_ADDRESS,
        time_zone=DEMO_TIME_ZONE,
        log_level="WARNING",
    )


def add_staff(ctx: ServiceContext) -> tuple[dict[str, str], dict[str, Actor]]:
    """Create the staff users with random passwords; return the passwords and each user's actor."""
    passwords: dict[str, str] = {}
    actors: dict[str, Actor] = {}
    for member in STAFF:
        password = secrets.token_urlsafe(12)
        user = staff.add_user(ctx, username=member.username, display_name=member.display_name, role=member.role, password=password)
        passwords[member.username] = password
        actors[member.username] = Actor(user.id, user.username, member.role)
        if member.role is Role.ADMIN:
            # Every later user is added by the admin, as the audit log then shows.
            ctx.actor = actors[member.username]
    return passwords, actors


def load_demo_catalog(ctx: ServiceContext) -> Catalog:
    report = load_catalog(ctx, DEMO_CATALOG_PATH)
    if report.status not in {"loaded", "unchanged"}:
        first = report.errors[0] if report.errors else {}
        raise ValidationError(
            code="demo.catalog_rejected",
            message=f"The demo catalog {DEMO_CATALOG_PATH} did not load: {first.get('message', report.status)}.",
            field="catalog",
            hint=f"Load it with `premia catalog load {DEMO_CATALOG_PATH}` to see every error with its line.",
        )
    return current_catalog(ctx)


def add_employer_groups(ctx: ServiceContext, groups: tuple[EmployerGroup, ...]) -> None:
    for group in groups:
        profile = group.profile
        residence = profile.residence
        accounts.create_employer_group(
            ctx,
            EmployerGroupInput(
                group_number=profile.group_number,
                name=profile.name,
                anniversary_month=group.coverage_start.month,
                address=Address(profile.street.title(), residence.city.title(), "VA", residence.zip_code),
                tax_id=profile.tax_id,
                contact_name=profile.contact_name,
                contact_email=profile.contact_email,
                contribution=rule_from_dict(profile.contribution, record=f"employer_group {profile.group_number}"),
            ),
        )


def bootstrap_context(session: Session, settings: Settings, moment: datetime) -> ServiceContext:
    """Return the context that creates the first admin, before any staff user exists."""
    return ServiceContext(
        session=session, actor=Actor.system("bootstrap"), clock=FixedClock(moment), settings=settings, channel="cli"
    )
