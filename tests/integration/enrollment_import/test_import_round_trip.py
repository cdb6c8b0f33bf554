"""Files written with Premia's 834 writer import cleanly, on the bulk path and member by member."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from premia.accounts.tables import BillingAccount, Person, PersonHistory
from premia.audit.tables import AuditEntry
from premia.enrollment.tables import CoverageEvent, CoverageSpan, ExchangeAmount, Policy
from premia.formats.x12 import RelationshipCode
from premia.importers.enrollment import ImportResult
from premia.infra.context import ServiceContext
from tests.integration.enrollment_import.conftest import person, policies_of, spans_of
from tests.integration.enrollment_import.enrollment_files import (
    JANUARY_FIRST,
    coverage,
    email,
    interchange_text,
    member,
)

pytestmark = pytest.mark.database


def three_families() -> str:
    """Three new families on the Exchange plan: of three, of one, and a parent with a child."""
    return interchange_text(
        [
            member(
                "H-100",
                first_name="ANA",
                ssn="123456789",
                contacts=(email("ana@example.org"),),
                amounts={
                    "premium_cents": 50480,
                    "premium_total_cents": 80480,
                    "aptc_cents": 75000,
                    "responsibility_cents": 5480,
                },
            ),
            member("H-100", first_name="LUIS", birth=date(1984, 2, 2), relationship=RelationshipCode.SPOUSE),
            member(
                "H-100",
                first_name="SOFIA",
                birth=date(2016, 3, 1),
                relationship=RelationshipCode.CHILD,
                amounts={"premium_cents": 30000},
            ),
            member(
                "H-200",
                first_name="BEA",
                last_name="COLE",
                birth=date(2001, 7, 9),
                coverages=(coverage(exchange_policy_id="EX-200"),),
            ),
            member("H-300", first_name="CARL", last_name="MOON"),
            member(
                "H-300",
                first_name="DORA",
                last_name="MOON",
                birth=date(2020, 1, 15),
                relationship=RelationshipCode.ADOPTED_CHILD,
                own_id="H-300-X",
            ),
        ]
    )


@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "per-member"])
def test_families_imported(ctx: ServiceContext, import_text: Callable[..., ImportResult], bulk: bool) -> None:
    report = import_text(three_families(), bulk=bulk).report
    ana = person(ctx, "H-100")
    policies = policies_of(ctx, "H-100")
    account = ctx.session.get(BillingAccount, policies[0].billing_account_id)

    assert report.status == "accepted"
    assert report.counts["members_applied"] == 6
    assert report.counts["persons_created"] == 6
    assert report.counts["policies_created"] == 3
    assert report.counts["accounts_created"] == 3
    assert (ana.first_name, ana.ssn_last4, ana.email, ana.county_code) == (
        "ANA",
        "6789",
        "ana@example.org",
        None,
    )
    assert [
        (policy.plan_id, policy.status, policy.market, policy.rating_area, policy.on_exchange)
        for policy in policies
    ] == [("12345VA0020001", "pending", "individual", "VA-1", True)]
    assert (account.kind, account.person_id, account.account_number) == (
        "individual",
        ana.id,
        f"BA-{account.id:06d}",
    )
    assert policies[0].policy_number == f"P-{policies[0].id:07d}"
    assert [span.relationship for span in spans_of(ctx, "H-100-01")] == ["spouse"]
    assert [span.relationship for span in spans_of(ctx, "H-100-02")] == ["child"]
    assert [span.relationship for span in spans_of(ctx, "H-300-X")] == ["child"]
    assert policies_of(ctx, "H-200")[0].exchange_policy_id == "EX-200"
    assert {span.start_date for span in ctx.session.scalars(select(CoverageSpan))} == {JANUARY_FIRST}


def test_bulk_matches_member_by_member(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    text = three_families()
    snapshots = []
    for bulk in (True, False):
        savepoint = ctx.session.begin_nested()
        import_text(text, bulk=bulk)
        ctx.session.flush()
        snapshots.append(snapshot(ctx))
        savepoint.rollback()

    assert snapshots[0] == snapshots[1]


def snapshot(ctx: ServiceContext) -> dict[str, Any]:
    """What an import stored, by member ID and plan instead of row ids and timestamps."""
    session = ctx.session
    member_ids = dict(session.execute(select(Person.id, Person.member_id)).all())
    plans = dict(session.execute(select(Policy.id, Policy.plan_id)).all())
    person_columns = [
        column.key
        for column in Person.__table__.columns
        if column.key not in ("id", "created_at", "updated_at", "ssn_ciphertext", "version")
    ]
    return {
        "persons": ordered(
            tuple(getattr(row, column) for column in person_columns)
            for row in session.scalars(select(Person))
        ),
        "history": ordered(
            (member_ids[row.person_id], row.field, row.new_value, row.source)
            for row in session.scalars(select(PersonHistory))
        ),
        "policies": ordered(
            (
                member_ids[row.subscriber_person_id],
                row.plan_id,
                row.rating_area,
                row.market,
                row.status,
                row.effective_date,
                row.end_date,
                row.exchange_policy_id,
                row.source,
            )
            for row in session.scalars(select(Policy))
        ),
        "accounts": ordered(
            (row.kind, row.holder_key.split(":")[0], row.language, row.payment_method)
            for row in session.scalars(select(BillingAccount))
        ),
        "spans": ordered(
            (member_ids[row.person_id], plans[row.policy_id], row.relationship, row.start_date, row.end_date)
            for row in session.scalars(select(CoverageSpan))
        ),
        "events": ordered(
            (plans[row.policy_id], row.event, row.effective_date, row.detail, row.source)
            for row in session.scalars(select(CoverageEvent))
        ),
        "amounts": ordered(
            (plans[row.policy_id], member_ids.get(row.person_id), row.kind, row.amount_cents, row.start_date)
            for row in session.scalars(select(ExchangeAmount))
        ),
        "member_audit": ordered(
            row.record_id
            for row in session.scalars(select(AuditEntry).where(AuditEntry.action == "import_834"))
        ),
    }


def ordered(rows: Any) -> list[Any]:
    """Rows in a stable order; ``repr`` sorts rows holding None next to rows holding values."""
    return sorted(rows, key=repr)


def test_rating_differences(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    report = import_text(three_families()).report
    found = {
        (item.amount, item.member_id): (item.exchange_cents, item.premia_cents)
        for item in report.rating_differences
    }

    # Base rate 400.00 in VA-1 for 2026. Ana is 39 on 2026-01-01: 400.00 x 1.262 = 504.80, as sent.
    assert ("premium", "H-100") not in found
    # Luis is 41: 400.00 x 1.302 = 520.80; the Exchange sent no premium for him.
    assert ("premium", "H-100-01") not in found
    # Sofia is 9: 400.00 x 0.765 = 306.00; the Exchange sent 300.00.
    assert found[("premium", "H-100-02")] == (30000, 30600)
    # Policy total: 504.80 + 520.80 + 306.00 = 1,331.60; the Exchange sent 804.80.
    assert found[("premium_total", None)] == (80480, 133160)
    # APTC: 750.00 is below the EHB cap 1,331.60 x 0.900 = 1,198.44, so Premia applies it all.
    assert ("aptc", None) not in found
    # Responsibility: 1,331.60 - 750.00 = 581.60; the Exchange sent 54.80.
    assert found[("responsibility", None)] == (5480, 58160)
    assert {item.billed for item in report.rating_differences} == {"exchange"}


def test_exchange_amounts_stored(ctx: ServiceContext, import_text: Callable[..., ImportResult]) -> None:
    import_text(three_families())
    policy = policies_of(ctx, "H-100")[0]
    rows = ctx.session.scalars(select(ExchangeAmount).where(ExchangeAmount.policy_id == policy.id)).all()
    by_key = {(row.kind, row.person_id): row.amount_cents for row in rows}

    assert by_key[("aptc", None)] == 75000
    assert by_key[("premium", None)] == 80480
    assert by_key[("responsibility", None)] == 5480
    assert by_key[("premium", person(ctx, "H-100").id)] == 50480
    assert by_key[("premium", person(ctx, "H-100-02").id)] == 30000
    assert {row.start_date for row in rows} == {JANUARY_FIRST}
