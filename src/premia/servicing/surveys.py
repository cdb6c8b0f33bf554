"""Satisfaction surveys after a case is resolved: a token link out, a 1 to 5 answer back.

The notice carries only the link and its expiry date: no name, member ID, case subject or
other health information, because a survey email or text goes over channels the member
did not choose for PHI. The token is random and only its SHA-256 hash is stored, so the
database alone cannot be used to answer a survey.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError
from premia.notices.model import NoticeType
from premia.notices.service import create_notice
from premia.servicing.config import ServicingConfig
from premia.servicing.tables import CaseSurvey, ServiceCase

RECORD_TYPE = "case_survey"
SURVEY_PATH = "/survey/"
LOWEST_SCORE = 1
HIGHEST_SCORE = 5
MAX_COMMENT_LENGTH = 2000


@dataclass(frozen=True)
class SentSurvey:
    """A survey just sent. ``token`` is shown here once and never stored in the clear."""

    survey: CaseSurvey
    token: str

    @property
    def path(self) -> str:
        return SURVEY_PATH + self.token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def send_survey(ctx: ServiceContext, case: ServiceCase, *, config: ServicingConfig) -> SentSurvey | None:
    """Send one survey per resolution of the case; a second call for the same resolution sends nothing."""
    if case.billing_account_id is None or case.resolution_count < 1:
        return None
    exists = ctx.session.scalar(
        select(CaseSurvey.id).where(
            CaseSurvey.case_id == case.id, CaseSurvey.resolution_round == case.resolution_count
        )
    )
    if exists is not None:
        return None

    token = secrets.token_urlsafe(24)
    now = ctx.now()
    expires_at = now + config.survey_valid_for
    survey = CaseSurvey(
        case_id=case.id,
        resolution_round=case.resolution_count,
        token_hash=hash_token(token),
        sent_at=now,
        expires_at=expires_at,
    )
    ctx.session.add(survey)
    ctx.session.flush()
    notice = create_notice(
        ctx,
        notice_type=NoticeType.SURVEY,
        billing_account_id=case.billing_account_id,
        as_of=ctx.today(),
        dedupe_key=f"survey:{survey.id}",
        data={"survey_path": SURVEY_PATH + token, "expires_on": expires_at.date().isoformat()},
    )
    survey.notice_id = notice.id
    ctx.session.flush()
    audit.record(
        ctx, action="create", record_type=RECORD_TYPE, record_id=survey.id, detail={"case": case.case_number}
    )
    return SentSurvey(survey=survey, token=token)


def answer_survey(ctx: ServiceContext, token: str, score: int, *, comment: str | None = None) -> CaseSurvey:
    """Store the member's score. The token is the authority, so no staff permission is checked."""
    if isinstance(score, bool) or not isinstance(score, int) or not LOWEST_SCORE <= score <= HIGHEST_SCORE:
        raise ValidationError(
            code="survey.score_invalid",
            message=(
                f"A survey score must be a whole number from {LOWEST_SCORE} to {HIGHEST_SCORE} (got "
                f"{score!r})."
            ),
            field="score",
            value=score,
            hint=f"Choose {LOWEST_SCORE} (very dissatisfied) to {HIGHEST_SCORE} (very satisfied).",
        )
    survey = ctx.session.scalar(select(CaseSurvey).where(CaseSurvey.token_hash == hash_token(token.strip())))
    if survey is None:
        raise NotFoundError(
            code="survey.not_found",
            message="This survey link is not valid.",
            field="token",
            hint="Use the link exactly as it appears in the message.",
        )
    record = f"{RECORD_TYPE} {survey.id}"
    now = ctx.now()

    if survey.answered_at is not None:
        raise ConflictError(
            code="survey.already_answered",
            message="This survey has already been answered.",
            record=record,
            field="token",
            hint="Each survey link accepts one answer.",
        )
    if now > survey.expires_at:
        raise ConflictError(
            code="survey.expired",
            message=f"This survey link expired on {survey.expires_at.date().isoformat()}.",
            record=record,
            field="token",
        )

    survey.score = score
    survey.comment = (comment or "").strip()[:MAX_COMMENT_LENGTH] or None
    survey.answered_at = now
    ctx.session.flush()
    audit.record(
        ctx, action="answer", record_type=RECORD_TYPE, record_id=survey.id, fields=["score", "comment"]
    )
    return survey


def answered_scores(ctx: ServiceContext, *, start: datetime, end: datetime) -> list[int]:
    """Return the scores received in ``[start, end)``, for CSAT."""
    return [
        int(score)
        for score in ctx.session.scalars(
            select(CaseSurvey.score).where(
                CaseSurvey.answered_at >= start, CaseSurvey.answered_at < end, CaseSurvey.score.is_not(None)
            )
        )
    ]
