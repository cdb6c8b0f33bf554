"""Commands for the database schema, encryption keys, staff users and logins."""

from __future__ import annotations

from pathlib import Path

import typer

from premia.infra.crypto import generate_key
from premia.interfaces.cli import runtime
from premia.kernel.errors import PermissionDeniedError
from premia.staff import service as staff
from premia.staff.model import Actor
from premia.staff.permissions import Role

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys for sensitive fields.", no_args_is_help=True)
users_app = typer.Typer(help="Staff users and their roles.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Option("heads", help="Target Alembic revision.")) -> None:
    """Apply database migrations up to REVISION (all of them by default)."""
    # Alembic is imported here, not at the top, because no other command needs it.
    from premia.infra.migrations_runner import upgrade

    config = runtime.settings()
    upgrade(config.database_url, revision)
    typer.echo(f"database upgraded to {revision}")


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new key for PREMIA_ENCRYPTION_KEY. Store it in a secret manager, not in git."""
    typer.echo(generate_key())


@users_app.command("add")
def users_add(
    username: str = typer.Argument(..., help="Login name (letters, digits, dots, dashes)."),
    role: Role = typer.Option(..., "--role", help="Role from the permission table."),
    display_name: str = typer.Option("", "--name", help="Full name shown in the console and audit log."),
    email: str | None = typer.Option(None, "--email", help="Work email address."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Add a staff user. The first user of a new database must be an admin."""

    def body() -> None:
        with runtime.unit_of_work(login_required=False) as ctx:
            if staff.count_users(ctx) == 0:
                if role is not Role.ADMIN:
                    raise PermissionDeniedError(
                        code="staff.first_user_not_admin",
                        message="The first user of a new database must have the admin role.",
                        field="role",
                        value=role.value,
                        hint="Run `premia users add NAME --role admin` first.",
                    )
                ctx.actor = Actor.system("bootstrap")
            else:
                ctx.actor = runtime._logged_in_actor(ctx)
            password = runtime.read_secret("Password", from_stdin=password_stdin)
            user = staff.add_user(
                ctx, username=username, display_name=display_name, role=role, password=password, email=email
            )
            typer.echo(f"added {user.username} ({user.role})")

    runtime.run(body)


@users_app.command("list")
def users_list(json_output: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List staff users and their roles."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            rows = [
                {"username": u.username, "name": u.display_name, "role": u.role, "active": u.active}
                for u in staff.list_users(ctx)
            ]
        if json_output:
            runtime.emit_json(rows)
        else:
            runtime.echo_table(rows, ["username", "name", "role", "active"])

    runtime.run(body)


def login(
    username: str = typer.Argument(..., help="Your staff username."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Log in; later commands act as this user until `premia logout` or the session expires."""

    def body() -> None:
        password = runtime.read_secret("Password", from_stdin=password_stdin)
        with runtime.unit_of_work(login_required=False) as ctx:
            user = staff.authenticate(ctx, username=username, password=password)
            ctx.actor = Actor(user_id=user.id, username=user.username, role=Role(user.role))
            token = staff.start_session(ctx, user, kind="cli")
            path = Path(ctx.settings.session_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(token + "\n", encoding="utf-8")
        path.chmod(0o600)
        typer.echo(f"logged in as {user.username} ({user.role})")

    runtime.run(body)


def logout() -> None:
    """End the CLI session."""

    def body() -> None:
        config = runtime.settings()
        path = Path(config.session_file)
        if not path.exists():
            typer.echo("not logged in")
            return
        with runtime.unit_of_work(login_required=False) as ctx:
            staff.end_session(ctx, path.read_text(encoding="utf-8").strip())
        path.unlink()
        typer.echo("logged out")

    runtime.run(body)
