"""Import bank statements and reports (BAI2, camt.052/053/054) as deposits and receipts.

Every transaction is kept as a bank statement line for reconciliation. A booked USD credit
is a receipt: it is posted to the account its reference names exactly, or held in
suspense, unless Premia already posted the money another way. Such credits are recognised
and only recorded: the settlement of an ACH file Premia originated (its debit total on its
effective date), the payment of an 820 already imported (its BPR total, by trace number or
payment date) and a lockbox deposit whose batch was imported (``lockbox_deposits``).
Debits, other currencies, test data and credits that are returns of Premia's own outgoing
payments are recorded without posting.

A lockbox credit (BAI2 115, 116, 118) that names no account is recorded rather than held
in suspense: the lockbox batch brings its checks, and until the batch is imported the
day's reconciliation shows the difference. A 115 deposit whose amount is the sum of the
116 items listed with it on the same account and day is their total, and only the items
are posted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import func, select

from premia.formats.bai2 import Bai2File, GroupStatus, read_bai2
from premia.formats.camt import CamtDocument, EntryStatus, read_camt
from premia.formats.camt.records import AccountReport, CamtEntry, TransactionDetails
from premia.infra.context import ServiceContext
from premia.payments.imports import (
    ImportReport,
    begin_import,
    complete_import,
    record_item,
    report_for,
    stored_keys,
)
from premia.payments.lockbox_deposits import (
    LOCKBOX_DEPOSIT,
    LOCKBOX_ITEM,
    LOCKBOX_TYPE_CODES,
    BatchChecks,
    load_batch_checks,
    named_accounts,
)
from premia.payments.model import (
    AchPurpose,
    ImportKind,
    ImportStatus,
    ItemOutcome,
    PaymentChannel,
    PaymentMethod,
)
from premia.payments.receipts import Receipt, post_receipts
from premia.payments.tables import AchEntry, BankStatementLine, PaymentImport

USD = "USD"
RECOGNITION_DAYS = 5
STATEMENT_CHUNK = 2_000
AWAITING_BATCH = (
    "A lockbox deposit is recorded, not held in suspense: its checks are posted from the lockbox "
    "batch, and the day's reconciliation shows the difference until the batch is imported."
)


@dataclass(frozen=True)
class StatementLine:
    """One bank transaction, read from either format, before it is stored."""

    item_key: str
    position: int
    bank_account: str
    booked_on: date
    is_credit: bool
    amount_cents: int
    currency: str
    type_code: str
    bank_reference: str | None
    references: tuple[str | None, ...]
    payer_name: str | None = None
    # Why the line is only recorded, or None for a credit that may be a receipt.
    record_only: str | None = None
    is_lockbox: bool = False


@dataclass(frozen=True)
class Recognition:
    """The reason a line is money Premia posted another way, and the day those receipts are dated (if known)."""

    reason: str
    receipts_on: date | None


@dataclass
class Recognizer:
    """Credits Premia expects from its own postings, loaded once per file: ACH settlements, 820 payments, lockbox batches."""

    ach_totals: dict[date, dict[int, str]] = field(default_factory=dict)
    remittances: list[tuple[int, date | None, str, str]] = field(default_factory=list)
    lockbox: BatchChecks = field(default_factory=BatchChecks)

    def explain(self, line: StatementLine, account_id: int | None = None) -> Recognition | None:
        """Return why ``line`` is money Premia already posted another way, or None.

        ``account_id`` is the billing account a lockbox line's references name, if any.
        """
        if line.is_lockbox:
            references = (*line.references, line.bank_reference)
            found = self.lockbox.explain(line.amount_cents, line.booked_on, references, account_id)
            return Recognition(*found) if found else None
        for offset in range(RECOGNITION_DAYS + 1):
            day = line.booked_on - timedelta(days=offset)
            label = self.ach_totals.get(day, {}).get(line.amount_cents)
            if label:
                # A settled draft is dated its effective date, the day of the ACH totals.
                return Recognition(f"Settlement of {label}; the drafts were posted when they settled.", day)
        text = " ".join(reference for reference in line.references if reference)
        for amount, payment_date, trace, label in self.remittances:
            if amount != line.amount_cents:
                continue
            if (trace and trace in text) or payment_date == line.booked_on:
                return Recognition(f"Payment of {label}; its remittance lines were posted from the 820.", payment_date)
        return None


def load_recognizer(ctx: ServiceContext, first: date, last: date) -> Recognizer:
    recognizer = Recognizer()
    rows = ctx.session.execute(
        select(AchEntry.file_id, AchEntry.effective_date, func.sum(AchEntry.amount_cents))
        .where(
            AchEntry.purpose.in_([AchPurpose.DRAFT.value, AchPurpose.RETRY.value, AchPurpose.RETURN_FEE.value]),
            AchEntry.effective_date.between(first - timedelta(days=RECOGNITION_DAYS), last),
        )
        .group_by(AchEntry.file_id, AchEntry.effective_date)
    ).all()
    by_day: dict[date, int] = defaultdict(int)
    for file_id, effective, total in rows:
        recognizer.ach_totals.setdefault(effective, {})[int(total)] = f"ACH file {file_id} effective {effective}"
        by_day[effective] += int(total)
    for effective, total in by_day.items():
        recognizer.ach_totals[effective].setdefault(total, f"the ACH drafts effective {effective}")

    imports = ctx.session.scalars(
        select(PaymentImport).where(
            PaymentImport.kind == ImportKind.X12_820.value,
            PaymentImport.status == ImportStatus.COMPLETED.value,
            PaymentImport.as_of.between(first - timedelta(days=30), last + timedelta(days=30)),
        )
    )
    for record in imports:
        for payment in (record.summary or {}).get("payments", []):
            paid_on = date.fromisoformat(payment["payment_date"]) if payment.get("payment_date") else None
            label = f"820 file {record.id} ({record.file_name})"
            recognizer.remittances.append((int(payment["amount_cents"]), paid_on, payment.get("trace") or "", label))
    recognizer.lockbox = load_batch_checks(ctx, first, last)
    return recognizer


def import_statement_lines(
    ctx: ServiceContext, record: PaymentImport, lines: list[StatementLine], *, kind: ImportKind
) -> int:
    """Store the lines and post the receipts among them; return how many an earlier import already stored."""
    stored = stored_keys(ctx, (line.item_key for line in lines))
    fresh = [line for line in lines if line.item_key not in stored]
    if not fresh:
        return len(lines)
    recognizer = load_recognizer(ctx, min(line.booked_on for line in fresh), max(line.booked_on for line in fresh))
    lockbox_lines = [line for line in fresh if line.is_lockbox and line.record_only is None]
    named = named_accounts(ctx, [line.references for line in lockbox_lines]) if recognizer.lockbox.checks else []
    accounts = {line.item_key: account_id for line, account_id in zip(lockbox_lines, named, strict=False)}

    receipts: list[Receipt] = []
    rows: list[dict[str, object]] = []
    for line in fresh:
        row = _statement_row(record, line)
        rows.append(row)
        recognition = None if line.record_only else recognizer.explain(line, accounts.get(line.item_key))
        reason = line.record_only or (recognition.reason if recognition else None)
        if reason:
            row["recognized_as"] = recognition.reason[:128] if recognition else None
            row["receipts_on"] = recognition.receipts_on if recognition else None
            record_item(
                ctx,
                record,
                item_key=line.item_key,
                position=line.position,
                amount_cents=line.amount_cents if line.is_credit else -line.amount_cents,
                outcome=ItemOutcome.RECORDED,
                explanation=reason,
                reference=next((text for text in line.references if text), None),
            )
            continue
        lockbox = line.is_lockbox
        receipts.append(
            Receipt(
                item_key=line.item_key,
                position=line.position,
                amount_cents=line.amount_cents,
                received_on=line.booked_on,
                cash_account=line.bank_account[:32],
                channel=PaymentChannel.LOCKBOX if lockbox else PaymentChannel.BANK_TRANSFER,
                method=PaymentMethod.CHECK if lockbox else PaymentMethod.TRANSFER,
                references=line.references,
                payer_name=line.payer_name,
                bank_reference=line.bank_reference,
                unmatched_note=AWAITING_BATCH if lockbox else None,
            )
        )

    outcomes, _ = post_receipts(ctx, record, receipts, source=f"{kind.value} import {record.id}")
    for row in rows:
        outcome = outcomes.get(str(row["item_key"]))
        row["payment_id"] = outcome.payment_id if outcome is not None else None
        row["suspense_item_id"] = outcome.suspense_item_id if outcome is not None else None
    _insert_statement_lines(ctx, rows)
    return len(lines) - len(fresh)


def _statement_row(record: PaymentImport, line: StatementLine) -> dict[str, object]:
    return {
        "import_id": record.id,
        "item_key": line.item_key,
        "bank_account": line.bank_account[:34],
        "booked_on": line.booked_on,
        "is_credit": line.is_credit,
        "amount_cents": line.amount_cents,
        "currency": line.currency[:3],
        "type_code": line.type_code[:32],
        "bank_reference": (line.bank_reference or None) and line.bank_reference[:64],
        "reference_text": " ".join(text for text in line.references if text)[:256] or None,
        "recognized_as": None,
        "receipts_on": None,
    }


def _insert_statement_lines(ctx: ServiceContext, rows: list[dict[str, object]]) -> None:
    # Written once the receipts are posted, so each row is inserted with its payment or
    # suspense item and never updated. Core keeps a large file's lines out of the session.
    ctx.session.flush()
    table = BankStatementLine.__table__
    for start in range(0, len(rows), STATEMENT_CHUNK):
        ctx.session.execute(table.insert(), rows[start : start + STATEMENT_CHUNK])


def import_bai2(ctx: ServiceContext, content: bytes, *, file_name: str, as_of: date) -> ImportReport:
    """Read a BAI2 file and post its receipts. A malformed file raises ``Bai2FileRejected`` and posts nothing."""
    report = read_bai2(content)
    control = f"bai2:{report.sender_id}:{report.receiver_id}:{report.file_id}:{report.created_on.isoformat()}"
    start = begin_import(ctx, kind=ImportKind.BAI2, file_name=file_name, content=content, control_key=control, as_of=as_of)
    if start.finished_before:
        return report_for(ctx, start.record, already_imported=True)
    lines = _with_deposit_totals_recorded(bai2_statement_lines(report, control))
    duplicates = import_statement_lines(ctx, start.record, lines, kind=ImportKind.BAI2)
    warnings = [warning.message for warning in report.warnings]
    return complete_import(ctx, start.record, duplicates=duplicates, warnings=warnings)


def bai2_statement_lines(report: Bai2File, control: str) -> list[StatementLine]:
    # Keys count transactions in file order: several records may share one physical line.
    lines: list[StatementLine] = []
    for group in report.groups:
        group_note = None
        if group.status in (GroupStatus.DELETION, GroupStatus.TEST_ONLY):
            group_note = f"The group is marked {group.status.name.lower().replace('_', ' ')} by the bank; not posted."
        for account in group.accounts:
            for transaction in account.transactions:
                note = group_note or _currency_note(account.currency)
                if note is None and not transaction.is_credit:
                    note = "A debit or non-credit transaction; kept for reconciliation, not posted."
                lines.append(
                    StatementLine(
                        item_key=f"{control}:{len(lines) + 1}",
                        position=transaction.line_number,
                        bank_account=account.account_number,
                        booked_on=group.as_of_date,
                        is_credit=transaction.is_credit,
                        amount_cents=transaction.amount_cents,
                        currency=account.currency or USD,
                        type_code=transaction.type_code,
                        bank_reference=transaction.bank_reference or None,
                        references=(transaction.customer_reference or None, transaction.text or None),
                        record_only=note,
                        is_lockbox=transaction.type_code in LOCKBOX_TYPE_CODES,
                    )
                )
    return lines


def _with_deposit_totals_recorded(lines: list[StatementLine]) -> list[StatementLine]:
    """Record each 115 deposit that is the total of the 116 items beside it on the same account and day."""
    items: dict[tuple[str, date], int] = defaultdict(int)
    for line in lines:
        if line.type_code == LOCKBOX_ITEM and line.is_credit:
            items[(line.bank_account, line.booked_on)] += line.amount_cents
    totals_left = dict(items)
    result = []
    for line in lines:
        key = (line.bank_account, line.booked_on)
        if line.type_code == LOCKBOX_DEPOSIT and line.record_only is None and totals_left.get(key) == line.amount_cents:
            line = replace(
                line,
                record_only="The total of the lockbox items (116) listed with it on this statement; the items are posted.",
            )
            del totals_left[key]
        result.append(line)
    return result


def import_camt(ctx: ServiceContext, content: bytes, *, file_name: str, as_of: date) -> ImportReport:
    """Read a camt.052, 053 or 054 document and post its receipts; a malformed one raises ``CamtDocumentRejected``."""
    document = read_camt(content)
    control = f"camt:{document.message_id}"
    start = begin_import(ctx, kind=ImportKind.CAMT, file_name=file_name, content=content, control_key=control, as_of=as_of)
    if start.finished_before:
        return report_for(ctx, start.record, already_imported=True)
    lines = camt_statement_lines(document, control, as_of)
    duplicates = import_statement_lines(ctx, start.record, lines, kind=ImportKind.CAMT)
    warnings = [warning.message for warning in document.warnings]
    return complete_import(ctx, start.record, duplicates=duplicates, warnings=warnings)


def camt_statement_lines(document: CamtDocument, control: str, as_of: date) -> list[StatementLine]:
    lines = []
    for report in document.reports:
        for entry in report.entries:
            parts = _entry_parts(entry)
            for index, (amount, details) in enumerate(parts):
                lines.append(_camt_line(report, entry, index, amount, details, control, as_of))
    return lines


def _entry_parts(entry: CamtEntry) -> list[tuple[int, TransactionDetails | None]]:
    """Split a batched entry into its transactions when their amounts add up to the entry."""
    details = [detail for detail in entry.transactions if detail.amount_cents is not None]
    if len(details) > 1 and len(details) == len(entry.transactions):
        if sum(detail.amount_cents or 0 for detail in details) == entry.amount_cents:
            return [(detail.amount_cents or 0, detail) for detail in details]
    return [(entry.amount_cents, entry.transactions[0] if len(entry.transactions) == 1 else None)]


def _camt_line(
    report: AccountReport,
    entry: CamtEntry,
    index: int,
    amount: int,
    details: TransactionDetails | None,
    control: str,
    as_of: date,
) -> StatementLine:
    sources = [details] if details is not None else list(entry.transactions)
    references: list[str | None] = []
    for source in sources:
        references.extend(source.referred_document_numbers)
        references.extend(source.creditor_references)
        references.extend(source.remittance_unstructured)
        if source.end_to_end_id and source.end_to_end_id.upper() != "NOTPROVIDED":
            references.append(source.end_to_end_id)
    if entry.additional_information:
        references.append(entry.additional_information)

    note = _currency_note(entry.currency)
    if note is None and entry.status is not EntryStatus.BOOKED:
        note = f"The entry's status is {entry.status.value}, not booked; not posted."
    if note is None and not entry.is_credit:
        note = "A debit; kept for reconciliation, not posted."
    if note is None and entry.reversal:
        note = "A reversal of an earlier debit; not a receipt."
    if note is None and (entry.return_reason_codes or (details and details.return_information)):
        codes = ", ".join(entry.return_reason_codes) or "no code"
        note = f"A returned outgoing payment ({codes}); not a receipt."
    return StatementLine(
        item_key=f"{control}:{report.report_id}:{entry.index}:{index}",
        position=entry.index,
        bank_account=report.account.identifier,
        booked_on=entry.booking_date or entry.value_date or as_of,
        is_credit=entry.is_credit,
        amount_cents=amount,
        currency=entry.currency,
        type_code=str(entry.bank_transaction_code or "")[:32],
        bank_reference=entry.account_servicer_reference or entry.entry_reference,
        references=tuple(references),
        payer_name=details.debtor_name if details else None,
        record_only=note,
    )


def _currency_note(currency: str | None) -> str | None:
    if currency and currency != USD:
        return f"The amount is in {currency}; Premia posts US dollars only, so it is recorded, not posted."
    return None
