"""834 files for the import tests, built as records and written with Premia's 834 writer."""

from __future__ import annotations

from datetime import date, time

from premia.formats.x12 import (
    Address,
    Beginning,
    BenefitStatus,
    Contact,
    ContactKind,
    Coverage,
    CoverageLevel,
    Demographics,
    Enrollment834,
    EntityName,
    FunctionalGroup,
    Gender,
    InsuranceLine,
    Interchange,
    MaintenanceReason,
    MaintenanceType,
    Member834,
    Party,
    PartyRole,
    QualifiedDate,
    Reference,
    RelationshipCode,
    SetHeader,
    TransactionAction,
    TransactionPurpose,
    UsageIndicator,
    exchange_categories,
    write_834,
)

JANUARY_FIRST = date(2026, 1, 1)
EXCHANGE_PLAN = "12345VA0020001"
FAIRFAX = Address("12 ELM ST", "APT 2", "FAIRFAX", "VA", "22030", county_code="Fairfax County")


def coverage(
    *,
    start: date | None = JANUARY_FIRST,
    end: date | None = None,
    plan: str = EXCHANGE_PLAN,
    maintenance: MaintenanceType = MaintenanceType.ADDITION,
    line: InsuranceLine = InsuranceLine.HEALTH,
    exchange_policy_id: str | None = None,
) -> Coverage:
    """An HD line for ``plan`` (sent in REF*CE with the 01 CSR variant) with its DTP*348 and DTP*349."""
    dates = []
    if start is not None:
        dates.append(QualifiedDate("348", start))
    if end is not None:
        dates.append(QualifiedDate("349", end))
    references = [Reference("CE", f"{plan}01")] if plan else []
    if exchange_policy_id:
        references.append(Reference("X9", exchange_policy_id))
    return Coverage(
        maintenance, line, "", CoverageLevel.FAMILY, dates=tuple(dates), references=tuple(references)
    )


def member(
    subscriber_id: str,
    *,
    first_name: str = "ANA",
    last_name: str = "RIVERA",
    birth: date | None = date(1986, 5, 20),
    relationship: RelationshipCode = RelationshipCode.SELF,
    maintenance: MaintenanceType = MaintenanceType.ADDITION,
    coverages: tuple[Coverage, ...] | None = None,
    address: Address | None = FAIRFAX,
    ssn: str | None = None,
    own_id: str | None = None,
    contacts: tuple[Contact, ...] = (),
    dates: tuple[QualifiedDate, ...] = (),
    amounts: dict[str, int] | None = None,
) -> Member834:
    """Return a member loop: a subscriber, unless ``relationship`` names a dependent's relationship."""
    is_subscriber = relationship is RelationshipCode.SELF
    if coverages is None:
        coverages = (coverage(),) if is_subscriber else ()
    identifier = ("34", ssn) if ssn else (("ZZ", own_id) if own_id else ("", ""))
    return Member834(
        is_subscriber=is_subscriber,
        relationship=relationship,
        maintenance_type=maintenance,
        maintenance_reason=MaintenanceReason.INITIAL_ENROLLMENT
        if maintenance is MaintenanceType.ADDITION
        else None,
        benefit_status=BenefitStatus.ACTIVE,
        name=EntityName("IL", "1", last_name, first_name, id_qualifier=identifier[0], id=identifier[1]),
        references=(Reference("0F", subscriber_id),),
        dates=dates,
        contacts=contacts,
        address=address if is_subscriber else None,
        demographics=Demographics(birth, Gender.FEMALE) if birth else None,
        coverages=coverages,
        reporting_categories=exchange_categories(effective=JANUARY_FIRST, **amounts) if amounts else (),
    )


def email(address: str) -> Contact:
    return Contact(ContactKind.EMAIL, address)


def interchange_text(
    members: list[Member834] | tuple[Member834, ...],
    *,
    control_number: str = "000000101",
    sender: str = "EXCHANGE",
    action: TransactionAction = TransactionAction.CHANGE,
    references: tuple[Reference, ...] = (),
    sponsor_id: str = "541234567",
) -> str:
    """Return an 834 interchange of one transaction set holding ``members``."""
    enrollment = Enrollment834(
        SetHeader("834", "0001", "005010X220A1"),
        Beginning(
            TransactionPurpose.ORIGINAL, f"REF-{control_number}", date(2026, 2, 20), time(9, 0), action=action
        ),
        sponsor=Party(PartyRole.SPONSOR, "SPONSOR", "FI", sponsor_id),
        payer=Party(PartyRole.INSURER, "PREMIA TEST HEALTH", "FI", "987654321"),
        references=references,
        members=tuple(members),
    )
    group = FunctionalGroup(
        "BE", sender, "PREMIA", date(2026, 2, 20), time(9, 0), "1", "005010X220A1", (enrollment,)
    )
    interchange = Interchange(
        "ZZ",
        sender,
        "ZZ",
        "PREMIA",
        date(2026, 2, 20),
        time(9, 0),
        control_number,
        "00501",
        UsageIndicator.TEST,
        False,
        (group,),
    )
    return write_834(interchange)


def fragment_834(
    body: str, *, control_number: str = "000000201", sender: str = "EXCHANGE", action: str = "2"
) -> str:
    """Wrap member segments written as X12 text in an 834 envelope with correct counts.

    ``action`` is BGN08: 2 change, 4 verify, RX replace. Spaces inside a segment are kept,
    so a test can send a value with a trailing space as a sender would.
    """
    members = [line.strip("\r\n\t") for line in body.strip().splitlines() if line.strip()]
    content = [
        f"BGN*00*REF-{control_number}*20260220*0900****{action}~",
        "N1*P5*SPONSOR*FI*541234567~",
        "N1*IN*PREMIA TEST HEALTH*FI*987654321~",
        *members,
    ]
    isa = f"ISA*00*{' ' * 10}*00*{' ' * 10}*ZZ*{sender:<15}*ZZ*{'PREMIA':<15}*260220*0900*^*00501*{control_number}*0*T*:~"
    segments = [
        isa,
        f"GS*BE*{sender}*PREMIA*20260220*0900*1*X*005010X220A1~",
        "ST*834*0001*005010X220A1~",
        *content,
        f"SE*{len(content) + 2}*0001~",
        "GE*1*1~",
        f"IEA*1*{control_number}~",
    ]
    return "\n".join(segments) + "\n"
