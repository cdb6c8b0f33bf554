"""Read 820 payment files (005010X218 group premiums, 005010X306 Exchange payments).

Besides the envelope checks, each transaction set must balance: BPR02, the payment total,
must equal the sum of the RMR04 remittance amounts plus the ADX01 adjustments. A set that
does not balance rejects the whole file before anything is posted, naming both totals.
The 004010 predecessor (004010X061A1) and non-HIPAA 820s are read as far as their segments
match, with a warning about the version.
"""

from __future__ import annotations

from typing import NamedTuple

from premia.formats.x12.codes import (
    CreditDebit,
    ExchangePaymentType,
    Implementation,
    PartyRole,
    PaymentHandling,
    PaymentMethod,
)
from premia.formats.x12.elements import (
    ElementError,
    format_amount,
    parse_cents,
    parse_code,
    parse_d8,
    parse_dated_value,
    require,
)
from premia.formats.x12.findings import Finding, FindingCode, FindingScope
from premia.formats.x12.interchange import EnvelopeRules, Interchange, SetContext, SetHeader, iter_sets
from premia.formats.x12.interchange_reader import read_envelope
from premia.formats.x12.remittance_records import (
    Adjustment,
    PaymentOrder,
    Remittance820,
    RemittanceEntity,
    RemittanceLine,
    Trace,
)
from premia.formats.x12.segments import EntityName, Party, QualifiedDate, Reference
from premia.formats.x12.tokenizer import Source
from premia.kernel.money import format_cents

PADDING = [""] * 20
REMITTANCE_RULES = EnvelopeRules(
    "820",
    frozenset({Implementation.GROUP_PREMIUM_820.value, Implementation.EXCHANGE_PAYMENT_820.value}),
    "RA",
)
# Segments the 820 guides allow that Premia does not keep: currency, party address and
# contact lines, remittance delivery method, notes, invoice lines, tax payments.
SKIPPED_SEGMENTS = frozenset(
    {"CUR", "N2", "N3", "N4", "PER", "RDM", "NTE", "IT1", "TXP", "DED", "LS", "LE", "SLN"}
)
REQUIRED_HEADER_SEGMENTS = frozenset({"BPR", "TRN"})
PARTY_ROLES = {"PE": PartyRole.PAYEE, "PR": PartyRole.PAYER, "RM": PartyRole.REMITTER}


class _EntityDraft:
    __slots__ = ("adjustments", "individual", "lines", "position", "references", "values")

    def __init__(self, values: list[str], position: int) -> None:
        self.values = values
        self.position = position
        self.individual: EntityName | None = None
        self.references: list[Reference] = []
        self.lines: list[_LineDraft] = []
        self.adjustments: list[Adjustment] = []

    def build(self) -> RemittanceEntity:
        values = self.values
        return RemittanceEntity(
            values[1],
            values[2],
            values[3],
            values[4],
            self.individual,
            tuple(self.references),
            tuple([line.build() for line in self.lines]),
            tuple(self.adjustments),
            self.position,
        )


class _LineDraft:
    __slots__ = ("adjustments", "billed_cents", "cents", "dates", "position", "references", "values")

    def __init__(self, values: list[str], cents: int, billed_cents: int | None, position: int) -> None:
        self.values = values
        self.cents = cents
        self.billed_cents = billed_cents
        self.position = position
        self.references: list[Reference] = []
        self.dates: list[QualifiedDate] = []
        self.adjustments: list[Adjustment] = []

    def build(self) -> RemittanceLine:
        return RemittanceLine(
            self.values[1],
            self.values[2],
            self.cents,
            self.billed_cents,
            tuple(self.references),
            tuple(self.dates),
            tuple(self.adjustments),
            self.position,
        )


class RemittanceSetReader:
    """Reads one 820 transaction set and checks that it balances."""

    def __init__(self, header: SetHeader, context: SetContext) -> None:
        self.header = header
        self.context = context
        self.payment: PaymentOrder | None = None
        self.trace: Trace | None = None
        self.references: list[Reference] = []
        self.dates: list[QualifiedDate] = []
        self.parties: list[Party] = []
        self.entities: list[_EntityDraft] = []
        self.failed = False
        self.seen: set[str] = set()
        self.is_exchange = header.implementation == Implementation.EXCHANGE_PAYMENT_820
        self.handlers = {
            "BPR": self._payment,
            "TRN": self._trace,
            "REF": self._reference,
            "DTM": self._date,
            "N1": self._party,
            "ENT": self._entity,
            "NM1": self._individual,
            "RMR": self._line,
            "ADX": self._adjustment,
        }

    def feed(self, first_position: int, segments: list[list[str]]) -> None:
        handlers = self.handlers
        for offset, elements in enumerate(segments):
            position = first_position + offset
            tag = elements[0]
            handler = handlers.get(tag)
            if tag in REQUIRED_HEADER_SEGMENTS:
                self.seen.add(tag)
            try:
                if handler is not None:
                    handler(position, elements if len(elements) > 16 else elements + PADDING)
                elif tag not in SKIPPED_SEGMENTS:
                    self._error(
                        FindingCode.UNKNOWN_SEGMENT,
                        tag,
                        position,
                        None,
                        f"Segment {tag} is not part of an 820 transaction set.",
                        "Remove the segment or correct its id.",
                    )
            except ElementError as error:
                self.context.add_element_error(error, FindingScope.TRANSACTION, tag, position)
                self.failed = True

    def finish(self, end_position: int) -> Remittance820:
        remittance = Remittance820(
            header=self.header,
            payment=self.payment,
            trace=self.trace,
            references=tuple(self.references),
            dates=tuple(self.dates),
            payee=next((party for party in self.parties if party.role is PartyRole.PAYEE), None),
            payer=next((party for party in self.parties if party.role is not PartyRole.PAYEE), None),
            entities=tuple([entity.build() for entity in self.entities]),
        )
        self._check_required()
        if self.payment is not None and not self.failed:
            self._check_balance(remittance, self.payment)
        return remittance

    # Header ---------------------------------------------------------------------------

    def _payment(self, position: int, values: list[str]) -> None:
        self.payment = PaymentOrder(
            handling=parse_code(PaymentHandling, values[1], "BPR01"),
            amount_cents=parse_cents(require(values[2], "BPR02", "payment amount"), "BPR02"),
            credit_debit=parse_code(CreditDebit, values[3], "BPR03"),
            method=parse_code(PaymentMethod, values[4], "BPR04"),
            payment_format=values[5],
            sender_bank_qualifier=values[6],
            sender_bank_id=values[7],
            sender_account_qualifier=values[8],
            sender_account=values[9],
            originator_id=values[10],
            originator_supplemental_code=values[11],
            receiver_bank_qualifier=values[12],
            receiver_bank_id=values[13],
            receiver_account_qualifier=values[14],
            receiver_account=values[15],
            payment_date=parse_d8(values[16], "BPR16") if values[16] else None,
            position=position,
        )

    def _trace(self, position: int, values: list[str]) -> None:
        self.trace = Trace(
            require(values[1], "TRN01", "trace type"),
            require(values[2], "TRN02", "trace number"),
            values[3],
            values[4],
            position,
        )

    def _reference(self, position: int, values: list[str]) -> None:
        reference = Reference(
            require(values[1], "REF01", "reference qualifier"),
            require(values[2], "REF02", "reference value"),
            position,
        )
        if not self.entities:
            self.references.append(reference)
        elif self.entities[-1].lines:
            self.entities[-1].lines[-1].references.append(reference)
        else:
            self.entities[-1].references.append(reference)

    def _date(self, position: int, values: list[str]) -> None:
        qualifier = require(values[1], "DTM01", "date qualifier")
        if values[2]:
            start, end = parse_d8(values[2], "DTM02"), None
        else:
            start, end = parse_dated_value(values[5], values[6], "DTM06")
        entry = QualifiedDate(qualifier, start, end, position)
        if self.entities and self.entities[-1].lines:
            self.entities[-1].lines[-1].dates.append(entry)
        elif not self.entities:
            self.dates.append(entry)

    def _party(self, position: int, values: list[str]) -> None:
        role = PARTY_ROLES.get(values[1])
        if role is not None and not self.entities:
            self.parties.append(Party(role, values[2], values[3], values[4], position))

    # Detail ---------------------------------------------------------------------------

    def _entity(self, position: int, values: list[str]) -> None:
        self.entities.append(_EntityDraft(values, position))

    def _individual(self, position: int, values: list[str]) -> None:
        if not self.entities:
            self._out_of_place(position, "NM1", "NM1 must follow ENT")
            return
        self.entities[-1].individual = EntityName(
            require(values[1], "NM101", "entity identifier code"),
            values[2],
            values[3],
            values[4],
            values[5],
            values[6],
            values[7],
            values[8],
            values[9],
            position,
        )

    def _line(self, position: int, values: list[str]) -> None:
        if not self.entities:
            self._out_of_place(position, "RMR", "RMR must follow ENT")
            return
        cents = parse_cents(require(values[4], "RMR04", "remittance amount"), "RMR04")
        billed = parse_cents(values[5], "RMR05") if values[5] else None
        if self.is_exchange and values[2] not in EXCHANGE_PAYMENT_TYPES:
            allowed = ", ".join(sorted(EXCHANGE_PAYMENT_TYPES))
            raise ElementError(
                FindingCode.INVALID_CODE,
                "RMR02",
                f"RMR02 payment type {values[2]!r} is not an Exchange payment type.",
                f"Use one of: {allowed}.",
                values[2],
            )
        self.entities[-1].lines.append(_LineDraft(values, cents, billed, position))

    def _adjustment(self, position: int, values: list[str]) -> None:
        if not self.entities:
            self._out_of_place(position, "ADX", "ADX must follow ENT or RMR")
            return
        adjustment = Adjustment(
            parse_cents(require(values[1], "ADX01", "adjustment amount"), "ADX01"),
            require(values[2], "ADX02", "adjustment reason"),
            values[3],
            values[4],
            position,
        )
        entity = self.entities[-1]
        if entity.lines:
            entity.lines[-1].adjustments.append(adjustment)
        else:
            entity.adjustments.append(adjustment)

    # Checks ---------------------------------------------------------------------------

    def _check_required(self) -> None:
        first = self.header.position + 1
        for segment_id, description in (
            ("BPR", "BPR financial information"),
            ("TRN", "TRN reassociation trace"),
        ):
            if segment_id not in self.seen:
                self._error(
                    FindingCode.REQUIRED_SEGMENT_MISSING,
                    segment_id,
                    first,
                    None,
                    f"Transaction set {self.header.control_number} has no {description} segment.",
                    f"Send {segment_id} after ST.",
                )

    def _check_balance(self, remittance: Remittance820, payment: PaymentOrder) -> None:
        remitted = remittance.remitted_cents
        if remitted == payment.amount_cents:
            return
        line_count = len(remittance.lines)
        self.context.add(
            FindingCode.PAYMENT_TOTAL_MISMATCH,
            FindingScope.INTERCHANGE,
            "BPR",
            payment.position,
            "BPR02",
            f"BPR02 payment total {format_cents(payment.amount_cents)} does not equal the sum of the "
            f"remittance amounts {format_cents(remitted)} (RMR04 and ADX01 of {line_count} lines) in "
            f"transaction set {self.header.control_number}; the file is rejected.",
            "Correct BPR02 or the remittance amounts so that they agree, then send the file again.",
            value=format_amount(payment.amount_cents),
        )

    def _out_of_place(self, position: int, tag: str, reason: str) -> None:
        self._error(
            FindingCode.SEGMENT_OUT_OF_PLACE,
            tag,
            position,
            None,
            f"Segment {tag} is out of place: {reason}.",
            "Send the segments in the order of the 820 implementation guide.",
        )

    def _error(
        self, code: FindingCode, segment_id: str, position: int, element: str | None, message: str, hint: str
    ) -> None:
        self.context.add(code, FindingScope.TRANSACTION, segment_id, position, element, message, hint)
        self.failed = True


EXCHANGE_PAYMENT_TYPES = frozenset(member.value for member in ExchangePaymentType)


class Parsed820(NamedTuple):
    """Everything read from one 820 file: the interchanges and every finding about them."""

    interchanges: tuple[Interchange[Remittance820], ...]
    findings: tuple[Finding, ...]

    @property
    def payments(self) -> tuple[Remittance820, ...]:
        return tuple(iter_sets(self.interchanges))

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.is_error)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if not finding.is_error)

    @property
    def is_rejected(self) -> bool:
        """Whether the file must not be posted: any error rejects a whole 820 file."""
        return any(finding.is_error for finding in self.findings)


def parse_820(source: Source, *, lenient_isa: bool = False) -> Parsed820:
    """Read an 820 file into interchanges of ``Remittance820`` sets and a list of findings.

    ``source`` is the file's text, its bytes, or a ``Path`` read in chunks. With
    ``lenient_isa`` an ISA segment that is not padded to 106 characters is a warning, which
    lets a non-HIPAA retail 820 be read for inspection.
    """
    reading = read_envelope(source, REMITTANCE_RULES, RemittanceSetReader, lenient_isa=lenient_isa)
    return Parsed820(reading.interchanges, reading.findings)
