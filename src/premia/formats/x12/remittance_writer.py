"""Write 820 payment files from ``Remittance820`` records (005010X218 or 005010X306).

Used by tests and demonstrations to build group premium and Exchange payment files, such
as an Exchange 820 with tens of thousands of policy loops. What the reader keeps is
written, so a file written here and read back gives equal records (apart from positions).
"""

from __future__ import annotations

from premia.formats.x12.elements import format_amount, format_d8, format_rd8
from premia.formats.x12.envelope_writer import SegmentWriter, write_interchange
from premia.formats.x12.interchange import Interchange, SetHeader
from premia.formats.x12.remittance_records import Adjustment, Remittance820, RemittanceEntity
from premia.formats.x12.segments import QualifiedDate, Reference
from premia.formats.x12.tokenizer import Delimiters


def write_820(
    interchange: Interchange[Remittance820], *, delimiters: Delimiters | None = None, line_break: bool = True
) -> str:
    """Return the text of an 820 interchange with correct ISA padding, control numbers and counts.

    The caller makes BPR02 agree with the remittance amounts; the writer does not change
    amounts, so an unbalanced record gives a file that ``parse_820`` rejects.
    """
    return write_interchange(interchange, write_remittance_set, delimiters=delimiters, line_break=line_break)


def write_remittance_set(writer: SegmentWriter, remittance: Remittance820) -> SetHeader:
    """Write the segments of one 820 transaction set between ST and SE."""
    payment = remittance.payment
    if payment is not None:
        writer.segment(
            "BPR",
            payment.handling.value,
            format_amount(payment.amount_cents),
            payment.credit_debit.value,
            payment.method.value,
            payment.payment_format,
            payment.sender_bank_qualifier,
            payment.sender_bank_id,
            payment.sender_account_qualifier,
            payment.sender_account,
            payment.originator_id,
            payment.originator_supplemental_code,
            payment.receiver_bank_qualifier,
            payment.receiver_bank_id,
            payment.receiver_account_qualifier,
            payment.receiver_account,
            format_d8(payment.payment_date) if payment.payment_date else "",
        )
    trace = remittance.trace
    if trace is not None:
        writer.segment("TRN", trace.trace_type, trace.reference, trace.originator_id, trace.supplemental_id)
    _write_references(writer, remittance.references)
    _write_dates(writer, remittance.dates)
    for party in (remittance.payee, remittance.payer):
        if party is not None:
            writer.segment("N1", party.role.value, party.name, party.id_qualifier, party.id)
    for entity in remittance.entities:
        _write_entity(writer, entity)
    return remittance.header


def _write_entity(writer: SegmentWriter, entity: RemittanceEntity) -> None:
    writer.segment("ENT", entity.number, entity.entity_code, entity.id_qualifier, entity.id)
    name = entity.individual
    if name is not None:
        writer.segment(
            "NM1",
            name.entity_code,
            name.entity_type,
            name.last_name,
            name.first_name,
            name.middle_name,
            name.prefix,
            name.suffix,
            name.id_qualifier,
            name.id,
        )
    _write_references(writer, entity.references)
    _write_adjustments(writer, entity.adjustments)
    for line in entity.lines:
        billed = format_amount(line.billed_cents) if line.billed_cents is not None else ""
        writer.segment("RMR", line.qualifier, line.reference, "", format_amount(line.cents), billed)
        _write_references(writer, line.references)
        _write_dates(writer, line.dates)
        _write_adjustments(writer, line.adjustments)


def _write_references(writer: SegmentWriter, references: tuple[Reference, ...]) -> None:
    for reference in references:
        writer.segment("REF", reference.qualifier, reference.value)


def _write_dates(writer: SegmentWriter, dates: tuple[QualifiedDate, ...]) -> None:
    for entry in dates:
        if entry.end is None:
            writer.segment("DTM", entry.qualifier, format_d8(entry.start))
        else:
            writer.segment("DTM", entry.qualifier, "", "", "", "RD8", format_rd8(entry.start, entry.end))


def _write_adjustments(writer: SegmentWriter, adjustments: tuple[Adjustment, ...]) -> None:
    for adjustment in adjustments:
        writer.segment(
            "ADX",
            format_amount(adjustment.cents),
            adjustment.reason,
            adjustment.reference_qualifier,
            adjustment.reference,
        )
