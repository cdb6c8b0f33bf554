"""`premia contacts`, `premia cases`, `premia disputes`, `premia persons` and `premia import claims`.

Every command takes ``--json``. Times are stored in UTC; deadlines are printed in the
viewer's zone (``--zone``), the carrier's time zone by default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from premia.accounts.model import Address, Delivery, Language
from premia.interfaces.cli import runtime
from premia.kernel.dates import parse_date
from premia.kernel.errors import ValidationError
from premia.kernel.money import parse_amount
from premia.servicing import case_queries, cases, dispute_queries, disputes
from premia.servicing.claims import import_claims as import_claims_file
from premia.servicing.contacts import contact_view, log_contact
from premia.servicing.demographics import record_returned_mail, update_demographics
from premia.servicing.model import (
    CallerIdentifiers,
    CaseInput,
    CasePriority,
    CaseStatus,
    CaseType,
    ContactChannel,
    ContactDirection,
    ContactInput,
    ContactSubject,
    DisputedItem,
    DisputeOutcome,
    PartyKind,
    ResolutionCode,
    VerificationMethod,
)
from premia.servicing.persons_merge import merge_persons
from premia.servicing.verification import verify_caller

contacts_app = typer.Typer(
    help="Log contacts with members, employers and agents, and verify callers.", no_args_is_help=True
)
cases_app = typer.Typer(help="Service cases with business-hour SLA clocks.", no_args_is_help=True)
disputes_app = typer.Typer(
    help="Billing disputes: hold the disputed amount, decide, approve.", no_args_is_help=True
)
persons_app = typer.Typer(
    help="Demographic updates, returned mail and merges of duplicate persons.", no_args_is_help=True
)

JSON_OPTION = typer.Option(False, "--json", help="Print JSON.")
VERSION_HELP = "The version you last saw; a newer stored version is reported as a conflict."


@contacts_app.command("log")
def log(
    channel: ContactChannel = typer.Option(..., "--channel"),
    direction: ContactDirection = typer.Option(ContactDirection.INBOUND, "--direction"),
    subject: ContactSubject = typer.Option(
        ..., "--subject", help="What the contact was about; first contact resolution compares by subject."
    ),
    member_id: str | None = typer.Option(None, "--member-id", help="The member the contact was about."),
    account_number: str | None = typer.Option(
        None, "--account", help="The billing account, when not the member's own."
    ),
    party_kind: PartyKind = typer.Option(PartyKind.MEMBER, "--party", help="Who was on the other side."),
    party_name: str | None = typer.Option(
        None, "--party-name", help="The caller's name when not the member."
    ),
    authorized_party: int | None = typer.Option(
        None, "--authorized-party", help="ID of the authority on file the caller acts under."
    ),
    case_number: str | None = typer.Option(None, "--case", help="Case the contact belongs to."),
    notes: str | None = typer.Option(None, "--notes"),
    json_output: bool = JSON_OPTION,
) -> None:
    """Record one interaction; an outbound contact on a case is its first response."""

    def body() -> None:
        data = ContactInput(
            channel=channel,
            direction=direction,
            subject=subject,
            party_kind=party_kind,
            party_name=party_name,
            member_id=member_id,
            account_number=account_number,
            case_number=case_number,
            notes=notes,
            authorized_party_id=authorized_party,
        )
        with runtime.unit_of_work() as ctx:
            contact = log_contact(ctx, data)
            view = contact_view(ctx, contact).to_dict()
        _print(view, json_output, title=f"contact {view['id']} logged")

    runtime.run(body)


@contacts_app.command("verify")
def verify(
    contact_id: int = typer.Argument(..., help="Contact ID from `premia contacts log`."),
    method: VerificationMethod = typer.Option(VerificationMethod.IDENTIFIERS, "--method"),
    member_id: str | None = typer.Option(None, "--member-id", help="Member ID the caller stated."),
    first_name: str | None = typer.Option(None, "--first-name", help="First name the caller stated."),
    last_name: str | None = typer.Option(None, "--last-name", help="Last name the caller stated."),
    birth_date: str | None = typer.Option(
        None, "--birth-date", help="Date of birth the caller stated, YYYY-MM-DD."
    ),
    zip_code: str | None = typer.Option(
        None, "--zip", help="ZIP code the caller stated (for enhanced verification)."
    ),
    ssn_last4_stdin: bool = typer.Option(
        False,
        "--ssn-last4-stdin",
        help="Read the SSN's last four digits the caller stated from standard input.",
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Check the caller's identity on a contact and record the method and result."""

    def body() -> None:
        stated = CallerIdentifiers(
            member_id=member_id,
            first_name=first_name,
            last_name=last_name,
            birth_date=parse_date(birth_date, field="birth_date") if birth_date else None,
            zip_code=zip_code,
            ssn_last4=runtime.read_secret("SSN last four", from_stdin=True) if ssn_last4_stdin else None,
        )
        with runtime.unit_of_work() as ctx:
            # The member verified is the one the contact was logged for, never the ID the caller states.
            contact = verify_caller(
                ctx,
                contact_id,
                method=method,
                identifiers=stated if method is VerificationMethod.IDENTIFIERS else None,
            )
            view = contact_view(ctx, contact).to_dict()
        _print(view, json_output, title=f"contact {contact_id}: verification {view['verification_result']}")

    runtime.run(body)


@cases_app.command("open")
def open_(
    case_type: CaseType = typer.Option(..., "--type"),
    subject: str = typer.Option(..., "--subject", help="A short summary of the request."),
    priority: CasePriority = typer.Option(CasePriority.NORMAL, "--priority"),
    member_id: str | None = typer.Option(None, "--member-id"),
    account_number: str | None = typer.Option(None, "--account"),
    queue: str | None = typer.Option(
        None, "--queue", help="Queue; defaults to the one configured for the case type."
    ),
    owner: str | None = typer.Option(None, "--owner", help="Staff username to assign the case to at once."),
    description: str | None = typer.Option(None, "--description"),
    contact_id: int | None = typer.Option(None, "--contact", help="Contact that raised the case."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Open a case with the SLA targets configured for its type and priority."""

    def body() -> None:
        data = CaseInput(
            case_type=case_type,
            subject=subject,
            priority=priority,
            description=description,
            member_id=member_id,
            account_number=account_number,
            queue=queue,
            owner=owner,
            contact_id=contact_id,
        )
        with runtime.unit_of_work() as ctx:
            case = cases.open_case(ctx, data)
            view = case_queries.case_view(ctx, case).to_dict()
        _print(view, json_output, title=f"case {view['case_number']} opened")

    runtime.run(body)


@cases_app.command("assign")
def assign(
    case_number: str = typer.Argument(...),
    owner: str = typer.Argument(..., help="Staff username."),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
    json_output: bool = JSON_OPTION,
) -> None:
    """Give a case to a staff member."""
    _change_case(
        lambda ctx: cases.assign_case(ctx, case_number, owner, expected_version=version),
        json_output,
        "assigned",
    )


@cases_app.command("update")
def update(
    case_number: str = typer.Argument(...),
    priority: CasePriority | None = typer.Option(None, "--priority"),
    queue: str | None = typer.Option(None, "--queue"),
    subject: str | None = typer.Option(None, "--subject"),
    waiting: bool | None = typer.Option(
        None, "--waiting/--resume", help="Pause the clock while waiting on the member, or resume it."
    ),
    note: str | None = typer.Option(None, "--note"),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
    json_output: bool = JSON_OPTION,
) -> None:
    """Change priority, queue or subject, pause or resume the clock, or add a note."""
    _change_case(
        lambda ctx: cases.update_case(
            ctx,
            case_number,
            priority=priority,
            queue=queue,
            subject=subject,
            waiting_on_member=waiting,
            note=note,
            expected_version=version,
        ),
        json_output,
        "updated",
    )


@cases_app.command("resolve")
def resolve(
    case_number: str = typer.Argument(...),
    resolution: str = typer.Option(..., "--resolution", help="What was done."),
    code: ResolutionCode = typer.Option(..., "--code"),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
    json_output: bool = JSON_OPTION,
) -> None:
    """Resolve a case; a satisfaction survey follows when the carrier sends them."""
    _change_case(
        lambda ctx: cases.resolve_case(
            ctx, case_number, resolution=resolution, code=code, expected_version=version
        ),
        json_output,
        "resolved",
    )


@cases_app.command("reopen")
def reopen(
    case_number: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
    json_output: bool = JSON_OPTION,
) -> None:
    """Reopen a resolved or closed case; its clock resumes where it stopped."""
    _change_case(
        lambda ctx: cases.reopen_case(ctx, case_number, reason=reason, expected_version=version),
        json_output,
        "reopened",
    )


@cases_app.command("close")
def close(
    case_number: str = typer.Argument(...),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
    json_output: bool = JSON_OPTION,
) -> None:
    """Close a resolved case once nothing more is expected on it."""
    _change_case(lambda ctx: cases.close_case(ctx, case_number, expected_version=version), json_output, "closed")


@cases_app.command("history")
def history(case_number: str = typer.Argument(...), json_output: bool = JSON_OPTION) -> None:
    """List the case's steps, oldest first, with who took each and its note."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            rows = [event.to_dict() for event in case_queries.case_history(ctx, case_number)]
        if json_output:
            runtime.emit_json(rows)
            return
        runtime.echo_table(rows, ["occurred_at", "actor", "action", "from_status", "to_status", "note"])

    runtime.run(body)


@cases_app.command("list")
def list_(
    status: CaseStatus | None = typer.Option(None, "--status"),
    open_only: bool = typer.Option(False, "--open", help="Only cases not yet resolved."),
    queue: str | None = typer.Option(None, "--queue"),
    owner: str | None = typer.Option(None, "--owner"),
    member_id: str | None = typer.Option(None, "--member-id"),
    account_number: str | None = typer.Option(None, "--account"),
    breaches: bool = typer.Option(
        False, "--breaches", help="List breached and soon-due SLA clocks instead (supervisors)."
    ),
    limit: int = typer.Option(100, "--limit", min=1, max=1000),
    json_output: bool = JSON_OPTION,
) -> None:
    """List cases, oldest first, or the breach warnings of running clocks."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            if breaches:
                rows = [warning.to_dict() for warning in case_queries.breach_warnings(ctx, queue=queue)]
                columns = ["case_number", "clock", "queue", "owner", "deadline", "minutes_left"]
            else:
                views = case_queries.list_cases(
                    ctx,
                    status=status,
                    queue=queue,
                    owner=owner,
                    member_id=member_id,
                    account_number=account_number,
                    open_only=open_only,
                    limit=limit,
                )
                rows = [view.to_dict() for view in views]
                columns = [
                    "case_number",
                    "case_type",
                    "status",
                    "priority",
                    "queue",
                    "owner",
                    "resolution_due_at",
                    "subject",
                ]
        if json_output:
            runtime.emit_json(rows)
            return
        runtime.echo_table(rows, columns)

    runtime.run(body)


@cases_app.command("clock")
def clock(
    case_number: str = typer.Argument(...),
    zone: str | None = typer.Option(
        None, "--zone", help="Show deadlines in this IANA time zone, such as America/New_York."
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Show the case's first-response and resolution clocks in business minutes."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            rows = [
                report.to_dict() for report in case_queries.case_clocks(ctx, case_number, viewer_zone=zone)
            ]
        if json_output:
            runtime.emit_json(rows)
            return
        runtime.echo_table(
            rows,
            [
                "clock",
                "phase",
                "target_minutes",
                "sla_minutes",
                "paused_minutes",
                "total_minutes",
                "deadline_local",
                "due",
                "met",
            ],
        )

    runtime.run(body)


@disputes_app.command("open")
def open_dispute(
    account_number: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="What the payer disputes and why."),
    lines: list[str] = typer.Option(
        [], "--line", help="Invoice line ID, or ID=AMOUNT to dispute part of it; repeatable."
    ),
    payments: list[str] = typer.Option([], "--payment", help="Payment ID, or ID=AMOUNT; repeatable."),
    case_number: str | None = typer.Option(
        None, "--case", help="Existing billing dispute case; a new one is opened otherwise."
    ),
    contact_id: int | None = typer.Option(None, "--contact"),
    on: str | None = typer.Option(None, "--on", help="Date the hold starts, YYYY-MM-DD; default today."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Open a dispute and hold only the disputed amounts from collection."""

    def body() -> None:
        items = [_disputed_item(text, field="line") for text in lines] + [
            _disputed_item(text, field="payment") for text in payments
        ]
        with runtime.unit_of_work() as ctx:
            dispute = disputes.open_dispute(
                ctx,
                account_number=account_number,
                items=items,
                reason=reason,
                on=parse_date(on, field="on") if on else None,
                case_number=case_number,
                contact_id=contact_id,
            )
            view = dispute_queries.dispute_view(ctx, dispute).to_dict()
        _print(view, json_output, title=f"dispute {view['dispute_number']} opened, {view['held']} held")

    runtime.run(body)


@disputes_app.command("lines")
def lines_(
    account_number: str = typer.Argument(...),
    json_output: bool = JSON_OPTION,
) -> None:
    """List the account's invoice lines with the IDs and amounts that `disputes open --line` takes."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            rows = dispute_queries.lines_to_dispute(ctx, account_number)
        if json_output:
            runtime.emit_json(rows)
            return
        runtime.echo_table(
            rows,
            ["invoice_line_id", "coverage_month", "person_id", "kind", "amount", "disputable", "description"],
        )

    runtime.run(body)


@disputes_app.command("decide")
def decide(
    dispute_number: str = typer.Argument(...),
    outcome: DisputeOutcome = typer.Option(..., "--outcome"),
    note: str = typer.Option(..., "--note", help="Why the dispute was decided this way."),
    amount: str | None = typer.Option(
        None, "--amount", help="Amount to credit or refund in dollars; default the whole disputed amount."
    ),
    on: str | None = typer.Option(None, "--on", help="Decision date, YYYY-MM-DD; default today."),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
    json_output: bool = JSON_OPTION,
) -> None:
    """Decide a dispute: adjustment credit, refund or denial (collection resumes)."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            dispute = disputes.decide_dispute(
                ctx,
                dispute_number,
                outcome=outcome,
                note=note,
                amount_cents=parse_amount(amount, field="amount") if amount else None,
                on=parse_date(on, field="on") if on else None,
                expected_version=version,
            )
            view = dispute_queries.dispute_view(ctx, dispute).to_dict()
        _print(view, json_output, title=f"dispute {view['dispute_number']} is {view['status']}")

    runtime.run(body)


@disputes_app.command("approve")
def approve(
    dispute_number: str = typer.Argument(...),
    reject: bool = typer.Option(False, "--reject", help="Send the decision back instead of approving it."),
    note: str | None = typer.Option(None, "--note"),
    on: str | None = typer.Option(None, "--on", help="Approval date, on which the credit is applied, YYYY-MM-DD; default today."),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
    json_output: bool = JSON_OPTION,
) -> None:
    """Approve, or send back, a credit or refund above the approval amount.

    A second supervisor, not the one who decided, must do this.
    """

    def body() -> None:
        approved_on = parse_date(on, field="on") if on else None
        with runtime.unit_of_work() as ctx:
            dispute = disputes.approve_dispute(
                ctx, dispute_number, approve=not reject, note=note, on=approved_on, expected_version=version
            )
            view = dispute_queries.dispute_view(ctx, dispute).to_dict()
        _print(view, json_output, title=f"dispute {view['dispute_number']} is {view['status']}")

    runtime.run(body)


@persons_app.command("update")
def update_person(
    member_id: str = typer.Argument(...),
    contact_id: int | None = typer.Option(
        None, "--contact", help="Contact on which the member asked; the caller must be verified on it."
    ),
    document: str | None = typer.Option(
        None, "--document", help="Reference of the supporting document (required for a name change)."
    ),
    first_name: str | None = typer.Option(None, "--first-name"),
    middle_name: str | None = typer.Option(None, "--middle-name"),
    last_name: str | None = typer.Option(None, "--last-name"),
    name_suffix: str | None = typer.Option(None, "--suffix"),
    line1: str | None = typer.Option(None, "--address", help="Residential street address."),
    line2: str | None = typer.Option(None, "--address2"),
    city: str | None = typer.Option(None, "--city"),
    state: str | None = typer.Option(None, "--state"),
    zip_code: str | None = typer.Option(None, "--zip"),
    mailing_line1: str | None = typer.Option(None, "--mailing-address"),
    mailing_line2: str | None = typer.Option(None, "--mailing-address2"),
    mailing_city: str | None = typer.Option(None, "--mailing-city"),
    mailing_state: str | None = typer.Option(None, "--mailing-state"),
    mailing_zip: str | None = typer.Option(None, "--mailing-zip"),
    phone: str | None = typer.Option(None, "--phone"),
    email: str | None = typer.Option(None, "--email"),
    spoken_language: Language | None = typer.Option(None, "--spoken-language"),
    written_language: Language | None = typer.Option(None, "--written-language"),
    delivery: Delivery | None = typer.Option(
        None, "--delivery", help="Mailing preference for invoices and notices."
    ),
    version: int | None = typer.Option(None, "--version", help=VERSION_HELP),
    account_version: int | None = typer.Option(
        None, "--account-version", help="The billing account version you last saw."
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Change demographics.

    An exchange member's new home address or name is flagged for the Marketplace instead.
    """

    def body() -> None:
        changes: dict[str, Any] = {
            name: value
            for name, value in {
                "first_name": first_name,
                "middle_name": middle_name,
                "last_name": last_name,
                "name_suffix": name_suffix,
                "phone": phone,
                "email": email,
                "spoken_language": spoken_language,
                "written_language": written_language,
                "delivery": delivery,
            }.items()
            if value is not None
        }
        home = _address(line1, line2, city, state, zip_code, option="--address")
        if home is not None:
            changes["address"] = home
        mailing = _address(
            mailing_line1, mailing_line2, mailing_city, mailing_state, mailing_zip, option="--mailing-address"
        )
        if mailing is not None:
            changes["mailing_address"] = mailing
        with runtime.unit_of_work() as ctx:
            result = update_demographics(
                ctx,
                member_id,
                changes,
                contact_id=contact_id,
                document_reference=document,
                expected_version=version,
                expected_account_version=account_version,
            )
        _print(result.to_dict(), json_output, title=f"person {member_id} updated")

    runtime.run(body)


@persons_app.command("returned-mail")
def returned_mail(
    member_id: str = typer.Argument(...),
    received_on: str = typer.Option(..., "--received-on", help="Date the mail came back, YYYY-MM-DD."),
    note: str | None = typer.Option(None, "--note"),
    json_output: bool = JSON_OPTION,
) -> None:
    """Flag the member's address after mail came back undelivered."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            person = record_returned_mail(
                ctx, member_id, received_on=parse_date(received_on, field="received_on"), note=note
            )
            view = {
                "member_id": person.member_id,
                "address_returned": person.address_returned,
                "version": person.version,
            }
        _print(view, json_output, title=f"person {member_id}: address flagged as returned")

    runtime.run(body)


@persons_app.command("merge")
def merge(
    source_member_id: str = typer.Argument(..., help="The duplicate, which is marked as merged."),
    target_member_id: str = typer.Argument(..., help="The person who survives."),
    reason: str = typer.Option(..., "--reason"),
    json_output: bool = JSON_OPTION,
) -> None:
    """Merge a duplicate person into the surviving one, moving cases, contacts and coverage."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            result = merge_persons(
                ctx, source_member_id=source_member_id, target_member_id=target_member_id, reason=reason
            )
        _print(
            result.to_dict(), json_output, title=f"person {source_member_id} merged into {target_member_id}"
        )

    runtime.run(body)


def import_claims(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="Claims status CSV."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Import the claims status feed; bad rows are listed and the good rows are applied."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            report = import_claims_file(ctx, file)
        data = report.to_dict()
        if json_output:
            runtime.emit_json(data)
            return
        typer.echo(
            f"{data['file']}: {data['rows']} row(s), {data['inserted']} new, {data['updated']} updated, "
            f"{data['unchanged']} unchanged, {data['rejected']} rejected"
        )
        for error in data["errors"]:
            typer.echo(f"  line {error['line']} {error['field']} {error['value']!r}: {error['message']}")

    runtime.run(body)


def _change_case(action: Any, json_output: bool, verb: str) -> None:
    def body() -> None:
        with runtime.unit_of_work() as ctx:
            case = action(ctx)
            view = case_queries.case_view(ctx, case).to_dict()
        # The status is named only when it differs from the verb, to avoid "resolved, now resolved".
        status = "" if view["status"] == verb else f", now {view['status']}"
        title = f"case {view['case_number']} {verb}{status} (version {view['version']})"
        _print(view, json_output, title=title)

    runtime.run(body)


def _disputed_item(text: str, *, field: str) -> DisputedItem:
    identifier, _, amount = text.partition("=")
    if not identifier.strip().isdigit():
        raise ValidationError(
            code="dispute.item_invalid",
            message=f"--{field} {text!r} is not an ID or ID=AMOUNT.",
            field=field,
            value=text,
            hint=f"Write --{field} 1234 or --{field} 1234=45.00.",
        )
    cents = parse_amount(amount, field=f"{field} amount") if amount else None
    if field == "line":
        return DisputedItem(invoice_line_id=int(identifier), amount_cents=cents)
    return DisputedItem(payment_id=int(identifier), amount_cents=cents)


def _address(
    line1: str | None,
    line2: str | None,
    city: str | None,
    state: str | None,
    zip_code: str | None,
    *,
    option: str,
) -> Address | None:
    parts_given = [value for value in (line1, city, state, zip_code) if value]
    if not parts_given:
        return None
    if len(parts_given) < 4:
        raise ValidationError(
            code="address.incomplete",
            message=f"The address given with {option} is incomplete.",
            field=option.removeprefix("--"),
            hint="Give street, city, state and ZIP together.",
        )
    return Address(
        line1=line1 or "", line2=line2, city=city or "", state=state or "", zip_code=zip_code or ""
    )


def _print(data: dict[str, Any], json_output: bool, *, title: str) -> None:
    if json_output:
        runtime.emit_json(data)
        return
    typer.echo(title)
    for key, value in data.items():
        if isinstance(value, list | dict):
            continue
        typer.echo(f"  {key}: {'' if value is None else value}")
