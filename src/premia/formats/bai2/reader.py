"""Read a BAI2 balance and transaction report into typed records, checking order, counts and totals.

:func:`read_bai2` returns a :class:`~premia.formats.bai2.records.Bai2File` or raises
:class:`~premia.formats.bai2.errors.Bai2FileRejected` listing every problem. Trailer checks
compare each stated count and total with the records actually present, so one wrong total
is reported once, on its own trailer, and not again on every trailer above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from typing import TypeVar

from premia.formats.bai2.codes import AsOfDateModifier, GroupStatus, RecordCode
from premia.formats.bai2.errors import Bai2Problem, problem, reject
from premia.formats.bai2.fields import FieldCursor, is_type_code
from premia.formats.bai2.lines import LogicalRecord, group_continuations, split_records
from premia.formats.bai2.records import (
    AccountSummary,
    Bai2Account,
    Bai2File,
    Bai2Group,
    Bai2Transaction,
)
from premia.kernel.errors import ValidationError

CodeT = TypeVar("CodeT", bound=StrEnum)

SUPPORTED_VERSION = "2"
DEFAULT_CURRENCY = "USD"


def read_bai2(content: str | bytes) -> Bai2File:
    """Parse and validate a BAI2 file.

    Raises ``Bai2FileRejected`` with every problem when the file is not sound.
    """
    problems: list[ValidationError] = []
    warnings: list[ValidationError] = []

    text = _decode(content, warnings)
    records = group_continuations(split_records(text, problems, warnings), problems)
    if not records and not problems:
        problems.append(
            problem(
                Bai2Problem.EMPTY_FILE,
                "The file contains no records.",
                hint="Ask the bank to resend the report.",
            )
        )

    assembler = _Assembler(problems, warnings)
    for record in records:
        assembler.add(record)
    bai2_file = assembler.finish()

    if problems or bai2_file is None:
        raise reject(problems)
    return bai2_file


def _decode(content: str | bytes, warnings: list[ValidationError]) -> str:
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        warnings.append(
            problem(
                Bai2Problem.NOT_UTF8,
                f"The file is not UTF-8 (byte {content[exc.start]:#04x} at offset {exc.start}); it was "
                "read as Latin-1.",
                hint="Check the accented characters in transaction texts.",
            )
        )
        return content.decode("latin-1")


@dataclass(frozen=True)
class _FileHeader:
    sender_id: str
    receiver_id: str
    created_on: date
    created_at: time | None
    file_id: str
    version: str


@dataclass
class _OpenAccount:
    record: LogicalRecord
    account_number: str
    currency: str
    summaries: tuple[AccountSummary, ...]
    transactions: list[Bai2Transaction] = field(default_factory=list)
    record_count: int = 0
    # A record that failed to parse makes the computed total meaningless.
    damaged: bool = False

    @property
    def computed_total(self) -> int:
        summary_total = sum(summary.amount_cents or 0 for summary in self.summaries)
        return summary_total + sum(transaction.amount_cents for transaction in self.transactions)


@dataclass
class _OpenGroup:
    record: LogicalRecord
    ultimate_receiver_id: str
    originator_id: str
    status: GroupStatus
    as_of_date: date
    as_of_time: time | None
    currency: str
    as_of_date_modifier: AsOfDateModifier | None
    accounts: list[Bai2Account] = field(default_factory=list)
    record_count: int = 0
    computed_total: int = 0
    damaged: bool = False


class _Assembler:
    """Builds the file from logical records in order, reporting records out of place."""

    def __init__(self, problems: list[ValidationError], warnings: list[ValidationError]) -> None:
        self.problems = problems
        self.warnings = warnings
        self.header: _FileHeader | None = None
        self.header_record: LogicalRecord | None = None
        self.groups: list[Bai2Group] = []
        self.group: _OpenGroup | None = None
        self.account: _OpenAccount | None = None
        self.record_count = 0
        self.computed_total = 0
        self.damaged = False
        self.trailer: tuple[int | None, int, int] | None = None
        self.finished = False

    def add(self, record: LogicalRecord) -> None:
        if self.finished:
            self._out_of_order(record, "after the file trailer (99)")
            return
        if self.header_record is None and record.code is not RecordCode.FILE_HEADER:
            self._out_of_order(record, "before the file header (01)")
            self.header_record = record
            self.damaged = True
        self.record_count += record.record_count

        handlers = {
            RecordCode.FILE_HEADER: self._file_header,
            RecordCode.GROUP_HEADER: self._group_header,
            RecordCode.ACCOUNT_IDENTIFIER: self._account_identifier,
            RecordCode.TRANSACTION_DETAIL: self._transaction,
            RecordCode.ACCOUNT_TRAILER: self._account_trailer,
            RecordCode.GROUP_TRAILER: self._group_trailer,
            RecordCode.FILE_TRAILER: self._file_trailer,
        }
        handlers[record.code](record)

    def finish(self) -> Bai2File | None:
        if not self.finished:
            self._end_open_account("at the end of the file")
            self._end_open_group("at the end of the file")
            self.problems.append(
                problem(
                    Bai2Problem.TRAILER_MISSING,
                    "The file has no file trailer (99); it may have been cut short.",
                    hint="Ask the bank to resend the whole report.",
                )
            )
            return None
        if self.header is None or self.trailer is None:
            return None
        control_total, group_count, record_count = self.trailer
        header = self.header
        return Bai2File(
            sender_id=header.sender_id,
            receiver_id=header.receiver_id,
            created_on=header.created_on,
            created_at=header.created_at,
            file_id=header.file_id,
            version=header.version,
            groups=tuple(self.groups),
            control_total_cents=control_total,
            group_count=group_count,
            record_count=record_count,
            warnings=tuple(self.warnings),
        )

    def _file_header(self, record: LogicalRecord) -> None:
        if self.header_record is not None:
            self._out_of_order(record, "after the first record")
            return
        self.header_record = record

        cursor = self._cursor(record)
        sender_id = cursor.required_text("sender_identification")
        receiver_id = cursor.required_text("receiver_identification")
        created_on = cursor.yymmdd("file_creation_date")
        created_at = cursor.time_of_day("file_creation_time")
        file_id = cursor.required_text("file_identification_number")
        cursor.field()  # physical record length: BAI2 does not depend on it once lines are read
        cursor.field()  # block size, likewise
        version = cursor.field()
        if version != SUPPORTED_VERSION:
            self.problems.append(
                problem(
                    Bai2Problem.UNSUPPORTED_VERSION,
                    f"version number {version!r} is not 2; this reader reads BAI version 2 only.",
                    record=record.label,
                    field="version_number",
                    value=version,
                    hint="Ask the bank for a BAI2 (version 2) report.",
                )
            )
        if not cursor.valid or created_on is None:
            self.damaged = True
            return
        self.header = _FileHeader(sender_id, receiver_id, created_on, created_at, file_id, version)

    def _group_header(self, record: LogicalRecord) -> None:
        self._end_open_account(f"before the group header on line {record.line_number}")
        self._end_open_group(f"before the group header on line {record.line_number}")

        cursor = self._cursor(record)
        receiver = cursor.field()
        originator = cursor.required_text("originator_identification")
        status = _code(cursor, "group_status", GroupStatus)
        as_of_date = cursor.yymmdd("as_of_date")
        as_of_time = cursor.time_of_day("as_of_time")
        currency = cursor.field() or DEFAULT_CURRENCY
        modifier_text = cursor.field()
        modifier = (
            _code(cursor, "as_of_date_modifier", AsOfDateModifier, modifier_text) if modifier_text else None
        )
        if not cursor.valid or status is None or as_of_date is None:
            self.damaged = True
            return
        self.group = _OpenGroup(
            record,
            receiver,
            originator,
            status,
            as_of_date,
            as_of_time,
            currency,
            modifier,
            record_count=record.record_count,
        )

    def _account_identifier(self, record: LogicalRecord) -> None:
        if self.group is None:
            self._out_of_order(record, "outside a group")
            return
        self._end_open_account(f"before the next account on line {record.line_number}")

        cursor = self._cursor(record)
        account_number = cursor.required_text("customer_account_number")
        currency = cursor.field() or self.group.currency
        summaries = cursor.summaries()
        self.account = _OpenAccount(
            record, account_number, currency, summaries, record_count=record.record_count
        )
        self.account.damaged = not cursor.valid

    def _transaction(self, record: LogicalRecord) -> None:
        if self.account is None:
            self._out_of_order(record, "outside an account")
            return
        self.account.record_count += record.record_count

        cursor = self._cursor(record)
        type_code = cursor.field()
        if not is_type_code(type_code):
            cursor.fail(
                "type_code",
                f"type code {type_code!r} must be three digits.",
                type_code,
                "Check the 16 record.",
            )
        amount = cursor.amount("amount", signed=False)
        if amount is None and cursor.valid:
            cursor.fail(
                "amount", "the transaction amount is missing.", None, "Every 16 record states its amount."
            )
        funds = cursor.funds()
        bank_reference = cursor.field()
        customer_reference = cursor.field()
        text_parts = cursor.remaining_text()
        if not cursor.valid or amount is None:
            self.account.damaged = True
            return

        self.account.transactions.append(
            Bai2Transaction(
                record.line_number, type_code, amount, funds, bank_reference, customer_reference, text_parts
            )
        )

    def _account_trailer(self, record: LogicalRecord) -> None:
        if self.account is None:
            self._out_of_order(record, "without an account identifier (03) before it")
            return
        self.account.record_count += record.record_count

        cursor = self._cursor(record)
        control_total = cursor.amount("account_control_total")
        record_count = cursor.count("number_of_records", required=True)
        account = self.account
        if cursor.valid and record_count is not None:
            what = f"account {account.account_number}"
            self._check_count(
                record,
                Bai2Problem.RECORD_COUNT_MISMATCH,
                "number_of_records",
                what,
                record_count,
                account.record_count,
            )
            if not account.damaged:
                self._check_total(
                    record, "account_control_total", what, control_total, account.computed_total
                )
        self._close_account(control_total)

    def _group_trailer(self, record: LogicalRecord) -> None:
        if self.group is None:
            self._out_of_order(record, "without a group header (02) before it")
            return
        self._end_open_account(f"before the group trailer on line {record.line_number}")
        group = self.group
        group.record_count += record.record_count

        cursor = self._cursor(record)
        control_total = cursor.amount("group_control_total")
        account_count = cursor.count("number_of_accounts", required=True)
        record_count = cursor.count("number_of_records", required=True)
        self.group = None
        if not cursor.valid or account_count is None or record_count is None:
            self.damaged = True
            return

        what = f"group of {group.as_of_date} from {group.originator_id}"
        self._check_count(
            record,
            Bai2Problem.ACCOUNT_COUNT_MISMATCH,
            "number_of_accounts",
            what,
            account_count,
            len(group.accounts),
        )
        self._check_count(
            record,
            Bai2Problem.RECORD_COUNT_MISMATCH,
            "number_of_records",
            what,
            record_count,
            group.record_count,
        )
        if not group.damaged:
            self._check_total(record, "group_control_total", what, control_total, group.computed_total)
        self.computed_total += group.computed_total
        self.damaged |= group.damaged
        self.groups.append(
            Bai2Group(
                line_number=group.record.line_number,
                ultimate_receiver_id=group.ultimate_receiver_id,
                originator_id=group.originator_id,
                status=group.status,
                as_of_date=group.as_of_date,
                as_of_time=group.as_of_time,
                currency=group.currency,
                as_of_date_modifier=group.as_of_date_modifier,
                accounts=tuple(group.accounts),
                control_total_cents=control_total,
                account_count=account_count,
                record_count=record_count,
            )
        )

    def _file_trailer(self, record: LogicalRecord) -> None:
        self._end_open_account(f"before the file trailer on line {record.line_number}")
        self._end_open_group(f"before the file trailer on line {record.line_number}")
        self.finished = True

        cursor = self._cursor(record)
        control_total = cursor.amount("file_control_total")
        group_count = cursor.count("number_of_groups", required=True)
        record_count = cursor.count("number_of_records", required=True)
        if not cursor.valid or group_count is None or record_count is None:
            return

        self.trailer = (control_total, group_count, record_count)
        self._check_count(
            record,
            Bai2Problem.GROUP_COUNT_MISMATCH,
            "number_of_groups",
            "file",
            group_count,
            len(self.groups),
        )
        self._check_count(
            record,
            Bai2Problem.RECORD_COUNT_MISMATCH,
            "number_of_records",
            "file",
            record_count,
            self.record_count,
        )
        if not self.damaged:
            self._check_total(record, "file_control_total", "file", control_total, self.computed_total)

    def _close_account(self, control_total: int | None) -> None:
        account = self.account
        self.account = None
        if account is None or self.group is None:
            return
        self.group.record_count += account.record_count
        self.group.computed_total += account.computed_total
        self.group.damaged |= account.damaged
        self.group.accounts.append(
            Bai2Account(
                line_number=account.record.line_number,
                account_number=account.account_number,
                currency=account.currency,
                summaries=account.summaries,
                transactions=tuple(account.transactions),
                control_total_cents=control_total,
                record_count=account.record_count,
            )
        )

    def _cursor(self, record: LogicalRecord) -> FieldCursor:
        return FieldCursor(record, self.problems, self.warnings)

    def _check_count(
        self, record: LogicalRecord, code: Bai2Problem, name: str, what: str, stated: int, present: int
    ) -> None:
        if stated != present:
            self.problems.append(
                problem(
                    code,
                    f"{name} for the {what} states {stated}, but {present} are present.",
                    record=record.label,
                    field=name,
                    value=stated,
                    hint="The report lost or gained records after the bank wrote it; ask for it again.",
                )
            )

    def _check_total(
        self, record: LogicalRecord, name: str, what: str, stated: int | None, computed: int
    ) -> None:
        if stated is None:
            if computed == 0:
                self.warnings.append(
                    problem(
                        Bai2Problem.CONTROL_TOTAL_BLANK,
                        f"{name} for the {what} is blank; the amounts present add up to 0, so it was taken "
                        "as 0.",
                        record=record.label,
                        field=name,
                        hint="BAI2 states a control total on every trailer.",
                    )
                )
                return
            stated_text = "blank"
        elif stated == computed:
            return
        else:
            stated_text = str(stated)
        self.problems.append(
            problem(
                Bai2Problem.CONTROL_TOTAL_MISMATCH,
                f"{name} for the {what} states {stated_text}, but the amounts present add up to {computed}.",
                record=record.label,
                field=name,
                value=stated,
                hint="An amount was changed or lost after the bank wrote the report; ask for it again.",
            )
        )

    def _end_open_account(self, where: str) -> None:
        """Report the missing 49 of an account still open, and close the account."""
        if self.account is not None:
            self._missing_trailer(self.account.record, "account trailer (49)", where)
            self._close_account(None)

    def _end_open_group(self, where: str) -> None:
        """Report the missing 98 of a group still open, and drop the group."""
        if self.group is not None:
            self._missing_trailer(self.group.record, "group trailer (98)", where)
            self.group = None

    def _missing_trailer(self, opened_by: LogicalRecord, trailer: str, where: str) -> None:
        self.damaged = True
        self.problems.append(
            problem(
                Bai2Problem.TRAILER_MISSING,
                f"the {trailer} is missing {where}.",
                record=opened_by.label,
                hint="The report lost records; ask the bank to resend it.",
            )
        )

    def _out_of_order(self, record: LogicalRecord, where: str) -> None:
        self.damaged = True
        self.problems.append(
            problem(
                Bai2Problem.RECORD_OUT_OF_ORDER,
                f"the record is out of place {where}.",
                record=record.label,
                hint=(
                    "Records run 01, then per group 02, per account 03, 16s and 49, then 98, and finally 99."
                ),
            )
        )


def _code(cursor: FieldCursor, name: str, codes: type[CodeT], raw: str | None = None) -> CodeT | None:
    value = cursor.field() if raw is None else raw
    try:
        return codes(value)
    except ValueError:
        allowed = ", ".join(code.value for code in codes)
        cursor.fail(name, f"{name} {value!r} is not one of {allowed}.", value, f"Use a BAI2 {name} code.")
        return None
