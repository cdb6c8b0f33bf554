"""`premia audit`: list the audit log by record or by user."""

from __future__ import annotations

import typer

from premia.audit import service as audit_service
from premia.interfaces.cli import runtime


def audit(
    record_type: str | None = typer.Option(None, "--record-type", help="For example billing_account or person."),
    record_id: str | None = typer.Option(None, "--record", help="Record id, such as BA-000001 or a member ID."),
    username: str | None = typer.Option(None, "--user", help="Only this staff user's actions."),
    limit: int = typer.Option(200, "--limit", min=1, max=10000, help="Maximum rows, newest first."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List audit rows: who read or changed which record, when, and which fields."""

    def body() -> None:
        with runtime.unit_of_work() as ctx:
            rows = [
                {
                    "time": entry.occurred_at.isoformat(timespec="seconds"),
                    "user": entry.username,
                    "role": entry.role,
                    "channel": entry.channel,
                    "action": entry.action,
                    "record_type": entry.record_type,
                    "record": entry.record_id,
                    "fields": ",".join(entry.fields or []),
                }
                for entry in audit_service.list_entries(
                    ctx, record_type=record_type, record_id=record_id, username=username, limit=limit
                )
            ]
        if json_output:
            runtime.emit_json(rows)
        else:
            runtime.echo_table(rows, ["time", "user", "action", "record_type", "record", "fields"])

    runtime.run(body)
