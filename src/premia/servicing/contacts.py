"""Contacts: each interaction with a member, employer or agent, and what it showed or changed.

A contact names the member and the billing account it was about, so first contact
resolution can compare later contacts on the same subject and account. Member data is
shown on a contact only after the caller is verified on it (see ``verification``), and each
record shown or changed is listed in the contact's ``touched`` records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from premia.accounts.service import get_account_row
from premia.accounts.tables import BillingAccount, Person
from premia.accounts.views import PersonView
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.errors import ValidationError
from premia.servicing.cases import find_case, record_first_response
from premia.servicing.config import ServicingConfig
from premia.servicing.model import ContactDirection, ContactInput, PartyKind, ProtectedAction
from premia.servicing.parties import account_for_person, surviving_person
from premia.servicing.tables import AuthorizedParty, Contact, ServiceCase
from premia.servicing.verification import get_contact, require_verified
from premia.staff.permissions import Permission

RECORD_TYPE = "contact"


@dataclass(frozen=True)
class ContactView:
    id: int
    channel: str
    direction: str
    subject: str
    party_kind: str
    party_name: str | None
    member_id: str | None
    account_number: str | None
    case_number: str | None
    handled_by: str
    started_at: str
    verification_method: str | None
    verification_result: str | None
    verification_level: str | None
    touched: list[str]
    notes: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def log_contact(ctx: ServiceContext, data: ContactInput, *, config: ServicingConfig | None = None) -> Contact:
    """Record one interaction; an outbound contact on a case counts as the case's first response."""
    ctx.require(Permission.CASES_WORK)
    person = surviving_person(ctx, data.member_id) if data.member_id else None
    account = (
        get_account_row(ctx, data.account_number) if data.account_number else account_for_person(ctx, person)
    )
    case = find_case(ctx, data.case_number) if data.case_number else None
    party_kind = PartyKind(data.party_kind)
    party = _authorized_party(ctx, data.authorized_party_id, account)

    if party_kind is not PartyKind.MEMBER and not (data.party_name or "").strip() and party is None:
        raise ValidationError(
            code="contact.party_name_missing",
            message=f"A contact with a {party_kind.value} needs the caller's name.",
            field="party_name",
            hint="Record the caller's name and relationship to the member.",
        )
    now = ctx.now()
    contact = Contact(
        channel=data.channel.value,
        direction=data.direction.value,
        subject=data.subject.value,
        party_kind=party_kind.value,
        party_name=(data.party_name or "").strip() or (party.name if party else None),
        authorized_party_id=party.id if party else None,
        billing_account_id=account.id if account else None,
        person_id=person.id if person else None,
        case_id=case.id if case else None,
        notes=(data.notes or "").strip() or None,
        handled_by=ctx.actor.username,
        started_at=now,
        touched=[f"case:{case.case_number}"] if case else [],
    )
    ctx.session.add(contact)
    ctx.session.flush()

    if case is not None and ContactDirection(data.direction) is ContactDirection.OUTBOUND:
        record_first_response(ctx, case, at=now, config=config)
    audit.record(
        ctx,
        action="create",
        record_type=RECORD_TYPE,
        record_id=contact.id,
        fields=["channel", "direction", "subject", "party_kind", "notes"],
        detail={
            "member_id": person.member_id if person else None,
            "case": case.case_number if case else None,
        },
    )
    return contact


def member_details(ctx: ServiceContext, contact_id: int, *, member_id: str | None = None) -> PersonView:
    """Show a member's demographics on a contact whose caller is verified for them."""
    ctx.require(Permission.MEMBER_READ)
    contact = get_contact(ctx, contact_id)
    person = surviving_person(ctx, member_id) if member_id else _contact_person(ctx, contact)
    require_verified(ctx, contact, person_id=person.id, action=ProtectedAction.VIEW_MEMBER_DATA)
    view = PersonView.of(person)
    touch(contact, "person", person.member_id)
    ctx.session.flush()
    audit.record(
        ctx,
        action="read",
        record_type="person",
        record_id=person.member_id,
        fields=view.disclosed_fields(),
        detail={"contact": contact.id},
    )
    return view


def touch(contact: Contact, record_type: str, record_id: str | int) -> None:
    """Add a record to those the contact showed or changed, once."""
    entry = f"{record_type}:{record_id}"
    if entry not in contact.touched:
        # A new list, because SQLAlchemy does not see changes made inside a JSON value.
        contact.touched = [*contact.touched, entry]


def contacts_for(
    ctx: ServiceContext,
    *,
    member_id: str | None = None,
    account_number: str | None = None,
    limit: int = 200,
) -> list[ContactView]:
    """Contacts about a member or an account, newest first."""
    ctx.require(Permission.CASES_WORK)
    if not member_id and not account_number:
        raise ValidationError(
            code="contact.filter_missing",
            message="Name the member or the account whose contacts to list.",
            field="member_id",
            hint="Give --member-id or --account.",
        )
    query = select(Contact).order_by(Contact.started_at.desc(), Contact.id.desc()).limit(limit)
    conditions = []
    if member_id:
        conditions.append(Contact.person_id == surviving_person(ctx, member_id).id)
    if account_number:
        conditions.append(Contact.billing_account_id == get_account_row(ctx, account_number).id)
    query = query.where(or_(*conditions))
    return [contact_view(ctx, contact) for contact in ctx.session.scalars(query)]


def contact_view(ctx: ServiceContext, contact: Contact) -> ContactView:
    member_id = (
        ctx.session.scalar(select(Person.member_id).where(Person.id == contact.person_id))
        if contact.person_id
        else None
    )
    account_number = (
        ctx.session.scalar(
            select(BillingAccount.account_number).where(BillingAccount.id == contact.billing_account_id)
        )
        if contact.billing_account_id
        else None
    )
    case_number = (
        ctx.session.scalar(select(ServiceCase.case_number).where(ServiceCase.id == contact.case_id))
        if contact.case_id
        else None
    )
    return ContactView(
        id=contact.id,
        channel=contact.channel,
        direction=contact.direction,
        subject=contact.subject,
        party_kind=contact.party_kind,
        party_name=contact.party_name,
        member_id=member_id,
        account_number=account_number,
        case_number=case_number,
        handled_by=contact.handled_by,
        started_at=contact.started_at.isoformat(),
        verification_method=contact.verification_method,
        verification_result=contact.verification_result,
        verification_level=contact.verification_level,
        touched=list(contact.touched),
        notes=contact.notes,
    )


def _authorized_party(
    ctx: ServiceContext, party_id: int | None, account: BillingAccount | None
) -> AuthorizedParty | None:
    if party_id is None:
        return None
    party = ctx.session.get(AuthorizedParty, party_id)
    if party is None or account is None or party.billing_account_id != account.id:
        raise ValidationError(
            code="contact.authorized_party_unknown",
            message=f"Authorized party {party_id} is not on file for this account.",
            field="authorized_party_id",
            value=party_id,
            hint="List the account's authorized parties and choose one of them.",
        )
    return party


def _contact_person(ctx: ServiceContext, contact: Contact) -> Person:
    if contact.person_id is None:
        raise ValidationError(
            code="contact.member_missing",
            message=f"contact {contact.id} does not name a member.",
            record=f"contact {contact.id}",
            field="member_id",
            hint="Give the member ID the caller is asking about.",
        )
    person = ctx.session.get(Person, contact.person_id)
    assert person is not None
    return person
