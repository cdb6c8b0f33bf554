"""`premia renewals ...` and `premia policies ...`: renewals, plan and member changes, cancellations, terminations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import typer

from premia.accounts.person_service import find_person
from premia.enrollment.model import Relationship
from premia.infra.context import ServiceContext
from premia.interfaces.cli import runtime
from premia.kernel.dates import parse_date
from premia.kernel.errors import ValidationError
from premia.kernel.money import format_cents
from premia.lifecycle import cancellation, changes, history, offers, renewals, termination
from premia.lifecycle.model import RequestSource
from premia.lifecycle.refunds import settle_refunds

renewals_app = typer.Typer(help="Renewal runs, and declining a renewal or choosing another plan for it.", no_args_is_help=True)
policies_app = typer.Typer(
    help="Plan changes, member changes, cancellations, terminations and reinstatements of policies.", no_args_is_help=True
)

SOURCE_HELP = "Who asked: member, employer, exchange (an 834 or Marketplace notice) or carrier (a correction)."
JSON_HELP = "Print JSON."

PolicyNumber = Annotated[str, typer.Argument(help="Policy number.")]
Source = Annotated[RequestSource, typer.Option("--source", help=SOURCE_HELP)]
ChangeRequestedOn = Annotated[
    str | None, typer.Option("--requested-on", help="Date the change was requested; today if omitted.")
]
JsonOutput = Annotated[bool, typer.Option("--json", help=JSON_HELP)]


def _catalog(ctx: ServiceContext) -> Any:
    from premia.catalog.service import current_catalog

    return current_catalog(ctx)


def _day(text: str | None, ctx: ServiceContext, field: str) -> date:
    """Parse a date option; an omitted one means today in the carrier's time zone."""
    return parse_date(text, field=field) if text else ctx.today()


def _emit(json_output: bool, data: dict[str, Any], lines: Callable[[], list[str]]) -> None:
    if json_output:
        runtime.emit_json(data)
        return
    for line in lines():
        typer.echo(line)


@renewals_app.command("run")
def run(
    as_of: str = typer.Option(..., "--as-of", help="Business date of the run, YYYY-MM-DD."),
    json_output: JsonOutput = False,
) -> None:
    """Renew every policy whose renewal window is open on the as-of date and send the renewal notices."""

    def body() -> None:
        run_date = parse_date(as_of, field="as_of")
        with runtime.unit_of_work() as ctx:
            report = renewals.run_renewals(ctx, catalog=_catalog(ctx), as_of=run_date)
            data = report.to_dict()

        def text() -> list[str]:
            lines = [
                f"renewal run {run_date}: {data['renewed']} renewed, {data['accepted']} took effect, "
                f"{data['skipped']} skipped, {data['failed']} failed"
            ]
            for item in data["policies"]:
                if item["outcome"] == "renewed":
                    lines.append(
                        f"  {item['policy_number']} -> {item['renewal_policy_number']} on {item['renewal_date']}: "
                        f"{item['from_plan_id']} {item['previous_premium']} -> {item['to_plan_id']} {item['premium']}"
                    )
                elif item["outcome"] == "failed":
                    lines.append(f"  {item['policy_number']}: {item['error']['message']}")
                elif item["reason"]:
                    lines.append(f"  {item['policy_number']} {item['outcome']}: {item['reason']}")
            return lines

        _emit(json_output, data, text)

    runtime.run(body)


@renewals_app.command("decline")
def decline(
    policy: str | None = typer.Argument(None, help="Policy number (the current one or its renewal); omit with --group."),
    group: str | None = typer.Option(None, "--group", help="Decline for the employer: every waiting renewal of this group."),
    on: str | None = typer.Option(None, "--on", help="Date the payer declined, YYYY-MM-DD; today if omitted."),
    reason: str = typer.Option(..., "--reason", help="Why the payer declines the renewal."),
    source: Source = RequestSource.MEMBER,
    json_output: JsonOutput = False,
) -> None:
    """Decline a renewal before it takes effect: the renewal is cancelled and coverage ends with the plan year."""

    def body() -> None:
        if (policy is None) == (group is None):
            raise ValidationError(
                code="renewal.policy_or_group",
                message="Give a policy number or --group, but not both.",
                field="policy",
                hint="Example: premia renewals decline P-0000012 --reason 'moving abroad'.",
            )
        with runtime.unit_of_work() as ctx:
            declined_on = _day(on, ctx, "on")
            catalog = _catalog(ctx)
            if group is not None:
                declined_offers = renewals.decline_group_renewals(ctx, group, catalog=catalog, on=declined_on, reason=reason)
            else:
                assert policy is not None
                declined_offers = [renewals.decline_renewal(ctx, policy, catalog=catalog, on=declined_on, reason=reason, source=source)]
            data = {"declined": [offers.offer_data(ctx, offer) for offer in declined_offers]}
        _emit(
            json_output,
            data,
            lambda: [f"renewal of {item['policy_number']} on {item['renewal_date']} declined; {item['renewal_policy_number']} cancelled" for item in data["declined"]],
        )

    runtime.run(body)


@renewals_app.command("choose-plan")
def choose_plan(
    policy: str = typer.Argument(..., help="Policy number (the current one or its renewal)."),
    plan: str = typer.Option(..., "--plan", help="Plan id to renew into, for the next plan year."),
    on: str | None = typer.Option(None, "--on", help="Date the payer chose, YYYY-MM-DD; today if omitted."),
    source: Source = RequestSource.MEMBER,
    json_output: JsonOutput = False,
) -> None:
    """Renew into another plan the payer chose before the renewal date; the earlier offer is superseded."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            offer = renewals.choose_renewal_plan(ctx, policy, catalog=_catalog(ctx), plan_id=plan, on=_day(on, ctx, "on"), source=source)
            data = offers.offer_data(ctx, offer)
        _emit(
            json_output,
            data,
            lambda: [
                f"{data['policy_number']} renews into {data['to_plan_id']} on {data['renewal_date']} as {data['renewal_policy_number']}: "
                f"{data['previous_premium']} -> {data['premium']} a month"
            ],
        )

    runtime.run(body)


@policies_app.command("change-plan")
def change_plan(
    policy: PolicyNumber,
    plan: str = typer.Option(..., "--plan", help="Plan id to move the members to."),
    effective: str = typer.Option(..., "--effective", help="First day on the new plan, YYYY-MM-DD."),
    requested_on: ChangeRequestedOn = None,
    source: Source = RequestSource.MEMBER,
    reason: str = typer.Option("", "--reason", help="Qualifying event or other reason for the change."),
    json_output: JsonOutput = False,
) -> None:
    """Move a policy's members to another plan from a date; the bill run prorates and adjusts billed months."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            result = changes.change_plan(
                ctx,
                policy,
                catalog=_catalog(ctx),
                plan_id=plan,
                effective=parse_date(effective, field="effective"),
                requested_on=_day(requested_on, ctx, "requested_on"),
                source=source,
                reason=reason,
            )
        data = result.to_dict()
        _emit(json_output, data, lambda: [f"{data['policy_number']} -> {data['new_policy_number']} on plan {data['plan_id']} from {data['effective_date']}"])

    runtime.run(body)


@policies_app.command("add-member")
def add_member(
    policy: PolicyNumber,
    member: str = typer.Option(..., "--member", help="Member ID of the person to cover (create the person first)."),
    relationship: Relationship = typer.Option(..., "--relationship", help="Relationship to the subscriber."),
    effective: str = typer.Option(..., "--effective", help="First covered day, YYYY-MM-DD."),
    tobacco: bool = typer.Option(False, "--tobacco", help="The member uses tobacco."),
    no_aptc: bool = typer.Option(False, "--no-aptc", help="The member is not eligible for APTC."),
    requested_on: ChangeRequestedOn = None,
    source: Source = RequestSource.MEMBER,
    json_output: JsonOutput = False,
) -> None:
    """Cover a dependent from a date (also on a renewal already made)."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            person = find_person(ctx, member)
            result = changes.add_member(
                ctx,
                policy,
                person_id=person.id,
                relationship=relationship,
                effective=parse_date(effective, field="effective"),
                requested_on=_day(requested_on, ctx, "requested_on"),
                source=source,
                tobacco=tobacco,
                aptc_eligible=not no_aptc,
            )
        data = result.to_dict()
        _emit(json_output, data, lambda: [f"{data['member_id']} covered on {data['policy_number']} from {data['start_date']}"])

    runtime.run(body)


@policies_app.command("remove-member")
def remove_member(
    policy: PolicyNumber,
    member: str = typer.Option(..., "--member", help="Member ID of the dependent."),
    effective: str = typer.Option(..., "--effective", help="Last covered day, YYYY-MM-DD."),
    requested_on: ChangeRequestedOn = None,
    source: Source = RequestSource.MEMBER,
    json_output: JsonOutput = False,
) -> None:
    """End a dependent's coverage after a date, moved up to the retroactivity limit when it is too far back."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            person = find_person(ctx, member)
            result = changes.remove_member(
                ctx,
                policy,
                person_id=person.id,
                last_day=parse_date(effective, field="effective"),
                requested_on=_day(requested_on, ctx, "requested_on"),
                source=source,
            )
        data = result.to_dict()
        _emit(json_output, data, lambda: [_ended_text(data["member_id"], data["last_covered_day"], data["moved_by"])])

    runtime.run(body)


@policies_app.command("terminate")
def terminate(
    policy: PolicyNumber,
    effective: str = typer.Option(..., "--effective", help="Last covered day, YYYY-MM-DD; premium is owed through it."),
    reason: str = typer.Option(..., "--reason", help="Why coverage ends."),
    requested_on: str | None = typer.Option(None, "--requested-on", help="Date the termination was requested; today if omitted."),
    source: Source = RequestSource.MEMBER,
    json_output: JsonOutput = False,
) -> None:
    """End coverage after a date; unearned premium is refunded once the bill run credits it."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            result = termination.terminate_policy(
                ctx,
                policy,
                catalog=_catalog(ctx),
                last_day=parse_date(effective, field="effective"),
                requested_on=_day(requested_on, ctx, "requested_on"),
                reason=reason,
                source=source,
            )
        data = result.to_dict()

        def text() -> list[str]:
            lines = [_ended_text(data["policy_number"], data["last_covered_day"], data["moved_by"])]
            if data["refund_state"] == "awaiting_credit":
                lines.append(f"  {data['expected_credit']} to be credited by the next bill run, then refunded")
            lines.extend(f"  renewal {number} cancelled" for number in data["cancelled_renewals"])
            return lines

        _emit(json_output, data, text)

    runtime.run(body)


@policies_app.command("cancel")
def cancel(
    policy: PolicyNumber,
    effective: str | None = typer.Option(
        None, "--effective", "--on", help="Date the cancellation was requested, YYYY-MM-DD; today if omitted. It voids coverage from the effective date."
    ),
    reason: str = typer.Option("", "--reason", help="Why the policy is cancelled."),
    delivered: str | None = typer.Option(None, "--delivered", help="Date the policy was delivered, which starts the free look; the effective date if omitted."),
    source: Source = RequestSource.MEMBER,
    json_output: JsonOutput = False,
) -> None:
    """Cancel before the effective date or within the free look; everything paid is refunded after the bill run's credit."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            result = cancellation.cancel_policy(
                ctx,
                policy,
                catalog=_catalog(ctx),
                requested_on=_day(effective, ctx, "effective"),
                reason=reason,
                source=source,
                delivered_on=parse_date(delivered, field="delivered") if delivered else None,
            )
        data = result.to_dict()
        kind = "within the free look" if data["free_look"] else "before the effective date"
        _emit(json_output, data, lambda: [f"{data['policy_number']} cancelled {kind}, void from {data['cancelled_from']}; refund {data['refund_state']}"])

    runtime.run(body)


@policies_app.command("reinstate")
def reinstate(
    policy: PolicyNumber,
    effective: str | None = typer.Option(None, "--effective", "--on", help="Date of the reinstatement, YYYY-MM-DD; today if omitted."),
    reason: str = typer.Option(..., "--reason", help="Why the termination is reversed."),
    json_output: JsonOutput = False,
) -> None:
    """Reinstate a terminated policy: coverage and billing are restored as they were."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            result = termination.reinstate_policy(ctx, policy, on=_day(effective, ctx, "effective"), reason=reason)
        data = result.to_dict()
        _emit(json_output, data, lambda: [f"{data['policy_number']} reinstated from {data['restored_from']}"])

    runtime.run(body)


@policies_app.command("changes")
def changes_of_policy(policy: PolicyNumber, json_output: JsonOutput = False) -> None:
    """List the policy's terminations, cancellations, plan and member changes, who asked, and their refunds."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            found, records = history.policy_changes(ctx, policy)
            data = {"policy_number": found.policy_number, "status": found.status, "changes": [record.to_dict() for record in records]}
        _emit(json_output, data, lambda: _changes_text(data))

    runtime.run(body)


def _changes_text(data: dict[str, Any]) -> list[str]:
    lines = [f"{data['policy_number']} ({data['status']}): {len(data['changes'])} change(s)"]
    for change in data["changes"]:
        effective = f" effective {change['effective_date']}" if change["effective_date"] else ""
        member = f" member {change['member_id']}" if change["member_id"] else ""
        lines.append(f"  #{change['change_id']} {change['requested_on']} {change['kind']} from {change['source']}{effective}{member}: {change['reason']}")
        if change["refund_state"] != "none":
            refund = f", refund {change['refund']}" if change["refund"] is not None else ""
            lines.append(f"    refund {change['refund_state']}: expected credit {change['expected_credit']}{refund}")
        if change["reversed_by_change_id"]:
            lines.append(f"    reversed by #{change['reversed_by_change_id']}")
    return lines


@policies_app.command("settle-refunds")
def settle(
    as_of: str = typer.Option(..., "--as-of", help="Business date, YYYY-MM-DD; run it after the bill run."),
    json_output: JsonOutput = False,
) -> None:
    """Request the refunds of terminations and cancellations whose credit the bill run has posted."""

    def body() -> None:
        run_date = parse_date(as_of, field="as_of")
        with runtime.unit_of_work() as ctx:
            settled = settle_refunds(ctx, catalog=_catalog(ctx), as_of=run_date)
        data = {"as_of": run_date.isoformat(), "settled": [item.to_dict() for item in settled]}
        total = sum(item.refund_cents for item in settled)
        _emit(
            json_output,
            data,
            lambda: [f"{len(settled)} refund(s) settled, {format_cents(total)} requested"]
            + [f"  {item['policy_number']}: {item['state']} {item['refund']}" for item in data["settled"]],
        )

    runtime.run(body)


def _ended_text(subject: str, last_day: str, moved_by: str | None) -> str:
    text = f"{subject} covered through {last_day}"
    return f"{text} ({moved_by})" if moved_by else text
