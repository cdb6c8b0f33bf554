"""Changes to stored enrollments: demographics with history, terminations, cancellations,
reinstatements, Exchange amounts, and audit files that change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import select

from premia.accounts import person_service
from premia.accounts.model import Address, PersonInput
from premia.accounts.tables import PersonHistory
from premia.enrollment.tables import CoverageEvent, ExchangeAmount
from premia.formats.x12 import MaintenanceType, QualifiedDate, RelationshipCode, TransactionAction
from premia.importers.enrollment import ImportResult
from premia.infra.context import ServiceContext
from tests.integration.enrollment_import.conftest import count_rows, person, policies_of, spans_of
from tests.integration.enrollment_import.enrollment_files import (
    JANUARY_FIRST,
    coverage,
    fragment_834,
    interchange_text,
    member,
)

pytestmark = pytest.mark.database

APRIL_FIRST = date(2026, 4, 1)
JANUARY_LAST = date(2026, 1, 31)


def test_values_trimmed_before_matching(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    person_service.create_person(
        ctx,
        PersonInput(
            first_name="A",
            last_name="SUBSCRIBER",
            birth_date=date(1980, 2, 2),
            member_id="M-501",
            email="subscriber.a@example.net",
            residential_address=Address("12 ELM ST", "FAIRFAX", "VA", "22030"),
        ),
    )
    text = fragment_834(
        """
        INS*Y*18*001*25*A***FT~
        REF*0F*M-501 ~
        NM1*IL*1*SUBSCRIBER*A~
        PER*IP**EM*subscriber.a@example.org ~
        N3*48 OAK AVE*APT 2~
        """
    )

    report = import_text(text).report
    subscriber = person(ctx, "M-501")
    history = ctx.session.scalars(
        select(PersonHistory).where(
            PersonHistory.person_id == subscriber.id, PersonHistory.field != "created"
        )
    ).all()

    assert (
        report.counts["persons_updated"],
        report.counts["persons_created"],
        report.counts["members_rejected"],
    ) == (1, 0, 0)
    assert subscriber.email == "subscriber.a@example.org"
    assert (subscriber.address_line1, subscriber.address_line2, subscriber.city) == (
        "48 OAK AVE",
        "APT 2",
        "FAIRFAX",
    )
    assert {(row.field, row.old_value, row.new_value) for row in history} == {
        ("email", "subscriber.a@example.net", "subscriber.a@example.org"),
        ("address_line1", "12 ELM ST", "48 OAK AVE"),
        ("address_line2", None, "APT 2"),
    }
    assert {row.source for row in history} == {"834"}
    assert {row.source_reference for row in history} == {f"834 import {report.import_id}, INS at segment 7"}


def test_move_to_other_area_warns(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    import_text(interchange_text([member("R-1")]))
    move = fragment_834(
        """
        INS*Y*18*001*43*A~
        REF*0F*R-1~
        NM1*IL*1*RIVERA*ANA~
        N3*9 CARY ST~
        N4*RICHMOND*VA*23219~
        """
    )

    report = import_text(move).report
    policy = policies_of(ctx, "R-1")[0]

    assert person(ctx, "R-1").city == "RICHMOND"
    assert policy.rating_area == "VA-1"
    assert [warning.code for warning in report.warnings] == ["enrollment.rating_area_changed"]
    assert "rating area VA-2" in report.warnings[0].message


def test_retro_termination_then_reinstatement(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    import_text(
        interchange_text(
            [
                member("T-1"),
                member("T-1", first_name="TEO", relationship=RelationshipCode.CHILD, birth=date(2012, 5, 5)),
            ]
        )
    )
    terminate = interchange_text(
        [
            member(
                "T-1",
                maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION,
                coverages=(
                    coverage(
                        start=None, end=JANUARY_LAST, maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION
                    ),
                ),
            )
        ],
        control_number="000000102",
    )

    ended = import_text(terminate).report
    policy = policies_of(ctx, "T-1")[0]
    ended_spans = [
        (span.relationship, span.end_date) for span in spans_of(ctx, "T-1") + spans_of(ctx, "T-1-01")
    ]
    events = ctx.session.scalars(select(CoverageEvent).where(CoverageEvent.policy_id == policy.id)).all()

    assert ended.counts["terminations"] == 1
    assert (policy.status, policy.end_date) == ("terminated", JANUARY_LAST)
    assert ended_spans == [("subscriber", JANUARY_LAST), ("child", JANUARY_LAST)]
    # The term reaches back into January, which may be billed already: the events are
    # effective-dated so the next bill run credits the difference.
    assert sorted(
        (event.event, event.effective_date) for event in events if event.event != "member_added"
    ) == [
        ("member_ended", JANUARY_LAST),
        ("member_ended", JANUARY_LAST),
        ("policy_created", JANUARY_FIRST),
        ("policy_terminated", JANUARY_LAST),
    ]

    reinstate = interchange_text(
        [member("T-1", maintenance=MaintenanceType.REINSTATEMENT, coverages=())], control_number="000000103"
    )
    reinstated = import_text(reinstate).report
    ctx.session.refresh(policy)

    assert reinstated.counts["reinstatements"] == 1
    assert (policy.status, policy.end_date) == ("active", None)
    assert [span.end_date for span in spans_of(ctx, "T-1")] == [None]
    assert [span.end_date for span in spans_of(ctx, "T-1-01")] == [JANUARY_LAST]


def test_end_on_start_cancels(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    start = coverage(start=APRIL_FIRST)
    import_text(
        interchange_text(
            [
                member("K-1", coverages=(start,)),
                member("K-1", first_name="KAI", relationship=RelationshipCode.SPOUSE),
            ]
        )
    )
    cancel = interchange_text(
        [
            member(
                "K-1",
                maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION,
                coverages=(
                    coverage(
                        start=APRIL_FIRST,
                        end=APRIL_FIRST,
                        maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION,
                    ),
                ),
            )
        ],
        control_number="000000102",
    )

    report = import_text(cancel).report
    policy = policies_of(ctx, "K-1")[0]
    spans = spans_of(ctx, "K-1") + spans_of(ctx, "K-1-01")

    # An end date equal to the start signals a cancellation: the cancelled status, never a one-day span.
    assert report.counts["cancellations"] == 1
    assert (policy.status, policy.end_date) == ("cancelled", None)
    assert [(span.start_date, span.end_date, span.voided) for span in spans] == [
        (APRIL_FIRST, None, True),
        (APRIL_FIRST, None, True),
    ]


def test_termination_sent_twice(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    import_text(interchange_text([member("T-1")]))
    terminations = [
        interchange_text(
            [
                member(
                    "T-1",
                    maintenance=MaintenanceType.CANCELLATION_OR_TERMINATION,
                    coverages=(),
                    dates=(QualifiedDate("357", JANUARY_LAST),),
                )
            ],
            control_number=number,
        )
        for number in ("000000102", "000000103")
    ]

    first = import_text(terminations[0]).report
    second = import_text(terminations[1]).report

    assert first.counts["terminations"] == 1
    assert second.counts["unchanged"] == 1
    assert second.counts["terminations"] == 0


def test_change_ending_coverage_counts_as_termination(
    ctx: ServiceContext, import_text: Callable[..., ImportResult]
) -> None:
    import_text(interchange_text([member("C-9")]))
    # An INS03 001 change whose HD line carries the end date, as some senders terminate.
    ended = member(
        "C-9",
        maintenance=MaintenanceType.CHANGE,
        coverages=(coverage(maintenance=MaintenanceType.CHANGE, end=JANUARY_LAST),),
    )

    report = import_text(interchange_text([ended], control_number="000000102")).report

    assert report.counts["terminations"] == 1
    assert report.counts["changes"] == 0
    assert policies_of(ctx, "C-9")[0].end_date == JANUARY_LAST


def test_new_aptc_closes_old(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    import_text(interchange_text([member("P-1", amounts={"premium_cents": 50480, "aptc_cents": 30000})]))
    change = fragment_834(
        """
        INS*Y*18*001*AI*A~
        REF*0F*P-1~
        NM1*IL*1*RIVERA*ANA~
        LS*2700~
        LX*1~
        N1*75*APTC AMT~
        REF*9X*250~
        DTP*007*D8*20260301~
        LE*2700~
        """
    )

    report = import_text(change).report
    rows = ctx.session.scalars(
        select(ExchangeAmount).where(ExchangeAmount.kind == "aptc").order_by(ExchangeAmount.start_date)
    ).all()

    assert report.counts["changes"] == 1
    assert [(row.amount_cents, row.start_date, row.end_date) for row in rows] == [
        (30000, JANUARY_FIRST, date(2026, 2, 28)),
        (25000, date(2026, 3, 1), None),
    ]


def test_state_category_date_ignored(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    # State files send DTP*007 in 2750 categories of their own, such as a due date. Only the
    # Exchange's categories date the amounts, so AMT*P3 takes the coverage start here.
    text = fragment_834(
        """
        INS*Y*18*021*28*A~
        REF*0F*S-1~
        NM1*IL*1*RIVERA*ANA~
        N3*12 ELM ST~
        N4*FAIRFAX*VA*22030**CY*Fairfax County~
        DMG*D8*19860520*F~
        AMT*P3*504.80~
        HD*021**HLT**FAM~
        DTP*348*D8*20260101~
        REF*CE*12345VA002000101~
        LS*2700~
        LX*1~
        N1*75*DUE DATE~
        DTP*007*D8*20260620~
        LE*2700~
        """
    )

    report = import_text(text).report
    rows = ctx.session.scalars(select(ExchangeAmount).where(ExchangeAmount.kind == "premium")).all()

    assert report.counts["additions"] == 1
    assert [(row.amount_cents, row.start_date) for row in rows] == [(50480, JANUARY_FIRST)]


def test_dependent_added_later(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    import_text(interchange_text([member("Q-1")]))
    added = interchange_text(
        [
            member(
                "Q-1",
                first_name="QUIN",
                relationship=RelationshipCode.CHILD,
                birth=date(2026, 2, 10),
                dates=(QualifiedDate("356", date(2026, 2, 10)),),
            )
        ],
        control_number="000000102",
    )

    report = import_text(added).report

    assert report.counts["additions"] == 1
    assert [(span.relationship, span.start_date) for span in spans_of(ctx, "Q-1-01")] == [
        ("child", date(2026, 2, 10))
    ]
    assert spans_of(ctx, "Q-1-01")[0].policy_id == policies_of(ctx, "Q-1")[0].id


def test_audit_reports_differences(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    import_text(interchange_text([member("Z-1")]))
    before = count_rows(ctx)
    audit = interchange_text(
        [
            member(
                "Z-1",
                maintenance=MaintenanceType.AUDIT_OR_COMPARE,
                birth=date(1986, 5, 21),
                coverages=(coverage(start=date(2026, 2, 1), maintenance=MaintenanceType.AUDIT_OR_COMPARE),),
            )
        ],
        control_number="000000102",
    )

    report = import_text(audit).report

    assert report.counts["audited"] == 1
    assert [(item.field, item.premia_value, item.file_value) for item in report.discrepancies] == [
        ("birth_date", "1986-05-20", "1986-05-21"),
        ("coverage_start", "2026-01-01", "2026-02-01"),
    ]
    assert person(ctx, "Z-1").birth_date == date(1986, 5, 20)
    assert count_rows(ctx) == before


@pytest.mark.parametrize(
    "action", [TransactionAction.VERIFY, TransactionAction.REPLACE], ids=["verify", "replace"]
)
def test_full_file_applies_nothing(
    ctx: ServiceContext, import_text: Callable[..., ImportResult], action: TransactionAction
) -> None:
    full_file = interchange_text([member("V-1")], action=action)

    report = import_text(full_file).report

    assert report.counts["audited"] == 1
    assert [item.field for item in report.discrepancies] == ["member"]
    assert count_rows(ctx)["persons"] == 0
