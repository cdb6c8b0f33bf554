"""Read a bank's lockbox batch exported as CSV.

The header row must name ``invoice_number``, ``amount`` and ``received_on``, in any order;
``account_number``, ``check_number``, ``payer_name`` and ``memo`` may follow. A missing
required column rejects the whole file. A bad row is rejected on its own, with its line
number, and the other rows are still read. A UTF-8 byte-order mark, which spreadsheet "CSV
UTF-8" exports put before the first column name, is removed first.

An empty ``invoice_number`` is allowed: a check that came without a coupon is still money
received, and the importer matches it by account number or sends it to suspense.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from premia.formats.lockbox.errors import LockboxProblem, problem, reject
from premia.kernel.dates import parse_date
from premia.kernel.errors import ValidationError
from premia.kernel.money import parse_amount

REQUIRED_COLUMNS = ("invoice_number", "amount", "received_on")
OPTIONAL_COLUMNS = ("account_number", "check_number", "payer_name", "memo")
UTF8_BOM = "\ufeff"


@dataclass(frozen=True)
class LockboxPayment:
    """One check from the lockbox. ``account_number`` is the billing account written on the coupon."""

    line_number: int
    invoice_number: str | None
    amount_cents: int
    received_on: date
    account_number: str | None
    check_number: str | None
    payer_name: str | None
    memo: str | None


@dataclass(frozen=True)
class LockboxBatch:
    columns: tuple[str, ...]
    payments: tuple[LockboxPayment, ...]
    # One problem per rejected row, naming its line; the rows' payments are not in ``payments``.
    rejected_rows: tuple[ValidationError, ...]
    warnings: tuple[ValidationError, ...]

    @property
    def total_cents(self) -> int:
        return sum(payment.amount_cents for payment in self.payments)


def read_lockbox_csv(data: bytes | str) -> LockboxBatch:
    """Read the CSV batch.

    Raises :class:`~premia.formats.lockbox.errors.LockboxFileRejected` when the file as a
    whole cannot be used.
    """
    text = _decode(data)
    reader = csv.reader(io.StringIO(text.removeprefix(UTF8_BOM), newline=""))
    header = _next_row(reader)
    if header is None or not any(name.strip() for name in header):
        raise reject(
            [
                problem(
                    LockboxProblem.EMPTY_FILE,
                    "The file has no header row.",
                    hint="Export the lockbox batch with its header row.",
                )
            ]
        )

    columns = tuple(name.strip().lower() for name in header)
    warnings = _check_header(header, columns)

    payments: list[LockboxPayment] = []
    rejected: list[ValidationError] = []
    line_number = reader.line_num + 1
    while (row := _next_row(reader)) is not None:
        if any(field.strip() for field in row):
            payment = _read_row(row, columns, line_number, rejected)
            if payment is not None:
                payments.append(payment)
        line_number = reader.line_num + 1
    return LockboxBatch(columns, tuple(payments), tuple(rejected), tuple(warnings))


def _next_row(reader: Iterator[list[str]]) -> list[str] | None:
    """Return the next row, or None at the end; text the csv module cannot split rejects the file."""
    try:
        return next(reader, None)
    except csv.Error as exc:
        line = getattr(reader, "line_num", 0)
        raise reject(
            [
                problem(
                    LockboxProblem.UNREADABLE_CSV,
                    f"the CSV cannot be read: {exc}.",
                    record=f"line {line}",
                    hint="Export the batch again as plain CSV.",
                )
            ]
        ) from exc


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise reject(
            [
                problem(
                    LockboxProblem.NOT_UTF8,
                    f"The file is not UTF-8: byte {data[exc.start]:#04x} at offset {exc.start} is invalid.",
                    hint="Save the batch as 'CSV UTF-8' and send it again.",
                )
            ]
        ) from exc


def _check_header(header: list[str], columns: tuple[str, ...]) -> list[ValidationError]:
    """Reject a header without the required columns or with a repeated one; warn about unknown columns."""
    found = ",".join(header)
    problems = []
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        problems.append(
            problem(
                LockboxProblem.MISSING_COLUMN,
                f"the header has no {' or '.join(missing)} column; found {found!r}.",
                record="line 1",
                field=missing[0],
                value=found,
                hint=f"The header must name {', '.join(REQUIRED_COLUMNS)}, separated by commas.",
            )
        )
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if repeated:
        problems.append(
            problem(
                LockboxProblem.DUPLICATE_COLUMN,
                f"the header names {', '.join(repeated)} more than once; found {found!r}.",
                record="line 1",
                field=repeated[0],
                value=found,
                hint="Name each column once.",
            )
        )
    if problems:
        raise reject(problems)

    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    unknown = [name for name in columns if name not in known]
    if not unknown:
        return []
    return [
        problem(
            LockboxProblem.UNKNOWN_COLUMN,
            f"the columns {', '.join(repr(name) for name in unknown)} are not lockbox columns and were "
            "ignored.",
            record="line 1",
            hint=f"Known columns: {', '.join(known)}.",
        )
    ]


def _read_row(
    row: list[str], columns: tuple[str, ...], line_number: int, rejected: list[ValidationError]
) -> LockboxPayment | None:
    label = f"line {line_number}"
    if len(row) != len(columns):
        rejected.append(
            problem(
                LockboxProblem.WRONG_FIELD_COUNT,
                f"the row has {len(row)} fields, but the header has {len(columns)}.",
                record=label,
                value=len(row),
                hint="Quote any field that contains a comma.",
            )
        )
        return None

    values = {name: field.strip() for name, field in zip(columns, row, strict=True)}
    row_problems: list[ValidationError] = []
    amount_cents = _amount(values["amount"], label, row_problems)
    received_on = _received_on(values["received_on"], label, row_problems)
    if row_problems or amount_cents is None or received_on is None:
        rejected.extend(row_problems)
        return None
    return LockboxPayment(
        line_number=line_number,
        invoice_number=values["invoice_number"] or None,
        amount_cents=amount_cents,
        received_on=received_on,
        account_number=values.get("account_number") or None,
        check_number=values.get("check_number") or None,
        payer_name=values.get("payer_name") or None,
        memo=values.get("memo") or None,
    )


def _amount(text: str, label: str, row_problems: list[ValidationError]) -> int | None:
    try:
        cents = parse_amount(text, field="amount", record=label)
    except ValidationError as exc:
        row_problems.append(
            problem(
                LockboxProblem.INVALID_AMOUNT,
                exc.message,
                record=label,
                field="amount",
                value=text,
                hint=exc.hint or "",
            )
        )
        return None
    if cents <= 0:
        row_problems.append(
            problem(
                LockboxProblem.INVALID_AMOUNT,
                f"amount {text!r} must be greater than zero.",
                record=label,
                field="amount",
                value=text,
                hint="A lockbox check pays a positive amount; send corrections to the bank separately.",
            )
        )
        return None
    return cents


def _received_on(text: str, label: str, row_problems: list[ValidationError]) -> date | None:
    try:
        return parse_date(text, field="received_on", record=label)
    except ValidationError as exc:
        row_problems.append(
            problem(
                LockboxProblem.INVALID_DATE,
                exc.message,
                record=label,
                field="received_on",
                value=text,
                hint=exc.hint or "",
            )
        )
        return None
