"""Comparing a caller's identifiers with the record, and what an authority on file allows."""

from __future__ import annotations

from datetime import date

import pytest

from premia.servicing.model import (
    AssuranceLevel,
    AuthorityKind,
    CallerIdentifiers,
    ProtectedAction,
    VerificationResult,
)
from premia.servicing.verification import MemberOnFile, authority_allows, check_identifiers, level_suffices

ON_FILE = MemberOnFile(
    member_id="MBR-3001",
    first_name="Maria",
    last_name="Lopez",
    birth_date=date(1980, 3, 15),
    zip_codes=frozenset({"23220"}),
    ssn_last4="6789",
)
BASIC = CallerIdentifiers(
    member_id="mbr-3001", first_name=" maria ", last_name="LOPEZ", birth_date=date(1980, 3, 15)
)


def test_three_identifiers_give_basic() -> None:
    outcome = check_identifiers(BASIC, ON_FILE)

    assert outcome.result is VerificationResult.PASSED
    assert outcome.level is AssuranceLevel.BASIC
    assert outcome.matched == ("member_id", "full_name", "birth_date")


def test_zip_code_gives_enhanced() -> None:
    stated = CallerIdentifiers(**{**vars(BASIC), "zip_code": "23220-1234"})

    assert check_identifiers(stated, ON_FILE).level is AssuranceLevel.ENHANCED


def test_ssn_last4_gives_enhanced() -> None:
    stated = CallerIdentifiers(**{**vars(BASIC), "ssn_last4": "6789"})

    assert check_identifiers(stated, ON_FILE).level is AssuranceLevel.ENHANCED


def test_wrong_answer_fails_despite_matches() -> None:
    stated = CallerIdentifiers(**{**vars(BASIC), "ssn_last4": "1111"})

    outcome = check_identifiers(stated, ON_FILE)

    assert outcome.result is VerificationResult.FAILED
    assert outcome.mismatched == ("ssn_last4",)
    assert outcome.level is None


def test_missing_birth_date_fails() -> None:
    stated = CallerIdentifiers(member_id="MBR-3001", first_name="Maria", last_name="Lopez")

    outcome = check_identifiers(stated, ON_FILE)

    assert outcome.result is VerificationResult.FAILED
    assert outcome.missing == ("birth_date",)


def test_first_name_alone_is_not_full_name() -> None:
    stated = CallerIdentifiers(member_id="MBR-3001", first_name="Maria", birth_date=date(1980, 3, 15))

    assert check_identifiers(stated, ON_FILE).missing == ("full_name",)


@pytest.mark.parametrize(
    ("reached", "required", "expected"),
    [
        (AssuranceLevel.BASIC, AssuranceLevel.BASIC, True),
        (AssuranceLevel.BASIC, AssuranceLevel.ENHANCED, False),
        (AssuranceLevel.ENHANCED, AssuranceLevel.BASIC, True),
        (None, AssuranceLevel.BASIC, False),
    ],
)
def test_level_suffices(reached: AssuranceLevel | None, required: AssuranceLevel, expected: bool) -> None:
    assert level_suffices(reached, required) is expected


def allows(authority: AuthorityKind, action: ProtectedAction, **overrides: object) -> bool:
    arguments: dict[str, object] = {
        "authority": authority,
        "scopes": frozenset({ProtectedAction.DISCUSS_CLAIMS}),
        "party_person_id": None,
        "effective_from": date(2026, 1, 1),
        "effective_to": None,
        "revoked_on": None,
        "action": action,
        "person_id": 7,
        "on": date(2026, 3, 2),
    }
    arguments.update(overrides)
    return authority_allows(**arguments)  # type: ignore[arg-type]


def test_personal_representative_may_do_everything() -> None:
    assert allows(AuthorityKind.PERSONAL_REPRESENTATIVE, ProtectedAction.REQUEST_REFUND)


def test_authorized_person_limited_to_scopes() -> None:
    assert allows(AuthorityKind.AUTHORIZED_PERSON, ProtectedAction.DISCUSS_CLAIMS)
    assert not allows(AuthorityKind.AUTHORIZED_PERSON, ProtectedAction.CHANGE_DEMOGRAPHICS)


def test_payer_may_discuss_billing_only() -> None:
    assert allows(AuthorityKind.INVOLVED_IN_PAYMENT, ProtectedAction.DISCUSS_BILLING)
    assert not allows(AuthorityKind.INVOLVED_IN_PAYMENT, ProtectedAction.VIEW_MEMBER_DATA)


def test_authority_outside_dates_allows_nothing() -> None:
    assert not allows(
        AuthorityKind.PERSONAL_REPRESENTATIVE,
        ProtectedAction.DISCUSS_BILLING,
        effective_from=date(2026, 4, 1),
    )
    assert not allows(
        AuthorityKind.PERSONAL_REPRESENTATIVE, ProtectedAction.DISCUSS_BILLING, revoked_on=date(2026, 3, 2)
    )


def test_authority_for_other_member_allows_nothing() -> None:
    assert not allows(
        AuthorityKind.PERSONAL_REPRESENTATIVE, ProtectedAction.DISCUSS_BILLING, party_person_id=8
    )


def test_payment_changes_need_enhanced() -> None:
    assert ProtectedAction.CHANGE_PAYMENT_METHOD.required_level is AssuranceLevel.ENHANCED
    assert ProtectedAction.CHANGE_DEMOGRAPHICS.required_level is AssuranceLevel.BASIC
