"""Cases through their statuses, with SLA clocks in business hours, versions and breach warnings."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from premia.accounts.tables import BillingAccount
from premia.audit.tables import AuditEntry
from premia.kernel.errors import ConflictError, PermissionDeniedError, ValidationError
from premia.servicing import case_queries, cases
from premia.servicing.contacts import log_contact
from premia.servicing.model import (
    CaseInput,
    CasePriority,
    CaseStatus,
    CaseType,
    ContactChannel,
    ContactDirection,
    ContactInput,
    ContactSubject,
    ResolutionCode,
)
from premia.servicing.tables import ServiceCase
from tests.integration.servicing.conftest import Desk, utc

pytestmark = pytest.mark.database


def open_at(desk: Desk, at, **fields) -> ServiceCase:
    data = CaseInput(**{"case_type": CaseType.INQUIRY, "subject": "Why is March higher?", **fields})
    return cases.open_case(desk.as_user("casey", at), data, config=desk.config)


def clocks(desk: Desk, case: ServiceCase, at, zone: str | None = None) -> dict[str, dict]:
    reports = case_queries.case_clocks(
        desk.as_user("casey", at), case.case_number, at=at, viewer_zone=zone, config=desk.config
    )
    return {report.name: report.to_dict() for report in reports}


def test_first_response_deadline_crosses_dst(desk: Desk) -> None:
    # Friday 2026-03-06 16:30 CST = 22:30Z; urgent inquiry: 1 business hour to first response
    case = open_at(desk, utc(2026, 3, 6, 22, 30), priority=CasePriority.URGENT, queue="billing")

    # 30 min Friday + 30 min from Monday 09:00 CDT = 09:30 CDT = 14:30Z
    assert case.first_response_due_at == utc(2026, 3, 9, 14, 30)


def test_reply_at_0920_meets_target(desk: Desk, member: BillingAccount) -> None:
    case = open_at(
        desk,
        utc(2026, 3, 6, 22, 30),
        priority=CasePriority.URGENT,
        queue="billing",
        account_number=member.account_number,
    )
    reply = ContactInput(
        ContactChannel.PHONE, ContactDirection.OUTBOUND, ContactSubject.BILLING, case_number=case.case_number
    )

    log_contact(desk.as_user("casey", utc(2026, 3, 9, 14, 20)), reply, config=desk.config)

    first = clocks(desk, case, utc(2026, 3, 9, 18, 0))["first_response"]
    assert case.first_response_at == utc(2026, 3, 9, 14, 20)
    # Friday 16:30-17:00 (30) + Monday 09:00-09:20 (20) = 50 minutes
    assert first["sla_minutes"] == 50
    assert first["met"] is True
    assert first["deadline"] == "2026-03-09T14:30:00+00:00"


def test_holiday_moves_deadline_to_tuesday(desk: Desk) -> None:
    # Friday 2026-01-16 15:00 CST = 21:00Z; a dispute with 4 business hours; Monday is MLK Day
    case = open_at(desk, utc(2026, 1, 16, 21, 0), case_type=CaseType.BILLING_DISPUTE, queue="billing")

    assert case.first_response_minutes == 240
    assert case.first_response_due_at == utc(2026, 1, 20, 17, 0)


def test_deadline_shown_in_viewer_zone(desk: Desk) -> None:
    # Wednesday 2026-04-01 13:30 CDT = 18:30Z, 30-minute first-response target
    case = open_at(
        desk, utc(2026, 4, 1, 18, 30), case_type=CaseType.BILLING_DISPUTE, priority=CasePriority.HIGH
    )

    new_york = clocks(desk, case, utc(2026, 4, 1, 18, 40), "America/New_York")["first_response"]
    los_angeles = clocks(desk, case, utc(2026, 4, 1, 18, 40), "America/Los_Angeles")["first_response"]
    later = clocks(desk, case, utc(2026, 4, 1, 19, 10), "America/Los_Angeles")["first_response"]

    assert case.first_response_due_at == utc(2026, 4, 1, 19, 0)
    assert new_york["deadline_local"] == "2026-04-01 15:00 EDT"
    assert los_angeles["deadline_local"] == "2026-04-01 12:00 PDT"
    assert new_york["due"] == "due in 20 minutes"
    assert los_angeles["due"] == "due in 20 minutes"
    assert new_york["breached"] is False
    assert los_angeles["breached"] is False
    assert later["breached"] is True


def test_resolved_from_waiting_excludes_pause(desk: Desk) -> None:
    # Wednesday 2026-04-01 10:00 CDT = 15:00Z, 16 business hours to resolve
    case = open_at(
        desk, utc(2026, 4, 1, 15, 0), case_type=CaseType.BILLING_DISPUTE, priority=CasePriority.HIGH
    )
    cases.update_case(
        desk.as_user("casey", utc(2026, 4, 1, 17, 0)),
        case.case_number,
        waiting_on_member=True,
        note="Asked for the bank statement",
        config=desk.config,
    )
    cases.resolve_case(
        desk.as_user("casey", utc(2026, 4, 6, 17, 0)),
        case.case_number,
        resolution="Statement shows the charge was billed correctly",
        code=ResolutionCode.ANSWERED,
        config=desk.config,
    )

    resolution = clocks(desk, case, utc(2026, 4, 6, 17, 0))["resolution"]

    assert case.status == CaseStatus.RESOLVED.value
    assert resolution["sla_minutes"] == 120
    # Wed 12:00-17:00 (5 h) + Thu (9 h) + Fri (9 h) + Mon 08:00-12:00 (4 h) = 27 h
    assert resolution["paused_minutes"] == 27 * 60
    # 2 h + 27 h = 29 h
    assert resolution["total_minutes"] == 29 * 60
    assert resolution["met"] is True
    assert resolution["breached"] is False


def test_reopened_case_resumes_clock(desk: Desk) -> None:
    # Monday 2026-03-02 09:00 CST = 15:00Z, billing queue, resolved at 12:00 CST
    case = open_at(desk, utc(2026, 3, 2, 15, 0), queue="billing")
    cases.resolve_case(
        desk.as_user("casey", utc(2026, 3, 2, 18, 0)),
        case.case_number,
        resolution="Explained the rate change",
        code=ResolutionCode.ANSWERED,
        config=desk.config,
    )
    cases.reopen_case(
        desk.as_user("casey", utc(2026, 3, 4, 16, 0)),
        case.case_number,
        reason="Member called back: still unclear",
        config=desk.config,
    )

    reopened = clocks(desk, case, utc(2026, 3, 4, 18, 0))["resolution"]

    assert case.status == CaseStatus.OPEN.value
    assert case.reopen_count == 1
    assert case.resolved_at is None
    # Monday 09:00-12:00 (3 h) + Wednesday 10:00-12:00 (2 h); the time resolved counts nowhere
    assert reopened["sla_minutes"] == 5 * 60
    assert reopened["total_minutes"] == 5 * 60
    # normal inquiry: 16 business hours; 11 h left from Wednesday 12:00 CST: 5 h Wed, 6 h Thu -> Thu 15:00 CST
    assert case.resolution_due_at == utc(2026, 3, 5, 21, 0)


def test_stale_version_is_conflict(desk: Desk) -> None:
    case = open_at(desk, utc(2026, 3, 2, 15, 0))
    seen_by_both = case.version

    cases.assign_case(
        desk.as_user("sam", utc(2026, 3, 2, 15, 5)),
        case.case_number,
        "casey",
        expected_version=seen_by_both,
        config=desk.config,
    )
    with pytest.raises(ConflictError) as raised:
        cases.update_case(
            desk.as_user("blake", utc(2026, 3, 2, 15, 6)),
            case.case_number,
            priority=CasePriority.HIGH,
            expected_version=seen_by_both,
            config=desk.config,
        )

    assert raised.value.code == "case.version_conflict"
    assert case.priority == CasePriority.NORMAL.value
    assert case.owner == "casey"


def test_lost_race_on_flush_is_conflict(desk: Desk) -> None:
    case = open_at(desk, utc(2026, 3, 2, 15, 0))
    # Another session saves first: the row's version moves under this session's copy.
    desk.session.execute(
        update(ServiceCase.__table__)
        .where(ServiceCase.__table__.c.id == case.id)
        .values(version=case.version + 1)
    )

    with pytest.raises(ConflictError) as raised:
        cases.assign_case(
            desk.as_user("sam", utc(2026, 3, 2, 15, 5)), case.case_number, "casey", config=desk.config
        )

    assert raised.value.code == "case.version_conflict"


def test_closed_case_cannot_be_resolved(desk: Desk) -> None:
    case = open_at(desk, utc(2026, 3, 2, 15, 0))
    cases.resolve_case(
        desk.as_user("casey", utc(2026, 3, 2, 16, 0)),
        case.case_number,
        resolution="Answered",
        code=ResolutionCode.ANSWERED,
        config=desk.config,
    )
    cases.close_case(desk.as_user("casey", utc(2026, 3, 3, 16, 0)), case.case_number, config=desk.config)

    with pytest.raises(ConflictError, match="cannot resolve"):
        cases.resolve_case(
            desk.as_user("casey", utc(2026, 3, 3, 17, 0)),
            case.case_number,
            resolution="Again",
            code=ResolutionCode.ANSWERED,
            config=desk.config,
        )


def test_owner_must_be_case_worker(desk: Desk) -> None:
    case = open_at(desk, utc(2026, 3, 2, 15, 0))

    with pytest.raises(ValidationError) as unknown:
        cases.assign_case(
            desk.as_user("sam", utc(2026, 3, 2, 15, 5)), case.case_number, "nobody", config=desk.config
        )
    with pytest.raises(ValidationError) as auditor:
        cases.assign_case(
            desk.as_user("sam", utc(2026, 3, 2, 15, 5)), case.case_number, "ari", config=desk.config
        )

    assert unknown.value.code == "case.owner_unknown"
    assert auditor.value.code == "case.owner_cannot_work_cases"


def test_unknown_queue_rejected(desk: Desk) -> None:
    with pytest.raises(ValidationError) as raised:
        open_at(desk, utc(2026, 3, 2, 15, 0), queue="claims")

    assert raised.value.code == "case.queue_unknown"


def test_breach_warnings_for_supervisors(desk: Desk) -> None:
    # Monday 2026-03-02, billing queue 09:00-17:00 CST; urgent inquiries: 1 h to first response
    breached = open_at(desk, utc(2026, 3, 2, 15, 0), priority=CasePriority.URGENT, queue="billing")
    due_soon = open_at(desk, utc(2026, 3, 2, 16, 20), priority=CasePriority.URGENT, queue="billing")
    far = open_at(desk, utc(2026, 3, 2, 16, 20), priority=CasePriority.LOW, queue="billing")
    now = utc(2026, 3, 2, 16, 45)

    warnings = case_queries.breach_warnings(desk.as_user("sam", now), at=now, config=desk.config)

    listed = [(warning.case_number, warning.clock, warning.minutes_left) for warning in warnings]
    # breached: due 16:00Z, 45 minutes ago; due soon: due 17:20Z, in 35 minutes
    assert (breached.case_number, "first_response", -45) in listed
    assert (due_soon.case_number, "first_response", 35) in listed
    assert all(number != far.case_number for number, _, _ in listed)
    with pytest.raises(PermissionDeniedError):
        case_queries.breach_warnings(desk.as_user("casey", now), at=now, config=desk.config)


def test_paused_case_has_no_warning(desk: Desk) -> None:
    case = open_at(desk, utc(2026, 3, 2, 15, 0), priority=CasePriority.URGENT, queue="billing")
    cases.update_case(
        desk.as_user("casey", utc(2026, 3, 2, 15, 10)),
        case.case_number,
        waiting_on_member=True,
        config=desk.config,
    )
    now = utc(2026, 3, 2, 20, 0)

    warnings = case_queries.breach_warnings(desk.as_user("sam", now), at=now, config=desk.config)

    assert case.resolution_due_at is None
    assert warnings == []


def test_list_filters_open_cases(desk: Desk, member: BillingAccount) -> None:
    first = open_at(desk, utc(2026, 3, 2, 15, 0), member_id="MBR-3001")
    second = open_at(desk, utc(2026, 3, 2, 15, 30), member_id="MBR-3001")
    cases.resolve_case(
        desk.as_user("casey", utc(2026, 3, 2, 16, 0)),
        first.case_number,
        resolution="Answered",
        code=ResolutionCode.ANSWERED,
        config=desk.config,
    )

    listed = case_queries.list_cases(
        desk.as_user("casey", utc(2026, 3, 2, 17, 0)), member_id="MBR-3001", open_only=True
    )

    assert [view.case_number for view in listed] == [second.case_number]
    assert listed[0].account_number == member.account_number


def test_case_list_audited(desk: Desk, member: BillingAccount) -> None:
    opened = open_at(desk, utc(2026, 3, 2, 15, 0), member_id="MBR-3001")
    reader = desk.as_user("casey", utc(2026, 3, 2, 17, 0))

    case_queries.list_cases(reader, member_id="MBR-3001")

    rows = reader.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "search", AuditEntry.record_type == "case")
    ).all()
    assert [row.record_id for row in rows] == [opened.case_number]
    assert rows[0].username == "casey"
