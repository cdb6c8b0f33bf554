"""Reading submitted form fields into domain values, with errors that name the field (pure).

Every getter raises :class:`ValidationError` with the form field's name, so the page can
mark that control invalid and show what to fix next to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from premia.kernel.dates import parse_date
from premia.kernel.errors import DomainError, ValidationError
from premia.kernel.money import parse_amount

E = TypeVar("E", bound=StrEnum)

# Fields whose values are never echoed back into a re-rendered form.
SECRET_FIELDS = frozenset({"password", "bank_account_number", "ssn_last4", "csrf_token", "login_nonce"})


@dataclass(frozen=True)
class FormFields:
    """The fields of one submitted form, as text with surrounding blanks removed."""

    values: Mapping[str, str]
    lists: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, items: list[tuple[str, str]]) -> FormFields:
        values: dict[str, str] = {}
        lists: dict[str, list[str]] = {}
        for name, raw in items:
            text = raw.strip() if isinstance(raw, str) else ""
            values.setdefault(name, text)
            lists.setdefault(name, []).append(text)
        return cls(values=values, lists={name: tuple(items) for name, items in lists.items()})

    def text(self, name: str) -> str | None:
        """Return the field's text, or None when it is missing or blank."""
        return self.values.get(name) or None

    def required(self, name: str, *, label: str) -> str:
        value = self.text(name)
        if value is None:
            raise ValidationError(
                code="form.field_missing",
                message=f"{label} is required.",
                field=name,
                hint=f"Fill in {label.lower()}.",
            )
        return value

    def amount_cents(self, name: str, *, label: str) -> int:
        text = self.required(name, label=label).replace("$", "").replace(",", "")
        return parse_amount(text, field=name)

    def optional_amount_cents(self, name: str) -> int | None:
        text = self.text(name)
        if text is None:
            return None
        return parse_amount(text.replace("$", "").replace(",", ""), field=name)

    def day(self, name: str, *, label: str) -> date:
        return parse_date(self.required(name, label=label), field=name)

    def optional_day(self, name: str) -> date | None:
        text = self.text(name)
        return parse_date(text, field=name) if text else None

    def integer(self, name: str, *, label: str, low: int | None = None, high: int | None = None) -> int:
        text = self.required(name, label=label)
        try:
            number = int(text)
        except ValueError:
            raise ValidationError(
                code="form.not_a_number",
                message=f"{label} must be a whole number (got {text!r}).",
                field=name,
                value=text,
                hint="Type digits only.",
            ) from None
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValidationError(
                code="form.out_of_range",
                message=f"{label} must be between {low} and {high} (got {number}).",
                field=name,
                value=number,
                hint=f"Choose a value from {low} to {high}.",
            )
        return number

    def optional_integer(self, name: str, *, label: str, low: int | None = None, high: int | None = None) -> int | None:
        if self.text(name) is None:
            return None
        return self.integer(name, label=label, low=low, high=high)

    def choice(self, name: str, kind: type[E], *, label: str) -> E:
        text = self.required(name, label=label)
        try:
            return kind(text)
        except ValueError:
            allowed = ", ".join(member.value for member in kind)
            raise ValidationError(
                code="form.unknown_choice",
                message=f"{label} {text!r} is not one of the choices.",
                field=name,
                value=text,
                hint=f"Choose one of: {allowed}.",
            ) from None

    def optional_choice(self, name: str, kind: type[E], *, label: str) -> E | None:
        if self.text(name) is None:
            return None
        return self.choice(name, kind, label=label)

    def checked(self, name: str) -> bool:
        return self.values.get(name, "").lower() in {"on", "true", "yes", "1"}

    def all(self, name: str) -> tuple[str, ...]:
        """Return every non-blank value of a field that may repeat, such as checked boxes."""
        return tuple(value for value in self.lists.get(name, ()) if value)

    def echo(self) -> dict[str, str]:
        """Return the values to show again in a form that failed, without secrets."""
        return {name: value for name, value in self.values.items() if name not in SECRET_FIELDS}


@dataclass(frozen=True)
class FormFailure:
    """A form whose submission a service rejected: which form, the message, the field and the values to show again."""

    form: str
    message: str
    hint: str | None
    field: str | None
    values: Mapping[str, str]

    @classmethod
    def of(cls, form: str, error: DomainError, fields: FormFields | None = None) -> FormFailure:
        return cls(
            form=form,
            message=error.message,
            hint=error.hint,
            field=error.field,
            values=fields.echo() if fields is not None else {},
        )
