"""The residential address of an 834 member loop (N3 and N4 in loop 2100A).

A change may send only the part of the address that changed, such as N3 without N4, so
each part is checked on its own and a partial address is completed from the stored one.
A new member's address must be complete. The county (N406) helps find the rating area. It
is stored only when it fits the eight characters of a county code, because senders put
county names there too (``CUMBERLAND``), and a name is of no use once the rating area is set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from premia.accounts import rules
from premia.accounts.model import Address
from premia.formats.x12 import Address as Address834
from premia.importers.enrollment.model import MemberRejected
from premia.kernel.errors import ValidationError

COUNTY_CODE_LENGTH = 8
REQUIRED_PARTS = (
    ("line1", "N301", "address line"),
    ("city", "N401", "city"),
    ("state", "N402", "state"),
    ("zip_code", "N403", "ZIP code"),
)


class Residence(NamedTuple):
    """Normalized N3/N4 values; None means the part was not sent.

    ``county`` is N406 as sent, for the rating area; ``county_code`` is the part stored.
    """

    line1: str | None
    line2: str | None
    city: str | None
    state: str | None
    zip_code: str | None
    county: str | None
    county_code: str | None
    position: int

    @property
    def is_complete(self) -> bool:
        return all(getattr(self, part) for part, _, _ in REQUIRED_PARTS)

    def address(self, stored: Address | None = None) -> Address:
        """Return the address with the parts not sent taken from ``stored``; reject one still incomplete."""
        if stored is None and self.line1 and self.city and self.state and self.zip_code:
            return Address(self.line1, self.city, self.state, self.zip_code, self.line2, self.county_code)
        values = {
            part: getattr(self, part) or (getattr(stored, part) if stored else None)
            for part, _, _ in REQUIRED_PARTS
        }
        for part, element, what in REQUIRED_PARTS:
            if not values[part]:
                raise MemberRejected(
                    "enrollment.address_incomplete",
                    f"The residential address has no {what} ({element}) and Premia has none stored.",
                    segment_id=element[:2],
                    position=self.position,
                    element=element,
                    hint="Send the complete address in N3 and N4.",
                )
        # N3 carries both street lines, so a new first line brings its own second line.
        line2 = self.line2
        if self.line1 is None:
            line2 = stored.line2 if stored else None
        county = self.county_code
        if self.county is None:
            county = stored.county_code if stored else None
        return Address(values["line1"], values["city"], values["state"], values["zip_code"], line2, county)


def read_residence(address: Address834) -> Residence:
    """Check each part of an N3/N4 address that was sent; raise ``MemberRejected`` naming a bad one."""
    county = address.county_code.strip() or None
    position = address.position
    return Residence(
        line1=_checked(
            address.line1, "N301", position, lambda text: rules.require_text(text, field="N301 address line")
        ),
        line2=_checked(
            address.line2, "N302", position, lambda text: rules.require_text(text, field="N302 address line")
        ),
        city=_checked(
            address.city,
            "N401",
            position,
            lambda text: rules.require_text(text, field="N401 city", max_length=64),
        ),
        state=_checked(
            address.state, "N402", position, lambda text: rules.normalize_state(text, field="N402 state")
        ),
        zip_code=_checked(
            address.postal_code,
            "N403",
            position,
            lambda text: rules.normalize_zip(text, field="N403 postal code"),
        ),
        county=county,
        county_code=county if county is None or len(county) <= COUNTY_CODE_LENGTH else None,
        position=address.position,
    )


def _checked(value: str, element: str, position: int, check: Callable[[str], str]) -> str | None:
    text = value.strip()
    if not text:
        return None
    try:
        return check(text)
    except ValidationError as error:
        raise MemberRejected(
            error.code,
            error.message,
            segment_id=element[:2],
            position=position,
            element=element,
            hint=error.hint,
        ) from error
