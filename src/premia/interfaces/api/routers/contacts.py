"""Contacts with members, employers and agents; verifying the caller; member data shown on a verified contact."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import or_, select

from premia.accounts import service as accounts
from premia.audit import service as audit
from premia.interfaces.api.deps import Context, IdempotencyKey, idempotent, requires
from premia.interfaces.api.errors import problems
from premia.interfaces.api.paging import Cursor, Limit, Page, keyset_page
from premia.interfaces.api.schemas.accounts import PersonOut
from premia.interfaces.api.schemas.common import MAX_ID, ApiDate, ApiInput, IdPath
from premia.kernel.errors import ValidationError
from premia.servicing import log_contact, member_details, verify_caller
from premia.servicing.contacts import contact_view
from premia.servicing.model import (
    CallerIdentifiers,
    ContactChannel,
    ContactDirection,
    ContactInput,
    ContactSubject,
    PartyKind,
    VerificationMethod,
)
from premia.servicing.parties import surviving_person
from premia.servicing.tables import Contact
from premia.servicing.verification import get_contact
from premia.staff.permissions import Permission

router = APIRouter(prefix="/contacts", tags=["service desk"])


class ContactIn(ApiInput):
    channel: ContactChannel
    direction: ContactDirection
    subject: ContactSubject
    party_kind: PartyKind = PartyKind.MEMBER
    party_name: str | None = Field(default=None, max_length=128, description="The caller's name when not the member.")
    member_id: str | None = Field(default=None, max_length=32)
    account_number: str | None = Field(default=None, max_length=16)
    case_number: str | None = Field(default=None, max_length=32)
    notes: str | None = Field(default=None, max_length=4000)
    authorized_party_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class IdentifiersIn(ApiInput):
    """The identifiers the caller stated; those not asked for stay null."""

    member_id: str | None = Field(default=None, max_length=32)
    first_name: str | None = Field(default=None, max_length=64)
    last_name: str | None = Field(default=None, max_length=64)
    birth_date: ApiDate | None = None
    zip_code: str | None = Field(default=None, max_length=10)
    ssn_last4: str | None = Field(default=None, max_length=4)


class VerificationIn(ApiInput):
    method: VerificationMethod
    identifiers: IdentifiersIn | None = Field(default=None, description="Required for the identifiers method.")
    member_id: str | None = Field(default=None, max_length=32, description="The member to verify for, when the contact names none.")


class ContactOut(BaseModel):
    contact_id: int
    channel: str
    direction: str
    subject: str
    party_kind: str
    party_name: str | None
    member_id: str | None
    account_number: str | None
    case_number: str | None
    handled_by: str
    started_at: datetime
    verification_method: str | None
    verification_result: str | None
    verification_level: str | None
    touched: list[str] = Field(description="Records the contact showed or changed, as type:id.")
    notes: str | None


def contact_out(ctx: Any, contact: Contact) -> ContactOut:
    data = contact_view(ctx, contact).to_dict()
    data["contact_id"] = data.pop("id")
    return ContactOut.model_validate(data)


@router.post("", status_code=201, response_model=ContactOut, responses=problems(404, 422), dependencies=[requires(Permission.CASES_WORK)])
def create_contact(body: ContactIn, ctx: Context, request: Request, idempotency_key: IdempotencyKey = None) -> Any:
    """Log one interaction; an outbound contact on a case counts as the case's first response."""

    def handler() -> tuple[int, Any]:
        contact = log_contact(
            ctx,
            ContactInput(
                channel=body.channel,
                direction=body.direction,
                subject=body.subject,
                party_kind=body.party_kind,
                party_name=body.party_name,
                member_id=body.member_id,
                account_number=body.account_number,
                case_number=body.case_number,
                notes=body.notes,
                authorized_party_id=body.authorized_party_id,
            ),
        )
        return 201, contact_out(ctx, contact)

    return idempotent(ctx, request, idempotency_key, body, handler)


@router.get("", response_model=Page[ContactOut], responses=problems(404, 422), dependencies=[requires(Permission.CASES_WORK)])
def list_contacts(
    ctx: Context,
    member_id: str | None = None,
    account_number: str | None = None,
    subject: ContactSubject | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ContactOut]:
    """List the contacts about a member or an account (one of the two is required), oldest first."""
    if not member_id and not account_number:
        raise ValidationError(
            code="contact.filter_missing",
            message="Name the member or the account whose contacts to list.",
            field="member_id",
            hint="Give member_id or account_number.",
        )
    conditions = []
    if member_id:
        conditions.append(Contact.person_id == surviving_person(ctx, member_id).id)
    if account_number:
        conditions.append(Contact.billing_account_id == accounts.get_account_row(ctx, account_number).id)
    query = select(Contact).where(or_(*conditions))
    if subject is not None:
        query = query.where(Contact.subject == subject.value)
    rows, next_cursor = keyset_page(ctx, query, Contact.id, limit=limit, cursor=cursor)
    for contact in rows:
        audit.record(ctx, action="search", record_type="contact", record_id=contact.id)
    return Page[ContactOut](items=[contact_out(ctx, contact) for contact in rows], next_cursor=next_cursor)


@router.get("/{contact_id}", response_model=ContactOut, responses=problems(404, 422), dependencies=[requires(Permission.CASES_WORK)])
def read_contact(contact_id: IdPath, ctx: Context) -> ContactOut:
    """Return one contact with its verification and the records it touched."""
    contact = get_contact(ctx, contact_id)
    audit.record(ctx, action="read", record_type="contact", record_id=contact.id)
    return contact_out(ctx, contact)


@router.post(
    "/{contact_id}/verification",
    response_model=ContactOut,
    responses=problems(404, 422),
    dependencies=[requires(Permission.CASES_WORK)],
)
def verify(contact_id: IdPath, body: VerificationIn, ctx: Context) -> ContactOut:
    """Check the caller's identity on the contact and record the result, including a failed check."""
    identifiers = None
    if body.identifiers is not None:
        identifiers = CallerIdentifiers(**body.identifiers.model_dump())
    contact = verify_caller(ctx, contact_id, method=body.method, identifiers=identifiers, member_id=body.member_id)
    return contact_out(ctx, contact)


@router.get(
    "/{contact_id}/member",
    response_model=PersonOut,
    responses=problems(404, 422),
    dependencies=[requires(Permission.CASES_WORK, Permission.MEMBER_READ)],
)
def contact_member(contact_id: IdPath, ctx: Context, member_id: str | None = None) -> PersonOut:
    """Return the member's demographics, only when the caller on this contact is verified for them."""
    view = member_details(ctx, contact_id, member_id=member_id)
    return PersonOut.model_validate(view, from_attributes=True)
