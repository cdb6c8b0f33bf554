"""Use cases for persons: create, read, update demographics with history."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from premia.accounts import rules
from premia.accounts.model import Address, ChangeSource, Language, PersonInput, Sex
from premia.accounts.tables import BillingAccount, Person, PersonHistory
from premia.accounts.views import PersonView
from premia.audit import service as audit
from premia.infra.context import ServiceContext
from premia.infra.crypto import mask_last4
from premia.kernel.dates import parse_date
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError, version_conflict
from premia.staff.permissions import Permission

RECORD_TYPE = "person"
UPDATABLE_FIELDS = {
    "first_name",
    "middle_name",
    "last_name",
    "name_suffix",
    "birth_date",
    "sex",
    "ssn",
    "address",
    "mailing_address",
    "phone",
    "email",
    "spoken_language",
    "written_language",
}


@dataclass(frozen=True)
class _Change:
    field: str
    old: str | None
    new: str | None


def create_person(
    ctx: ServiceContext,
    data: PersonInput,
    *,
    source: ChangeSource = ChangeSource.STAFF,
    source_reference: str | None = None,
) -> Person:
    """Validate and store a new person, giving them a member ID when none was supplied."""
    ctx.require(Permission.MEMBER_WRITE)
    record = f"person {data.member_id or '(new)'}"
    now = ctx.now()
    person = Person(
        # A placeholder keeps the unique column filled until the row has an id to number it by.
        member_id=(data.member_id or "").strip() or f"PENDING-{uuid.uuid4().hex[:20]}",
        first_name=rules.require_text(data.first_name, field="first_name", record=record, max_length=64),
        middle_name=(data.middle_name or "").strip() or None,
        last_name=rules.require_text(data.last_name, field="last_name", record=record, max_length=64),
        name_suffix=(data.name_suffix or "").strip() or None,
        birth_date=rules.check_birth_date(data.birth_date, today=ctx.today(), record=record),
        sex=rules.parse_choice(Sex, data.sex, field="sex", record=record).value,
        phone=rules.normalize_phone(data.phone, record=record) if data.phone else None,
        email=rules.normalize_email(data.email, record=record) if data.email else None,
        spoken_language=rules.parse_choice(Language, data.spoken_language, field="spoken_language", record=record).value,
        written_language=rules.parse_choice(Language, data.written_language, field="written_language", record=record).value,
        created_at=now,
        updated_at=now,
    )
    if data.member_id and ctx.session.scalar(select(Person.id).where(Person.member_id == person.member_id)):
        raise ConflictError(
            code="person.duplicate_member_id",
            message=f"Member ID {person.member_id} already belongs to another person.",
            record=record,
            field="member_id",
            value=person.member_id,
            hint="Look the person up with `premia accounts list --member-id` instead of creating them again.",
        )
    if data.ssn:
        _set_ssn(ctx, person, data.ssn, record=record)
        if source is not ChangeSource.ENROLLMENT_834:
            _reject_known_ssn(ctx, person, record=record)
    if data.residential_address:
        _set_address(person, data.residential_address, mailing=False, record=record)
    if data.mailing_address:
        _set_address(person, data.mailing_address, mailing=True, record=record)

    ctx.session.add(person)
    ctx.session.flush()
    if not data.member_id:
        person.member_id = f"M{person.id:09d}"
        ctx.session.flush()
    _write_history(
        ctx,
        person,
        [_Change("created", None, person.member_id)],
        source=source,
        source_reference=source_reference,
    )
    audit.record(ctx, action="create", record_type=RECORD_TYPE, record_id=person.member_id, fields=_input_fields(data))
    return person


def get_person(ctx: ServiceContext, member_id: str) -> PersonView:
    """Return one person by member ID, masked, and audit the read."""
    ctx.require(Permission.MEMBER_READ)
    person = find_person(ctx, member_id)
    view = PersonView.of(person)
    audit.record(ctx, action="read", record_type=RECORD_TYPE, record_id=person.member_id, fields=view.disclosed_fields())
    return view


def find_person(ctx: ServiceContext, member_id: str) -> Person:
    """Load a person for another service; the caller audits its own use."""
    person = ctx.session.scalar(select(Person).where(Person.member_id == member_id.strip()))
    if person is None:
        raise NotFoundError(
            code="person.not_found",
            message=f"No person has member ID {member_id!r}.",
            field="member_id",
            value=member_id,
            hint="Search by name and date of birth with `premia accounts list`.",
        )
    return person


def update_person(
    ctx: ServiceContext,
    member_id: str,
    changes: dict[str, Any],
    *,
    source: ChangeSource = ChangeSource.STAFF,
    source_reference: str | None = None,
    expected_version: int | None = None,
) -> Person:
    """Apply demographic changes, keeping each old and new value in the person's history.

    ``expected_version`` guards against two people editing the same record: when it does not
    match the stored version the update is rejected instead of silently overwriting.
    """
    ctx.require(Permission.MEMBER_WRITE)
    person = find_person(ctx, member_id)
    record = f"person {person.member_id}"
    unknown = sorted(set(changes) - UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError(
            code="person.unknown_field",
            message=f"{unknown[0]} is not a demographic field that can be changed.",
            record=record,
            field=unknown[0],
            hint="Changeable fields: " + ", ".join(sorted(UPDATABLE_FIELDS)) + ".",
        )
    if expected_version is not None and expected_version != person.version:
        raise version_conflict(
            code="person.version_conflict",
            record=record,
            stored_version=person.version,
            expected_version=expected_version,
            hint="Reload the record, reapply your change and save again.",
        )

    applied = _apply_changes(ctx, person, changes, record=record)
    if not applied:
        return person
    person.updated_at = ctx.now()
    ctx.session.flush()
    _write_history(ctx, person, applied, source=source, source_reference=source_reference)
    audit.record(
        ctx, action="update", record_type=RECORD_TYPE, record_id=person.member_id, fields=[c.field for c in applied]
    )
    _accounts_follow_language(ctx, person, applied)
    return person


def _accounts_follow_language(ctx: ServiceContext, person: Person, applied: list[_Change]) -> None:
    """Carry a new written language to the person's own accounts (no other payer) that used the old one.

    Notices go out in the account's language. An account in the holder's old language was
    following the holder, so it follows the change. An account set to another language, or
    one paid by someone else, keeps its own.
    """
    change = next((item for item in applied if item.field == "written_language"), None)
    if change is None or change.old is None or change.new is None:
        return
    accounts = ctx.session.scalars(
        select(BillingAccount).where(
            BillingAccount.person_id == person.id,
            BillingAccount.language == change.old,
            BillingAccount.payer_name.is_(None),
        )
    ).all()
    for account in accounts:
        account.language = change.new
        account.updated_at = ctx.now()
        audit.record(
            ctx,
            action="update",
            record_type="billing_account",
            record_id=account.account_number,
            fields=["language"],
            detail={"follows_holder": person.member_id},
        )
    if accounts:
        ctx.session.flush()


def person_history(ctx: ServiceContext, member_id: str) -> list[dict[str, Any]]:
    ctx.require(Permission.MEMBER_READ)
    person = find_person(ctx, member_id)
    rows = ctx.session.scalars(
        select(PersonHistory).where(PersonHistory.person_id == person.id).order_by(PersonHistory.id)
    ).all()
    audit.record(ctx, action="read", record_type=RECORD_TYPE, record_id=person.member_id, fields=["history"])
    return [
        {
            "field": row.field,
            "old_value": row.old_value,
            "new_value": row.new_value,
            "source": row.source,
            "source_reference": row.source_reference,
            "changed_by": row.changed_by,
            "changed_at": row.changed_at.isoformat(),
        }
        for row in rows
    ]


def _apply_changes(ctx: ServiceContext, person: Person, changes: dict[str, Any], *, record: str) -> list[_Change]:
    applied: list[_Change] = []
    for name, value in changes.items():
        if name in {"address", "mailing_address"}:
            applied.extend(_change_address(person, value, mailing=name == "mailing_address", record=record))
            continue
        if name == "ssn":
            # Compare keyed hashes rather than the masked last four, because 123-45-6789 ->
            # 234-56-6789 is a change. Skipping an unchanged SSN also keeps the version as it is.
            new_index = ctx.cipher.blind_index(rules.normalize_ssn(value, record=record)) if value else None
            if new_index != person.ssn_index:
                old = mask_last4(person.ssn_last4, label="ssn") or None
                _set_ssn(ctx, person, value, record=record)
                applied.append(_Change("ssn", old, mask_last4(person.ssn_last4, label="ssn") or None))
            continue
        new_value = _normalize_field(ctx, name, value, record=record)
        old_value = getattr(person, name)
        if old_value != new_value:
            setattr(person, name, new_value)
            applied.append(_Change(name, _text(old_value), _text(new_value)))
    return applied


def _normalize_field(ctx: ServiceContext, name: str, value: Any, *, record: str) -> Any:
    if name in {"first_name", "last_name"}:
        return rules.require_text(value, field=name, record=record, max_length=64)
    if name in {"middle_name", "name_suffix"}:
        return (value or "").strip() or None
    if name == "birth_date":
        birth = value if isinstance(value, date) else parse_date(str(value), field="birth_date", record=record)
        return rules.check_birth_date(birth, today=ctx.today(), record=record)
    if name == "sex":
        return rules.parse_choice(Sex, value, field=name, record=record).value
    if name == "phone":
        return rules.normalize_phone(value, record=record) if value else None
    if name == "email":
        return rules.normalize_email(value, record=record) if value else None
    return rules.parse_choice(Language, value, field=name, record=record).value


def _change_address(person: Person, address: Address | None, *, mailing: bool, record: str) -> list[_Change]:
    columns = _address_columns(mailing)
    before = {column: getattr(person, column) for column in columns.values()}
    if address is None:
        for column in columns.values():
            setattr(person, column, None)
    else:
        _set_address(person, address, mailing=mailing, record=record)
    if not mailing and address is not None:
        person.address_returned = False
    return [
        _Change(column, _text(before[column]), _text(getattr(person, column)))
        for column in columns.values()
        if before[column] != getattr(person, column)
    ]


def _address_columns(mailing: bool) -> dict[str, str]:
    if mailing:
        return {
            "line1": "mailing_line1",
            "line2": "mailing_line2",
            "city": "mailing_city",
            "state": "mailing_state",
            "zip_code": "mailing_zip_code",
        }
    return {
        "line1": "address_line1",
        "line2": "address_line2",
        "city": "city",
        "state": "state",
        "zip_code": "zip_code",
        "county_code": "county_code",
    }


def _set_address(person: Person, address: Address, *, mailing: bool, record: str) -> None:
    prefix = "mailing_address." if mailing else "address."
    values = {
        "line1": rules.require_text(address.line1, field=prefix + "line1", record=record),
        "line2": (address.line2 or "").strip() or None,
        "city": rules.require_text(address.city, field=prefix + "city", record=record, max_length=64),
        "state": rules.normalize_state(address.state, field=prefix + "state", record=record),
        "zip_code": rules.normalize_zip(address.zip_code, field=prefix + "zip_code", record=record),
        "county_code": (address.county_code or "").strip() or None,
    }
    for key, column in _address_columns(mailing).items():
        setattr(person, column, values[key])


def _reject_known_ssn(ctx: ServiceContext, person: Person, *, record: str) -> None:
    """Reject a new person whose SSN already belongs to someone, so staff do not open a duplicate.

    The 834 import finds persons by its own rules (member ID, then SSN for dependents), and
    duplicates it receives are resolved with a merge, so it does not make this check.
    """
    holder = ctx.session.scalar(
        select(Person.member_id).where(Person.ssn_index == person.ssn_index, Person.merged_into_id.is_(None)).limit(1)
    )
    if holder is not None:
        raise ConflictError(
            code="person.duplicate_ssn",
            message=f"This SSN already belongs to member {holder}.",
            record=record,
            field="ssn",
            hint=f"Use member {holder}; if the two are one person, merge them instead of creating a new one.",
        )


def _set_ssn(ctx: ServiceContext, person: Person, ssn: str | None, *, record: str) -> None:
    if not ssn:
        person.ssn_ciphertext = person.ssn_last4 = person.ssn_index = None
        return
    digits = rules.normalize_ssn(ssn, record=record)
    person.ssn_ciphertext = ctx.cipher.encrypt(digits)
    person.ssn_last4 = digits[-4:]
    person.ssn_index = ctx.cipher.blind_index(digits)


def _write_history(
    ctx: ServiceContext,
    person: Person,
    changes: list[_Change],
    *,
    source: ChangeSource,
    source_reference: str | None,
) -> None:
    now = ctx.now()
    for change in changes:
        ctx.session.add(
            PersonHistory(
                person_id=person.id,
                field=change.field,
                old_value=change.old,
                new_value=change.new,
                source=ChangeSource(source).value,
                source_reference=source_reference,
                changed_by=ctx.actor.username,
                changed_at=now,
            )
        )


def _input_fields(data: PersonInput) -> list[str]:
    return [name for name, value in vars(data).items() if value not in (None, "")]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
