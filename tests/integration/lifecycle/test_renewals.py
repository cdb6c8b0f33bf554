"""Renewal runs: who is renewed when, into which plan, idempotence, declines and plan choices."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from premia.enrollment import service as enrollment
from premia.enrollment.model import PolicyStatus
from premia.kernel.errors import ConflictError, NotFoundError, ValidationError
from premia.lifecycle import renewals
from premia.lifecycle.model import OfferStatus, RefundState, RenewalOutcome
from premia.lifecycle.tables import RenewalOffer
from premia.kernel.errors import PermissionDeniedError
from premia.staff.permissions import Role
from tests.conftest import make_context
from tests.integration.lifecycle.conftest import EXCHANGE_PLAN_ID, crosswalk_catalog, story_catalog

# Born 1990-04-12: age 35 on 2026-01-01 (factor 1.222) and 36 on 2027-01-01 (factor 1.230).
BIRTH = date(1990, 4, 12)


@pytest.fixture
def two_years(life):
    life.story.catalog = story_catalog({2026: "400.00", 2027: "420.00"})
    return life


def test_renewal_waits_for_window(two_years):
    household = two_years.single(effective=date(2026, 1, 1), birth=BIRTH)
    report = two_years.renew(date(2026, 10, 14))
    assert report.count(RenewalOutcome.RENEWED) == 0
    assert two_years.renewal_of(household.policy) is None


def test_renewal_into_next_year(two_years):
    household = two_years.single(effective=date(2026, 1, 1), birth=BIRTH)
    report = two_years.renew(date(2026, 10, 15))

    assert report.count(RenewalOutcome.RENEWED) == 1
    renewal = two_years.renewal_of(household.policy)
    assert renewal.effective_date == date(2027, 1, 1)
    assert renewal.plan_id == household.policy.plan_id
    assert renewal.status == PolicyStatus.ACTIVE
    assert renewal.end_date is None
    assert household.policy.end_date == date(2026, 12, 31)
    assert [span.end_date for span in enrollment.spans_of(two_years.ctx, household.policy.id)] == [date(2026, 12, 31)]
    offer = two_years.offers(household.policy)[0]
    assert offer.status == OfferStatus.OFFERED
    # 400.00 x 1.222 = 488.80
    assert offer.previous_premium_cents == 48_880
    # 420.00 x 1.230 = 516.60
    assert offer.premium_cents == 51_660
    assert offer.respond_by == date(2026, 12, 31)


def test_renewal_notice_side_by_side(two_years):
    household = two_years.single(effective=date(2026, 1, 1), birth=BIRTH)
    two_years.renew(date(2026, 10, 15))
    renewal = two_years.renewal_of(household.policy)

    notice = two_years.notices(renewal, "renewal")[0]
    assert notice.as_of == date(2026, 10, 15)
    assert notice.data["previous_premium_cents"] == 48_880
    assert notice.data["premium_cents"] == 51_660
    assert notice.data["renewal_date"] == "2027-01-01"
    assert notice.data["members"][0]["previous_age"] == 35
    assert notice.data["members"][0]["age"] == 36


def test_rerun_same_day_renews_once(two_years):
    household = two_years.single(effective=date(2026, 1, 1), birth=BIRTH)
    two_years.renew(date(2026, 10, 15))
    again = two_years.renew(date(2026, 10, 15))
    later = two_years.renew(date(2026, 11, 20))

    assert again.count(RenewalOutcome.RENEWED) == 0
    assert later.count(RenewalOutcome.RENEWED) == 0
    assert len(two_years.offers(household.policy)) == 1
    assert len(two_years.notices(two_years.renewal_of(household.policy), "renewal")) == 1


def test_offer_accepted_on_renewal_date(two_years):
    household = two_years.single(effective=date(2026, 1, 1), birth=BIRTH)
    two_years.renew(date(2026, 10, 15))
    report = two_years.renew(date(2027, 1, 1))

    assert report.count(RenewalOutcome.ACCEPTED) == 1
    offer = two_years.offers(household.policy)[0]
    assert offer.status == OfferStatus.ACCEPTED
    assert offer.decided_on == date(2027, 1, 1)


def test_late_run_renews_on_renewal_date(two_years):
    household = two_years.single(effective=date(2026, 1, 1), birth=BIRTH)
    two_years.renew(date(2027, 1, 10))

    renewal = two_years.renewal_of(household.policy)
    assert renewal.effective_date == date(2027, 1, 1)
    assert two_years.offers(household.policy)[0].status == OfferStatus.ACCEPTED


def test_ended_policies_not_renewed(two_years):
    terminated = two_years.single(effective=date(2026, 1, 1), birth=BIRTH)
    cancelled = two_years.single(effective=date(2026, 3, 1), birth=BIRTH)
    ends_early = two_years.single(effective=date(2026, 2, 1), birth=BIRTH)
    two_years.story.terminate(terminated.policy, date(2026, 6, 30))
    two_years.story.cancel(cancelled.policy)
    two_years.story.terminate(ends_early.policy, date(2026, 11, 30))
    ends_early.policy.status = PolicyStatus.ACTIVE.value

    report = two_years.renew(date(2026, 10, 15))

    assert report.results == []
    for household in (terminated, cancelled, ends_early):
        assert two_years.renewal_of(household.policy) is None


def test_pending_policy_waits(two_years):
    household = two_years.single(effective=date(2026, 12, 1), birth=BIRTH)
    household.policy.status = PolicyStatus.PENDING.value
    report = two_years.renew(date(2026, 10, 15))

    assert report.results[0].outcome is RenewalOutcome.SKIPPED
    assert "binder" in report.results[0].reason
    assert two_years.renewal_of(household.policy) is None


def test_crosswalk_to_new_plan(life):
    life.story.catalog = crosswalk_catalog()
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH, plan_id="BRZVA-A")
    report = life.renew(date(2026, 10, 15))

    result = report.results[0]
    assert result.crosswalked is True
    assert result.to_plan_id == "BRZVA-B"
    renewal = life.renewal_of(household.policy)
    assert renewal.plan_id == "BRZVA-B"
    notice = life.notices(renewal, "renewal")[0]
    assert notice.data["previous_plan_id"] == "BRZVA-A"
    assert notice.data["plan_id"] == "BRZVA-B"
    # 300.00 x 1.222 = 366.60 before; 330.00 x 1.230 = 405.90 after
    assert notice.data["previous_premium_cents"] == 36_660
    assert notice.data["premium_cents"] == 40_590


def test_missing_next_year_fails(life):
    life.story.catalog = story_catalog({2026: "400.00"})
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH)
    report = life.renew(date(2026, 10, 15))

    assert report.results[0].outcome is RenewalOutcome.FAILED
    assert report.results[0].error["code"] == "renewal.no_next_year_plan"
    life.ctx.session.refresh(household.policy)
    assert household.policy.end_date is None
    assert life.renewal_of(household.policy) is None


def test_decline_before_renewal_date(two_years):
    household = two_years.single(effective=date(2026, 1, 1), birth=BIRTH)
    two_years.renew(date(2026, 10, 15))
    renewal = two_years.renewal_of(household.policy)
    two_years.story.at(date(2026, 11, 20))
    offer = renewals.decline_renewal(two_years.ctx, household.policy.policy_number, catalog=two_years.catalog, on=date(2026, 11, 20), reason="moving abroad")

    assert offer.status == OfferStatus.DECLINED
    assert renewal.status == PolicyStatus.CANCELLED
    assert enrollment.spans_of(two_years.ctx, renewal.id) == []
    assert household.policy.end_date == date(2026, 12, 31)
    assert len(two_years.notices(renewal, "cancellation")) == 1


def test_decline_after_renewal_date_rejected(two_years):
    household = two_years.single(effective=date(2026, 1, 1), birth=BIRTH)
    two_years.renew(date(2026, 10, 15))
    two_years.renew(date(2027, 1, 1))
    with pytest.raises(ConflictError) as caught:
        renewals.decline_renewal(two_years.ctx, household.policy.policy_number, catalog=two_years.catalog, on=date(2027, 1, 2), reason="late")
    assert caught.value.code == "renewal.already_in_effect"


def test_choose_other_plan_supersedes(life):
    life.story.catalog = crosswalk_catalog()
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH, plan_id="BRZVA-A")
    life.renew(date(2026, 10, 15))
    first = life.renewal_of(household.policy)
    life.story.at(date(2026, 11, 5))
    offer = renewals.choose_renewal_plan(life.ctx, household.policy.policy_number, catalog=life.catalog, plan_id="GLDVA-A", on=date(2026, 11, 5))

    offers = life.offers(household.policy)
    assert [row.status for row in offers] == [OfferStatus.SUPERSEDED, OfferStatus.OFFERED]
    assert offer.chosen_by_payer is True
    assert first.status == PolicyStatus.CANCELLED
    chosen = life.renewal_of(household.policy)
    assert chosen.plan_id == "GLDVA-A"
    assert chosen.effective_date == date(2027, 1, 1)
    # 470.00 x 1.230 = 578.10
    assert offer.premium_cents == 57_810
    assert life.changes_of(first)[0].refund_state == RefundState.NONE


def test_choose_unknown_plan_rejected(life):
    life.story.catalog = crosswalk_catalog()
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH, plan_id="BRZVA-A")
    life.renew(date(2026, 10, 15))
    with pytest.raises(NotFoundError) as caught:
        renewals.choose_renewal_plan(life.ctx, household.policy.policy_number, catalog=life.catalog, plan_id="NOPE-1", on=date(2026, 11, 5))
    assert caught.value.code == "rating.unknown_plan"
    assert life.offers(household.policy)[0].status == OfferStatus.OFFERED


def test_unique_live_offer_per_date(two_years):
    household = two_years.single(effective=date(2026, 1, 1), birth=BIRTH)
    two_years.renew(date(2026, 10, 15))
    offer = two_years.offers(household.policy)[0]
    duplicate = RenewalOffer(**{column.name: getattr(offer, column.name) for column in RenewalOffer.__table__.columns if column.name != "id"})
    two_years.ctx.session.add(duplicate)
    with pytest.raises(IntegrityError):
        two_years.ctx.session.flush()


def test_run_needs_permission(two_years, db_session):
    csr = make_context(db_session, role=Role.CSR)
    with pytest.raises(PermissionDeniedError) as caught:
        renewals.run_renewals(csr, catalog=two_years.catalog, as_of=date(2026, 10, 15))
    assert caught.value.code == "staff.permission_denied"


def test_offers_listed_in_order(two_years):
    first = two_years.single(effective=date(2026, 1, 1), birth=BIRTH)
    second = two_years.single(effective=date(2026, 5, 1), birth=date(1980, 1, 1))
    two_years.renew(date(2026, 10, 15))
    dates = two_years.ctx.session.scalars(select(RenewalOffer.renewal_date).order_by(RenewalOffer.id)).all()
    assert dates == [date(2027, 1, 1), date(2027, 1, 1)]
    assert two_years.renewal_of(first.policy) is not None
    assert two_years.renewal_of(second.policy) is not None


def test_choose_exchange_plan_rejected(life):
    life.story.catalog = crosswalk_catalog()
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH, plan_id="BRZVA-A")
    life.renew(date(2026, 10, 15))
    with pytest.raises(ValidationError) as caught:
        renewals.choose_renewal_plan(life.ctx, household.policy.policy_number, catalog=life.catalog, plan_id=EXCHANGE_PLAN_ID, on=date(2026, 11, 5))
    assert caught.value.code == "lifecycle.plan_does_not_fit"
    assert life.offers(household.policy)[0].status == OfferStatus.OFFERED
