"""Create notice records. Rendering and delivery read them later."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from premia.accounts.tables import BillingAccount
from premia.infra.context import ServiceContext
from premia.notices.model import NoticeStatus, NoticeType
from premia.notices.tables import Notice


def create_notice(
    ctx: ServiceContext,
    *,
    notice_type: NoticeType,
    billing_account_id: int,
    as_of: date,
    dedupe_key: str,
    send_on: date | None = None,
    policy_id: int | None = None,
    invoice_id: int | None = None,
    payment_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Notice:
    """Record a notice once: a second call with the same ``dedupe_key`` returns the first notice.

    ``data`` holds the facts the letter states (amounts as cents, dates as ISO strings), so a
    notice reads the same however the account changes afterwards.
    """
    key = f"{notice_type.value}:{dedupe_key}"
    existing = ctx.session.scalar(select(Notice).where(Notice.dedupe_key == key))
    if existing is not None:
        return existing
    account = ctx.session.get(BillingAccount, billing_account_id)
    notice = Notice(
        notice_type=notice_type.value,
        billing_account_id=billing_account_id,
        policy_id=policy_id,
        invoice_id=invoice_id,
        payment_id=payment_id,
        as_of=as_of,
        send_on=send_on or as_of,
        language=account.language if account else "en",
        status=NoticeStatus.PENDING.value,
        dedupe_key=key,
        data=data,
        created_by=ctx.actor.username,
        created_at=ctx.now(),
    )
    ctx.session.add(notice)
    ctx.session.flush()
    return notice


def notices_for(ctx: ServiceContext, *, billing_account_id: int | None = None, policy_id: int | None = None) -> list[Notice]:
    query = select(Notice).order_by(Notice.as_of, Notice.id)
    if billing_account_id is not None:
        query = query.where(Notice.billing_account_id == billing_account_id)
    if policy_id is not None:
        query = query.where(Notice.policy_id == policy_id)
    return list(ctx.session.scalars(query))


def notice_count(ctx: ServiceContext, billing_account_id: int) -> int:
    """Return how many notices were created for the account, sent or not."""
    return int(ctx.session.scalar(select(func.count(Notice.id)).where(Notice.billing_account_id == billing_account_id)) or 0)


def first_notice_for_invoice(ctx: ServiceContext, invoice_id: int) -> Notice | None:
    """Return the invoice's earliest notice, or None.

    For an invoice a bill run issued, this is the invoice notice created together with it.
    """
    return ctx.session.scalar(select(Notice).where(Notice.invoice_id == invoice_id).order_by(Notice.id).limit(1))
