"""Reading submitted form fields into domain values, with errors naming the field (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from premia.interfaces.console.forms import FormFailure, FormFields
from premia.kernel.errors import ValidationError
from premia.servicing.model import CasePriority


def _form(**values: str) -> FormFields:
    return FormFields.of(list(values.items()))


def test_text_trims_and_blanks_are_none() -> None:
    form = _form(name="  Maria  ", empty="   ")
    assert form.text("name") == "Maria"
    assert form.text("empty") is None
    assert form.text("missing") is None


def test_required_names_field() -> None:
    with pytest.raises(ValidationError) as raised:
        _form(reference="").required("reference", label="Check number or reference")
    assert raised.value.field == "reference"
    assert raised.value.message == "Check number or reference is required."


def test_amount_accepts_dollar_sign_and_commas() -> None:
    # "$1,234.50" is 1,234.50 dollars = 123,450 cents.
    assert _form(amount="$1,234.50").amount_cents("amount", label="Amount") == 123450


def test_amount_rejects_fraction_of_cent() -> None:
    with pytest.raises(ValidationError) as raised:
        _form(amount="12.345").amount_cents("amount", label="Amount")
    assert raised.value.field == "amount"


def test_day_parses_iso_date() -> None:
    assert _form(received_on="2026-03-02").day("received_on", label="Received on") == date(2026, 3, 2)


def test_integer_range() -> None:
    form = _form(day="29")
    with pytest.raises(ValidationError) as raised:
        form.integer("day", label="Draft day", low=1, high=28)
    assert raised.value.code == "form.out_of_range"
    assert "between 1 and 28" in raised.value.message


def test_integer_not_a_number() -> None:
    with pytest.raises(ValidationError) as raised:
        _form(day="fifth").integer("day", label="Draft day")
    assert raised.value.code == "form.not_a_number"


def test_choice_lists_allowed_values() -> None:
    with pytest.raises(ValidationError) as raised:
        _form(priority="whenever").choice("priority", CasePriority, label="Priority")
    assert raised.value.hint == "Choose one of: low, normal, high, urgent."


def test_choice_reads_enum() -> None:
    assert _form(priority="high").choice("priority", CasePriority, label="Priority") is CasePriority.HIGH


def test_repeated_field_values() -> None:
    form = FormFields.of([("line", "12"), ("line", ""), ("line", "15")])
    assert form.all("line") == ("12", "15")
    assert form.text("line") == "12"


def test_checkbox() -> None:
    assert _form(assign="yes").checked("assign")
    assert not _form().checked("assign")


def test_echo_drops_secrets() -> None:
    form = _form(routing_number="021000021", bank_account_number="123456789", csrf_token="t", ssn_last4="6789", password="x")
    assert form.echo() == {"routing_number": "021000021"}


def test_failure_carries_form_and_values() -> None:
    error = ValidationError(code="x", message="Bad amount.", field="amount", hint="Use dollars.")
    failure = FormFailure.of("post-payment", error, _form(amount="abc", bank_account_number="1"))
    assert failure.form == "post-payment"
    assert failure.field == "amount"
    assert failure.values == {"amount": "abc"}
