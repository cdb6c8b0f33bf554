"""Optional TR3 (implementation guide) validation through pyx12 4.0.0, returned as findings.

Premia's readers check the envelope and the values Premia relies on. pyx12 checks the
whole implementation guide named in GS08, 005010X220A1 (834) or 005010X218 (820) among
them: loop structure, element lengths, situational rules. It is slow (about 1,000 834
members per second measured on a 2-core machine, see README.md), so it is selectable
rather than always on. pyx12 has no map for the Exchange 820 (005010X306), so such files
get a warning instead of findings.

The text is handed to pyx12 in memory. Its command-line validator writes side files next
to its input, so it is never used here.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any, NamedTuple

import pyx12.errors
import pyx12.params
import pyx12.x12n_document

from premia.formats.x12.findings import Finding, FindingCode, FindingScope, Severity
from premia.formats.x12.tokenizer import read_isa_layout

# pyx12 logs every validation error it also reports; without a handler of its own they
# would reach stderr through logging's last-resort handler.
logging.getLogger("pyx12").addHandler(logging.NullHandler())


def validate_tr3(text: str, version: str | None = None) -> list[Finding]:
    """Validate ``text`` against its implementation guide with pyx12; return the findings.

    pyx12 picks the guide from GS08. ``version`` (for example ``005010X220A1``) is the guide
    the caller expects; a file whose GS08 names another gets one error and no validation.
    """
    declared = _declared_version(text)
    if version is not None and declared != version:
        return [
            _finding(
                FindingCode.UNSUPPORTED_VERSION,
                FindingScope.INTERCHANGE,
                "GS",
                2,
                "GS08",
                f"GS08 names {declared!r}, but TR3 validation was asked for {version}.",
                f"Validate the file against {declared} or send a {version} file.",
                value=declared,
            )
        ]

    report = io.StringIO()
    try:
        pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text), None, None, None, report)
    except pyx12.errors.EngineError as error:
        return [
            _finding(
                FindingCode.TR3_UNAVAILABLE,
                FindingScope.INTERCHANGE,
                "GS",
                2,
                "GS08",
                f"TR3 validation is not available for {declared or 'this file'}: pyx12 4.0.0 says {error}.",
                "Rely on the reader's own checks for this file.",
                severity=Severity.WARNING,
                value=declared,
            )
        ]
    if not report.getvalue():
        return [
            _finding(
                FindingCode.TR3_INTERCHANGE_ERROR,
                FindingScope.INTERCHANGE,
                "ISA",
                1,
                None,
                "pyx12 did not recognise the text as an X12 interchange; its ISA segment may not be "
                "106 characters long.",
                "Send a complete interchange that starts with a fixed-width ISA segment.",
            )
        ]
    return findings_from_report(json.loads(report.getvalue()))


class _SetPlace(NamedTuple):
    """The ISA13, GS06 and ST02 control numbers around a transaction set in pyx12's report."""

    interchange: str | None
    group: str | None
    transaction: str | None


def findings_from_report(report: dict[str, Any]) -> list[Finding]:
    """Convert pyx12's JSON error report (interchanges, groups, transactions) into findings."""
    findings: list[Finding] = []
    for interchange in report.get("interchanges", []):
        control = interchange.get("isa_trn_set_id")
        for error in interchange.get("errors", []):
            findings.append(
                _finding(
                    FindingCode.TR3_INTERCHANGE_ERROR,
                    FindingScope.INTERCHANGE,
                    "ISA",
                    1,
                    None,
                    error["err_str"],
                    None,
                    syntax_code=error["err_cde"],
                    interchange=control,
                )
            )
        for group in interchange.get("groups", []):
            findings.extend(_group_findings(group, control))
    return findings


def _group_findings(group: dict[str, Any], interchange: str | None) -> list[Finding]:
    findings: list[Finding] = []
    control = group.get("gs_control_num")
    for error in group.get("errors", []):
        findings.append(
            _finding(
                FindingCode.TR3_GROUP_ERROR,
                FindingScope.INTERCHANGE,
                "GE",
                group.get("cur_line") or 0,
                None,
                error["err_str"],
                None,
                syntax_code=error["err_cde"],
                interchange=interchange,
                group=control,
            )
        )
    for transaction in group.get("transactions", []):
        transaction_control = transaction.get("trn_set_control_num")
        place = _SetPlace(interchange, control, transaction_control)
        for error in transaction.get("errors", []):
            findings.append(
                _finding(
                    FindingCode.TR3_SET_ERROR,
                    FindingScope.INTERCHANGE,
                    "SE",
                    transaction.get("cur_line") or 0,
                    None,
                    error["err_str"],
                    None,
                    syntax_code=error["err_cde"],
                    interchange=place.interchange,
                    group=place.group,
                    transaction=place.transaction,
                )
            )
        for segment in transaction.get("segments", []):
            findings.extend(_segment_findings(segment, place))
    return findings


def _segment_findings(segment: dict[str, Any], place: _SetPlace) -> list[Finding]:
    segment_id = segment.get("seg_id") or ""
    position = segment.get("cur_line") or 0
    findings = [
        _finding(
            FindingCode.TR3_SEGMENT_ERROR,
            FindingScope.TRANSACTION,
            segment_id,
            position,
            None,
            error["err_str"],
            None,
            syntax_code=error["err_cde"],
            value=error.get("err_val"),
            interchange=place.interchange,
            group=place.group,
            transaction=place.transaction,
        )
        for error in segment.get("errors", [])
    ]
    for element in segment.get("elements", []):
        name = f"{segment_id}{int(element.get('ele_pos') or 0):02d}"
        for error in element.get("errors", []):
            findings.append(
                _finding(
                    FindingCode.TR3_ELEMENT_ERROR,
                    FindingScope.TRANSACTION,
                    segment_id,
                    position,
                    name,
                    error["err_str"],
                    None,
                    syntax_code=error["err_cde"],
                    value=error.get("err_val"),
                    interchange=place.interchange,
                    group=place.group,
                    transaction=place.transaction,
                )
            )
    return findings


def _declared_version(text: str) -> str | None:
    """Return GS08 of the first functional group, read from the raw text."""
    stripped = text.lstrip("\ufeff \t\r\n")
    delimiters = read_isa_layout(stripped, lenient=True).delimiters
    if delimiters is None:
        return None
    start = stripped.find(delimiters.segment + "GS" + delimiters.element)
    if start == -1:
        start = stripped.find(delimiters.segment + "\nGS" + delimiters.element)
    if start == -1:
        return None
    end = stripped.find(delimiters.segment, start + 1)
    elements = stripped[start + 1 : end if end != -1 else None].split(delimiters.element)
    return elements[8].strip() if len(elements) > 8 else None


def _finding(
    code: FindingCode,
    scope: FindingScope,
    segment_id: str,
    position: int,
    element: str | None,
    message: str,
    hint: str | None,
    *,
    severity: Severity = Severity.ERROR,
    syntax_code: str | None = None,
    value: str | None = None,
    interchange: str | None = None,
    group: str | None = None,
    transaction: str | None = None,
) -> Finding:
    return Finding(
        code,
        severity,
        scope,
        segment_id,
        position,
        element,
        message,
        hint,
        value,
        interchange,
        group,
        transaction,
        None,
        syntax_code,
    )
