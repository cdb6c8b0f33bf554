"""The lockbox CSV reader: the byte-order mark, required columns, and row-by-row rejection."""

from __future__ import annotations

from datetime import date

import pytest

from premia.formats.lockbox import LockboxFileRejected, LockboxProblem, read_lockbox_csv

# The three rows of the BC-32 batch, exported from a spreadsheet with Windows line ends.
BATCH = (
    "invoice_number,amount,received_on\r\n"
    "PRM-2026-000310,968.00,2026-04-28\r\n"
    "PRM-2026-000311,1274.00,2026-04-28\r\n"
    "PRM-2026-000312,239.40,2026-04-29\r\n"
)


def test_batch_read() -> None:
    batch = read_lockbox_csv(BATCH.encode("utf-8"))

    assert [payment.invoice_number for payment in batch.payments] == [
        "PRM-2026-000310",
        "PRM-2026-000311",
        "PRM-2026-000312",
    ]
    assert [payment.amount_cents for payment in batch.payments] == [96800, 127400, 23940]
    assert [payment.line_number for payment in batch.payments] == [2, 3, 4]
    assert batch.payments[2].received_on == date(2026, 4, 29)
    assert batch.total_cents == 248140  # 968.00 + 1,274.00 + 239.40 = 2,481.40
    assert batch.rejected_rows == ()
    assert batch.warnings == ()


def test_byte_order_mark_ignored() -> None:
    with_bom = read_lockbox_csv(b"\xef\xbb\xbf" + BATCH.encode("utf-8"))
    without_bom = read_lockbox_csv(BATCH.encode("utf-8"))

    assert with_bom.columns[0] == "invoice_number"
    assert with_bom == without_bom


def test_missing_column_rejects_file() -> None:
    with pytest.raises(LockboxFileRejected) as caught:
        read_lockbox_csv(b"invoice,amount,received_on\nPRM-2026-000310,968.00,2026-04-28\n")

    (problem,) = caught.value.problems
    assert problem.code is LockboxProblem.MISSING_COLUMN
    assert problem.field == "invoice_number"
    assert "'invoice,amount,received_on'" in problem.message


def test_repeated_column_rejects_file() -> None:
    with pytest.raises(LockboxFileRejected) as caught:
        read_lockbox_csv(b"invoice_number,amount,received_on,amount\n")

    assert caught.value.problems[0].code is LockboxProblem.DUPLICATE_COLUMN


def test_empty_file_rejected() -> None:
    with pytest.raises(LockboxFileRejected) as caught:
        read_lockbox_csv(b"")

    assert caught.value.problems[0].code is LockboxProblem.EMPTY_FILE


def test_not_utf8_rejected() -> None:
    with pytest.raises(LockboxFileRejected) as caught:
        read_lockbox_csv(
            "invoice_number,amount,received_on,payer_name\nPRM-1,1.00,2026-04-28,Jos\xe9\n".encode("latin-1")
        )

    assert caught.value.problems[0].code is LockboxProblem.NOT_UTF8
    assert "CSV UTF-8" in (caught.value.hint or "")


def test_bad_rows_rejected_one_by_one() -> None:
    data = (
        "amount,invoice_number,received_on\n"
        "12.345,PRM-2026-000310,2026-04-28\n"
        "968.00,PRM-2026-000311,2026-04-31\n"
        "-5.00,PRM-2026-000312,2026-04-28\n"
        "\n"
        "239.40,PRM-2026-000313,2026-04-29\n"
        "1.00,PRM-2026-000314\n"
    )

    batch = read_lockbox_csv(data.encode("utf-8"))

    assert [payment.invoice_number for payment in batch.payments] == ["PRM-2026-000313"]
    assert [(problem.record, problem.code) for problem in batch.rejected_rows] == [
        ("line 2", LockboxProblem.INVALID_AMOUNT),
        ("line 3", LockboxProblem.INVALID_DATE),
        ("line 4", LockboxProblem.INVALID_AMOUNT),
        ("line 7", LockboxProblem.WRONG_FIELD_COUNT),
    ]
    assert batch.rejected_rows[0].message.startswith("Line 2: ")


def test_optional_columns_read() -> None:
    data = (
        "invoice_number,amount,received_on,account_number,check_number,payer_name,memo,batch_id\n"
        ',968.00,2026-04-27,BA-310,1043,SUBSCRIBER A,"PRM 2026 000114, April",B7\n'
    )

    batch = read_lockbox_csv(data.encode("utf-8"))

    (payment,) = batch.payments
    assert payment.invoice_number is None
    assert payment.account_number == "BA-310"
    assert payment.check_number == "1043"
    assert payment.payer_name == "SUBSCRIBER A"
    assert payment.memo == "PRM 2026 000114, April"
    assert [warning.code for warning in batch.warnings] == [LockboxProblem.UNKNOWN_COLUMN]


def test_multiline_memo_keeps_line_numbers() -> None:
    data = (
        'invoice_number,amount,received_on,memo\nPRM-1,1.00,2026-04-28,"two\nlines"\nPRM-2,bad,2026-04-28,\n'
    )

    batch = read_lockbox_csv(data)

    assert batch.payments[0].memo == "two\nlines"
    assert batch.rejected_rows[0].record == "line 4"


def test_oversized_field_rejects_file() -> None:
    memo = "X" * 200_000  # beyond the csv module's 131,072-character field limit

    with pytest.raises(LockboxFileRejected) as caught:
        read_lockbox_csv(f"invoice_number,amount,received_on,memo\nPRM-1,1.00,2026-04-28,{memo}\n")

    (problem,) = caught.value.problems
    assert problem.code is LockboxProblem.UNREADABLE_CSV
    assert problem.record == "line 2"
