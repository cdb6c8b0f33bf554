"""Property: every PPD entry the writer accepts reads back unchanged, with controls that balance."""

from __future__ import annotations

import string
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from premia.formats.nacha import TransactionCode, read_nacha, routing_check_digit
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
LIVE_CODES = [
    TransactionCode.CHECKING_DEBIT,
    TransactionCode.SAVINGS_DEBIT,
    TransactionCode.CHECKING_CREDIT,
    TransactionCode.SAVINGS_CREDIT,
]
FIELD_CHARACTERS = string.ascii_uppercase + string.digits + " -.#&"


@st.composite
def routing_numbers(draw: st.DrawFn) -> str:
    prefix = draw(st.text(string.digits, min_size=8, max_size=8))
    return f"{prefix}{routing_check_digit(prefix)}"


def _trimmed(max_size: int, alphabet: str = FIELD_CHARACTERS) -> st.SearchStrategy[str]:
    # Fixed-width fields are blank-padded, so the reader returns values without surrounding blanks.
    return st.text(alphabet, min_size=1, max_size=max_size).map(str.strip).filter(bool)


entries = st.builds(
    OutgoingEntry,
    transaction_code=st.sampled_from(LIVE_CODES),
    routing_number=routing_numbers(),
    account_number=_trimmed(17, string.ascii_uppercase + string.digits + "-"),
    amount_cents=st.integers(min_value=1, max_value=9_999_999_999),
    individual_id=_trimmed(15),
    individual_name=_trimmed(22),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(entries, min_size=1, max_size=25))
def test_entries_round_trip(requested: list[OutgoingEntry]) -> None:
    text = write_nacha(
        originator=ORIGINATOR,
        batches=[OutgoingBatch("PREMIUM", date(2026, 7, 1), requested)],
        created_at=datetime(2026, 6, 30, 16, 45),
    )

    nacha_file = read_nacha(text)

    read_back = [
        OutgoingEntry(
            entry.transaction_code,
            entry.rdfi_routing_number,
            entry.account_number,
            entry.amount_cents,
            entry.individual_id,
            entry.individual_name,
        )
        for entry in nacha_file.entries
    ]
    assert read_back == requested
    assert nacha_file.warnings == ()
    assert nacha_file.total_debit_cents == sum(
        entry.amount_cents for entry in requested if entry.transaction_code.is_debit
    )
    assert nacha_file.total_credit_cents == sum(
        entry.amount_cents for entry in requested if entry.transaction_code.is_credit
    )
    assert len(text.splitlines()) % 10 == 0
