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
from tests.integration.enrollment_import.enrollment_files import coverage, interchange_text, member

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
    # neither Y nor N (INS02 18 still marks it as the subscriber).
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
    # The dependents' reason names the subscriber and why it was rejected.
    assert report.rejections[1].reason.startswith("Subscriber S-2 was rejected at segment ")
    assert report.rejections[0].reason in report.rejections[1].reason
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


def _priced_family(*, faulty_child: str | None) -> str:
    """A subscriber with Exchange amounts and two children; ``faulty_child`` spoils the first child."""
    subscriber = member("S-1", first_name="ANA", amounts={"premium_cents": 41_000, "premium_total_cents": 90_000})
    first = _child("S-1", "ALI", 1)
    if faulty_child == "intake":
        first = first._replace(coverages=(coverage(plan="99999VA0990001"),))
    members = [subscriber, first, _child("S-1", "AMY", 2)] if faulty_child else [subscriber, _child("S-1", "AMY", 2)]
    text = interchange_text(members)
    if faulty_child == "reader":
        text = text.replace("DMG*D8*20150101", "DMG*D8*20151301")
    return text


def _differences(result: ImportResult) -> list[tuple[str, str, int, int]]:
    return [
        (difference.amount, difference.coverage_month, difference.exchange_cents, difference.premia_cents)
        for difference in result.report.rating_differences
    ]


@pytest.mark.parametrize("fault", ["reader", "intake"])
@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "per-member"])
def test_rejected_dependent_leaves_family_whole(
    ctx: ServiceContext, import_text: Callable[..., ImportResult], fault: str, bulk: bool
) -> None:
    # The family's Exchange amounts are compared with Premia's rating of the members it
    # enrolled, once the family ends, as if the rejected child had not been sent.
    savepoint = ctx.session.begin_nested()
    without_child = import_text(_priced_family(faulty_child=None), bulk=bulk)
    savepoint.rollback()

    result = import_text(_priced_family(faulty_child=fault), bulk=bulk)

    assert result.report.counts["members_applied"] == 2
    assert result.report.counts["members_rejected"] == 1
    assert _differences(without_child)
    assert _differences(result) == _differences(without_child)
    assert _members_of_policy_of(ctx, "S-1") == 2


def test_misplaced_ref_0f_keeps_family(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    # The subscriber's REF*0F comes after its name, so the reader rejects the loop. The
    # dependents carrying that REF*0F are still its family.
    text = interchange_text([member("S-1", first_name="ANA"), member("S-2", first_name="BEA")])
    loop_start = text.index("REF*0F*S-2~")
    name_end = text.index("~", text.index("NM1*IL", loop_start)) + 1
    text = text[:loop_start] + text[loop_start + len("REF*0F*S-2~\n") : name_end] + "\nREF*0F*S-2~" + text[name_end:]
    children = interchange_text([_child("S-2", "BO", 2), _child("S-2", "BEN", 3)])
    body = children[children.index("INS*") : children.index("SE*")]
    text = _appended(text, body)

    report = import_text(text).report

    assert [rejection.code for rejection in report.rejections][1:] == ["enrollment.subscriber_rejected"] * 2
    assert report.rejections[1].reason.startswith("Subscriber S-2 was rejected")
    assert _persons(ctx) == 1


def test_dependent_joins_named_subscriber(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    # A REF*0F that is another subscriber's in the same file names that subscriber: it is not
    # the dependent's own identifier, so the subscriber's record is left alone.
    text = interchange_text(
        [member("S-1", first_name="ANA"), member("S-2", first_name="BEA"), _child("S-1", "ALI", 1)]
    )

    report = import_text(text).report

    assert report.counts["members_applied"] == 3
    assert person(ctx, "S-1").first_name == "ANA"
    assert _members_of_policy_of(ctx, "S-1") == 2
    assert _members_of_policy_of(ctx, "S-2") == 1


def _appended(text: str, loops: str) -> str:
    """Return ``text`` with member ``loops`` added before SE, SE01 counting them."""
    se = text.index("SE*")
    count = int(text[se + 3 : text.index("*", se + 3)]) + loops.count("~")
    trailer = text[se:]
    trailer = f"SE*{count}*" + trailer[trailer.index("*", 3) + 1 :]
    return text[:se] + loops + trailer
