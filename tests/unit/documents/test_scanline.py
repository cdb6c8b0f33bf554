"""The remittance coupon's scan line: layout and Luhn check digit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from premia.documents.scanline import is_valid_scan_line, luhn_check_digit, scan_line


def test_luhn_textbook_number():
    # 7992739871 is the usual worked example; its check digit is 3.
    assert luhn_check_digit("7992739871") == "3"


def test_luhn_all_zeros():
    assert luhn_check_digit("0000") == "0"


def test_scan_line_groups():
    line = scan_line("BA-000001", "PRM-2025-000001", 97_440)
    account, invoice, amount = line.split()
    assert account == "0000000001"
    assert invoice == "002025000001"
    # 974.40 as 10 digits, then the check digit
    assert amount[:10] == "0000097440"
    assert len(amount) == 11


def test_scan_line_check_digit_value():
    # Luhn from the right over 0000000001 002025000001 0000097440, doubling every other digit
    # starting with the last: 4->8, 9->18->9, 5->10->1, both 1s->2; kept: 4, 7, 2, 2.
    # 8 + 9 + 1 + 2 + 2 + 4 + 7 + 2 + 2 = 37, so the check digit is 3.
    assert scan_line("BA-000001", "PRM-2025-000001", 97_440) == "0000000001 002025000001 00000974403"


def test_scan_line_is_valid():
    assert is_valid_scan_line(scan_line("BA-000012", "PRM-2026-000114", 63_339))


def test_credit_prints_zero_amount():
    assert scan_line("BA-000012", "PRM-2026-000114", -4_000).split()[2][:10] == "0000000000"


def test_account_too_long_rejected():
    with pytest.raises(ValueError, match="account_number"):
        scan_line("BA-12345678901", "PRM-2026-000114", 100)


def test_wrong_group_count_invalid():
    assert not is_valid_scan_line("0000000001 0020250000010000097440 3")


@settings(max_examples=200)
@given(
    account=st.integers(min_value=1, max_value=999_999),
    invoice=st.integers(min_value=1, max_value=999_999),
    amount=st.integers(min_value=0, max_value=9_999_999_999),
    position=st.integers(min_value=0, max_value=32),
    shift=st.integers(min_value=1, max_value=9),
)
def test_single_misread_digit_detected(account, invoice, amount, position, shift):
    line = scan_line(f"BA-{account:06d}", f"PRM-2026-{invoice:06d}", amount)
    chars = list(line)
    digit_positions = [index for index, char in enumerate(chars) if char != " "]
    target = digit_positions[position]
    chars[target] = str((int(chars[target]) + shift) % 10)
    misread = "".join(chars)
    assert is_valid_scan_line(line)
    assert not is_valid_scan_line(misread)
