"""What every CLI command shares: settings, the database session, the logged-in actor, output.

Exit status: 0 on success, 1 on a domain error (the message names the field), 2 on a usage
error (Typer's own handling of bad options).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError as SettingsValidationError
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory
from premia.infra.logging_setup import configure_logging
from premia.infra.settings import Settings, load_settings
from premia.kernel.errors import DomainError
from premia.staff.model import Actor

log = logging.getLogger("premia.cli")
T = TypeVar("T")


class SystemClock:
    """The real clock, read only here at the edge."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def settings() -> Settings:
    try:
        loaded = load_settings()
    except SettingsValidationError as exc:
        first = exc.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        fail(f"Invalid setting {location}: {first['msg']}.", code="settings.invalid")
    except DomainError as exc:
        report_domain_error(exc)
        raise typer.Exit(1) from exc
    configure_logging(loaded.log_level)
    return loaded


@contextmanager
def unit_of_work(*, actor: Actor | None = None, login_required: bool = True) -> Iterator[ServiceContext]:
    """Open a session and transaction, resolve the CLI login, and commit on success."""
    config = settings()
    engine = make_engine(config.database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as session, session.begin():
            ctx = ServiceContext(
                session=session,
                actor=actor or Actor.system(),
                clock=SystemClock(),
                settings=config,
                channel="cli",
            )
            if actor is None and login_required:
                ctx.actor = _logged_in_actor(ctx)
            yield ctx
    finally:
        engine.dispose()


def _logged_in_actor(ctx: ServiceContext) -> Actor:
    from premia.staff import service as staff

    path = Path(ctx.settings.session_file)
    if not path.exists():
        raise DomainError(
            code="staff.not_logged_in",
            message="You are not logged in.",
            field="session",
            hint="Log in with `premia login USERNAME`.",
        )
    return staff.actor_for_token(ctx, path.read_text(encoding="utf-8").strip())


def run(action: Callable[[], T]) -> T:
    """Run a command body, turning domain errors into exit status 1 with a clear message."""
    try:
        return action()
    except DomainError as exc:
        report_domain_error(exc)
        raise typer.Exit(1) from exc
    except (OperationalError, ProgrammingError) as exc:
        if not _is_missing_table(exc):
            raise
        log.debug("database schema missing", extra={"error": type(exc.orig).__name__})
        fail(
            "the database has no Premia schema, or an older one than this version needs.",
            code="db.schema_missing",
            hint="Run `premia db upgrade` (PREMIA_DATABASE_URL names the database).",
        )


def _is_missing_table(exc: OperationalError | ProgrammingError) -> bool:
    # SQLite: "no such table"; PostgreSQL: UndefinedTable, 'relation "..." does not exist'.
    text = str(exc.orig)
    return "no such table" in text or ("relation" in text and "does not exist" in text)


MAX_LISTED_PROBLEMS = 50


def report_domain_error(exc: DomainError) -> None:
    log.debug("command rejected", extra={"code": exc.code, "field_name": exc.field})
    typer.secho(f"error: {exc.message}", fg=typer.colors.RED, err=True)
    if exc.field:
        typer.echo(f"  field: {exc.field}", err=True)
    # A rejected file carries every fault it had; the message quotes only the first.
    problems = getattr(exc, "problems", ())
    if len(problems) > 1:
        typer.echo("  problems:", err=True)
        for problem in problems[:MAX_LISTED_PROBLEMS]:
            typer.echo(f"    - {problem.message}", err=True)
        if len(problems) > MAX_LISTED_PROBLEMS:
            typer.echo(f"    ... and {len(problems) - MAX_LISTED_PROBLEMS} more", err=True)
    if exc.hint:
        typer.echo(f"  fix: {exc.hint}", err=True)
    typer.echo(f"  code: {exc.code}", err=True)


def fail(message: str, *, code: str, hint: str | None = None) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    if hint:
        typer.echo(f"  fix: {hint}", err=True)
    typer.echo(f"  code: {code}", err=True)
    raise typer.Exit(1)


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str, sort_keys=False))


def echo_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Print rows as an aligned text table."""
    if not rows:
        typer.echo("(none)")
        return
    widths = {column: max(len(column), *(len(cell_text(row.get(column))) for row in rows)) for column in columns}
    typer.echo("  ".join(column.upper().ljust(widths[column]) for column in columns))
    for row in rows:
        typer.echo("  ".join(cell_text(row.get(column)).ljust(widths[column]) for column in columns))


def cell_text(value: Any) -> str:
    """Write a table cell: None and "" are blank, but 0 is a count and prints as 0."""
    return "" if value is None else str(value)


def session_of(ctx: ServiceContext) -> Session:
    return ctx.session


def read_secret(prompt: str, *, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt(prompt, hide_input=True)
