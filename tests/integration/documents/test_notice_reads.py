"""An account's notices with their documents, and the notice and document behind an invoice."""

from __future__ import annotations

from datetime import date

from premia.documents.queries import account_notices, documents_for_notices, first_document_for_notice
from premia.documents.service import deliver_notices
from premia.notices.service import first_notice_for_invoice, notice_count, notices_for


def _billed_twice(story):
    account = story.at(date(2025, 12, 1)).account()
    story.policy(account, effective=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    story.bill(date(2026, 1, 15))
    return account


def test_account_notices_newest_first(story):
    account = _billed_twice(story)
    january, february = story.invoices(account)

    notices = account_notices(story.ctx, account.id)

    assert [notice.invoice_number for notice in notices] == [february.invoice_number, january.invoice_number]
    # Delivery has not run, so no document is rendered yet.
    assert [notice.document_id for notice in notices] == [None, None]
    assert notice_count(story.ctx, account.id) == 2


def test_account_notices_none(story):
    account = story.account()

    assert account_notices(story.ctx, account.id) == []
    assert notice_count(story.ctx, account.id) == 0


def test_invoice_notice_without_document(story):
    account = _billed_twice(story)
    january = story.invoices(account)[0]

    notice = first_notice_for_invoice(story.ctx, january.id)

    assert notice is not None
    assert notice.invoice_id == january.id
    assert first_document_for_notice(story.ctx, notice.id) is None
    assert documents_for_notices(story.ctx, [notice.id]) == {}
    assert documents_for_notices(story.ctx, []) == {}
    assert first_notice_for_invoice(story.ctx, -1) is None
    assert len(notices_for(story.ctx, billing_account_id=account.id)) == 2


def test_delivered_notice_has_document(story):
    account = story.at(date(2025, 12, 1)).account()
    story.policy(account, effective=date(2026, 1, 1))
    story.bill(date(2025, 12, 15))
    deliver_notices(story.ctx, as_of=date(2025, 12, 15))
    notice = first_notice_for_invoice(story.ctx, story.invoices(account)[0].id)
    assert notice is not None

    document = first_document_for_notice(story.ctx, notice.id)

    assert document is not None
    assert documents_for_notices(story.ctx, [notice.id]) == {notice.id: document.id}
    assert [row.document_id for row in account_notices(story.ctx, account.id)] == [document.id]
