"""Identity verification on a contact, and the check made before member data is shown or changed.

HIPAA requires a health plan to verify the identity and authority of a requester it does not
already know (45 CFR 164.514(h)) without prescribing a method. Premia's rule, a carrier
practice: the caller states the member ID, full name and date of birth (basic assurance);
actions such as a bank account change or a refund also need the ZIP code or the SSN's last
four digits (enhanced assurance). A wrong answer fails the check even when three others match.
Someone other than the member also needs an authority on file for the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from premia.accounts.tables import Person
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.kernel.errors import NotFoundError, PermissionDeniedError, ValidationError
from premia.servicing.model import (
    AssuranceLevel,
    AuthorityKind,
    CallerIdentifiers,
    PartyKind,
    ProtectedAction,
    VerificationMethod,
    VerificationResult,
)
from premia.servicing.parties import surviving_person
from premia.servicing.tables import AuthorizedParty, Contact
from premia.staff.permissions import Permission

BASIC_IDENTIFIERS = ("member_id", "full_name", "birth_date")
ENHANCING_IDENTIFIERS = ("zip_code", "ssn_last4")
INVOLVED_IN_PAYMENT_SCOPES = frozenset({ProtectedAction.DISCUSS_BILLING})


@dataclass(frozen=True)
class MemberOnFile:
    """The identifiers on a member's record, to compare with what a caller states."""

    member_id: str
    first_name: str
    last_name: str
    birth_date: date
    zip_codes: frozenset[str]
    ssn_last4: str | None

    @classmethod
    def of(cls, person: Person) -> MemberOnFile:
        zips = {code[:5] for code in (person.zip_code, person.mailing_zip_code) if code}
        return cls(
            member_id=person.member_id,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            zip_codes=frozenset(zips),
            ssn_last4=person.ssn_last4,
        )


@dataclass(frozen=True)
class VerificationOutcome:
    """The result of comparing stated identifiers; lists name identifiers, never their values."""

    result: VerificationResult
    level: AssuranceLevel | None
    matched: tuple[str, ...]
    mismatched: tuple[str, ...]
    missing: tuple[str, ...]


def check_identifiers(stated: CallerIdentifiers, on_file: MemberOnFile) -> VerificationOutcome:
    """Compare what the caller stated with the record and decide the assurance level reached."""
    comparisons: dict[str, bool | None] = {
        "member_id": _same_text(stated.member_id, on_file.member_id),
        "full_name": _same_name(stated, on_file),
        "birth_date": None if stated.birth_date is None else stated.birth_date == on_file.birth_date,
        "zip_code": None if not stated.zip_code else stated.zip_code.strip()[:5] in on_file.zip_codes,
        "ssn_last4": None if not stated.ssn_last4 else stated.ssn_last4.strip() == on_file.ssn_last4,
    }
    matched = tuple(name for name, same in comparisons.items() if same is True)
    mismatched = tuple(name for name, same in comparisons.items() if same is False)
    missing = tuple(name for name in BASIC_IDENTIFIERS if comparisons[name] is None)

    if mismatched or missing:
        return VerificationOutcome(VerificationResult.FAILED, None, matched, mismatched, missing)
    enhanced = any(name in matched for name in ENHANCING_IDENTIFIERS)
    level = AssuranceLevel.ENHANCED if enhanced else AssuranceLevel.BASIC
    return VerificationOutcome(VerificationResult.PASSED, level, matched, mismatched, missing)


def attested_level(method: VerificationMethod) -> AssuranceLevel:
    """The assurance a method gives when staff attest to it rather than compare identifiers."""
    if method is VerificationMethod.PHOTO_ID:
        return AssuranceLevel.ENHANCED
    if method is VerificationMethod.PORTAL_SESSION:
        return AssuranceLevel.BASIC
    raise ValueError("identifiers are compared, not attested")


def level_suffices(reached: AssuranceLevel | None, required: AssuranceLevel) -> bool:
    if reached is None:
        return False
    return reached is AssuranceLevel.ENHANCED or required is AssuranceLevel.BASIC


def authority_allows(
    *,
    authority: AuthorityKind,
    scopes: frozenset[ProtectedAction],
    party_person_id: int | None,
    effective_from: date,
    effective_to: date | None,
    revoked_on: date | None,
    action: ProtectedAction,
    person_id: int,
    on: date,
) -> bool:
    """Whether an authority on file lets its holder take ``action`` for ``person_id`` on ``on``.

    A personal representative acts as the member and may do everything. A person involved in
    payment may discuss billing only. An authorized person has the scopes the member's
    authorization lists.
    """
    if on < effective_from or (effective_to is not None and on > effective_to):
        return False
    if revoked_on is not None and on >= revoked_on:
        return False
    if party_person_id is not None and party_person_id != person_id:
        return False
    if authority is AuthorityKind.PERSONAL_REPRESENTATIVE:
        return True
    if authority is AuthorityKind.INVOLVED_IN_PAYMENT:
        return action in INVOLVED_IN_PAYMENT_SCOPES
    return action in scopes


def verify_caller(
    ctx: ServiceContext,
    contact_id: int,
    *,
    method: VerificationMethod,
    identifiers: CallerIdentifiers | None = None,
    member_id: str | None = None,
) -> Contact:
    """Check the caller on a contact and record the method and result on it.

    With ``identifiers`` the stated values are compared with the member's record; the other
    methods are attested by the staff member. A later attempt on the same contact replaces
    the recorded result, and every attempt is audited.
    """
    ctx.require(Permission.CASES_WORK)
    contact = get_contact(ctx, contact_id)
    record = f"contact {contact.id}"
    person = _person_to_verify(ctx, contact, member_id, record=record)
    method = VerificationMethod(method)

    if method is VerificationMethod.IDENTIFIERS:
        if identifiers is None:
            raise ValidationError(
                code="verification.identifiers_missing",
                message=f"{record}: verification by identifiers needs the identifiers the caller stated.",
                record=record,
                field="identifiers",
                hint=(
                    "Ask for the member ID, full name and date of birth (and ZIP or SSN last four for "
                    "payment changes)."
                ),
            )
        outcome = check_identifiers(identifiers, MemberOnFile.of(person))
    else:
        outcome = VerificationOutcome(VerificationResult.PASSED, attested_level(method), (), (), ())

    contact.person_id = contact.person_id or person.id
    contact.verified_person_id = person.id
    contact.verification_method = method.value
    contact.verification_result = outcome.result.value
    contact.verification_level = outcome.level.value if outcome.level else None
    contact.verified_identifiers = list(outcome.matched)
    contact.verified_at = ctx.now()
    ctx.session.flush()
    audit.record(
        ctx,
        action="verify",
        record_type="contact",
        record_id=contact.id,
        fields=list(outcome.matched),
        detail={
            "member_id": person.member_id,
            "method": method.value,
            "result": outcome.result.value,
            "mismatched": list(outcome.mismatched),
            "missing": list(outcome.missing),
        },
    )
    return contact


def require_verified(
    ctx: ServiceContext, contact: Contact, *, person_id: int, action: ProtectedAction
) -> None:
    """Raise unless the contact's caller is verified for ``person_id`` and allowed ``action``."""
    record = f"contact {contact.id}"
    action = ProtectedAction(action)
    if (
        contact.verification_result != VerificationResult.PASSED.value
        or contact.verified_person_id != person_id
    ):
        raise PermissionDeniedError(
            code="contact.not_verified",
            message=(
                f"The caller on {record} is not verified for this member, so member data may not be shown "
                "or changed."
            ),
            record=record,
            field="verification",
            value=contact.verification_result or "not attempted",
            hint="Verify the caller first (member ID, full name and date of birth).",
        )
    required = action.required_level
    if not level_suffices(
        AssuranceLevel(contact.verification_level) if contact.verification_level else None, required
    ):
        raise PermissionDeniedError(
            code="contact.assurance_too_low",
            message=(
                f"{action.value} needs {required.value} verification; the caller on {record} has "
                f"{contact.verification_level}."
            ),
            record=record,
            field="verification_level",
            value=contact.verification_level,
            hint="Also ask for the ZIP code or the last four digits of the SSN.",
        )
    if PartyKind(contact.party_kind) is PartyKind.MEMBER:
        return
    _require_authority(ctx, contact, person_id=person_id, action=action, record=record)


def get_contact(ctx: ServiceContext, contact_id: int) -> Contact:
    contact = ctx.session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError(
            code="contact.not_found",
            message=f"No contact has id {contact_id}.",
            field="contact_id",
            value=contact_id,
            hint="Log the contact first with `premia contacts log`.",
        )
    return contact


def _require_authority(
    ctx: ServiceContext, contact: Contact, *, person_id: int, action: ProtectedAction, record: str
) -> None:
    party = (
        ctx.session.get(AuthorizedParty, contact.authorized_party_id) if contact.authorized_party_id else None
    )
    on = contact.started_at.date()
    allowed = party is not None and authority_allows(
        authority=AuthorityKind(party.authority),
        scopes=frozenset(ProtectedAction(scope) for scope in party.scopes),
        party_person_id=party.person_id,
        effective_from=party.effective_from,
        effective_to=party.effective_to,
        revoked_on=party.revoked_on,
        action=action,
        person_id=person_id,
        on=on,
    )
    if not allowed:
        raise PermissionDeniedError(
            code="contact.not_authorized",
            message=(
                f"The {contact.party_kind} on {record} has no authority on file for {action.value} for this "
                "member."
            ),
            record=record,
            field="authorized_party_id",
            value=contact.authorized_party_id,
            hint=(
                "Check the account's authorized parties; the member can add one with a signed authorization."
            ),
        )


def _person_to_verify(ctx: ServiceContext, contact: Contact, member_id: str | None, *, record: str) -> Person:
    if member_id:
        person = surviving_person(ctx, member_id)
        if contact.person_id is not None and contact.person_id != person.id:
            raise ValidationError(
                code="verification.other_member",
                message=f"{record} is about another member than {member_id}.",
                record=record,
                field="member_id",
                value=member_id,
                hint="Log a separate contact for each member the caller asks about.",
            )
        return person
    if contact.person_id is None:
        raise ValidationError(
            code="verification.member_missing",
            message=f"{record} does not name the member to verify.",
            record=record,
            field="member_id",
            hint="Give the member ID the caller is asking about.",
        )
    person = ctx.session.scalar(select(Person).where(Person.id == contact.person_id))
    assert person is not None
    return person


def _same_text(stated: str | None, on_file: str) -> bool | None:
    if not stated or not stated.strip():
        return None
    return stated.strip().casefold() == on_file.strip().casefold()


def _same_name(stated: CallerIdentifiers, on_file: MemberOnFile) -> bool | None:
    if not (stated.first_name and stated.first_name.strip()) or not (
        stated.last_name and stated.last_name.strip()
    ):
        return None
    return _name_key(stated.first_name) == _name_key(on_file.first_name) and _name_key(
        stated.last_name
    ) == _name_key(on_file.last_name)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()
