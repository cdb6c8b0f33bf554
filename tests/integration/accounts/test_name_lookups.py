"""Name and number look-ups over many accounts and people at once."""

from __future__ import annotations

from datetime import date

from premia.accounts.queries import MemberName, account_numbers, holder_names, member_names
from premia.enrollment.model import Relationship


def test_member_names(story):
    account = story.account(first_name="Ana")
    policy = story.policy(account, effective=date(2026, 1, 1))
    spouse = story.dependent(policy, first_name="Bo", birth=date(1993, 2, 3), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))

    names = member_names(story.ctx, [account.person_id, spouse.person_id, -1])

    assert names[account.person_id].name == "Ana Subscriber"
    assert names[spouse.person_id].name == "Bo Dependent"
    assert names[spouse.person_id].member_id
    assert -1 not in names
    assert member_names(story.ctx, []) == {}


def test_member_name_unpacks():
    name, member_id = MemberName("Ana Subscriber", "M1")

    assert (name, member_id) == ("Ana Subscriber", "M1")


def test_holder_names_person_and_group(story):
    person_account = story.account(first_name="Ana")
    _, group_account = story.employer_group("G-7", anniversary_month=1)

    names = holder_names(story.ctx, [person_account.id, group_account.id])

    assert names == {person_account.id: "Ana Subscriber", group_account.id: "Employer G-7"}
    assert holder_names(story.ctx, []) == {}


def test_account_numbers(story):
    account = story.account()

    assert account_numbers(story.ctx, [account.id, -1]) == {account.id: account.account_number}
    assert account_numbers(story.ctx, []) == {}
