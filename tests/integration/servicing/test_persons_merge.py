"""Merging a duplicate person: self-merge rejected, every case and contact kept, coverage moved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from premia.accounts import person_service
from premia.accounts import service as accounts
from premia.accounts.model import AccountInput, AccountKind, PersonInput
from premia.accounts.tables import BillingAccount, Person
from premia.delinquency.tables import DelinquencyHold
from premia.enrollment import service as enrollment
from premia.enrollment.model import Relationship
from premia.enrollment.tables import CoverageSpan, Policy
from premia.kernel.errors import ConflictError, PermissionDeniedError, ValidationError
from premia.ledger import service as ledger
from premia.servicing import case_queries, cases
from premia.servicing.contacts import log_contact
from premia.servicing.dispute_holds import disputed_open_cents
from premia.servicing.disputes import open_dispute
from premia.servicing.model import (
    CaseInput,
    CaseType,
    ContactChannel,
    ContactDirection,
    ContactInput,
    ContactSubject,
    DisputedItem,
)
from premia.servicing.persons_merge import merge_persons
from premia.servicing.tables import Contact, ServiceCase
from tests.integration.servicing.conftest import Desk, count, utc

pytestmark = pytest.mark.database

NOW = utc(2026, 2, 10, 15, 0)
HELD_CENTS = 12_500


@dataclass
class Duplicates:
    survivor: Person
    duplicate: Person
    dental: Policy
    spouse_policy: Policy
    account_id: int


def person_rows(desk: Desk, person: Person, table) -> int:
    return len(desk.session.scalars(select(table.id).where(table.person_id == person.id)).all())


@pytest.fixture
def duplicates(story, desk: Desk) -> Duplicates:
    ctx = story.at(date(2025, 11, 1)).ctx
    survivor = person_service.create_person(
        ctx,
        PersonInput(first_name="Dana", last_name="Reyes", birth_date=date(1988, 5, 4), member_id="PER-100"),
    )
    duplicate = person_service.create_person(
        ctx,
        PersonInput(first_name="Dnaa", last_name="Reyes", birth_date=date(1988, 5, 4), member_id="PER-200"),
    )
    own_account = accounts.create_account(
        ctx, AccountInput(kind=AccountKind.INDIVIDUAL, holder_member_id="PER-100")
    )
    dental = story.policy(own_account, effective=date(2026, 1, 1))
    spouse_account = story.account(first_name="Omar", birth=date(1986, 9, 9))
    spouse_policy = story.policy(spouse_account, effective=date(2026, 1, 1))
    enrollment.add_member(
        ctx,
        spouse_policy,
        person_id=duplicate.id,
        relationship=Relationship.SPOUSE,
        start_date=date(2026, 1, 1),
    )
    story.bill(date(2025, 12, 15))

    csr = desk.as_user("casey", NOW)
    for subject in ("ID card", "Premium amount", "Claim status"):
        cases.open_case(
            csr,
            CaseInput(case_type=CaseType.INQUIRY, subject=subject, member_id="PER-100"),
            config=desk.config,
        )
    (line,) = [line for line in story.lines(story.invoices(own_account)[-1]) if line.kind == "premium"]
    open_dispute(
        csr,
        account_number=own_account.account_number,
        items=[DisputedItem(invoice_line_id=line.id, amount_cents=HELD_CENTS)],
        reason="Charged the old rate",
        on=date(2026, 2, 10),
        config=desk.config,
    )
    for _ in range(6):
        log_contact(
            csr,
            ContactInput(
                ContactChannel.PHONE, ContactDirection.INBOUND, ContactSubject.BILLING, member_id="PER-100"
            ),
        )
    for subject in ("Spouse coverage", "Address on file"):
        cases.open_case(
            csr,
            CaseInput(case_type=CaseType.INQUIRY, subject=subject, member_id="PER-200"),
            config=desk.config,
        )
    log_contact(
        csr,
        ContactInput(
            ContactChannel.PHONE, ContactDirection.INBOUND, ContactSubject.COVERAGE, member_id="PER-200"
        ),
    )
    return Duplicates(
        survivor=survivor,
        duplicate=duplicate,
        dental=dental,
        spouse_policy=spouse_policy,
        account_id=own_account.id,
    )


def merge(desk: Desk, source: str, target: str):
    return merge_persons(
        desk.as_user("blake", NOW),
        source_member_id=source,
        target_member_id=target,
        reason="834 created a duplicate with a misspelt name",
    )


def test_setup_matches_scenario(desk: Desk, duplicates: Duplicates) -> None:
    assert person_rows(desk, duplicates.survivor, ServiceCase) == 4
    assert person_rows(desk, duplicates.survivor, Contact) == 6
    assert person_rows(desk, duplicates.duplicate, ServiceCase) == 2
    assert person_rows(desk, duplicates.duplicate, Contact) == 1
    assert count(desk.session, ServiceCase) == 6
    assert count(desk.session, Contact) == 7


def test_self_merge_rejected(desk: Desk, duplicates: Duplicates) -> None:
    with pytest.raises(ValidationError) as raised:
        merge(desk, "PER-100", "PER-100")

    assert raised.value.code == "person.merge_into_self"
    assert duplicates.survivor.merged_into_id is None
    assert person_rows(desk, duplicates.survivor, ServiceCase) == 4
    assert person_rows(desk, duplicates.survivor, Contact) == 6


def test_merge_keeps_every_case_and_contact(desk: Desk, duplicates: Duplicates) -> None:
    result = merge(desk, "PER-200", "PER-100")

    # 4 + 2 = 6 cases, 6 + 1 = 7 contacts, and no row lost or added
    assert person_rows(desk, duplicates.survivor, ServiceCase) == 6
    assert person_rows(desk, duplicates.survivor, Contact) == 7
    assert count(desk.session, ServiceCase) == 6
    assert count(desk.session, Contact) == 7
    assert result.moved["cases"] == 2
    assert result.moved["contacts"] == 1


def test_merge_moves_spouse_coverage(desk: Desk, duplicates: Duplicates) -> None:
    merge(desk, "PER-200", "PER-100")

    spans = desk.session.scalars(
        select(CoverageSpan).where(
            CoverageSpan.policy_id == duplicates.spouse_policy.id, CoverageSpan.relationship == "spouse"
        )
    ).all()
    desk.session.refresh(duplicates.dental)
    assert [(span.person_id, span.start_date, span.end_date) for span in spans] == [
        (duplicates.survivor.id, date(2026, 1, 1), None)
    ]
    assert duplicates.dental.subscriber_person_id == duplicates.survivor.id


def test_duplicate_marked_not_deleted(desk: Desk, duplicates: Duplicates) -> None:
    merge(desk, "PER-200", "PER-100")

    history = person_service.person_history(desk.as_user("sam", NOW), "PER-200")
    desk.session.refresh(duplicates.duplicate)
    assert duplicates.duplicate.merged_into_id == duplicates.survivor.id
    assert history[0]["field"] == "created"
    assert history[0]["source"] == "staff"
    assert history[-1]["field"] == "merged_into"
    assert history[-1]["new_value"] == "PER-100"


def test_merge_leaves_dispute_hold(desk: Desk, duplicates: Duplicates) -> None:
    merge(desk, "PER-200", "PER-100")

    (hold,) = desk.session.scalars(select(DelinquencyHold)).all()
    assert (
        sum(disputed_open_cents(desk.as_user("sam", NOW), duplicates.account_id, date(2026, 2, 10)).values())
        == HELD_CENTS
    )
    assert hold.amount_cents == HELD_CENTS
    assert hold.released_on is None


def test_merge_changes_no_premium(story, desk: Desk, duplicates: Duplicates) -> None:
    merge(desk, "PER-200", "PER-100")
    story.bill(date(2026, 1, 15))

    # Both people have the same birth date, so the survivor rates exactly as the duplicate did.
    for policy in (duplicates.spouse_policy, duplicates.dental):
        account = desk.session.get(BillingAccount, policy.billing_account_id)
        january, february = story.invoices(account)
        assert february.period_start == date(2026, 2, 1)
        assert february.current_charges_cents == january.current_charges_cents
        assert february.adjustments_cents == 0
        billed = {}
        for invoice in (january, february):
            for line in story.lines(invoice):
                billed[line.coverage_month] = billed.get(line.coverage_month, 0) + line.amount_cents
        assert billed == {date(2026, 1, 1): january.current_charges_cents, date(2026, 2, 1): january.current_charges_cents}
        assert ledger.account_balance(story.ctx, account.id) == 2 * january.current_charges_cents


def test_merged_member_id_finds_survivor(desk: Desk, duplicates: Duplicates) -> None:
    merge(desk, "PER-200", "PER-100")

    listed = case_queries.list_cases(desk.as_user("casey", NOW), member_id="PER-200")

    assert len(listed) == 6
    assert {view.member_id for view in listed} == {"PER-100"}


def test_merge_into_merged_person_rejected(desk: Desk, duplicates: Duplicates) -> None:
    merge(desk, "PER-200", "PER-100")

    with pytest.raises(ConflictError) as back:
        merge(desk, "PER-100", "PER-200")

    assert back.value.code == "person.already_merged"
    assert duplicates.survivor.merged_into_id is None


def test_merge_needs_policy_permission(desk: Desk, duplicates: Duplicates) -> None:
    with pytest.raises(PermissionDeniedError):
        merge_persons(
            desk.as_user("casey", NOW),
            source_member_id="PER-200",
            target_member_id="PER-100",
            reason="duplicate",
        )


def test_earlier_merge_follows_survivor(story, desk: Desk, duplicates: Duplicates) -> None:
    third = person_service.create_person(
        story.ctx,
        PersonInput(first_name="Dana", last_name="Reyes", birth_date=date(1988, 5, 4), member_id="PER-300"),
    )
    merge(desk, "PER-200", "PER-100")

    merge(desk, "PER-100", "PER-300")

    desk.session.refresh(duplicates.duplicate)
    assert duplicates.duplicate.merged_into_id == third.id
    assert person_rows(desk, third, ServiceCase) == 6
