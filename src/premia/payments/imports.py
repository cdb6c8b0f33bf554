"""The record of imported payment files and of what each of their items did.

A file is known by its kind and the SHA-256 of its bytes. Importing the same bytes again
returns the first import's report and changes nothing. An import that stopped part way
keeps status ``running``; importing the file again resumes it, skipping every item whose
key is already stored. Item keys come from the file's own control numbers and the item's
position, so a file sent again with other bytes but the same control numbers posts
nothing twice either.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.errors import ValidationError
from premia.kernel.money import format_cents
from premia.payments.model import ImportKind, ImportStatus, ItemOutcome
from premia.payments.tables import PaymentImport, PaymentImportItem
from premia.staff.permissions import Permission

KEY_CHUNK = 500
# Items other than postings listed in an import's stored report; counts cover all of them.
REPORTED_ITEMS = 1_000


@dataclass
class PaymentFileRejected(ValidationError):
    """A payment file failed validation as a whole; nothing of it was posted.

    ``problems`` lists every fault found, each naming where it is in the file.
    """

    problems: tuple[ValidationError, ...] = ()


def content_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass
class ImportReport:
    """The outcome of an import: counts and cents per outcome, and the items of this run.

    ``already_imported`` is True when the same bytes were imported before; the counts are
    then those of the earlier import. ``duplicates`` counts items skipped because another
    import already stored them.
    """

    import_id: int
    kind: ImportKind
    file_name: str
    already_imported: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    items: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    variance: list[dict[str, Any]] = field(default_factory=list)

    def count(self, outcome: ItemOutcome) -> int:
        return self.counts.get(outcome.value, 0)

    def total(self, outcome: ItemOutcome) -> int:
        return self.totals.get(outcome.value, 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id,
            "kind": self.kind.value,
            "file_name": self.file_name,
            "already_imported": self.already_imported,
            "counts": self.counts,
            "totals": {outcome: format_cents(cents, thousands=False) for outcome, cents in self.totals.items()},
            "duplicates": self.duplicates,
            "items": self.items,
            "warnings": self.warnings,
            "variance": self.variance,
        }


@dataclass(frozen=True)
class ImportStart:
    """The import row to write items under, and whether these bytes were fully imported before."""

    record: PaymentImport
    finished_before: bool


def begin_import(
    ctx: ServiceContext,
    *,
    kind: ImportKind,
    file_name: str,
    content: bytes,
    control_key: str,
    as_of: date,
) -> ImportStart:
    """Find the import of these bytes, or start a new one with status ``running``."""
    ctx.require(Permission.PAYMENTS_IMPORT)
    digest = content_sha256(content)
    existing = ctx.session.scalar(
        select(PaymentImport).where(PaymentImport.kind == kind.value, PaymentImport.content_sha256 == digest)
    )
    if existing is not None:
        return ImportStart(existing, existing.status == ImportStatus.COMPLETED.value)
    record = PaymentImport(
        kind=kind.value,
        file_name=file_name[:256],
        content_sha256=digest,
        control_key=control_key[:128],
        status=ImportStatus.RUNNING.value,
        as_of=as_of,
        imported_by=ctx.actor.username,
        started_at=ctx.now(),
    )
    ctx.session.add(record)
    ctx.session.flush()
    audit.record(ctx, action="import", record_type="payment_import", record_id=record.id, detail={"kind": kind.value, "file": file_name})
    return ImportStart(record, False)


def stored_keys(ctx: ServiceContext, keys: Iterable[str]) -> set[str]:
    """Return the item keys among ``keys`` that an import has already stored."""
    wanted = list(dict.fromkeys(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), KEY_CHUNK):
        chunk = wanted[start : start + KEY_CHUNK]
        found.update(ctx.session.scalars(select(PaymentImportItem.item_key).where(PaymentImportItem.item_key.in_(chunk))))
    return found


def record_item(
    ctx: ServiceContext,
    record: PaymentImport,
    *,
    item_key: str,
    position: int,
    amount_cents: int,
    outcome: ItemOutcome,
    explanation: str,
    reference: str | None = None,
    match_rule: str | None = None,
    billing_account_id: int | None = None,
    payment_id: int | None = None,
    suspense_item_id: int | None = None,
    journal_entry_id: int | None = None,
) -> PaymentImportItem:
    """Store what happened to one item; the caller's next flush writes it."""
    item = PaymentImportItem(
        **item_row(
            record,
            item_key=item_key,
            position=position,
            amount_cents=amount_cents,
            outcome=outcome,
            explanation=explanation,
            reference=reference,
            match_rule=match_rule,
            billing_account_id=billing_account_id,
            payment_id=payment_id,
            suspense_item_id=suspense_item_id,
            journal_entry_id=journal_entry_id,
        )
    )
    ctx.session.add(item)
    return item


def item_row(
    record: PaymentImport,
    *,
    item_key: str,
    position: int,
    amount_cents: int,
    outcome: ItemOutcome,
    explanation: str,
    reference: str | None = None,
    match_rule: str | None = None,
    billing_account_id: int | None = None,
    payment_id: int | None = None,
    suspense_item_id: int | None = None,
    journal_entry_id: int | None = None,
) -> dict[str, Any]:
    """Return the column values of one item, cut to the columns' lengths, for an ORM object or a Core insert."""
    return {
        "import_id": record.id,
        "item_key": item_key[:200],
        "position": position,
        "amount_cents": amount_cents,
        "reference": (reference or None) and reference[:128],
        "outcome": outcome.value,
        "match_rule": match_rule,
        "explanation": explanation[:512],
        "billing_account_id": billing_account_id,
        "payment_id": payment_id,
        "suspense_item_id": suspense_item_id,
        "journal_entry_id": journal_entry_id,
    }


def insert_items(ctx: ServiceContext, rows: list[dict[str, Any]]) -> None:
    """Write many items with one statement, keeping none of them in the session."""
    if rows:
        ctx.session.execute(PaymentImportItem.__table__.insert(), rows)


def finish_import(
    ctx: ServiceContext, record: PaymentImport, *, summary: dict[str, Any] | None = None
) -> None:
    """Mark the import completed with its item count, total and summary."""
    ctx.session.flush()
    count, total = ctx.session.execute(
        select(func.count(PaymentImportItem.id), func.coalesce(func.sum(PaymentImportItem.amount_cents), 0)).where(
            PaymentImportItem.import_id == record.id
        )
    ).one()
    record.item_count = int(count)
    record.total_cents = int(total)
    record.summary = summary
    record.status = ImportStatus.COMPLETED.value
    record.finished_at = ctx.now()
    ctx.session.flush()


def report_for(
    ctx: ServiceContext, record: PaymentImport, *, already_imported: bool = False, duplicates: int = 0
) -> ImportReport:
    """Build the report of an import from its stored items."""
    ctx.session.flush()
    rows = ctx.session.execute(
        select(PaymentImportItem.outcome, func.count(PaymentImportItem.id), func.coalesce(func.sum(PaymentImportItem.amount_cents), 0))
        .where(PaymentImportItem.import_id == record.id)
        .group_by(PaymentImportItem.outcome)
    ).all()
    summary = record.summary or {}
    return ImportReport(
        import_id=record.id,
        kind=ImportKind(record.kind),
        file_name=record.file_name,
        already_imported=already_imported,
        counts={outcome: int(count) for outcome, count, _ in rows},
        totals={outcome: int(total) for outcome, _, total in rows},
        duplicates=duplicates if not already_imported else int(summary.get("duplicates", 0)),
        items=list(summary.get("items", [])),
        warnings=list(summary.get("warnings", [])),
        variance=list(summary.get("variance", [])),
    )


def complete_import(
    ctx: ServiceContext,
    record: PaymentImport,
    *,
    duplicates: int,
    warnings: list[str],
    extra: dict[str, Any] | None = None,
) -> ImportReport:
    """Finish the import and return its report; items that were not posted are listed for review."""
    ctx.session.flush()
    notable = ctx.session.scalars(
        select(PaymentImportItem)
        .where(PaymentImportItem.import_id == record.id, PaymentImportItem.outcome != ItemOutcome.POSTED.value)
        .order_by(PaymentImportItem.position, PaymentImportItem.id)
        .limit(REPORTED_ITEMS)
    )
    summary: dict[str, Any] = {"items": [item_summary(item) for item in notable], "warnings": warnings, "duplicates": duplicates}
    summary.update(extra or {})
    finish_import(ctx, record, summary=summary)
    return report_for(ctx, record, duplicates=duplicates)


def describe(report: ImportReport) -> str:
    """Describe in one line what the import posted, held and recorded."""
    parts = [f"{outcome} {count} ({format_cents(report.totals.get(outcome, 0))})" for outcome, count in sorted(report.counts.items())]
    done = "already imported; nothing changed" if report.already_imported else ", ".join(parts) or "no items"
    return f"{report.kind.value} import {report.import_id} {report.file_name}: {done}"


def item_summary(item: PaymentImportItem) -> dict[str, Any]:
    """Return one item as a report shows it."""
    return {
        "position": item.position,
        "amount": format_cents(item.amount_cents, thousands=False),
        "outcome": item.outcome,
        "match_rule": item.match_rule,
        "reference": item.reference,
        "explanation": item.explanation,
        "payment_id": item.payment_id,
        "suspense_item_id": item.suspense_item_id,
    }


def reject_file(code: str, subject: str, problems: tuple[ValidationError, ...], hint: str) -> PaymentFileRejected:
    """Build the whole-file rejection for ``problems``, quoting the first in its message."""
    others = f" ({len(problems) - 1} more problems listed)" if len(problems) > 1 else ""
    first = problems[0].message if problems else "no detail"
    return PaymentFileRejected(code=code, message=f"{subject} rejected: {first}{others}", hint=hint, problems=problems)
