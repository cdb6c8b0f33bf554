"""The 999 (or TA1) Premia sends back for every 834 interchange it receives.

The acknowledgment reports syntax: envelope errors reject the interchange with a TA1, set
errors reject a transaction set (IK5 R), and member errors and warnings are noted while the
set is accepted with errors (IK5 E), because the members beside them were applied. A broken
set envelope (SE01 count, SE02, a missing SE) rejects the whole file, so its 999 rejects
every group (AK9 R, no set accepted) while the other sets keep their own IK5. TR3
findings are noted the same way but never reject anything, so the 999 always agrees with
what the import applied. Business rejections, such as an unknown plan, are not syntax
errors; they are in the JSON import report.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from premia.formats.x12 import (
    AcknowledgmentEnvelope,
    Finding,
    FindingCode,
    FindingScope,
    Interchange,
    Severity,
    acknowledge,
    write_999,
)

TR3_CODES = frozenset(
    {
        FindingCode.TR3_INTERCHANGE_ERROR,
        FindingCode.TR3_GROUP_ERROR,
        FindingCode.TR3_SET_ERROR,
        FindingCode.TR3_SEGMENT_ERROR,
        FindingCode.TR3_ELEMENT_ERROR,
        FindingCode.TR3_UNAVAILABLE,
    }
)


class AcknowledgmentText(NamedTuple):
    """The acknowledgment's overall code (TA1 ``R``, or AK901 of the first group) and its text."""

    code: str
    text: str


def as_notes(tr3_findings: Sequence[Finding]) -> list[Finding]:
    """Return TR3 findings as warnings, so they are noted in the 999 without rejecting anything."""
    return [finding._replace(severity=Severity.WARNING) for finding in tr3_findings]


def extra_interchange_findings(interchanges: Sequence[Interchange[Any]]) -> list[Finding]:
    """Reject every interchange after the first: Premia imports one interchange per file."""
    return [
        Finding(
            FindingCode.SEGMENT_OUT_OF_PLACE,
            Severity.ERROR,
            FindingScope.INTERCHANGE,
            "ISA",
            interchange.position,
            None,
            f"The file holds {len(interchanges)} interchanges; Premia imports one interchange per file.",
            "Send each interchange (ISA to IEA) as a file of its own.",
            interchange=interchange.control_number,
        )
        for interchange in interchanges[1:]
    ]


def write_acknowledgment(
    interchanges: Sequence[Interchange[Any]],
    findings: Sequence[Finding],
    *,
    import_id: int,
    moment: datetime,
    time_zone: str,
) -> AcknowledgmentText | None:
    """Return the acknowledgment text for ``interchanges``, or None when no ISA could be read.

    The acknowledgment's ISA13 is the import id, so each import's acknowledgment has its
    own control number.
    """
    if not interchanges:
        return None
    local = moment.astimezone(ZoneInfo(time_zone))
    envelope = AcknowledgmentEnvelope(
        interchange_control_number=f"{import_id % 1_000_000_000:09d}",
        group_control_number=str(import_id),
        date=local.date(),
        time=local.time().replace(second=0, microsecond=0),
    )
    texts = [write_999(interchange, findings, envelope) for interchange in interchanges]
    first = acknowledge(interchanges[0], findings)
    if first.rejection is not None:
        code = "R"
    elif first.groups:
        code = first.groups[0].status.value
    else:
        code = "A"
    return AcknowledgmentText(code, "".join(texts))
