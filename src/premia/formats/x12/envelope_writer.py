"""Write X12 segments and the ISA/GS/ST envelope around them, with correct padding and counts.

``SegmentWriter`` joins elements with the delimiters, drops trailing empty elements and
refuses values that contain a delimiter, since such a value would silently change the
structure of the file. ``write_interchange`` pads the ISA fields to their fixed widths
and fills SE01, GE01 and IEA01 with the counts of what was written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any, TypeVar

from premia.formats.x12.elements import format_d8, format_x12_time
from premia.formats.x12.interchange import FunctionalGroup, Interchange, SetHeader
from premia.formats.x12.tokenizer import ISA_ELEMENT_WIDTHS, Delimiters
from premia.kernel.errors import ValidationError

SetT = TypeVar("SetT")


class SegmentWriter:
    """Collects segments as text; ``segments_since_mark`` counts them for SE01."""

    def __init__(self, delimiters: Delimiters, *, line_break: bool = True) -> None:
        self.delimiters = delimiters
        self.terminator = delimiters.segment + ("\n" if line_break else "")
        self.parts: list[str] = []
        self.mark = 0

    def segment(self, *elements: str, composite: bool = False) -> None:
        """Write one segment; ``composite`` allows the component separator inside values."""
        values = list(elements)
        while values and not values[-1]:
            values.pop()
        delimiters = self.delimiters
        text = delimiters.element.join(values)
        if (
            text.count(delimiters.element) != len(values) - 1
            or delimiters.segment in text
            or (not composite and delimiters.component in text)
            or (delimiters.repetition is not None and delimiters.repetition in text)
        ):
            self._reject_delimiter(values, composite)
        self.parts.append(text + self.terminator)

    def _reject_delimiter(self, values: list[str], composite: bool) -> None:
        delimiters = self.delimiters
        forbidden = [delimiters.element, delimiters.segment]
        if not composite:
            forbidden.append(delimiters.component)
        if delimiters.repetition is not None:
            forbidden.append(delimiters.repetition)
        for index, value in enumerate(values[1:], start=1):
            bad = [delimiter for delimiter in forbidden if delimiter in value]
            if bad:
                raise ValidationError(
                    code="x12.delimiter_in_value",
                    message=f"{values[0]}{index:02d} value {value!r} contains the delimiter {bad[0]!r}.",
                    field=f"{values[0]}{index:02d}",
                    value=value,
                    hint="Remove the character from the value or write the file with other delimiters.",
                )

    def start_count(self) -> None:
        self.mark = len(self.parts)

    @property
    def segments_since_mark(self) -> int:
        return len(self.parts) - self.mark

    def text(self) -> str:
        return "".join(self.parts)


def isa_segment(interchange: Interchange[Any], delimiters: Delimiters) -> str:
    """Return the ISA segment text, every element padded to its fixed width (106 characters)."""
    if interchange.date is None or interchange.time is None or interchange.usage is None:
        raise ValidationError(
            code="x12.incomplete_interchange",
            message=f"Interchange {interchange.control_number!r} needs a date, a time and a usage indicator.",
            record=f"interchange {interchange.control_number}",
            hint="Set date, time and usage before writing the interchange.",
        )
    control_number = interchange.control_number.zfill(9)
    repetition = delimiters.repetition if interchange.version >= "00501" and delimiters.repetition else "U"
    values = [
        "00",
        "",
        "00",
        "",
        interchange.sender_qualifier,
        interchange.sender_id,
        interchange.receiver_qualifier,
        interchange.receiver_id,
        interchange.date.strftime("%y%m%d"),
        interchange.time.strftime("%H%M"),
        repetition,
        interchange.version,
        control_number,
        "1" if interchange.acknowledgment_requested else "0",
        interchange.usage.value,
        delimiters.component,
    ]
    padded: list[str] = []
    for number, (value, width) in enumerate(zip(values, ISA_ELEMENT_WIDTHS, strict=True), start=1):
        if len(value) > width:
            raise ValidationError(
                code="x12.isa_value_too_long",
                message=f"ISA{number:02d} value {value!r} is longer than its fixed width of {width}.",
                field=f"ISA{number:02d}",
                value=value,
                hint=f"Shorten the value to at most {width} characters.",
            )
        padded.append(value.ljust(width))
    return delimiters.element.join(["ISA", *padded])


def write_interchange(
    interchange: Interchange[SetT],
    write_set: Callable[[SegmentWriter, SetT], SetHeader],
    *,
    delimiters: Delimiters | None = None,
    line_break: bool = True,
    leading_segments: tuple[tuple[str, ...], ...] = (),
) -> str:
    """Write ``interchange`` with its groups; ``write_set`` writes the segments between ST and SE.

    ``write_set`` returns the set's header, whose ST01, ST02 and ST03 go into ST and SE.
    ``leading_segments`` go between ISA and the first GS (a TA1 acknowledgment, for one).
    """
    delimiters = delimiters or interchange.delimiters
    writer = SegmentWriter(delimiters, line_break=line_break)
    writer.parts.append(isa_segment(interchange, delimiters) + writer.terminator)
    for segment in leading_segments:
        writer.segment(*segment)
    for group in interchange.groups:
        _write_group(writer, group, write_set)
    writer.segment("IEA", str(len(interchange.groups)), interchange.control_number.zfill(9))
    return writer.text()


def _write_group(
    writer: SegmentWriter, group: FunctionalGroup[SetT], write_set: Callable[[SegmentWriter, SetT], SetHeader]
) -> None:
    writer.segment(
        "GS",
        group.functional_id,
        group.sender_code,
        group.receiver_code,
        _group_date(group.date, group.control_number),
        _group_time(group.time, group.control_number),
        group.control_number,
        "X",
        group.version,
    )
    for transaction in group.sets:
        start = len(writer.parts)
        writer.start_count()
        writer.parts.append("")  # ST is filled in once write_set has returned the header.
        header = write_set(writer, transaction)
        writer.parts[start] = _st_text(writer, header)
        writer.segment("SE", str(writer.segments_since_mark + 1), header.control_number)
    writer.segment("GE", str(len(group.sets)), group.control_number)


def _st_text(writer: SegmentWriter, header: SetHeader) -> str:
    values = ["ST", header.set_id, header.control_number]
    if header.implementation:
        values.append(header.implementation)
    return writer.delimiters.element.join(values) + writer.terminator


def _group_date(value: date | None, control_number: str) -> str:
    if value is None:
        raise ValidationError(
            code="x12.incomplete_group",
            message=f"Functional group {control_number!r} has no date.",
            record=f"functional group {control_number}",
            hint="Set the group date before writing.",
        )
    return format_d8(value)


def _group_time(value: time | None, control_number: str) -> str:
    if value is None:
        raise ValidationError(
            code="x12.incomplete_group",
            message=f"Functional group {control_number!r} has no time.",
            record=f"functional group {control_number}",
            hint="Set the group time before writing.",
        )
    return format_x12_time(value)
