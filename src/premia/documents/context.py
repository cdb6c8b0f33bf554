"""Build each document's content from its notice and the database.

Invoices and list bills are built from the stored invoice; every other type is a letter
(see ``letter_context``). Both get the carrier block, the recipient's window address, the
grace status and, when money is asked for, a remittance coupon with a scan line.
"""

from __future__ import annotations

from datetime import date

from premia.accounts.tables import BillingAccount
from premia.billing.tables import Invoice
from premia.documents.content import Coupon, DocumentContent
from premia.documents.grace_context import grace_status
from premia.documents.invoice_context import invoice_content
from premia.documents.letter_context import LetterInput, letter_parts
from premia.documents.model import RENDERED_TYPES, Recipient
from premia.documents.phrases import document_language
from premia.documents.recipients import carrier_from_settings, recipient_for
from premia.documents.scanline import scan_line
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.kernel.errors import NotFoundError, ValidationError
from premia.notices.model import NoticeType
from premia.notices.tables import Notice


def build_content(ctx: ServiceContext, notice: Notice, recipient: Recipient | None = None) -> DocumentContent:
    """Build everything the notice's document shows, in the language the notice was created in.

    ``recipient`` is the one delivery chose, so that the window address is where the letter
    goes. Without it, the recipient in force on the notice's send date is used.
    """
    notice_type = NoticeType(notice.notice_type)
    record = f"notice {notice.id}"
    if notice_type not in RENDERED_TYPES:
        raise ValidationError(
            code="documents.type_not_rendered",
            message=f"Notices of type {notice_type.value} are not rendered as payer documents.",
            record=record,
            field="notice_type",
            value=notice_type.value,
        )
    account = ctx.session.get(BillingAccount, notice.billing_account_id)
    if account is None:
        raise NotFoundError(
            code="account.not_found",
            message=f"Billing account id {notice.billing_account_id} does not exist.",
            record=record,
            field="billing_account_id",
            value=notice.billing_account_id,
        )
    if recipient is None:
        recipient, _preference = recipient_for(ctx, account, on=notice.send_on)
    policy = ctx.session.get(Policy, notice.policy_id) if notice.policy_id else None
    common = {
        "notice_type": notice_type,
        "language": document_language(notice.language).value,
        "reference": f"N-{notice.id:08d}",
        "carrier": carrier_from_settings(ctx.settings),
        "recipient_name": recipient.name,
        "recipient_address": recipient.address,
        "account_number": account.account_number,
        "policy_number": policy.policy_number if policy else None,
    }

    if notice_type in (NoticeType.INVOICE, NoticeType.LIST_BILL):
        invoice = _invoice_of(ctx, notice)
        statement = invoice_content(ctx, invoice, account)
        return DocumentContent(
            **common,
            document_date=invoice.issue_date,
            invoice=statement,
            grace=grace_status(ctx, invoice, aptc=statement.has_aptc),
            coupon=_coupon(
                recipient.name, account, invoice.invoice_number, invoice.due_date, statement.amount_due_cents
            ),
        )

    parts = letter_parts(LetterInput(ctx=ctx, notice=notice, account=account, policy=policy))
    coupon = None
    if parts.letter.asks_for_payment and parts.amount_due_cents is not None:
        coupon = _coupon(recipient.name, account, parts.invoice_number, parts.pay_by, parts.amount_due_cents)
    return DocumentContent(
        **common, document_date=notice.send_on, letter=parts.letter, grace=parts.grace, coupon=coupon
    )


def _invoice_of(ctx: ServiceContext, notice: Notice) -> Invoice:
    invoice = ctx.session.get(Invoice, notice.invoice_id) if notice.invoice_id else None
    if invoice is None:
        raise NotFoundError(
            code="documents.invoice_missing",
            message=f"Notice {notice.id} is an invoice notice but names no stored invoice (invoice_id {notice.invoice_id}).",
            record=f"notice {notice.id}",
            field="invoice_id",
            value=notice.invoice_id,
            hint="Invoice notices are created by the bill run with the invoice they present.",
        )
    return invoice


def _coupon(
    payer_name: str, account: BillingAccount, invoice_number: str | None, due: date | None, amount_due: int
) -> Coupon:
    return Coupon(
        payer_name=payer_name,
        account_number=account.account_number,
        invoice_number=invoice_number,
        due_date=due,
        amount_due_cents=amount_due,
        scan_line=scan_line(account.account_number, invoice_number or "0", amount_due),
    )
