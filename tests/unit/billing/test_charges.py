"""Expected charges from coverage: proration, APTC, rating dates, and the rating cache."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from premia.billing.charges import expected_charges, rating_date_for
from premia.billing.coverage import ExchangeAmountSpan
from premia.billing.model import ChargeKey, LineKind
from premia.billing.rating_cache import RatingCache
from premia.kernel.dates import Month
from premia.kernel.errors import DomainError
from tests.unit.billing.conftest import GROUP_PLAN, billing_catalog, coverage, member

MARCH = Month(2026, 3)


def test_partial_month_prorated_by_actual_days():
    catalog = billing_catalog(individual_rate="600.00")
    # Born 2004-06-01: age 21 on 2026-03-18, factor 1.000, so the monthly premium is 600.00.
    policy = coverage(
        1,
        (member(10, date(2004, 6, 1), date(2026, 3, 18)),),
        effective=date(2026, 3, 18),
        exchange_amounts=(ExchangeAmountSpan("aptc", None, 45_000, date(2026, 3, 18), None),),
    )
    charges = expected_charges(catalog, [policy], [MARCH])
    # 600.00 x 14 / 31 = 270.967... -> 270.97
    assert charges[ChargeKey(MARCH, 1, 10, LineKind.PREMIUM)].amount_cents == 27_097
    # 450.00 x 14 / 31 = 203.225... -> 203.23, negative because the exchange pays it
    assert charges[ChargeKey(MARCH, 1, 10, LineKind.APTC)].amount_cents == -20_323
    assert charges[ChargeKey(MARCH, 1, 10, LineKind.PREMIUM)].days_covered == 14


def test_two_spans_in_one_month_charge_covered_days():
    catalog = billing_catalog()
    # Age 35 on 2026-01-01, factor 1.222: 400.00 x 1.222 = 488.80 a month.
    first = member(10, date(1990, 4, 12), date(2026, 1, 1), end=date(2026, 3, 10))
    again = replace(first, start_date=date(2026, 3, 21), end_date=None)
    charges = expected_charges(catalog, [coverage(1, (first, again), effective=date(2026, 1, 1))], [MARCH])
    premium = charges[ChargeKey(MARCH, 1, 10, LineKind.PREMIUM)]
    # 10 + 11 = 21 days: 488.80 x 21 / 31 = 331.122... -> 331.12
    assert premium.amount_cents == 33_112
    assert premium.days_covered == 21


def test_adjacent_spans_charge_full_month():
    catalog = billing_catalog()
    first = member(10, date(1990, 4, 12), date(2026, 1, 1), end=date(2026, 3, 10))
    again = replace(first, start_date=date(2026, 3, 11), end_date=None)
    charges = expected_charges(catalog, [coverage(1, (first, again), effective=date(2026, 1, 1))], [MARCH])
    assert charges[ChargeKey(MARCH, 1, 10, LineKind.PREMIUM)].amount_cents == 48_880


def test_cancelled_policy_owes_nothing():
    catalog = billing_catalog()
    policy = coverage(1, (member(10, date(1990, 4, 12), date(2026, 1, 1)),), effective=date(2026, 1, 1), status="cancelled")
    assert expected_charges(catalog, [policy], [MARCH]) == {}


def test_no_charge_after_policy_end():
    catalog = billing_catalog()
    policy = coverage(1, (member(10, date(1990, 4, 12), date(2026, 1, 1)),), effective=date(2026, 1, 1), end=date(2026, 2, 28))
    assert expected_charges(catalog, [policy], [MARCH]) == {}


def test_group_rated_on_plan_year_start():
    policy = coverage(
        1,
        (member(10, date(1988, 3, 14), date(2026, 3, 1)),),
        effective=date(2026, 3, 1),
        plan_id=GROUP_PLAN,
        market="small_group",
        group_anniversary_month=9,
    )
    # A new hire in March 2026 joins the plan year that started 2025-09-01.
    assert rating_date_for(policy, MARCH) == date(2025, 9, 1)
    assert rating_date_for(policy, Month(2026, 9)) == date(2026, 9, 1)


def test_individual_rated_on_renewal():
    policy = coverage(1, (), effective=date(2027, 12, 1))
    assert rating_date_for(policy, Month(2027, 12)) == date(2027, 12, 1)
    assert rating_date_for(policy, Month(2028, 1)) == date(2028, 1, 1)


adult_dependents = st.tuples(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2005, 12, 31)),
    st.sampled_from(["spouse", "domestic_partner"]),
    st.booleans(),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 31)),
)
# Children born around the child-cap age limit (21) and younger, so the cap is often in play.
children = st.tuples(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2026, 3, 31)),
    st.sampled_from(["child", "child", "other"]),
    st.booleans(),
    st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 31)),
)
households = st.lists(st.one_of(adult_dependents, children, children), min_size=0, max_size=6)


def _charges_or_error(catalog, policies, months, cache):
    try:
        charges = expected_charges(catalog, policies, months, cache=cache)
    except DomainError as exc:
        return ("error", exc.code)
    return ({key: charge.amount_cents for key, charge in charges.items()}, {key: charge.description for key, charge in charges.items()})


@settings(max_examples=300, deadline=None)
@given(
    subscriber_birth=st.dates(min_value=date(1950, 1, 1), max_value=date(2005, 12, 31)),
    dependents=households,
    aptc=st.sampled_from([0, 0, 10_000, 45_000, 250_000]),
    group=st.booleans(),
    second_subscriber=st.integers(0, 20),
    repeats=st.integers(1, 3),
)
def test_cache_matches_engine(subscriber_birth, dependents, aptc, group, second_subscriber, repeats):
    catalog = billing_catalog()
    members = [member(1, subscriber_birth, date(2026, 1, 1))]
    for index, (birth, relationship, tobacco, start) in enumerate(dependents, start=2):
        # Now and then a second subscriber, which the engine rejects on both paths.
        relationship = "subscriber" if index == second_subscriber else relationship
        members.append(member(index, min(birth, start), start, relationship=relationship, tobacco=tobacco))
    amounts = (ExchangeAmountSpan("aptc", None, aptc, date(2026, 1, 1), None),) if aptc else ()
    plan = {"plan_id": GROUP_PLAN, "market": "small_group", "group_anniversary_month": 1} if group else {}
    policies = [
        coverage(policy_id, tuple(members), effective=date(2026, 1, 1), exchange_amounts=amounts, **plan)
        for policy_id in range(1, repeats + 1)
    ]
    months = [Month(2026, 1), Month(2026, 2), MARCH]

    cached = _charges_or_error(catalog, policies, months, RatingCache(catalog))
    direct = _charges_or_error(catalog, policies, months, None)

    assert cached == direct
