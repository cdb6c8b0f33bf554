"""Check and normalize one parsed 834 member loop before anything is written.

Everything here is pure: a member either becomes a ``MemberIntake`` with trimmed,
normalized values, or raises ``MemberRejected`` naming the element at fault. Values that
coverage and billing depend on (names, birth date, relationship, residence, plan, dates)
reject the member when invalid. Contact details (phone, email, mailing address, language,
SSN) are skipped with a warning instead, because a bad phone number is no reason to leave
someone without coverage.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple, TypeVar

from premia.accounts import rules
from premia.accounts.model import Address, Language, PersonInput, Sex
from premia.accounts.rules import EARLIEST_BIRTH_DATE
from premia.enrollment.model import Relationship
from premia.formats.x12 import (
    DateQualifier,
    ExchangeAmounts,
    ExchangeCategory,
    Gender,
    MaintenanceType,
    Member834,
    Party,
    RejectedMember,
    RelationshipCode,
    TransactionAction,
)
from premia.importers.enrollment.model import ImportWarning, MemberRejected, Rejection, RejectionScope
from premia.importers.enrollment.plans import PlanResolver, ResolvedPlan
from premia.importers.enrollment.residence import Residence, read_residence
from premia.kernel.errors import ValidationError

T = TypeVar("T")

MEMBER_ID_LENGTH = 32
NAME_LENGTH = 64
SSN_QUALIFIER = "34"
MUTUALLY_DEFINED_QUALIFIER = "ZZ"
EXCHANGE_POLICY_REFERENCE = "X9"
# The 2750 categories whose DTP*007 is the Exchange amounts' effective date. State files also
# send DTP*007 in categories of their own (a due date, a previous plan's end date), and those
# dates apply to no amount.
EXCHANGE_CATEGORY_NAMES = frozenset(category.value for category in ExchangeCategory)
CHILD_CODES = frozenset(
    {
        RelationshipCode.CHILD,
        RelationshipCode.ADOPTED_CHILD,
        RelationshipCode.FOSTER_CHILD,
        RelationshipCode.STEPSON_OR_STEPDAUGHTER,
    }
)
# LUI04: 5 and 6 are reading and writing, 7 and 8 speaking and native language.
WRITTEN_LANGUAGE_USES = frozenset({"5", "6"})
SPOKEN_LANGUAGE_USES = frozenset({"7", "8"})
SUB_GROUP_QUALIFIERS = frozenset({"17", "23"})
ELIGIBILITY_BEGIN = DateQualifier.ELIGIBILITY_BEGIN.value
ELIGIBILITY_END = DateQualifier.ELIGIBILITY_END.value
MAINTENANCE_EFFECTIVE = DateQualifier.MAINTENANCE_EFFECTIVE.value
BENEFIT_BEGIN = DateQualifier.BENEFIT_BEGIN.value
BENEFIT_END = DateQualifier.BENEFIT_END.value
SEXES = {gender.value: Sex(gender.value) for gender in Gender}
LANGUAGE_CODES = {
    "EN": Language.ENGLISH,
    "ENG": Language.ENGLISH,
    "ES": Language.SPANISH,
    "SPA": Language.SPANISH,
}


class TransactionInfo(NamedTuple):
    """The envelope and 834 header values that apply to every member of one transaction set."""

    control_number: str
    action: TransactionAction | None
    sender_id: str
    sponsor: Party | None
    master_policy_number: str
    file_effective: date | None

    @property
    def is_full_file(self) -> bool:
        """BGN08 4 (verify) or RX (replace): the whole enrollment, compared and never applied blindly."""
        return self.action in (TransactionAction.VERIFY, TransactionAction.REPLACE)


class PersonData(NamedTuple):
    """Demographics as sent, trimmed and normalized; None means the file did not send it."""

    first_name: str | None
    middle_name: str | None
    last_name: str
    name_suffix: str | None
    birth_date: date | None
    sex: Sex | None
    ssn: str | None
    residence: Residence | None
    mailing_address: Address | None
    phone: str | None
    email: str | None
    spoken_language: Language | None
    written_language: Language | None

    def person_input(self, member_id: str, position: int) -> PersonInput:
        """Return the input that creates this person, rejecting a member without name or birth date."""
        if not self.first_name:
            raise MemberRejected(
                "enrollment.first_name_missing",
                f"NM104 first name is empty, so member {member_id} cannot be enrolled.",
                segment_id="NM1",
                position=position,
                element="NM104",
                hint="Send the member's first name in NM104.",
            )
        if self.birth_date is None:
            raise MemberRejected(
                "enrollment.birth_date_missing",
                f"Member {member_id} has no DMG02 birth date, which a new enrollment needs for rating.",
                segment_id="DMG",
                position=position,
                element="DMG02",
                hint="Send DMG*D8 with the member's birth date.",
            )
        return PersonInput(
            first_name=self.first_name,
            middle_name=self.middle_name,
            last_name=self.last_name,
            name_suffix=self.name_suffix,
            birth_date=self.birth_date,
            sex=self.sex or Sex.UNKNOWN,
            member_id=member_id,
            ssn=self.ssn,
            residential_address=self.residence.address() if self.residence is not None else None,
            mailing_address=self.mailing_address,
            phone=self.phone,
            email=self.email,
            spoken_language=self.spoken_language or Language.ENGLISH,
            written_language=self.written_language or Language.ENGLISH,
        )

    def changes(self, stored_address: Address | None) -> dict[str, Any]:
        """Return the demographic fields the file sent, as ``update_person`` takes them.

        The NM1 segment always carries the whole name, so an empty middle name or suffix
        clears the stored one. Other fields change only when their segment was sent. A
        partial address is completed from ``stored_address``.
        """
        changes: dict[str, Any] = {
            "last_name": self.last_name,
            "middle_name": self.middle_name,
            "name_suffix": self.name_suffix,
        }
        optional = {
            "first_name": self.first_name,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "ssn": self.ssn,
            "address": self.residence.address(stored_address) if self.residence is not None else None,
            "mailing_address": self.mailing_address,
            "phone": self.phone,
            "email": self.email,
            "spoken_language": self.spoken_language,
            "written_language": self.written_language,
        }
        changes.update({name: value for name, value in optional.items() if value is not None})
        return changes


class CoverageLine(NamedTuple):
    """One HD coverage line with its catalog plan and member-level dates.

    ``plan`` is None only for audit members (INS03 030), whose unknown plan becomes a
    discrepancy, and ``plan_problem`` then gives the reason.
    """

    maintenance_type: MaintenanceType
    insurance_line: str
    plan: ResolvedPlan | None
    start: date | None
    end: date | None
    exchange_policy_id: str | None
    position: int
    plan_problem: str | None = None


class MemberIntake(NamedTuple):
    """A member loop after every check that needs no database.

    ``own_member_id`` is the member's identifier in Premia when the file gives one: REF*0F
    for the subscriber, NM109 for a dependent when NM108 is ZZ (a dependent's NM109 under
    NM108 34 is an SSN, never an identifier).
    """

    member: Member834
    transaction: TransactionInfo
    action: MaintenanceType
    is_subscriber: bool
    subscriber_id: str
    own_member_id: str | None
    relationship: Relationship
    person: PersonData
    county: str | None
    coverages: tuple[CoverageLine, ...]
    eligibility_start: date | None
    eligibility_end: date | None
    maintenance_effective: date | None
    group_numbers: tuple[str, ...]
    sub_group_numbers: tuple[str, ...]
    amounts: ExchangeAmounts
    amounts_effective: date | None
    warnings: tuple[ImportWarning, ...]

    @property
    def position(self) -> int:
        return self.member.position

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.person.first_name, self.person.last_name) if part)

    @property
    def has_amounts(self) -> bool:
        amounts = self.amounts
        return any(
            value is not None
            for value in (
                amounts.premium_cents,
                amounts.premium_total_cents,
                amounts.aptc_cents,
                amounts.responsibility_cents,
            )
        )

    def rejection(self, error: MemberRejected) -> Rejection:
        return member_rejection(self.member, self.transaction, error)


def reader_rejection(rejected: RejectedMember) -> MemberRejected:
    """Return the reader's rejection of a member loop as the import reports it: every error in one reason."""
    first, *others = rejected.findings
    reason = first.message
    if others:
        reason += " Also: " + " ".join(finding.message for finding in others)
    return MemberRejected(
        first.code.value,
        reason,
        segment_id=first.segment_id,
        position=first.position,
        element=first.element,
        hint=first.hint,
    )


def member_rejection(
    member: Member834 | RejectedMember, transaction: TransactionInfo, error: MemberRejected
) -> Rejection:
    name = member.name
    member_name = " ".join(part for part in (name.first_name, name.last_name) if part) if name else ""
    # A loop the reader rejected may have no valid INS03.
    maintenance_type = member.maintenance_type.value if isinstance(member, Member834) else None
    return Rejection(
        scope=RejectionScope.MEMBER,
        code=error.code,
        reason=error.reason,
        segment_id=error.segment_id,
        position=error.position,
        element=error.element,
        hint=error.hint,
        transaction=transaction.control_number,
        member_position=member.position,
        subscriber_id=member.subscriber_id.strip() or None,
        member_name=member_name or None,
        maintenance_type=maintenance_type,
    )


def read_member(
    member: Member834,
    transaction: TransactionInfo,
    resolver: PlanResolver,
    today: date,
    *,
    subscriber_id: str | None = None,
    member_reference: str | None = None,
) -> MemberIntake:
    """Check and normalize ``member``; raise ``MemberRejected`` for a value the import cannot use.

    ``subscriber_id`` is the identifier of the member's family when it is not the member's
    own REF*0F, and ``member_reference`` a dependent's REF*0F that names the dependent itself
    (see ``families``).
    """
    warnings: list[ImportWarning] = []
    references = _MemberReferences(member)
    reference_position = references.subscriber_position
    subscriber_id = _identifier(
        subscriber_id or references.subscriber_id, "REF02", reference_position, "REF*0F subscriber identifier"
    )
    own_member_id = _own_member_id(member, subscriber_id)
    if own_member_id is None and member_reference:
        own_member_id = _identifier(member_reference, "REF02", reference_position, "REF*0F member identifier")
        warnings.append(
            _warning(
                member,
                "enrollment.reference_names_dependent",
                f"REF*0F {member_reference!r} differs from the subscriber's {subscriber_id!r} before it and names no "
                "subscriber, so it was taken as the dependent's own member ID.",
                reference_position,
                "REF02",
            )
        )
    relationship = _relationship(member, warnings)
    person, county = _person(member, today, warnings)
    group_number = references.group_number.strip()
    master_policy_number = transaction.master_policy_number.strip()
    group_numbers = tuple(dict.fromkeys(value for value in (group_number, master_policy_number) if value))
    audit = member.maintenance_type is MaintenanceType.AUDIT_OR_COMPARE or transaction.is_full_file
    coverages = tuple(_coverage_lines(member, resolver, group_numbers, audit))
    amounts_effective = next(
        (
            entry.start
            for category in member.reporting_categories
            if category.name in EXCHANGE_CATEGORY_NAMES
            for entry in category.dates
            if entry.qualifier == DateQualifier.FILE_EFFECTIVE
        ),
        None,
    )
    eligibility_start, eligibility_end, maintenance_effective = _member_dates(member)
    return MemberIntake(
        member,
        transaction,
        member.maintenance_type,
        member.is_subscriber,
        subscriber_id,
        own_member_id,
        relationship,
        person,
        county,
        coverages,
        eligibility_start,
        eligibility_end,
        maintenance_effective,
        group_numbers,
        references.sub_group_numbers,
        member.exchange_amounts,
        amounts_effective,
        tuple(warnings),
    )


class _MemberReferences:
    """The member-level REF values the intake uses, found in one pass over the references."""

    __slots__ = ("group_number", "sub_group_numbers", "subscriber_id", "subscriber_position")

    def __init__(self, member: Member834) -> None:
        subscriber_id: str | None = None
        group_number: str | None = None
        sub_groups: list[str] = []
        self.subscriber_position = member.position
        for reference in member.references:
            qualifier = reference.qualifier
            if qualifier == "0F":
                if subscriber_id is None:
                    subscriber_id = reference.value
                    self.subscriber_position = reference.position
            elif qualifier == "1L":
                if group_number is None:
                    group_number = reference.value
            elif qualifier in SUB_GROUP_QUALIFIERS and reference.value.strip():
                sub_groups.append(reference.value.strip())
        self.subscriber_id = subscriber_id or ""
        self.group_number = group_number or ""
        self.sub_group_numbers = tuple(sub_groups)


def _member_dates(member: Member834) -> tuple[date | None, date | None, date | None]:
    """Return the first eligibility begin (DTP*356), eligibility end (357) and maintenance effective (303)."""
    begin = end = effective = None
    for entry in member.dates:
        qualifier = entry.qualifier
        if qualifier == ELIGIBILITY_BEGIN:
            if begin is None:
                begin = entry.start
        elif qualifier == ELIGIBILITY_END:
            if end is None:
                end = entry.start
        elif qualifier == MAINTENANCE_EFFECTIVE and effective is None:
            effective = entry.start
    return begin, end, effective


def _identifier(value: str, element: str, position: int, what: str) -> str:
    text = value.strip()
    if len(text) > MEMBER_ID_LENGTH:
        raise MemberRejected(
            "enrollment.identifier_too_long",
            f"{what} {text!r} is longer than the {MEMBER_ID_LENGTH} characters Premia stores.",
            segment_id="REF" if element.startswith("REF") else "NM1",
            position=position,
            element=element,
            hint="Agree a shorter member identifier with Premia's carrier.",
        )
    return text


def _own_member_id(member: Member834, subscriber_id: str) -> str | None:
    if member.is_subscriber:
        return subscriber_id
    if member.name.id_qualifier == MUTUALLY_DEFINED_QUALIFIER and member.name.id.strip():
        return _identifier(member.name.id, "NM109", member.name.position, "NM109 member identifier")
    return None


def _relationship(member: Member834, warnings: list[ImportWarning]) -> Relationship:
    code = member.relationship
    if member.is_subscriber:
        if code is not RelationshipCode.SELF:
            warnings.append(
                _warning(
                    member,
                    "enrollment.subscriber_relationship",
                    f"INS02 {code.value} contradicts INS01 Y; the member was treated as the subscriber.",
                    member.position,
                    "INS02",
                )
            )
        return Relationship.SUBSCRIBER
    if code is RelationshipCode.SELF:
        raise MemberRejected(
            "enrollment.dependent_as_self",
            "INS02 is 18 (self) but INS01 says the member is a dependent.",
            segment_id="INS",
            position=member.position,
            element="INS02",
            hint="Send INS01 Y for the subscriber, or the dependent's relationship code in INS02.",
        )
    if code is RelationshipCode.SPOUSE:
        return Relationship.SPOUSE
    if code is RelationshipCode.DOMESTIC_PARTNER:
        return Relationship.DOMESTIC_PARTNER
    if code in CHILD_CODES:
        return Relationship.CHILD
    return Relationship.OTHER


def _person(member: Member834, today: date, warnings: list[ImportWarning]) -> tuple[PersonData, str | None]:
    name = member.name
    position = name.position
    demographics = member.demographics
    birth_date = demographics.birth_date if demographics is not None else None
    gender = demographics.gender if demographics is not None else None
    if birth_date is not None and demographics is not None and not EARLIEST_BIRTH_DATE <= birth_date <= today:
        _checked(
            lambda: rules.check_birth_date(birth_date, today=today), "DMG", demographics.position, "DMG02"
        )
    residence = read_residence(member.address) if member.address is not None else None
    # The warnings keep the order of the fields: SSN, mailing address, phone, email, language.
    ssn = _ssn(member, warnings)
    mailing_address = _mailing_address(member, warnings)
    phone = email = None
    if member.contacts:
        phone = _optional(
            member, warnings, "PER04", "phone number", member.phone.strip() or None, rules.normalize_phone
        )
        email = _optional(
            member, warnings, "PER04", "email address", member.email.strip() or None, rules.normalize_email
        )
    languages = member.languages
    person = PersonData(
        _name_part(name.first_name, "NM104", position),
        _name_part(name.middle_name, "NM105", position),
        _name_part(name.last_name, "NM103", position) or "",
        _name_part(name.suffix, "NM107", position),
        birth_date,
        SEXES[gender] if gender is not None else None,
        ssn,
        residence,
        mailing_address,
        phone,
        email,
        _language(member, SPOKEN_LANGUAGE_USES, warnings) if languages else None,
        _language(member, WRITTEN_LANGUAGE_USES, warnings) if languages else None,
    )
    return person, residence.county if residence is not None else None


def _mailing_address(member: Member834, warnings: list[ImportWarning]) -> Address | None:
    """Return the mailing address (loop 2100C), or None with a warning when it is incomplete or invalid."""
    if member.mailing_address is None:
        return None
    try:
        mailing = read_residence(member.mailing_address)
        return mailing.address()
    except MemberRejected as error:
        warnings.append(
            _warning(
                member,
                "enrollment.contact_not_stored",
                f"The mailing address was not stored: {error.reason}",
                member.mailing_address.position,
                error.element,
            )
        )
        return None


def _name_part(value: str, element: str, position: int) -> str | None:
    if not value:
        return None
    text = value.strip()
    if len(text) > NAME_LENGTH:
        raise MemberRejected(
            "enrollment.name_too_long",
            f"{element} {text[:20]!r}... is longer than {NAME_LENGTH} characters.",
            segment_id="NM1",
            position=position,
            element=element,
            hint=f"Send the name in at most {NAME_LENGTH} characters.",
        )
    return text or None


def _ssn(member: Member834, warnings: list[ImportWarning]) -> str | None:
    name = member.name
    if name.id_qualifier != SSN_QUALIFIER or not name.id.strip():
        return None
    try:
        return rules.normalize_ssn(name.id)
    except ValidationError:
        warnings.append(
            _warning(
                member,
                "enrollment.ssn_not_stored",
                "NM109 is not a valid Social Security number, so it was not stored.",
                name.position,
                "NM109",
            )
        )
        return None


def _optional(
    member: Member834,
    warnings: list[ImportWarning],
    element: str,
    what: str,
    value: Any,
    normalize: Callable[[Any], T],
) -> T | None:
    """Normalize a contact detail, or skip it with a warning when it is invalid."""
    if value is None:
        return None
    try:
        return normalize(value)
    except ValidationError as error:
        warnings.append(
            _warning(
                member,
                "enrollment.contact_not_stored",
                f"The {what} was not stored: {error.message}",
                member.name.position,
                element,
            )
        )
        return None


def _language(member: Member834, uses: frozenset[str], warnings: list[ImportWarning]) -> Language | None:
    for language in member.languages:
        if language.use and language.use not in uses:
            continue
        code = language.code.strip().upper()
        found = LANGUAGE_CODES.get(code)
        description = language.description.upper()
        if found is None and "SPANISH" in description:
            found = Language.SPANISH
        if found is None and "ENGLISH" in description:
            found = Language.ENGLISH
        if found is not None:
            return found
        warnings.append(
            _warning(
                member,
                "enrollment.language_not_supported",
                f"LUI language {language.code or language.description!r} is not one Premia writes to members in; "
                "the stored language was kept.",
                language.position,
                "LUI02",
            )
        )
    return None


def _coverage_lines(
    member: Member834, resolver: PlanResolver, group_numbers: tuple[str, ...], audit: bool
) -> list[CoverageLine]:
    lines = []
    for coverage in member.coverages:
        begin = end = None
        for entry in coverage.dates:
            if entry.qualifier == BENEFIT_BEGIN:
                if begin is None:
                    begin = entry.start
            elif entry.qualifier == BENEFIT_END and end is None:
                end = entry.start
        start = begin or member.eligibility_begin
        exchange_policy_id = next(
            (ref.value.strip() for ref in coverage.references if ref.qualifier == EXCHANGE_POLICY_REFERENCE),
            None,
        )
        plan: ResolvedPlan | None = None
        problem = None
        try:
            plan = resolver.resolve(coverage, group_numbers, start)
        except MemberRejected as error:
            if not audit:
                raise
            problem = error.reason
        lines.append(
            CoverageLine(
                coverage.maintenance_type,
                coverage.insurance_line.value,
                plan,
                start,
                end,
                exchange_policy_id or None,
                coverage.position,
                problem,
            )
        )
    return lines


def _checked(check: Callable[[], T], segment_id: str, position: int, element: str | None) -> T:
    """Run an accounts rule, turning its error into a member rejection that names the 834 element."""
    try:
        return check()
    except ValidationError as error:
        # The address rules name their field after the 834 element ("N403 postal code").
        element = element or (error.field or "").split(" ")[0] or None
        raise MemberRejected(
            error.code,
            error.message,
            segment_id=element[:-2] if element else segment_id,
            position=position,
            element=element,
            hint=error.hint,
        ) from error


def _warning(member: Member834, code: str, message: str, position: int, element: str | None) -> ImportWarning:
    return ImportWarning(
        code, message, position, element, member.position, member.subscriber_id.strip() or None
    )
