"""A member with a bad value is rejected alone, with its segment position, code and reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from premia.formats.x12 import Address, Reference, RelationshipCode
from premia.importers.enrollment import ImportResult
from premia.infra.context import ServiceContext
from tests.integration.enrollment_import.conftest import SAMPLE_PLAN_MAP, count_rows, person, spans_of
from tests.integration.enrollment_import.enrollment_files import coverage, interchange_text, member

pytestmark = pytest.mark.database


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "per-member"])
def test_bad_zip_rejects_one_family(
    ctx: ServiceContext, import_text: Callable[..., ImportResult], bulk: bool
) -> None:
    text = interchange_text(
        [
            member("A-1", first_name="ANA"),
            member("B-1", first_name="BEN", address=Address("9 OAK ST", "", "FAIRFAX", "VA", "2203")),
            member("B-1", first_name="BIA", relationship=RelationshipCode.CHILD, birth=date(2015, 1, 1)),
            member("C-1", first_name="CAL"),
        ]
    )

    report = import_text(text, bulk=bulk).report
    subscriber, child = report.rejections

    assert report.status == "partially_accepted"
    assert report.counts["members_applied"] == 2
    assert report.counts["members_rejected"] == 2
    assert (subscriber.code, subscriber.element, subscriber.segment_id) == (
        "address.invalid_zip",
        "N403",
        "N4",
    )
    assert subscriber.subscriber_id == "B-1"
    assert "'2203'" in subscriber.reason
    assert child.code == "enrollment.subscriber_rejected"
    assert str(subscriber.member_position) in child.reason
    assert count_rows(ctx)["persons"] == 2
    assert [span.relationship for span in spans_of(ctx, "A-1")] == ["subscriber"]
    assert [span.relationship for span in spans_of(ctx, "C-1")] == ["subscriber"]


def test_unknown_plan_names_elements(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    text = interchange_text([member("A-1", coverages=(coverage(plan="99999VA0990001"),)), member("C-1")])

    report = import_text(text).report
    rejection = report.rejections[0]

    assert rejection.code == "enrollment.unknown_plan"
    assert rejection.element == "REF02"
    assert "HD03 HLT" in rejection.reason
    assert "REF*CE '99999VA099000101'" in rejection.reason
    assert "--plan-map" in (rejection.hint or "")
    assert count_rows(ctx)["persons"] == 1


def test_bad_date_rejected_by_reader(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    good = interchange_text([member("A-1"), member("C-1")])
    # The second member's birth date becomes February 30th.
    birth = "DMG*D8*19860520*F~"
    second = good.index(birth, good.index(birth) + 1)
    text = good[:second] + "DMG*D8*19860230*F~" + good[second + len(birth) :]

    report = import_text(text).report

    assert [rejection.code for rejection in report.rejections] == ["x12.invalid_date"]
    assert report.rejections[0].element == "DMG02"
    assert report.rejections[0].subscriber_id == "C-1"
    assert report.counts["members_applied"] == 1
    assert person(ctx, "A-1").birth_date == date(1986, 5, 20)


def test_missing_birth_date_rejects_new_member(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    report = import_text(interchange_text([member("A-1", birth=None)])).report

    assert [rejection.code for rejection in report.rejections] == ["enrollment.birth_date_missing"]
    assert report.rejections[0].element == "DMG02"
    assert report.status == "rejected"
    assert count_rows(ctx) == {"persons": 0, "accounts": 0, "policies": 0, "spans": 0, "amounts": 0}


def test_residence_outside_areas(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    outside = Address("1 BAY RD", "", "NORFOLK", "VA", "23510")

    report = import_text(interchange_text([member("A-1", address=outside)])).report

    assert [rejection.code for rejection in report.rejections] == ["enrollment.no_rating_area"]
    assert report.rejections[0].element == "N403"
    assert "23510" in report.rejections[0].reason


def test_group_plan_without_group(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    text = interchange_text(
        [member("A-1", coverages=(coverage(plan=""),))], references=(Reference("38", "GRP-404"),)
    )

    report = import_text(text, plan_map=SAMPLE_PLAN_MAP).report
    rejection = report.rejections[0]

    assert rejection.code == "enrollment.group_not_found"
    assert "group number GRP-404" in rejection.reason
    assert "sponsor tax id 541234567" in rejection.reason
    assert "premia groups create" in (rejection.hint or "")
    assert count_rows(ctx)["persons"] == 0
