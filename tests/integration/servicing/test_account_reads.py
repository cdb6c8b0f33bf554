"""Servicing reads behind the account page and the search box: disputes, open cases, account search."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from premia.audit.tables import AuditEntry
from premia.kernel.errors import ValidationError
from premia.servicing.account_search import SearchKind, search_accounts
from premia.servicing.case_queries import open_case_count
from premia.servicing.dispute_queries import account_disputes
from premia.servicing import cases
from premia.servicing.model import CaseInput, CaseType, ResolutionCode
from tests.integration.servicing.conftest import Desk, utc


def _search_rows(ctx, account_number: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == "search", AuditEntry.record_id == account_number)
    return list(ctx.session.scalars(query))


def test_search_by_phone_audited(ctx, member):
    hits = search_accounts(ctx, text="(804) 555-0142")

    assert [(hit.account_number, hit.matched_on) for hit in hits] == [(member.account_number, SearchKind.PHONE)]
    assert hits[0].found_name == "Maria Lopez"
    assert hits[0].found_member_id == "MBR-3001"
    [row] = _search_rows(ctx, member.account_number)
    assert row.detail == {"matched_on": "phone"}
    assert row.fields == ["holder_name", "member_id"]


@pytest.mark.parametrize(
    ("text", "birth_date"),
    [
        ("maria.lopez@example.org", None),
        ("MBR-3001", None),
        ("Lopez", date(1980, 3, 15)),
        ("Maria Lopez", None),
        ("", date(1980, 3, 15)),
    ],
)
def test_search_finds_member(ctx, member, text, birth_date):
    hits = search_accounts(ctx, text=text, birth_date=birth_date)

    assert [hit.account_number for hit in hits] == [member.account_number]


def test_search_by_account_number(ctx, member):
    hits = search_accounts(ctx, text=member.account_number.lower())

    assert [hit.matched_on for hit in hits] == [SearchKind.ACCOUNT]
    assert hits[0].holder_name == "Maria Lopez"


def test_search_miss_writes_no_audit(ctx, member):
    assert search_accounts(ctx, text="Nobody") == []
    assert _search_rows(ctx, member.account_number) == []


def test_search_empty_rejected(ctx):
    with pytest.raises(ValidationError) as caught:
        search_accounts(ctx, text="  ")

    assert caught.value.code == "search.empty"


def test_account_without_disputes_or_cases(ctx, member):
    assert account_disputes(ctx, member.id) == []
    assert open_case_count(ctx, member.id) == 0


def test_open_case_count_skips_resolved(desk: Desk, member):
    at = utc(2026, 3, 2, 15, 0)
    for subject in ("Why is March higher?", "Card declined"):
        data = CaseInput(case_type=CaseType.INQUIRY, subject=subject, account_number=member.account_number)
        case = cases.open_case(desk.as_user("casey", at), data, config=desk.config)
    cases.resolve_case(desk.as_user("casey", at), case.case_number, resolution="Explained", code=ResolutionCode.ANSWERED, config=desk.config)

    assert open_case_count(desk.as_user("casey", at), member.id) == 1
