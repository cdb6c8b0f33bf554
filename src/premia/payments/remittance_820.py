"""Import 820 remittances: Exchange APTC payments (005010X306) and employer list-bill payments.

The whole file is checked before anything is posted: a finding that is an error, such as
a BPR total that differs from the sum of its remittance lines, rejects the file whole.

Each posting is keyed by the interchange sender and control numbers (ISA13, GS06, ST02)
and the position of its loop or line, and the keys go into the journal and the import
items. An import that stopped part way is resumed by importing the file again: what was
posted is skipped, the rest is posted, and nothing is posted twice. The caller may pass
``checkpoint`` (which commits) to keep each chunk of loops once it is done.

Exchange loops are posted per policy, member and coverage month against the APTC
receivable (:mod:`premia.payments.remittance_exchange`). Employer lines are posted as
payments to the policy, invoice or group they name (:mod:`premia.payments.remittance_employer`).
A loop or line that names nothing Premia has goes to suspense.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select

from premia.formats.x12 import Implementation, Interchange, Remittance820, parse_820
from premia.formats.x12.findings import Finding
from premia.formats.x12.remittance_records import PaymentOrder
from premia.infra.context import ServiceContext
from premia.kernel.errors import ValidationError
from premia.ledger.model import LedgerAccount
from premia.payments.config import DEFAULT_CONFIG, PaymentsConfig
from premia.payments.imports import ImportReport, begin_import, complete_import, reject_file, report_for, stored_keys
from premia.payments.model import ImportKind, PaymentChannel, PaymentMethod, SuspenseStatus
from premia.payments.remittance_employer import EmployerPoster
from premia.payments.remittance_exchange import ExchangePoster
from premia.payments.suspense import resolve_item
from premia.payments.tables import PaymentImport, SuspenseItem
from premia.staff.permissions import Permission

DEFAULT_CHUNK = 1_000
MAX_VARIANCE_ROWS = 1_000
# A bank credit held in suspense is taken as this 820's money within this many days of BPR16.
FUNDING_WINDOW_DAYS = 3


@dataclass
class SetContext:
    """One 820 transaction set with what every posting of it shares."""

    key: str
    remittance: Remittance820
    payment: PaymentOrder
    paid_on: date
    cash_account: str
    method: PaymentMethod
    exchange: bool
    funding_account: LedgerAccount = LedgerAccount.CASH_CLEARING
    variance: list[dict[str, Any]] = field(default_factory=list)

    @property
    def trace(self) -> str:
        return self.remittance.trace.reference if self.remittance.trace else ""

    @property
    def channel(self) -> PaymentChannel:
        return PaymentChannel.EXCHANGE_820 if self.exchange else PaymentChannel.EMPLOYER_820


def import_820(
    ctx: ServiceContext,
    content: bytes,
    *,
    file_name: str,
    as_of: date,
    config: PaymentsConfig = DEFAULT_CONFIG,
    lenient_isa: bool = False,
    checkpoint: Callable[[], None] | None = None,
    chunk_size: int = DEFAULT_CHUNK,
) -> ImportReport:
    """Read an 820 file and post every loop and line once; a file with any error raises and posts nothing.

    ``lenient_isa`` reads an ISA segment that is not padded to 106 characters, as some
    non-HIPAA senders write it, with a warning instead of rejecting the file.
    """
    ctx.require(Permission.PAYMENTS_IMPORT)
    parsed = parse_820(content, lenient_isa=lenient_isa)
    if parsed.is_rejected:
        raise reject_file(
            "x12_820.rejected",
            "820 file",
            problems_from_findings(parsed.errors),
            "Ask the sender to correct the file and send it again; nothing of it was posted.",
        )
    sets = _sets(parsed.interchanges, as_of=as_of, config=config)
    control = "x12-820:" + ";".join(dict.fromkeys(context.key.rsplit(":", 2)[0] for context in sets))
    start = begin_import(ctx, kind=ImportKind.X12_820, file_name=file_name, content=content, control_key=control, as_of=as_of)
    if start.finished_before:
        return report_for(ctx, start.record, already_imported=True)

    duplicates = 0
    for context in sets:
        context.funding_account = _funding(ctx, start.record, context)
        poster = ExchangePoster(ctx, start.record, context) if context.exchange else EmployerPoster(ctx, start.record, context)
        entities = context.remittance.entities
        for first in range(0, len(entities), max(1, chunk_size)):
            chunk = entities[first : first + chunk_size]
            stored = stored_keys(ctx, (key for entity in chunk for key in poster.keys(entity)))
            duplicates += poster.post(chunk, stored)
            ctx.session.flush()
            if checkpoint is not None:
                checkpoint()
        context.variance.extend(poster.variance())

    extra = {
        "payments": [
            {"amount_cents": context.payment.amount_cents, "payment_date": context.paid_on.isoformat(), "trace": context.trace}
            for context in sets
        ],
        "variance": [row for context in sets for row in context.variance][:MAX_VARIANCE_ROWS],
    }
    warnings = [finding.message for finding in parsed.warnings]
    return complete_import(ctx, start.record, duplicates=duplicates, warnings=warnings, extra=extra)


def problems_from_findings(findings: tuple[Finding, ...]) -> tuple[ValidationError, ...]:
    """Convert an 820's error findings into the problems of a rejected file, each naming its segment."""
    return tuple(
        ValidationError(
            code=str(finding.code),
            message=f"Segment {finding.position} ({finding.segment_id}): {finding.message}",
            record=f"segment {finding.position}",
            field=finding.element,
            value=finding.value,
            hint=finding.hint,
        )
        for finding in findings
    )


def _sets(interchanges: tuple[Interchange[Remittance820], ...], *, as_of: date, config: PaymentsConfig) -> list[SetContext]:
    contexts = []
    for interchange in interchanges:
        for group in interchange.groups:
            for remittance in group.sets:
                payment = remittance.payment
                if payment is None:
                    continue
                contexts.append(
                    SetContext(
                        key=f"{interchange.sender_id.strip()}:{interchange.control_number}:{group.control_number}:"
                        f"{remittance.header.control_number}",
                        remittance=remittance,
                        payment=payment,
                        paid_on=payment.payment_date or as_of,
                        cash_account=(payment.receiver_account.strip() or config.deposit_account)[:32],
                        method=PaymentMethod.CHECK if payment.method.value == "CHK" else PaymentMethod.ACH,
                        exchange=_is_exchange(remittance),
                    )
                )
    if not contexts:
        raise reject_file(
            "x12_820.no_payment",
            "820 file",
            (ValidationError(code="x12_820.no_payment", message="The file contains no 820 transaction set with a BPR payment segment."),),
            "Send a file with at least one 820 transaction set.",
        )
    for context in contexts:
        # The reader checks this too; posting relies on it, so it is checked again here.
        remitted = context.remittance.remitted_cents
        if remitted != context.payment.amount_cents:
            raise reject_file(
                "x12_820.payment_total_mismatch",
                "820 file",
                (
                    ValidationError(
                        code="x12_820.payment_total_mismatch",
                        message=f"Transaction set {context.key}: BPR02 {context.payment.amount_cents} cents is not the sum "
                        f"of its remittance lines, {remitted} cents.",
                        field="BPR02",
                    ),
                ),
                "Correct BPR02 or the remittance amounts so that they agree.",
            )
    return contexts


def _is_exchange(remittance: Remittance820) -> bool:
    if remittance.header.implementation == Implementation.EXCHANGE_PAYMENT_820.value:
        return True
    lines = remittance.lines
    return bool(lines) and all(line.payment_type is not None for line in lines)


def _funding(ctx: ServiceContext, record: PaymentImport, context: SetContext) -> LedgerAccount:
    """Suspense, when the bank already reported this payment and it went to suspense; else cash clearing.

    The bank credit is taken as this 820's money when its amount equals BPR02, it arrived
    within a few days of the payment date, and its reference holds the TRN trace number
    or it arrived on the payment date itself.
    """
    note = f"paid out by 820 import {record.id}, set {context.key}"
    claimed = ctx.session.scalar(select(SuspenseItem.id).where(SuspenseItem.resolution_note == note[:256]))
    if claimed is not None:
        return LedgerAccount.SUSPENSE
    window = (context.paid_on - timedelta(days=FUNDING_WINDOW_DAYS), context.paid_on + timedelta(days=FUNDING_WINDOW_DAYS))
    candidates = ctx.session.scalars(
        select(SuspenseItem)
        .where(
            SuspenseItem.status == SuspenseStatus.OPEN.value,
            SuspenseItem.channel == PaymentChannel.BANK_TRANSFER.value,
            SuspenseItem.amount_cents == context.payment.amount_cents,
            SuspenseItem.received_on.between(*window),
            or_(SuspenseItem.received_on == context.paid_on, SuspenseItem.reference.is_not(None)),
        )
        .order_by(SuspenseItem.id)
        .with_for_update()
    )
    for item in candidates:
        traced = bool(context.trace) and context.trace in f"{item.reference or ''} {item.bank_reference or ''}"
        if traced or item.received_on == context.paid_on:
            resolve_item(ctx, item, status=SuspenseStatus.APPLIED, note=note)
            return LedgerAccount.SUSPENSE
    return LedgerAccount.CASH_CLEARING

