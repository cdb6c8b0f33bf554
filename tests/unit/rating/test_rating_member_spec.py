"""Member specifications typed on the command line, and the text and JSON output of a result."""

from __future__ import annotations

import json
from datetime import date

import pytest

from premia.kernel.dates import Month
from premia.kernel.errors import ValidationError
from premia.rating import (
    Catalog,
    RatingResult,
    format_rating_result,
    parse_member_spec,
    parse_member_specs,
    rate_from_catalog,
)
from premia.rating.model import Relationship


def test_spec_full_form() -> None:
    member = parse_member_spec("1980-03-15:spouse:tobacco", position=1)

    assert member.birth_date == date(1980, 3, 15)
    assert member.relationship is Relationship.SPOUSE
    assert member.tobacco is True
    assert member.member_id == "M2"


def test_spec_first_defaults_to_subscriber() -> None:
    member = parse_member_spec("1980-03-15")

    assert member.relationship is Relationship.SUBSCRIBER
    assert member.tobacco is False
    assert member.aptc_eligible is True


def test_spec_flags_any_order() -> None:
    member = parse_member_spec("2010-01-01:no-aptc:tobacco:domestic-partner", position=2)

    assert member.relationship is Relationship.DOMESTIC_PARTNER
    assert member.aptc_eligible is False
    assert member.tobacco is True


def test_spec_later_member_needs_relationship() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_member_spec("2010-01-01", position=1)

    assert "member 2" in raised.value.message
    assert "no relationship" in raised.value.message
    assert "spouse" in str(raised.value.hint)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1980-02-30", "not a valid YYYY-MM-DD date"),
        ("03/15/1980", "not a valid YYYY-MM-DD date"),
        ("1980-03-15:wife", "'wife' is neither a relationship nor a flag"),
        ("1980-03-15:spouse:child", "more than one relationship"),
        ("1980-03-15:tobacco:tobacco", "tobacco flag twice"),
    ],
)
def test_spec_errors(text: str, problem: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_member_spec(text)

    assert problem in raised.value.message
    assert raised.value.value == text


def test_specs_number_members() -> None:
    members = parse_member_specs(["1980-03-15", "1982-01-01:spouse", "2012-06-01:child"])

    assert [member.member_id for member in members] == ["M1", "M2", "M3"]


def test_specs_need_one() -> None:
    with pytest.raises(ValidationError):
        parse_member_specs([])


def demo_result(catalog: Catalog) -> RatingResult:
    members = parse_member_specs(
        [
            "1980-06-01:tobacco",
            "1982-07-01:spouse",
            "2006-05-01:child",
            "2009-05-01:child",
            "2013-05-01:child",
            "2017-05-01:child",
        ]
    )
    return rate_from_catalog(
        catalog,
        plan_id="12345VA0020001",
        area_id="VA-1",
        members=members,
        month=Month(2026, 1),
        rating_date=date(2026, 1, 1),
        aptc_cents=300000,
    )


def test_format_shows_members_and_totals(demo_catalog: Catalog) -> None:
    text = format_rating_result(demo_result(demo_catalog))

    lines = text.splitlines()
    assert "12345VA0020001" in lines[0]
    member_line = next(line for line in lines if line.startswith("M1 "))
    assert "693.12" in member_line
    assert "0.00 (child cap)" in next(line for line in lines if line.startswith("M6 "))
    total_line = next(line for line in lines if line.startswith("Total"))
    # gross 2,261.92; APTC capped at 2,261.92 x 0.995 = 2,250.6104 -> 2,250.61
    assert "2,261.92" in total_line
    assert "2,250.61" in total_line


def test_format_includes_trace(demo_catalog: Catalog) -> None:
    text = format_rating_result(demo_result(demo_catalog))

    assert "Trace:" in text
    assert "subsidy_cap" in text
    assert "reduction=749.39" in text


def test_format_without_trace(demo_catalog: Catalog) -> None:
    text = format_rating_result(demo_result(demo_catalog), include_trace=False)

    assert "Trace:" not in text


def test_to_dict_is_json(demo_catalog: Catalog) -> None:
    data = json.loads(json.dumps(demo_result(demo_catalog).to_dict()))

    assert data["totals"]["applied_aptc"] == "2250.61"
    assert data["totals"]["exchange_aptc"] == "3000.00"
    assert data["members"][5]["charged"] is False
    assert data["members"][5]["aptc"] == "0.00"
