"""Invented people and places for the demo book (pure data).

Residences are real Virginia cities and counties in the demo catalog's three rating areas,
each with one of its ZIP codes. Street addresses, names and phone numbers are made up.
Phone numbers use the 555-01XX block, which is reserved for fiction, and emails use the
example.org domain, which is reserved for documentation.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Residence:
    city: str
    zip_code: str
    county: str
    area_id: str
    area_code: str


RESIDENCES: tuple[Residence, ...] = (
    Residence("FAIRFAX", "22030", "Fairfax County", "VA-1", "703"),
    Residence("ARLINGTON", "22201", "Arlington County", "VA-1", "703"),
    Residence("ALEXANDRIA", "22314", "Alexandria city", "VA-1", "703"),
    Residence("LEESBURG", "20175", "Loudoun County", "VA-1", "571"),
    Residence("MANASSAS", "20110", "Manassas city", "VA-1", "571"),
    Residence("RICHMOND", "23219", "Richmond city", "VA-2", "804"),
    Residence("HENRICO", "23228", "Henrico County", "VA-2", "804"),
    Residence("CHESTERFIELD", "23832", "Chesterfield County", "VA-2", "804"),
    Residence("MECHANICSVILLE", "23111", "Hanover County", "VA-2", "804"),
    Residence("NORFOLK", "23510", "Norfolk city", "VA-3", "757"),
    Residence("VIRGINIA BEACH", "23451", "Virginia Beach city", "VA-3", "757"),
    Residence("CHESAPEAKE", "23320", "Chesapeake city", "VA-3", "757"),
    Residence("PORTSMOUTH", "23704", "Portsmouth city", "VA-3", "757"),
    Residence("SUFFOLK", "23434", "Suffolk city", "VA-3", "757"),
)

STREETS = (
    "OAK AVE", "MAPLE ST", "CEDAR LN", "JAMES RIVER RD", "BROAD ST", "HILLCREST DR", "PINE ST",
    "LAUREL WAY", "MONUMENT AVE", "CHURCH ST", "LAKESIDE DR", "RIVERVIEW CT", "COLONIAL PKWY",
    "WILLOW BEND", "HARBOR VIEW RD", "DOGWOOD DR",
)  # fmt: skip

FEMALE_NAMES = (
    "MARIA", "JENNIFER", "AISHA", "LINH", "SARAH", "GABRIELA", "EMILY", "PRIYA", "KEISHA", "ANA",
    "HANNAH", "SOFIA", "GRACE", "FATIMA", "CHLOE", "ROSA", "MEI", "OLIVIA", "NADIA", "ELENA",
)  # fmt: skip
MALE_NAMES = (
    "JAMES", "CARLOS", "MICHAEL", "DEVON", "THANH", "DAVID", "OMAR", "LUIS", "ROBERT", "ARJUN",
    "MARCUS", "JOSE", "ETHAN", "SAMUEL", "KWAME", "DANIEL", "MIGUEL", "BENJAMIN", "HASSAN", "NOAH",
)  # fmt: skip
LAST_NAMES = (
    "JOHNSON", "NGUYEN", "GARCIA", "WILLIAMS", "PATEL", "BROWN", "MARTINEZ", "JONES", "KIM",
    "DAVIS", "RODRIGUEZ", "WASHINGTON", "TRAN", "MILLER", "HERNANDEZ", "OKAFOR", "WILSON",
    "LOPEZ", "MOORE", "CHEN", "TAYLOR", "GONZALEZ", "THOMAS", "ALI", "JACKSON", "RIVERA",
    "WHITE", "PHAM", "HARRIS", "COHEN", "MARTIN", "FLORES", "THOMPSON", "SINGH", "ROBINSON",
)  # fmt: skip
# Households that speak Spanish get Spanish documents; their names are drawn from these.
SPANISH_LAST_NAMES = ("GARCIA", "MARTINEZ", "RODRIGUEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "RIVERA", "FLORES")


@dataclass(frozen=True)
class EmployerProfile:
    """An invented employer: the group number, name and address its list bill goes to."""

    group_number: str
    name: str
    tax_id: str
    street: str
    residence: Residence
    contact_name: str
    contact_email: str
    share_of_book: float
    # The employer's contribution rule in its stored form (see premia.rating.contributions).
    contribution: dict[str, object]


EMPLOYERS = (
    EmployerProfile(
        group_number="G-40710",
        name="Riverside Machine Works",
        tax_id="541112233",
        street="100 INDUSTRIAL PKWY",
        residence=RESIDENCES[5],
        contact_name="Dana Whitfield",
        contact_email="benefits@riverside-machine.example.org",
        share_of_book=0.02,
        contribution={"kind": "employee_only_percent", "percent": "75"},
    ),
    EmployerProfile(
        group_number="G-40822",
        name="Blue Ridge Dental Partners",
        tax_id="541998877",
        street="2200 COLONIAL PKWY",
        residence=RESIDENCES[10],
        contact_name="Luis Ortega",
        contact_email="office@blueridge-dental.example.org",
        share_of_book=0.04,
        contribution={"kind": "tier_amounts", "amounts": {"ee": "450.00", "es": "700.00", "ec": "650.00", "fam": "900.00"}},
    ),
)
