"""Members are grouped into families from INS01 and REF*0F, rejected loops included."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select

from premia.accounts.tables import Person
from premia.enrollment.tables import CoverageSpan
from premia.formats.x12 import RelationshipCode
from premia.importers.enrollment import ImportResult
from premia.infra.context import ServiceContext
from tests.integration.enrollment_import.conftest import person
from tests.integration.enrollment_import.enrollment_files import interchange_text, member

pytestmark = pytest.mark.database


def _child(subscriber_id: str, first_name: str, day: int = 1) -> object:
    return member(
        subscriber_id,
        first_name=first_name,
        relationship=RelationshipCode.CHILD,
        birth=date(2015, 1, day),
        ssn=f"55566{day:04d}",
    )


def _persons(ctx: ServiceContext) -> int:
    return ctx.session.scalar(select(func.count()).select_from(Person)) or 0


def _members_of_policy_of(ctx: ServiceContext, member_id: str) -> int:
    (span,) = ctx.session.scalars(select(CoverageSpan).where(CoverageSpan.person_id == person(ctx, member_id).id))
    query = select(func.count()).select_from(CoverageSpan).where(CoverageSpan.policy_id == span.policy_id)
    return ctx.session.scalar(query) or 0


@pytest.mark.parametrize("ins01", ["Y", "X"], ids=["bad-birth-date", "bad-ins01"])
def test_rejected_subscriber_takes_dependents(
    ctx: ServiceContext, import_text: Callable[..., ImportResult], ins01: str
) -> None:
    text = interchange_text(
        [
            member("S-1", first_name="ANA"),
            _child("S-1", "ALI", 1),
            member("S-2", first_name="BEA"),
            _child("S-2", "BO", 2),
            _child("S-2", "BEN", 3),
        ]
    )
    # The reader rejects S-2's own loop, for a birth date that is no date or an INS01 that is
    # neither Y nor N (INS02 18 still says it is the subscriber).
    second = text.index("REF*0F*S-2~")
    start = text.rindex("INS*", 0, second)
    loop = text[start:second].replace("INS*Y*18", f"INS*{ins01}*18")
    if ins01 == "Y":
        loop = loop + text[second : text.index("INS*", second)]
        loop = loop.replace("DMG*D8*19860520", "DMG*D8*19861340")
    text = text[:start] + loop + text[start + len(loop) :]

    report = import_text(text).report

    codes = [(rejection.subscriber_id, rejection.code) for rejection in report.rejections]
    assert codes[1:] == [("S-2", "enrollment.subscriber_rejected")] * 2
    assert codes[0][0] == "S-2"
    assert report.counts["members_applied"] == 2
    assert _persons(ctx) == 2
    assert _members_of_policy_of(ctx, "S-1") == 2


def test_dependents_without_subscriber_stay_apart(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    # Two dependents with one REF*0F that is not their subscriber's before them: it cannot
    # be each one's own identifier, so it names a subscriber whose loop was not sent.
    text = interchange_text(
        [member("S-1", first_name="ANA"), _child("S-1", "ALI", 1), _child("S-9", "CY", 2), _child("S-9", "CAL", 3)]
    )

    report = import_text(text).report

    assert report.counts["members_applied"] == 2
    assert [rejection.subscriber_id for rejection in report.rejections] == ["S-9", "S-9"]
    assert _persons(ctx) == 2
    assert _members_of_policy_of(ctx, "S-1") == 2


def test_dependent_own_identifier_joins_family(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    # Some senders put a dependent's own identifier in REF*0F, right after its subscriber.
    text = interchange_text([member("S-1", first_name="ANA"), _child("D-77", "ALI", 1)])

    report = import_text(text).report

    assert report.counts["members_applied"] == 2
    assert _members_of_policy_of(ctx, "S-1") == 2
