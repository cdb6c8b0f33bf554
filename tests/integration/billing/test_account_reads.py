"""The billing reads behind account pages: invoices with lines and open amounts, counts, look-ups."""

from __future__ import annotations

from datetime import date

import pytest

from premia.billing import queries
from premia.enrollment.model import Relationship
from premia.kernel.errors import PermissionDeniedError
from premia.staff.permissions import Role
from tests.conftest import make_context

# Ana born 1990-04-12 (35 on 2026-01-01, 488.80) and Bo born 1993-02-03 (32 on 2026-01-01, 473.20),
# base 400.00: 488.80 + 473.20 = 962.00 a month.
MONTHLY = 96_200


def _billed_couple(story):
    account = story.at(date(2025, 12, 1)).account()
    policy = story.policy(account, effective=date(2026, 1, 1))
    story.dependent(policy, first_name="Bo", birth=date(1993, 2, 3), relationship=Relationship.SPOUSE, start=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    story.bill(date(2026, 1, 15))
    return account


def test_account_invoices_newest_first(story):
    account = _billed_couple(story)

    invoices = queries.account_invoices(story.ctx, account.id, as_of=date(2026, 1, 20), member_names={})

    assert [invoice.period_start for invoice in invoices] == [date(2026, 2, 1), date(2026, 1, 1)]
    assert [invoice.current_charges_cents for invoice in invoices] == [MONTHLY, MONTHLY]


def test_account_invoices_open_and_status(story):
    account = _billed_couple(story)
    january = story.invoices(account)[0]
    story.pay_invoice(january, date(2026, 1, 10))

    invoices = {invoice.invoice_number: invoice for invoice in queries.account_invoices(story.ctx, account.id, as_of=date(2026, 2, 5), member_names={})}
    paid = invoices[january.invoice_number]
    february = next(invoice for invoice in invoices.values() if invoice.invoice_number != january.invoice_number)

    assert paid.open_cents == 0
    assert paid.status == "paid"
    assert february.open_cents == MONTHLY
    # February's invoice falls due before 2026-02-05, so it is past due on that day.
    assert february.due_date < date(2026, 2, 5)
    assert february.status == "past_due"


def test_account_invoice_lines_named(story):
    account = _billed_couple(story)
    people = {line.person_id for line in story.lines(story.invoices(account)[0])}
    names = {person_id: f"Person {person_id}" for person_id in people}

    invoice = queries.account_invoices(story.ctx, account.id, as_of=date(2026, 1, 20), member_names=names)[-1]

    assert sorted(line.amount_cents for line in invoice.lines) == [47_320, 48_880]
    assert {line.member_name for line in invoice.lines} == set(names.values())


def test_account_invoices_none(story):
    account = story.account()

    assert queries.account_invoices(story.ctx, account.id, as_of=date(2026, 1, 20), member_names={}) == []
    assert queries.invoice_count(story.ctx, account.id) == 0


@pytest.mark.parametrize(("status", "open_cents", "as_of"), [("paid", 0, date(2026, 3, 1)), ("open", 1, date(2026, 2, 1)), ("past_due", 1, date(2026, 2, 2))])
def test_invoice_status(status, open_cents, as_of):
    assert queries.invoice_status(open_cents, date(2026, 2, 1), as_of) == status


def test_invoice_lookups(story):
    account = _billed_couple(story)
    january, february = story.invoices(account)

    assert queries.invoice_count(story.ctx, account.id) == 2
    assert queries.invoice_numbers(story.ctx, [january.id, february.id, -1]) == {january.id: january.invoice_number, february.id: february.invoice_number}
    assert queries.find_account_invoice(story.ctx, account.id, f" {january.invoice_number.lower()} ") is january
    assert queries.find_account_invoice(story.ctx, account.id, "PRM-1999-000001") is None
    assert queries.previous_invoice(story.ctx, february) is january
    assert queries.previous_invoice(story.ctx, january) is None
    assert [line.amount_cents for line in queries.invoice_lines(story.ctx, january.id)] == [line.amount_cents for line in story.lines(january)]


def test_recent_bill_runs(story):
    _billed_couple(story)

    runs = queries.recent_bill_runs(story.ctx, limit=1)

    assert len(runs) == 1
    assert runs[0].as_of == date(2026, 1, 15)


def test_recent_bill_runs_need_billing_run(story):
    csr = make_context(story.ctx.session, role=Role.CSR)

    with pytest.raises(PermissionDeniedError):
        queries.recent_bill_runs(csr)
