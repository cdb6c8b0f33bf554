"""Personal representatives and other people authorized on a billing account.

A personal representative (power of attorney, guardian, parent of a minor, executor) is
treated as the member. Anyone else acts under a signed authorization that lists what they
may do, or, as a family member paying the bill, may discuss billing only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from premia.accounts.person_service import find_person
from premia.accounts.service import get_account_row
from premia.accounts.tables import Person
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError
from premia.servicing.model import AuthorityKind, AuthorizedPartyInput, ProtectedAction
from premia.servicing.tables import AuthorizedParty
from premia.staff.permissions import Permission

RECORD_TYPE = "authorized_party"


@dataclass(frozen=True)
class AuthorizedPartyView:
    id: int
    name: str
    relationship: str
    authority: str
    scopes: list[str]
    member_id: str | None
    document_reference: str | None
    effective_from: str
    effective_to: str | None
    revoked_on: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def add_authorized_party(
    ctx: ServiceContext, account_number: str, data: AuthorizedPartyInput
) -> AuthorizedParty:
    """Record who may act on the account and what they may do."""
    ctx.require(Permission.MEMBER_WRITE)
    account = get_account_row(ctx, account_number)
    record = f"billing_account {account.account_number}"
    name = (data.name or "").strip()
    if not name:
        raise ValidationError(
            code="authorized_party.name_missing",
            message=f"{record}: the authorized party's name is missing.",
            record=record,
            field="name",
            hint="Give the full name as it appears on the authorization or legal document.",
        )

    authority = AuthorityKind(data.authority)
    if authority is not AuthorityKind.INVOLVED_IN_PAYMENT and not (data.document_reference or "").strip():
        raise ValidationError(
            code="authorized_party.document_missing",
            message=(
                f"{record}: a {authority.value.replace('_', ' ')} needs the document that grants the "
                "authority."
            ),
            record=record,
            field="document_reference",
            hint="Give the reference of the scanned authorization, power of attorney or court order.",
        )
    if authority is AuthorityKind.AUTHORIZED_PERSON and not data.scopes:
        raise ValidationError(
            code="authorized_party.scopes_missing",
            message=f"{record}: an authorization must list what the person may do.",
            record=record,
            field="scopes",
            hint="Choose from: " + ", ".join(action.value for action in ProtectedAction) + ".",
        )
    if data.effective_to is not None and data.effective_to < data.effective_from:
        raise ValidationError(
            code="authorized_party.ends_before_start",
            message=(
                f"{record}: the authority ends ({data.effective_to}) before it starts "
                f"({data.effective_from})."
            ),
            record=record,
            field="effective_to",
            value=data.effective_to.isoformat(),
        )

    person_id = find_person(ctx, data.member_id).id if data.member_id else None
    party = AuthorizedParty(
        billing_account_id=account.id,
        person_id=person_id,
        name=name,
        relationship=(data.relationship or "").strip() or "unspecified",
        authority=authority.value,
        scopes=sorted(ProtectedAction(scope).value for scope in data.scopes),
        document_reference=(data.document_reference or "").strip() or None,
        effective_from=data.effective_from,
        effective_to=data.effective_to,
        recorded_by=ctx.actor.username,
        recorded_at=ctx.now(),
    )
    ctx.session.add(party)
    ctx.session.flush()
    audit.record(
        ctx,
        action="create",
        record_type=RECORD_TYPE,
        record_id=party.id,
        fields=["name", "relationship", "authority", "scopes"],
        detail={"account": account.account_number},
    )
    return party


def revoke_authorized_party(ctx: ServiceContext, party_id: int, *, on: date) -> AuthorizedParty:
    """End an authority from ``on``; the row stays so earlier contacts remain explainable."""
    ctx.require(Permission.MEMBER_WRITE)
    party = ctx.session.get(AuthorizedParty, party_id)
    if party is None:
        raise NotFoundError(
            code="authorized_party.not_found",
            message=f"No authorized party has id {party_id}.",
            field="party_id",
            value=party_id,
        )
    if party.revoked_on is not None:
        raise ConflictError(
            code="authorized_party.already_revoked",
            message=f"Authorized party {party_id} was already revoked on {party.revoked_on}.",
            record=f"{RECORD_TYPE} {party_id}",
            field="revoked_on",
            value=party.revoked_on.isoformat(),
        )
    party.revoked_on = on
    party.revoked_by = ctx.actor.username
    ctx.session.flush()
    audit.record(ctx, action="revoke", record_type=RECORD_TYPE, record_id=party.id, fields=["revoked_on"])
    return party


def authorized_parties(ctx: ServiceContext, account_number: str) -> list[AuthorizedPartyView]:
    """Everyone ever authorized on the account, revoked ones included."""
    ctx.require(Permission.MEMBER_READ)
    account = get_account_row(ctx, account_number)
    rows = ctx.session.scalars(
        select(AuthorizedParty)
        .where(AuthorizedParty.billing_account_id == account.id)
        .order_by(AuthorizedParty.id)
    ).all()
    audit.record(
        ctx,
        action="read",
        record_type="billing_account",
        record_id=account.account_number,
        fields=["authorized_parties"],
    )
    return [_view(ctx, row) for row in rows]


def _view(ctx: ServiceContext, party: AuthorizedParty) -> AuthorizedPartyView:
    member_id = (
        ctx.session.scalar(select(Person.member_id).where(Person.id == party.person_id))
        if party.person_id
        else None
    )
    return AuthorizedPartyView(
        id=party.id,
        name=party.name,
        relationship=party.relationship,
        authority=party.authority,
        scopes=list(party.scopes),
        member_id=member_id,
        document_reference=party.document_reference,
        effective_from=party.effective_from.isoformat(),
        effective_to=party.effective_to.isoformat() if party.effective_to else None,
        revoked_on=party.revoked_on.isoformat() if party.revoked_on else None,
    )
