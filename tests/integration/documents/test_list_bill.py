"""A group list bill: the roster by employee with the employer and employee shares as stored."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from premia.accounts import service as accounts
from premia.accounts.model import (
    AccountInput,
    AccountKind,
    Address,
    BillingPreferences,
    EmployerGroupInput,
    PersonInput,
)
from premia.accounts.person_service import create_person
from premia.billing.model import LineKind
from premia.billing.tables import InvoiceLine
from premia.documents.context import build_content
from premia.documents.service import deliver_notices
from premia.documents.tables import Document
from premia.enrollment import service as enrollment
from premia.enrollment.model import Market, PolicyStatus, Relationship
from premia.notices.model import NoticeType
from premia.notices.tables import Notice
from tests.integration.conftest import AREA_ID, PLAN_ID
from tests.integration.documents.conftest import pdf_text


def _group_bill(story):
    """Reyes Hardware with two employees; employee Dana covers her spouse Eli."""
    ctx = story.at(date(2025, 12, 1)).ctx
    office = Address("900 Main St", "Richmond", "VA", "23219", line2="Suite 4")

    accounts.create_employer_group(
        ctx,
        EmployerGroupInput(
            group_number="G-7001",
            name="Reyes Hardware LLC",
            anniversary_month=1,
            address=office,
            contact_name="Pat Morgan",
        ),
    )
    account = accounts.create_account(
        ctx,
        AccountInput(
            kind=AccountKind.GROUP, employer_group_number="G-7001", preferences=BillingPreferences()
        ),
    )

    # Dana, born 1990-08-17: age 35, 400.00 x 1.222 = 488.80; Eli, born 1991-02-03: age 34, 485.60
    # Farah, born 1980-03-15: age 45, 400.00 x 1.444 = 577.60
    dana = create_person(ctx, PersonInput(first_name="Dana", last_name="Reyes", birth_date=date(1990, 8, 17)))
    eli = create_person(ctx, PersonInput(first_name="Eli", last_name="Reyes", birth_date=date(1991, 2, 3)))
    farah = create_person(
        ctx, PersonInput(first_name="Farah", last_name="Khan", birth_date=date(1980, 3, 15))
    )

    for employee in (dana, farah):
        policy = enrollment.create_policy(
            ctx,
            enrollment.PolicyInput(
                billing_account_id=account.id,
                subscriber_person_id=employee.id,
                employer_group_id=account.employer_group_id,
                plan_id=PLAN_ID,
                rating_area=AREA_ID,
                market=Market.SMALL_GROUP,
                state="VA",
                effective_date=date(2026, 1, 1),
                status=PolicyStatus.ACTIVE,
            ),
        )
        if employee is dana:
            enrollment.add_member(
                ctx, policy, person_id=eli.id, relationship=Relationship.SPOUSE, start_date=date(2026, 1, 1)
            )

    story.bill(date(2025, 12, 15))
    return account


def _store_employer_shares(ctx, account) -> None:
    """Store a 75% employer share on each premium line, as a contribution rule would (half-up)."""
    lines = ctx.session.scalars(
        select(InvoiceLine).where(
            InvoiceLine.billing_account_id == account.id, InvoiceLine.kind == LineKind.PREMIUM.value
        )
    )
    for line in lines:
        line.employer_share_cents = (line.amount_cents * 3 + 2) // 4
    ctx.session.flush()


def _notice(ctx, account) -> Notice:
    return ctx.session.scalar(select(Notice).where(Notice.billing_account_id == account.id))


def test_list_bill_notice_type(story, ctx):
    account = _group_bill(story)

    assert _notice(ctx, account).notice_type == NoticeType.LIST_BILL.value


def test_roster_groups_members_by_employee(story, ctx):
    account = _group_bill(story)

    statement = build_content(ctx, _notice(ctx, account)).invoice

    assert [enrollment.subscriber_name for enrollment in statement.enrollments] == [
        "Farah Khan",
        "Dana Reyes",
    ]
    assert [charge.member_name for charge in statement.enrollments[1].charges] == ["Dana Reyes", "Eli Reyes"]
    # 488.80 + 485.60 = 974.40 for the Reyes enrollment
    assert statement.enrollments[1].gross_cents == 97_440


def test_roster_split_as_stored(story, ctx):
    account = _group_bill(story)
    _store_employer_shares(ctx, account)

    statement = build_content(ctx, _notice(ctx, account)).invoice

    # Employer 75%: 366.60 + 364.20 + 433.20 = 1,164.00; employees 122.20 + 121.40 + 144.40 = 388.00
    assert statement.employer_cents == 116_400
    assert statement.employee_cents == 38_800
    assert statement.amount_due_cents == 155_200


def test_list_bill_pdf(story, ctx, documents_dir):
    account = _group_bill(story)
    _store_employer_shares(ctx, account)

    deliver_notices(ctx, as_of=date(2025, 12, 15))

    document = ctx.session.scalar(select(Document))
    text = " ".join(pdf_text((documents_dir / document.pdf_path).read_bytes()).split())
    assert "Group premium bill" in text
    assert "Attn: Pat Morgan" in text
    for name in ("Dana Reyes", "Eli Reyes", "Farah Khan"):
        assert name in text
    # Gross 1,552.00 = employer 1,164.00 + employees 388.00
    assert "$1,552.00 $1,164.00 $388.00" in text
