"""POST /tokens: exchange a staff username and password for a bearer token."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from premia.interfaces.api.deps import AnonymousContext
from premia.interfaces.api.errors import PROBLEM_RESPONSES
from premia.interfaces.api.schemas.common import ApiInput
from premia.staff import service as staff
from premia.staff.model import Actor
from premia.staff.permissions import Role

router = APIRouter(prefix="/tokens", tags=["auth"])


class TokenRequest(ApiInput):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    hours: int = Field(default=12, ge=1, le=168, description="Lifetime of the token in hours.")


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    role: str
    expires_at: datetime


@router.post("", status_code=201, response_model=TokenResponse, responses={status: PROBLEM_RESPONSES[status] for status in (401, 422)})
def issue_token(body: TokenRequest, ctx: AnonymousContext) -> TokenResponse:
    """Log in and get a bearer token for the API; its role limits every later request."""
    user = staff.authenticate(ctx, username=body.username, password=body.password)
    ctx.actor = Actor(user_id=user.id, username=user.username, role=Role(user.role))
    token = staff.start_session(ctx, user, kind="api", hours=body.hours)
    return TokenResponse(access_token=token, role=user.role, expires_at=staff.session_expiry(ctx, token))
