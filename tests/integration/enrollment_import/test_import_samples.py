"""The public 834 samples: valid files import with their members, relationships and dates.
Malformed files are rejected with a reason naming the fault, and write nothing.

The LinuxForHealth samples share one interchange control number, so each test starts from
its own database and sets up, through the services, the enrollment a change file refers to.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from premia.accounts import person_service
from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, AccountKind, PersonInput, Sex
from premia.accounts.tables import BillingAccount, PersonHistory
from premia.enrollment import service as enrollment
from premia.enrollment.model import Market, PolicyStatus, Relationship
from premia.enrollment.tables import Policy
from premia.importers.enrollment import ImportResult
from premia.importers.enrollment.tables import ImportFile
from premia.infra.context import ServiceContext
from premia.lifecycle.tables import PolicyChange
from tests.integration.enrollment_import.conftest import (
    SAMPLE_PLAN_MAP,
    count_rows,
    person,
    policies_of,
    spans_of,
)

pytestmark = [pytest.mark.database, pytest.mark.samples]

LFH_START = date(1996, 6, 1)
LFH_END = date(1996, 8, 1)


def sample(samples_dir: Path, name: str) -> Path:
    path = samples_dir / "x12-834" / name
    if not path.is_file():
        pytest.skip(f"sample file {path} is missing")
    return path


@pytest.fixture
def import_sample(
    samples_dir: Path, import_text: Callable[..., ImportResult], sample_employers: None
) -> Callable[[str], ImportResult]:
    def run(name: str) -> ImportResult:
        return import_text(sample(samples_dir, name), plan_map=SAMPLE_PLAN_MAP)

    return run


@pytest.fixture
def enrolled(ctx: ServiceContext) -> Callable[..., Policy]:
    """Enroll a subscriber in an employer's group plan through the services, as a test setup."""

    def enroll(
        member_id: str,
        first_name: str,
        last_name: str,
        birth: date,
        *,
        start: date,
        group: str,
        middle_name: str | None = None,
        plan: str = "GROUP-HLT",
    ) -> Policy:
        subscriber = person_service.create_person(
            ctx,
            PersonInput(
                first_name=first_name,
                middle_name=middle_name,
                last_name=last_name,
                birth_date=birth,
                sex=Sex.MALE,
                member_id=member_id,
            ),
        )
        employer = accounts.get_group_row(ctx, group)
        account = ctx.session.scalar(
            select(BillingAccount).where(BillingAccount.holder_key == f"group:{employer.id}")
        ) or accounts.create_account(ctx, AccountInput(kind=AccountKind.GROUP, employer_group_number=group))
        return enrollment.create_policy(
            ctx,
            enrollment.PolicyInput(
                billing_account_id=account.id,
                subscriber_person_id=subscriber.id,
                plan_id=plan,
                rating_area="VA-2",
                market=Market.SMALL_GROUP,
                state="VA",
                effective_date=start,
                employer_group_id=employer.id,
                status=PolicyStatus.ACTIVE,
            ),
        )

    return enroll


def dependent_on(
    ctx: ServiceContext,
    policy: Policy,
    member_id: str,
    first_name: str,
    birth: date,
    *,
    ssn: str | None = None,
    relationship: Relationship = Relationship.CHILD,
) -> Any:
    child = person_service.create_person(
        ctx,
        PersonInput(first_name=first_name, last_name="DOE", birth_date=birth, member_id=member_id, ssn=ssn),
    )
    return enrollment.add_member(
        ctx, policy, person_id=child.id, relationship=relationship, start_date=policy.effective_date
    )


# Valid files --------------------------------------------------------------------------------


def test_enroll_multiple_products(ctx: ServiceContext, import_sample: Callable[[str], ImportResult]) -> None:
    report = import_sample("lfh-enroll-employee-multiple-products.834").report
    subscriber = person(ctx, "123456789")
    policies = policies_of(ctx, "123456789")

    assert report.status == "accepted"
    assert report.counts["additions"] == 1
    assert (subscriber.first_name, subscriber.middle_name, subscriber.last_name) == ("JOHN", "P", "DOE")
    assert subscriber.birth_date == date(1940, 8, 16)
    assert (subscriber.address_line1, subscriber.address_line2, subscriber.zip_code) == (
        "100 MARKET ST",
        "APT 30",
        "17011",
    )
    assert subscriber.phone == "7172343334"
    assert [policy.plan_id for policy in policies] == ["GROUP-HLT", "GROUP-VIS"]
    assert {policy.effective_date for policy in policies} == {LFH_START}
    assert {policy.market for policy in policies} == {"small_group"}
    assert {policy.rating_area for policy in policies} == {"VA-2"}
    assert [(span.relationship, span.start_date, span.end_date) for span in spans_of(ctx, "123456789")] == [
        ("subscriber", LFH_START, None),
        ("subscriber", LFH_START, None),
    ]


def test_enroll_with_dtp358(ctx: ServiceContext, import_sample: Callable[[str], ImportResult]) -> None:
    report = import_sample("edge-lfh-enroll-employee-managed-care-dtp358.834").report
    spans = spans_of(ctx, "123456789")

    assert report.status == "accepted"
    assert person(ctx, "123456789").first_name == "WILLIAM"
    assert [(span.relationship, span.start_date) for span in spans] == [("subscriber", LFH_START)]
    assert "x12.unknown_qualifier" in {warning.code for warning in report.warnings}


def test_family_of_three(ctx: ServiceContext, import_sample: Callable[[str], ImportResult]) -> None:
    report = import_sample("pyx12-834_deident_family.txt").report
    policies = policies_of(ctx, "M000002")
    start = date(2026, 4, 1)

    assert report.status == "accepted"
    assert report.counts["persons_created"] == 3
    assert len(policies) == 1
    assert policies[0].plan_id == "GROUP-HLT"
    assert [(span.relationship, span.start_date) for span in spans_of(ctx, "M000002")] == [
        ("subscriber", start)
    ]
    assert [(span.relationship, span.start_date) for span in spans_of(ctx, "M000003")] == [("spouse", start)]
    assert [(span.relationship, span.start_date) for span in spans_of(ctx, "M000004")] == [("child", start)]
    assert person(ctx, "M000004").birth_date == date(2010, 6, 12)


def test_add_dependent(
    ctx: ServiceContext, import_sample: Callable[[str], ImportResult], enrolled: Callable[..., Policy]
) -> None:
    policy = enrolled("123456789", "JOHN", "DOE", date(1940, 8, 16), start=LFH_START, group="123456001")

    report = import_sample("lfh-add-dependent.834").report
    child = person(ctx, "123456789-01")

    assert report.status == "accepted"
    assert (child.first_name, child.birth_date, child.ssn_last4) == ("JOHN", date(1977, 8, 16), "9876")
    assert [
        (span.policy_id, span.relationship, span.start_date) for span in spans_of(ctx, "123456789-01")
    ] == [(policy.id, "child", LFH_START)]


def test_cancel_dependent(
    ctx: ServiceContext, import_sample: Callable[[str], ImportResult], enrolled: Callable[..., Policy]
) -> None:
    policy = enrolled("123456789", "JOHN", "DOE", date(1940, 8, 16), start=LFH_START, group="123456001")
    dependent_on(ctx, policy, "123456789-01", "JAMES", date(1977, 8, 16), ssn="103229876")

    report = import_sample("lfh-cancel-dependent.834").report
    spans = spans_of(ctx, "123456789-01")

    # DTP*357 1996-08-01 is after the coverage start 1996-06-01, so this ends coverage that began.
    assert report.status == "accepted"
    assert report.counts["terminations"] == 1
    assert [(span.start_date, span.end_date, span.voided) for span in spans] == [(LFH_START, LFH_END, False)]
    assert [span.end_date for span in spans_of(ctx, "123456789")] == [None]


def test_change_subscriber(
    ctx: ServiceContext, import_sample: Callable[[str], ImportResult], enrolled: Callable[..., Policy]
) -> None:
    enrolled(
        "123456789", "JAMES", "DOE", date(1950, 4, 16), middle_name="E", start=LFH_START, group="123456001"
    )

    report = import_sample("lfh-change-subscriber-information.834").report
    subscriber = person(ctx, "123456789")
    history = ctx.session.scalars(
        select(PersonHistory).where(
            PersonHistory.person_id == subscriber.id, PersonHistory.field != "created"
        )
    ).all()

    assert report.status == "accepted"
    assert report.counts["persons_updated"] == 1
    assert subscriber.middle_name is None
    assert subscriber.birth_date == date(1950, 4, 15)
    assert {(row.field, row.old_value, row.new_value) for row in history} >= {
        ("middle_name", "E", None),
        ("birth_date", "1950-04-16", "1950-04-15"),
    }
    assert {row.source for row in history} == {"834"}


def test_terminate_subscriber(
    ctx: ServiceContext, import_sample: Callable[[str], ImportResult], enrolled: Callable[..., Policy]
) -> None:
    policy = enrolled("123456789", "JOHN", "DOE", date(1940, 8, 16), start=LFH_START, group="123456001")
    dependent_on(ctx, policy, "123456789-01", "JANE", date(1977, 8, 16))

    report = import_sample("lfh-terminate-subscriber-eligibility.834").report
    ctx.session.refresh(policy)

    assert report.status == "accepted"
    assert (policy.status, policy.end_date) == ("terminated", LFH_END)
    assert [span.end_date for span in spans_of(ctx, "123456789")] == [LFH_END]
    assert [span.end_date for span in spans_of(ctx, "123456789-01")] == [LFH_END]
    assert "enrollment.subscriber_relationship" in {warning.code for warning in report.warnings}


def test_terminate_two_subscribers(
    ctx: ServiceContext, import_sample: Callable[[str], ImportResult], enrolled: Callable[..., Policy]
) -> None:
    first = enrolled(
        "M000010", "PATRICIA", "JONES", date(1968, 9, 24), start=date(2021, 1, 1), group="GRP003"
    )
    second = enrolled("M000011", "THOMAS", "BROWN", date(1972, 4, 15), start=date(2021, 6, 1), group="GRP003")

    report = import_sample("pyx12-834_deident_term.txt").report
    for policy in (first, second):
        ctx.session.refresh(policy)

    assert report.counts["terminations"] == 2
    assert (first.status, first.end_date) == ("terminated", date(2026, 3, 31))
    assert (second.status, second.end_date) == ("terminated", date(2026, 3, 31))
    # An employer's file ends group coverage, so the lifecycle change names the employer.
    changes = ctx.session.scalars(select(PolicyChange).where(PolicyChange.policy_id.in_([first.id, second.id])))
    assert [(change.kind, change.source) for change in changes] == [("termination", "employer")] * 2


def test_change_medicaid_member(
    ctx: ServiceContext, import_sample: Callable[[str], ImportResult], enrolled: Callable[..., Policy]
) -> None:
    enrolled("REF OF", "FIRST", "INCORRECT", date(1993, 6, 20), start=date(2012, 9, 1), group="500647166")

    report = import_sample("pyx12-834_ls_le_ls.txt").report
    member = person(ctx, "REF OF")

    assert report.status == "accepted"
    assert (member.first_name, member.last_name) == ("SUBSCRIBER FIRST 1", "SUBSCRIBER LAST 1")
    assert member.birth_date == date(1983, 7, 19)
    assert (member.city, member.state, member.zip_code) == ("GRANTS PASS", "OR", "975260000")
    assert member.mailing_city == "SALEM"
    # DTP*357 in the member loop ends the coverage the HD line keeps.
    assert [(span.start_date, span.end_date) for span in spans_of(ctx, "REF OF")] == [
        (date(2012, 9, 1), date(2013, 3, 31))
    ]


def test_change_for_unknown_member(ctx: ServiceContext, import_sample: Callable[[str], ImportResult]) -> None:
    report = import_sample("pyx12-834_ls_le_ls.txt").report

    assert report.status == "rejected"
    assert [rejection.code for rejection in report.rejections] == ["enrollment.subscriber_not_found"]
    assert report.rejections[0].element == "REF02"
    assert count_rows(ctx)["persons"] == 0


def test_audit_transactions(ctx: ServiceContext, import_sample: Callable[[str], ImportResult]) -> None:
    report = import_sample("pyx12-multiple_st_loops.txt").report

    assert report.counts["audited"] == 4
    assert [(item.field, item.premia_value, item.file_value) for item in report.discrepancies] == [
        ("member", None, "JOHN DOE")
    ] * 4
    assert count_rows(ctx)["persons"] == 0


def test_verify_file_changes_nothing(
    ctx: ServiceContext, import_sample: Callable[[str], ImportResult], enrolled: Callable[..., Policy]
) -> None:
    enrolled("00389999", "JOHN", "DOE", date(1967, 3, 31), start=date(2015, 3, 1), group="000003409999")
    before = count_rows(ctx)

    report = import_sample("edge-pyx12-example834_5010-backslash-subelement.txt").report

    assert report.counts["audited"] == 1
    assert [(item.field, item.premia_value, item.file_value) for item in report.discrepancies] == [
        ("middle_name", None, "A"),
        ("birth_date", "1967-03-31", "1967-03-30"),
        ("address.line1", None, "777 ELM ST"),
        ("address.city", None, "ALLEGAN"),
        ("address.state", None, "MI"),
        ("address.zip_code", None, "49010"),
        ("exchange_premium", None, "45.34"),
    ]
    assert person(ctx, "00389999").birth_date == date(1967, 3, 31)
    assert count_rows(ctx) == before


# Malformed files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "element"),
    [
        ("malformed-834-iea-control-mismatch.txt", "x12.interchange_control_number_mismatch", "IEA02"),
        ("malformed-834-isa-not-fixed-width.834", "x12.isa_not_fixed_width", None),
        ("malformed-834-missing-iea.834", "x12.interchange_trailer_missing", None),
        ("malformed-834-wrong-se-count.txt", "x12.segment_count_mismatch", "SE01"),
    ],
)
def test_malformed_rejected(
    ctx: ServiceContext,
    import_sample: Callable[[str], ImportResult],
    name: str,
    code: str,
    element: str | None,
) -> None:
    result = import_sample(name)
    stored = ctx.session.scalars(select(ImportFile)).all()

    assert result.report.status == "rejected"
    assert [rejection.code for rejection in result.report.rejections] == [code]
    assert result.report.rejections[0].element == element
    assert count_rows(ctx) == {"persons": 0, "accounts": 0, "policies": 0, "spans": 0, "amounts": 0}
    assert [row.status for row in stored] == ["rejected"]
    assert result.acknowledgment is not None
    assert "TA1*" in result.acknowledgment or "IK5*R" in result.acknowledgment


def test_tr3_notes_sample_oddities(
    ctx: ServiceContext, samples_dir: Path, import_text: Callable[..., ImportResult], sample_employers: None
) -> None:
    path = sample(samples_dir, "edge-pyx12-example834_5010-backslash-subelement.txt")

    result = import_text(path, plan_map=SAMPLE_PLAN_MAP, tr3=True)
    tr3_elements = {warning.element for warning in result.report.warnings if warning.code.startswith("x12.tr3")}

    # pyx12 flags INS06 sent as "C   " (padded with spaces); Premia's own checks accept it.
    assert result.report.tr3["ran"] is True
    assert "INS06" in tr3_elements
    assert result.report.counts["audited"] == 1
    assert result.report.acknowledgment_code == "E"
