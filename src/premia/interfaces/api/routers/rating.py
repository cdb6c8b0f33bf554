"""POST /rating/quotes: rate members on a catalog plan, with the trace behind every cent."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from premia.catalog.service import current_catalog
from premia.interfaces.api.deps import Context
from premia.interfaces.api.errors import PROBLEM_RESPONSES
from premia.interfaces.api.money import Money
from premia.kernel.dates import Month
from premia.rating.catalog import rate_from_catalog
from premia.rating.model import Member, Relationship
from premia.staff.permissions import Permission

router = APIRouter(prefix="/rating", tags=["rating"])


class MemberIn(BaseModel):
    birth_date: date
    relationship: Relationship = Relationship.SUBSCRIBER
    tobacco: bool = False


class QuoteRequest(BaseModel):
    plan_id: str
    area_id: str
    month: str = Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-03"])
    rating_date: date | None = Field(default=None, description="Date ages are taken on; the month's first day when omitted.")
    members: list[MemberIn] = Field(min_length=1, max_length=30)
    aptc: Money | None = None


class QuoteResponse(BaseModel):
    result: dict[str, Any]


@router.post("/quotes", response_model=QuoteResponse, responses={k: PROBLEM_RESPONSES[k] for k in (401, 403, 404, 409, 422)})
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
