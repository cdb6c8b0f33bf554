"""Read typed values from camt elements, adding a problem for each invalid or missing one."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from premia.formats.camt.errors import CamtProblem, problem
from premia.formats.camt.tree import Element, find, text
from premia.kernel.errors import ValidationError
from premia.kernel.money import parse_amount

CodeT = TypeVar("CodeT", bound=StrEnum)


class ValueReader:
    """Reads the values of one element (an entry, a balance) and names that element in every problem."""

    def __init__(self, label: str, problems: list[ValidationError]) -> None:
        self.label = label
        self.problems = problems
        self.valid = True

    def fail(self, code: CamtProblem, field: str, message: str, value: str | None, hint: str) -> None:
        self.valid = False
        self.problems.append(problem(code, message, record=self.label, field=field, value=value, hint=hint))

    def required_text(self, element: Element | None, path: str) -> str | None:
        value = text(element, path)
        if value is None:
            self.fail(
                CamtProblem.MISSING_ELEMENT,
                path,
                f"{path} is missing.",
                None,
                f"Every message of this kind has {path}.",
            )
        return value

    def amount(self, element: Element | None, path: str, *, required: bool = True) -> tuple[int, str] | None:
        """Read an amount element and its Ccy attribute as (cents, currency)."""
        node = find(element, path) if element is not None else None
        if node is None or text(node) is None:
            if required:
                self.fail(
                    CamtProblem.MISSING_ELEMENT,
                    path,
                    f"{path} is missing.",
                    None,
                    "Every entry and balance states its amount.",
                )
            return None
        raw = text(node) or ""
        currency = (node.get("Ccy") or "").strip()
        if not currency:
            self.fail(
                CamtProblem.MISSING_ELEMENT,
                f"{path}/@Ccy",
                f"{path} {raw} has no Ccy attribute.",
                raw,
                "Amounts carry their currency.",
            )
            return None
        try:
            cents = parse_amount(raw, field=path, record=self.label)
        except ValidationError as exc:
            self.fail(
                CamtProblem.INVALID_VALUE,
                path,
                f"{path} {raw!r} is not a valid amount: {exc.message}",
                raw,
                exc.hint or "",
            )
            return None
        if cents < 0:
            self.fail(
                CamtProblem.INVALID_VALUE,
                path,
                f"{path} {raw!r} is negative.",
                raw,
                "camt amounts are positive; CdtDbtInd gives the direction.",
            )
            return None
        return cents, currency

    def code(
        self, element: Element | None, path: str, codes: type[CodeT], *, required: bool = True
    ) -> CodeT | None:
        raw = text(element, path)
        if raw is None:
            if required:
                self.fail(CamtProblem.MISSING_ELEMENT, path, f"{path} is missing.", None, f"Give {path}.")
            return None
        try:
            return codes(raw)
        except ValueError:
            allowed = ", ".join(code.value for code in codes)
            self.fail(
                CamtProblem.INVALID_VALUE,
                path,
                f"{path} {raw!r} is not one of {allowed}.",
                raw,
                f"Use an ISO 20022 {path} code.",
            )
            return None

    def status(self, element: Element) -> str | None:
        """Return the entry status text: plain ``Sts`` up to version 07, ``Sts/Cd`` from version 08."""
        return text(element, "Sts/Cd") or text(element, "Sts/Prtry") or text(element, "Sts")

    def date_choice(self, element: Element | None, path: str) -> date | None:
        """Read a date that ISO 20022 writes either as ``Dt`` or as ``DtTm`` below ``path``."""
        holder = find(element, path) if element is not None else None
        if holder is None:
            return None
        day_text = text(holder, "Dt")
        if day_text is not None:
            return self._date(f"{path}/Dt", day_text)
        moment = self.datetime(holder, "DtTm")
        return moment.date() if moment else None

    def datetime(self, element: Element | None, path: str) -> datetime | None:
        raw = text(element, path)
        if raw is None:
            return None
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            self.fail(
                CamtProblem.INVALID_VALUE,
                path,
                f"{path} {raw!r} is not an ISO date and time.",
                raw,
                "Write date-times as 2026-04-27T10:00:00.",
            )
            return None

    def integer(self, element: Element | None, path: str) -> int | None:
        raw = text(element, path)
        if raw is None:
            return None
        if raw.isascii() and raw.isdigit():
            return int(raw)
        self.fail(
            CamtProblem.INVALID_VALUE,
            path,
            f"{path} {raw!r} is not a whole number.",
            raw,
            f"Write {path} as digits.",
        )
        return None

    def boolean(self, element: Element | None, path: str) -> bool | None:
        raw = text(element, path)
        if raw is None:
            return None
        if raw in ("true", "false", "1", "0"):
            return raw in ("true", "1")
        self.fail(
            CamtProblem.INVALID_VALUE,
            path,
            f"{path} {raw!r} is not true or false.",
            raw,
            "Write true or false.",
        )
        return None

    def _date(self, path: str, raw: str) -> date | None:
        # xsd:date may carry a time-zone suffix (2026-04-27Z, 2026-04-27+02:00).
        # The calendar date is what counts.
        day = raw[:10] if len(raw) > 10 and raw[10] in "Z+-" else raw
        try:
            return date.fromisoformat(day)
        except ValueError:
            self.fail(
                CamtProblem.INVALID_VALUE,
                path,
                f"{path} {raw!r} is not an ISO date.",
                raw,
                "Write dates as 2026-04-27.",
            )
            return None
