"""Reading delinquency rules from YAML, with errors that name the section, rule and field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from premia.delinquency.config import RuleKey, default_config
from premia.delinquency.config_file import config_from_mapping, load_config
from premia.delinquency.model import GraceKind, ReceivedDateRule, ThresholdType
from premia.kernel.errors import ValidationError

VA = RuleKey(market="individual", state="VA", plan_id="OFFVA-SILVER")

CARRIER_YAML = """
received_date: next_banking_day
grace_rules:
  - name: individual 30 days
    kind: days
    days: 30
    scope: {markets: [individual]}
  - name: VA 31 days
    kind: days
    days: 31
    scope: {markets: [individual], states: [VA], starts: 2026-01-01}
threshold_rules:
  - {name: 95% of net, type: net_pct, percent: "95"}
reinstatement_rules:
  - {name: 30 days, window_days: 30}
"""


def test_loads_carrier_file(tmp_path):
    path = tmp_path / "delinquency.yaml"
    path.write_text(CARRIER_YAML, encoding="utf-8")
    config = load_config(path)
    rule = config.grace_rule(VA, date(2026, 3, 2))
    assert (rule.name, rule.kind, rule.days) == ("VA 31 days", GraceKind.DAYS, 31)
    assert config.grace_rule(VA, date(2025, 12, 31)).name == "individual 30 days"
    threshold = config.threshold_rule(VA, date(2026, 3, 2))
    assert (threshold.type, threshold.percent) == (ThresholdType.NET_PCT, Decimal("95"))
    assert config.reinstatement_rule(VA, date(2026, 3, 2)).window_days == 30
    assert config.received_date is ReceivedDateRule.NEXT_BANKING_DAY


def test_missing_sections_keep_defaults():
    config = config_from_mapping({"reinstatement_rules": [{"name": "none", "window_days": 0}]})
    assert config.grace_rules == default_config().grace_rules
    assert config.notice_rules == default_config().notice_rules


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"grace_rules": [{"name": "x", "kind": "weeks"}]}, "grace_rules[0].kind"),
        ({"grace_rules": [{"name": "x", "kind": "days", "dayz": 3}]}, "grace_rules[0].dayz"),
        ({"grace_rules": [{"name": "x", "kind": "days", "days": 0}]}, "grace_rules[0].days"),
        ({"grace_rules": [{"kind": "days"}]}, "grace_rules[0].name"),
        ({"threshold_rules": [{"name": "x", "type": "net_pct", "percent": 95.0}]}, "threshold_rules[0].percent"),
        ({"grace_rules": [{"name": "x", "kind": "days", "scope": {"starts": "March"}}]}, "grace_rules[0].scope.starts"),
        ({"grace_rules": []}, "grace_rules"),
        ({"grace_rule": []}, "grace_rule"),
        ({"cancel_renewal_on_termination": "yes"}, "cancel_renewal_on_termination"),
    ],
)
def test_errors_name_the_field(data, field):
    with pytest.raises(ValidationError) as raised:
        config_from_mapping(data)
    assert raised.value.code == "delinquency.invalid_config"
    assert raised.value.field == field


def test_invalid_yaml_reported(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("grace_rules: [\n", encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        load_config(path)
    assert raised.value.code == "delinquency.config_invalid_yaml"


def test_missing_file_reported(tmp_path):
    with pytest.raises(ValidationError) as raised:
        load_config(tmp_path / "absent.yaml")
    assert raised.value.code == "delinquency.config_unreadable"
