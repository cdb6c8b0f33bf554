"""The options of the console's select controls, as (stored value, words shown) pairs (pure)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from premia.accounts.model import AuthorizationMethod, BankAccountType, Delivery, Language, PaymentMethod
from premia.interfaces.console.formatting import label
from premia.payments.model import RefundMethod
from premia.rating.catalog import Catalog
from premia.servicing.model import (
    CasePriority,
    CaseType,
    ContactChannel,
    ContactDirection,
    ContactSubject,
    DisputeOutcome,
    PartyKind,
    ResolutionCode,
    VerificationMethod,
)


def options(kind: type[StrEnum], *, words: dict[str, str] | None = None) -> list[tuple[str, str]]:
    words = words or {}
    return [(member.value, words.get(member.value, label(member.value))) for member in kind]


MANUAL_METHODS = [("check", "Check"), ("transfer", "Bank transfer"), ("money_order", "Money order")]
PAYMENT_METHODS = options(PaymentMethod)
DELIVERIES = options(Delivery)
LANGUAGES = options(Language, words={"en": "English", "es": "Spanish"})
BANK_ACCOUNT_TYPES = options(BankAccountType)
AUTHORIZATION_METHODS = options(
    AuthorizationMethod,
    words={"paper": "Signed paper form (PPD)", "online": "Online (WEB)", "telephone": "Recorded telephone call (TEL)"},
)
REFUND_METHODS = options(RefundMethod, words={"ach": "ACH to the bank account on file", "check": "Check"})
CONTACT_CHANNELS = options(ContactChannel)
CONTACT_DIRECTIONS = options(ContactDirection)
CONTACT_SUBJECTS = options(ContactSubject)
PARTY_KINDS = options(PartyKind)
VERIFICATION_METHODS = options(
    VerificationMethod,
    words={"identifiers": "Caller stated identifiers", "portal_session": "Logged in to the member portal", "photo_id": "Photo ID seen in person"},
)
CASE_TYPES = options(CaseType)
CASE_PRIORITIES = options(CasePriority)
RESOLUTION_CODES = options(ResolutionCode)
DISPUTE_OUTCOMES = options(DisputeOutcome, words={"adjustment_credit": "Credit the disputed amount", "refund": "Credit and refund what was paid", "denial": "Deny: collect the amount again"})


def plan_choices(catalog: Catalog, on: date) -> list[tuple[str, str]]:
    """Plans sold in the plan year of ``on`` or the next one, as (plan id, "plan id: name") pairs."""
    years = {on.year, on.year + 1}
    seen: dict[str, str] = {}
    for plan in sorted(catalog.plans, key=lambda item: (item.plan_id, item.plan_year)):
        if plan.plan_year in years:
            seen.setdefault(plan.plan_id, f"{plan.plan_id}: {plan.name}")
    return list(seen.items())
