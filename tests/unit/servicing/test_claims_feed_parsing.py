"""Parsing the claims status feed: columns, byte-order mark, row errors."""

from __future__ import annotations

from datetime import date

import pytest

from premia.kernel.errors import ValidationError
from premia.servicing.claims import explain_pend, parse_claims_csv
from premia.servicing.model import ClaimStatus

HEADER = "Claim ID,Member,Service From,Service To,Status,Billed Amount,Paid Amount,Pend Reason\n"


def test_good_row_parsed() -> None:
    rows, errors = parse_claims_csv(HEADER + "C-1,MBR-1,2026-02-03,2026-02-04,paid,1250.00,980.40,\n")

    assert errors == []
    (row,) = rows
    assert row.claim_id == "C-1"
    assert row.member_id == "MBR-1"
    assert row.service_from == date(2026, 2, 3)
    assert row.service_to == date(2026, 2, 4)
    assert row.status is ClaimStatus.PAID
    assert row.billed_cents == 125_000
    assert row.paid_cents == 98_040
    assert row.pend_reason is None


def test_byte_order_mark_ignored() -> None:
    rows, errors = parse_claims_csv("\ufeff" + HEADER + "C-1,MBR-1,2026-02-03,,received,100.00,0.00,\n")

    assert errors == []
    assert rows[0].claim_id == "C-1"
    assert rows[0].service_to == date(2026, 2, 3)


def test_missing_column_rejects_file() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_claims_csv(
            "claim_id,member_id,service_from,status,paid_amount\nC-1,MBR-1,2026-02-03,paid,1.00\n"
        )

    assert raised.value.code == "claims.column_missing"
    assert raised.value.field == "billed_amount"


def test_empty_file_rejected() -> None:
    with pytest.raises(ValidationError, match="empty"):
        parse_claims_csv("")


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (",MBR-1,2026-02-03,,paid,10.00,10.00,", "claim_id"),
        ("C-1,,2026-02-03,,paid,10.00,10.00,", "member_id"),
        ("C-1,MBR-1,02/03/2026,,paid,10.00,10.00,", "service_from"),
        ("C-1,MBR-1,2026-02-05,2026-02-03,paid,10.00,10.00,", "service_to"),
        ("C-1,MBR-1,2026-02-03,,approved,10.00,10.00,", "status"),
        ("C-1,MBR-1,2026-02-03,,paid,10.005,10.00,", "billed_amount"),
        ("C-1,MBR-1,2026-02-03,,paid,-10.00,0.00,", "billed_amount"),
        ("C-1,MBR-1,2026-02-03,,paid,10.00,12.00,", "paid_amount"),
        ("C-1,MBR-1,2026-02-03,,pended,10.00,0.00,", "pend_reason"),
    ],
)
def test_bad_row_rejected_alone(row: str, field: str) -> None:
    rows, errors = parse_claims_csv(HEADER + row + "\nC-2,MBR-1,2026-02-03,,paid,10.00,10.00,\n")

    assert [good.claim_id for good in rows] == ["C-2"]
    (error,) = errors
    assert error.line == 2
    assert error.field == field


def test_repeated_claim_keeps_first_row() -> None:
    rows, errors = parse_claims_csv(
        HEADER + "C-1,MBR-1,2026-02-03,,paid,10.00,10.00,\nC-1,MBR-1,2026-02-03,,denied,10.00,0.00,\n"
    )

    assert [row.status for row in rows] == [ClaimStatus.PAID]
    assert errors[0].line == 3


def test_amounts_with_dollar_sign_and_commas() -> None:
    rows, _ = parse_claims_csv(HEADER + 'C-1,MBR-1,2026-02-03,,paid,"$1,250.00",$980.40,\n')

    assert rows[0].billed_cents == 125_000


def test_grace_pend_explained() -> None:
    assert explain_pend("pended", "Grace Period") is not None
    assert "grace period" in (explain_pend("pended", "grace-period") or "")
    assert explain_pend("paid", "grace_period") is None
    assert explain_pend("pended", "medical review") is None
