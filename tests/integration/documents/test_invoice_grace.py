"""The grace box of an invoice on accounts that bill more than one policy."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from premia.accounts.model import PersonInput
from premia.accounts.person_service import create_person
from premia.documents.context import build_content
from premia.documents.service import deliver_notices
from premia.documents.tables import Document
from premia.enrollment import service as enrollment
from premia.enrollment.model import Market, PolicyStatus, Relationship
from premia.notices.model import NoticeType
from premia.notices.service import create_notice
from premia.notices.tables import Notice
from tests.integration.conftest import AREA_ID, PLAN_ID, story_catalog
from tests.integration.documents.conftest import household_account, insure_couple, pdf_text

JANUARY_INVOICE = date(2025, 12, 15)
FEBRUARY_INVOICE = date(2026, 1, 15)


EXCHANGE_PLAN_ID = "12345VA0010001"  # the plan of story_catalog(exchange=True)


def _individual_policy(story, account, subscriber_id: int, *, exchange: bool):
    return enrollment.create_policy(
        story.ctx,
        enrollment.PolicyInput(
            billing_account_id=account.id,
            subscriber_person_id=subscriber_id,
            plan_id=EXCHANGE_PLAN_ID if exchange else PLAN_ID,
            rating_area=AREA_ID,
            market=Market.INDIVIDUAL,
            state="VA",
            effective_date=date(2026, 1, 1),
            on_exchange=exchange,
            status=PolicyStatus.ACTIVE,
        ),
    )


def _aptc_grace(policy, *, stage: str = "delinquency") -> dict:
    """A three-month APTC grace period from January, as the delinquency run states it."""
    return {
        "policy_number": policy.policy_number,
        "stage": stage,
        "grace_kind": "aptc_months",
        "grace_start": "2026-01-02",
        "grace_end": "2026-03-31",
        "first_unpaid_month": "2026-01",
        "missed_due_date": "2026-01-02",
        "amount_due_cents": 97_440,
        "claims_pended_from": "2026-02-01",
        "termination_date_if_unpaid": "2026-01-31",
    }


def _days_grace(policy, *, grace_end: str, paid_through: str) -> dict:
    """A 31-day grace period from the January due date, as the delinquency run states it."""
    return {
        "policy_number": policy.policy_number,
        "stage": "delinquency",
        "grace_kind": "days",
        "grace_start": "2026-01-03",
        "grace_end": grace_end,
        "first_unpaid_month": "2026-01",
        "missed_due_date": "2026-01-02",
        "amount_due_cents": 31_000,
        "claims_pended_from": None,
        "termination_date_if_unpaid": paid_through,
    }


def _grace_notice(ctx, notice_type, account, policy, *, as_of: date, data: dict) -> Notice:
    return create_notice(
        ctx,
        notice_type=notice_type,
        billing_account_id=account.id,
        policy_id=policy.id,
        as_of=as_of,
        dedupe_key=f"test:{policy.id}:{notice_type.value}:{as_of.isoformat()}",
        data=data,
    )


def _daughter_days_notice(ctx, account, daughter, *, as_of: date) -> Notice:
    """The daughter's 31-day grace notice, ending 2026-02-02 and paid through 2025-12-31."""
    data = _days_grace(daughter, grace_end="2026-02-02", paid_through="2025-12-31")
    return _grace_notice(ctx, NoticeType.DELINQUENCY, account, daughter, as_of=as_of, data=data)


def _invoice_notice(story, account, invoice_date: date) -> Notice:
    story.bill(invoice_date)
    invoice = next(invoice for invoice in story.invoices(account) if invoice.issue_date == invoice_date)
    return story.ctx.session.scalar(select(Notice).where(Notice.invoice_id == invoice.id))


def _household(story, *, exchange: bool = False):
    """One account billing two individual policies: the holder with her spouse, and her daughter alone."""
    if exchange:
        story.catalog = story_catalog(exchange=True)
    account = household_account(story.at(date(2025, 12, 1)).ctx)
    couple = _individual_policy(story, account, account.person_id, exchange=exchange)
    story.dependent(
        couple, first_name="Bruno", birth=date(1991, 2, 3), relationship=Relationship.SPOUSE, start=date(2026, 1, 1)
    )
    lia = create_person(story.ctx, PersonInput(first_name="Lia", last_name="Lopez", birth_date=date(2004, 6, 9)))
    daughter = _individual_policy(story, account, lia.id, exchange=exchange)
    return account, couple, daughter


def test_box_ignores_other_policys_notice(story, ctx, documents_dir):
    account, couple, daughter = _household(story)
    story.bill(JANUARY_INVOICE)
    _grace_notice(ctx, NoticeType.DELINQUENCY, account, couple, as_of=date(2026, 1, 3), data=_aptc_grace(couple))
    # The daughter's own short grace period, opened later and already cured by the invoice.
    _daughter_days_notice(ctx, account, daughter, as_of=date(2026, 1, 10))
    couple.status = PolicyStatus.GRACE.value
    invoice_notice = _invoice_notice(story, account, FEBRUARY_INVOICE)

    grace = build_content(ctx, invoice_notice).grace

    assert grace.in_grace is True
    assert grace.grace_end == date(2026, 3, 31)
    assert grace.termination_date == date(2026, 1, 31)
    assert grace.aptc is True
    assert grace.claims_pended_from == date(2026, 2, 1)

    deliver_notices(ctx, as_of=FEBRUARY_INVOICE)
    document = ctx.session.scalar(select(Document).where(Document.notice_id == invoice_notice.id))
    text = " ".join(pdf_text((documents_dir / document.pdf_path).read_bytes()).split())
    assert "grace period that ends on March 31, 2026" in text
    assert "ends on February 2, 2026" not in text


def test_box_shows_earliest_grace_end(story, ctx):
    account, couple, daughter = _household(story, exchange=True)
    story.aptc(couple, 40_000, start=date(2026, 1, 1))
    story.bill(JANUARY_INVOICE)
    _daughter_days_notice(ctx, account, daughter, as_of=date(2026, 1, 3))
    # The couple's APTC grace notice is the account's newest, yet its period ends last.
    _grace_notice(ctx, NoticeType.DELINQUENCY, account, couple, as_of=date(2026, 1, 5), data=_aptc_grace(couple))
    couple.status = PolicyStatus.GRACE.value
    daughter.status = PolicyStatus.GRACE.value
    invoice_notice = _invoice_notice(story, account, FEBRUARY_INVOICE)

    content = build_content(ctx, invoice_notice)

    assert content.invoice.has_aptc is True
    assert content.grace.in_grace is True
    assert content.grace.grace_end == date(2026, 2, 2)
    assert content.grace.termination_date == date(2025, 12, 31)
    # The daughter's grace period is counted in days and her charges carry no APTC.
    assert content.grace.aptc is False
    assert content.grace.claims_pended is False


def test_box_reads_policys_latest_notice(story, ctx):
    account, couple, daughter = _household(story)
    story.bill(JANUARY_INVOICE)
    _daughter_days_notice(ctx, account, daughter, as_of=date(2026, 1, 3))
    _grace_notice(ctx, NoticeType.DELINQUENCY, account, couple, as_of=date(2026, 1, 3), data=_aptc_grace(couple))
    second = _aptc_grace(couple, stage="second") | {"amount_due_cents": 120_000}
    _grace_notice(ctx, NoticeType.GRACE_SECOND, account, couple, as_of=date(2026, 1, 12), data=second)
    # A grace notice dated after the invoice is not yet known on the invoice date.
    later = _days_grace(daughter, grace_end="2026-01-20", paid_through="2025-12-31")
    _grace_notice(ctx, NoticeType.FINAL, account, daughter, as_of=date(2026, 1, 20), data=later)
    couple.status = PolicyStatus.GRACE.value
    daughter.status = PolicyStatus.GRACE.value
    invoice_notice = _invoice_notice(story, account, FEBRUARY_INVOICE)

    grace = build_content(ctx, invoice_notice).grace

    assert grace.grace_end == date(2026, 2, 2)
    assert grace.aptc is False


def test_single_policy_box_reads_newest_notice(story, ctx):
    account = household_account(story.at(date(2025, 12, 1)).ctx)
    policy = insure_couple(story, account)
    story.bill(JANUARY_INVOICE)
    first = _days_grace(policy, grace_end="2026-02-02", paid_through="2025-12-31")
    _grace_notice(ctx, NoticeType.DELINQUENCY, account, policy, as_of=date(2026, 1, 3), data=first)
    # The newest notice names no kind, as older notices did: a pend date marks the APTC grace period.
    legacy = _days_grace(policy, grace_end="2026-03-31", paid_through="2026-01-31") | {
        "grace_kind": None,
        "claims_pended_from": "2026-02-01",
    }
    _grace_notice(ctx, NoticeType.GRACE_SECOND, account, policy, as_of=date(2026, 1, 10), data=legacy)
    policy.status = PolicyStatus.GRACE.value
    invoice_notice = _invoice_notice(story, account, FEBRUARY_INVOICE)

    grace = build_content(ctx, invoice_notice).grace

    assert grace.in_grace is True
    assert grace.aptc is True
    assert grace.grace_end == date(2026, 3, 31)
    assert grace.termination_date == date(2026, 1, 31)
    assert grace.claims_pended_from == date(2026, 2, 1)


def test_single_policy_box_without_notice(story, ctx):
    story.catalog = story_catalog(exchange=True)
    account = household_account(story.at(date(2025, 12, 1)).ctx)
    policy = _individual_policy(story, account, account.person_id, exchange=True)
    story.aptc(policy, 40_000, start=date(2026, 1, 1))
    story.bill(JANUARY_INVOICE)
    policy.status = PolicyStatus.GRACE.value
    invoice_notice = _invoice_notice(story, account, FEBRUARY_INVOICE)

    grace = build_content(ctx, invoice_notice).grace

    assert grace.in_grace is True
    assert grace.aptc is True
    assert grace.grace_end is None
    assert grace.termination_date is None
    assert grace.claims_pended is False


def test_box_absent_without_policy_in_grace(story, ctx):
    account, couple, _daughter = _household(story)
    story.bill(JANUARY_INVOICE)
    _grace_notice(ctx, NoticeType.DELINQUENCY, account, couple, as_of=date(2026, 1, 3), data=_aptc_grace(couple))
    invoice_notice = _invoice_notice(story, account, FEBRUARY_INVOICE)

    grace = build_content(ctx, invoice_notice).grace

    assert grace.in_grace is False
    assert grace.grace_end is None
