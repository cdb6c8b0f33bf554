"""The claims status feed: import a CSV from the claims system so staff can answer claim questions.

Columns (header names are matched without regard to case, spaces or hyphens):
``claim_id``, ``member_id``, ``service_from``, ``service_to`` (optional, defaults to
``service_from``), ``status`` (received, pended, paid, denied), ``billed_amount``,
``paid_amount`` and ``pend_reason`` (required when pended). A byte-order mark before the
first header is ignored, so a file saved as "CSV UTF-8" reads the same as one without.

A missing required column rejects the whole file. Otherwise each bad row is rejected on
its own with its line number, field, value and reason, and the good rows are applied. A
claim is keyed by its claim ID: a row identical to what is stored changes nothing, a
changed row replaces the stored status, so importing the same file twice is harmless.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select

from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.dates import parse_date
from premia.kernel.errors import DomainError, ValidationError
from premia.kernel.money import format_cents, parse_amount
from premia.servicing.contacts import touch
from premia.servicing.model import ClaimStatus, ProtectedAction
from premia.servicing.parties import surviving_person
from premia.servicing.tables import ClaimImport, ClaimRecord
from premia.servicing.verification import get_contact, require_verified
from premia.staff.permissions import Permission

REQUIRED_COLUMNS = ("claim_id", "member_id", "service_from", "status", "billed_amount", "paid_amount")
OPTIONAL_COLUMNS = ("service_to", "pend_reason")
COLUMN_ALIASES = {
    "claim": "claim_id",
    "claim_number": "claim_id",
    "member": "member_id",
    "service_start": "service_from",
    "service_end": "service_to",
    "billed": "billed_amount",
    "paid": "paid_amount",
}
MAX_CLAIM_ID_LENGTH = 40
MAX_PEND_REASON_LENGTH = 128


class PendReason(StrEnum):
    """Pend reasons with a meaning Premia explains; other reasons are shown as sent."""

    GRACE_PERIOD = "grace_period"
    BINDER_UNPAID = "binder_unpaid"

    @property
    def explanation(self) -> str:
        return {
            PendReason.GRACE_PERIOD: (
                "pended because the premium is in its grace period; it is paid if the grace period is cured"
            ),
            PendReason.BINDER_UNPAID: "pended because the first premium (binder) is not paid yet",
        }[self]


@dataclass(frozen=True)
class ClaimRow:
    """One valid row of the feed."""

    line: int
    claim_id: str
    member_id: str
    service_from: date
    service_to: date
    status: ClaimStatus
    billed_cents: int
    paid_cents: int
    pend_reason: str | None

    @property
    def digest(self) -> str:
        parts = [
            self.claim_id,
            self.member_id,
            self.service_from.isoformat(),
            self.service_to.isoformat(),
            self.status.value,
            str(self.billed_cents),
            str(self.paid_cents),
            self.pend_reason or "",
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RowError:
    """A rejected row: its line number, the field at fault, the value and the reason."""

    line: int
    field: str
    value: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class ClaimsImportReport:
    file_name: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file_name,
            "rows": self.rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
            "errors": [error.to_dict() for error in self.rejected],
        }


def parse_claims_csv(text: str) -> tuple[list[ClaimRow], list[RowError]]:
    """Parse the feed into valid rows and row errors. Raises if a required column is missing."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationError(
            code="claims.file_empty",
            message="The claims file is empty.",
            field="file",
            hint="Export the claims status report with its header row.",
        ) from None
    columns = [_column_name(name) for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ValidationError(
            code="claims.column_missing",
            message=f"The claims file has no {missing[0]} column; the whole file is rejected.",
            field=missing[0],
            value=", ".join(header),
            hint="Required columns: " + ", ".join(REQUIRED_COLUMNS) + ".",
        )

    rows: list[ClaimRow] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        record = dict(zip(columns, values, strict=False))
        try:
            row = _parse_row(line, record)
        except _RowRejected as rejected:
            errors.append(rejected.error)
            continue
        if row.claim_id in seen:
            errors.append(
                RowError(
                    line,
                    "claim_id",
                    row.claim_id,
                    "The claim appears twice in the file; only its first row was used.",
                )
            )
            continue
        seen.add(row.claim_id)
        rows.append(row)
    return rows, errors


def import_claims(ctx: ServiceContext, path: Path) -> ClaimsImportReport:
    """Import the feed file; each rejected row is reported and the others are applied."""
    ctx.require(Permission.CLAIMS_IMPORT)
    content = path.read_bytes()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            code="claims.encoding",
            message=f"{path.name} is not UTF-8 text (byte {exc.start} is invalid).",
            field="file",
            value=path.name,
            hint="Save the file as CSV UTF-8.",
        ) from None
    rows, errors = parse_claims_csv(text)
    report = ClaimsImportReport(file_name=path.name, rows=len(rows) + len(errors), rejected=list(errors))
    batch = ClaimImport(
        file_name=path.name[:256],
        file_digest=hashlib.sha256(content).hexdigest(),
        rows=0,
        inserted=0,
        updated=0,
        unchanged=0,
        rejected=0,
        imported_by=ctx.actor.username,
        imported_at=ctx.now(),
    )
    ctx.session.add(batch)
    ctx.session.flush()
    for row in rows:
        _apply_row(ctx, row, batch, report)
    report.rejected.sort(key=lambda error: error.line)

    batch.rows = report.rows
    batch.inserted = report.inserted
    batch.updated = report.updated
    batch.unchanged = report.unchanged
    batch.rejected = len(report.rejected)
    ctx.session.flush()
    audit.record(
        ctx,
        action="import",
        record_type="claim_import",
        record_id=batch.id,
        detail=report.to_dict() | {"errors": len(report.rejected)},
    )
    return report


@dataclass(frozen=True)
class ClaimView:
    claim_id: str
    member_id: str
    service_from: str
    service_to: str
    status: str
    billed: str
    paid: str
    pend_reason: str | None
    explanation: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def claims_for_member(
    ctx: ServiceContext, member_id: str, *, contact_id: int | None = None
) -> list[ClaimView]:
    """A member's claims, newest service first; on a contact the caller must be verified for claims."""
    ctx.require(Permission.MEMBER_READ)
    person = surviving_person(ctx, member_id)
    if contact_id is not None:
        contact = get_contact(ctx, contact_id)
        require_verified(ctx, contact, person_id=person.id, action=ProtectedAction.DISCUSS_CLAIMS)
        touch(contact, "claims", person.member_id)
        ctx.session.flush()
    records = ctx.session.scalars(
        select(ClaimRecord)
        .where(ClaimRecord.person_id == person.id)
        .order_by(ClaimRecord.service_from.desc(), ClaimRecord.claim_id)
    ).all()
    audit.record(
        ctx,
        action="read",
        record_type="person",
        record_id=person.member_id,
        fields=["claims"],
        detail={"contact": contact_id},
    )
    return [_claim_view(record, person.member_id) for record in records]


def explain_pend(status: str, pend_reason: str | None) -> str | None:
    """Plain words for a known pend reason; None for other reasons or claims not pended."""
    if status != ClaimStatus.PENDED.value or not pend_reason:
        return None
    try:
        return PendReason(_code(pend_reason)).explanation
    except ValueError:
        return None


class _RowRejected(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.message)
        self.error = error


def _parse_row(line: int, record: dict[str, str]) -> ClaimRow:
    claim_id = _required(line, record, "claim_id")
    if len(claim_id) > MAX_CLAIM_ID_LENGTH:
        raise _RowRejected(
            RowError(
                line, "claim_id", claim_id, f"The claim ID is longer than {MAX_CLAIM_ID_LENGTH} characters."
            )
        )
    member_id = _required(line, record, "member_id")
    service_from = _date(line, record, "service_from")
    service_to = (
        _date(line, record, "service_to") if (record.get("service_to") or "").strip() else service_from
    )
    if service_to < service_from:
        raise _RowRejected(
            RowError(
                line, "service_to", service_to.isoformat(), "The service end date is before the start date."
            )
        )
    status_text = _required(line, record, "status").lower()
    try:
        status = ClaimStatus(status_text)
    except ValueError:
        allowed = ", ".join(status.value for status in ClaimStatus)
        raise _RowRejected(
            RowError(line, "status", status_text, f"Invalid claim status; expected one of {allowed}.")
        ) from None
    billed = _amount(line, record, "billed_amount")
    paid = _amount(line, record, "paid_amount")
    if paid > billed:
        raise _RowRejected(
            RowError(
                line,
                "paid_amount",
                format_cents(paid),
                f"The paid amount is more than the billed {format_cents(billed)}.",
            )
        )
    pend_reason = (record.get("pend_reason") or "").strip() or None
    if status is ClaimStatus.PENDED and pend_reason is None:
        raise _RowRejected(RowError(line, "pend_reason", "", "A pended claim needs its pend reason."))
    if pend_reason and len(pend_reason) > MAX_PEND_REASON_LENGTH:
        raise _RowRejected(
            RowError(
                line,
                "pend_reason",
                pend_reason[:40],
                f"The pend reason is longer than {MAX_PEND_REASON_LENGTH} characters.",
            )
        )
    return ClaimRow(line, claim_id, member_id, service_from, service_to, status, billed, paid, pend_reason)


def _apply_row(ctx: ServiceContext, row: ClaimRow, batch: ClaimImport, report: ClaimsImportReport) -> None:
    try:
        person = surviving_person(ctx, row.member_id)
    except DomainError:
        report.rejected.append(
            RowError(row.line, "member_id", row.member_id, "No person has this member ID.")
        )
        return

    existing = ctx.session.scalar(select(ClaimRecord).where(ClaimRecord.claim_id == row.claim_id))
    now = ctx.now()
    if existing is None:
        ctx.session.add(
            ClaimRecord(
                claim_id=row.claim_id,
                person_id=person.id,
                reported_member_id=row.member_id,
                service_from=row.service_from,
                service_to=row.service_to,
                status=row.status.value,
                billed_cents=row.billed_cents,
                paid_cents=row.paid_cents,
                pend_reason=row.pend_reason,
                row_digest=row.digest,
                import_id=batch.id,
                first_imported_at=now,
                updated_at=now,
            )
        )
        report.inserted += 1
        return

    if existing.row_digest == row.digest:
        report.unchanged += 1
        return

    existing.person_id = person.id
    existing.reported_member_id = row.member_id
    existing.service_from = row.service_from
    existing.service_to = row.service_to
    existing.status = row.status.value
    existing.billed_cents = row.billed_cents
    existing.paid_cents = row.paid_cents
    existing.pend_reason = row.pend_reason
    existing.row_digest = row.digest
    existing.import_id = batch.id
    existing.updated_at = now
    report.updated += 1


def _claim_view(record: ClaimRecord, member_id: str) -> ClaimView:
    return ClaimView(
        claim_id=record.claim_id,
        member_id=member_id,
        service_from=record.service_from.isoformat(),
        service_to=record.service_to.isoformat(),
        status=record.status,
        billed=format_cents(record.billed_cents, thousands=False),
        paid=format_cents(record.paid_cents, thousands=False),
        pend_reason=record.pend_reason,
        explanation=explain_pend(record.status, record.pend_reason),
    )


def _column_name(name: str) -> str:
    key = _code(name)
    return COLUMN_ALIASES.get(key, key)


def _code(text: str) -> str:
    """``Grace Period`` and ``grace-period`` both become ``grace_period``."""
    return "_".join(text.strip().lower().replace("-", " ").split())


def _required(line: int, record: dict[str, str], name: str) -> str:
    value = (record.get(name) or "").strip()
    if not value:
        raise _RowRejected(RowError(line, name, "", f"{name} is missing."))
    return value


def _date(line: int, record: dict[str, str], name: str) -> date:
    value = _required(line, record, name)
    try:
        return parse_date(value, field=name)
    except DomainError as exc:
        raise _RowRejected(RowError(line, name, value, exc.message)) from None


def _amount(line: int, record: dict[str, str], name: str) -> int:
    value = _required(line, record, name).replace("$", "").replace(",", "")
    try:
        cents = parse_amount(value, field=name)
    except DomainError as exc:
        raise _RowRejected(RowError(line, name, value, exc.message)) from None
    if cents < 0:
        raise _RowRejected(RowError(line, name, value, f"{name} must not be negative."))
    return cents
