"""Read a carrier's delinquency configuration from YAML.

Each section (``grace_rules``, ``threshold_rules``, ``notice_rules``, ``binder_rules``,
``reinstatement_rules``) is a list of rules with the fields of the rule classes in
:mod:`premia.delinquency.config` and an optional ``scope``. A section left out keeps the
defaults. Every error names the section, the rule's position and the field, for example
``grace_rules[1].days``; percentages are written as strings or integers, never floats::

    grace_rules:
      - name: VA 31 days
        kind: days
        days: 31
        scope: {markets: [individual], states: [VA], starts: 2026-01-01}
    threshold_rules:
      - {name: 95% of net, type: net_pct, percent: "95"}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from premia.delinquency.config import (
    BinderRule,
    DelinquencyConfig,
    GraceRule,
    NoticeRule,
    ReinstatementRule,
    RuleScope,
    ThresholdRule,
    default_config,
)
from premia.delinquency.model import ClaimsAction, GraceKind, ReceivedDateRule, TerminationBasis, ThresholdType
from premia.infra.settings import Settings
from premia.kernel.errors import DomainError, ValidationError

Converter = Callable[[Any, str], Any]

SECTIONS: dict[str, type] = {
    "grace_rules": GraceRule,
    "threshold_rules": ThresholdRule,
    "notice_rules": NoticeRule,
    "binder_rules": BinderRule,
    "reinstatement_rules": ReinstatementRule,
}


def configured_delinquency(settings: Settings) -> DelinquencyConfig:
    """Return the rules of ``PREMIA_DELINQUENCY_CONFIG_FILE``, or the defaults without one.

    Every run given no configuration of its own uses these, such as the nightly command
    without ``--config`` and a reinstatement after payment. The file is read once per
    process, so an edit takes effect when the API or command starts again.
    """
    if settings.delinquency_config_file is None:
        return default_config()
    return _cached_config(settings.delinquency_config_file)


@lru_cache(maxsize=8)
def _cached_config(path: str) -> DelinquencyConfig:
    return load_config(Path(path))


def load_config(path: Path) -> DelinquencyConfig:
    """Read ``path`` and return the configuration it describes."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValidationError(
            code="delinquency.config_unreadable",
            message=f"Cannot read the delinquency configuration {path}: {exc.strerror}.",
            field="config",
            value=str(path),
            hint="Check the path and the file's permissions.",
        ) from exc
    except yaml.YAMLError as exc:
        raise ValidationError(
            code="delinquency.config_invalid_yaml",
            message=f"The delinquency configuration {path} is not valid YAML: {exc}.",
            field="config",
            value=str(path),
            hint="Fix the YAML syntax at the position shown.",
        ) from exc
    return config_from_mapping(data or {})


def config_from_mapping(data: Any) -> DelinquencyConfig:
    """Build a configuration from parsed YAML or JSON; sections left out keep the defaults."""
    if not isinstance(data, Mapping):
        raise _invalid("config", data, "The configuration must be a mapping of sections.")
    known = {*SECTIONS, "received_date", "cancel_renewal_on_termination"}
    for key in data:
        if key not in known:
            raise _invalid(str(key), key, f"Unknown section; use one of: {', '.join(sorted(known))}.")

    config = default_config()
    changes: dict[str, Any] = {}
    for section, rule_class in SECTIONS.items():
        if section in data:
            changes[section] = _rules(data[section], rule_class, section)
    if "received_date" in data:
        changes["received_date"] = _enum(ReceivedDateRule)(data["received_date"], "received_date")
    if "cancel_renewal_on_termination" in data:
        changes["cancel_renewal_on_termination"] = _boolean(data["cancel_renewal_on_termination"], "cancel_renewal_on_termination")
    return dataclasses.replace(config, **changes)


def _rules(items: Any, rule_class: type, section: str) -> tuple[Any, ...]:
    if not isinstance(items, list) or not items:
        raise _invalid(section, items, "Give a list with at least one rule.")
    return tuple(_rule(item, rule_class, f"{section}[{index}]") for index, item in enumerate(items))


def _rule(item: Any, rule_class: type, where: str) -> Any:
    if not isinstance(item, Mapping):
        raise _invalid(where, item, "Each rule is a mapping of its fields.")
    converters = _converters(rule_class)
    values: dict[str, Any] = {}
    for key, value in item.items():
        converter = converters.get(str(key))
        if converter is None:
            raise _invalid(f"{where}.{key}", key, f"Unknown field; use one of: {', '.join(sorted(converters))}.")
        values[str(key)] = converter(value, f"{where}.{key}")
    if "name" not in values:
        raise _invalid(f"{where}.name", None, "Every rule needs a name.")
    try:
        return rule_class(**values)
    except DomainError as exc:
        raise _invalid(f"{where}.{exc.field or 'rule'}", exc.value, exc.message) from exc
    except TypeError as exc:
        raise _invalid(where, None, f"A required field is missing: {exc}.") from exc


def _converters(rule_class: type) -> dict[str, Converter]:
    common: dict[str, Converter] = {"name": _text, "scope": _scope}
    specific: dict[type, dict[str, Converter]] = {
        GraceRule: {
            "kind": _enum(GraceKind),
            "months": _whole,
            "days": _whole,
            "termination_basis": _enum(TerminationBasis),
            "claims_in_grace": _enum(ClaimsAction),
            "pend_from_month": _whole,
        },
        ThresholdRule: {"type": _enum(ThresholdType), "percent": _decimal},
        NoticeRule: {
            "delinquency_days_after_due": _whole,
            "second_notice_month": _whole,
            "final_notice_month": _whole,
            "final_notice_days_before_end": _optional(_whole),
        },
        BinderRule: {"days_after_effective": _optional(_whole), "day_of_month": _optional(_whole), "days_after_receipt": _optional(_whole)},
        ReinstatementRule: {"window_days": _whole},
    }
    return {**common, **specific[rule_class]}


def _scope(value: Any, where: str) -> RuleScope:
    if not isinstance(value, Mapping):
        raise _invalid(where, value, "A scope is a mapping with markets, states, product, aptc, starts and ends.")
    converters: dict[str, Converter] = {
        "starts": _date,
        "ends": _optional(_date),
        "markets": _text_set,
        "states": _text_set,
        "product": _text,
        "aptc": _optional(_boolean),
    }
    values: dict[str, Any] = {}
    for key, item in value.items():
        converter = converters.get(str(key))
        if converter is None:
            raise _invalid(f"{where}.{key}", key, f"Unknown scope key; use one of: {', '.join(sorted(converters))}.")
        values[str(key)] = converter(item, f"{where}.{key}")
    return RuleScope(**values)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _invalid(where, value, "Give a non-empty text.")
    return value.strip()


def _text_set(value: Any, where: str) -> frozenset[str]:
    if not isinstance(value, list):
        raise _invalid(where, value, "Give a list, for example [individual] or [VA, MD].")
    return frozenset(_text(item, where) for item in value)


def _whole(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _invalid(where, value, "Give a whole number of 0 or more.")
    return value


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, float) or isinstance(value, bool):
        raise _invalid(where, value, 'Write the percentage as a string or an integer, for example "95" or "97.5".')
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise _invalid(where, value, "Give a number, for example 95.") from exc


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _invalid(where, value, "Write the date as YYYY-MM-DD.")


def _boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise _invalid(where, value, "Give true or false.")
    return value


def _enum(kind: type[StrEnum]) -> Converter:
    def convert(value: Any, where: str) -> StrEnum:
        try:
            return kind(value)
        except ValueError as exc:
            raise _invalid(where, value, f"Use one of: {', '.join(member.value for member in kind)}.") from exc

    return convert


def _optional(converter: Converter) -> Converter:
    def convert(value: Any, where: str) -> Any:
        return None if value is None else converter(value, where)

    return convert


def _invalid(where: str, value: Any, hint: str) -> ValidationError:
    return ValidationError(
        code="delinquency.invalid_config",
        message=f"Delinquency configuration field {where} has an invalid value {value!r}.",
        field=where,
        value=value,
        hint=hint,
    )
