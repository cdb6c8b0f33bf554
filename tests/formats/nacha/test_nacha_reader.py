"""The NACHA reader on inline files: record order, controls, addenda, characters and masking."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from premia.formats.nacha import (
    ChangeCode,
    NachaFile,
    NachaFileRejected,
    NachaProblem,
    TransactionCode,
    read_nacha,
)
from premia.formats.nacha.writer import Originator, OutgoingBatch, OutgoingEntry, write_nacha

ORIGINATOR = Originator(
    immediate_destination="231380104",
    immediate_destination_name="FEDERAL RESERVE BANK",
    immediate_origin="1234567890",
    immediate_origin_name="PREMIA HEALTH PLAN",
    company_name="PREMIA HEALTH",
    company_id="1234567890",
    odfi_routing_number="121042882",
)

# Record numbers of the two-entry file below: 1 file header, 2 batch header, 3-4 entries,
# 5 batch control, 6 file control, 7-10 padding.
FILE_HEADER, BATCH_HEADER, FIRST_ENTRY, SECOND_ENTRY, BATCH_CONTROL, FILE_CONTROL = range(6)


def _two_drafts() -> list[str]:
    text = write_nacha(
        originator=ORIGINATOR,
        batches=[
            OutgoingBatch(
                entry_description="PREMIUM",
                effective_entry_date=date(2026, 4, 1),
                entries=[
                    OutgoingEntry(
                        TransactionCode.CHECKING_DEBIT,
                        "231380104",
                        "4400123456789",
                        96800,
                        "PRM-2026-000114",
                        "SUBSCRIBER A",
                    ),
                    OutgoingEntry(
                        TransactionCode.SAVINGS_DEBIT,
                        "091400606",
                        "55501234",
                        127400,
                        "PRM-2026-000115",
                        "SUBSCRIBER B",
                    ),
                ],
            )
        ],
        created_at=datetime(2026, 3, 31, 9, 30),
    )
    return text.splitlines()


def _replace(record: str, start: int, end: int, value: str) -> str:
    """Overwrite positions ``start``-``end`` (1-based, inclusive) of a record."""
    assert len(value) == end - start + 1
    return record[: start - 1] + value + record[end:]


def _read(lines: list[str]) -> NachaFile:
    return read_nacha("\n".join(lines) + "\n")


def _problems(lines: list[str]) -> list:
    with pytest.raises(NachaFileRejected) as caught:
        _read(lines)
    return list(caught.value.problems)


def test_reader_two_drafts() -> None:
    nacha_file = _read(_two_drafts())

    assert nacha_file.warnings == ()
    assert nacha_file.total_debit_cents == 224200  # 968.00 + 1,274.00 = 2,242.00
    assert nacha_file.control is not None
    assert nacha_file.control.entry_hash == 32278070  # 23138010 + 09140060


def test_batch_entry_hash_mismatch() -> None:
    lines = _two_drafts()
    lines[BATCH_CONTROL] = _replace(lines[BATCH_CONTROL], 11, 20, "0032278071")

    (problem,) = _problems(lines)

    assert problem.code is NachaProblem.ENTRY_HASH_MISMATCH
    assert problem.record == "record 5 (batch control of batch 1)"
    assert "states 32278071" in problem.message
    assert "give 32278070" in problem.message


def test_batch_debit_total_mismatch() -> None:
    lines = _two_drafts()
    lines[BATCH_CONTROL] = _replace(lines[BATCH_CONTROL], 21, 32, "000000224201")

    (problem,) = _problems(lines)

    assert problem.code is NachaProblem.DEBIT_TOTAL_MISMATCH
    assert "states 224201" in problem.message


def test_file_control_counts_mismatch() -> None:
    lines = _two_drafts()
    lines[FILE_CONTROL] = _replace(lines[FILE_CONTROL], 2, 7, "000002")
    lines[FILE_CONTROL] = _replace(lines[FILE_CONTROL], 8, 13, "000002")
    lines[FILE_CONTROL] = _replace(lines[FILE_CONTROL], 14, 21, "00000003")

    codes = [problem.code for problem in _problems(lines)]

    assert codes == [
        NachaProblem.BATCH_COUNT_MISMATCH,
        NachaProblem.ENTRY_COUNT_MISMATCH,
        NachaProblem.BLOCK_COUNT_MISMATCH,
    ]


def test_batch_control_fields_mismatch() -> None:
    lines = _two_drafts()
    lines[BATCH_CONTROL] = _replace(lines[BATCH_CONTROL], 88, 94, "0000002")

    (problem,) = _problems(lines)

    assert problem.code is NachaProblem.BATCH_CONTROL_MISMATCH
    assert problem.field == "batch_number"


def test_credit_in_debit_batch() -> None:
    lines = _two_drafts()
    lines[FIRST_ENTRY] = _replace(lines[FIRST_ENTRY], 2, 3, "22")

    codes = [problem.code for problem in _problems(lines)]

    assert NachaProblem.SERVICE_CLASS_MISMATCH in codes
    assert NachaProblem.DEBIT_TOTAL_MISMATCH in codes
    assert NachaProblem.CREDIT_TOTAL_MISMATCH in codes


def test_entry_before_batch_header() -> None:
    lines = _two_drafts()
    lines[BATCH_HEADER], lines[FIRST_ENTRY] = lines[FIRST_ENTRY], lines[BATCH_HEADER]

    problems = _problems(lines)

    assert problems[0].code is NachaProblem.RECORD_OUT_OF_ORDER
    assert problems[0].record == "record 2"


def test_missing_batch_control() -> None:
    lines = _two_drafts()
    del lines[BATCH_CONTROL]

    codes = [problem.code for problem in _problems(lines)]

    assert codes == [NachaProblem.BATCH_CONTROL_MISSING]


def test_unknown_record_type() -> None:
    lines = _two_drafts()
    lines.insert(SECOND_ENTRY, "4" + lines[SECOND_ENTRY][1:])

    problems = _problems(lines)

    assert problems[0].code is NachaProblem.UNKNOWN_RECORD_TYPE
    assert problems[0].value == "4"


def test_addenda_indicator_without_addenda() -> None:
    lines = _two_drafts()
    lines[FIRST_ENTRY] = _replace(lines[FIRST_ENTRY], 79, 79, "1")

    (problem,) = _problems(lines)

    assert problem.code is NachaProblem.ADDENDA_INDICATOR_MISMATCH


def test_payment_addenda_read() -> None:
    lines = _two_drafts()
    lines[FIRST_ENTRY] = _replace(lines[FIRST_ENTRY], 79, 79, "1")
    addenda = "705" + "INVOICE PRM-2026-000114".ljust(80) + "0001" + "0000001"
    lines.insert(SECOND_ENTRY, addenda)
    lines[BATCH_CONTROL + 1] = _replace(lines[BATCH_CONTROL + 1], 5, 10, "000003")
    lines[FILE_CONTROL + 1] = _replace(lines[FILE_CONTROL + 1], 14, 21, "00000003")
    del lines[-1]  # one padding record fewer keeps the file at ten records

    nacha_file = _read(lines)

    (payment,) = nacha_file.entries[0].payment_addenda
    assert payment.payment_information == "INVOICE PRM-2026-000114"
    assert payment.sequence_number == 1


def test_prenote_with_amount() -> None:
    lines = _two_drafts()
    lines[FIRST_ENTRY] = _replace(lines[FIRST_ENTRY], 2, 3, "28")

    codes = [problem.code for problem in _problems(lines)]

    assert NachaProblem.AMOUNT_NOT_ZERO in codes


def test_invalid_effective_date() -> None:
    lines = _two_drafts()
    lines[BATCH_HEADER] = _replace(lines[BATCH_HEADER], 70, 75, "260231")

    (problem,) = _problems(lines)

    assert problem.code is NachaProblem.INVALID_FIELD
    assert problem.field == "effective_entry_date"
    assert problem.value == "260231"


def test_iat_batch_rejected() -> None:
    lines = _two_drafts()
    lines[BATCH_HEADER] = _replace(lines[BATCH_HEADER], 51, 53, "IAT")

    (problem,) = _problems(lines)

    assert problem.code is NachaProblem.UNSUPPORTED_SEC_CODE


def test_non_numeric_amount() -> None:
    lines = _two_drafts()
    lines[SECOND_ENTRY] = _replace(lines[SECOND_ENTRY], 30, 39, "00001274.0")

    problems = _problems(lines)

    assert problems[0].field == "amount"
    assert problems[0].record == "record 4 (entry detail, trace 121042880000002)"


def test_non_ascii_character() -> None:
    lines = _two_drafts()
    lines[FIRST_ENTRY] = _replace(lines[FIRST_ENTRY], 55, 55, "É")

    (problem,) = _problems(lines)

    assert problem.code is NachaProblem.INVALID_CHARACTER
    assert "position 55" in problem.message


def test_crlf_line_endings() -> None:
    nacha_file = read_nacha("\r\n".join(_two_drafts()) + "\r\n")

    assert len(nacha_file.entries) == 2
    assert nacha_file.warnings == ()


def test_file_without_line_breaks() -> None:
    nacha_file = read_nacha("".join(_two_drafts()))

    assert len(nacha_file.entries) == 2
    assert [warning.code for warning in nacha_file.warnings] == [NachaProblem.NO_LINE_BREAKS]


def test_byte_order_mark_ignored() -> None:
    nacha_file = read_nacha(b"\xef\xbb\xbf" + "\n".join(_two_drafts()).encode("ascii") + b"\n")

    assert len(nacha_file.entries) == 2
    assert [warning.code for warning in nacha_file.warnings] == [NachaProblem.BYTE_ORDER_MARK]


def test_byte_order_mark_in_text_ignored() -> None:
    nacha_file = read_nacha("\ufeff" + "\n".join(_two_drafts()) + "\n")

    assert len(nacha_file.entries) == 2
    assert [warning.code for warning in nacha_file.warnings] == [NachaProblem.BYTE_ORDER_MARK]


def test_unblocked_file_warns() -> None:
    lines = _two_drafts()[:6]

    nacha_file = _read(lines)

    assert [warning.code for warning in nacha_file.warnings] == [NachaProblem.NOT_BLOCKED]


def test_record_after_file_control() -> None:
    lines = _two_drafts()
    lines[-1] = lines[FIRST_ENTRY]

    (problem,) = _problems(lines)

    assert problem.code is NachaProblem.RECORD_OUT_OF_ORDER
    assert problem.record == "record 10"


def test_empty_file() -> None:
    with pytest.raises(NachaFileRejected) as caught:
        read_nacha(b"")

    assert caught.value.problems[0].code is NachaProblem.EMPTY_FILE


def test_extract_with_originated_entry() -> None:
    lines = _two_drafts()[BATCH_HEADER : SECOND_ENTRY + 1]

    problems = _problems(lines)

    assert [problem.code for problem in problems] == [NachaProblem.FILE_HEADER_MISSING] * 2
    assert "neither a return nor a notification of change" in problems[0].message


def test_account_number_masked() -> None:
    lines = _two_drafts()
    lines[FIRST_ENTRY] = _replace(lines[FIRST_ENTRY], 12, 12, "5")

    problems = _problems(lines)
    entry = _read(_two_drafts()).entries[0]

    assert all("4400123456789" not in problem.message for problem in problems)
    assert "4400123456789" not in repr(entry)
    assert "4400123456789" not in str(entry)
    assert entry.masked_account_number == "****6789"
    assert entry.account_number == "4400123456789"


@pytest.mark.parametrize(
    ("code", "corrected_data", "routing", "account", "transaction_code"),
    [
        ("C02", "091400606", "091400606", None, None),
        ("C03", "091400606   7700123", "091400606", "7700123", None),
        ("C05", "32", None, None, "32"),
        ("C06", "7700123".ljust(17) + "   37", None, "7700123", "37"),
        ("C07", "091400606" + "7700123".ljust(17) + "37", "091400606", "7700123", "37"),
    ],
)
def test_noc_corrections(
    code: str, corrected_data: str, routing: str | None, account: str | None, transaction_code: str | None
) -> None:
    lines = _two_drafts()[:4]
    lines[BATCH_HEADER] = _replace(_replace(lines[BATCH_HEADER], 51, 53, "COR"), 2, 4, "220")
    lines[FIRST_ENTRY] = _replace(_replace(lines[FIRST_ENTRY], 2, 3, "21"), 79, 79, "1")
    lines[FIRST_ENTRY] = _replace(lines[FIRST_ENTRY], 30, 39, "0000000000")
    noc = (
        "798"
        + code
        + "121042880000001"
        + " " * 6
        + "23138010"
        + corrected_data.ljust(29)
        + " " * 15
        + "091400600000001"
    )
    lines = [lines[BATCH_HEADER], lines[FIRST_ENTRY], noc]

    nacha_file = _read(lines)

    change = nacha_file.entries[0].change
    assert change is not None
    assert change.change_code is ChangeCode(code)
    assert change.corrected_routing_number == routing
    assert change.corrected_account_number == account
    assert change.corrected_transaction_code == transaction_code
    assert "7700123" not in repr(change)
