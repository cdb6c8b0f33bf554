"""The `premia` command.

Each command's module is imported only when that command runs or shows its own help,
because the modules behind some commands load PDF rendering, Alembic or the X12 parser,
which would otherwise slow the start of every command. `premia --help` lists the commands
from the summaries below without importing any of them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

CLI = "premia.interfaces.cli"


@dataclass(frozen=True)
class LazyCommand:
    """A command or command group, found by module and attribute when it is first used.

    ``summary`` is the line `premia --help` shows. It must match the command's own help, and
    tests/interfaces/cli/test_cli_startup.py checks that it does.
    """

    module: str
    attribute: str
    summary: str
    build: Callable[[Any], typer.Typer] | None = None

    def load(self, name: str) -> Any:
        """Import the command and return it as a click command named ``name``."""
        target = getattr(import_module(self.module), self.attribute)
        if self.build is not None:
            target = self.build(target)
        if isinstance(target, typer.Typer):
            # Always a group, even with one subcommand (`premia keys generate`).
            return _with_unwrapped_help(typer.main.get_group(target))
        # A single function: wrap it so that Typer builds its options as it would for app.command().
        single = typer.Typer()
        single.command(name)(target)
        return _with_unwrapped_help(typer.main.get_command(single))


def _with_unwrapped_help(command: Any) -> Any:
    """Join the lines of each paragraph of the help of ``command`` and the commands under it.

    Typer's help screen prints the paragraphs after a docstring's first one with their line
    breaks, so a sentence wrapped to fit the source would break in the middle on screen.
    """
    if command.help:
        command.help = "\n\n".join(
            " ".join(paragraph.split("\n")) for paragraph in inspect.cleandoc(command.help).split("\n\n")
        )
    for subcommand in getattr(command, "commands", {}).values():
        _with_unwrapped_help(subcommand)
    return command


def _import_group(import_app: typer.Typer) -> typer.Typer:
    """Add the file imports that live with payments and servicing to the 834 import in imports.py."""
    payments = import_module(f"{CLI}.payments")
    servicing = import_module(f"{CLI}.servicing")
    formats = {
        "820": payments.import_820,
        "nacha-returns": payments.import_nacha_returns,
        "bai2": payments.import_bai2,
        "camt": payments.import_camt,
        "lockbox": payments.import_lockbox,
        "claims": servicing.import_claims,
    }
    registered = {info.name for info in import_app.registered_commands}
    for name, function in formats.items():
        if name not in registered:
            import_app.command(name)(function)
    return import_app


COMMANDS: dict[str, LazyCommand] = {
    # Set-up and access
    "login": LazyCommand(f"{CLI}.admin", "login", "Log in; later commands act as this user until `premia logout` or the session expires."),
    "logout": LazyCommand(f"{CLI}.admin", "logout", "End the CLI session."),
    "audit": LazyCommand(f"{CLI}.audit", "audit", "List audit rows: who read or changed which record, when, and which fields."),
    "rate": LazyCommand(f"{CLI}.rate", "rate", "Rate members on a plan: each member's gross premium, APTC applied and what the payer owes."),
    "reconcile": LazyCommand(f"{CLI}.payments", "reconcile", "Compare the day's bank credits with the receipts Premia posted, per bank account."),
    "eligibility": LazyCommand(
        f"{CLI}.delinquency",
        "eligibility",
        "Show whether a member is covered on a date, the paid-through date, and how claims for that date are handled.",
    ),
    "kpi": LazyCommand(f"{CLI}.metrics", "kpi", "Compute FCR, CSAT, collection rate, DSO, aging, SLA attainment and the auto-draft return rate."),
    "demo": LazyCommand(f"{CLI}.demo", "demo", "Simulate months of billing, payments and service for a generated book, then serve the console."),
    "serve": LazyCommand(f"{CLI}.serve", "serve", "Serve the staff console under /console and the API under /api/v1 (docs at /api/v1/docs)."),
    "db": LazyCommand(f"{CLI}.admin", "db_app", "Database schema."),
    "keys": LazyCommand(f"{CLI}.admin", "keys_app", "Encryption keys for sensitive fields."),
    "users": LazyCommand(f"{CLI}.admin", "users_app", "Staff users and their roles."),
    # Accounts, catalog and rating
    "accounts": LazyCommand(f"{CLI}.accounts", "accounts_app", "Billing accounts and billing preferences."),
    "groups": LazyCommand(f"{CLI}.accounts", "groups_app", "Employer groups and sub-groups."),
    "persons": LazyCommand(f"{CLI}.servicing", "persons_app", "Demographic updates, returned mail and merges of duplicate persons."),
    "catalog": LazyCommand(f"{CLI}.catalog", "catalog_app", "The rating catalog: products, plans, rating areas and rates."),
    # Money: billing, payments, delinquency, documents
    "billing": LazyCommand(f"{CLI}.billing", "billing_app", "Bill runs and invoices."),
    "ledger": LazyCommand(f"{CLI}.ledger", "ledger_app", "The general ledger: balances of the chart of accounts."),
    "payments": LazyCommand(f"{CLI}.payments", "payments_app", "Post and reverse payments."),
    "autodraft": LazyCommand(f"{CLI}.payments", "autodraft_app", "ACH auto-draft runs."),
    "suspense": LazyCommand(f"{CLI}.payments", "suspense_app", "Receipts no rule could tie to an account."),
    "refunds": LazyCommand(f"{CLI}.payments", "refunds_app", "Refunds of credit and of suspense items."),
    "delinquency": LazyCommand(
        f"{CLI}.delinquency", "delinquency_app", "Binder payments, grace periods, terminations for non-payment and reinstatements."
    ),
    "notices": LazyCommand(f"{CLI}.documents", "notices_app", "Notices to payers: render and deliver them."),
    "renewals": LazyCommand(f"{CLI}.lifecycle", "renewals_app", "Renewal runs, and declining a renewal or choosing another plan for it."),
    "policies": LazyCommand(
        f"{CLI}.lifecycle", "policies_app", "Plan changes, member changes, cancellations, terminations and reinstatements of policies."
    ),
    "documents": LazyCommand(f"{CLI}.documents", "documents_app", "Rendered documents and their delivery record."),
    # Service desk
    "contacts": LazyCommand(f"{CLI}.servicing", "contacts_app", "Log contacts with members, employers and agents, and verify callers."),
    "cases": LazyCommand(f"{CLI}.servicing", "cases_app", "Service cases with business-hour SLA clocks."),
    "disputes": LazyCommand(f"{CLI}.servicing", "disputes_app", "Billing disputes: hold the disputed amount, decide, approve."),
    # File imports
    "import": LazyCommand(f"{CLI}.imports", "import_app", "Import files from Exchanges, employers and banks.", build=_import_group),
}


class LazyGroup(TyperGroup):
    """The root group: resolves a command from ``COMMANDS`` only when it is used."""

    listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        if self.listing:
            # The help page needs only each command's name and summary.
            return TyperCommand(name=cmd_name, help=entry.summary)
        return entry.load(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    name="premia",
    cls=LazyGroup,
    help="Premia: premium billing and member services for health insurance carriers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def premia() -> None:
    """Premia: premium billing and member services for health insurance carriers."""


if __name__ == "__main__":
    app()
