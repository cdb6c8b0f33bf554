"""The BAI2 reader on inline files: continuations, record order, trailers, fields and type-code classes."""

from __future__ import annotations

from datetime import time

import pytest

from premia.formats.bai2 import (
    Bai2File,
    Bai2FileRejected,
    Bai2Problem,
    FundsType,
    TypeCodeCategory,
    classify_type_code,
    lockbox_deposits,
    read_bai2,
)

# One lockbox deposit of $968.00 quoting an invoice number, and a $25.00 fee debit.
# Account total: 100 summary 96800 + 400 summary 2500 + 96800 + 2500 = 198600.
LOCKBOX_DAY = """\
01,BANKID,PREMIA,260427,0600,1,,,2/
02,PREMIA,BANKID,1,260427,2400,USD,2/
03,4400123456,,100,96800,1,,400,2500,1,/
16,115,96800,0,LBX0001,PRM-2026-000114,CHECK 1043 SUBSCRIBER A/
16,475,2500,,FEE0001,,LOCKBOX FEE/
49,198600,4/
98,198600,1,6/
99,198600,1,8/
"""


def _read(text: str) -> Bai2File:
    return read_bai2(text.encode("ascii"))


def _problems(text: str) -> list:
    with pytest.raises(Bai2FileRejected) as caught:
        _read(text)
    return list(caught.value.problems)


def test_reader_lockbox_day() -> None:
    bai2_file = _read(LOCKBOX_DAY)

    deposit, fee = bai2_file.accounts[0].transactions
    assert bai2_file.warnings == ()
    assert bai2_file.groups[0].as_of_time == time.max
    assert deposit.is_lockbox_deposit
    assert deposit.is_credit
    assert deposit.reference_text == "PRM-2026-000114"
    assert deposit.text == "CHECK 1043 SUBSCRIBER A"
    assert deposit.funds is not None
    assert deposit.funds.funds_type is FundsType.IMMEDIATE
    assert fee.is_debit
    assert fee.category is TypeCodeCategory.DEBIT


def test_lockbox_deposits_listed() -> None:
    (deposit,) = lockbox_deposits(_read(LOCKBOX_DAY))

    assert deposit.account_number == "4400123456"
    assert deposit.amount_cents == 96800
    assert deposit.bank_reference == "LBX0001"
    assert deposit.reference_text == "PRM-2026-000114"


def test_continuation_carries_amount() -> None:
    text = LOCKBOX_DAY.replace(
        "03,4400123456,,100,96800,1,,400,2500,1,/", "03,4400123456,,100/\n88,96800,1,,400,2500,1,/"
    )
    text = (
        text.replace("49,198600,4/", "49,198600,5/")
        .replace("98,198600,1,6/", "98,198600,1,7/")
        .replace("99,198600,1,8/", "99,198600,1,9/")
    )

    account = _read(text).accounts[0]

    assert [
        (summary.type_code, summary.amount_cents, summary.item_count) for summary in account.summaries
    ] == [
        ("100", 96800, 1),
        ("400", 2500, 1),
    ]


def test_text_with_commas_kept_whole() -> None:
    text = LOCKBOX_DAY.replace("LOCKBOX FEE/", "LOCKBOX FEE, APRIL, 2026/")

    fee = _read(text).accounts[0].transactions[1]

    assert fee.text == "LOCKBOX FEE, APRIL, 2026"


def test_records_on_one_line() -> None:
    text = LOCKBOX_DAY.replace("/\n16,475", "/ 16,475")

    bai2_file = _read(text)

    assert len(bai2_file.accounts[0].transactions) == 2
    assert [warning.code for warning in bai2_file.warnings] == [Bai2Problem.SEVERAL_RECORDS_PER_LINE]


def test_account_trailer_missing() -> None:
    problems = _problems(LOCKBOX_DAY.replace("49,198600,4/\n", ""))

    assert problems[0].code is Bai2Problem.TRAILER_MISSING
    assert problems[0].record == "line 3 (03 account identifier)"


def test_file_trailer_missing() -> None:
    problems = _problems(LOCKBOX_DAY.replace("99,198600,1,8/\n", ""))

    assert [problem.code for problem in problems] == [Bai2Problem.TRAILER_MISSING]


def test_transaction_outside_account() -> None:
    problems = _problems(LOCKBOX_DAY.replace("03,4400123456,,100,96800,1,,400,2500,1,/\n", ""))

    assert problems[0].code is Bai2Problem.RECORD_OUT_OF_ORDER
    assert problems[0].record == "line 3 (16 transaction detail)"


def test_record_after_file_trailer() -> None:
    problems = _problems(LOCKBOX_DAY + "02,PREMIA,BANKID,1,260428,2400,USD,2/\n")

    assert [problem.code for problem in problems] == [Bai2Problem.RECORD_OUT_OF_ORDER]


def test_group_totals_checked() -> None:
    problems = _problems(LOCKBOX_DAY.replace("98,198600,1,6/", "98,198601,2,6/"))

    assert [problem.code for problem in problems] == [
        Bai2Problem.ACCOUNT_COUNT_MISMATCH,
        Bai2Problem.CONTROL_TOTAL_MISMATCH,
    ]
    assert "states 198601" in problems[1].message


def test_blank_total_with_amounts_rejected() -> None:
    problems = _problems(LOCKBOX_DAY.replace("49,198600,4/", "49,,4/"))

    assert problems[0].code is Bai2Problem.CONTROL_TOTAL_MISMATCH
    assert "states blank" in problems[0].message


def test_version_three_rejected() -> None:
    problems = _problems(LOCKBOX_DAY.replace(",,,2/\n02", ",,,3/\n02", 1))

    assert problems[0].code is Bai2Problem.UNSUPPORTED_VERSION


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("260427,0600", "260431,0600", "file_creation_date"),
        ("260427,0600", "260427,2561", "file_creation_time"),
        ("16,475,2500,", "16,475,-2500,", "amount"),
        ("16,475,2500,,", "16,475,2500,X,", "funds_type"),
        ("16,475,", "16,47,", "type_code"),
        ("02,PREMIA,BANKID,1,", "02,PREMIA,BANKID,7,", "group_status"),
    ],
)
def test_invalid_fields(old: str, new: str, field: str) -> None:
    problems = _problems(LOCKBOX_DAY.replace(old, new, 1))

    assert problems[0].code is Bai2Problem.INVALID_FIELD
    assert problems[0].field == field


def test_funds_distributed_by_days() -> None:
    text = LOCKBOX_DAY.replace("16,115,96800,0,", "16,115,96800,D,2,0,50000,1,46800,")

    deposit = _read(text).accounts[0].transactions[0]

    assert deposit.funds is not None
    assert deposit.funds.distribution == ((0, 50000), (1, 46800))  # 500.00 today + 468.00 tomorrow = 968.00
    assert deposit.bank_reference == "LBX0001"


def test_latin1_file_read_with_warning() -> None:
    text = LOCKBOX_DAY.replace("SUBSCRIBER A", "SUBSCRIBER \xc9")

    bai2_file = read_bai2(text.encode("latin-1"))

    assert bai2_file.accounts[0].transactions[0].text == "CHECK 1043 SUBSCRIBER \xc9"
    assert [warning.code for warning in bai2_file.warnings] == [Bai2Problem.NOT_UTF8]


@pytest.mark.parametrize(
    ("type_code", "category"),
    [
        ("010", TypeCodeCategory.STATUS),
        ("100", TypeCodeCategory.CREDIT),
        ("115", TypeCodeCategory.CREDIT),
        ("399", TypeCodeCategory.CREDIT),
        ("400", TypeCodeCategory.DEBIT),
        ("699", TypeCodeCategory.DEBIT),
        ("701", TypeCodeCategory.LOAN),
        ("890", TypeCodeCategory.OTHER),
    ],
)
def test_type_code_classes(type_code: str, category: TypeCodeCategory) -> None:
    assert classify_type_code(type_code) is category
