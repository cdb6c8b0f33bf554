"""Persons: demographics with ETag and If-Match, their change history, claims, eligibility and merges."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from premia.accounts import person_service
from premia.accounts.model import Delivery, Language, PersonInput, Sex
from premia.accounts.views import PersonView
from premia.delinquency.eligibility import eligibility
from premia.interfaces.api.deps import Context, IdempotencyKey, IfMatch, idempotent, require_if_match, requires, set_etag
from premia.interfaces.api.errors import problems
from premia.interfaces.api.money import Money
from premia.interfaces.api.paging import Cursor, Limit, Page, list_page
from premia.interfaces.api.schemas.accounts import AddressIn, PersonOut
from premia.interfaces.api.schemas.common import MAX_ID, ApiDate, ApiInput, IdQuery
from premia.servicing import claims_for_member, merge_persons, update_demographics
from premia.servicing.parties import surviving_person
from premia.staff.permissions import Permission

router = APIRouter(prefix="/persons", tags=["persons"])
ETAG_HEADER = {"ETag": {"description": "The person's version, for If-Match.", "schema": {"type": "string"}}}


class PersonCreate(ApiInput):
    first_name: str = Field(min_length=1, max_length=64)
    middle_name: str | None = Field(default=None, max_length=64)
    last_name: str = Field(min_length=1, max_length=64)
    name_suffix: str | None = Field(default=None, max_length=16)
    birth_date: ApiDate
    sex: Sex = Sex.UNKNOWN
    member_id: str | None = Field(default=None, max_length=32, description="Assigned by Premia when omitted.")
    ssn: str | None = Field(default=None, max_length=11, description="Nine digits; stored encrypted and shown masked.")
    address: AddressIn | None = None
    mailing_address: AddressIn | None = None
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    spoken_language: Language = Language.ENGLISH
    written_language: Language = Language.ENGLISH


class DemographicsPatch(ApiInput):
    """The fields to change; a field left out is unchanged, and null clears an optional one."""

    first_name: str | None = Field(default=None, min_length=1, max_length=64)
    middle_name: str | None = Field(default=None, max_length=64)
    last_name: str | None = Field(default=None, min_length=1, max_length=64)
    name_suffix: str | None = Field(default=None, max_length=16)
    address: AddressIn | None = None
    mailing_address: AddressIn | None = None
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    spoken_language: Language | None = None
    written_language: Language | None = None
    delivery: Delivery | None = Field(default=None, description="Delivery preference (paper, email or both) of the account the person holds.")
    contact_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Contact on which the verified member asked for the change."
    )
    document_reference: str | None = Field(
        default=None, max_length=128, description="Document behind a name change, such as a marriage certificate."
    )


class DemographicsUpdateOut(BaseModel):
    person: PersonOut
    applied: list[str] = Field(description="Fields changed now.")
    flagged: list[str] = Field(description="Fields of an exchange member recorded for the exchange to report instead.")


class HistoryEntryOut(BaseModel):
    field: str
    old_value: str | None
    new_value: str | None
    source: str
    source_reference: str | None
    changed_by: str
    changed_at: datetime


class ClaimOut(BaseModel):
    claim_id: str
    member_id: str
    service_from: date
    service_to: date
    status: str
    billed: Money
    paid: Money
    pend_reason: str | None
    explanation: str | None


class EligibilityOut(BaseModel):
    member_id: str
    service_date: date
    covered: bool
    claims: str = Field(description="pay, pend or deny.")
    reason: str
    policy_number: str | None
    policy_status: str | None
    paid_through: date | None
    in_grace: bool
    grace_month: int | None
    grace_start: date | None
    grace_end: date | None


class MergeIn(ApiInput):
    source_member_id: str = Field(min_length=1, max_length=32, description="The duplicate; it is marked merged, never deleted.")
    target_member_id: str = Field(min_length=1, max_length=32, description="The person who survives.")
    reason: str = Field(min_length=1, max_length=256)


class MergeOut(BaseModel):
    source_member_id: str
    target_member_id: str
    moved: dict[str, int] = Field(description="Records moved to the surviving person, by kind.")


@router.post(
    "",
    status_code=201,
    response_model=PersonOut,
    responses=problems(409, 422),
    dependencies=[requires(Permission.MEMBER_WRITE)],
)
def create_person(body: PersonCreate, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Record a person who is not yet a member, such as a dependent to add to a policy."""

    def handler() -> tuple[int, Any]:
        data = body.model_dump(exclude={"address", "mailing_address"})
        person = person_service.create_person(
            ctx,
            PersonInput(
                **data,
                residential_address=body.address.to_model() if body.address else None,
                mailing_address=body.mailing_address.to_model() if body.mailing_address else None,
            ),
        )
        return 201, PersonOut.model_validate(PersonView.of(person), from_attributes=True)

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.get(
    "/{member_id}",
    response_model=PersonOut,
    responses={200: {"headers": ETAG_HEADER}, **problems(404, 422)},
    dependencies=[requires(Permission.MEMBER_READ)],
)
def get_person(member_id: str, ctx: Context, response: Response) -> PersonOut:
    """Return a person's demographics with the SSN masked, audit the read, and send an ETag for updates."""
    view = person_service.get_person(ctx, member_id)
    set_etag(response, view.version)
    return PersonOut.model_validate(view, from_attributes=True)


@router.patch(
    "/{member_id}",
    response_model=DemographicsUpdateOut,
    responses={200: {"headers": ETAG_HEADER}, **problems(404, 409, 412, 422, 428)},
    dependencies=[requires(Permission.MEMBER_WRITE)],
)
def update_person(member_id: str, body: DemographicsPatch, ctx: Context, response: Response, if_match: IfMatch = None) -> DemographicsUpdateOut:
    """Change names, addresses, phone, email, languages or mailing preference; needs If-Match.

    A change for a member on a live exchange policy is recorded for the exchange instead of
    applied where the exchange owns the field (names and residential address).
    """
    person = surviving_person(ctx, member_id)
    version = require_if_match(if_match, person.version)
    given = body.model_dump(exclude_unset=True, exclude={"contact_id", "document_reference"})
    changes: dict[str, Any] = {}
    for name, value in given.items():
        if name in ("address", "mailing_address"):
            field = getattr(body, name)
            changes[name] = field.to_model() if field is not None else None
        else:
            changes[name] = value
    update = update_demographics(
        ctx,
        member_id,
        changes,
        contact_id=body.contact_id,
        document_reference=body.document_reference,
        expected_version=version,
    )
    view = person_service.get_person(ctx, person.member_id)
    set_etag(response, view.version)
    return DemographicsUpdateOut(
        person=PersonOut.model_validate(view, from_attributes=True), applied=update.applied, flagged=update.flagged
    )


@router.get(
    "/{member_id}/history",
    response_model=Page[HistoryEntryOut],
    responses=problems(404, 422),
    dependencies=[requires(Permission.MEMBER_READ)],
)
def person_history(member_id: str, ctx: Context, limit: Limit = 50, cursor: Cursor = None) -> Page[HistoryEntryOut]:
    """List every demographic change, oldest first, with its old and new value, source and author."""
    entries, next_cursor = list_page(person_service.person_history(ctx, member_id), limit=limit, cursor=cursor)
    return Page[HistoryEntryOut](items=[HistoryEntryOut.model_validate(entry) for entry in entries], next_cursor=next_cursor)


@router.get(
    "/{member_id}/claims",
    response_model=Page[ClaimOut],
    responses=problems(404, 422),
    dependencies=[requires(Permission.MEMBER_READ)],
)
def person_claims(
    member_id: str,
    ctx: Context,
    contact_id: IdQuery = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ClaimOut]:
    """List the member's claims from the claims feed, newest service first. On a contact the caller must be verified."""
    views, next_cursor = list_page(claims_for_member(ctx, member_id, contact_id=contact_id), limit=limit, cursor=cursor)
    items = [
        ClaimOut(
            **{key: value for key, value in view.to_dict().items() if key not in ("billed", "paid")},
            billed=Money(amount=view.billed),
            paid=Money(amount=view.paid),
        )
        for view in views
    ]
    return Page[ClaimOut](items=items, next_cursor=next_cursor)


@router.get(
    "/{member_id}/eligibility",
    response_model=EligibilityOut,
    responses=problems(404, 422),
    dependencies=[requires(Permission.MEMBER_READ)],
)
def member_eligibility(member_id: str, ctx: Context, on: ApiDate | None = None) -> EligibilityOut:
    """Tell whether the member is covered on ``on`` (default today) and whether claims for that date are paid, pended or denied."""
    answer = eligibility(ctx, member_id, on or ctx.today())
    return EligibilityOut.model_validate(answer.to_dict())


@router.post(
    "/merges",
    status_code=201,
    response_model=MergeOut,
    responses=problems(404, 409, 422),
    dependencies=[requires(Permission.MEMBER_WRITE, Permission.POLICIES_CHANGE)],
)
def merge(body: MergeIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Merge a duplicate person into the surviving one, moving cases, contacts, coverage and accounts to it."""

    def handler() -> tuple[int, Any]:
        result = merge_persons(
            ctx, source_member_id=body.source_member_id, target_member_id=body.target_member_id, reason=body.reason
        )
        return 201, MergeOut.model_validate(result.to_dict())

    return idempotent(ctx, request, idempotency_key, body, handler)
