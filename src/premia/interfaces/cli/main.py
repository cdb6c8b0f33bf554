"""The `premia` command."""

from __future__ import annotations

import typer

from premia.interfaces.cli import admin, demo, metrics, rate, serve
from premia.interfaces.cli.accounts import accounts_app, groups_app
from premia.interfaces.cli.audit import audit
from premia.interfaces.cli.billing import billing_app
from premia.interfaces.cli.catalog import catalog_app
from premia.interfaces.cli.delinquency import delinquency_app, eligibility
from premia.interfaces.cli.documents import documents_app, notices_app
from premia.interfaces.cli.imports import import_app
from premia.interfaces.cli.lifecycle import policies_app, renewals_app
from premia.interfaces.cli.payments import (
    autodraft_app,
    import_820,
    import_bai2,
    import_camt,
    import_lockbox,
    import_nacha_returns,
    payments_app,
    reconcile,
    refunds_app,
    suspense_app,
)
from premia.interfaces.cli.servicing import cases_app, contacts_app, disputes_app, import_claims, persons_app

app = typer.Typer(
    name="premia",
    help="Premia: premium billing and member services for health insurance carriers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Set-up and access
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.keys_app, name="keys")
app.add_typer(admin.users_app, name="users")
app.command("login")(admin.login)
app.command("logout")(admin.logout)
app.command("audit")(audit)

# Accounts, catalog and rating
app.add_typer(accounts_app, name="accounts")
app.add_typer(groups_app, name="groups")
app.add_typer(persons_app, name="persons")
app.add_typer(catalog_app, name="catalog")
app.command("rate")(rate.rate)

# Money: billing, payments, delinquency, documents
app.add_typer(billing_app, name="billing")
app.add_typer(payments_app, name="payments")
app.add_typer(autodraft_app, name="autodraft")
app.add_typer(suspense_app, name="suspense")
app.add_typer(refunds_app, name="refunds")
app.command("reconcile")(reconcile)
app.add_typer(delinquency_app, name="delinquency")
app.command("eligibility")(eligibility)
app.add_typer(notices_app, name="notices")
app.add_typer(renewals_app, name="renewals")
app.add_typer(policies_app, name="policies")
app.add_typer(documents_app, name="documents")

# Service desk
app.add_typer(contacts_app, name="contacts")
app.add_typer(cases_app, name="cases")
app.add_typer(disputes_app, name="disputes")

# File imports: 834 lives in imports.py; the other formats register here.
import_app.command("820")(import_820)
import_app.command("nacha-returns")(import_nacha_returns)
import_app.command("bai2")(import_bai2)
import_app.command("camt")(import_camt)
import_app.command("lockbox")(import_lockbox)
import_app.command("claims")(import_claims)
app.add_typer(import_app, name="import")

app.command("kpi")(metrics.kpi)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)

if __name__ == "__main__":
    app()
