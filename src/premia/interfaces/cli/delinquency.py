"""`premia delinquency run`, `premia delinquency write-834` and `premia eligibility`."""

from __future__ import annotations

from pathlib import Path

import typer

from premia.delinquency.config_file import load_config
from premia.delinquency.eligibility import eligibility as eligibility_answer
from premia.delinquency.outbound_file import write_outbound_834
from premia.delinquency.service import run_delinquency
from premia.formats.x12.codes import UsageIndicator
from premia.interfaces.cli import runtime
from premia.kernel.dates import parse_date

delinquency_app = typer.Typer(help="Binder payments, grace periods, terminations for non-payment and reinstatements.", no_args_is_help=True)


@delinquency_app.command("run")
def run(
    as_of: str = typer.Option(..., "--as-of", help="Business date of the run, YYYY-MM-DD."),
    config_file: Path | None = typer.Option(None, "--config", help="YAML file of delinquency rules; without it, PREMIA_DELINQUENCY_CONFIG_FILE or the defaults apply."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Apply the delinquency rules to every policy on the as-of date and list what changed."""

    def body() -> None:
        run_date = parse_date(as_of, field="as_of")
        config = load_config(config_file) if config_file is not None else None
        with runtime.unit_of_work() as ctx:
            report = run_delinquency(ctx, as_of=run_date, config=config)
        if json_output:
            runtime.emit_json(report.to_dict())
            return
        typer.echo(
            f"delinquency run {run_date}: {report.policies_checked} policies checked, {len(report.changes)} changed, "
            f"{len(report.held)} held by a moratorium, {len(report.notices)} notice(s), {len(report.failed)} failed"
        )
        for change in report.changes:
            effective = f" effective {change.effective_date}" if change.effective_date else ""
            typer.echo(f"  {change.policy_number}: {change.from_status} -> {change.to_status}{effective} ({change.reason})")
        for change in report.held:
            typer.echo(f"  {change.policy_number}: held in {change.from_status} by a moratorium ({change.reason})")
        for failure in report.failed:
            typer.echo(f"  {failure['policy_number']}: {failure['message']}")

    runtime.run(body)


@delinquency_app.command("write-834")
def write_834_file(
    as_of: str = typer.Option(..., "--as-of", help="File date, YYYY-MM-DD."),
    sender_id: str = typer.Option(..., "--sender", help="The carrier's interchange ID (ISA06)."),
    receiver_id: str = typer.Option(..., "--receiver", help="The exchange's interchange ID (ISA08)."),
    insurer_name: str = typer.Option(..., "--insurer-name", help="The carrier's name for N1*IN."),
    insurer_tax_id: str = typer.Option(..., "--insurer-tax-id", help="The carrier's federal tax ID for N1*IN."),
    output: Path = typer.Option(..., "--output", help="File to write the 834 to."),
    test_file: bool = typer.Option(False, "--test", help="Mark the interchange as test data (ISA15 T)."),
) -> None:
    """Write every queued effectuation, cancellation, termination and reinstatement into one 834 file."""

    def body() -> None:
        file_date = parse_date(as_of, field="as_of")
        with runtime.unit_of_work() as ctx:
            written = write_outbound_834(
                ctx,
                as_of=file_date,
                sender_id=sender_id,
                receiver_id=receiver_id,
                insurer_name=insurer_name,
                insurer_tax_id=insurer_tax_id,
                usage=UsageIndicator.TEST if test_file else UsageIndicator.PRODUCTION,
            )
            if written is not None:
                output.write_text(written.text, encoding="utf-8")
        if written is None:
            typer.echo("no enrollment changes are queued for the exchange")
            return
        typer.echo(f"wrote interchange {written.control_number} with {len(written.row_ids)} change(s) to {output}")

    runtime.run(body)


def eligibility(
    member: str = typer.Argument(..., help="Member ID."),
    on: str = typer.Option(..., "--date", help="Service date to check, YYYY-MM-DD."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show whether a member is covered on a date, the paid-through date, and how claims for that date are handled."""

    def body() -> None:
        service_date = parse_date(on, field="date")
        with runtime.unit_of_work() as ctx:
            answer = eligibility_answer(ctx, member, service_date)
        if json_output:
            runtime.emit_json(answer.to_dict())
            return
        covered = "covered" if answer.covered else "not covered"
        typer.echo(f"{answer.member_id} on {answer.service_date}: {covered}; claims {answer.claims.value}")
        typer.echo(f"  {answer.reason}")
        if answer.policy_number:
            typer.echo(f"  policy {answer.policy_number} ({answer.policy_status}), paid through {answer.paid_through or 'nothing yet'}")
        if answer.grace_month:
            typer.echo(f"  grace month {answer.grace_month} of the grace period {answer.grace_start}..{answer.grace_end}")

    runtime.run(body)
