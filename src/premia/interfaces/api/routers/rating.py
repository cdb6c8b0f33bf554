"""POST /rating/quotes: rate members on a catalog plan, with the trace behind every cent."""

from __future__ import annotations

from datetime import date
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


class QuoteMemberOut(BaseModel):
    member_id: str = Field(description="M1, M2, ... in the order the members were sent.")
    relationship: str
    birth_date: date
    age_date: date = Field(description="The date the age was taken on.")
    age: int
    age_factor: str | None
    tobacco_factor: str
    charged: bool = Field(description="False for a child beyond the three oldest under 21, who is not charged.")
    gross: Money
    aptc: Money
    employer_contribution: Money
    responsibility: Money


class QuoteTotalsOut(BaseModel):
    gross: Money
    exchange_aptc: Money
    ehb_cap: Money
    applied_aptc: Money
    employer_contribution: Money
    responsibility: Money


class TraceStepOut(BaseModel):
    """One rating step with its inputs and outputs as text, so a dispute can be checked step by step."""

    step: str
    member_id: str | None
    inputs: dict[str, str]
    outputs: dict[str, str]
    note: str | None = None


class QuoteOut(BaseModel):
    plan_id: str
    plan_year: int
    area_id: str
    month: str
    rating_date: date
    rating_method: str
    base_rate: str = Field(description="The plan's base rate as decimal text, a rating input that may carry more than two places.")
    family_tier: str | None
    members: list[QuoteMemberOut]
    totals: QuoteTotalsOut
    trace: list[TraceStepOut]


class QuoteResponse(BaseModel):
    result: QuoteOut


MEMBER_AMOUNTS = ("gross", "aptc", "employer_contribution", "responsibility")


def quote_out(data: dict[str, Any]) -> QuoteOut:
    """Build the response from the rating result's data, with its dollar texts as Money."""
    members = [{**member, **{key: Money(amount=member[key]) for key in MEMBER_AMOUNTS}} for member in data["members"]]
    totals = {key: Money(amount=value) for key, value in data["totals"].items()}
    trace = [
        {**step, "inputs": {key: str(value) for key, value in step["inputs"].items()}, "outputs": {key: str(value) for key, value in step["outputs"].items()}}
        for step in data["trace"]
    ]
    return QuoteOut.model_validate({**data, "members": members, "totals": totals, "trace": trace})


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
    return QuoteResponse(result=quote_out(result.to_dict()))
