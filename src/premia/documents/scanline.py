"""The scan line printed on remittance coupons, read by the lockbox's OCR (pure).

Layout, all digits, in three groups separated by single spaces:

- the account number's digits, zero-padded to 10;
- the invoice number's digits, zero-padded to 12 (``PRM-2026-000114`` -> ``002026000114``);
- the amount due in cents, zero-padded to 10 (a credit prints as zero), followed by one
  Luhn (mod 10) check digit computed over every digit before it.

The check digit lets the lockbox reject a misread line instead of posting to the wrong invoice.
"""

from __future__ import annotations

ACCOUNT_WIDTH = 10
INVOICE_WIDTH = 12
AMOUNT_WIDTH = 10


def scan_line(account_number: str, invoice_number: str, amount_due_cents: int) -> str:
    """Build the scan line for one coupon."""
    account = _digits(account_number, ACCOUNT_WIDTH, field="account_number")
    invoice = _digits(invoice_number, INVOICE_WIDTH, field="invoice_number")
    amount = str(max(amount_due_cents, 0)).rjust(AMOUNT_WIDTH, "0")
    if len(amount) > AMOUNT_WIDTH:
        raise ValueError(f"amount_due_cents {amount_due_cents} does not fit in {AMOUNT_WIDTH} digits")
    body = account + invoice + amount
    return f"{account} {invoice} {amount}{luhn_check_digit(body)}"


def luhn_check_digit(digits: str) -> str:
    """Return the digit that makes ``digits`` followed by it pass the Luhn check."""
    if not digits.isdigit():
        raise ValueError(f"Luhn check digits must be 0-9, got {digits!r}")
    total = 0
    # Walking from the right, every second digit starting with the last one is doubled,
    # because the check digit will be appended after it.
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def is_valid_scan_line(line: str) -> bool:
    """True when the line has the three groups and its check digit matches."""
    groups = line.split(" ")
    if [len(group) for group in groups] != [ACCOUNT_WIDTH, INVOICE_WIDTH, AMOUNT_WIDTH + 1]:
        return False
    digits = "".join(groups)
    if not digits.isdigit():
        return False
    return luhn_check_digit(digits[:-1]) == digits[-1]


def _digits(text: str, width: int, *, field: str) -> str:
    digits = "".join(char for char in text if char.isdigit())
    if not digits or len(digits) > width:
        raise ValueError(f"{field} {text!r} must carry 1 to {width} digits for the scan line")
    return digits.rjust(width, "0")
