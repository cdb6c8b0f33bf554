"""Records of X12 segments that several transaction sets share: REF, DTP/DTM, AMT, NM1, N1, N3/N4.

An empty string means the element was not sent. ``position`` is the 1-based segment number
of the record's first segment in the file.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from premia.formats.x12.codes import PartyRole


class Reference(NamedTuple):
    """A REF segment: qualifier (REF01, for example ``0F``) and value (REF02)."""

    qualifier: str
    value: str
    position: int = 0


class QualifiedDate(NamedTuple):
    """A DTP or DTM segment: qualifier (DTP01, DTM01) and a date, or a range (format RD8)."""

    qualifier: str
    start: date
    end: date | None = None
    position: int = 0


class Amount(NamedTuple):
    """An AMT segment: qualifier (AMT01, ``P3`` is the premium amount) and cents."""

    qualifier: str
    cents: int
    position: int = 0


class EntityName(NamedTuple):
    """An NM1 segment.

    ``entity_code`` is NM101 (``IL`` member, ``74`` corrected member, ``70`` incorrect member
    name, ``31`` mailing address, ``P3`` primary care provider). ``entity_type`` is NM102
    (``1`` person, ``2`` organization). ``last_name`` is an organization's name.
    ``id_qualifier`` is NM108 (``34`` is an SSN) and ``id`` is NM109.
    """

    entity_code: str
    entity_type: str
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    prefix: str = ""
    suffix: str = ""
    id_qualifier: str = ""
    id: str = ""
    position: int = 0


class Address(NamedTuple):
    """N3 and N4: street lines, city, state, ZIP, country and the county code (N406 after ``CY``)."""

    line1: str
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    county_code: str = ""
    position: int = 0


class Party(NamedTuple):
    """An N1 loop of the 834 header or 820: sponsor, insurer, broker, payee, payer."""

    role: PartyRole
    name: str = ""
    id_qualifier: str = ""
    id: str = ""
    position: int = 0


def first_reference(references: tuple[Reference, ...], qualifier: str) -> str:
    """Return the value of the first REF with ``qualifier``, or an empty string."""
    for reference in references:
        if reference.qualifier == qualifier:
            return reference.value
    return ""


def first_date(dates: tuple[QualifiedDate, ...], qualifier: str) -> date | None:
    """Return the (start) date of the first DTP or DTM with ``qualifier``, or None."""
    for entry in dates:
        if entry.qualifier == qualifier:
            return entry.start
    return None
