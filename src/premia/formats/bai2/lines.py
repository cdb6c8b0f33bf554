"""Turn the physical lines of a BAI2 file into logical records, each with its 88 continuations.

BAI2 ends each record with ``/`` and puts one record on a line, but banks vary:

- Several ``/``-terminated records on one line. A line is split after a ``/`` that is
  followed, after optional blanks, by a known record code and a comma.
- A record broken over two lines. A line that does not start with a record code continues
  the record before it, provided that record did not end with ``/``. The two parts are joined
  with one blank, because the break is where trailing blanks were stripped.
- Records without the ``/``. The end of the line ends the record.

Each tolerated layout adds one warning for the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from premia.formats.bai2.codes import RecordCode
from premia.formats.bai2.errors import Bai2Problem, problem
from premia.kernel.errors import ValidationError

_RECORD_START = re.compile(r"(\d\d),")
# NOTE: a text field that contains "/", blanks, a record code and a comma (such as "/ 16,") is
# split there as well. None of the sample files has such text.
_RECORD_BOUNDARY = re.compile(r"/[ \t]*(?=(?:01|02|03|16|49|88|98|99),)")
_KNOWN_CODES = frozenset(code.value for code in RecordCode)


@dataclass
class PhysicalRecord:
    """One record as written: its code and its body, the text after ``NN,`` without the ``/``."""

    line_number: int
    code: RecordCode
    body: str
    terminated: bool


@dataclass
class LogicalRecord:
    """A record and the bodies of the 88 continuations that follow it."""

    line_number: int
    code: RecordCode
    bodies: list[str] = field(default_factory=list)

    @property
    def record_count(self) -> int:
        """How many records the trailer counts make this: the record and each continuation."""
        return len(self.bodies)

    @property
    def label(self) -> str:
        return f"line {self.line_number} ({self.code.value} {self.code.description})"


def split_records(
    text: str, problems: list[ValidationError], warnings: list[ValidationError]
) -> list[PhysicalRecord]:
    """Split the file text into records, reporting unknown record codes."""
    records: list[PhysicalRecord] = []
    shared_lines: list[int] = []
    broken_lines: list[int] = []

    for line_number, line in enumerate(text.splitlines(), start=1):
        stripped = line.rstrip()
        if not stripped:
            continue
        pieces = _pieces(stripped)
        if len(pieces) > 1:
            shared_lines.append(line_number)
        for piece in pieces:
            match = _RECORD_START.match(piece)
            if match is None:
                if records and not records[-1].terminated:
                    _continue_broken_record(records[-1], piece)
                    broken_lines.append(line_number)
                else:
                    problems.append(_unknown_code(line_number, piece[:2]))
                continue
            if match.group(1) not in _KNOWN_CODES:
                problems.append(_unknown_code(line_number, match.group(1)))
                continue
            body = piece[3:]
            terminated = body.endswith("/")
            records.append(
                PhysicalRecord(line_number, RecordCode(match.group(1)), body.removesuffix("/"), terminated)
            )

    _warn_layouts(records, shared_lines, broken_lines, warnings)
    return records


def group_continuations(
    records: list[PhysicalRecord], problems: list[ValidationError]
) -> list[LogicalRecord]:
    """Attach each 88 record to the record before it."""
    logical: list[LogicalRecord] = []
    for record in records:
        if record.code is not RecordCode.CONTINUATION:
            logical.append(LogicalRecord(record.line_number, record.code, [record.body]))
        elif logical:
            logical[-1].bodies.append(record.body)
        else:
            problems.append(
                problem(
                    Bai2Problem.RECORD_OUT_OF_ORDER,
                    "a continuation record (88) has no record before it to continue.",
                    record=f"line {record.line_number}",
                    hint="An 88 record continues the record above it.",
                )
            )
    return logical


def _pieces(line: str) -> list[str]:
    pieces = []
    start = 0
    for boundary in _RECORD_BOUNDARY.finditer(line):
        pieces.append(line[start : boundary.start() + 1])
        start = boundary.end()
    pieces.append(line[start:])
    return pieces


def _continue_broken_record(record: PhysicalRecord, piece: str) -> None:
    record.body = f"{record.body} {piece.strip().removesuffix('/')}"
    record.terminated = piece.endswith("/")


def _unknown_code(line_number: int, code: str) -> ValidationError:
    known = ", ".join(code.value for code in RecordCode)
    return problem(
        Bai2Problem.UNKNOWN_RECORD_CODE,
        f"record code {code!r} is not a BAI2 record code ({known}).",
        record=f"line {line_number}",
        field="record_code",
        value=code,
        hint="The file is damaged or is not a BAI2 file.",
    )


def _warn_layouts(
    records: list[PhysicalRecord],
    shared_lines: list[int],
    broken_lines: list[int],
    warnings: list[ValidationError],
) -> None:
    unterminated = [record.line_number for record in records if not record.terminated]
    if unterminated:
        warnings.append(
            problem(
                Bai2Problem.TERMINATOR_MISSING,
                f"{len(unterminated)} records do not end with '/', first on line {unterminated[0]}; the "
                "line end was taken as the record end.",
                hint="BAI2 ends every record with '/'.",
            )
        )
    if shared_lines:
        warnings.append(
            problem(
                Bai2Problem.SEVERAL_RECORDS_PER_LINE,
                f"{len(shared_lines)} lines hold more than one record, first line {shared_lines[0]}; they "
                "were split at each '/'.",
                hint="BAI2 writes one record per line.",
            )
        )
    for line_number in broken_lines:
        warnings.append(
            problem(
                Bai2Problem.RECORD_BROKEN_OVER_LINES,
                "the line does not start with a record code and was joined to the unfinished record before "
                "it.",
                record=f"line {line_number}",
                hint="Check that the record's text reads correctly.",
            )
        )
