"""Name and number look-ups for pages and reports that list many accounts or people at once.

These read no sensitive field: a person's name and member ID, an account's number, and the
name of the account's holder (the person, or the employer group of a group account). The
caller audits what it shows, because only the caller can tell which records reached the reader.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import select

from premia.accounts.tables import BillingAccount, EmployerGroup, Person
from premia.infra.context import ServiceContext


class MemberName(NamedTuple):
    """A person's first and last name as one string, and their member ID."""

    name: str
    member_id: str


def member_names(ctx: ServiceContext, person_ids: Collection[int]) -> dict[int, MemberName]:
    """Return the name and member ID of each person, by person id. Unknown ids are left out."""
    if not person_ids:
        return {}
    rows = ctx.session.execute(
        select(Person.id, Person.first_name, Person.last_name, Person.member_id).where(Person.id.in_(set(person_ids)))
    ).all()
    return {person_id: MemberName(f"{first} {last}", member_id) for person_id, first, last, member_id in rows}


def holder_names(ctx: ServiceContext, account_ids: Collection[int]) -> dict[int, str]:
    """Return the holder's name of each account: the person's first and last name, or the employer group's name."""
    if not account_ids:
        return {}
    ids = set(account_ids)
    people = ctx.session.execute(
        select(BillingAccount.id, Person.first_name, Person.last_name)
        .join(Person, Person.id == BillingAccount.person_id)
        .where(BillingAccount.id.in_(ids))
    ).all()
    groups = ctx.session.execute(
        select(BillingAccount.id, EmployerGroup.name)
        .join(EmployerGroup, EmployerGroup.id == BillingAccount.employer_group_id)
        .where(BillingAccount.id.in_(ids))
    ).all()
    names: dict[int, str] = {account_id: f"{first} {last}" for account_id, first, last in people}
    names.update({account_id: name for account_id, name in groups})
    return names


def account_numbers(ctx: ServiceContext, account_ids: Collection[int]) -> dict[int, str]:
    """Return the account number of each billing account id. Unknown ids are left out."""
    if not account_ids:
        return {}
    rows = ctx.session.execute(select(BillingAccount.id, BillingAccount.account_number).where(BillingAccount.id.in_(set(account_ids)))).all()
    return {account_id: number for account_id, number in rows}
