"""Plan changes and member changes: proration by the bill run, renewals kept in step, limits."""

from __future__ import annotations

from datetime import date

import pytest

from premia.accounts.model import PaymentMode, PersonInput
from premia.accounts.person_service import create_person
from premia.enrollment import service as enrollment
from premia.enrollment.model import PolicyStatus, Relationship
from premia.kernel.errors import ConflictError, PermissionDeniedError, ValidationError
from premia.lifecycle import changes
from premia.lifecycle.model import OfferStatus, RequestSource
from tests.integration.lifecycle.conftest import plans_catalog, story_catalog

# Born 1990-04-12: age 35 in 2026, factor 1.222.
BIRTH = date(1990, 4, 12)


def _person(life, *, birth: date, first_name: str = "Cai"):
    return create_person(life.ctx, PersonInput(first_name=first_name, last_name="Dependent", birth_date=birth))


def test_plan_change_on_17th(life):
    life.story.catalog = plans_catalog({"SILVER-VA": {2026: "400.00"}, "GOLD-VA": {2026: "480.00"}})
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH, plan_id="SILVER-VA")
    life.story.bill(date(2026, 5, 15))
    june = life.invoice_for(household.account, date(2026, 6, 1))
    # 400.00 x 1.222 = 488.80 for June on Silver
    assert june.current_charges_cents == 48_880
    life.story.pay_invoice(june, date(2026, 5, 28))

    result = life.change_plan(household.policy, "GOLD-VA", effective=date(2026, 6, 17), on=date(2026, 6, 10))
    life.story.bill(date(2026, 6, 15))

    assert household.policy.status == PolicyStatus.TERMINATED
    assert household.policy.end_date == date(2026, 6, 16)
    gold = life.policy(result.new_policy_number)
    assert gold.plan_id == "GOLD-VA"
    assert gold.effective_date == date(2026, 6, 17)
    july = life.invoice_for(household.account, date(2026, 7, 1))
    june_lines = {(line.policy_id, line.amount_cents) for line in life.lines(july) if line.coverage_month == date(2026, 6, 1)}
    # Silver earned June 1-16: 488.80 x 16 / 30 = 260.693... -> 260.69, so 488.80 - 260.69 = 228.11 is credited.
    # The Gold policy is rated on its own effective date, when the subscriber is 36 (factor 1.230):
    # 480.00 x 1.230 = 590.40; June 17-30 is 14 days: 590.40 x 14 / 30 = 275.52.
    assert june_lines == {(household.policy.id, -22_811), (gold.id, 27_552)}
    # July in full on Gold: 590.40
    assert july.current_charges_cents == 59_040
    # 590.40 - 228.11 + 275.52 = 637.81
    assert july.current_charges_cents + july.adjustments_cents == 63_781


def test_two_plan_changes_in_quarter(life):
    life.story.catalog = plans_catalog({"BRONZE-VA": {2025: "310.00"}, "SILVER-VA": {2025: "395.00"}, "GOLD-VA": {2025: "470.00"}})
    # Born 1983-07-09: age 41 in 2025, factor 1.302. Bronze 310.00 x 1.302 = 403.62,
    # Silver 395.00 x 1.302 = 514.29, Gold 470.00 x 1.302 = 611.94.
    household = life.single(effective=date(2025, 1, 1), birth=date(1983, 7, 9), mode=PaymentMode.QUARTERLY, plan_id="BRONZE-VA")
    life.story.bill(date(2024, 12, 15))
    life.story.bill(date(2025, 3, 15))
    second_quarter = life.invoice_for(household.account, date(2025, 4, 1))
    # 3 x 403.62 = 1,210.86
    assert second_quarter.current_charges_cents == 121_086
    life.story.pay_invoice(second_quarter, date(2025, 3, 28))

    silver = life.change_plan(household.policy, "SILVER-VA", effective=date(2025, 5, 1), on=date(2025, 4, 20))
    life.change_plan(life.policy(silver.new_policy_number), "GOLD-VA", effective=date(2025, 6, 1), on=date(2025, 5, 20))
    life.story.bill(date(2025, 6, 15))

    third_quarter = life.invoice_for(household.account, date(2025, 7, 1))
    assert third_quarter.due_date == date(2025, 7, 1)
    # May: 514.29 - 403.62 = 110.67
    assert life.month_total(third_quarter, date(2025, 5, 1)) == 11_067
    # June: 611.94 - 403.62 = 208.32
    assert life.month_total(third_quarter, date(2025, 6, 1)) == 20_832
    # July to September at Gold: 3 x 611.94 = 1,835.82
    assert third_quarter.current_charges_cents == 183_582
    # 1,835.82 + 110.67 + 208.32 = 2,154.81
    assert third_quarter.current_charges_cents + third_quarter.adjustments_cents == 215_481


def test_change_on_first_day_cancels_old(life):
    life.story.catalog = plans_catalog({"SILVER-VA": {2026: "400.00"}, "GOLD-VA": {2026: "480.00"}})
    household = life.single(effective=date(2026, 3, 1), birth=BIRTH, plan_id="SILVER-VA")
    result = life.change_plan(household.policy, "GOLD-VA", effective=date(2026, 3, 1), on=date(2026, 2, 20))

    assert household.policy.status == PolicyStatus.CANCELLED
    assert life.policy(result.new_policy_number).effective_date == date(2026, 3, 1)


def test_change_keeps_renewal_in_step(life):
    life.story.catalog = plans_catalog({"SILVER-VA": {2026: "400.00", 2027: "420.00"}, "GOLD-VA": {2026: "480.00", 2027: "500.00"}})
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH, plan_id="SILVER-VA")
    life.renew(date(2026, 10, 15))
    old_renewal = life.renewal_of(household.policy)

    result = life.change_plan(household.policy, "GOLD-VA", effective=date(2026, 11, 1), on=date(2026, 10, 20))

    assert old_renewal.status == PolicyStatus.CANCELLED
    assert life.offers(household.policy)[0].status == OfferStatus.SUPERSEDED
    gold = life.policy(result.new_policy_number)
    assert gold.end_date == date(2026, 12, 31)
    renewal = life.policy(result.renewal_policy_number)
    assert renewal.plan_id == "GOLD-VA"
    assert renewal.effective_date == date(2027, 1, 1)
    assert renewal.renewed_from_policy_id == gold.id


def test_change_on_renewal_date_picks_renewal_plan(life):
    life.story.catalog = plans_catalog({"SILVER-VA": {2026: "400.00", 2027: "420.00"}, "GOLD-VA": {2026: "480.00", 2027: "500.00"}})
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH, plan_id="SILVER-VA")
    life.renew(date(2026, 10, 15))

    result = life.change_plan(household.policy, "GOLD-VA", effective=date(2027, 1, 1), on=date(2026, 11, 10))

    assert household.policy.status == PolicyStatus.ACTIVE
    assert household.policy.plan_id == "SILVER-VA"
    assert life.policy(result.new_policy_number).plan_id == "GOLD-VA"
    assert [offer.status for offer in life.offers(household.policy)] == [OfferStatus.SUPERSEDED, OfferStatus.OFFERED]


def test_exchange_member_change_rejected(life):
    life.story.catalog = story_catalog({2026: "400.00"}, exchange=True)
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH, plan_id="12345VA0010001", on_exchange=True)
    person = _person(life, birth=date(2020, 1, 1))
    with pytest.raises(PermissionDeniedError) as caught:
        changes.add_member(
            life.ctx, household.policy.policy_number, person_id=person.id, relationship=Relationship.CHILD, effective=date(2026, 5, 1), requested_on=date(2026, 4, 20)
        )
    assert caught.value.code == "lifecycle.exchange_change"

    added = changes.add_member(
        life.ctx,
        household.policy.policy_number,
        person_id=person.id,
        relationship=Relationship.CHILD,
        effective=date(2026, 5, 1),
        requested_on=date(2026, 4, 20),
        source=RequestSource.EXCHANGE,
    )
    assert added.dates.allowed == date(2026, 5, 1)


def test_grace_policy_plan_change_rejected(life):
    life.story.catalog = plans_catalog({"SILVER-VA": {2026: "400.00"}, "GOLD-VA": {2026: "480.00"}})
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH, plan_id="SILVER-VA")
    household.policy.status = PolicyStatus.GRACE.value
    with pytest.raises(ConflictError) as caught:
        life.change_plan(household.policy, "GOLD-VA", effective=date(2026, 6, 1), on=date(2026, 5, 20))
    assert caught.value.code == "lifecycle.status_not_allowed"


def test_dependent_added_and_billed(life):
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH)
    life.story.bill(date(2026, 3, 15))
    child = _person(life, birth=date(2019, 6, 1))

    result = changes.add_member(
        life.ctx, household.policy.policy_number, person_id=child.id, relationship=Relationship.CHILD, effective=date(2026, 4, 10), requested_on=date(2026, 4, 2)
    )
    life.story.bill(date(2026, 4, 15))

    assert result.member_id == child.member_id
    may = life.invoice_for(household.account, date(2026, 5, 1))
    # Age 6, factor 0.765: 400.00 x 0.765 = 306.00; April 10-30 is 21 days: 306.00 x 21 / 30 = 214.20
    assert life.month_total(may, date(2026, 4, 1), adjustment=True) == 21_420
    # May: 488.80 + 306.00 = 794.80
    assert may.current_charges_cents == 79_480
    assert life.changes_of(household.policy)[0].kind == "member_added"


def test_added_dependent_joins_renewal(life):
    life.story.catalog = story_catalog({2026: "400.00", 2027: "420.00"})
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH)
    life.renew(date(2026, 10, 15))
    renewal = life.renewal_of(household.policy)
    spouse = _person(life, birth=date(1991, 1, 1))

    result = changes.add_member(
        life.ctx, household.policy.policy_number, person_id=spouse.id, relationship=Relationship.SPOUSE, effective=date(2026, 11, 1), requested_on=date(2026, 10, 25)
    )

    assert result.renewal_policies == (renewal.policy_number,)
    spans = enrollment.spans_of(life.ctx, renewal.id, person_id=spouse.id)
    assert [(span.start_date, span.end_date) for span in spans] == [(date(2027, 1, 1), None)]


def test_retro_addition_limit(life):
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH)
    spouse = _person(life, birth=date(1991, 1, 1))
    with pytest.raises(ValidationError) as caught:
        changes.add_member(
            life.ctx, household.policy.policy_number, person_id=spouse.id, relationship=Relationship.SPOUSE, effective=date(2026, 2, 1), requested_on=date(2026, 5, 1)
        )
    # 2026-05-01 - 60 days = 2026-03-02
    assert "2026-03-02" in caught.value.message
    assert caught.value.code == "lifecycle.start_too_far_back"


def test_newborn_added_from_birth(life):
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH)
    life.story.at(date(2026, 5, 1))
    baby = _person(life, birth=date(2026, 1, 20))
    result = changes.add_member(
        life.ctx, household.policy.policy_number, person_id=baby.id, relationship=Relationship.CHILD, effective=date(2026, 1, 20), requested_on=date(2026, 5, 1)
    )
    assert result.dates.allowed == date(2026, 1, 20)


def test_dependent_removed_with_renewal(life):
    life.story.catalog = story_catalog({2026: "400.00", 2027: "420.00"})
    household = life.couple(effective=date(2026, 1, 1), birth_a=BIRTH, birth_b=date(1992, 9, 3))
    life.renew(date(2026, 10, 15))
    renewal = life.renewal_of(household.policy)
    spouse = [span for span in enrollment.spans_of(life.ctx, household.policy.id) if span.relationship == "spouse"][0]

    result = changes.remove_member(
        life.ctx, household.policy.policy_number, person_id=spouse.person_id, last_day=date(2026, 11, 30), requested_on=date(2026, 11, 10)
    )

    assert result.dates.allowed == date(2026, 11, 30)
    assert spouse.end_date == date(2026, 11, 30)
    assert enrollment.spans_of(life.ctx, renewal.id, person_id=spouse.person_id) == []
    assert result.renewal_policies == (renewal.policy_number,)


def test_removal_moved_to_retro_limit(life):
    household = life.couple(effective=date(2026, 1, 1), birth_a=BIRTH, birth_b=date(1992, 9, 3))
    spouse = [span for span in enrollment.spans_of(life.ctx, household.policy.id) if span.relationship == "spouse"][0]
    result = changes.remove_member(
        life.ctx, household.policy.policy_number, person_id=spouse.person_id, last_day=date(2026, 2, 28), requested_on=date(2026, 5, 10)
    )
    # 2026-05-10 - 30 days = 2026-04-10
    assert result.dates.allowed == date(2026, 4, 10)
    assert "30 days" in result.dates.moved_by
    assert spouse.end_date == date(2026, 4, 10)


def test_repeated_removal_changes_nothing(life):
    household = life.couple(effective=date(2026, 1, 1), birth_a=BIRTH, birth_b=date(1992, 9, 3))
    spouse = [span for span in enrollment.spans_of(life.ctx, household.policy.id) if span.relationship == "spouse"][0]

    def remove():
        return changes.remove_member(
            life.ctx, household.policy.policy_number, person_id=spouse.person_id, last_day=date(2026, 2, 28), requested_on=date(2026, 5, 10)
        )

    first = remove()
    second = remove()

    # The date was moved up to 2026-04-10, so the request still matches coverage: it is the same removal.
    assert second.change_id == first.change_id
    assert second.dates.allowed == date(2026, 4, 10)
    assert [change.kind for change in life.changes_of(household.policy)] == ["member_removed"]


def test_subscriber_removal_rejected(life):
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH)
    with pytest.raises(ValidationError) as caught:
        changes.remove_member(
            life.ctx, household.policy.policy_number, person_id=household.account.person_id, last_day=date(2026, 6, 30), requested_on=date(2026, 6, 1)
        )
    assert caught.value.code == "lifecycle.subscriber_removed"


def test_change_of_renewal_keeps_link(life):
    life.story.catalog = plans_catalog({"SILVER-VA": {2026: "400.00", 2027: "420.00"}, "GOLD-VA": {2027: "500.00"}})
    household = life.single(effective=date(2026, 1, 1), birth=BIRTH, plan_id="SILVER-VA")
    life.renew(date(2026, 10, 15))
    renewal = life.renewal_of(household.policy)

    result = life.change_plan(renewal, "GOLD-VA", effective=date(2027, 3, 1), on=date(2027, 2, 20))

    replacement = life.policy(result.new_policy_number)
    # A termination of the 2026 policy for non-payment reaches the 2027 replacement too.
    assert replacement.renewed_from_policy_id == household.policy.id
    assert renewal.end_date == date(2027, 2, 28)
