"""The NACHA reader on the public samples: valid and edge files read, malformed files rejected."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from premia.formats.nacha import (
    ChangeCode,
    FileShape,
    NachaFile,
    NachaFileRejected,
    NachaProblem,
    ReturnKind,
    ReturnReasonCode,
    ServiceClass,
    StandardEntryClass,
    TransactionCode,
    read_nacha,
)

pytestmark = pytest.mark.samples


def _read(samples_dir: Path, name: str) -> NachaFile:
    return read_nacha((samples_dir / "nacha" / name).read_bytes())


def _rejection(samples_dir: Path, name: str) -> NachaFileRejected:
    with pytest.raises(NachaFileRejected) as caught:
        _read(samples_dir, name)
    return caught.value


def test_ppd_debit(samples_dir: Path) -> None:
    nacha_file = _read(samples_dir, "moov-ppd-debit.ach")

    (entry,) = nacha_file.entries
    assert nacha_file.shape is FileShape.COMPLETE
    assert nacha_file.warnings == ()
    assert nacha_file.batches[0].header.service_class is ServiceClass.DEBITS_ONLY
    assert entry.transaction_code is TransactionCode.CHECKING_DEBIT
    assert entry.amount_cents == 200000000  # 0200000000 in positions 30-39: $2,000,000.00
    assert entry.rdfi_routing_number == "231380104"
    assert entry.account_last4 == "6789"
    assert entry.trace_number == "121042880000001"
    assert entry.sec_code is StandardEntryClass.PPD
    assert entry.effective_entry_date == date(2019, 8, 16)
    assert entry.company_name == "Name on Account"
    assert entry.company_id == "231380104"
    assert entry.individual_name == "Debit Account"
    assert nacha_file.control is not None
    assert nacha_file.control.block_count == 1


def test_ppd_mixed_debit_credit(samples_dir: Path) -> None:
    nacha_file = _read(samples_dir, "moov-ppd-mixed-debit-credit.ach")

    debits = [entry for entry in nacha_file.entries if entry.is_debit]
    credits = [entry for entry in nacha_file.entries if entry.is_credit]
    assert len(debits) == 1
    assert len(credits) == 2
    assert nacha_file.total_debit_cents == 200000000  # one $2,000,000.00 debit
    assert nacha_file.total_credit_cents == 200000000  # two $1,000,000.00 credits
    assert nacha_file.control is not None
    assert nacha_file.control.entry_hash == 69414030  # 3 x 23138010


def test_web_returns_r01_r03(samples_dir: Path) -> None:
    nacha_file = _read(samples_dir, "moov-return-WEB-R01-R03.ach")

    first, second = nacha_file.returned_entries
    assert len(nacha_file.batches) == 2
    assert first.transaction_code is TransactionCode.CHECKING_DEBIT_RETURN
    assert first.amount_cents == 12354
    assert first.sec_code is StandardEntryClass.WEB
    assert first.return_addenda is not None
    assert first.return_addenda.reason_code is ReturnReasonCode.R01
    assert first.return_addenda.original_trace_number == "091400600000001"
    assert second.transaction_code is TransactionCode.CHECKING_CREDIT_RETURN
    assert second.amount_cents == 4565
    assert second.return_addenda is not None
    assert second.return_addenda.reason_code is ReturnReasonCode.R03
    assert second.return_addenda.original_trace_number == "091400600000003"


def test_web_return_r10(samples_dir: Path) -> None:
    nacha_file = _read(samples_dir, "derived-moov-return-WEB-R10-R03.ach")

    codes = [entry.returns[0].reason_code for entry in nacha_file.entries]
    assert codes == [ReturnReasonCode.R10, ReturnReasonCode.R03]
    assert nacha_file.total_debit_cents == 12354


def test_ccd_prenote_return(samples_dir: Path) -> None:
    nacha_file = _read(samples_dir, "moov-return-CCD-prenote-R03.ach")

    (entry,) = nacha_file.entries
    assert entry.sec_code is StandardEntryClass.CCD
    assert entry.amount_cents == 1
    assert entry.company_entry_description == "Prenote"
    assert entry.effective_entry_date is None  # the batch header carries 000000
    assert entry.return_addenda is not None
    assert entry.return_addenda.reason_code is ReturnReasonCode.R03


def test_noc_c01(samples_dir: Path) -> None:
    nacha_file = _read(samples_dir, "moov-noc-COR-C01.ach")

    (entry,) = nacha_file.changed_entries
    assert entry.sec_code is StandardEntryClass.COR
    assert entry.amount_cents == 0
    assert entry.change is not None
    assert entry.change.change_code is ChangeCode.C01
    assert entry.change.original_trace_number == "121042880000001"
    assert entry.change.corrected_account_number == "1918171614"
    assert entry.change.corrected_routing_number is None


def test_partial_return_extract(samples_dir: Path) -> None:
    nacha_file = _read(samples_dir, "edge-achgateway-partial-return-PPD-R02-R03.ach")

    assert nacha_file.shape is FileShape.RETURN_EXTRACT
    assert nacha_file.header is None
    assert nacha_file.control is None
    assert [batch.control for batch in nacha_file.batches] == [None, None]
    assert [entry.returns[0].reason_code for entry in nacha_file.entries] == [
        ReturnReasonCode.R02,
        ReturnReasonCode.R03,
        ReturnReasonCode.R03,
    ]
    assert [entry.amount_cents for entry in nacha_file.entries] == [146, 8, 19]
    assert [warning.code for warning in nacha_file.warnings] == [NachaProblem.RETURN_EXTRACT]


def test_contested_dishonored_return(samples_dir: Path) -> None:
    nacha_file = _read(samples_dir, "edge-moov-contested-dishonored-return-R07-R68-R71.ach")

    (entry,) = nacha_file.entries
    original, dishonored, contested = entry.returns
    assert [warning.code for warning in nacha_file.warnings] == [NachaProblem.MULTIPLE_RETURN_ADDENDA]
    assert original.kind is ReturnKind.RETURN
    assert original.reason_code is ReturnReasonCode.R07
    assert original.addenda_information == "Authorization Revoked"
    assert dishonored.kind is ReturnKind.DISHONORED
    assert dishonored.reason_code is ReturnReasonCode.R68
    assert dishonored.return_trace_number == "123918710000001"
    assert dishonored.original_return_reason == "R01"
    assert contested.kind is ReturnKind.CONTESTED_DISHONORED
    assert contested.reason_code is ReturnReasonCode.R71
    assert contested.dishonored_return_trace_number == "889999990000301"
    assert contested.dishonored_return_reason == "R67"


def test_unpadded_lines(samples_dir: Path) -> None:
    nacha_file = _read(samples_dir, "edge-moov-ppd-debit-unpadded-lines.ach")

    (warning,) = nacha_file.warnings
    assert warning.code is NachaProblem.RECORD_PADDED
    assert "Records 1, 5" in warning.message
    assert nacha_file.header is not None
    assert nacha_file.header.immediate_origin_name == "My Bank Name"
    assert nacha_file.entries[0].amount_cents == 100000000


def test_long_lines_rejected(samples_dir: Path) -> None:
    rejection = _rejection(samples_dir, "malformed-moov-long-line.ach")

    assert [problem.code for problem in rejection.problems] == [NachaProblem.RECORD_LENGTH] * 3
    assert [(problem.record, problem.value) for problem in rejection.problems] == [
        ("record 3", 98),
        ("record 5", 101),
        ("record 6", 98),
    ]
    assert "Record 3: the record is 98 characters long" in rejection.message


def test_short_line_rejected(samples_dir: Path) -> None:
    rejection = _rejection(samples_dir, "malformed-moov-short-line.ach")

    (problem,) = rejection.problems
    assert problem.code is NachaProblem.RECORD_LENGTH
    assert problem.record == "record 5"
    assert "74 characters" in problem.message


def test_bad_check_digit_rejected(samples_dir: Path) -> None:
    rejection = _rejection(samples_dir, "malformed-moov-ppd-bad-check-digit.ach")

    (problem,) = rejection.problems
    assert problem.code is NachaProblem.ROUTING_CHECK_DIGIT
    assert problem.value == "231380105"
    assert "trace 121042880000001" in problem.message
    assert "231380105" in problem.message
    assert "need check digit 4" in problem.message


def test_batch_without_file_envelope_rejected(samples_dir: Path) -> None:
    rejection = _rejection(samples_dir, "malformed-moov-return-no-file-header-control.ach")

    codes = [problem.code for problem in rejection.problems]
    assert codes == [NachaProblem.FILE_HEADER_MISSING, NachaProblem.FILE_CONTROL_MISSING]
    assert "control records" in (rejection.problems[0].hint or "")
