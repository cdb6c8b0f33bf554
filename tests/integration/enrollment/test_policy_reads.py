"""An account's policies and who they cover."""

from __future__ import annotations

from datetime import date

from premia.enrollment import service as enrollment
from premia.enrollment.model import Relationship
from premia.enrollment.queries import account_policies, coverage_by_policy, covered_person_ids


def test_account_policies_oldest_first(story):
    account = story.at(date(2025, 12, 1)).account()
    later = story.policy(account, effective=date(2026, 3, 1))
    earlier = story.policy(account, effective=date(2026, 1, 1))

    assert account_policies(story.ctx, account.id) == [earlier, later]
    assert account_policies(story.ctx, story.account(first_name="Cy").id) == []


def test_coverage_leaves_out_voided(story):
    account = story.at(date(2025, 12, 1)).account()
    policy = story.policy(account, effective=date(2026, 1, 1))
    spouse = story.dependent(policy, first_name="Bo", birth=date(1993, 2, 3), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))
    child = story.dependent(policy, first_name="Di", birth=date(2015, 6, 1), relationship=Relationship.CHILD, start=date(2026, 2, 1))
    enrollment.void_member_coverage(story.ctx, spouse)

    spans = coverage_by_policy(story.ctx, [policy.id])

    assert [span.person_id for span in spans[policy.id]] == [account.person_id, child.person_id]
    assert coverage_by_policy(story.ctx, []) == {}


def test_covered_people_include_voided(story):
    account = story.at(date(2025, 12, 1)).account()
    policy = story.policy(account, effective=date(2026, 1, 1))
    spouse = story.dependent(policy, first_name="Bo", birth=date(1993, 2, 3), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))
    enrollment.void_member_coverage(story.ctx, spouse)

    assert covered_person_ids(story.ctx, [policy]) == {account.person_id, spouse.person_id}
    assert covered_person_ids(story.ctx, []) == set()
