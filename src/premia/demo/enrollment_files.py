"""The demo book as 834 enrollment files, built as records and written by Premia's 834 writer (pure).

Three senders send enrollments, as they would to a carrier:

- the Exchange (sender ``VAEXCHANGE``): on-exchange households with REF*X9 policy ids and
  the 2750 amounts (premium per member, total, APTC, member responsibility);
- the carrier's own direct-enrollment site (``DEMODIRECT``): off-exchange households;
- each employer (its tax id): its roster, every member with REF*1L naming the group.

Each member loop carries REF*0F (the household's subscriber id), NM1 with the SSN when
known, DMG, and an HD loop whose REF*CE is the plan's HIOS id with the standard ``01``
cost-sharing variant. The subscriber adds N3/N4 with the county, phone and email, and LUI
for Spanish speakers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from premia.accounts.model import Language as AccountLanguage
from premia.demo.book import EmployerGroup, Household, MemberSpec
from premia.enrollment.model import Relationship
from premia.formats.x12 import (
    Address,
    Beginning,
    BenefitStatus,
    Contact,
    ContactKind,
    Coverage,
    CoverageLevel,
    Demographics,
    EmploymentStatus,
    Enrollment834,
    EntityName,
    FunctionalGroup,
    Gender,
    InsuranceLine,
    Interchange,
    Language,
    MaintenanceReason,
    MaintenanceType,
    Member834,
    Party,
    PartyRole,
    QualifiedDate,
    Reference,
    RelationshipCode,
    ReportingCategory,
    SetHeader,
    TransactionAction,
    TransactionPurpose,
    UsageIndicator,
    exchange_categories,
    write_834,
)

CARRIER_ID = "DEMOHEALTH"
CARRIER_NAME = "DEMO HEALTH PLAN OF VIRGINIA"
CARRIER_TAX_ID = "987654321"
EXCHANGE_SENDER = "VAEXCHANGE"
EXCHANGE_TAX_ID = "541234567"
DIRECT_SENDER = "DEMODIRECT"
ENROLLMENT_GUIDE = "005010X220A1"
STANDARD_CSR_VARIANT = "01"
SENT_AT = time(2, 30)

RELATIONSHIP_CODES = {
    Relationship.SUBSCRIBER: RelationshipCode.SELF,
    Relationship.SPOUSE: RelationshipCode.SPOUSE,
    Relationship.CHILD: RelationshipCode.CHILD,
}


def exchange_file(households: Sequence[Household], *, received: date, control_number: int) -> str:
    """Write the Exchange's 834 of new enrollments for ``households`` (all on the exchange)."""
    members = [loop for household in households for loop in _household_loops(household)]
    sponsor = Party(PartyRole.SPONSOR, "VIRGINIA EXCHANGE", "FI", EXCHANGE_TAX_ID)
    return _write(members, sender=EXCHANGE_SENDER, sponsor=sponsor, received=received, control_number=control_number)


def direct_file(households: Sequence[Household], *, received: date, control_number: int) -> str:
    """Write the carrier's direct-enrollment 834 for off-exchange ``households``."""
    members = [loop for household in households for loop in _household_loops(household)]
    sponsor = Party(PartyRole.SPONSOR, "INDIVIDUAL MARKET DIRECT", "FI", CARRIER_TAX_ID)
    return _write(members, sender=DIRECT_SENDER, sponsor=sponsor, received=received, control_number=control_number)


def group_file(group: EmployerGroup, employees: Sequence[Household], *, received: date, control_number: int) -> str:
    """Write an employer's 834 roster: one loop per employee and dependent, REF*38 and REF*1L naming the group."""
    profile = group.profile
    members = [loop for household in employees for loop in _household_loops(household)]
    sponsor = Party(PartyRole.SPONSOR, profile.name.upper(), "FI", profile.tax_id)
    return _write(
        members,
        sender=profile.tax_id,
        sponsor=sponsor,
        received=received,
        control_number=control_number,
        references=(Reference("38", profile.group_number),),
    )


def _write(
    members: list[Member834],
    *,
    sender: str,
    sponsor: Party,
    received: date,
    control_number: int,
    references: tuple[Reference, ...] = (),
) -> str:
    enrollment = Enrollment834(
        SetHeader("834", "0001", ENROLLMENT_GUIDE),
        Beginning(
            TransactionPurpose.ORIGINAL,
            f"{sender}-{control_number}",
            received,
            SENT_AT,
            action=TransactionAction.CHANGE,
        ),
        sponsor=sponsor,
        payer=Party(PartyRole.INSURER, CARRIER_NAME, "FI", CARRIER_TAX_ID),
        references=references,
        members=tuple(members),
    )
    group = FunctionalGroup(
        "BE", sender, CARRIER_ID, received, SENT_AT, str(control_number), ENROLLMENT_GUIDE, (enrollment,)
    )
    interchange = Interchange(
        "ZZ", sender, "ZZ", CARRIER_ID, received, SENT_AT, f"{control_number:09d}", "00501", UsageIndicator.TEST,
        False, (group,),
    )  # fmt: skip
    return write_834(interchange)


def _household_loops(household: Household) -> list[Member834]:
    return [_member_loop(household, index, person) for index, person in enumerate(household.members)]


def _member_loop(household: Household, index: int, person: MemberSpec) -> Member834:
    is_subscriber = person.relationship is Relationship.SUBSCRIBER
    start = household.coverage_start
    coverage_references = [Reference("CE", household.plan_id + STANDARD_CSR_VARIANT)]
    if household.exchange_policy_id:
        coverage_references.append(Reference("X9", household.exchange_policy_id))
    references = [Reference("0F", household.subscriber_id)]
    if household.employer is not None:
        references.append(Reference("1L", household.employer.group_number))

    return Member834(
        is_subscriber=is_subscriber,
        relationship=RELATIONSHIP_CODES[person.relationship],
        maintenance_type=MaintenanceType.ADDITION,
        maintenance_reason=MaintenanceReason.INITIAL_ENROLLMENT,
        benefit_status=BenefitStatus.ACTIVE,
        employment_status=EmploymentStatus.FULL_TIME if household.employer is not None and is_subscriber else None,
        name=EntityName(
            "IL", "1", person.last_name, person.first_name,
            id_qualifier="34" if person.ssn else "", id=person.ssn or "",
        ),  # fmt: skip
        references=tuple(references),
        dates=(QualifiedDate("356", start),),
        contacts=_contacts(household) if is_subscriber else (),
        address=_address(household) if is_subscriber else None,
        demographics=Demographics(person.birth_date, Gender(person.sex)),
        languages=_languages(household) if is_subscriber else (),
        coverages=(
            Coverage(
                MaintenanceType.ADDITION,
                InsuranceLine.HEALTH,
                "",
                _coverage_level(household),
                dates=(QualifiedDate("348", start),),
                references=tuple(coverage_references),
            ),
        ),
        reporting_categories=_exchange_amounts(household, index, is_subscriber),
    )


def _exchange_amounts(household: Household, index: int, is_subscriber: bool) -> tuple[ReportingCategory, ...]:
    if not household.kind.on_exchange:
        return ()
    amounts: dict[str, int] = {"premium_cents": household.premiums_cents[index]}
    if is_subscriber:
        total = sum(household.premiums_cents)
        amounts |= {
            "premium_total_cents": total,
            "aptc_cents": household.aptc_cents,
            "responsibility_cents": total - household.aptc_cents,
        }
    return exchange_categories(effective=household.coverage_start, rating_area=household.residence.area_id, **amounts)


def _contacts(household: Household) -> tuple[Contact, ...]:
    contacts = [Contact(ContactKind.TELEPHONE, household.phone)]
    if household.email:
        contacts.append(Contact(ContactKind.EMAIL, household.email))
    return tuple(contacts)


def _address(household: Household) -> Address:
    residence = household.residence
    return Address(household.street, "", residence.city, "VA", residence.zip_code, county_code=residence.county)


def _languages(household: Household) -> tuple[Language, ...]:
    if household.language is not AccountLanguage.SPANISH:
        return ()
    # LUI04 6 is the written language, 7 the spoken one.
    return (Language("LD", "SPA", use="6"), Language("LD", "SPA", use="7"))


def _coverage_level(household: Household) -> CoverageLevel:
    relationships = {person.relationship for person in household.members[1:]}
    if not relationships:
        return CoverageLevel.EMPLOYEE_ONLY if household.employer is not None else CoverageLevel.INDIVIDUAL
    if relationships == {Relationship.SPOUSE}:
        return CoverageLevel.EMPLOYEE_AND_SPOUSE
    if relationships == {Relationship.CHILD}:
        return CoverageLevel.EMPLOYEE_AND_CHILDREN
    return CoverageLevel.FAMILY
