"""`premia notices deliver` and `premia documents show`: send what is due, reprint what was sent."""

from __future__ import annotations

from pathlib import Path

import typer

from premia.documents import service as documents
from premia.documents.delivery import DeliveryReport
from premia.interfaces.cli import runtime
from premia.kernel.dates import parse_date

notices_app = typer.Typer(help="Notices to payers: render and deliver them.", no_args_is_help=True)
documents_app = typer.Typer(help="Rendered documents and their delivery record.", no_args_is_help=True)

# Emails are sent and committed in chunks, so a crash resends at most one chunk's messages.
EMAIL_CHUNK = 50


@notices_app.command("deliver")
def deliver(
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Business date, YYYY-MM-DD; notices due on or before it are sent. Default: today in the carrier's time zone.",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the run's report as JSON."),
) -> None:
    """Render due notices, email them or add them to today's print batch, and retry failed emails."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            run_date = parse_date(as_of, field="as_of") if as_of else ctx.today()
            report = DeliveryReport(as_of=run_date)
            documents.queue_due_notices(ctx, as_of=run_date, report=report)
        while True:
            with runtime.unit_of_work() as ctx:
                tried = documents.send_due_emails(ctx, report=report, limit=EMAIL_CHUNK)
            if tried < EMAIL_CHUNK:
                break
        with runtime.unit_of_work() as ctx:
            documents.print_due_paper(ctx, as_of=run_date, report=report)
        _print_report(report, json_output=json_output)

    runtime.run(body)


@documents_app.command("show")
def show(
    document_id: int = typer.Argument(..., help="Document id, as listed by `premia notices deliver --json`."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the PDF exactly as it was sent to this file."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the delivery record as JSON."),
) -> None:
    """Show a document's delivery record and write its PDF as sent."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            if output is not None:
                reprint = documents.reprint_document(ctx, document_id)
                document, pdf = reprint.document, reprint.pdf
            else:
                document, pdf = documents.get_document(ctx, document_id), None
            record = documents.document_record(ctx, document)
        if pdf is not None and output is not None:
            output.write_bytes(pdf)
            record["written_to"] = str(output)
        if json_output:
            runtime.emit_json(record)
            return
        typer.echo(
            f"document {record['document_id']}: {record['document_type']} ({record['language']}), "
            f"{record['pages']} page(s), sha256 {record['pdf_sha256']}"
        )
        for delivery in record["deliveries"]:
            sent = f" sent {delivery['sent_at']}" if delivery["sent_at"] else ""
            error = f" ({delivery['last_error']})" if delivery["last_error"] else ""
            typer.echo(
                f"  {delivery['channel']} to {delivery['recipient'] or '-'}: {delivery['status']} after "
                f"{delivery['attempts']} attempt(s){sent}{error}"
            )
        if "written_to" in record:
            typer.echo(f"wrote {record['written_to']}")

    runtime.run(body)


def _print_report(report: DeliveryReport, *, json_output: bool) -> None:
    if json_output:
        runtime.emit_json(report.to_dict())
        return
    typer.echo(
        f"notices {report.as_of}: rendered {report.rendered}; emailed {report.emailed}; printed {report.printed}; "
        f"retrying {report.retrying}; bounced {report.bounced}; failed {report.failed}; held {report.held}"
    )
    if report.print_batch_pdf:
        typer.echo(f"  print batch {report.print_batch_id}: {report.print_batch_pdf}")
        typer.echo(f"  manifest: {report.print_batch_manifest}")
    for error in report.errors:
        typer.echo(f"  notice {error['notice_id']}: {error['message']}")
