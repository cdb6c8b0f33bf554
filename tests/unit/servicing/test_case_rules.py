"""The case transition table and how case events become clock segments."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from premia.kernel.errors import ConflictError
from premia.servicing.case_clock import segments_of, until_first_response
from premia.servicing.cases import TRANSITIONS, next_status
from premia.servicing.config import ServicingConfig, default_config
from premia.servicing.model import CaseAction, CasePriority, CaseStatus, CaseType
from premia.servicing.sla import BusinessHours, ClockPhase, ClockSegment


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "action", "expected"),
    [
        (CaseStatus.NEW, CaseAction.ASSIGN, CaseStatus.OPEN),
        (CaseStatus.OPEN, CaseAction.WAIT_ON_MEMBER, CaseStatus.WAITING_ON_MEMBER),
        (CaseStatus.WAITING_ON_MEMBER, CaseAction.RESUME, CaseStatus.OPEN),
        (CaseStatus.WAITING_ON_MEMBER, CaseAction.RESOLVE, CaseStatus.RESOLVED),
        (CaseStatus.RESOLVED, CaseAction.CLOSE, CaseStatus.CLOSED),
        (CaseStatus.RESOLVED, CaseAction.REOPEN, CaseStatus.OPEN),
        (CaseStatus.CLOSED, CaseAction.REOPEN, CaseStatus.OPEN),
    ],
)
def test_allowed_transition(current: CaseStatus, action: CaseAction, expected: CaseStatus) -> None:
    assert next_status(current, action, record="case CASE-000001") is expected


def test_disallowed_transition_names_allowed_actions() -> None:
    with pytest.raises(ConflictError) as raised:
        next_status(CaseStatus.CLOSED, CaseAction.RESOLVE, record="case CASE-000001")

    assert raised.value.code == "case.transition_not_allowed"
    assert raised.value.hint == "Allowed now: reopen."


def test_every_status_has_a_way_forward() -> None:
    statuses_with_moves = {status for status, _ in TRANSITIONS}

    assert statuses_with_moves == set(CaseStatus)


def test_segments_merge_same_phase() -> None:
    changes = [
        (utc(2026, 3, 2, 15), CaseStatus.NEW),
        (utc(2026, 3, 2, 16), CaseStatus.OPEN),
        (utc(2026, 3, 2, 17), CaseStatus.WAITING_ON_MEMBER),
        (utc(2026, 3, 3, 15), CaseStatus.RESOLVED),
        (utc(2026, 3, 4, 15), CaseStatus.CLOSED),
    ]

    segments = segments_of(changes)

    assert segments == [
        ClockSegment(ClockPhase.RUNNING, utc(2026, 3, 2, 15), utc(2026, 3, 2, 17)),
        ClockSegment(ClockPhase.PAUSED, utc(2026, 3, 2, 17), utc(2026, 3, 3, 15)),
        ClockSegment(ClockPhase.STOPPED, utc(2026, 3, 3, 15)),
    ]


def test_first_response_cuts_segments() -> None:
    segments = [
        ClockSegment(ClockPhase.RUNNING, utc(2026, 3, 2, 15), utc(2026, 3, 2, 17)),
        ClockSegment(ClockPhase.PAUSED, utc(2026, 3, 2, 17)),
    ]

    cut = until_first_response(segments, utc(2026, 3, 2, 16))

    # The segment holding the response stays open, so its deadline is the one in force.
    assert cut == [ClockSegment(ClockPhase.RUNNING, utc(2026, 3, 2, 15))]


def test_default_config_covers_every_case() -> None:
    config = default_config("America/Chicago")

    for case_type in CaseType:
        assert config.queue_for_type[case_type] in config.queues
        for priority in CasePriority:
            assert config.target_for(case_type, priority).resolution_minutes > 0


def test_config_rejects_unknown_queue() -> None:
    hours = BusinessHours("America/Chicago", time(9), time(17))

    with pytest.raises(ValueError, match="undefined queues"):
        ServicingConfig(time_zone="America/Chicago", queues={"billing": hours})


def test_config_rejects_empty_fcr_window() -> None:
    base = default_config("America/Chicago")

    with pytest.raises(ValueError, match="window"):
        ServicingConfig(time_zone=base.time_zone, queues=base.queues, fcr_window=timedelta(0))
