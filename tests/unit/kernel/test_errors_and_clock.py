"""Domain errors carry code, record, field, value and hint. A fixed clock always returns one UTC instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from premia.kernel.clock import FixedClock, today_in
from premia.kernel.errors import ConflictError, DomainError, ValidationError, invalid


def test_error_as_dict() -> None:
    error = ConflictError(
        code="account.duplicate",
        message="This payer already has billing account BA-000001.",
        record="billing_account (new)",
        field="holder",
        value="BA-000001",
        hint="Use BA-000001.",
    )

    assert error.as_dict() == {
        "code": "account.duplicate",
        "message": "This payer already has billing account BA-000001.",
        "record": "billing_account (new)",
        "field": "holder",
        "hint": "Use BA-000001.",
        "value": "BA-000001",
    }
    assert isinstance(error, DomainError)


def test_error_str_has_message_and_hint() -> None:
    error = invalid("x.bad", "due_day 31 is outside 1-28.", field="due_day", value=31, hint="Choose 1 to 28.")

    assert isinstance(error, ValidationError)
    assert str(error) == "due_day 31 is outside 1-28. Choose 1 to 28."
    assert error.as_dict()["value"] == "31"


def test_error_as_dict_leaves_out_empty_parts() -> None:
    assert ValidationError(code="x.missing", message="x is missing.").as_dict() == {
        "code": "x.missing",
        "message": "x is missing.",
    }


def test_error_can_be_raised_and_caught() -> None:
    with pytest.raises(DomainError) as caught:
        raise ValidationError(code="x", message="m", field="f")

    assert caught.value.field == "f"


def test_fixed_clock_is_utc() -> None:
    eastern = timezone(timedelta(hours=-5))

    clock = FixedClock(datetime(2026, 3, 2, 10, 0, tzinfo=eastern))

    assert clock.now() == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert clock.now().tzinfo == UTC


def test_fixed_clock_rejects_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        FixedClock(datetime(2026, 3, 2, 15, 0))


def test_today_in_carrier_zone() -> None:
    # 2026-03-02T03:00Z is still March 1 in Chicago (UTC-6) but March 2 in UTC.
    clock = FixedClock(datetime(2026, 3, 2, 3, 0, tzinfo=UTC))

    assert today_in(clock, "America/Chicago") == date(2026, 3, 1)
    assert today_in(clock, "UTC") == date(2026, 3, 2)
