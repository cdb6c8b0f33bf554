"""Read the ISA and GS header segments into records, reporting every invalid value.

The values of a broken header still make a record, with None where a date, time or usage
indicator could not be read, so the trailer checks and acknowledgments can name it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from premia.formats.x12.codes import UsageIndicator
from premia.formats.x12.elements import ElementError, parse_code, parse_d8, parse_x12_time, parse_yymmdd
from premia.formats.x12.findings import Finding, FindingCode, FindingScope, Severity
from premia.formats.x12.interchange import EnvelopeRules, FunctionalGroup, Interchange
from premia.formats.x12.tokenizer import Delimiters

ValueT = TypeVar("ValueT")
ISA_VERSIONS = ("00401", "00501")


class _HeaderFindings:
    """Findings about one ISA or GS segment, with its position and control numbers filled in."""

    def __init__(self, segment_id: str, position: int, interchange: str, group: str | None = None) -> None:
        self.segment_id = segment_id
        self.position = position
        self.interchange = interchange
        self.group = group
        self.findings: list[Finding] = []

    def add(
        self,
        code: FindingCode,
        element: str | None,
        message: str,
        hint: str,
        value: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.findings.append(
            Finding(
                code,
                severity,
                FindingScope.INTERCHANGE,
                self.segment_id,
                self.position,
                element,
                message,
                hint,
                value,
                self.interchange,
                self.group,
            )
        )

    def value(self, parse: Callable[[str, str], ValueT], value: str, element: str) -> ValueT | None:
        """Return ``parse(value, element)``, or None after recording why the value is invalid."""
        try:
            return parse(value, element)
        except ElementError as error:
            self.add(error.code, element, error.message, error.hint, error.value)
            return None


def read_interchange_header(
    elements: list[str], position: int, delimiters: Delimiters
) -> tuple[Interchange[Any], list[Finding]]:
    """Return the interchange record of an ISA segment and the findings about its values."""
    values = elements + [""] * (17 - len(elements))
    control_number = values[13]
    findings = _HeaderFindings("ISA", position, control_number)
    header: Interchange[Any] = Interchange(
        sender_qualifier=values[5],
        sender_id=values[6],
        receiver_qualifier=values[7],
        receiver_id=values[8],
        date=findings.value(parse_yymmdd, values[9], "ISA09"),
        time=findings.value(parse_x12_time, values[10], "ISA10"),
        control_number=control_number,
        version=values[12],
        usage=findings.value(_usage_indicator, values[15], "ISA15"),
        acknowledgment_requested=values[14] == "1",
        delimiters=delimiters,
        position=position,
    )

    if len(elements) != 17:
        findings.add(
            FindingCode.INVALID_VALUE,
            None,
            f"The ISA segment has {len(elements) - 1} elements instead of 16.",
            "Send all sixteen ISA elements.",
        )
    if not (len(control_number) == 9 and control_number.isdigit()):
        findings.add(
            FindingCode.INVALID_VALUE,
            "ISA13",
            f"ISA13 interchange control number {control_number!r} is not nine digits.",
            "Send the control number as nine digits with leading zeros.",
            control_number,
        )
    if values[12] not in ISA_VERSIONS:
        findings.add(
            FindingCode.UNSUPPORTED_VERSION,
            "ISA12",
            f"ISA12 version {values[12]!r} is neither 00501 nor 00401.",
            "Send HIPAA interchanges with ISA12 00501.",
            values[12],
            Severity.WARNING,
        )
    return header, findings.findings


def read_group_header(
    elements: list[str], position: int, rules: EnvelopeRules, interchange_control_number: str
) -> tuple[FunctionalGroup[Any], list[Finding]]:
    """Return the functional group record of a GS segment and the findings about its values."""
    values = elements + [""] * (9 - len(elements))
    control_number = values[6]
    findings = _HeaderFindings("GS", position, interchange_control_number, control_number)
    header: FunctionalGroup[Any] = FunctionalGroup(
        functional_id=values[1],
        sender_code=values[2],
        receiver_code=values[3],
        date=findings.value(parse_d8, values[4], "GS04"),
        time=findings.value(parse_x12_time, values[5], "GS05"),
        control_number=control_number,
        version=values[8],
        position=position,
    )

    if not (control_number.isdigit() and len(control_number) <= 9):
        findings.add(
            FindingCode.INVALID_VALUE,
            "GS06",
            f"GS06 group control number {control_number!r} is not one to nine digits.",
            "Send a numeric group control number.",
            control_number,
        )
    if rules.functional_id is not None and values[1] != rules.functional_id:
        findings.add(
            FindingCode.UNSUPPORTED_TRANSACTION_SET,
            "GS01",
            f"GS01 functional identifier {values[1]!r} is not {rules.functional_id!r}.",
            f"Send {rules.set_id} transaction sets in a {rules.functional_id} functional group.",
            values[1],
        )
    if rules.versions is not None and values[8] not in rules.versions:
        expected = " or ".join(sorted(rules.versions))
        findings.add(
            FindingCode.UNSUPPORTED_VERSION,
            "GS08",
            f"GS08 version {values[8]!r} is not {expected}; the file was read as far as its segments match.",
            f"Send {expected}.",
            values[8],
            Severity.WARNING,
        )
    return header, findings.findings


def _usage_indicator(value: str, element: str) -> UsageIndicator:
    return parse_code(UsageIndicator, value, element)
