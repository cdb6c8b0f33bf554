"""820 payments: samples, the Exchange shape (005010X306), balancing, writer and a 50,000-loop file."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from premia.formats.x12 import (
    CreditDebit,
    EntityName,
    ExchangePaymentType,
    FindingCode,
    FindingScope,
    FunctionalGroup,
    Interchange,
    Party,
    PartyRole,
    PaymentHandling,
    PaymentMethod,
    PaymentOrder,
    QualifiedDate,
    Reference,
    Remittance820,
    RemittanceEntity,
    RemittanceLine,
    SetHeader,
    Severity,
    Trace,
    UsageIndicator,
    parse_820,
    without_positions,
    write_820,
)
from premia.kernel.dates import DateSpan
from tests.formats.x12.conftest import payment_820, sample_path

JUNE = DateSpan(date(2026, 6, 1), date(2026, 6, 30))

EXCHANGE_EXAMPLE = """
BPR*I*910*C*NON************20260605~
TRN*3*EXCHANGE-0605*1234567890~
N1*PE*PREMIA HEALTH*FI*123456789~
N1*RM*CENTERS FOR MEDICARE AND MEDICAID SERVICES*58*CMS~
ENT*1~
NM1*IL*1*DOE*JANE~
REF*POL*POLICY-JANE~
RMR*IK*APTC**500~
DTM*582****RD8*20260601-20260630~
RMR*IK*CSR**100~
DTM*582****RD8*20260601-20260630~
RMR*IK*UF**-25~
DTM*582****RD8*20260601-20260630~
RMR*IK*APTCADJ**-600~
DTM*582****RD8*20260501-20260531~
RMR*IK*APTCADJ**500~
DTM*582****RD8*20260501-20260531~
ENT*2~
NM1*IL*1*DOE*JOHN~
REF*POL*POLICY-JOHN~
RMR*IK*APTC**400~
DTM*582****RD8*20260601-20260630~
RMR*IK*CSR**50~
DTM*582****RD8*20260601-20260630~
RMR*IK*UF**-15~
DTM*582****RD8*20260601-20260630~
"""


def test_exchange_example_balances() -> None:
    # R7.11 example: Jane 500 + 100 - 25 - 600 + 500 = 475; John 400 + 50 - 15 = 435; 475 + 435 = 910.
    parsed = parse_820(payment_820(EXCHANGE_EXAMPLE))
    (payment,) = parsed.payments
    jane, john = payment.entities

    assert parsed.findings == ()
    assert payment.payment is not None and payment.payment.amount_cents == 91000
    assert payment.remitted_cents == 91000
    assert jane.remitted_cents == 47500
    assert john.remitted_cents == 43500
    assert jane.exchange_policy_id == "POLICY-JANE"
    assert [line.payment_type for line in jane.lines] == [
        ExchangePaymentType.APTC,
        ExchangePaymentType.CSR,
        ExchangePaymentType.USER_FEE,
        ExchangePaymentType.APTC_ADJUSTMENT,
        ExchangePaymentType.APTC_ADJUSTMENT,
    ]
    assert jane.lines[0].coverage_period == JUNE
    assert jane.lines[3].coverage_period == DateSpan(date(2026, 5, 1), date(2026, 5, 31))
    assert payment.payer is not None and payment.payer.role is PartyRole.REMITTER
    assert payment.payee is not None and payment.payee.id == "123456789"


def test_exchange_unbalanced_rejected() -> None:
    parsed = parse_820(payment_820(EXCHANGE_EXAMPLE.replace("BPR*I*910*", "BPR*I*920*")))
    (finding,) = parsed.findings

    assert parsed.is_rejected is True
    assert finding.code is FindingCode.PAYMENT_TOTAL_MISMATCH
    assert finding.scope is FindingScope.INTERCHANGE
    assert finding.element == "BPR02"
    assert "920.00" in finding.message
    assert "910.00" in finding.message


def test_exchange_unknown_payment_type() -> None:
    parsed = parse_820(payment_820(EXCHANGE_EXAMPLE.replace("RMR*IK*CSR**50~", "RMR*IK*BONUS**50~")))
    (finding,) = parsed.findings

    assert parsed.is_rejected is True
    assert (finding.code, finding.element, finding.value) == (FindingCode.INVALID_CODE, "RMR02", "BONUS")


def test_adjustments_count_toward_total() -> None:
    body = """
BPR*C*95*C*ACH*CCP************20260605~
TRN*1*TRACE-1*1234567890~
ENT*1*2L*EI*123456789~
RMR*AZ*GROUP-7**100~
ADX*-5*52~
"""
    parsed = parse_820(payment_820(body, implementation="005010X218"))
    (line,) = parsed.payments[0].lines

    # 100.00 remitted - 5.00 adjustment = 95.00 paid.
    assert parsed.findings == ()
    assert line.adjustments[0].cents == -500
    assert line.adjustments[0].reason == "52"


def test_missing_bpr_rejected() -> None:
    parsed = parse_820(payment_820("TRN*1*TRACE-1*1234567890~\nENT*1~\nRMR*AZ*P1**10~\n", "005010X218"))
    (finding,) = parsed.findings

    assert (finding.code, finding.segment_id) == (FindingCode.REQUIRED_SEGMENT_MISSING, "BPR")


def test_bad_amount_rejected() -> None:
    parsed = parse_820(payment_820("BPR*I*10*C*NON~\nTRN*1*T*1~\nENT*1~\nRMR*IK*APTC**1O~\n"))

    assert [finding.code for finding in parsed.findings] == [FindingCode.INVALID_AMOUNT]
    assert parsed.is_rejected is True


@pytest.mark.samples
def test_group_premium_sample(samples_dir: Path) -> None:
    parsed = parse_820(sample_path(samples_dir, "x12-820", "derived-pyx12-820-5010X218-individual-remit.txt"))
    (payment,) = parsed.payments

    assert parsed.findings == ()
    assert payment.payment is not None
    assert payment.payment.handling is PaymentHandling.REMITTANCE_ONLY
    assert payment.payment.amount_cents == 300000
    assert payment.payment.credit_debit is CreditDebit.CREDIT
    assert payment.payment.method is PaymentMethod.ACH
    assert payment.payment.payment_date == date(2005, 2, 17)
    assert payment.trace is not None and payment.trace.reference == "999999999"
    assert [(line.qualifier, line.reference, line.cents) for line in payment.lines] == [
        ("AZ", "5038561705", 100000),
        ("AZ", "5038561800", 200000),
    ]
    assert payment.lines[0].coverage_period == DateSpan(date(2004, 9, 1), date(2004, 9, 30))
    assert [entity.individual.entity_code if entity.individual else None for entity in payment.entities] == [
        "QE",
        "QE",
    ]


@pytest.mark.samples
def test_4010_sample_read_with_warning(samples_dir: Path) -> None:
    parsed = parse_820(sample_path(samples_dir, "x12-820", "pyx12-820-4010X061A1-individual-remit.txt"))
    (warning,) = parsed.findings

    assert parsed.is_rejected is False
    assert warning.severity is Severity.WARNING
    assert warning.code is FindingCode.UNSUPPORTED_VERSION
    assert "004010X061A1" in warning.message
    assert parsed.payments[0].remitted_cents == 300000


@pytest.mark.samples
def test_retail_edge_rejected_by_default(samples_dir: Path) -> None:
    parsed = parse_820(
        sample_path(samples_dir, "x12-820", "edge-moov-stp820-4010-short-isa-backslash-terminator.txt")
    )

    assert parsed.is_rejected is True
    assert parsed.errors[0].code is FindingCode.ISA_NOT_FIXED_WIDTH
    assert "78 characters long" in parsed.errors[0].message


@pytest.mark.samples
def test_retail_edge_read_leniently(samples_dir: Path) -> None:
    parsed = parse_820(
        sample_path(samples_dir, "x12-820", "edge-moov-stp820-4010-short-isa-backslash-terminator.txt"),
        lenient_isa=True,
    )
    (payment,) = parsed.payments

    assert parsed.errors == ()
    assert [finding.code for finding in parsed.warnings] == [
        FindingCode.ISA_NOT_FIXED_WIDTH,
        FindingCode.UNSUPPORTED_VERSION,
    ]
    assert parsed.interchanges[0].delimiters.segment == "\\"
    assert parsed.interchanges[0].delimiters.component == "~"
    assert [(line.qualifier, line.reference, line.cents) for line in payment.lines] == [
        ("IV", "7321239", 95319),
        ("IV", "7321511", 703654),
    ]
    # 953.19 + 7,036.54 = 7,989.73, the BPR02 total.
    assert payment.payment is not None and payment.payment.amount_cents == 798973
    assert [line.references[0].value for line in payment.lines] == ["24305", "24333"]


@pytest.mark.samples
@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        (
            "malformed-820-bpr-total-not-equal-rmr-sum.txt",
            FindingCode.PAYMENT_TOTAL_MISMATCH,
            ["3,100.00", "3,000.00"],
        ),
        (
            "malformed-820-missing-se.txt",
            FindingCode.SET_TRAILER_MISSING,
            ["no SE trailer", "GE at segment 17"],
        ),
        ("malformed-820-wrong-ge-count.txt", FindingCode.SET_COUNT_MISMATCH, ["GE01", "'2'"]),
    ],
)
def test_malformed_rejected(samples_dir: Path, name: str, code: FindingCode, words: list[str]) -> None:
    parsed = parse_820(sample_path(samples_dir, "x12-820", name))
    (error,) = parsed.errors

    assert parsed.is_rejected is True
    assert error.code is code
    for word in words:
        assert word in error.message


@pytest.mark.samples
def test_sample_round_trip(samples_dir: Path) -> None:
    original = parse_820(
        sample_path(samples_dir, "x12-820", "derived-pyx12-820-5010X218-individual-remit.txt")
    )
    written = parse_820(write_820(original.interchanges[0]))

    assert written.findings == ()
    assert without_positions(written.interchanges) == without_positions(original.interchanges)


def exchange_interchange(loop_count: int) -> tuple[Interchange, int]:
    """Build the BC-35 Exchange 820: loop i pays 20,000 + (i x 7,919 mod 39,989) cents of APTC."""
    entities = []
    total = 0
    for number in range(1, loop_count + 1):
        cents = 20_000 + (number * 7_919) % 39_989
        total += cents
        line = RemittanceLine("IK", "APTC", cents, dates=(QualifiedDate("582", JUNE.start, JUNE.end),))
        entities.append(
            RemittanceEntity(
                str(number),
                individual=EntityName("IL", "1", "MEMBER", str(number)),
                references=(Reference("POL", f"EXP{number:08d}"),),
                lines=(line,),
            )
        )
    payment = PaymentOrder(
        PaymentHandling.PAYMENT_WITH_REMITTANCE,
        total,
        CreditDebit.CREDIT,
        PaymentMethod.ACH,
        "CCP",
        payment_date=date(2026, 6, 5),
    )
    remittance = Remittance820(
        SetHeader("820", "0001", "005010X306"),
        payment,
        Trace("1", "EXCHANGE-2026-06", "1234567890"),
        payee=Party(PartyRole.PAYEE, "PREMIA HEALTH", "FI", "123456789"),
        payer=Party(PartyRole.REMITTER, "CMS", "58", "CMS"),
        entities=tuple(entities),
    )
    group = FunctionalGroup(
        "RA", "CMS", "PREMIA", date(2026, 6, 5), time(9, 0), "605", "005010X306", (remittance,)
    )
    interchange = Interchange(
        "ZZ",
        "CMS",
        "ZZ",
        "PREMIA",
        date(2026, 6, 5),
        time(9, 0),
        "000000605",
        "00501",
        UsageIndicator.TEST,
        False,
        (group,),
    )
    return interchange, total


def test_bc35_loop_amounts() -> None:
    interchange, total = exchange_interchange(3)
    cents = [entity.lines[0].cents for entity in interchange.groups[0].sets[0].entities]

    # 20,000 + 7,919 = 27,919; 20,000 + 15,838 = 35,838; 20,000 + 23,757 = 43,757.
    assert cents == [27_919, 35_838, 43_757]
    assert total == 107_514


def test_bc35_fifty_thousand_loops() -> None:
    interchange, total = exchange_interchange(50_000)
    parsed = parse_820(write_820(interchange))
    (payment,) = parsed.payments
    keys = {
        (parsed.interchanges[0].control_number, "605", "0001", entity.position) for entity in payment.entities
    }

    assert parsed.findings == ()
    # BC-35: the payment total is $19,997,395.03.
    assert total == 1_999_739_503
    assert payment.remitted_cents == 1_999_739_503
    assert len(payment.entities) == 50_000
    assert len(keys) == 50_000
    assert payment.entities[4_999].exchange_policy_id == "EXP00005000"
