"""Disputes hold only the disputed amount; credits, refunds and denials post, notify and release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from premia.billing.queries import paid_through_dates
from premia.billing.tables import InvoiceLine
from premia.delinquency.service import run_delinquency
from premia.delinquency.tables import DelinquencyHold
from premia.enrollment.model import PolicyStatus, Relationship
from premia.enrollment.tables import Policy
from premia.kernel.errors import ConflictError, PermissionDeniedError, ValidationError
from premia.ledger import service as ledger
from premia.ledger.model import LedgerAccount
from premia.ledger.tables import JournalEntry
from premia.notices.model import NoticeType
from premia.notices.service import notices_for
from premia.payments.model import PaymentChannel, PaymentMethod
from premia.payments.service import PostingResult, post_payment
from premia.payments.tables import Refund
from premia.servicing import dispute_queries, disputes
from premia.servicing.dispute_holds import HoldKey, disputed_open_cents
from premia.servicing.contacts import log_contact
from premia.servicing.model import (
    CaseStatus,
    ContactChannel,
    ContactDirection,
    ContactInput,
    ContactSubject,
    DisputedItem,
    DisputeOutcome,
    DisputeStatus,
)
from premia.servicing.tables import Dispute, ServiceCase
from tests.integration.servicing.conftest import Desk, chicago_config, utc

pytestmark = pytest.mark.database

# January 2026 lines: A 400.00 x 1.222 = 488.80, B 400.00 x 1.214 = 485.60, C 400.00 x 0.765 = 306.00
SUBSCRIBER_CENTS = 48_880
SPOUSE_CENTS = 48_560
CHILD_CENTS = 30_600
MONTH_CENTS = SUBSCRIBER_CENTS + SPOUSE_CENTS + CHILD_CENTS


@dataclass
class Household:
    account: object
    policy: Policy
    child_line: InvoiceLine


@pytest.fixture
def household(story) -> Household:
    """Three members from 2025-12-01; December paid in full, January billed on 2025-12-15."""
    account = story.at(date(2025, 11, 1)).account(birth=date(1990, 8, 17))
    policy = story.policy(account, effective=date(2025, 12, 1))
    story.dependent(
        policy,
        first_name="B",
        birth=date(1991, 2, 3),
        relationship=Relationship.SPOUSE,
        start=date(2025, 12, 1),
    )
    child = story.dependent(
        policy,
        first_name="C",
        birth=date(2025, 6, 1),
        relationship=Relationship.CHILD,
        start=date(2025, 12, 1),
    )
    story.bill(date(2025, 11, 15))
    pay(story, account, MONTH_CENTS, date(2025, 11, 25))
    story.bill(date(2025, 12, 15))
    january = story.invoices(account)[-1]
    (child_line,) = [
        line for line in story.lines(january) if line.person_id == child.person_id and line.kind == "premium"
    ]
    return Household(account=account, policy=policy, child_line=child_line)


def pay(story, account, cents: int, on: date) -> PostingResult:
    story.at(on)
    return post_payment(
        story.ctx,
        billing_account_id=account.id,
        amount_cents=cents,
        channel=PaymentChannel.MANUAL,
        method=PaymentMethod.CHECK,
        received_on=on,
    )


def dispute_child_line(desk: Desk, household: Household, on: date = date(2025, 12, 20)) -> Dispute:
    return disputes.open_dispute(
        desk.as_user("casey", utc(on.year, on.month, on.day, 16, 0)),
        account_number=household.account.account_number,
        items=[DisputedItem(invoice_line_id=household.child_line.id)],
        reason="Child was added in error; the family never asked for her coverage",
        on=on,
        config=desk.config,
    )


def delinquency_status(story, policy: Policy, on: date) -> str:
    story.at(on)
    run_delinquency(story.ctx, as_of=on, policy_ids=[policy.id])
    story.ctx.session.refresh(policy)
    return policy.status


def test_january_has_three_lines(story, household: Household) -> None:
    january = story.invoices(household.account)[-1]

    premium_lines = [line.amount_cents for line in story.lines(january) if line.kind == "premium"]
    assert sorted(premium_lines) == sorted([SUBSCRIBER_CENTS, SPOUSE_CENTS, CHILD_CENTS])
    assert household.child_line.amount_cents == CHILD_CENTS


def test_undisputed_shortfall_goes_to_grace(story, household: Household) -> None:
    # The control for the next test: paying only A and B without a dispute is a shortfall.
    pay(story, household.account, SUBSCRIBER_CENTS + SPOUSE_CENTS, date(2025, 12, 28))

    assert delinquency_status(story, household.policy, date(2026, 1, 5)) == PolicyStatus.GRACE.value


def test_dispute_holds_only_disputed_line(story, desk: Desk, household: Household) -> None:
    dispute = dispute_child_line(desk, household)
    # 488.80 + 485.60 = 974.40 paid; 306.00 left open and disputed
    pay(story, household.account, SUBSCRIBER_CENTS + SPOUSE_CENTS, date(2025, 12, 28))

    held = disputed_open_cents(story.ctx, household.account.id, date(2026, 1, 5))
    (hold,) = story.ctx.session.scalars(
        select(DelinquencyHold).where(DelinquencyHold.reference == dispute.dispute_number)
    ).all()

    assert dispute.disputed_cents == CHILD_CENTS
    assert sum(held.values()) == CHILD_CENTS
    assert hold.invoice_line_id == household.child_line.id
    assert hold.amount_cents == CHILD_CENTS
    assert ledger.account_balance(story.ctx, household.account.id) == CHILD_CENTS
    assert delinquency_status(story, household.policy, date(2026, 1, 5)) == PolicyStatus.ACTIVE.value


def test_denied_dispute_resumes_collection(story, desk: Desk, household: Household) -> None:
    dispute = dispute_child_line(desk, household)
    pay(story, household.account, SUBSCRIBER_CENTS + SPOUSE_CENTS, date(2025, 12, 28))
    entries_before = story.ctx.session.scalars(select(JournalEntry.id)).all()

    disputes.decide_dispute(
        desk.as_user("sam", utc(2026, 1, 6, 16, 0)),
        dispute.dispute_number,
        outcome=DisputeOutcome.DENIAL,
        note="Enrollment form signed by the subscriber adds the child",
        on=date(2026, 1, 6),
        config=desk.config,
    )

    case = story.ctx.session.get(ServiceCase, dispute.case_id)
    (notice,) = [
        n
        for n in notices_for(story.ctx, billing_account_id=household.account.id)
        if n.notice_type == NoticeType.DISPUTE_OUTCOME.value
    ]
    assert dispute.status == DisputeStatus.DENIED.value
    assert disputed_open_cents(story.ctx, household.account.id, date(2026, 1, 6)) == {}
    assert story.ctx.session.scalars(select(JournalEntry.id)).all() == entries_before
    assert notice.data["outcome"] == "denial"
    assert notice.data["due_again_cents"] == CHILD_CENTS
    assert case.status == CaseStatus.RESOLVED.value
    assert case.resolution_code == "denied"
    assert delinquency_status(story, household.policy, date(2026, 1, 7)) == PolicyStatus.GRACE.value


def test_credit_posts_adjustment_and_pays_month(story, desk: Desk, household: Household) -> None:
    dispute = dispute_child_line(desk, household)
    pay(story, household.account, SUBSCRIBER_CENTS + SPOUSE_CENTS, date(2025, 12, 28))
    config = chicago_config(adjustment_approval_cents=50_000)

    disputes.decide_dispute(
        desk.as_user("sam", utc(2026, 1, 6, 16, 0)),
        dispute.dispute_number,
        outcome=DisputeOutcome.ADJUSTMENT_CREDIT,
        note="Child was never requested",
        on=date(2026, 1, 6),
        config=config,
    )

    entry = story.ctx.session.get(JournalEntry, dispute.journal_entry_id)
    (notice,) = [
        n
        for n in notices_for(story.ctx, billing_account_id=household.account.id)
        if n.notice_type == NoticeType.DISPUTE_OUTCOME.value
    ]
    assert dispute.status == DisputeStatus.CREDITED.value
    assert entry.kind == "adjustment"
    assert entry.reference == dispute.dispute_number
    # 1,280.40 billed - 974.40 paid - 306.00 credited = 0.00
    assert ledger.account_balance(story.ctx, household.account.id) == 0
    assert paid_through_dates(story.ctx, [household.policy])[household.policy.id] == date(2026, 1, 31)
    assert notice.data["credited_cents"] == CHILD_CENTS
    assert delinquency_status(story, household.policy, date(2026, 1, 7)) == PolicyStatus.ACTIVE.value


def test_large_credit_needs_second_supervisor(story, desk: Desk, household: Household) -> None:
    dispute = dispute_child_line(desk, household)
    # 306.00 is above the default 250.00 a single decision may credit
    disputes.decide_dispute(
        desk.as_user("sam", utc(2026, 1, 6, 16, 0)),
        dispute.dispute_number,
        outcome=DisputeOutcome.ADJUSTMENT_CREDIT,
        note="Child was never requested",
        on=date(2026, 1, 6),
        config=desk.config,
    )
    pending_balance = ledger.account_balance(story.ctx, household.account.id)

    with pytest.raises(PermissionDeniedError) as same_person:
        disputes.approve_dispute(
            desk.as_user("sam", utc(2026, 1, 7, 16, 0)),
            dispute.dispute_number,
            approve=True,
            on=date(2026, 1, 7),
            config=desk.config,
        )
    disputes.approve_dispute(
        desk.as_user("pat", utc(2026, 1, 7, 16, 0)),
        dispute.dispute_number,
        approve=True,
        on=date(2026, 1, 7),
        config=desk.config,
    )

    assert same_person.value.code == "dispute.self_approval"
    assert pending_balance == MONTH_CENTS
    assert dispute.status == DisputeStatus.CREDITED.value
    assert dispute.approved_by == "pat"
    # 1,280.40 - 306.00 = 974.40 still owed
    assert ledger.account_balance(story.ctx, household.account.id) == SUBSCRIBER_CENTS + SPOUSE_CENTS


def test_rejected_approval_reopens_decision(story, desk: Desk, household: Household) -> None:
    dispute = dispute_child_line(desk, household)
    disputes.decide_dispute(
        desk.as_user("sam", utc(2026, 1, 6, 16, 0)),
        dispute.dispute_number,
        outcome=DisputeOutcome.ADJUSTMENT_CREDIT,
        note="Credit",
        on=date(2026, 1, 6),
        config=desk.config,
    )

    disputes.approve_dispute(
        desk.as_user("pat", utc(2026, 1, 7, 16, 0)),
        dispute.dispute_number,
        approve=False,
        note="Check the form first",
        config=desk.config,
    )

    assert dispute.status == DisputeStatus.OPEN.value
    assert dispute.outcome is None
    assert sum(disputed_open_cents(story.ctx, household.account.id, date(2026, 1, 7)).values()) == CHILD_CENTS


def test_refund_of_paid_line(story, desk: Desk, household: Household) -> None:
    pay(story, household.account, MONTH_CENTS, date(2025, 12, 28))
    dispute = dispute_child_line(desk, household, on=date(2026, 1, 3))
    config = chicago_config(adjustment_approval_cents=50_000)

    disputes.decide_dispute(
        desk.as_user("sam", utc(2026, 1, 6, 16, 0)),
        dispute.dispute_number,
        outcome=DisputeOutcome.REFUND,
        note="Refund the child's month",
        on=date(2026, 1, 6),
        config=config,
    )

    (refund,) = story.ctx.session.scalars(select(Refund)).all()
    assert dispute.status == DisputeStatus.REFUND_REQUESTED.value
    assert dispute.refund_cents == CHILD_CENTS
    assert refund.amount_cents == CHILD_CENTS
    assert refund.method == "check"
    # 306.00 is within the refunds area's 500.00 limit, so the request is approved at once
    assert refund.status == "approved"
    assert ledger.balance(story.ctx, LedgerAccount.REFUNDS_PAYABLE) == -CHILD_CENTS
    assert ledger.account_balance(story.ctx, household.account.id) == 0


def test_csr_cannot_decide(story, desk: Desk, household: Household) -> None:
    dispute = dispute_child_line(desk, household)

    with pytest.raises(PermissionDeniedError):
        disputes.decide_dispute(
            desk.as_user("casey", utc(2026, 1, 6, 16, 0)),
            dispute.dispute_number,
            outcome=DisputeOutcome.DENIAL,
            note="No",
            config=desk.config,
        )


def test_line_cannot_be_disputed_twice(story, desk: Desk, household: Household) -> None:
    dispute_child_line(desk, household)

    with pytest.raises(ConflictError) as raised:
        dispute_child_line(desk, household, on=date(2025, 12, 22))

    assert raised.value.code == "dispute.already_disputed"


def test_decided_dispute_cannot_be_decided_again(story, desk: Desk, household: Household) -> None:
    dispute = dispute_child_line(desk, household)
    disputes.decide_dispute(
        desk.as_user("sam", utc(2026, 1, 6, 16, 0)),
        dispute.dispute_number,
        outcome=DisputeOutcome.DENIAL,
        note="Billed correctly",
        on=date(2026, 1, 6),
        config=desk.config,
    )

    with pytest.raises(ConflictError) as raised:
        disputes.decide_dispute(
            desk.as_user("pat", utc(2026, 1, 7, 16, 0)),
            dispute.dispute_number,
            outcome=DisputeOutcome.ADJUSTMENT_CREDIT,
            note="Changed my mind",
            config=desk.config,
        )

    assert raised.value.code == "dispute.transition_not_allowed"


def test_stale_dispute_version_is_conflict(story, desk: Desk, household: Household) -> None:
    dispute = dispute_child_line(desk, household)
    seen = dispute.version
    disputes.decide_dispute(
        desk.as_user("sam", utc(2026, 1, 6, 16, 0)),
        dispute.dispute_number,
        outcome=DisputeOutcome.ADJUSTMENT_CREDIT,
        note="Credit",
        expected_version=seen,
        config=desk.config,
    )

    with pytest.raises(ConflictError) as raised:
        disputes.approve_dispute(
            desk.as_user("pat", utc(2026, 1, 7, 16, 0)),
            dispute.dispute_number,
            approve=True,
            expected_version=seen,
            config=desk.config,
        )

    assert raised.value.code == "dispute.version_conflict"


def test_disputed_payment_refunded_from_credit(story, desk: Desk, household: Household) -> None:
    # 1,280.40 + 100.00 paid: the 100.00 overpayment sits as unapplied credit
    overpayment = pay(story, household.account, MONTH_CENTS + 10_000, date(2025, 12, 28)).payment
    dispute = disputes.open_dispute(
        desk.as_user("casey", utc(2026, 1, 3, 16, 0)),
        account_number=household.account.account_number,
        items=[DisputedItem(payment_id=overpayment.id, amount_cents=10_000)],
        reason="Paid 100.00 too much by mistake",
        on=date(2026, 1, 3),
        config=desk.config,
    )
    held = disputed_open_cents(story.ctx, household.account.id, date(2026, 1, 3))

    with pytest.raises(ValidationError) as credit:
        disputes.decide_dispute(
            desk.as_user("sam", utc(2026, 1, 6, 16, 0)),
            dispute.dispute_number,
            outcome=DisputeOutcome.ADJUSTMENT_CREDIT,
            note="Credit",
            config=desk.config,
        )
    disputes.decide_dispute(
        desk.as_user("sam", utc(2026, 1, 6, 16, 0)),
        dispute.dispute_number,
        outcome=DisputeOutcome.REFUND,
        note="Refund the overpayment",
        on=date(2026, 1, 6),
        config=desk.config,
    )

    assert held == {HoldKey(None, None, None, payment_id=overpayment.id): 10_000}
    assert story.ctx.session.scalars(select(DelinquencyHold)).all() == []
    assert credit.value.code == "dispute.credit_on_payment"
    assert dispute.refund_cents == 10_000
    assert dispute.journal_entry_id is None
    assert (
        ledger.balance(story.ctx, LedgerAccount.UNAPPLIED_CREDIT, billing_account_id=household.account.id)
        == 0
    )
    assert ledger.balance(story.ctx, LedgerAccount.REFUNDS_PAYABLE) == -10_000


def test_lines_list_what_is_free(story, desk: Desk, household: Household) -> None:
    dispute_child_line(desk, household)

    rows = dispute_queries.lines_to_dispute(
        desk.as_user("casey", utc(2025, 12, 21, 16, 0)), household.account.account_number
    )

    january = {row["invoice_line_id"]: row for row in rows if row["coverage_month"] == "2026-01"}
    assert len(january) == 3
    assert january[household.child_line.id]["disputable"] == "0.00"
    assert sorted(row["disputable"] for row in january.values()) == ["0.00", "485.60", "488.80"]


def test_view_shows_held_then_released(story, desk: Desk, household: Household) -> None:
    dispute = dispute_child_line(desk, household)
    before = dispute_queries.dispute_view(story.ctx, dispute)
    disputes.decide_dispute(
        desk.as_user("sam", utc(2026, 1, 6, 16, 0)),
        dispute.dispute_number,
        outcome=DisputeOutcome.DENIAL,
        note="Billed correctly",
        on=date(2026, 1, 6),
        config=desk.config,
    )

    after = dispute_queries.dispute_view(story.ctx, dispute)

    assert before.held == "306.00"
    assert before.status == "open"
    assert after.held == "0.00"
    assert after.items[0]["released_on"] == "2026-01-06"
    assert after.case_number.startswith("CASE-")


def test_account_disputes_lists_dispute(story, desk: Desk, household: Household) -> None:
    dispute = dispute_child_line(desk, household)

    (view,) = dispute_queries.account_disputes(story.ctx, household.account.id)

    assert view.dispute_number == dispute.dispute_number
    assert view.account_number == household.account.account_number
    assert view.status == dispute.status
    assert [item["invoice_line_id"] for item in view.items] == [household.child_line.id]


def test_refund_with_balance_owed_rejected(story, desk: Desk, household: Household) -> None:
    pay(story, household.account, MONTH_CENTS, date(2025, 12, 28))
    dispute = dispute_child_line(desk, household, on=date(2026, 1, 3))
    story.bill(date(2026, 1, 15))

    with pytest.raises(ValidationError) as caught:
        disputes.decide_dispute(
            desk.as_user("sam", utc(2026, 1, 16, 16, 0)),
            dispute.dispute_number,
            outcome=DisputeOutcome.REFUND,
            note="Refund the child's month",
            on=date(2026, 1, 16),
            config=desk.config,
        )

    # February's 1,280.40 is owed, and the 306.00 credit only lowers it.
    assert caught.value.code == "dispute.nothing_left_to_refund"
    assert "974.40" in caught.value.message
    assert dispute.status == DisputeStatus.OPEN.value


def test_dispute_on_unverified_call_refused(story, desk: Desk, household: Household) -> None:
    contact = log_contact(
        desk.as_user("casey", utc(2025, 12, 20, 15, 0)),
        ContactInput(
            channel=ContactChannel.PHONE,
            direction=ContactDirection.INBOUND,
            subject=ContactSubject.BILLING,
            account_number=household.account.account_number,
        ),
        config=desk.config,
    )

    with pytest.raises(PermissionDeniedError) as caught:
        disputes.open_dispute(
            desk.as_user("casey", utc(2025, 12, 20, 16, 0)),
            account_number=household.account.account_number,
            items=[DisputedItem(invoice_line_id=household.child_line.id)],
            reason="Child was added in error",
            on=date(2025, 12, 20),
            contact_id=contact.id,
            config=desk.config,
        )

    assert caught.value.code == "contact.not_verified"
