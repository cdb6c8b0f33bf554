"""Read the comma-separated fields of a BAI2 record and its 88 continuations.

A continuation starts a new field: the first field of an 88 follows the last field of the
record before it, so an 88 may carry the amount of a type code that ended the previous line.
"""

from __future__ import annotations

import re
from datetime import date, time

from premia.formats.bai2.codes import FundsType
from premia.formats.bai2.errors import Bai2Problem, problem
from premia.formats.bai2.lines import LogicalRecord
from premia.formats.bai2.records import AccountSummary, FundsAvailability
from premia.kernel.errors import ValidationError

_SIGNED_AMOUNT = re.compile(r"[+-]?\d+")
_TIME_WITH_SECONDS = re.compile(r"(\d\d):(\d\d):(\d\d)")
# BAI2 writes the end of the day as 2400 or 9999.
_END_OF_DAY = ("2400", "9999")


class FieldCursor:
    """Hands out the fields of one logical record in order.

    Each invalid field adds a problem and clears ``valid``.
    """

    def __init__(
        self, record: LogicalRecord, problems: list[ValidationError], warnings: list[ValidationError]
    ) -> None:
        self.record = record
        self.problems = problems
        self.warnings = warnings
        self.valid = True
        self._bodies = record.bodies
        self._index = 0
        self._position = 0

    def next(self) -> str | None:
        """Return the next field, or None when the record and its continuations are used up."""
        while self._index < len(self._bodies):
            body = self._bodies[self._index]
            if self._position > len(body):
                self._index += 1
                self._position = 0
                continue
            comma = body.find(",", self._position)
            end = len(body) if comma == -1 else comma
            value = body[self._position : end]
            self._position = end + 1
            return value
        return None

    def field(self) -> str:
        return (self.next() or "").strip()

    def remaining_text(self) -> tuple[str, ...]:
        """Return the unread rest of the record and each later continuation, unsplit, blanks stripped."""
        parts = []
        if self._index < len(self._bodies) and self._position <= len(self._bodies[self._index]):
            parts.append(self._bodies[self._index][self._position :])
        parts.extend(self._bodies[self._index + 1 :])
        self._index = len(self._bodies)
        return tuple(part.strip() for part in parts if part.strip())

    def fail(self, name: str, message: str, value: str | None, hint: str) -> None:
        self.valid = False
        self.problems.append(
            problem(
                Bai2Problem.INVALID_FIELD,
                message,
                record=self.record.label,
                field=name,
                value=value,
                hint=hint,
            )
        )

    def required_text(self, name: str) -> str:
        value = self.field()
        if not value:
            self.fail(name, f"{name} is missing.", None, f"Fill in {name}.")
        return value

    def amount(self, name: str, *, signed: bool = True) -> int | None:
        """Read an amount in minor units, or None for a blank field."""
        raw = self.field()
        if not raw:
            return None
        if _SIGNED_AMOUNT.fullmatch(raw) and (signed or raw[0].isdigit()):
            return int(raw)
        shape = "an optionally signed" if signed else "an unsigned"
        self.fail(
            name,
            f"{name} {raw!r} is not {shape} whole number of minor units.",
            raw,
            "BAI2 writes 123.45 as 12345.",
        )
        return None

    def count(self, name: str, *, required: bool = False) -> int | None:
        raw = self.field()
        if not raw and not required:
            return None
        if raw.isascii() and raw.isdigit():
            return int(raw)
        self.fail(name, f"{name} {raw!r} must be a whole number.", raw, f"Write {name} as digits.")
        return None

    def yymmdd(self, name: str, *, required: bool = True) -> date | None:
        raw = self.field()
        if not raw and not required:
            return None
        parsed = parse_yymmdd(raw)
        if parsed is None:
            self.fail(
                name, f"{name} {raw!r} is not a valid YYMMDD date.", raw, "BAI2 dates are written YYMMDD."
            )
        return parsed

    def time_of_day(self, name: str) -> time | None:
        """Read an hhmm time. 2400 and 9999 mean the end of the day, and hh:mm:ss is read with a warning."""
        raw = self.field()
        if not raw:
            return None
        if raw in _END_OF_DAY:
            return time.max
        if len(raw) == 4 and raw.isdigit() and int(raw[:2]) < 24 and int(raw[2:]) < 60:
            return time(int(raw[:2]), int(raw[2:]))
        with_seconds = _TIME_WITH_SECONDS.fullmatch(raw)
        if with_seconds:
            hours, minutes, seconds = (int(part) for part in with_seconds.groups())
            if hours < 24 and minutes < 60 and seconds < 60:
                self.warnings.append(
                    problem(
                        Bai2Problem.TIME_WITH_SECONDS,
                        f"{name} {raw!r} is written hh:mm:ss; BAI2 writes hhmm.",
                        record=self.record.label,
                        field=name,
                        value=raw,
                        hint="The time was read with its seconds.",
                    )
                )
                return time(hours, minutes, seconds)
        self.fail(name, f"{name} {raw!r} is not a valid time.", raw, "BAI2 times are written hhmm.")
        return None

    def funds(self) -> FundsAvailability | None:
        """Read the funds type and the fields it brings.

        S brings three amounts, V a value date and time, D a count of (days, amount) pairs.
        """
        raw = self.field()
        if not raw:
            return None
        try:
            funds_type = FundsType(raw.upper())
        except ValueError:
            self.fail(
                "funds_type",
                f"funds type {raw!r} is not one of 0, 1, 2, S, V, D or Z.",
                raw,
                "Use a BAI2 funds type.",
            )
            return None

        if funds_type is FundsType.DISTRIBUTED:
            return FundsAvailability(
                funds_type,
                immediate_cents=self.amount("immediate_availability"),
                one_day_cents=self.amount("one_day_availability"),
                two_or_more_days_cents=self.amount("two_or_more_days_availability"),
            )
        if funds_type is FundsType.VALUE_DATED:
            value_date = self.yymmdd("value_date", required=False)
            return FundsAvailability(
                funds_type, value_date=value_date, value_time=self.time_of_day("value_time")
            )
        if funds_type is FundsType.DISTRIBUTED_BY_DAYS:
            pairs = []
            for _ in range(self.count("availability_distribution_count") or 0):
                days = self.count("days", required=True) or 0
                pairs.append((days, self.amount("available_amount") or 0))
            return FundsAvailability(funds_type, distribution=tuple(pairs))
        return FundsAvailability(funds_type)

    def summaries(self) -> tuple[AccountSummary, ...]:
        """Read the (type code, amount, item count, funds type) groups of an 03 record.

        A blank where a type code belongs is skipped: writers that end each record with
        ``,/`` leave an empty field before the next group begins.
        """
        summaries: list[AccountSummary] = []
        while (type_code := self.next()) is not None:
            type_code = type_code.strip()
            if not type_code:
                continue
            if not is_type_code(type_code):
                self.fail(
                    "type_code",
                    f"type code {type_code!r} must be three digits.",
                    type_code,
                    "Check the 03 record's groups.",
                )
                return tuple(summaries)
            amount = self.amount("amount")
            item_count = self.count("item_count")
            summaries.append(AccountSummary(type_code, amount, item_count, self.funds()))
        return tuple(summaries)


def is_type_code(value: str) -> bool:
    return len(value) == 3 and value.isascii() and value.isdigit()


def parse_yymmdd(raw: str) -> date | None:
    """Parse a YYMMDD date, reading years 70-99 as 1970-1999 and 00-69 as 2000-2069."""
    if len(raw) != 6 or not raw.isdigit():
        return None
    year = int(raw[0:2])
    try:
        return date(year + (1900 if year >= 70 else 2000), int(raw[2:4]), int(raw[4:6]))
    except ValueError:
        return None
