"""`premia payments`, `autodraft`, `suspense`, `refunds`, `reconcile` and the payment file imports.

Commands that originate ACH files or apply carrier choices take ``--config FILE``, a YAML
file of :class:`premia.payments.config.PaymentsConfig` settings. Without it the file of
``PREMIA_PAYMENTS_CONFIG_FILE`` applies, and without that the defaults, whose ACH originator
is a placeholder. In production the commands that write ACH files need one of the two files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from premia.accounts import service as accounts
from premia.infra.context import ServiceContext
from premia.infra.db import make_engine, make_session_factory
from premia.infra.settings import Environment
from premia.interfaces.cli import runtime
from premia.kernel.dates import parse_date
from premia.kernel.errors import ValidationError
from premia.kernel.money import format_cents, parse_amount
from premia.payments import service as payments
from premia.payments.autodraft import run_autodraft
from premia.payments.bank_files import import_bai2 as import_bai2_file
from premia.payments.bank_files import import_camt as import_camt_file
from premia.payments.config import PaymentsConfig, configured_payments, load_payments_config
from premia.payments.imports import ImportReport, describe
from premia.payments.lockbox import import_lockbox as import_lockbox_file
from premia.payments.model import PaymentChannel, PaymentMethod, RefundMethod, RefundStatus, SuspenseStatus
from premia.payments.reconcile import reconcile as reconcile_day
from premia.payments.refund_payouts import pay_refunds
from premia.payments.refunds import approve_refund, list_refunds, refund_suspense, reject_refund, request_refund
from premia.payments.remittance_820 import import_820 as import_820_file
from premia.payments.returns import import_nacha_returns as import_returns_file
from premia.payments.suspense import apply_suspense, list_suspense

payments_app = typer.Typer(help="Post and reverse payments.", no_args_is_help=True)
autodraft_app = typer.Typer(help="ACH auto-draft runs.", no_args_is_help=True)
suspense_app = typer.Typer(help="Receipts no rule could tie to an account.", no_args_is_help=True)
refunds_app = typer.Typer(help="Refunds of credit and of suspense items.", no_args_is_help=True)

CONFIG_HELP = (
    "YAML file of payment settings (ACH originator, fees, limits); PREMIA_PAYMENTS_CONFIG_FILE when omitted."
)

ConfigFile = Annotated[Path | None, typer.Option("--config", help=CONFIG_HELP)]
ImportDate = Annotated[str | None, typer.Option("--as-of", help="Import date, YYYY-MM-DD; today when omitted.")]
JsonOutput = Annotated[bool, typer.Option("--json", help="Print JSON.")]


class ManualMethod(StrEnum):
    CHECK = "check"
    TRANSFER = "transfer"
    MONEY_ORDER = "money-order"

    @property
    def payment_method(self) -> PaymentMethod:
        return PaymentMethod(self.value.replace("-", "_"))


class SuspenseFilter(StrEnum):
    OPEN = "open"
    APPLIED = "applied"
    REFUNDED = "refunded"
    ALL = "all"


def _config(path: Path | None, ctx: ServiceContext, *, originates: bool = False) -> PaymentsConfig:
    if path is not None:
        return load_payments_config(path)
    no_file = ctx.settings.payments_config_file is None
    if originates and no_file and ctx.settings.environment is Environment.PRODUCTION:
        raise ValidationError(
            code="payments.config_required",
            message="Writing an ACH file in production needs the carrier's originator settings.",
            field="config",
            hint=(
                "Pass --config, or set PREMIA_PAYMENTS_CONFIG_FILE, with the ODFI agreement's values "
                "under `originator`."
            ),
        )
    return configured_payments(ctx.settings)


def _day(text: str | None, ctx: ServiceContext, field: str) -> date:
    return parse_date(text, field=field) if text else ctx.today()


@payments_app.command("post")
def post(
    account: str = typer.Option(..., "--account", help="Billing account number, such as BA-000123."),
    amount: str = typer.Option(..., "--amount", help="Amount received in dollars, such as 123.45."),
    method: ManualMethod = typer.Option(..., "--method", help="How the money came."),
    reference: str = typer.Option(..., "--reference", help="Check number or transfer reference."),
    idempotency_key: str | None = typer.Option(None, "--idempotency-key", help="Posting again with this key posts nothing new."),
    received_on: str | None = typer.Option(None, "--received-on", help="Date received, YYYY-MM-DD; today when omitted."),
    json_output: JsonOutput = False,
) -> None:
    """Post a payment received by hand; it is applied oldest first and any excess is kept as credit."""

    def body() -> None:
        cents = parse_amount(amount, field="amount")
        with runtime.unit_of_work() as ctx:
            row = accounts.get_account_row(ctx, account)
            result = payments.post_payment(
                ctx,
                billing_account_id=row.id,
                amount_cents=cents,
                channel=PaymentChannel.MANUAL,
                method=method.payment_method,
                received_on=payments.check_received_on(_day(received_on, ctx, "received_on"), today=ctx.today()),
                reference=reference,
                idempotency_key=f"cli:{idempotency_key}" if idempotency_key else None,
                send_receipt=True,
            )
            data = result.to_dict()
        if json_output:
            runtime.emit_json(data)
            return
        replay = " (already posted; nothing new)" if data["replayed"] else ""
        typer.echo(
            f"payment {data['payment_id']} {data['amount']} to {account}: applied {data['applied']}, "
            f"unapplied {data['unapplied']}{replay}"
        )

    runtime.run(body)


@payments_app.command("reverse")
def reverse(
    payment_id: int = typer.Argument(..., help="Payment id."),
    reason: str = typer.Option(..., "--reason", help="Why the payment is reversed; kept on the payment."),
    on: str | None = typer.Option(None, "--on", help="Date of the reversal, YYYY-MM-DD; today when omitted."),
    json_output: JsonOutput = False,
) -> None:
    """Reverse a posted payment (supervisors): the invoices it paid are open again."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            payment = payments.reverse_payment(ctx, payment_id, reason=reason, on=_day(on, ctx, "on"))
            data = {"payment_id": payment.id, "status": payment.status, "reason": payment.reversal_reason}
        if json_output:
            runtime.emit_json(data)
            return
        typer.echo(f"payment {payment_id} reversed: {data['reason']}")

    runtime.run(body)


@autodraft_app.command("run")
def autodraft_run(
    as_of: str = typer.Option(..., "--as-of", help="Business date of the run, YYYY-MM-DD."),
    output: Path = typer.Option(..., "--output", help="Where to write the NACHA file."),
    config: ConfigFile = None,
    json_output: JsonOutput = False,
) -> None:
    """Settle drafts with no return, draft what is due, write the NACHA file and record pre-notifications."""

    def body() -> None:
        run_date = parse_date(as_of, field="as_of")
        with runtime.unit_of_work() as ctx:
            report = run_autodraft(ctx, as_of=run_date, config=_config(config, ctx, originates=True))
            if report.content is not None:
                _write_new(output, report.content)
        if json_output:
            runtime.emit_json(report.to_dict() | {"output": str(output) if report.content else None})
            return
        typer.echo(f"settled {report.settled_count} draft(s) for {format_cents(report.settled_cents)}")
        if report.content is None:
            typer.echo(f"nothing to draft on {run_date}; no file written")
        else:
            total = format_cents(report.total_cents)
            typer.echo(f"wrote {len(report.entries)} entries for {total}, effective {report.effective_date}, to {output}")
        for skipped in report.skipped:
            typer.echo(f"  skipped {skipped['account_number']}: {skipped['reason']}")
        typer.echo(f"{report.prenotifications} pre-notification(s) recorded")

    runtime.run(body)


@suspense_app.command("list")
def suspense_list(
    status: SuspenseFilter = typer.Option(SuspenseFilter.OPEN, "--status", help="Which items to list."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date ages are counted to, YYYY-MM-DD; today when omitted."),
    config: ConfigFile = None,
    json_output: JsonOutput = False,
) -> None:
    """List suspense items, oldest first; overdue ones are older than the configured age."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            settings = _config(config, ctx)
            chosen = None if status is SuspenseFilter.ALL else SuspenseStatus(status.value)
            items = list_suspense(ctx, as_of=_day(as_of, ctx, "as_of"), status=chosen, max_age_days=settings.suspense_max_age_days)
            rows = [item.to_dict() for item in items]
        if json_output:
            runtime.emit_json(rows)
            return
        runtime.echo_table(rows, ["id", "received_on", "age_days", "amount", "channel", "reference", "status", "account_number", "reason"])

    runtime.run(body)


@suspense_app.command("apply")
def suspense_apply(
    item_id: int = typer.Argument(..., help="Suspense item id."),
    account: str = typer.Option(..., "--account", help="Billing account the money belongs to."),
    note: str = typer.Option(..., "--note", help="How the payer was identified; kept in the audit trail."),
    json_output: JsonOutput = False,
) -> None:
    """Apply a suspense item to an account, as of the day the money was received."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            data = apply_suspense(ctx, item_id, account_number=account, note=note).to_dict()
        if json_output:
            runtime.emit_json(data)
            return
        typer.echo(
            f"suspense item {item_id} applied to {account} as payment {data['payment_id']}: "
            f"applied {data['applied']}, unapplied {data['unapplied']}"
        )

    runtime.run(body)


@suspense_app.command("refund")
def suspense_refund(
    item_id: int = typer.Argument(..., help="Suspense item id."),
    payee: str = typer.Option("", "--payee", help="Name the check is made out to; the payer's name when omitted."),
    reason: str = typer.Option(..., "--reason", help="Why the money goes back; kept in the audit trail."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date of the request, YYYY-MM-DD; today when omitted."),
    config: ConfigFile = None,
    json_output: JsonOutput = False,
) -> None:
    """Return a suspense item to its payer by check."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            refund = refund_suspense(
                ctx, item_id, payee_name=payee, reason=reason, requested_on=_day(as_of, ctx, "as_of"), config=_config(config, ctx)
            )
            data = {"refund_id": refund.id, "status": refund.status, "amount": format_cents(refund.amount_cents, thousands=False)}
        if json_output:
            runtime.emit_json(data)
            return
        typer.echo(f"suspense item {item_id}: refund {data['refund_id']} of {data['amount']} is {data['status']}")

    runtime.run(body)


@refunds_app.command("request")
def refunds_request(
    account: str = typer.Option(..., "--account", help="Billing account number."),
    amount: str = typer.Option(..., "--amount", help="Amount to refund in dollars, at most the account's credit."),
    method: RefundMethod = typer.Option(RefundMethod.CHECK, "--method", help="ach (to the account's bank) or check."),
    reason: str = typer.Option(..., "--reason", help="Why the money is paid back."),
    payee: str | None = typer.Option(None, "--payee", help="Name on the check; the payer when omitted."),
    idempotency_key: str | None = typer.Option(None, "--idempotency-key", help="Requesting again with this key changes nothing."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date of the request, YYYY-MM-DD; today when omitted."),
    config: ConfigFile = None,
    json_output: JsonOutput = False,
) -> None:
    """Ask for a refund of an account's credit; above the approval limit a supervisor approves it."""

    def body() -> None:
        cents = parse_amount(amount, field="amount")
        with runtime.unit_of_work() as ctx:
            refund = request_refund(
                ctx,
                account_number=account,
                amount_cents=cents,
                method=method,
                reason=reason,
                requested_on=_day(as_of, ctx, "as_of"),
                payee_name=payee,
                idempotency_key=f"cli:{idempotency_key}" if idempotency_key else None,
                config=_config(config, ctx),
            )
            data = {"refund_id": refund.id, "status": refund.status, "amount": format_cents(refund.amount_cents, thousands=False)}
        if json_output:
            runtime.emit_json(data)
            return
        typer.echo(f"refund {data['refund_id']} of {data['amount']} for {account} is {data['status']}")

    runtime.run(body)


@refunds_app.command("approve")
def refunds_approve(
    refund_id: int = typer.Argument(..., help="Refund id."),
    note: str | None = typer.Option(None, "--note", help="Kept with the approval."),
    json_output: JsonOutput = False,
) -> None:
    """Approve a refund someone else requested (supervisors)."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            refund = approve_refund(ctx, refund_id, note=note)
            data = {"refund_id": refund.id, "status": refund.status}
        if json_output:
            runtime.emit_json(data)
            return
        typer.echo(f"refund {refund_id} approved")

    runtime.run(body)


@refunds_app.command("reject")
def refunds_reject(
    refund_id: int = typer.Argument(..., help="Refund id."),
    note: str = typer.Option(..., "--note", help="Why the refund is turned down."),
) -> None:
    """Turn a refund request down (supervisors)."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            reject_refund(ctx, refund_id, note=note)
        typer.echo(f"refund {refund_id} rejected")

    runtime.run(body)


@refunds_app.command("list")
def refunds_list(
    status: RefundStatus | None = typer.Option(None, "--status", help="Only refunds in this status."),
    json_output: JsonOutput = False,
) -> None:
    """List refunds and their status."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            rows = [view.to_dict() for view in list_refunds(ctx, status=status)]
        if json_output:
            runtime.emit_json(rows)
            return
        runtime.echo_table(rows, ["id", "account_number", "amount", "method", "status", "payee_name", "requested_by", "decided_by"])

    runtime.run(body)


@refunds_app.command("pay")
def refunds_pay(
    as_of: str = typer.Option(..., "--as-of", help="Payment date, YYYY-MM-DD."),
    output: Path = typer.Option(..., "--output", help="Where to write the NACHA file of ACH refunds."),
    checks: Path = typer.Option(..., "--checks", help="Where to write the check register (CSV)."),
    config: ConfigFile = None,
    json_output: JsonOutput = False,
) -> None:
    """Pay every approved refund: ACH credits into a NACHA file, the rest as checks in the register."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            payout = pay_refunds(ctx, as_of=parse_date(as_of, field="as_of"), config=_config(config, ctx, originates=True))
            if payout.content is not None:
                _write_new(output, payout.content)
            if payout.checks:
                _write_new(checks, payout.register_csv())
        if json_output:
            runtime.emit_json(payout.to_dict())
            return
        typer.echo(f"{len(payout.ach)} ACH refund(s)" + (f" written to {output}" if payout.content else ""))
        typer.echo(f"{len(payout.checks)} check(s)" + (f" written to {checks}" if payout.checks else ""))

    runtime.run(body)


def reconcile(
    on: str = typer.Option(..., "--date", help="Day to reconcile, YYYY-MM-DD."),
    json_output: JsonOutput = False,
) -> None:
    """Compare the day's bank credits with the receipts Premia posted, per bank account."""

    def body() -> None:
        day = parse_date(on, field="date")
        with runtime.unit_of_work() as ctx:
            report = reconcile_day(ctx, on=day)
            data = report.to_dict()
        if json_output:
            runtime.emit_json(data)
            return
        typer.echo(f"reconciliation {day}: {'balanced' if report.balanced else 'differences found'}")
        runtime.echo_table(
            data["accounts"],
            [
                "bank_account",
                "deposits",
                "deposit_count",
                "deposits_for_earlier_days",
                "deposits_booked_later",
                "receipts",
                "difference",
            ],
        )
        for line in data["unposted_credits"]:
            note = line["recognized_as"] or "not posted from the statement"
            typer.echo(f"  {line['bank_account']} {line['amount']} {line['reference'] or ''}: {note}")

    runtime.run(body)


def import_nacha_returns(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="NACHA file of returns and notifications of change."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date the returns are booked, YYYY-MM-DD; today when omitted."),
    config: ConfigFile = None,
    json_output: JsonOutput = False,
) -> None:
    """Reverse returned payments, act on each return code and apply notifications of change."""
    _import(
        file,
        as_of,
        json_output,
        lambda ctx, content, day: import_returns_file(ctx, content, file_name=file.name, as_of=day, config=_config(config, ctx)),
    )


def import_bai2(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="BAI2 balance and transaction report."),
    as_of: ImportDate = None,
    json_output: JsonOutput = False,
) -> None:
    """Record a BAI2 report's transactions and post its credits, matched or to suspense."""
    _import(file, as_of, json_output, lambda ctx, content, day: import_bai2_file(ctx, content, file_name=file.name, as_of=day))


def import_camt(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="camt.052, camt.053 or camt.054 XML document."),
    as_of: ImportDate = None,
    json_output: JsonOutput = False,
) -> None:
    """Record a camt statement's entries and post its booked credits, matched or to suspense."""
    _import(file, as_of, json_output, lambda ctx, content, day: import_camt_file(ctx, content, file_name=file.name, as_of=day))


def import_lockbox(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Lockbox batch as CSV."),
    as_of: ImportDate = None,
    config: ConfigFile = None,
    json_output: JsonOutput = False,
) -> None:
    """Post a lockbox batch's checks to the accounts their coupons name, the rest to suspense."""
    _import(
        file,
        as_of,
        json_output,
        lambda ctx, content, day: import_lockbox_file(ctx, content, file_name=file.name, as_of=day, config=_config(config, ctx)),
    )


def import_820(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="X12 820 payment file."),
    as_of: ImportDate = None,
    lenient_isa: bool = typer.Option(False, "--lenient-isa", help="Read an ISA segment not padded to 106 characters."),
    chunk: int = typer.Option(1_000, "--chunk", min=1, help="Loops posted and committed together; a rerun resumes after the last."),
    config: ConfigFile = None,
    json_output: JsonOutput = False,
) -> None:
    """Post an 820: Exchange APTC per member and month, employer lines per member; the rest to suspense."""

    def body() -> None:
        content = file.read_bytes()
        with runtime.unit_of_work() as login:
            actor = login.actor
        engine = make_engine(runtime.settings().database_url)
        try:
            with make_session_factory(engine)() as session:
                ctx = ServiceContext(session=session, actor=actor, clock=runtime.SystemClock(), settings=runtime.settings(), channel="cli")
                try:
                    report = import_820_file(
                        ctx,
                        content,
                        file_name=file.name,
                        as_of=_day(as_of, ctx, "as_of"),
                        config=_config(config, ctx),
                        lenient_isa=lenient_isa,
                        checkpoint=session.commit,
                        chunk_size=chunk,
                    )
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        finally:
            engine.dispose()
        _print_import(report, json_output)

    runtime.run(body)


IMPORT_COMMANDS: dict[str, Callable[..., None]] = {
    "nacha-returns": import_nacha_returns,
    "bai2": import_bai2,
    "camt": import_camt,
    "lockbox": import_lockbox,
    "820": import_820,
}


def _import(file: Path, as_of: str | None, json_output: bool, action: Callable[[ServiceContext, bytes, date], ImportReport]) -> None:
    def body() -> None:
        content = file.read_bytes()
        with runtime.unit_of_work() as ctx:
            report = action(ctx, content, _day(as_of, ctx, "as_of"))
        _print_import(report, json_output)

    runtime.run(body)


def _print_import(report: ImportReport, json_output: bool) -> None:
    if json_output:
        runtime.emit_json(report.to_dict())
        return
    typer.echo(describe(report))
    for item in report.items:
        typer.echo(f"  {item['position']}: {item['outcome']} {item['amount']}: {item['explanation']}")
    for row in report.variance:
        typer.echo(f"  variance {row.get('policy_number')} {row.get('months')}: {_row_text(row)}")
    for warning in report.warnings:
        typer.echo(f"  warning: {warning}")


def _row_text(row: dict[str, Any]) -> str:
    return (
        f"billed {format_cents(int(row['billed_cents']))}, remitted {format_cents(int(row['remitted_cents']))}, "
        f"variance {format_cents(int(row['variance_cents']))} ({row['note']})"
    )


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not silently replace an earlier one: an ACH file may already have been sent."""
    if path.exists():
        raise ValidationError(
            code="payments.output_exists",
            message=f"{path} already exists; it may be a file already sent to the bank.",
            field="output",
            value=str(path),
            hint="Choose a new file name, or move the old file away first.",
        )
    path.write_text(text, encoding="ascii" if path.suffix == ".ach" else "utf-8")
