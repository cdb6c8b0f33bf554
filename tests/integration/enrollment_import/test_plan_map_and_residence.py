"""Pure rules of the 834 import: the plan map's choice of plan, and partial addresses."""

from __future__ import annotations

from pathlib import Path

import pytest

from premia.accounts.model import Address
from premia.formats.x12 import Address as Address834
from premia.importers.enrollment import PlanMap, PlanMapEntry, load_plan_map
from premia.importers.enrollment.model import MemberRejected
from premia.importers.enrollment.plan_map import PlanKey
from premia.importers.enrollment.residence import read_residence
from premia.kernel.errors import ValidationError

STORED = Address("12 ELM ST", "FAIRFAX", "VA", "22030", "APT 1", "059")


def test_most_specific_entry_wins() -> None:
    plan_map = PlanMap(
        (
            PlanMapEntry(plan_id="ANY-HEALTH", insurance_line="HLT"),
            PlanMapEntry(plan_id="GOLD", insurance_line="HLT", plan_description="GOLD"),
            PlanMapEntry(
                plan_id="GROUP-GOLD", insurance_line="HLT", plan_description="GOLD", group_number="G-1"
            ),
        )
    )

    assert plan_map.plan_for(PlanKey("HLT", "GOLD", ("G-1",))).plan_id == "GROUP-GOLD"  # type: ignore[union-attr]
    assert plan_map.plan_for(PlanKey("HLT", "GOLD", ("G-2",))).plan_id == "GOLD"  # type: ignore[union-attr]
    assert plan_map.plan_for(PlanKey("HLT", "SILVER")).plan_id == "ANY-HEALTH"  # type: ignore[union-attr]
    assert plan_map.plan_for(PlanKey("VIS")) is None


def test_equal_entries_first_wins() -> None:
    plan_map = PlanMap(
        (PlanMapEntry(plan_id="FIRST", sender="EX"), PlanMapEntry(plan_id="SECOND", sender="EX"))
    )

    assert plan_map.plan_for(PlanKey("HLT", sender_id="EX")).plan_id == "FIRST"  # type: ignore[union-attr]


def test_plan_map_file(tmp_path: Path) -> None:
    path = tmp_path / "plans.yaml"
    path.write_text("plans:\n  - {plan_id: GOLD, insurance_line: HLT, group_number: 42}\n", encoding="utf-8")

    plan_map = load_plan_map(path)

    assert plan_map.entries == (PlanMapEntry(plan_id="GOLD", group_number="42", insurance_line="HLT"),)


@pytest.mark.parametrize(
    ("text", "code", "field"),
    [
        ("plans:\n  - {insurance_line: HLT}\n", "plan_map.entry_without_plan", "plans[1].plan_id"),
        ("plans:\n  - {plan_id: GOLD, product: X}\n", "plan_map.unknown_key", "plans[1].product"),
        ("carrier: demo\n", "plan_map.no_plans", "plans"),
    ],
)
def test_plan_map_file_errors(tmp_path: Path, text: str, code: str, field: str) -> None:
    path = tmp_path / "plans.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ValidationError) as raised:
        load_plan_map(path)

    assert raised.value.code == code
    assert raised.value.field == field


def test_street_only_keeps_stored_city() -> None:
    residence = read_residence(Address834("48 OAK AVE", "APT 2", position=9))

    assert residence.address(STORED) == Address("48 OAK AVE", "FAIRFAX", "VA", "22030", "APT 2", "059")


def test_city_only_keeps_stored_street() -> None:
    residence = read_residence(Address834("", "", "RICHMOND", "va", "23219-1234", position=9))

    assert residence.address(STORED) == Address("12 ELM ST", "RICHMOND", "VA", "232191234", "APT 1", "059")


def test_new_address_needs_city() -> None:
    residence = read_residence(Address834("48 OAK AVE", position=9))

    with pytest.raises(MemberRejected) as raised:
        residence.address(None)

    assert raised.value.code == "enrollment.address_incomplete"
    assert raised.value.element == "N401"
    assert raised.value.position == 9


def test_county_name_not_stored() -> None:
    residence = read_residence(
        Address834("1 MAIN ST", "", "CAMP HILL", "PA", "17011", county_code="CUMBERLAND", position=4)
    )

    assert residence.county == "CUMBERLAND"
    assert residence.address().county_code is None


def test_bad_state_names_element() -> None:
    with pytest.raises(MemberRejected) as raised:
        read_residence(Address834("1 MAIN ST", "", "SPRINGFIELD", "XX", "62701", position=4))

    assert (raised.value.code, raised.value.element, raised.value.segment_id) == (
        "address.unknown_state",
        "N402",
        "N4",
    )
