"""Member specifications as typed on the command line: ``DOB[:relationship][:tobacco][:no-aptc]``.

For example ``1980-03-15:spouse:tobacco`` is a spouse born 15 March 1980 who uses tobacco.
The first member defaults to the subscriber; every later member must name a relationship,
so a missing one is an error rather than a guess.
"""

from __future__ import annotations

from collections.abc import Sequence

from premia.kernel.dates import parse_date
from premia.kernel.errors import ValidationError
from premia.rating.model import Member, Relationship

TOBACCO_FLAG = "tobacco"
NO_APTC_FLAG = "no-aptc"
SPEC_HINT = "Write DOB[:relationship][:tobacco][:no-aptc], for example 1980-03-15:spouse:tobacco."


def parse_member_spec(text: str, *, position: int = 0, member_id: str | None = None) -> Member:
    """Parse one member specification; ``position`` 0 is the first member given.

    Members get the ids ``M1``, ``M2``, ... in the order given unless ``member_id`` is passed.
    """
    label = f"member {position + 1}"
    parts = [part.strip() for part in text.split(":")]
    try:
        birth_date = parse_date(parts[0], field="date of birth", record=label)
    except ValidationError as exc:
        raise _spec_error(label, text, f"date of birth {parts[0]!r} is not a valid YYYY-MM-DD date.") from exc

    relationship: Relationship | None = None
    tobacco = False
    aptc_eligible = True
    for token in parts[1:]:
        word = token.lower().replace("-", "_")
        if word == TOBACCO_FLAG:
            if tobacco:
                raise _spec_error(label, text, "gives the tobacco flag twice.")
            tobacco = True
        elif token.lower() == NO_APTC_FLAG:
            if not aptc_eligible:
                raise _spec_error(label, text, "gives the no-aptc flag twice.")
            aptc_eligible = False
        elif word in {relationship.value for relationship in Relationship}:
            if relationship is not None:
                raise _spec_error(label, text, "gives more than one relationship.")
            relationship = Relationship(word)
        else:
            raise _spec_error(label, text, f"{token!r} is neither a relationship nor a flag.")

    if relationship is None:
        if position != 0:
            raise _spec_error(
                label, text, "has no relationship; only the first member defaults to subscriber."
            )
        relationship = Relationship.SUBSCRIBER

    return Member(
        member_id=member_id or f"M{position + 1}",
        birth_date=birth_date,
        relationship=relationship,
        tobacco=tobacco,
        aptc_eligible=aptc_eligible,
    )


def parse_member_specs(texts: Sequence[str]) -> list[Member]:
    """Parse the members of one policy in order, as given with repeated ``--member`` options."""
    if not texts:
        raise ValidationError(
            code="rating.invalid_member_spec",
            message="no members were given.",
            field="member",
            hint=SPEC_HINT,
        )
    return [parse_member_spec(text, position=position) for position, text in enumerate(texts)]


def _spec_error(label: str, text: str, problem: str) -> ValidationError:
    relationships = ", ".join(relationship.value for relationship in Relationship)
    return ValidationError(
        code="rating.invalid_member_spec",
        message=f"{label} {text!r}: {problem}",
        record=label,
        field="member",
        value=text,
        hint=f"{SPEC_HINT} Relationships: {relationships}.",
    )
