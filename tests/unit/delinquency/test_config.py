"""Choosing rules by market, state, product, APTC status and effective date."""

from __future__ import annotations

from datetime import date

import pytest

from premia.delinquency.config import DelinquencyConfig, GraceRule, RuleKey, RuleScope, default_config
from premia.delinquency.model import GraceKind, TerminationBasis
from premia.kernel.errors import ValidationError

INDIVIDUAL_VA = RuleKey(market="individual", state="VA", plan_id="OFFVA-SILVER")
INDIVIDUAL_AZ = RuleKey(market="individual", state="AZ", plan_id="OFFAZ-GOLD")
APTC_VA = RuleKey(market="individual", state="VA", plan_id="12345VA0010001", aptc=True)
GROUP_VA = RuleKey(market="small_group", state="VA", plan_id="OFFVA-SILVER")

CONFIG = DelinquencyConfig(
    grace_rules=(
        GraceRule(name="default 30 days", kind=GraceKind.DAYS, days=30),
        GraceRule(name="VA 31 days", kind=GraceKind.DAYS, days=31, scope=RuleScope(states=frozenset({"VA"}))),
        GraceRule(
            name="VA product 40 days from 2027",
            kind=GraceKind.DAYS,
            days=40,
            scope=RuleScope(states=frozenset({"VA"}), product="OFFVA", starts=date(2027, 1, 1)),
        ),
        GraceRule(name="APTC", kind=GraceKind.APTC_MONTHS, scope=RuleScope(markets=frozenset({"individual"}), aptc=True)),
    ),
)


def test_state_rule_beats_default():
    assert CONFIG.grace_rule(INDIVIDUAL_VA, date(2026, 3, 2)).name == "VA 31 days"


def test_default_for_other_states():
    assert CONFIG.grace_rule(INDIVIDUAL_AZ, date(2026, 3, 2)).name == "default 30 days"


def test_product_rule_from_its_start_date():
    assert CONFIG.grace_rule(INDIVIDUAL_VA, date(2026, 12, 31)).name == "VA 31 days"
    assert CONFIG.grace_rule(INDIVIDUAL_VA, date(2027, 1, 1)).name == "VA product 40 days from 2027"


def test_product_is_plan_id_prefix():
    assert CONFIG.grace_rule(INDIVIDUAL_AZ, date(2027, 6, 1)).name == "default 30 days"


def test_aptc_status_selects_three_months():
    assert CONFIG.grace_rule(APTC_VA, date(2026, 3, 2)).kind is GraceKind.APTC_MONTHS


def test_later_rule_of_same_scope_wins():
    config = DelinquencyConfig(
        grace_rules=(
            GraceRule(name="old", kind=GraceKind.DAYS, days=31),
            GraceRule(name="new", kind=GraceKind.DAYS, days=30, scope=RuleScope(starts=date(2026, 7, 1))),
        )
    )
    assert config.grace_rule(INDIVIDUAL_VA, date(2026, 6, 30)).name == "old"
    assert config.grace_rule(INDIVIDUAL_VA, date(2026, 7, 1)).name == "new"


def test_rule_ends_on_its_end_date():
    config = DelinquencyConfig(
        grace_rules=(GraceRule(name="2026 only", kind=GraceKind.DAYS, scope=RuleScope(starts=date(2026, 1, 1), ends=date(2026, 12, 31))),)
    )
    assert config.grace_rule(INDIVIDUAL_VA, date(2026, 12, 31)).name == "2026 only"
    with pytest.raises(ValidationError) as raised:
        config.grace_rule(INDIVIDUAL_VA, date(2027, 1, 1))
    assert raised.value.code == "delinquency.no_rule"
    assert raised.value.field == "grace_rules"


def test_defaults_by_market():
    config = default_config()
    aptc = config.grace_rule(APTC_VA, date(2026, 2, 2))
    assert (aptc.kind, aptc.months, aptc.termination_basis) == (GraceKind.APTC_MONTHS, 3, TerminationBasis.FIRST_GRACE_MONTH)
    individual = config.grace_rule(INDIVIDUAL_VA, date(2026, 2, 2))
    assert (individual.kind, individual.days, individual.termination_basis) == (GraceKind.DAYS, 31, TerminationBasis.PAID_THROUGH)
    group = config.grace_rule(GROUP_VA, date(2026, 2, 2))
    assert (group.kind, group.days) == (GraceKind.DAYS, 31)


def test_default_reinstatement_groups_only():
    config = default_config()
    assert config.reinstatement_rule(GROUP_VA, date(2026, 3, 6)).window_days == 30
    assert config.reinstatement_rule(INDIVIDUAL_VA, date(2026, 3, 6)).window_days == 0


@pytest.mark.parametrize(("field", "values"), [("days", {"kind": GraceKind.DAYS, "days": 0}), ("months", {"kind": GraceKind.APTC_MONTHS, "months": 0})])
def test_invalid_grace_length_rejected(field, values):
    with pytest.raises(ValidationError) as raised:
        GraceRule(name="bad", **values)
    assert raised.value.field == field
