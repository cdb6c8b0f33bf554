"""Generate an 834 of new Exchange family enrollments for the import benchmark.

The families are drawn with a fixed seed. Each has a subscriber aged 21 to 64, a spouse in
about half of them, and up to three children. They enroll from 2026-01-01 in one of the demo
catalog's three Exchange plans and live in one of its three Virginia rating areas. Each family carries
the Exchange amounts of loop 2750, priced with Premia's own rating so that they agree,
except for one family in a hundred whose total premium is a dollar off, which the import
reports as a rating difference.

Usage (from the repository root): python -m bench.enrollment.generate_834 MEMBERS OUTPUT_FILE
"""

from __future__ import annotations

import random
import sys
from datetime import date, time
from pathlib import Path

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
from premia.kernel.dates import Month
from premia.rating.catalog import Catalog, rate_from_catalog
from premia.rating.catalog_file import parse_catalog_file
from premia.rating.model import Member, Relationship

DEMO_CATALOG = (
    Path(__file__).resolve().parents[2] / "src" / "premia" / "rating" / "data" / "demo-catalog.yaml"
)
START = date(2026, 1, 1)
PLANS = ("12345VA0010001", "12345VA0020001", "12345VA0030001")
# One county of each demo rating area, with a ZIP code in it.
RESIDENCES = (
    ("FAIRFAX", "22030", "Fairfax County", "VA-1"),
    ("RICHMOND", "23219", "Richmond city", "VA-2"),
    ("NORFOLK", "23510", "Norfolk city", "VA-3"),
)
FIRST_NAMES = ("ANA", "BEN", "CARA", "DEV", "ELLA", "FINN", "GIA", "HUGO", "IRIS", "JON", "KAI", "LENA")
LAST_NAMES = ("RIVERA", "NGUYEN", "SMITH", "OKAFOR", "LEE", "GARCIA", "PATEL", "COHEN", "KOWALSKI", "BROWN")
PRICING_ERROR_EVERY = 100


def load_demo_catalog() -> Catalog:
    catalog, errors = parse_catalog_file(DEMO_CATALOG)
    if catalog is None:
        raise SystemExit(f"the demo catalog does not parse: {errors[0].message}")
    return catalog


def generate(members: int, *, control_number: int = 1, first_family: int = 1, seed: int = 834) -> str:
    """Return an 834 interchange with exactly ``members`` member loops."""
    rng = random.Random(seed)
    catalog = load_demo_catalog()
    loops: list[Member834] = []
    family = first_family
    while len(loops) < members:
        loops.extend(_family(rng, catalog, family)[: members - len(loops)])
        family += 1
    return write_834(_interchange(loops, control_number))


def _family(rng: random.Random, catalog: Catalog, number: int) -> list[Member834]:
    subscriber_id = f"S{number:09d}"
    plan = rng.choice(PLANS)
    city, zip_code, county, area = rng.choice(RESIDENCES)
    people = [(RelationshipCode.SELF, _birth(rng, 21, 64))]
    if rng.random() < 0.5:
        people.append((RelationshipCode.SPOUSE, _birth(rng, 21, 64)))
    for _ in range(rng.choice((0, 0, 1, 2, 3))):
        people.append((RelationshipCode.CHILD, _birth(rng, 0, 20)))

    premiums = _premiums(catalog, plan, area, [birth for _, birth in people], [code for code, _ in people])
    total = sum(premiums)
    aptc = rng.randrange(0, total * 6 // 10 + 1)
    reported_total = total + (100 if number % PRICING_ERROR_EVERY == 0 else 0)

    loops = []
    for index, ((code, birth), premium) in enumerate(zip(people, premiums, strict=True)):
        is_subscriber = code is RelationshipCode.SELF
        amounts = {"premium_cents": premium}
        if is_subscriber:
            amounts |= {
                "premium_total_cents": reported_total,
                "aptc_cents": aptc,
                "responsibility_cents": reported_total - aptc,
            }
        loops.append(
            Member834(
                is_subscriber=is_subscriber,
                relationship=code,
                maintenance_type=MaintenanceType.ADDITION,
                maintenance_reason=MaintenanceReason.INITIAL_ENROLLMENT,
                benefit_status=BenefitStatus.ACTIVE,
                name=EntityName(
                    "IL",
                    "1",
                    rng.choice(LAST_NAMES),
                    rng.choice(FIRST_NAMES),
                    id_qualifier="34",
                    id=_ssn(number, index),
                ),
                references=(Reference("0F", subscriber_id),),
                dates=(QualifiedDate("356", START),),
                contacts=(Contact(ContactKind.TELEPHONE, f"804555{number % 10000:04d}"),)
                if is_subscriber
                else (),
                address=Address(f"{number % 9000 + 1} MAIN ST", "", city, "VA", zip_code, county_code=county)
                if is_subscriber
                else None,
                demographics=Demographics(birth, rng.choice((Gender.FEMALE, Gender.MALE))),
                coverages=(
                    Coverage(
                        MaintenanceType.ADDITION,
                        InsuranceLine.HEALTH,
                        "",
                        CoverageLevel.FAMILY,
                        dates=(QualifiedDate("348", START),),
                        references=(Reference("CE", f"{plan}01"), Reference("X9", f"EX{number:09d}")),
                    ),
                ),
                reporting_categories=exchange_categories(effective=START, **amounts),
            )
        )
    return loops


def _premiums(
    catalog: Catalog, plan: str, area: str, births: list[date], codes: list[RelationshipCode]
) -> list[int]:
    relationships = {
        RelationshipCode.SELF: Relationship.SUBSCRIBER,
        RelationshipCode.SPOUSE: Relationship.SPOUSE,
        RelationshipCode.CHILD: Relationship.CHILD,
    }
    members = [
        Member(f"M{index}", birth, relationships[code])
        for index, (birth, code) in enumerate(zip(births, codes))
    ]
    result = rate_from_catalog(
        catalog, plan_id=plan, area_id=area, members=members, month=Month.of(START), rating_date=START
    )
    return [member.gross_cents for member in result.members]


def _birth(rng: random.Random, youngest: int, oldest: int) -> date:
    """Return a birth date for an age on the coverage start, before the file's date (2025-12-10)."""
    age = rng.randint(youngest, oldest)
    return date(START.year - age - 1, rng.randint(1, 11), rng.randint(1, 28))


def _ssn(family: int, index: int) -> str:
    """Return a well-formed SSN, unique per member: area 100 to 599, group 10 to 99, serial from 1000.

    A family has at most five members (``index`` 0 to 4).
    """
    serial = family * 5 + index
    return f"{100 + serial % 500:03d}{10 + serial // 500 % 90:02d}{1000 + serial // 45000:04d}"


def _interchange(members: list[Member834], control_number: int) -> Interchange[Enrollment834]:
    enrollment = Enrollment834(
        SetHeader("834", "0001", "005010X220A1"),
        Beginning(
            TransactionPurpose.ORIGINAL,
            f"BENCH-{control_number}",
            date(2025, 12, 10),
            time(2, 0),
            action=TransactionAction.CHANGE,
        ),
        sponsor=Party(PartyRole.SPONSOR, "VIRGINIA EXCHANGE", "FI", "541234567"),
        payer=Party(PartyRole.INSURER, "DEMO HEALTH PLAN OF VIRGINIA", "FI", "987654321"),
        members=tuple(members),
    )
    group = FunctionalGroup(
        "BE",
        "VAEXCHANGE",
        "DEMOHEALTH",
        date(2025, 12, 10),
        time(2, 0),
        str(control_number),
        "005010X220A1",
        (enrollment,),
    )
    return Interchange(
        "ZZ",
        "VAEXCHANGE",
        "ZZ",
        "DEMOHEALTH",
        date(2025, 12, 10),
        time(2, 0),
        f"{control_number:09d}",
        "00501",
        UsageIndicator.TEST,
        False,
        (group,),
    )


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    Path(sys.argv[2]).write_text(generate(int(sys.argv[1])), encoding="ascii")


if __name__ == "__main__":
    main()
