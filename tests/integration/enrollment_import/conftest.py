"""Fixtures for 834 import tests: the test catalog, employer groups, a plan map, and an importer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from premia.accounts import service as accounts
from premia.accounts.model import Address, EmployerGroupInput
from premia.accounts.tables import BillingAccount, Person
from premia.catalog.service import load_catalog
from premia.enrollment.tables import CoverageSpan, ExchangeAmount, Policy
from premia.importers.enrollment import ImportOptions, ImportResult, PlanMap, PlanMapEntry, import_834
from premia.infra.context import ServiceContext

DATA = Path(__file__).parent / "data"
# The employer files among the public samples name their plans only by HD03; the carrier's
# plan map sends health lines to the group health plan and vision to the group vision plan.
SAMPLE_PLAN_MAP = PlanMap(
    (
        PlanMapEntry(plan_id="GROUP-HLT"),
        PlanMapEntry(plan_id="GROUP-VIS", insurance_line="VIS"),
    )
)
# Group numbers (REF*1L) of the employers in the public samples.
SAMPLE_GROUPS = ("123456001", "GRP002", "GRP003", "000003409999", "500647166")


@pytest.fixture
def catalog(ctx: ServiceContext) -> None:
    report = load_catalog(ctx, DATA / "import-catalog.yaml")
    assert report.status == "loaded", report.errors


@pytest.fixture
def employer(ctx: ServiceContext) -> Callable[[str], Any]:
    """Create an employer group with a Richmond address (rating area VA-2)."""

    def create(number: str, *, parent: str | None = None) -> Any:
        return accounts.create_employer_group(
            ctx,
            EmployerGroupInput(
                group_number=number,
                name=f"Employer {number}",
                anniversary_month=1,
                address=Address("1 MAIN ST", "RICHMOND", "VA", "23219"),
                parent_group_number=parent,
            ),
        )

    return create


@pytest.fixture
def sample_employers(employer: Callable[[str], Any]) -> None:
    for number in SAMPLE_GROUPS:
        employer(number)


@pytest.fixture
def import_text(ctx: ServiceContext, catalog: None) -> Callable[..., ImportResult]:
    """Import 834 text (or a file) with the given options and the catalog loaded."""

    def run(source: str | Path, **options: Any) -> ImportResult:
        data = source.read_bytes() if isinstance(source, Path) else source.encode("ascii")
        name = source.name if isinstance(source, Path) else "test.834"
        options.setdefault("tr3", False)
        return import_834(ctx, data, file_name=name, options=ImportOptions(**options))

    return run


def count_rows(ctx: ServiceContext) -> dict[str, int]:
    """Rows of the tables an import writes, to show that a rejected import wrote nothing."""
    tables = {
        "persons": Person,
        "accounts": BillingAccount,
        "policies": Policy,
        "spans": CoverageSpan,
        "amounts": ExchangeAmount,
    }
    return {
        name: ctx.session.scalar(select(func.count()).select_from(table)) or 0
        for name, table in tables.items()
    }


def person(ctx: ServiceContext, member_id: str) -> Person:
    found = ctx.session.scalar(select(Person).where(Person.member_id == member_id))
    assert found is not None, f"no person {member_id}"
    return found


def spans_of(ctx: ServiceContext, member_id: str) -> list[CoverageSpan]:
    query = (
        select(CoverageSpan)
        .join(Person, Person.id == CoverageSpan.person_id)
        .where(Person.member_id == member_id)
        .order_by(CoverageSpan.start_date, CoverageSpan.id)
    )
    return list(ctx.session.scalars(query))


def policies_of(ctx: ServiceContext, member_id: str) -> list[Policy]:
    query = (
        select(Policy)
        .join(Person, Person.id == Policy.subscriber_person_id)
        .where(Person.member_id == member_id)
        .order_by(Policy.id)
    )
    return list(ctx.session.scalars(query))
