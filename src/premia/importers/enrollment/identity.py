"""Find the persons and policies an 834 member loop refers to.

A subscriber is the person whose member ID is the REF*0F subscriber identifier. A
dependent is found by its own identifier (NM109 under NM108 ZZ), else by its SSN, else by
first name and birth date among the persons covered on the subscriber's policies. SSNs are
compared through the keyed index, never in the clear. A new dependent without its own
identifier gets the subscriber's identifier with a two-digit suffix (``M-501-02``).
"""

from __future__ import annotations

from sqlalchemy import select

from premia.accounts.tables import Person
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import CoverageSpan, Policy
from premia.importers.enrollment.intake import MEMBER_ID_LENGTH, MemberIntake
from premia.importers.enrollment.model import MemberRejected
from premia.infra.context import ServiceContext


def person_by_member_id(ctx: ServiceContext, member_id: str) -> Person | None:
    return ctx.session.scalar(select(Person).where(Person.member_id == member_id))


def subscriber_of(ctx: ServiceContext, intake: MemberIntake) -> Person:
    """Return the subscriber named by REF*0F, or reject the member."""
    person = person_by_member_id(ctx, intake.subscriber_id)
    if person is None:
        raise MemberRejected(
            "enrollment.subscriber_not_found",
            f"No subscriber has the REF*0F identifier {intake.subscriber_id!r}.",
            segment_id="REF",
            position=_reference_position(intake, "0F"),
            element="REF02",
            hint="Send the subscriber's addition (INS03 021) first, in this file or an earlier one.",
        )
    return person


def subscriber_policies(ctx: ServiceContext, subscriber: Person) -> list[Policy]:
    """Return the subscriber's policies, oldest first, cancelled ones included."""
    query = (
        select(Policy)
        .where(Policy.subscriber_person_id == subscriber.id)
        .order_by(Policy.effective_date, Policy.id)
    )
    return list(ctx.session.scalars(query))


def find_dependent(ctx: ServiceContext, intake: MemberIntake, policies: list[Policy]) -> Person | None:
    """Return the existing person a dependent loop describes, or None when they are new."""
    if intake.own_member_id:
        person = person_by_member_id(ctx, intake.own_member_id)
        if person is not None:
            return person
    ssn = intake.person.ssn
    if ssn:
        person = ctx.session.scalar(
            select(Person).where(Person.ssn_index == ctx.cipher.blind_index(ssn)).limit(1)
        )
        if person is not None:
            return person
    if not policies or intake.person.birth_date is None or not intake.person.first_name:
        return None
    covered = ctx.session.scalars(
        select(Person)
        .join(CoverageSpan, CoverageSpan.person_id == Person.id)
        .where(
            CoverageSpan.policy_id.in_([policy.id for policy in policies]),
            Person.birth_date == intake.person.birth_date,
        )
        .distinct()
    ).all()
    first_name = intake.person.first_name.casefold()
    matches = [person for person in covered if person.first_name.casefold() == first_name]
    return matches[0] if len(matches) == 1 else None


def dependent_or_reject(ctx: ServiceContext, intake: MemberIntake, policies: list[Policy]) -> Person:
    person = find_dependent(ctx, intake, policies)
    if person is None:
        raise MemberRejected(
            "enrollment.member_not_found",
            f"No dependent of subscriber {intake.subscriber_id} matches {intake.name or 'this member'} "
            "by NM109 identifier, SSN, or first name and birth date.",
            segment_id="NM1",
            position=intake.member.name.position,
            element="NM109",
            hint="Check the dependent's name, birth date and identifier, or send an addition (INS03 021).",
        )
    return person


def new_dependent_member_id(ctx: ServiceContext, intake: MemberIntake, taken: set[str] | None = None) -> str:
    """Return the member ID for a new dependent: its own identifier, or the subscriber's with a suffix."""
    if intake.own_member_id:
        return intake.own_member_id
    prefix = f"{intake.subscriber_id}-"
    existing = ctx.session.scalars(
        select(Person.member_id).where(Person.member_id.startswith(prefix, autoescape=True))
    ).all()
    return next_suffixed_id(intake, prefix, {*existing, *(taken or set())})


def next_suffixed_id(intake: MemberIntake, prefix: str, existing: set[str]) -> str:
    suffixes = [int(member_id[len(prefix) :]) for member_id in existing if member_id[len(prefix) :].isdigit()]
    member_id = f"{prefix}{max(suffixes, default=0) + 1:02d}"
    if len(member_id) > MEMBER_ID_LENGTH:
        raise MemberRejected(
            "enrollment.identifier_too_long",
            f"The dependent's member ID {member_id!r}, made from the subscriber identifier, is longer than "
            f"{MEMBER_ID_LENGTH} characters.",
            segment_id="NM1",
            position=intake.member.name.position,
            element="NM109",
            hint="Send the dependent's own identifier in NM109 with NM108 ZZ.",
        )
    return member_id


def open_policies(policies: list[Policy]) -> list[Policy]:
    return [policy for policy in policies if policy.status != PolicyStatus.CANCELLED.value]


def _reference_position(intake: MemberIntake, qualifier: str) -> int:
    return next(
        (ref.position for ref in intake.member.references if ref.qualifier == qualifier), intake.position
    )
