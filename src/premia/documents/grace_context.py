"""Build an invoice's grace box from the grace notices of the account's policies in grace.

An account can bill several policies, and each runs its own grace period with its own end,
kind and termination date. The box therefore reads each policy in grace from the latest
grace notice that names it, never from another policy's notice. When several are in grace
it describes the one whose grace period ends first, because that is the first coverage the
payer could lose and so the date the payment is needed by.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from premia.billing.model import LineKind
from premia.billing.tables import Invoice, InvoiceLine
from premia.documents.content import GraceStatus
from premia.documents.letter_context import is_aptc_grace
from premia.enrollment.model import PolicyStatus
from premia.enrollment.tables import Policy
from premia.infra.context import ServiceContext
from premia.notices.model import NoticeType
from premia.notices.tables import Notice

GRACE_NOTICE_TYPES = (NoticeType.DELINQUENCY.value, NoticeType.GRACE_SECOND.value, NoticeType.FINAL.value)


@dataclass(frozen=True)
class PolicyGrace:
    """One policy's running grace period, as its latest grace notice states it.

    ``aptc`` marks the three-month grace period of a member who receives the tax credit. The
    dates are None when no grace notice states them yet.
    """

    policy_id: int
    aptc: bool
    grace_end: date | None = None
    termination_date: date | None = None
    claims_pended_from: date | None = None

    def status(self) -> GraceStatus:
        return GraceStatus(
            in_grace=True,
            aptc=self.aptc,
            grace_end=self.grace_end,
            termination_date=self.termination_date,
            claims_pended=self.claims_pended_from is not None,
            claims_pended_from=self.claims_pended_from,
        )


def grace_status(ctx: ServiceContext, invoice: Invoice, *, aptc: bool) -> GraceStatus:
    """Return the grace box of ``invoice``: the grace period of its account's policies in grace.

    ``aptc`` is True when the statement bills APTC. Outside grace it alone sets the
    wording of what happens if the invoice is not paid. In grace, a policy counts as an APTC
    one when its notice names the APTC grace period or its own charges on the invoice carry
    APTC, so the tax credit of one policy never words the grace period of another.
    """
    in_grace = policies_in_grace(ctx, invoice.billing_account_id)
    if not in_grace:
        return GraceStatus(in_grace=False, aptc=aptc)
    billed_with_aptc = policies_billed_with_aptc(ctx, invoice.id) if aptc else set()
    notices = latest_grace_notices(ctx, invoice.billing_account_id, in_grace, on=invoice.issue_date)
    graces = [
        policy_grace(policy_id, notices.get(policy_id), billed_with_aptc=policy_id in billed_with_aptc)
        for policy_id in in_grace
    ]
    return first_to_end(graces).status()


def policies_in_grace(ctx: ServiceContext, billing_account_id: int) -> list[int]:
    """Return the ids of the account's policies in ``grace`` status, oldest first."""
    return list(
        ctx.session.scalars(
            select(Policy.id)
            .where(Policy.billing_account_id == billing_account_id, Policy.status == PolicyStatus.GRACE.value)
            .order_by(Policy.id)
        )
    )


def policies_billed_with_aptc(ctx: ServiceContext, invoice_id: int) -> set[int]:
    """Return the ids of the policies whose current charges on the invoice carry APTC."""
    return set(
        ctx.session.scalars(
            select(InvoiceLine.policy_id)
            .where(
                InvoiceLine.invoice_id == invoice_id,
                InvoiceLine.kind == LineKind.APTC.value,
                InvoiceLine.adjustment.is_(False),
                InvoiceLine.amount_cents != 0,
                InvoiceLine.policy_id.is_not(None),
            )
            .distinct()
        )
    )


def latest_grace_notices(
    ctx: ServiceContext, billing_account_id: int, policy_ids: Sequence[int], *, on: date
) -> dict[int, Notice]:
    """Return each policy's latest delinquency, second or final notice dated on or before ``on``.

    The delinquency run names the policy on every grace notice. A grace notice that names
    none is about the whole account, so it counts for each policy given.

    NOTE: a policy that is back in grace before the run creates the new period's first notice
    (for example with a ``delinquency_days_after_due`` over 1) is read from its previous grace
    period's notice.
    """
    notices = ctx.session.scalars(
        select(Notice)
        .where(
            Notice.billing_account_id == billing_account_id,
            Notice.notice_type.in_(GRACE_NOTICE_TYPES),
            Notice.as_of <= on,
            or_(Notice.policy_id.in_(list(policy_ids)), Notice.policy_id.is_(None)),
        )
        .order_by(Notice.as_of, Notice.id)
    )
    latest: dict[int, Notice] = {}
    for notice in notices:
        for policy_id in _policies_named(notice, policy_ids):
            latest[policy_id] = notice
    return latest


def policy_grace(policy_id: int, notice: Notice | None, *, billed_with_aptc: bool) -> PolicyGrace:
    """Read one policy's grace period from its latest grace notice (None when it has none yet)."""
    facts = (notice.data or {}) if notice else {}
    return PolicyGrace(
        policy_id=policy_id,
        aptc=billed_with_aptc or (bool(facts) and is_aptc_grace(facts)),
        grace_end=_iso_date(facts.get("grace_end")),
        termination_date=_iso_date(facts.get("termination_date_if_unpaid")),
        claims_pended_from=_iso_date(facts.get("claims_pended_from")),
    )


def first_to_end(graces: Collection[PolicyGrace]) -> PolicyGrace:
    """Return the grace period that ends first, and on the same end the one whose coverage would end first.

    A grace period whose end no notice states yet comes last, since the box can name no
    date for it.
    """

    def ending_order(grace: PolicyGrace) -> tuple[date, date, int]:
        return (grace.grace_end or date.max, grace.termination_date or date.max, grace.policy_id)

    return min(graces, key=ending_order)


def _policies_named(notice: Notice, policy_ids: Sequence[int]) -> Sequence[int]:
    return [notice.policy_id] if notice.policy_id is not None else policy_ids


def _iso_date(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None
