"""`premia accounts` and `premia groups`: billing accounts, preferences, bank accounts, employers."""

from __future__ import annotations

import json
from datetime import date
from importlib import import_module
from typing import Any

import typer

from premia.accounts import service as accounts
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
from premia.accounts.views import AccountView
from premia.interfaces.cli import runtime
from premia.kernel.dates import parse_date
from premia.kernel.errors import ValidationError
from premia.rating.contributions import rule_from_dict

accounts_app = typer.Typer(help="Billing accounts and billing preferences.", no_args_is_help=True)
groups_app = typer.Typer(help="Employer groups and sub-groups.", no_args_is_help=True)


def _address(line1: str | None, line2: str | None, city: str | None, state: str | None, zip_code: str | None, *, prefix: str) -> Address | None:
    given = [value for value in (line1, city, state, zip_code) if value]
    if not given:
        return None
    if len(given) < 4:
        raise ValidationError(
            code="address.incomplete",
            message=f"The {prefix}address is incomplete.",
            field=f"{prefix}address",
            hint="Give street, city, state and ZIP together.",
        )
    return Address(line1=line1 or "", line2=line2, city=city or "", state=state or "", zip_code=zip_code or "")


@accounts_app.command("create")
def create(
    first_name: str | None = typer.Option(None, "--first-name", help="Policyholder's legal first name."),
    last_name: str | None = typer.Option(None, "--last-name", help="Policyholder's legal last name."),
    birth_date: str | None = typer.Option(None, "--birth-date", help="Date of birth, YYYY-MM-DD."),
    sex: Sex = typer.Option(Sex.UNKNOWN, "--sex", help="Sex as reported on enrollment."),
    ssn_stdin: bool = typer.Option(False, "--ssn-stdin", help="Read the SSN from standard input (never a flag)."),
    member_id: str | None = typer.Option(None, "--member-id", help="Use an existing person as the holder."),
    group: str | None = typer.Option(None, "--group", help="Employer or sub-group number, for a group account."),
    line1: str | None = typer.Option(None, "--address", help="Residential street address."),
    line2: str | None = typer.Option(None, "--address2", help="Apartment, suite or unit."),
    city: str | None = typer.Option(None, "--city"),
    state: str | None = typer.Option(None, "--state", help="Two-letter USPS state code."),
    zip_code: str | None = typer.Option(None, "--zip", help="ZIP or ZIP+4."),
    phone: str | None = typer.Option(None, "--phone"),
    email: str | None = typer.Option(None, "--email"),
    payment_method: PaymentMethod = typer.Option(PaymentMethod.INVOICE, "--payment-method"),
    payment_mode: PaymentMode = typer.Option(PaymentMode.MONTHLY, "--payment-mode", help="Months billed per invoice."),
    delivery: Delivery = typer.Option(Delivery.PAPER, "--delivery"),
    language: Language | None = typer.Option(
        None, "--language", help="Language of invoices and notices; the holder's written language when omitted."
    ),
    due_day: int = typer.Option(1, "--due-day", help="Day of month the premium is due (1-28)."),
    payer_name: str | None = typer.Option(None, "--payer-name", help="Payer, when not the holder."),
    payer_email: str | None = typer.Option(None, "--payer-email", help="Where emailed invoices go."),
    legal_entity: str = typer.Option("MAIN", "--legal-entity", help="Carrier legal entity that bills."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Open a billing account for a new or existing policyholder, or for an employer group."""

    def body() -> None:
        preferences = BillingPreferences(
            payment_method=payment_method,
            payment_mode=payment_mode,
            delivery=delivery,
            language=language,
            due_day=due_day,
            payer_name=payer_name,
            payer_email=payer_email or (email if delivery is not Delivery.PAPER else None),
        )
        if group:
            data = AccountInput(kind=AccountKind.GROUP, employer_group_number=group, preferences=preferences, legal_entity=legal_entity)
        elif member_id:
            data = AccountInput(kind=AccountKind.INDIVIDUAL, holder_member_id=member_id, preferences=preferences, legal_entity=legal_entity)
        else:
            holder = PersonInput(
                first_name=first_name or "",
                last_name=last_name or "",
                birth_date=_required_date(birth_date, "birth_date"),
                sex=sex,
                ssn=runtime.read_secret("SSN", from_stdin=True) if ssn_stdin else None,
                residential_address=_address(line1, line2, city, state, zip_code, prefix=""),
                phone=phone,
                email=email,
                spoken_language=language or Language.ENGLISH,
                written_language=language or Language.ENGLISH,
            )
            data = AccountInput(kind=AccountKind.INDIVIDUAL, holder=holder, preferences=preferences, legal_entity=legal_entity)
        with runtime.unit_of_work() as ctx:
            account = accounts.create_account(ctx, data)
            view = accounts.get_account(ctx, account.account_number)
        _print_account(view, json_output)

    runtime.run(body)


@accounts_app.command("show")
def show(
    account_number: str = typer.Argument(..., help="Account number, such as BA-000001."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date the balance, aging and invoice status are shown for, YYYY-MM-DD; today when omitted."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show an account: holder, preferences, masked bank accounts, balance and invoices."""

    def body() -> None:
        _load_show_sections()
        with runtime.unit_of_work() as ctx:
            on = parse_date(as_of, field="as_of") if as_of else ctx.today()
            view = accounts.get_account(ctx, account_number)
            for section in SHOW_SECTIONS:
                view.sections.update(section(ctx, view, on))
        _print_account(view, json_output)

    runtime.run(body)


@accounts_app.command("list")
def list_accounts(
    account_number: str | None = typer.Option(None, "--account", help="Exact account number."),
    member_id: str | None = typer.Option(None, "--member-id", help="Holder's member ID."),
    last_name: str | None = typer.Option(None, "--last-name", help="With --birth-date."),
    first_name: str | None = typer.Option(None, "--first-name", help="Narrows a name search."),
    birth_date: str | None = typer.Option(None, "--birth-date", help="YYYY-MM-DD, with --last-name."),
    employer: str | None = typer.Option(None, "--employer", help="Group number or part of the employer's name."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Find accounts by account number, member ID, name with date of birth, or employer."""

    def body() -> None:
        birth = _required_date(birth_date, "birth_date").isoformat() if birth_date else None
        with runtime.unit_of_work() as ctx:
            views = accounts.find_accounts(
                ctx,
                account_number=account_number,
                member_id=member_id,
                last_name=last_name,
                first_name=first_name,
                birth_date=birth,
                employer=employer,
                limit=limit,
            )
        if json_output:
            runtime.emit_json([view.to_dict() for view in views])
            return
        runtime.echo_table(
            [
                {
                    "account": v.account_number,
                    "kind": v.kind,
                    "holder": v.holder_name,
                    "member_id": v.holder.member_id if v.holder else "",
                    "method": v.preferences["payment_method"],
                    "mode": v.preferences["payment_mode"],
                    "status": v.status,
                }
                for v in views
            ],
            ["account", "kind", "holder", "member_id", "method", "mode", "status"],
        )

    runtime.run(body)


@accounts_app.command("update")
def update(
    account_number: str = typer.Argument(..., help="Account number, such as BA-000001."),
    payment_method: PaymentMethod | None = typer.Option(None, "--payment-method"),
    payment_mode: PaymentMode | None = typer.Option(None, "--payment-mode"),
    delivery: Delivery | None = typer.Option(None, "--delivery"),
    language: Language | None = typer.Option(None, "--language"),
    due_day: int | None = typer.Option(None, "--due-day", help="1-28."),
    autodraft_day: int | None = typer.Option(None, "--autodraft-day", help="1-28."),
    payer_name: str | None = typer.Option(None, "--payer-name"),
    payer_email: str | None = typer.Option(None, "--payer-email"),
    payer_phone: str | None = typer.Option(None, "--payer-phone"),
    expected_version: int | None = typer.Option(None, "--version", help="Reject the change if the account moved on."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Change billing preferences."""
    changes: dict[str, Any] = {
        name: value
        for name, value in {
            "payment_method": payment_method,
            "payment_mode": payment_mode,
            "delivery": delivery,
            "language": language,
            "due_day": due_day,
            "autodraft_day": autodraft_day,
            "payer_name": payer_name,
            "payer_email": payer_email,
            "payer_phone": payer_phone,
        }.items()
        if value is not None
    }

    def body() -> None:
        if not changes:
            runtime.fail("Nothing to change.", code="preferences.nothing_to_change", hint="Give at least one option.")
        with runtime.unit_of_work() as ctx:
            accounts.update_preferences(ctx, account_number, changes, expected_version=expected_version)
            view = accounts.get_account(ctx, account_number)
        _print_account(view, json_output)

    runtime.run(body)


@accounts_app.command("add-bank")
def add_bank(
    account_number: str = typer.Argument(..., help="Account number, such as BA-000001."),
    holder_name: str = typer.Option(..., "--holder-name", help="Name on the bank account."),
    routing_number: str = typer.Option(..., "--routing", help="Nine-digit ABA routing number."),
    account_type: BankAccountType = typer.Option(BankAccountType.CHECKING, "--type"),
    method: AuthorizationMethod = typer.Option(..., "--authorized-via", help="How the debit was authorized."),
    authorized_by: str = typer.Option(..., "--authorized-by", help="Who gave the authorization."),
    reference: str | None = typer.Option(None, "--reference", help="Form number, call recording id or confirmation."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Record a bank account for auto-draft; the account number is read from standard input."""

    def body() -> None:
        number = runtime.read_secret("Bank account number", from_stdin=True)
        data = BankAccountInput(
            holder_name=holder_name,
            routing_number=routing_number,
            account_number=number,
            account_type=account_type,
            authorization_method=method,
            authorized_by=authorized_by,
            authorization_reference=reference,
        )
        with runtime.unit_of_work() as ctx:
            bank = accounts.add_bank_account(ctx, account_number, data)
        if json_output:
            runtime.emit_json(vars(bank))
        else:
            typer.echo(f"bank account {bank.account_number} (routing {bank.routing_number}) recorded, {bank.authorization['sec_code']}")

    runtime.run(body)


@groups_app.command("create")
def create_group(
    group_number: str = typer.Argument(..., help="The carrier's group number."),
    name: str = typer.Option(..., "--name", help="Employer's legal name."),
    anniversary_month: int = typer.Option(..., "--anniversary-month", help="Plan-year start month, 1-12."),
    line1: str = typer.Option(..., "--address", help="Street address of the employer, where its members are rated."),
    city: str = typer.Option(..., "--city", help="City of the employer's address."),
    state: str = typer.Option(..., "--state", help="Two-letter USPS state code."),
    zip_code: str = typer.Option(..., "--zip", help="ZIP or ZIP+4."),
    parent: str | None = typer.Option(None, "--parent", help="Parent group number, for a sub-group."),
    tax_id: str | None = typer.Option(None, "--tax-id", help="Employer identification number."),
    contact_email: str | None = typer.Option(None, "--contact-email", help="Email of the employer's benefits contact."),
) -> None:
    """Create an employer group or sub-group."""

    def body() -> None:
        data = EmployerGroupInput(
            group_number=group_number,
            name=name,
            anniversary_month=anniversary_month,
            address=Address(line1=line1, city=city, state=state, zip_code=zip_code),
            tax_id=tax_id,
            parent_group_number=parent,
            contact_email=contact_email,
        )
        with runtime.unit_of_work() as ctx:
            group = accounts.create_employer_group(ctx, data)
            typer.echo(f"created group {group.group_number} {group.name}")

    runtime.run(body)


@groups_app.command("contribution")
def set_contribution(
    group_number: str = typer.Argument(..., help="The carrier's group number."),
    employee_only_percent: str | None = typer.Option(
        None, "--employee-only-percent", help="Employer pays this percent of the employee-only rate, whatever the tier."
    ),
    tier_amounts: str | None = typer.Option(
        None, "--tier-amounts", help="Employer pays a fixed dollar amount per tier: ee=400,es=650,ec=600,fam=900."
    ),
    member_percent: str | None = typer.Option(
        None, "--member-percent", help="Employer pays this percent of each member's premium."
    ),
    dependent_percent: str | None = typer.Option(
        None, "--dependent-percent", help="With --member-percent: a different percent for dependents."
    ),
    remove: bool = typer.Option(False, "--none", help="Remove the rule; a sub-group then uses its parent's."),
    json_output: bool = typer.Option(False, "--json", help="Print the stored rule as JSON."),
) -> None:
    """Set what the employer pays of each employee's premium, shown as its share on list bills."""

    def body() -> None:
        stored = _contribution_options(employee_only_percent, tier_amounts, member_percent, dependent_percent, remove)
        rule = rule_from_dict(stored, record=f"employer_group {group_number}") if stored is not None else None
        with runtime.unit_of_work() as ctx:
            group = accounts.set_group_contribution(ctx, group_number, rule)
            if json_output:
                typer.echo(json.dumps({"group_number": group.group_number, "contribution": group.contribution_rule}))
            elif rule is None:
                typer.echo(f"group {group.group_number} has no contribution rule of its own")
            else:
                typer.echo(f"group {group.group_number}: employer pays {rule.describe()}")

    runtime.run(body)


def _contribution_options(
    employee_only_percent: str | None,
    tier_amounts: str | None,
    member_percent: str | None,
    dependent_percent: str | None,
    remove: bool,
) -> dict[str, object] | None:
    """Return the stored form of the one rule the options give, or None for --none."""
    if dependent_percent is not None and member_percent is None:
        raise ValidationError(
            code="cli.contribution_option",
            message="--dependent-percent goes with --member-percent.",
            field="dependent_percent",
            hint="Add --member-percent with the employee's percent.",
        )
    chosen = [name for name, value in (
        ("--employee-only-percent", employee_only_percent),
        ("--tier-amounts", tier_amounts),
        ("--member-percent", member_percent),
        ("--none", remove or None),
    ) if value is not None]
    if len(chosen) != 1:
        raise ValidationError(
            code="cli.contribution_option",
            message=f"give exactly one of --employee-only-percent, --tier-amounts, --member-percent or --none (got {len(chosen)}).",
            field="contribution",
            hint="For example: premia groups contribution G-100 --employee-only-percent 75",
        )
    if remove:
        return None
    if employee_only_percent is not None:
        return {"kind": "employee_only_percent", "percent": employee_only_percent}
    if member_percent is not None:
        stored: dict[str, object] = {"kind": "member_percent", "employee_percent": member_percent}
        if dependent_percent is not None:
            stored["dependent_percent"] = dependent_percent
        return stored
    return {"kind": "tier_amounts", "amounts": _tier_pairs(tier_amounts or "")}


def _tier_pairs(text: str) -> dict[str, str]:
    amounts: dict[str, str] = {}
    for pair in text.split(","):
        tier, separator, amount = pair.partition("=")
        if not separator or not tier.strip() or not amount.strip():
            raise ValidationError(
                code="cli.contribution_option",
                message=f"--tier-amounts item {pair!r} is not TIER=AMOUNT.",
                field="tier_amounts",
                value=pair,
                hint="Write the four tiers as ee=400,es=650,ec=600,fam=900 (dollars).",
            )
        amounts[tier.strip().lower()] = amount.strip()
    return amounts


# Later areas (billing, delinquency) add sections to `accounts show` by appending functions
# that take (ctx, view) and return a dict of extra sections.
SHOW_SECTIONS: list[Any] = []
# Command modules that add a section to `accounts show` when imported. `premia` imports a
# command's module only when the command runs, so `show` imports these itself.
SECTION_MODULES = ("premia.interfaces.cli.billing",)


def _load_show_sections() -> None:
    for module in SECTION_MODULES:
        import_module(module)


def _required_date(text: str | None, field: str) -> date:
    if not text:
        raise ValidationError(code="field.missing", message=f"{field} is missing.", field=field, hint="Write it as YYYY-MM-DD.")
    return parse_date(text, field=field)


def _print_account(view: AccountView, json_output: bool) -> None:
    if json_output:
        runtime.emit_json(view.to_dict())
        return
    prefs = view.preferences
    typer.echo(f"{view.account_number}  {view.holder_name}  ({view.kind}, {view.status}, entity {view.legal_entity})")
    if view.holder:
        h = view.holder
        typer.echo(f"  member {h.member_id}  born {h.birth_date}  SSN {h.ssn or '-'}")
        if h.address.get("line1"):
            typer.echo(f"  {h.address['line1']}, {h.address['city']}, {h.address['state']} {h.address['zip_code']}")
    typer.echo(
        f"  pays by {prefs['payment_method']}, {prefs['payment_mode']}, due day {prefs['due_day']}, "
        f"delivery {prefs['delivery']}, language {prefs['language']}"
    )
    for bank in view.bank_accounts:
        typer.echo(f"  bank {bank.account_number} routing {bank.routing_number} ({bank.status}, {bank.authorization['sec_code']})")
    for name, section in view.sections.items():
        typer.echo(f"  {name.replace('_', ' ').capitalize()}")
        _echo_block(section, depth=2)


def _echo_block(data: dict[str, Any], *, depth: int) -> None:
    """Print a section's values one per line, nested values indented under their name."""
    pad = "  " * depth
    for key, value in data.items():
        words = key.replace("_", " ")
        if isinstance(value, dict):
            typer.echo(f"{pad}{words}:")
            _echo_block(value, depth=depth + 1)
        elif isinstance(value, list):
            typer.echo(f"{pad}{words}:" + ("" if value else " none"))
            for item in value:
                _echo_item(item, depth=depth + 1)
        else:
            typer.echo(f"{pad}{words}: {_scalar_text(value)}")


def _echo_item(item: Any, *, depth: int) -> None:
    """Print one list entry on a line of its own, with its nested lists and mappings below it."""
    pad = "  " * depth
    if not isinstance(item, dict):
        typer.echo(f"{pad}- {_scalar_text(item)}")
        return
    flat = {key: value for key, value in item.items() if not isinstance(value, (dict, list))}
    typer.echo(f"{pad}- " + ", ".join(f"{key.replace('_', ' ')} {_scalar_text(value)}" for key, value in flat.items()))
    nested = {key: value for key, value in item.items() if isinstance(value, (dict, list))}
    _echo_block(nested, depth=depth + 1)


def _scalar_text(value: Any) -> str:
    return "-" if value is None or value == "" else str(value)
