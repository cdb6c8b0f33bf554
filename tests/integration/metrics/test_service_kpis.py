"""First contact resolution, CSAT and SLA attainment read from stored contacts, surveys and case events.

Times are US Eastern (the test settings' carrier zone). The member services queue works
08:00-18:00 Monday to Friday; an inquiry of normal priority is due in two business days
(16 business hours) and needs a first response within 4 business hours.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from premia.metrics import AptcStatus, Period, Segment
from premia.metrics.service_desk import customer_satisfaction, first_contact_resolution, sla_attainment
from premia.notices.model import NoticeType
from premia.notices.tables import Notice
from premia.servicing import answer_survey, fcr_report, log_contact, open_case, resolve_case
from premia.servicing.model import (
    CaseInput,
    CaseType,
    ContactChannel,
    ContactDirection,
    ContactInput,
    ContactSubject,
    ResolutionCode,
)
from premia.staff.permissions import Role
from tests.conftest import make_context
from tests.integration.conftest import Story, story_catalog

EASTERN = ZoneInfo("America/New_York")
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 30))


def eastern(day: int, hour: int, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=EASTERN)


@pytest.fixture
def account(ctx):
    return Story(ctx=ctx, catalog=story_catalog()).at(date(2026, 2, 1)).account()


def csr(ctx, at: datetime):  # type: ignore[no-untyped-def]
    return make_context(ctx.session, role=Role.CSR, username="casey", instant=at)


def call(ctx, account, subject: ContactSubject, at: datetime, direction: ContactDirection = ContactDirection.INBOUND):  # type: ignore[no-untyped-def]
    return log_contact(
        csr(ctx, at),
        ContactInput(channel=ContactChannel.PHONE, direction=direction, subject=subject, account_number=account.account_number),
    )


def test_fcr_counts_repeat(ctx, account):
    call(ctx, account, ContactSubject.BILLING, eastern(2, 10))
    call(ctx, account, ContactSubject.BILLING, eastern(4, 11))
    call(ctx, account, ContactSubject.CLAIMS, eastern(10, 9))
    figure = first_contact_resolution(ctx, MARCH, Segment())
    # 03-02 repeated on 03-04; 03-04 and 03-10 had no repeat within 7 days: 2 of 3
    assert figure.numerator == 2
    assert figure.denominator == 3
    assert figure.value == Decimal("66.7")


def test_fcr_matches_service_desk_report(ctx, account):
    for day in (2, 4, 10, 12):
        call(ctx, account, ContactSubject.PAYMENTS, eastern(day, 14))
    figure = first_contact_resolution(ctx, MARCH, Segment())
    report = fcr_report(make_context(ctx.session, role=Role.SUPERVISOR, instant=eastern(30, 12, month=4)), first_day=MARCH.first_day, last_day=MARCH.last_day)
    assert figure.numerator == report.resolved_first_contact
    assert figure.denominator == report.measured


def test_fcr_ignores_outbound(ctx, account):
    call(ctx, account, ContactSubject.BILLING, eastern(2, 10))
    call(ctx, account, ContactSubject.BILLING, eastern(3, 10), ContactDirection.OUTBOUND)
    figure = first_contact_resolution(ctx, MARCH, Segment())
    assert figure.numerator == 1
    assert figure.detail["contacts"] == 1


def test_fcr_pending_window(ctx, account):
    call(ctx, account, ContactSubject.BILLING, eastern(27, 10))
    figure = first_contact_resolution(ctx, Period(MARCH.first_day, MARCH.last_day, date(2026, 3, 30)), Segment())
    # The 03-27 window runs to 04-03, after the 03-30 reading
    assert figure.detail["pending"] == 1
    assert figure.value is None


def test_fcr_segment_filters_accounts(ctx, account):
    call(ctx, account, ContactSubject.BILLING, eastern(2, 10))
    figure = first_contact_resolution(ctx, MARCH, Segment(aptc=AptcStatus.WITH_APTC))
    assert figure.detail["contacts"] == 0


def resolved_case(ctx, account, opened: datetime, resolved: datetime) -> str:  # type: ignore[no-untyped-def]
    case = open_case(csr(ctx, opened), CaseInput(case_type=CaseType.INQUIRY, subject="Invoice question", account_number=account.account_number))
    resolve_case(csr(ctx, resolved), case.case_number, resolution="Explained the invoice.", code=ResolutionCode.ANSWERED)
    return case.case_number


def survey_token(ctx, account) -> str:  # type: ignore[no-untyped-def]
    notice = ctx.session.scalar(
        select(Notice)
        .where(Notice.notice_type == NoticeType.SURVEY.value, Notice.billing_account_id == account.id)
        .order_by(Notice.id.desc())
        .limit(1)
    )
    return str(notice.data["survey_path"]).rsplit("/", 1)[-1]


def test_csat_top_two_and_top_box(ctx, account):
    for score, day in ((5, 2), (4, 3), (2, 4)):
        resolved_case(ctx, account, eastern(day, 9), eastern(day, 11))
        answer_survey(csr(ctx, eastern(day, 15)), survey_token(ctx, account), score)
    top_two, top_box = customer_satisfaction(ctx, MARCH, Segment())
    # 4s and 5s: 2 of 3 = 66.7%; 5s: 1 of 3 = 33.3%
    assert top_two.value == Decimal("66.7")
    assert top_box.value == Decimal("33.3")
    assert top_two.detail["score_2"] == 1


def test_csat_period_by_answer_date(ctx, account):
    resolved_case(ctx, account, eastern(30, 9), eastern(30, 11))
    answer_survey(csr(ctx, eastern(1, 10, month=4)), survey_token(ctx, account), 5)
    top_two, _ = customer_satisfaction(ctx, MARCH, Segment())
    assert top_two.denominator == 0


def test_sla_attainment_met_and_missed(ctx, account):
    # Opened Monday 03-02 10:00. Resolved Tuesday 12:00: 8 h + 4 h = 12 h of 16 -> met.
    resolved_case(ctx, account, eastern(2, 10), eastern(3, 12))
    # Resolved Thursday 10:00: 8 + 10 + 10 + 2 = 30 h of 16 -> missed.
    resolved_case(ctx, account, eastern(2, 10), eastern(5, 10))
    figure = sla_attainment(ctx, MARCH, Segment())
    assert figure.numerator == 1
    assert figure.denominator == 2
    assert figure.value == Decimal("50.0")


def test_sla_first_response_detail(ctx, account):
    # The resolution is the first response: Monday 10:00 to 12:00 is 2 h of the 4 h target.
    resolved_case(ctx, account, eastern(2, 10), eastern(2, 12))
    figure = sla_attainment(ctx, MARCH, Segment())
    assert figure.detail["first_responses"] == 1
    assert figure.detail["first_responses_met"] == 1
