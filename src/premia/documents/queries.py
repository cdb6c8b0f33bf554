"""Reads of an account's notices together with the documents rendered for them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from premia.billing.queries import invoice_numbers
from premia.documents.tables import Document
from premia.infra.context import ServiceContext
from premia.notices.service import notices_for
from premia.staff.permissions import Permission


@dataclass(frozen=True)
class AccountNotice:
    """A notice to the account, the document rendered for it (None until delivery renders one) and its invoice."""

    id: int
    notice_type: str
    as_of: date
    send_on: date
    status: str
    document_id: int | None
    invoice_number: str | None


def account_notices(ctx: ServiceContext, billing_account_id: int) -> list[AccountNotice]:
    """List the account's notices, newest first, with their documents and invoice numbers."""
    ctx.require(Permission.BILLING_READ)
    notices = notices_for(ctx, billing_account_id=billing_account_id)
    if not notices:
        return []
    documents = documents_for_notices(ctx, [notice.id for notice in notices])
    numbers = invoice_numbers(ctx, {notice.invoice_id for notice in notices if notice.invoice_id})
    rows = [
        AccountNotice(
            id=notice.id,
            notice_type=notice.notice_type,
            as_of=notice.as_of,
            send_on=notice.send_on,
            status=notice.status,
            document_id=documents.get(notice.id),
            invoice_number=numbers.get(notice.invoice_id or 0),
        )
        for notice in notices
    ]
    rows.reverse()
    return rows


def documents_for_notices(ctx: ServiceContext, notice_ids: Collection[int]) -> dict[int, int]:
    """Return the id of the document rendered for each notice. Notices without one are left out.

    When a notice has more than one document, the one with the highest id wins.
    """
    if not notice_ids:
        return {}
    query = select(Document.notice_id, Document.id).where(Document.notice_id.in_(set(notice_ids))).order_by(Document.id)
    return {notice_id: document_id for notice_id, document_id in ctx.session.execute(query).all()}


def first_document_for_notice(ctx: ServiceContext, notice_id: int) -> Document | None:
    """Return the first document rendered for the notice, or None while delivery has not rendered it."""
    return ctx.session.scalar(select(Document).where(Document.notice_id == notice_id).order_by(Document.id).limit(1))
