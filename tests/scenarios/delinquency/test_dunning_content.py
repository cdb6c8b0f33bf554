"""What the dunning notices state: the amount to pay by the end of grace and what follows if it is not paid.

APTC household as in ``test_aptc_grace``: net premium 577.60 - 477.60 = 100.00 a month,
invoices issued on the 15th and due on the 1st (moved to the next banking day).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from premia.accounts.tables import BillingAccount
from premia.delinquency.config import GraceRule, RuleScope, default_config
from premia.delinquency.model import ClaimsAction, GraceKind
from premia.accounts.model import Language
from premia.documents.content import Phrase
from premia.documents.letter_context import LetterInput, letter_parts
from premia.documents.phrases import Texts
from premia.enrollment import service as enrollment
from premia.enrollment.model import Market, PolicyStatus
from premia.enrollment.tables import CoverageSpan, Policy
from premia.notices.tables import Notice

BIRTH = date(1980, 3, 15)
APTC = 47_760
NET = 10_000


def _notice(story, household, notice_type: str) -> Notice:
    query = select(Notice).where(Notice.policy_id == household.policy.id, Notice.notice_type == notice_type)
    return story.ctx.session.scalars(query).one()


def _aptc_household_paid_through_march(story):
    household = story.individual(effective=date(2026, 1, 1), birth=BIRTH, exchange=True, aptc_cents=APTC)
    story.day(date(2025, 12, 15))
    story.pay(household, NET, date(2025, 12, 28))
    for month in (2, 3):
        story.day(date(2026, month - 1, 15))
        story.pay(household, NET, date(2026, month - 1, 25))
    story.day(date(2026, 3, 15))
    return household


def test_second_notice_includes_month_due_today(exchange_story):
    story = exchange_story
    household = _aptc_household_paid_through_march(story)
    for day in (date(2026, 4, 2), date(2026, 4, 15), date(2026, 5, 1)):
        story.day(day)

    # On 05-01 April (100.00) is past due and May (100.00, invoiced 04-15) is due that day.
    # Both must be paid by the end of grace on 06-30, so the notice requests 200.00.
    second = _notice(story, household, "grace_second")
    assert second.data["amount_due_cents"] == 2 * NET


def test_final_notice_covers_grace_months(exchange_story):
    story = exchange_story
    household = _aptc_household_paid_through_march(story)
    for day in (date(2026, 4, 2), date(2026, 4, 15), date(2026, 5, 1)):
        story.day(day)
    story.pay(household, NET, date(2026, 5, 20))
    for day in (date(2026, 5, 20), date(2026, 6, 1)):
        story.day(day)

    # After 100.00 on 05-20 paid April, May and June (due 06-01) are open. Paying both by
    # 06-30 avoids the termination, so the final notice requests 200.00, not 100.00.
    final = _notice(story, household, "final")
    assert final.data["amount_due_cents"] == 2 * NET
    # The July invoice (due 07-01, after the grace period) is not part of it.
    story.day(date(2026, 6, 15))
    assert final.data["amount_due_cents"] == 2 * NET


def _letter(story, notice: Notice):
    policy = story.ctx.session.get(Policy, notice.policy_id)
    account = story.ctx.session.get(BillingAccount, notice.billing_account_id)
    return letter_parts(LetterInput(ctx=story.ctx, notice=notice, account=account, policy=policy)).letter


def _state_household_paid_through_february(story):
    # Born 1990-04-12: age 35 on 2026-01-01, factor 1.222, 400.00 x 1.222 = 488.80 a month.
    household = story.individual(effective=date(2026, 1, 1), birth=date(1990, 4, 12))
    story.day(date(2025, 12, 15))
    story.pay(household, 48_880, date(2025, 12, 28))
    story.day(date(2026, 1, 15))
    story.pay(household, 48_880, date(2026, 1, 28))
    story.day(date(2026, 2, 15))
    return household


def test_state_grace_notice_names_retro_termination(offexchange_story):
    story = offexchange_story
    household = _state_household_paid_through_february(story)

    # March, due Monday 03-02, is missed: grace 03-03..04-02. By default a termination
    # takes effect on the paid-through date, 02-28, which the notice must state.
    story.day(date(2026, 3, 3))
    notice = _notice(story, household, "delinquency")
    assert notice.data["termination_date_if_unpaid"] == "2026-02-28"

    warnings = [phrase.key for phrase in _letter(story, notice).warnings]
    assert warnings == ["grace_termination_warning"]


def test_state_grace_pending_claims_not_aptc(offexchange_story):
    story = offexchange_story
    story.config = replace(
        default_config(),
        grace_rules=(
            GraceRule(
                name="individual 31 days, claims pended",
                kind=GraceKind.DAYS,
                days=31,
                claims_in_grace=ClaimsAction.PEND,
                scope=RuleScope(markets=frozenset({"individual"})),
            ),
        ),
    )
    household = _state_household_paid_through_february(story)
    story.day(date(2026, 3, 3))

    notice = _notice(story, household, "delinquency")
    assert notice.data["claims_pended_from"] == "2026-03-03"
    letter = _letter(story, notice)
    keys = [phrase.key for phrase in letter.warnings]
    # No three-month APTC wording for a member without APTC.
    assert "consequence_aptc" not in keys
    assert "claims_pended_notice" not in keys
    assert keys == ["grace_termination_warning", "claims_pended_notice_days"]


def test_renewal_cancellation_reason_in_spanish(exchange_story):
    story = exchange_story
    # Born 1980-11-15: age 45 on 2026-10-01, net premium 577.60 - 477.60 = 100.00.
    household = story.individual(effective=date(2026, 10, 1), birth=date(1980, 11, 15), exchange=True, aptc_cents=APTC)
    household.account.language = "es"
    household.policy.end_date = date(2026, 12, 31)
    for span in story.ctx.session.scalars(select(CoverageSpan).where(CoverageSpan.policy_id == household.policy.id)):
        span.end_date = date(2026, 12, 31)
    renewal = enrollment.create_policy(
        story.ctx,
        enrollment.PolicyInput(
            billing_account_id=household.account.id,
            subscriber_person_id=household.account.person_id,
            plan_id=household.policy.plan_id,
            rating_area="VA-1",
            market=Market.INDIVIDUAL,
            state="VA",
            effective_date=date(2027, 1, 1),
            on_exchange=True,
            exchange_policy_id=f"{household.policy.exchange_policy_id}-R",
            status=PolicyStatus.ACTIVE,
        ),
    )
    renewal.renewed_from_policy_id = household.policy.id
    story.day(date(2026, 9, 15))
    story.pay(household, NET, date(2026, 9, 20))
    # November is missed. Grace runs November to January and ends in termination on 02-01,
    # which cancels the renewal effective 2027-01-01.
    for day in (date(2026, 10, 15), date(2026, 11, 3), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)):
        story.day(day)
    story.ctx.session.refresh(renewal)
    assert renewal.status == PolicyStatus.CANCELLED

    query = select(Notice).where(Notice.policy_id == renewal.id, Notice.notice_type == "cancellation")
    notice = story.ctx.session.scalars(query).one()
    assert notice.language == "es"
    letter = _letter(story, notice)
    reason = next(phrase for phrase in letter.paragraphs if phrase.key == "reason_line")
    # The reason is a catalog phrase, printed in Spanish, not the English text staff see.
    assert reason.values["reason"] == Phrase("reason_prior_coverage_terminated")
    assert "prior policy" not in Texts(Language.SPANISH).say(reason)


def test_aptc_termination_notice_owes_month_one(exchange_story):
    story = exchange_story
    household = story.individual(effective=date(2026, 1, 1), birth=BIRTH, exchange=True, aptc_cents=APTC)
    story.day(date(2025, 12, 15))
    story.pay(household, NET, date(2025, 12, 28))
    for day in (date(2026, 1, 15), date(2026, 2, 3), date(2026, 2, 15), date(2026, 3, 1), date(2026, 3, 15), date(2026, 4, 1)):
        story.day(day)
    story.day(date(2026, 4, 15))
    story.day(date(2026, 5, 1))

    # Terminated back to 02-28: February, March and April (3 x 100.00) were unpaid at the end of
    # grace, but the member owes only February's 100.00. March, April and May are credited.
    notice = _notice(story, household, "termination")
    assert notice.data["termination_date"] == "2026-02-28"
    assert notice.data["past_due_cents"] == NET
    story.day(date(2026, 5, 15))
    assert story.balance(household) == notice.data["past_due_cents"]


def test_state_termination_notice_owes_nothing(offexchange_story):
    story = offexchange_story
    household = _state_household_paid_through_february(story)
    for day in (date(2026, 3, 3), date(2026, 3, 15), date(2026, 4, 2)):
        story.day(day)
    story.day(date(2026, 4, 3))

    # Grace 03-03..04-02 ended with March unpaid: coverage ends on the paid-through date,
    # 02-28, so March and April are credited and nothing is owed for coverage through 02-28.
    notice = _notice(story, household, "termination")
    assert notice.data["termination_date"] == "2026-02-28"
    assert notice.data["past_due_cents"] == 0
    story.day(date(2026, 4, 15))
    assert story.balance(household) == 0
