"""The NACHA writer: PPD drafts and refunds, controls, blocking, request checks and a 100,000-entry file."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from premia.formats.nacha import (
    FileShape,
    NachaFileRejected,
    NachaProblem,
    ServiceClass,
    StandardEntryClass,
    TransactionCode,
    read_nacha,
)
from premia.formats.nacha.writer import (
    EntryDescription,
    Originator,
    OutgoingBatch,
    OutgoingEntry,
    write_nacha,
)

ORIGINATOR = Originator(
    immediate_destination="231380104",
    immediate_destination_name="FEDERAL RESERVE BANK",
    immediate_origin="1234567890",
    immediate_origin_name="PREMIA HEALTH PLAN",
    company_name="PREMIA HEALTH",
    company_id="1234567890",
    odfi_routing_number="121042882",
)
CREATED_AT = datetime(2026, 6, 30, 16, 45)
DRAFT_DAY = date(2026, 7, 1)


def _entry(
    code: TransactionCode,
    amount_cents: int,
    invoice: str,
    name: str = "SUBSCRIBER A",
    routing: str = "231380104",
) -> OutgoingEntry:
    return OutgoingEntry(code, routing, "4400123456789", amount_cents, invoice, name)


def _write(*batches: OutgoingBatch, **options: object) -> str:
    return write_nacha(originator=ORIGINATOR, batches=list(batches), created_at=CREATED_AT, **options)  # type: ignore[arg-type]


def _build_problems(*batches: OutgoingBatch) -> list:
    with pytest.raises(NachaFileRejected) as caught:
        _write(*batches)
    return list(caught.value.problems)


def test_writer_drafts_and_refunds_round_trip() -> None:
    drafts = OutgoingBatch(
        EntryDescription.PREMIUM,
        DRAFT_DAY,
        [
            _entry(TransactionCode.CHECKING_DEBIT, 96800, "PRM-2026-000114"),
            _entry(TransactionCode.SAVINGS_DEBIT, 127400, "PRM-2026-000115", routing="091400606"),
        ],
    )
    refunds = OutgoingBatch(
        EntryDescription.REFUND, DRAFT_DAY, [_entry(TransactionCode.CHECKING_CREDIT, 4521, "RFD-2026-000007")]
    )

    nacha_file = read_nacha(_write(drafts, refunds))

    assert nacha_file.shape is FileShape.COMPLETE
    assert nacha_file.warnings == ()
    assert [batch.header.service_class for batch in nacha_file.batches] == [
        ServiceClass.DEBITS_ONLY,
        ServiceClass.CREDITS_ONLY,
    ]
    assert [batch.header.entry_description for batch in nacha_file.batches] == ["PREMIUM", "REFUND"]
    assert [entry.trace_number for entry in nacha_file.entries] == [
        "121042880000001",
        "121042880000002",
        "121042880000003",
    ]
    assert [entry.individual_id for entry in nacha_file.entries] == [
        "PRM-2026-000114",
        "PRM-2026-000115",
        "RFD-2026-000007",
    ]
    assert nacha_file.entries[1].rdfi_routing_number == "091400606"
    assert nacha_file.entries[1].transaction_code is TransactionCode.SAVINGS_DEBIT
    assert nacha_file.entries[0].effective_entry_date == DRAFT_DAY
    assert nacha_file.total_debit_cents == 224200  # 968.00 + 1,274.00
    assert nacha_file.total_credit_cents == 4521  # one 45.21 refund
    assert nacha_file.control is not None
    assert nacha_file.control.entry_hash == 55416080  # 23138010 + 09140060 + 23138010
    assert nacha_file.header is not None
    assert nacha_file.header.created_on == date(2026, 6, 30)


def test_writer_blocks_with_nines() -> None:
    text = _write(
        OutgoingBatch(
            "PREMIUM", DRAFT_DAY, [_entry(TransactionCode.CHECKING_DEBIT, 96800, "PRM-2026-000114")]
        )
    )

    lines = text.splitlines()
    assert text.endswith("\n")
    assert {len(line) for line in lines} == {94}
    assert (
        len(lines) == 10
    )  # 5 records (header, batch header, entry, batch control, file control) + 5 padding
    assert lines[5:] == ["9" * 94] * 5
    assert lines[4][7:13] == "000001"  # block count


def test_writer_retry_and_return_fee_descriptions() -> None:
    retry = OutgoingBatch(
        EntryDescription.RETRY_PAYMENT,
        DRAFT_DAY,
        [_entry(TransactionCode.CHECKING_DEBIT, 96800, "PRM-2026-000114")],
    )
    fee = OutgoingBatch(
        EntryDescription.RETURN_FEE,
        DRAFT_DAY,
        [_entry(TransactionCode.CHECKING_DEBIT, 2500, "FEE-2026-000001")],
    )

    nacha_file = read_nacha(_write(retry, fee))

    assert [entry.company_entry_description for entry in nacha_file.entries] == ["RETRY PYMT", "RETURN FEE"]


def test_writer_bc21_zero_invoice_left_out() -> None:
    # The July 2026 run drafts $968.00, $1,274.00 and a tiny $2.10; the $0.00 invoice gets no entry.
    batch = OutgoingBatch(
        "PREMIUM",
        DRAFT_DAY,
        [
            _entry(TransactionCode.CHECKING_DEBIT, 96800, "PRM-2026-000201"),
            _entry(TransactionCode.CHECKING_DEBIT, 127400, "PRM-2026-000202"),
            _entry(TransactionCode.CHECKING_DEBIT, 210, "PRM-2026-000203"),
        ],
    )

    nacha_file = read_nacha(_write(batch))

    assert nacha_file.control is not None
    assert nacha_file.control.entry_addenda_count == 3
    assert nacha_file.control.total_debit_cents == 224410  # 968.00 + 1,274.00 + 2.10 = 2,244.10


def test_writer_rejects_zero_draft() -> None:
    problems = _build_problems(
        OutgoingBatch("PREMIUM", DRAFT_DAY, [_entry(TransactionCode.CHECKING_DEBIT, 0, "PRM-2026-000200")])
    )

    (problem,) = problems
    assert problem.field == "amount_cents"
    assert problem.record == "batch 1 entry 1"
    assert "$0.00" in (problem.hint or "")


def test_writer_prenote_has_zero_amount() -> None:
    prenote = OutgoingBatch(
        "PREMIUM", DRAFT_DAY, [_entry(TransactionCode.CHECKING_DEBIT_PRENOTE, 0, "PRM-2026-000114")]
    )

    nacha_file = read_nacha(_write(prenote))

    assert nacha_file.entries[0].transaction_code is TransactionCode.CHECKING_DEBIT_PRENOTE
    assert nacha_file.entries[0].amount_cents == 0


def test_writer_rejects_prenote_amount() -> None:
    problems = _build_problems(
        OutgoingBatch("PREMIUM", DRAFT_DAY, [_entry(TransactionCode.SAVINGS_DEBIT_PRENOTE, 100, "PRM-1")])
    )

    assert [problem.code for problem in problems] == [NachaProblem.INVALID_FIELD]


def test_writer_rejects_bad_requests() -> None:
    batch = OutgoingBatch(
        "PREMIUM PAYMENT",  # 15 characters in a 10-character field
        date(2026, 9, 7),  # Labor Day
        [
            OutgoingEntry(
                TransactionCode.CHECKING_DEBIT_RETURN,
                "231380105",
                "4400 123456789",
                500,
                "PRM-2026-000114-EXTRA",
                "A",
            ),
        ],
    )

    problems = _build_problems(batch)

    fields = [problem.field for problem in problems]
    assert fields == [
        "entry_description",
        "effective_entry_date",
        "transaction_code",
        "routing_number",
        "account_number",
        "individual_id",
    ]
    assert all("123456789" not in problem.message for problem in problems)


def test_writer_rejects_past_effective_date() -> None:
    problems = _build_problems(
        OutgoingBatch("PREMIUM", date(2026, 6, 29), [_entry(TransactionCode.CHECKING_DEBIT, 100, "PRM-1")])
    )

    assert "before the file's creation date" in problems[0].message


def test_writer_rejects_empty_request() -> None:
    problems = _build_problems()

    assert problems[0].code is NachaProblem.BUILD_REJECTED


def test_writer_names_to_ascii() -> None:
    batch = OutgoingBatch(
        "PREMIUM",
        DRAFT_DAY,
        [_entry(TransactionCode.CHECKING_DEBIT, 100, "PRM-1", name="José Núñez-Castellanos Villanueva")],
    )

    nacha_file = read_nacha(_write(batch))

    assert nacha_file.entries[0].individual_name == "Jose Nunez-Castellanos"  # cut to the 22-character field


def test_writer_trace_sequence_continues() -> None:
    batch = OutgoingBatch("PREMIUM", DRAFT_DAY, [_entry(TransactionCode.CHECKING_DEBIT, 100, "PRM-1")])

    nacha_file = read_nacha(_write(batch, first_trace_sequence=4711))

    assert nacha_file.entries[0].trace_number == "121042880004711"


def test_writer_hundred_thousand_entries() -> None:
    entries = [
        OutgoingEntry(
            TransactionCode.CHECKING_DEBIT,
            "231380104",
            f"{number:09d}",
            100 + number % 1000,
            f"PRM-{number:07d}",
            "SUBSCRIBER",
        )
        for number in range(100_000)
    ]

    lines = _write(OutgoingBatch("PREMIUM", DRAFT_DAY, entries)).splitlines()

    file_control = lines[100_003]
    assert len(lines) == 100_010  # 100,004 records + 6 padding records to a multiple of 10
    assert file_control[13:21] == "00100000"  # entry and addenda count
    assert file_control[7:13] == "010001"  # 100,010 records in blocks of 10
    assert file_control[21:31] == "3801000000"  # 100,000 x 23138010 = 2,313,801,000,000, last ten digits
    # Amounts cycle 1.00..10.99 a hundred times: 100 x (1000 x 100 + 999 x 1000 / 2) = 59,950,000 cents.
    assert file_control[31:43] == "000059950000"



def test_web_debit_needs_payment_type() -> None:
    batch = OutgoingBatch(
        EntryDescription.PREMIUM,
        DRAFT_DAY,
        [_entry(TransactionCode.CHECKING_DEBIT, 96_800, "PRM-2026-000114")],
        standard_entry_class=StandardEntryClass.WEB,
    )
    problems = _build_problems(batch)
    assert [problem.field for problem in problems] == ["payment_type_code"]


def test_web_batch_written_with_payment_type() -> None:
    entry = OutgoingEntry(
        TransactionCode.CHECKING_DEBIT, "231380104", "4400123456789", 96_800, "PRM-2026-000114", "SUBSCRIBER A", "R"
    )
    text = _write(OutgoingBatch(EntryDescription.PREMIUM, DRAFT_DAY, [entry], standard_entry_class=StandardEntryClass.WEB))
    batch = read_nacha(text).batches[0]
    lines = text.splitlines()
    assert batch.header.sec_code == StandardEntryClass.WEB
    # Positions 77-78 of the entry detail record hold the payment type code.
    assert lines[2][76:78] == "R "
