"""The `premia` command."""

from __future__ import annotations

import typer

from premia.interfaces.cli import admin, demo, rate, serve
from premia.interfaces.cli.accounts import accounts_app, groups_app
from premia.interfaces.cli.audit import audit
from premia.interfaces.cli.billing import billing_app
from premia.interfaces.cli.catalog import catalog_app

app = typer.Typer(
    name="premia",
    help="Premia: premium billing and member services for health insurance carriers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.keys_app, name="keys")
app.add_typer(admin.users_app, name="users")
app.add_typer(accounts_app, name="accounts")
app.add_typer(groups_app, name="groups")
app.add_typer(catalog_app, name="catalog")
app.add_typer(billing_app, name="billing")
app.command("login")(admin.login)
app.command("logout")(admin.logout)
app.command("audit")(audit)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.command("rate")(rate.rate)

if __name__ == "__main__":
    app()
