"""The BAI2 reader on the public samples: valid and edge files read, malformed files rejected."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from premia.formats.bai2 import (
    Bai2File,
    Bai2FileRejected,
    Bai2Problem,
    FundsType,
    GroupStatus,
    lockbox_deposits,
    read_bai2,
)

pytestmark = pytest.mark.samples


def _read(samples_dir: Path, name: str) -> Bai2File:
    return read_bai2((samples_dir / "bai2" / name).read_bytes())


def _rejection(samples_dir: Path, name: str) -> Bai2FileRejected:
    with pytest.raises(Bai2FileRejected) as caught:
        _read(samples_dir, name)
    return caught.value


def test_spec_example(samples_dir: Path) -> None:
    bai2_file = _read(samples_dir, "moov-sample2-bai-spec-example.bai2")

    assert bai2_file.warnings == ()
    assert len(bai2_file.groups) == 4
    assert len(bai2_file.accounts) == 5
    assert bai2_file.record_count == 31
    assert bai2_file.control_total_cents == 345450000  # 13,150,000 + 180,000,000 + 140,500,000 + 11,800,000
    assert bai2_file.groups[3].status is GroupStatus.CORRECTION
    assert {account.currency for account in bai2_file.accounts} == {"USD"}


def test_spec_example_split_pair(samples_dir: Path) -> None:
    # The 03 record ends with type code 190; its amount 500000 opens the next 88 record.
    account = _read(samples_dir, "moov-sample2-bai-spec-example.bai2").accounts[1]

    codes_and_amounts = [(summary.type_code, summary.amount_cents) for summary in account.summaries]
    assert codes_and_amounts == [
        ("010", -500000),
        ("100", 1000000),
        ("400", 2000000),
        ("190", 500000),
        ("110", 1000000),
        ("072", 500000),
        ("074", 500000),
        ("040", -1500000),
    ]


def test_spec_example_funds_types(samples_dir: Path) -> None:
    accounts = _read(samples_dir, "moov-sample2-bai-spec-example.bai2").accounts

    distributed = accounts[1].transactions[0].funds
    value_dated = accounts[2].transactions[0].funds
    by_days = accounts[3].summary("110")
    assert distributed is not None
    assert distributed.funds_type is FundsType.DISTRIBUTED
    assert (distributed.immediate_cents, distributed.one_day_cents, distributed.two_or_more_days_cents) == (
        None,
        200000,
        300000,
    )
    assert value_dated is not None
    assert value_dated.value_date == date(2004, 6, 22)
    assert by_days is not None
    assert by_days.funds is not None
    assert by_days.funds.distribution == ((0, 20000000), (1, 30000000), (3, 20000000))
    assert accounts[4].summary("110") is not None
    assert accounts[4].summary("110").item_count == 4  # type: ignore[union-attr]


def test_spec_example_lockbox(samples_dir: Path) -> None:
    deposits = lockbox_deposits(_read(samples_dir, "moov-sample2-bai-spec-example.bai2"))

    assert [(deposit.account_number, deposit.amount_cents) for deposit in deposits] == [
        ("0123456789", 450000),
        ("9876543210", 500000),
    ]
    assert deposits[0].reference_text is None
    assert deposits[1].reference_text == "LOCK BOX NO.68751"
    assert deposits[1].as_of_date == date(2004, 6, 20)


def test_spec_example_wire_text(samples_dir: Path) -> None:
    transaction = _read(samples_dir, "moov-sample2-bai-spec-example.bai2").accounts[2].transactions[0]

    assert transaction.bank_reference == "SP4738"
    assert transaction.customer_reference == "YRC065321"
    assert transaction.text == "PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO"
    assert transaction.is_credit


def test_cad_returned_cheques(samples_dir: Path) -> None:
    bai2_file = _read(samples_dir, "moov-sample1-cad-returned-cheques.bai2")

    first, second = bai2_file.accounts
    assert first.currency == "CAD"
    assert len(first.transactions) + len(second.transactions) == 17
    assert (
        sum(transaction.amount_cents for transaction in first.credits) == 208500
    )  # 2,035.00 + 25.00 + 25.00 (type 108)
    assert sum(transaction.amount_cents for transaction in first.debits) == 208500  # the eight 409 items
    assert first.summary("100").item_count == 3  # type: ignore[union-attr]
    assert first.transactions[0].text == "RETURNED CHEQUE"
    assert bai2_file.created_on == date(2006, 3, 21)


def test_citi_gbp_continuations(samples_dir: Path) -> None:
    bai2_file = _read(samples_dir, "moj-citi-gbp-continuations.bai2")

    (transaction,) = bai2_file.accounts[0].transactions
    assert bai2_file.accounts[0].currency == "GBP"
    assert transaction.bank_reference == "1234567890"
    assert transaction.customer_reference == "RP12312312312312"
    assert len(transaction.text_parts) == 7
    assert transaction.text_parts[3] == "PY:RP1231231231231200                 A1234BC 22/03/66"
    assert [warning.code for warning in bai2_file.warnings] == [Bai2Problem.TERMINATOR_MISSING]


def test_svb_two_groups(samples_dir: Path) -> None:
    bai2_file = _read(samples_dir, "edge-moj-svb-us-two-groups-no-final-slash.bai2")

    assert [group.as_of_date for group in bai2_file.groups] == [date(2022, 2, 1), date(2022, 2, 2)]
    assert bai2_file.control_total_cents == 282030196  # 138,884,258 + 143,145,938
    assert bai2_file.accounts[0].summary("015").amount_cents == 35217175  # type: ignore[union-attr]
    assert bai2_file.accounts[0].transactions[0].text == "SOME PAYMENT ACH OFFSET"
    assert [warning.code for warning in bai2_file.warnings] == [Bai2Problem.TERMINATOR_MISSING]


def test_nwb_time_with_seconds(samples_dir: Path) -> None:
    bai2_file = _read(samples_dir, "edge-moj-nwb-time-with-seconds.bai2")

    assert bai2_file.created_at == time(14, 59, 35)
    assert bai2_file.groups[0].currency == "USD"  # blank in the 02 record
    assert bai2_file.groups[0].as_of_time == time.max  # 2400, the end of the day
    assert bai2_file.accounts[0].currency == "GBP"
    assert bai2_file.accounts[0].transactions[4].text.endswith("CLIE NT SECCY AC TFR")
    assert Bai2Problem.TIME_WITH_SECONDS in [warning.code for warning in bai2_file.warnings]


def test_blank_account_trailer_total(samples_dir: Path) -> None:
    bai2_file = _read(samples_dir, "edge-moj-account-trailer-amount-blank.bai2")

    assert [account.account_number for account in bai2_file.accounts] == ["12345", "54321"]
    assert [account.control_total_cents for account in bai2_file.accounts] == [None, None]
    assert [warning.code for warning in bai2_file.warnings] == [Bai2Problem.CONTROL_TOTAL_BLANK] * 2


def test_several_records_per_line(samples_dir: Path) -> None:
    bai2_file = _read(samples_dir, "edge-moov-sample3-several-records-per-line.bai2")

    codes = [warning.code for warning in bai2_file.warnings]
    broken = next(
        warning for warning in bai2_file.warnings if warning.code is Bai2Problem.RECORD_BROKEN_OVER_LINES
    )
    joined = next(
        transaction
        for account in bai2_file.accounts
        for transaction in account.transactions
        if transaction.line_number == 18
    )
    assert len(bai2_file.accounts) == 15
    assert bai2_file.record_count == 74
    assert Bai2Problem.SEVERAL_RECORDS_PER_LINE in codes
    assert broken.record == "line 19"
    assert joined.text_parts == ("111111     ACH_SETL           1111111111 111111111111111", "1111111111")


def test_record_count_mismatch_rejected(samples_dir: Path) -> None:
    rejection = _rejection(samples_dir, "malformed-moov-sample4-record-count-mismatch-ach-return-text.bai2")

    first = rejection.problems[0]
    assert first.code is Bai2Problem.RECORD_COUNT_MISMATCH
    assert first.record == "line 22 (49 account trailer)"
    assert "states 26" in first.message
    assert "18 are present" in first.message


def test_unknown_record_code_rejected(samples_dir: Path) -> None:
    rejection = _rejection(samples_dir, "malformed-moov-parse-error.bai2")

    first = rejection.problems[0]
    assert first.code is Bai2Problem.UNKNOWN_RECORD_CODE
    assert first.value == "00"
    assert first.record == "line 1"


def test_off_by_one_total_rejected(samples_dir: Path) -> None:
    rejection = _rejection(samples_dir, "malformed-derived-account-trailer-total-off-by-one.bai2")

    (problem,) = rejection.problems
    assert problem.code is Bai2Problem.CONTROL_TOTAL_MISMATCH
    assert problem.record == "line 16 (49 account trailer)"
    assert "states 834001" in problem.message
    assert (
        "add up to 834000" in problem.message
    )  # 2,085.00 of summaries 100 and 400 each, plus 4,170.00 of detail
