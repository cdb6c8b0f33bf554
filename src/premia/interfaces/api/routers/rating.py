"""POST /rating/quotes: rate members on a catalog plan, with the trace behind every cent."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from premia.catalog.service import current_catalog
from premia.interfaces.api.deps import Context, requires
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.interfaces.api.schemas.common import MONTH_PATTERN, ApiDate, ApiInput
from premia.kernel.dates import Month
from premia.rating.catalog import rate_from_catalog
from premia.rating.model import Member, Relationship
from premia.staff.permissions import Permission

router = APIRouter(prefix="/rating", tags=["rating"])


class MemberIn(ApiInput):
    birth_date: ApiDate
    relationship: Relationship = Relationship.SUBSCRIBER
    tobacco: bool = False


class QuoteRequest(ApiInput):
    plan_id: str = Field(min_length=1, max_length=32)
    area_id: str = Field(min_length=1, max_length=32)
    month: str = Field(pattern=MONTH_PATTERN, examples=["2026-03"])
    rating_date: ApiDate | None = Field(default=None, description="Date ages are taken on; the month's first day when omitted.")
    members: list[MemberIn] = Field(min_length=1, max_length=30)
    aptc: Money | None = None


class QuoteResponse(BaseModel):
    result: dict[str, Any]


@router.post("/quotes", response_model=QuoteResponse, responses=problems(404, 409, 422), dependencies=[requires(Permission.RATING_QUOTE)])
def quote(body: QuoteRequest, ctx: Context) -> QuoteResponse:
    """Rate a household for one month; nothing is stored."""
    ctx.require(Permission.RATING_QUOTE)
    month = Month.parse(body.month)
    members = [
        Member(member_id=f"M{index + 1}", birth_date=member.birth_date, relationship=member.relationship, tobacco=member.tobacco)
        for index, member in enumerate(body.members)
    ]
    result = rate_from_catalog(
        current_catalog(ctx),
        plan_id=body.plan_id,
        area_id=body.area_id,
        members=members,
        month=month,
        rating_date=body.rating_date or month.first_day,
        aptc_cents=body.aptc.cents(field="aptc.amount") if body.aptc else 0,
    )
    return QuoteResponse(result=result.to_dict())
