"""Plain-text rendering of a rating result for the command line: a member table and the trace."""

from __future__ import annotations

from premia.kernel.money import format_cents
from premia.rating.result import MemberPremium, RatingResult

COLUMNS = ("Member", "Relationship", "Born", "Age", "Factor", "Tobacco", "Gross", "APTC", "Employer", "Owed")
# Columns from "Age" on hold numbers and are right-aligned.
FIRST_NUMERIC_COLUMN = 3


def format_rating_result(result: RatingResult, *, include_trace: bool = True) -> str:
    """Return a readable table of the members' premiums, the totals and, optionally, the trace."""
    header = (
        f"Plan {result.plan_id} ({result.plan_year})  area {result.area_id}  month {result.month}  "
        f"rated on {result.rating_date}  method {result.rating_method.value}  base rate {result.base_rate}"
    )
    if result.family_tier is not None:
        header += f"  tier {result.family_tier.value}"

    rows = [_member_row(member) for member in result.members]
    totals = [
        format_cents(result.gross_cents),
        format_cents(result.applied_aptc_cents),
        format_cents(result.contribution_cents),
        format_cents(result.responsibility_cents),
    ]
    rows.append(["Total", "", "", "", "", "", *totals])
    lines = [header, "", *_table([list(COLUMNS), *rows])]

    if result.aptc.exchange_cents:
        lines.append("")
        lines.append(
            f"APTC from the Exchange {format_cents(result.aptc.exchange_cents)}, "
            f"EHB cap {format_cents(result.aptc.ehb_cap_cents)}, "
            f"applied {format_cents(result.aptc.applied_cents)}"
        )

    if include_trace:
        lines.append("")
        lines.append("Trace:")
        width = len(str(len(result.trace)))
        for number, step in enumerate(result.trace, start=1):
            lines.append(f"  {number:>{width}}. {step.describe()}")
    return "\n".join(lines)


def _member_row(member: MemberPremium) -> list[str]:
    gross = format_cents(member.gross_cents)
    if not member.charged:
        gross += " (child cap)"
    return [
        member.member_id,
        member.relationship.value,
        member.birth_date.isoformat(),
        str(member.age),
        "-" if member.age_factor is None else str(member.age_factor),
        str(member.tobacco_factor),
        gross,
        format_cents(member.aptc_cents),
        format_cents(member.contribution_cents),
        format_cents(member.responsibility_cents),
    ]


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(widths[index]) if index >= FIRST_NUMERIC_COLUMN else cell.ljust(widths[index])
            for index, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines
