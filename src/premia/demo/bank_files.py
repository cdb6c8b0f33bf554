"""The files banks, employers and the Exchange send back to the carrier in the demo (pure).

- a NACHA return file from the payers' banks (the RDFIs) for drafts they refuse;
- a lockbox batch (CSV) of the checks the bank's lockbox received on one day;
- an employer's 820 list-bill remittance (005010X218), one RMR line per employee's policy;
- the Exchange's monthly 820 (005010X306), one ENT loop per policy with its APTC line.

The NACHA layout follows the Operating Rules' record formats. Records are 94 characters:
a file header (1), one batch (5, 8) per return holding the return entry (6) and its return
addenda (7, type 99), the file control (9), and padding to a multiple of ten records.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from premia.formats.nacha.controls import HASH_MODULUS, block_count
from premia.formats.nacha.layout import BLOCKING_FACTOR, PADDING_RECORD, RECORD_LENGTH
from premia.formats.x12 import (
    CreditDebit,
    EntityName,
    ExchangePaymentType,
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
    Trace,
    UsageIndicator,
    write_820,
)
from premia.kernel.dates import Month

CARRIER_ID = "DEMOHEALTH"
CARRIER_NAME = "DEMO HEALTH PLAN OF VIRGINIA"
CARRIER_TAX_ID = "987654321"
EXCHANGE_SENDER = "VAEXCHANGE"
GROUP_GUIDE = "005010X218"
EXCHANGE_GUIDE = "005010X306"
SENT_AT = time(6, 0)
# Transaction code 26: the automated return of a debit to a checking account (code 27).
RETURNED_CHECKING_DEBIT = "26"
DEBITS_ONLY = "225"


@dataclass(frozen=True)
class ReturnedDraft:
    """A draft the payer's bank refuses: the trace number Premia sent and the return reason code."""

    original_trace: str
    routing_number: str
    account_number: str
    amount_cents: int
    individual_id: str
    name: str
    code: str


def nacha_returns(returns: Sequence[ReturnedDraft], *, created: date, origin_routing: str, modifier: str = "A") -> str:
    """Write a blocked NACHA file of returns, as the ACH operator forwards them to the carrier's bank."""
    if not returns:
        raise ValueError("a return file needs at least one returned entry")
    destination = f" {origin_routing}"
    records = [
        "1"
        + "01"
        + destination.rjust(10)
        + destination.rjust(10)
        + created.strftime("%y%m%d")
        + "0700"
        + modifier
        + "094"
        + f"{BLOCKING_FACTOR:02d}"
        + "1"
        + _text("DEMO ODFI", 23)
        + _text("ACH RETURNS", 23)
        + _text("", 8)
    ]
    entry_hash = debit_total = 0
    for number, returned in enumerate(returns, start=1):
        rdfi = returned.routing_number[:8]
        trace = f"{rdfi}{number:07d}"
        records.append(
            "5"
            + DEBITS_ONLY
            + _text(CARRIER_NAME, 16)
            + _text("", 20)
            + _text("1987654321", 10)
            + "PPD"
            + _text("PREMIUM", 10)
            + _text("", 6)
            + created.strftime("%y%m%d")
            + "   "
            + "1"
            + rdfi
            + f"{number:07d}"
        )
        records.append(
            "6"
            + RETURNED_CHECKING_DEBIT
            + returned.routing_number
            + _text(returned.account_number, 17)
            + f"{returned.amount_cents:010d}"
            + _text(returned.individual_id, 15)
            + _text(returned.name, 22)
            + "  "
            + "1"
            + trace
        )
        records.append(
            "7"
            + "99"
            + returned.code
            + returned.original_trace
            + _text("", 6)
            + origin_routing[:8]
            + _text("", 44)
            + trace
        )
        records.append(
            "8"
            + DEBITS_ONLY
            + f"{2:06d}"
            + f"{int(rdfi) % HASH_MODULUS:010d}"
            + f"{returned.amount_cents:012d}"
            + f"{0:012d}"
            + _text("1987654321", 10)
            + _text("", 19)
            + _text("", 6)
            + rdfi
            + f"{number:07d}"
        )
        entry_hash += int(rdfi)
        debit_total += returned.amount_cents
    count = len(records) + 1
    records.append(
        "9"
        + f"{len(returns):06d}"
        + f"{block_count(count):06d}"
        + f"{2 * len(returns):08d}"
        + f"{entry_hash % HASH_MODULUS:010d}"
        + f"{debit_total:012d}"
        + f"{0:012d}"
        + _text("", 39)
    )
    records.extend([PADDING_RECORD] * (-len(records) % BLOCKING_FACTOR))
    for record in records:
        if len(record) != RECORD_LENGTH:
            raise AssertionError(f"NACHA record of {len(record)} characters: {record!r}")
    return "\n".join(records) + "\n"


@dataclass(frozen=True)
class LockboxCheck:
    """One check from the lockbox, with the coupon's invoice number when the payer sent it."""

    invoice_number: str | None
    account_number: str | None
    amount_cents: int
    received_on: date
    check_number: str
    payer_name: str


def lockbox_csv(checks: Sequence[LockboxCheck]) -> str:
    """Write the bank's lockbox batch for one day in the CSV layout Premia imports."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(["invoice_number", "amount", "received_on", "account_number", "check_number", "payer_name"])
    for check in checks:
        writer.writerow(
            [
                check.invoice_number or "",
                f"{check.amount_cents // 100}.{check.amount_cents % 100:02d}",
                check.received_on.isoformat(),
                check.account_number or "",
                check.check_number,
                check.payer_name,
            ]
        )
    return output.getvalue()


@dataclass(frozen=True)
class EmployeeRemittance:
    """An employer's remittance for one employee's policy for one coverage month."""

    employee_id: str
    name: str
    policy_number: str
    cents: int


def employer_820(
    *,
    employer_name: str,
    employer_tax_id: str,
    group_number: str,
    month: Month,
    lines: Sequence[EmployeeRemittance],
    paid_on: date,
    control_number: int,
) -> str:
    """Write an employer's list-bill remittance: one member loop and RMR*AZ line per employee's policy."""
    coverage = QualifiedDate("582", month.first_day, month.last_day)
    entities = tuple(
        RemittanceEntity(
            str(number),
            "2J",
            "EI",
            line.employee_id,
            individual=EntityName("QE", "1", line.name),
            lines=(RemittanceLine("AZ", line.policy_number, line.cents, dates=(coverage,)),),
        )
        for number, line in enumerate(lines, start=1)
    )
    remittance = Remittance820(
        SetHeader("820", "0001", GROUP_GUIDE),
        _payment(sum(line.cents for line in lines), paid_on),
        Trace("1", f"{group_number}-{month}", f"1{employer_tax_id}"),
        references=(Reference("38", group_number),),
        payee=Party(PartyRole.PAYEE, CARRIER_NAME, "FI", CARRIER_TAX_ID),
        payer=Party(PartyRole.PAYER, employer_name.upper(), "FI", employer_tax_id),
        entities=entities,
    )
    return _interchange(remittance, sender=employer_tax_id, paid_on=paid_on, guide=GROUP_GUIDE, control_number=control_number)


@dataclass(frozen=True)
class PolicyAptc:
    """The APTC the Exchange pays for one policy: cents per coverage month, oldest first."""

    exchange_policy_id: str
    subscriber_name: str
    months: tuple[tuple[Month, int], ...]


def exchange_820(*, month: Month, policies: Sequence[PolicyAptc], paid_on: date, control_number: int) -> str:
    """Write the Exchange's payment for ``month``: one ENT loop per policy, one APTC line per coverage month paid."""
    entities = tuple(
        RemittanceEntity(
            str(number),
            "2J",
            "C1",
            policy.exchange_policy_id,
            individual=EntityName("IL", "1", policy.subscriber_name),
            references=(Reference("POL", policy.exchange_policy_id),),
            lines=tuple(
                RemittanceLine(
                    "IK",
                    ExchangePaymentType.APTC.value,
                    cents,
                    dates=(QualifiedDate("582", covered.first_day, covered.last_day),),
                )
                for covered, cents in policy.months
            ),
        )
        for number, policy in enumerate(policies, start=1)
    )
    total = sum(cents for policy in policies for _, cents in policy.months)
    remittance = Remittance820(
        SetHeader("820", "0001", EXCHANGE_GUIDE),
        _payment(total, paid_on),
        Trace("1", f"APTC-{month}", "1541234567"),
        payee=Party(PartyRole.PAYEE, CARRIER_NAME, "FI", CARRIER_TAX_ID),
        payer=Party(PartyRole.REMITTER, "VIRGINIA EXCHANGE", "FI", "541234567"),
        entities=entities,
    )
    return _interchange(remittance, sender=EXCHANGE_SENDER, paid_on=paid_on, guide=EXCHANGE_GUIDE, control_number=control_number)


def _payment(cents: int, paid_on: date) -> PaymentOrder:
    return PaymentOrder(PaymentHandling.PAYMENT_WITH_REMITTANCE, cents, CreditDebit.CREDIT, PaymentMethod.ACH, "CCP", payment_date=paid_on)


def _interchange(remittance: Remittance820, *, sender: str, paid_on: date, guide: str, control_number: int) -> str:
    group = FunctionalGroup("RA", sender, CARRIER_ID, paid_on, SENT_AT, str(control_number), guide, (remittance,))
    interchange = Interchange(
        "ZZ", sender, "ZZ", CARRIER_ID, paid_on, SENT_AT, f"{control_number:09d}", "00501", UsageIndicator.TEST, False,
        (group,),
    )  # fmt: skip
    return write_820(interchange)


def _text(value: str, width: int) -> str:
    return value.upper()[:width].ljust(width)
