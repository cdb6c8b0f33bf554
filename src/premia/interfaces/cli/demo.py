"""`premia demo`: a walk-through of Premia on a fresh embedded SQLite database.

It creates the database, staff users, an employer group and billing accounts, changes
preferences, records an ACH authorization and shows the audit trail those steps left.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

import typer

from premia.accounts import person_service, service as accounts
from premia.accounts.model import (
    AccountInput,
    AccountKind,
    Address,
    AuthorizationMethod,
    BankAccountInput,
    BankAccountType,
    BillingPreferences,
    Delivery,
    EmployerGroupInput,
    Language,
    PaymentMethod,
    PaymentMode,
    PersonInput,
    Sex,
)
from premia.audit import service as audit_service
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory
from premia.infra.logging_setup import configure_logging
from premia.infra.migrations_runner import upgrade
from premia.infra.settings import Settings
from premia.interfaces.cli import runtime
from premia.staff import service as staff
from premia.staff.model import Actor
from premia.staff.permissions import Role


def demo(
    database: Path = typer.Option(Path("premia-demo.db"), "--database", help="SQLite file to create (replaced if present)."),
) -> None:
    """Create a demo database and walk through accounts, preferences, ACH authorization and audit."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    config = Settings(_env_file=None, database_url=url, dev_key_file=str(database) + ".key")  # type: ignore[call-arg]
    configure_logging("WARNING")

    typer.secho(f"1. Creating {database} and applying migrations", bold=True)
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    passwords = {"admin": secrets.token_urlsafe(12), "billing": secrets.token_urlsafe(12), "csr": secrets.token_urlsafe(12)}

    def context(session, actor: Actor) -> ServiceContext:  # type: ignore[no-untyped-def]
        return ServiceContext(session=session, actor=actor, clock=runtime.SystemClock(), settings=config, channel="cli")

    with factory() as session, session.begin():
        ctx = context(session, Actor.system("bootstrap"))
        admin_user = staff.add_user(ctx, username="admin", display_name="Avery Admin", role=Role.ADMIN, password=passwords["admin"])
        ctx.actor = Actor(admin_user.id, admin_user.username, Role.ADMIN)
        billing_user = staff.add_user(ctx, username="billing", display_name="Blair Billing", role=Role.BILLING, password=passwords["billing"])
        staff.add_user(ctx, username="csr", display_name="Casey Service", role=Role.CSR, password=passwords["csr"])
    typer.echo("   staff users: admin, billing, csr")

    typer.secho("2. Opening billing accounts", bold=True)
    with factory() as session, session.begin():
        ctx = context(session, Actor(billing_user.id, "billing", Role.BILLING))
        individual = accounts.create_account(
            ctx,
            AccountInput(
                kind=AccountKind.INDIVIDUAL,
                holder=PersonInput(
                    first_name="Maria",
                    last_name="Lopez",
                    birth_date=date(1980, 3, 15),
                    sex=Sex.FEMALE,
                    ssn="123-45-6789",
                    residential_address=Address("48 Oak Ave", "Richmond", "VA", "23220", line2="Apt 2"),
                    phone="804-555-0142",
                    email="maria.lopez@example.org",
                    spoken_language=Language.SPANISH,
                    written_language=Language.SPANISH,
                ),
                preferences=BillingPreferences(
                    payment_method=PaymentMethod.INVOICE,
                    delivery=Delivery.EMAIL,
                    language=Language.SPANISH,
                    payer_email="maria.lopez@example.org",
                ),
            ),
        )
        accounts.create_employer_group(
            ctx,
            EmployerGroupInput(
                group_number="G-0501",
                name="Riverside Machine Works",
                anniversary_month=1,
                address=Address("100 Industrial Pkwy", "Norfolk", "VA", "23510"),
                contact_email="benefits@riverside.example",
            ),
        )
        group_account = accounts.create_account(
            ctx,
            AccountInput(kind=AccountKind.GROUP, employer_group_number="G-0501", preferences=BillingPreferences(payment_mode=PaymentMode.MONTHLY)),
        )
        typer.echo(f"   {individual.account_number}: Maria Lopez, invoice by email in Spanish")
        typer.echo(f"   {group_account.account_number}: Riverside Machine Works, monthly list bill")

    typer.secho("3. Setting up auto-draft with a recorded authorization", bold=True)
    with factory() as session, session.begin():
        ctx = context(session, Actor(billing_user.id, "billing", Role.BILLING))
        bank = accounts.add_bank_account(
            ctx,
            individual.account_number,
            BankAccountInput(
                holder_name="Maria Lopez",
                routing_number="051000017",
                account_number="000123456789",
                account_type=BankAccountType.CHECKING,
                authorization_method=AuthorizationMethod.TELEPHONE,
                authorized_by="Maria Lopez",
                authorization_reference="call 2026-0142",
            ),
        )
        accounts.update_preferences(ctx, individual.account_number, {"payment_method": PaymentMethod.ACH_AUTODRAFT, "autodraft_day": 1})
        person_service.update_person(ctx, "M000000001", {"phone": "804-555-0199"})
        typer.echo(f"   bank account stored encrypted, shown as {bank.account_number}; drafts on day 1 ({bank.authorization['sec_code']})")

    typer.secho("4. The account as a service representative sees it", bold=True)
    with factory() as session, session.begin():
        ctx = context(session, Actor(None, "csr", Role.CSR))
        view = accounts.get_account(ctx, individual.account_number)
        holder = view.holder
        assert holder is not None
        typer.echo(f"   {view.account_number} {view.holder_name}, member {holder.member_id}, SSN {holder.ssn}")
        typer.echo(f"   pays by {view.preferences['payment_method']} on day {view.preferences['autodraft_day']}")

    typer.secho("5. The audit trail of those steps", bold=True)
    with factory() as session, session.begin():
        ctx = context(session, Actor(None, "auditor", Role.AUDITOR))
        for entry in reversed(audit_service.list_entries(ctx, limit=50)):
            typer.echo(f"   {entry.occurred_at:%H:%M:%S} {entry.username:<9} {entry.action:<7} {entry.record_type} {entry.record_id} {','.join(entry.fields or [])}")
    engine.dispose()

    typer.secho("\nDone.", bold=True)
    typer.echo(f"Try: PREMIA_DATABASE_URL={url} PREMIA_DEV_KEY_FILE={database}.key premia login admin")
    for name, password in passwords.items():
        typer.echo(f"   {name:<8} password {password}")
