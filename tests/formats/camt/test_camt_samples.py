"""The camt reader on the public sample files: statements and notifications read, damaged XML rejected."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from premia.formats.camt import (
    BalanceType,
    CamtDocument,
    CamtDocumentRejected,
    CamtMessageKind,
    CamtProblem,
    CreditDebit,
    EntryStatus,
    read_camt,
)

pytestmark = pytest.mark.samples


def _read(samples_dir: Path, name: str) -> CamtDocument:
    return read_camt((samples_dir / "camt" / name).read_bytes())


def _rejection(samples_dir: Path, name: str) -> CamtDocumentRejected:
    with pytest.raises(CamtDocumentRejected) as caught:
        _read(samples_dir, name)
    return caught.value


def test_postfinance_statement(samples_dir: Path) -> None:
    document = _read(samples_dir, "moov-postfinance-camt053-statement.xml")

    (report,) = document.reports
    assert document.kind is CamtMessageKind.STATEMENT
    assert document.message_definition == "camt.053.001.04"
    assert document.message_id == "20201124375204229003967"
    assert document.page_number == 1
    assert document.last_page is True
    assert report.report_id == "20201124375204229003973"
    assert report.account.iban == "CH2909000000250094239"
    assert [balance.balance_type for balance in report.balances] == [
        BalanceType.OPENING_BOOKED,
        BalanceType.CLOSING_BOOKED,
        BalanceType.CLOSING_AVAILABLE,
        BalanceType.FORWARD_AVAILABLE,
    ]
    assert report.balance(BalanceType.OPENING_BOOKED).amount_cents == 21199319  # type: ignore[union-attr]
    assert len(report.entries) == 5
    assert [entry.signed_amount_cents for entry in report.entries] == [450, -7770, 150000, 153700, 169222]
    assert report.entries[3].value_date == date(2020, 11, 25)
    assert str(report.entries[0].bank_transaction_code) == "PMNT/IDDT/PMDD"


def test_postfinance_statement_balance_warning(samples_dir: Path) -> None:
    # 211,993.19 + 4.50 - 77.70 + 1,500.00 + 1,537.00 + 1,692.22 = 216,649.21, not the stated 215,112.21.
    document = _read(samples_dir, "moov-postfinance-camt053-statement.xml")

    (warning,) = document.warnings
    assert warning.code is CamtProblem.BALANCE_MISMATCH
    assert "216,649.21" in warning.message
    assert "215,112.21" in warning.message


def test_postfinance_credit_notification(samples_dir: Path) -> None:
    document = _read(samples_dir, "moov-postfinance-camt054-credit.xml")

    (entry,) = document.entries
    assert document.kind is CamtMessageKind.DEBIT_CREDIT_NOTIFICATION
    assert entry.amount_cents == 150000
    assert entry.currency == "CHF"
    assert entry.credit_debit is CreditDebit.CREDIT
    assert entry.status is EntryStatus.BOOKED
    assert entry.booking_date == date(2019, 4, 24)
    assert entry.account_servicer_reference == "074820002ZZ9J42U"
    assert document.warnings == ()


def test_postfinance_debit_notification(samples_dir: Path) -> None:
    (entry,) = _read(samples_dir, "moov-postfinance-camt054-debit.xml").entries

    assert entry.credit_debit is CreditDebit.DEBIT
    assert entry.signed_amount_cents == -91300
    assert entry.transactions[0].end_to_end_id == "20190424001255000100006"


def test_postfinance_return_ac01(samples_dir: Path) -> None:
    (entry,) = _read(samples_dir, "moov-postfinance-camt054-return-AC01.xml").entries

    (details,) = entry.transactions
    assert entry.reversal is True
    assert entry.bank_transaction_code is not None
    assert entry.bank_transaction_code.subfamily == "RRTN"
    assert entry.number_of_transactions == 1
    assert entry.return_reason_codes == ("AC01",)
    assert details.end_to_end_id == "EndToEndId-001-03-04"
    assert details.remittance_unstructured == ("Kontouebertrag",)
    assert details.debtor_name == "Robert Schneider SA"
    assert details.return_information is not None
    assert details.return_information.additional_information == ("Kontonummer falsch",)


def test_finland_statement(samples_dir: Path) -> None:
    document = _read(samples_dir, "moov-fffs-finland-camt053-sample.xml")

    (report,) = document.reports
    credits = [entry for entry in report.entries if entry.is_credit]
    assert document.message_definition == "camt.053.001.02"
    assert document.warnings == ()  # 10,000.00 + 23,075.00 - 9,430.17 = 23,644.83, the closing balance
    assert len(report.entries) == 10
    assert (
        sum(entry.amount_cents for entry in credits) == 2307500
    )  # 2,000 + 500 + 3,000 + 2,120 + 5,455 + 10,000
    assert report.entries[0].number_of_transactions == 4  # the salary batch states NbOfTxs 4
    assert [details.amount_cents for details in report.entries[2].transactions] == [200002, 100001, 123002]
    assert report.entries[2].transactions[0].creditor_references == ("3900",)
    assert report.entries[2].transactions[2].referred_document_numbers == ("217827182718",)
    assert report.entries[7].transactions[0].creditor_references == ("RF98123456789012",)


def test_finland_notification(samples_dir: Path) -> None:
    document = _read(samples_dir, "moov-fffs-finland-camt054-sample.xml")

    entries = document.entries
    assert document.message_definition == "camt.054.001.02"
    assert len(entries) == 6
    assert entries[0].batches[0].number_of_transactions == 2
    assert entries[0].batches[0].total_amount_cents == 200000
    assert [details.amount_cents for details in entries[0].transactions] == [
        190000,
        10000,
    ]  # 1,900.00 + 100.00 = 2,000.00
    assert entries[2].transactions[0].creditor_references == ("RF7812345", "RF0812344")
    assert entries[2].transactions[0].end_to_end_id == "EndToEndIdAT-41-001"
    assert entries[5].status is EntryStatus.INFORMATION
    assert entries[5].return_reason_codes == ("AC01", "CUST")
    assert document.warnings == ()


def test_app_header_wrapper(samples_dir: Path) -> None:
    document = _read(samples_dir, "edge-prowide-camt053.001.07-in-apphdr-wrapper.xml")

    (report,) = document.reports
    assert document.message_definition == "camt.053.001.07"
    assert document.application_header is not None
    assert document.application_header.from_bic == "MLCOUS33XXX"
    assert document.application_header.business_message_id == "ASDFSDF"
    assert report.account.iban is None
    assert report.account.identifier == "2345234534"
    assert report.account.currency == "USD"
    assert [balance.amount_cents for balance in report.balances] == [
        23423400,
        23429900,
    ]  # 234234 and 234299 whole dollars
    assert report.entries == ()


def test_truncated_statement_rejected(samples_dir: Path) -> None:
    rejection = _rejection(samples_dir, "malformed-derived-camt053-truncated.xml")

    (problem,) = rejection.problems
    assert problem.code is CamtProblem.TRUNCATED
    assert "line 134" in problem.message
    assert "truncated" in problem.message


def test_unterminated_tags_rejected(samples_dir: Path) -> None:
    rejection = _rejection(samples_dir, "malformed-moov-unterminated-tags-pain002.xml")

    (problem,) = rejection.problems
    assert problem.code is CamtProblem.NOT_WELL_FORMED
    assert "line 2" in problem.message
