"""Surveys after resolution: a token link with no PHI, one answer per survey, CSAT with raw counts."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from premia.accounts.tables import BillingAccount
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError
from premia.notices.model import NoticeType
from premia.notices.tables import Notice
from premia.servicing import cases, metrics
from premia.servicing.model import CaseInput, CaseType, ResolutionCode
from premia.servicing.surveys import answer_survey, hash_token, send_survey
from premia.servicing.tables import CaseSurvey, ServiceCase
from tests.integration.servicing.conftest import Desk, utc

pytestmark = pytest.mark.database

OPENED = utc(2026, 3, 2, 15, 0)
RESOLVED = utc(2026, 3, 2, 17, 0)


def resolved_case(desk: Desk) -> ServiceCase:
    case = cases.open_case(
        desk.as_user("casey", OPENED),
        CaseInput(
            case_type=CaseType.INQUIRY,
            subject="Question about the asthma inhaler claim",
            member_id="MBR-3001",
        ),
        config=desk.config,
    )
    cases.resolve_case(
        desk.as_user("casey", RESOLVED),
        case.case_number,
        resolution="Explained the pend",
        code=ResolutionCode.ANSWERED,
        config=desk.config,
    )
    return case


def survey_of(desk: Desk, case: ServiceCase) -> CaseSurvey:
    return desk.session.scalar(select(CaseSurvey).where(CaseSurvey.case_id == case.id))


def test_survey_sent_without_phi(desk: Desk, member: BillingAccount) -> None:
    case = resolved_case(desk)

    survey = survey_of(desk, case)
    notice = desk.session.get(Notice, survey.notice_id)
    message = json.dumps(notice.data)
    assert notice.notice_type == NoticeType.SURVEY.value
    assert set(notice.data) == {"survey_path", "expires_on"}
    for private in ("Maria", "Lopez", "MBR-3001", "asthma", case.case_number):
        assert private not in message
    # sent 2026-03-02 + 30 days
    assert notice.data["expires_on"] == "2026-04-01"


def test_answer_stored_against_case(desk: Desk, member: BillingAccount) -> None:
    case = resolved_case(desk)
    ctx = desk.as_user("casey", RESOLVED + timedelta(days=1))
    sent = send_survey(ctx, case, config=desk.config)
    # the survey for this resolution already exists, so nothing new is sent
    assert sent is None
    survey = survey_of(desk, case)
    notice = desk.session.get(Notice, survey.notice_id)
    token = notice.data["survey_path"].removeprefix("/survey/")

    answered = answer_survey(ctx, token, 4, comment="Quick and clear")

    assert answered.case_id == case.id
    assert answered.score == 4
    assert survey.token_hash == hash_token(token)


def test_second_answer_rejected(desk: Desk, member: BillingAccount) -> None:
    case = resolved_case(desk)
    token = (
        desk.session.get(Notice, survey_of(desk, case).notice_id).data["survey_path"].removeprefix("/survey/")
    )
    ctx = desk.as_user("casey", RESOLVED + timedelta(days=1))
    answer_survey(ctx, token, 5)

    with pytest.raises(ConflictError) as raised:
        answer_survey(ctx, token, 1)

    assert raised.value.code == "survey.already_answered"


def test_expired_link_rejected(desk: Desk, member: BillingAccount) -> None:
    case = resolved_case(desk)
    token = (
        desk.session.get(Notice, survey_of(desk, case).notice_id).data["survey_path"].removeprefix("/survey/")
    )

    with pytest.raises(ConflictError) as raised:
        answer_survey(desk.as_user("casey", RESOLVED + timedelta(days=31)), token, 5)

    assert raised.value.code == "survey.expired"


@pytest.mark.parametrize("score", [0, 6, True])
def test_score_outside_scale_rejected(desk: Desk, member: BillingAccount, score: int) -> None:
    case = resolved_case(desk)
    token = (
        desk.session.get(Notice, survey_of(desk, case).notice_id).data["survey_path"].removeprefix("/survey/")
    )

    with pytest.raises(ValidationError):
        answer_survey(desk.as_user("casey", RESOLVED), token, score)


def test_unknown_token_rejected(desk: Desk, member: BillingAccount) -> None:
    with pytest.raises(NotFoundError):
        answer_survey(desk.as_user("casey", RESOLVED), "not-a-token", 5)


def test_reopened_case_surveyed_again(desk: Desk, member: BillingAccount) -> None:
    case = resolved_case(desk)
    cases.reopen_case(
        desk.as_user("casey", RESOLVED + timedelta(hours=1)),
        case.case_number,
        reason="Member called back",
        config=desk.config,
    )
    cases.resolve_case(
        desk.as_user("casey", RESOLVED + timedelta(hours=2)),
        case.case_number,
        resolution="Fixed",
        code=ResolutionCode.CORRECTED,
        config=desk.config,
    )

    rounds = desk.session.scalars(
        select(CaseSurvey.resolution_round).where(CaseSurvey.case_id == case.id).order_by(CaseSurvey.id)
    ).all()

    assert rounds == [1, 2]


def test_csat_report_counts(desk: Desk, member: BillingAccount) -> None:
    scores = [5, 5, 4, 3, 1]
    for score in scores:
        case = resolved_case(desk)
        token = (
            desk.session.get(Notice, survey_of(desk, case).notice_id)
            .data["survey_path"]
            .removeprefix("/survey/")
        )
        answer_survey(desk.as_user("casey", RESOLVED + timedelta(hours=1)), token, score)

    counts = metrics.csat_report(
        desk.as_user("sam", RESOLVED),
        first_day=date(2026, 3, 1),
        last_day=date(2026, 3, 31),
        config=desk.config,
    )

    assert counts.responses == 5
    assert counts.top_two_box == 3
    # 3 of 5 = 60.0 %; top box 2 of 5 = 40.0 %
    assert str(counts.top_two_box_percent) == "60.0"
    assert str(counts.top_box_percent) == "40.0"
