"""Typed records of an 820 Payment Order/Remittance Advice transaction set.

Two implementation guides share these records: 005010X218 (employer and group premium
payments) and 005010X306 (the Exchange's APTC, CSR and user fee payments, one ENT loop per
policy with RMR02 payment types). Amounts are integer cents. An empty string means the
element was not sent; ``position`` is the 1-based segment number in the file.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from premia.formats.x12.codes import (
    CreditDebit,
    DateQualifier,
    ExchangePaymentType,
    PaymentHandling,
    PaymentMethod,
)
from premia.formats.x12.interchange import SetHeader
from premia.formats.x12.segments import EntityName, Party, QualifiedDate, Reference, first_reference
from premia.kernel.dates import DateSpan

# REF01 qualifier of the Exchange-assigned policy id in the 005010X306 individual loop.
EXCHANGE_POLICY_QUALIFIER = "POL"


class PaymentOrder(NamedTuple):
    """The BPR segment: the money that moves and the bank accounts on each side.

    ``amount_cents`` is BPR02, the payment total that the remittance lines must add up to.
    The sender's bank is BPR06 to BPR09, the receiver's BPR12 to BPR15.
    """

    handling: PaymentHandling
    amount_cents: int
    credit_debit: CreditDebit
    method: PaymentMethod
    payment_format: str = ""
    sender_bank_qualifier: str = ""
    sender_bank_id: str = ""
    sender_account_qualifier: str = ""
    sender_account: str = ""
    originator_id: str = ""
    originator_supplemental_code: str = ""
    receiver_bank_qualifier: str = ""
    receiver_bank_id: str = ""
    receiver_account_qualifier: str = ""
    receiver_account: str = ""
    payment_date: date | None = None
    position: int = 0


class Trace(NamedTuple):
    """The TRN segment that ties the remittance to the money: type, reference, originator."""

    trace_type: str
    reference: str
    originator_id: str = ""
    supplemental_id: str = ""
    position: int = 0


class Adjustment(NamedTuple):
    """An ADX segment: a signed amount (ADX01) and its reason code (ADX02)."""

    cents: int
    reason: str
    reference_qualifier: str = ""
    reference: str = ""
    position: int = 0


class RemittanceLine(NamedTuple):
    """An RMR loop: what a payment amount is for, with its references, dates and adjustments.

    ``qualifier`` is RMR01 (``AZ`` policy number, ``IK`` unit, ``IV`` invoice) and
    ``reference`` RMR02 (a policy id, an invoice number, or an Exchange payment type such as
    ``APTC``). ``cents`` is RMR04, the amount paid; ``billed_cents`` is RMR05 when sent.
    """

    qualifier: str
    reference: str
    cents: int
    billed_cents: int | None = None
    references: tuple[Reference, ...] = ()
    dates: tuple[QualifiedDate, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    position: int = 0

    @property
    def payment_type(self) -> ExchangePaymentType | None:
        """RMR02 as an Exchange payment type, or None when it is not one."""
        try:
            return ExchangePaymentType(self.reference)
        except ValueError:
            return None

    @property
    def coverage_period(self) -> DateSpan | None:
        """DTM*582: the coverage period the amount pays for."""
        for entry in self.dates:
            if entry.qualifier == DateQualifier.COVERAGE_PERIOD:
                return DateSpan(entry.start, entry.end or entry.start)
        return None


class RemittanceEntity(NamedTuple):
    """An ENT loop: one organization or individual (one policy in an Exchange 820).

    ``number`` is ENT01, ``entity_code`` ENT02 (``2J`` individual, ``2L`` organization),
    ``id_qualifier`` and ``id`` are ENT03 and ENT04. ``individual`` is the NM1 of the loop.
    """

    number: str
    entity_code: str = ""
    id_qualifier: str = ""
    id: str = ""
    individual: EntityName | None = None
    references: tuple[Reference, ...] = ()
    lines: tuple[RemittanceLine, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    position: int = 0

    @property
    def exchange_policy_id(self) -> str:
        """REF*POL: the Exchange-assigned policy id of an Exchange 820 policy loop."""
        # NOTE: the REF01 qualifier POL is unconfirmed because no 005010X306 file was at hand.
        # Check it against the first partner test file.
        return first_reference(self.references, EXCHANGE_POLICY_QUALIFIER)

    @property
    def remitted_cents(self) -> int:
        """Sum of the loop's RMR04 amounts and ADX01 adjustments."""
        return sum(
            line.cents + sum(adjustment.cents for adjustment in line.adjustments) for line in self.lines
        ) + sum(adjustment.cents for adjustment in self.adjustments)


class Remittance820(NamedTuple):
    """One 820 transaction set (ST to SE).

    ``payment`` is None only when the set has no valid BPR, which rejects the set.
    ``payer`` is the N1*PR premium payer, or N1*RM, the remitter of an Exchange 820.
    """

    header: SetHeader
    payment: PaymentOrder | None
    trace: Trace | None = None
    references: tuple[Reference, ...] = ()
    dates: tuple[QualifiedDate, ...] = ()
    payee: Party | None = None
    payer: Party | None = None
    entities: tuple[RemittanceEntity, ...] = ()

    @property
    def remitted_cents(self) -> int:
        """Sum of every RMR04 amount and ADX01 adjustment, which must equal BPR02."""
        return sum(entity.remitted_cents for entity in self.entities)

    @property
    def lines(self) -> tuple[RemittanceLine, ...]:
        return tuple(line for entity in self.entities for line in entity.lines)
